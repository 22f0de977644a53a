/**
 * One measured round, common to both sides: jobs are queued before the clock starts; the clock
 * runs from starting the worker until the last run is terminal (its finished_at, read from the
 * database, so the 100 ms polling does not blur the figure).
 */
import type postgres from "postgres";

export interface RoundOptions {
  /** Marks the runs of this round (their record_version). */
  round: string;
  runs: number;
  concurrency: number;
  /** Called once the jobs are queued, just before the clock starts (the profile resets its counters here). */
  beforeStart?: () => Promise<void>;
  /** CPU ms of the database server so far, when it can be read. */
  serverCpuMs?: () => number;
}

export interface RoundResult {
  runs: number;
  wallMs: number;
  runsPerSecond: number;
  /** CPU of this Node process (worker, drivers, executor) per run, in ms. */
  cpuMsPerRun: number;
  /** CPU of the PostgreSQL server per run, in ms (embedded database only). */
  serverCpuMsPerRun?: number;
  /** finished_at - created_at and finished_at - started_at, engine only. */
  latency?: { p50: number; p95: number; execP50: number; execP95: number; execP99: number };
}

const POLL_MS = 100;

/** Wait until `done()` counts `n`, failing on `failure()` or after `timeoutMs`. */
export async function waitForCount(done: () => Promise<number>, n: number, timeoutMs: number, failure: () => Error | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const error = failure();
    if (error) throw error;
    const count = await done();
    if (count >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${n} runs finished within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export function timeoutFor(n: number): number {
  return 60_000 + n * 100;
}

/** Wall time from `startedAtMs` to the newest finished_at of the round. */
export async function wallTime(sql: postgres.Sql, table: "runs" | "bench_runs", version: string, startedAtMs: number): Promise<number> {
  const [row] = await sql.unsafe<{ last: Date }[]>(`select max(finished_at) as last from ${table} where record_version = $1`, [version]);
  return row!.last.getTime() - startedAtMs;
}

export function result(n: number, wallMs: number, cpu: NodeJS.CpuUsage, serverMs?: number): RoundResult {
  return {
    runs: n,
    wallMs,
    runsPerSecond: (n / wallMs) * 1000,
    cpuMsPerRun: (cpu.user + cpu.system) / 1000 / n,
    serverCpuMsPerRun: serverMs === undefined ? undefined : serverMs / n,
  };
}

/**
 * Server CPU since `before`. Why the pause: backends of the pools just closed are counted when
 * the postmaster reaps them, which happens shortly after they exit.
 */
export async function serverCpuSince(options: RoundOptions, before: number | undefined): Promise<number | undefined> {
  if (before === undefined || !options.serverCpuMs) return undefined;
  await new Promise((r) => setTimeout(r, 500));
  return options.serverCpuMs() - before;
}
