/**
 * The engine side: N runs of the built-in flow created and enqueued in one transaction
 * (createRuns, as a trigger does), then one worker (startWorker) executes them.
 */
import type { Db } from "../../db/client";
import { TERMINAL_RUN_STATUSES } from "../../engine/executor/store";
import { createRuns } from "../../engine/runs";
import { startWorker } from "../../engine/worker/start";
import { invoice, type Fixtures } from "./fixtures";
import { result, serverCpuSince, timeoutFor, waitForCount, wallTime, type RoundOptions, type RoundResult } from "./round";

export async function engineRound(db: Db, url: string, f: Fixtures, options: RoundOptions): Promise<RoundResult> {
  const { round, runs: n, concurrency } = options;
  const records = Array.from({ length: n }, (_, i) => ({ key: `bench:${i}`, version: round, data: invoice(i), label: `Invoice ${i}` }));
  const created = await db.sql.begin((tx) => createRuns(tx, { workspaceId: f.workspaceId, flowId: f.flowId, versionId: f.versionId, triggerKind: "manual" }, records));
  if (created.created.length !== n) throw new Error(`created ${created.created.length} of ${n} runs (${created.duplicates} duplicates)`);

  await options.beforeStart?.();
  const cpu = process.cpuUsage();
  const server = options.serverCpuMs?.();
  const startedAt = Date.now();
  const worker = await startWorker({ databaseUrl: url, concurrency });
  let jobError: Error | undefined;
  worker.runner.events.on("job:error", ({ job, error }) => {
    jobError ??= new Error(`engine job ${job.id} threw: ${(error as Error)?.message ?? String(error)}`);
  });
  try {
    await waitForCount(
      async () => {
        const [row] = await db.sql<{ n: number }[]>`
          select count(*)::int as n from runs
          where flow_id = ${f.flowId} and record_version = ${round} and status = any(${TERMINAL_RUN_STATUSES})`;
        return row!.n;
      },
      n,
      timeoutFor(n),
      () => jobError,
    );
  } finally {
    await worker.stop();
  }
  const used = process.cpuUsage(cpu);
  const serverMs = await serverCpuSince(options, server);
  const wallMs = await wallTime(db.sql, "runs", round, startedAt);

  const statuses = await db.sql<{ status: string; n: number; error: string | null }[]>`
    select status, count(*)::int as n, min(error->>'message') as error from runs
    where flow_id = ${f.flowId} and record_version = ${round} group by status`;
  const bad = statuses.filter((s) => s.status !== "succeeded");
  if (bad.length > 0) throw new Error(`engine round ${round}: not every run succeeded: ${JSON.stringify(bad)}`);
  const [nodes] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from node_runs nr join runs r on r.id = nr.run_id
    where r.flow_id = ${f.flowId} and r.record_version = ${round} and nr.status = 'succeeded'`;
  if (nodes!.n !== n * 4) throw new Error(`engine round ${round}: ${nodes!.n} succeeded node runs, expected ${n * 4}`);

  const [latency] = await db.sql<{ p50: number; p95: number; exec_p50: number; exec_p95: number; exec_p99: number }[]>`
    select percentile_cont(0.5) within group (order by extract(epoch from finished_at - created_at) * 1000) as p50,
           percentile_cont(0.95) within group (order by extract(epoch from finished_at - created_at) * 1000) as p95,
           percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at) * 1000) as exec_p50,
           percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at) * 1000) as exec_p95,
           percentile_cont(0.99) within group (order by extract(epoch from finished_at - started_at) * 1000) as exec_p99
    from runs where flow_id = ${f.flowId} and record_version = ${round}`;
  return {
    ...result(n, wallMs, used, serverMs),
    latency: { p50: Number(latency!.p50), p95: Number(latency!.p95), execP50: Number(latency!.exec_p50), execP95: Number(latency!.exec_p95), execP99: Number(latency!.exec_p99) },
  };
}
