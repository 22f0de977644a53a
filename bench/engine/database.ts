/**
 * The benchmark's own database, never the user's: an embedded PostgreSQL in a temporary data dir
 * on a free port, or a fresh database created beside BENCH_DATABASE_URL (dropped at the end).
 * DATABASE_URL is ignored on purpose.
 */
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { migrateDatabase, startEmbeddedPostgres, type DatabaseHandle } from "../../db/bootstrap";
import { freePort } from "../../db/free-port";
import { CLOCK_TICKS, pids, procStat } from "../../engine/test/proc";

export interface BenchDatabase {
  url: string;
  /** Where the figures were taken, for the report header. */
  description: string;
  /** pg_stat_statements is loaded (embedded cluster started with --profile). */
  statements: boolean;
  /** CPU ms used so far by the PostgreSQL server (embedded only, from /proc). */
  serverCpuMs?: () => number;
  stop(): Promise<void>;
}


const DATABASE = "ledgerline_bench";

/**
 * CPU of a PostgreSQL cluster: the postmaster's own and reaped children's time, plus its live
 * children (backends, background workers). Linux /proc only; undefined elsewhere.
 */
function serverCpu(dataDir: string): (() => number) | undefined {
  if (process.platform !== "linux") return undefined;
  const ticks = CLOCK_TICKS;
  return () => {
    const postmaster = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]!.trim();
    const own = procStat(postmaster);
    let total = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const pid of pids()) {
      if (String(pid) === postmaster) continue;
      try {
        const f = procStat(pid);
        if (f[1] === postmaster) total += Number(f[11]) + Number(f[12]);
      } catch {
        // The process ended while we looked.
      }
    }
    return (total / ticks) * 1000;
  };
}

async function embedded(profile: boolean, durable: boolean): Promise<BenchDatabase> {
  const tmp = await mkdtemp(path.join(tmpdir(), "ledgerline-bench-"));
  // Why: run as root, PostgreSQL runs as a `postgres` user, which must be able to enter the parent.
  await chmod(tmp, 0o755);
  const dir = path.join(tmp, "pg");
  let handle: DatabaseHandle | undefined;
  try {
    const port = await freePort();
    handle = await startEmbeddedPostgres({ dir, port, database: DATABASE, durable });
    if (profile) {
      // Why a restart: pg_stat_statements must be in shared_preload_libraries at server start.
      const admin = postgres(handle.url, { max: 1, onnotice: () => undefined });
      await admin`alter system set shared_preload_libraries = 'pg_stat_statements'`;
      await admin`alter system set pg_stat_statements.track = 'all'`;
      await admin.end();
      await handle.stop();
      handle = await startEmbeddedPostgres({ dir, port, database: DATABASE, durable });
    }
    await migrateDatabase(handle.url);
  } catch (error) {
    await handle?.stop().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  const started = handle;
  return {
    url: started.url,
    description: `embedded PostgreSQL in ${tmp} (fsync ${durable ? "on" : "off"})`,
    statements: profile,
    serverCpuMs: serverCpu(dir),
    async stop() {
      try {
        await started.stop();
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  };
}

async function beside(baseUrl: string, profile: boolean): Promise<BenchDatabase> {
  const database = `ledgerline_bench_${Date.now()}_${process.pid}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database "${database}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  const drop = async () => {
    const a = postgres(baseUrl, { max: 1, onnotice: () => undefined });
    try {
      await a.unsafe(`drop database if exists "${database}" with (force)`);
    } finally {
      await a.end();
    }
  };
  try {
    await migrateDatabase(url.toString());
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  let statements = false;
  if (profile) {
    // Only works when the server already preloads pg_stat_statements.
    const sql = postgres(url.toString(), { max: 1, onnotice: () => undefined });
    try {
      await sql`create extension if not exists pg_stat_statements`;
      await sql`select 1 from pg_stat_statements limit 1`;
      statements = true;
    } catch (error) {
      console.warn(`[bench] --profile: pg_stat_statements is not available on BENCH_DATABASE_URL (${(error as Error).message})`);
    } finally {
      await sql.end();
    }
  }
  return { url: url.toString(), description: `database ${database} beside BENCH_DATABASE_URL (dropped at the end)`, statements, stop: drop };
}

/**
 * `durable`: the embedded cluster keeps fsync and synchronous_commit on, as `npm start`'s does
 * (default off: a throw-away cluster like the tests'). A server beside BENCH_DATABASE_URL keeps its own settings.
 */
export async function startBenchDatabase(options: { profile: boolean; durable?: boolean }): Promise<BenchDatabase> {
  const external = process.env.BENCH_DATABASE_URL;
  return external ? beside(external, options.profile) : embedded(options.profile, options.durable ?? false);
}
