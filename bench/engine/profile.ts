/**
 * --profile: one extra round per side with pg_stat_statements reset once its jobs are queued,
 * then every top-level statement the execution sent (graphile-worker's own included) as calls per run and
 * server time per run. The bench's own polling queries are left out (bench:webhook's carry a
 * `/* bench *\/` comment).
 */
import type { Db } from "../../db/client";

export interface StatementRow {
  query: string;
  callsPerRun: number;
  execMsPerRun: number;
}

export interface Profile {
  statementsPerRun: number;
  execMsPerRun: number;
  commitsPerRun: number;
  rows: StatementRow[];
}

export async function enableStatements(db: Db): Promise<void> {
  await db.sql`create extension if not exists pg_stat_statements`;
}

async function commits(db: Db): Promise<number> {
  const [row] = await db.sql<{ n: string }[]>`select xact_commit::text as n from pg_stat_database where datname = current_database()`;
  return Number(row!.n);
}

/** Run `round`, resetting the counters once its jobs are queued; read them back divided by `runs`. */
export async function profileRound(db: Db, runs: number, round: (beforeStart: () => Promise<void>) => Promise<unknown>): Promise<Profile> {
  let before = 0;
  await round(async () => {
    await db.sql`select pg_stat_statements_reset()`;
    await db.sql`select pg_stat_clear_snapshot()`;
    before = await commits(db);
  });
  // The statistics collector publishes at most every few hundred ms.
  await new Promise((r) => setTimeout(r, 1500));
  await db.sql`select pg_stat_clear_snapshot()`;
  const after = await commits(db);
  const stats = await db.sql<{ query: string; calls: string; total: number }[]>`
    select query, calls::text, total_exec_time as total from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database()) and toplevel
      and query not like '%count(*)::int as n from%' and query not like '%/* bench */%' and query not like '%pg_stat%'
    order by calls desc, total_exec_time desc`;
  const rows = stats
    .map((s) => ({ query: s.query.replace(/\s+/g, " ").trim(), callsPerRun: Number(s.calls) / runs, execMsPerRun: s.total / runs }))
    .filter((r) => r.callsPerRun >= 0.01);
  return {
    statementsPerRun: rows.reduce((sum, r) => sum + r.callsPerRun, 0),
    execMsPerRun: rows.reduce((sum, r) => sum + r.execMsPerRun, 0),
    commitsPerRun: (after - before) / runs,
    rows,
  };
}

export function printProfile(label: string, p: Profile): void {
  console.log(`\n${label}: ${p.statementsPerRun.toFixed(1)} top-level statements per run, ${p.commitsPerRun.toFixed(1)} commits per run, ${p.execMsPerRun.toFixed(3)} ms server execution per run`);
  console.log(`  calls/run  exec ms/run  statement   (COMMITs of explicit transactions are not listed; the commits figure counts them)`);
  for (const r of p.rows) {
    console.log(`  ${r.callsPerRun.toFixed(2).padStart(9)}  ${r.execMsPerRun.toFixed(3).padStart(11)}  ${r.query.slice(0, 150)}`);
  }
}
