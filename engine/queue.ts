/**
 * The only place that talks to graphile-worker's queue from SQL, so jobs can be added inside the
 * same transaction that creates runs or moves a checkpoint.
 * https://worker.graphile.org/docs/sql-add-job
 */
import type postgres from "postgres";

export const TASK_RUN = "ledgerline_run";
export const TASK_TICK = "ledgerline_tick";
/** Retention (engine/retention.ts), hourly from every worker's crontab; graphile-worker runs each tick once. */
export const TASK_PRUNE = "ledgerline_prune";
export const PRUNE_CRONTAB = `17 * * * * ${TASK_PRUNE}`;

type Sql = postgres.Sql | postgres.TransactionSql;

export interface RunJobOptions {
  runAt?: Date;
  /** Serialise a flow's runs on one queue when its concurrency is 1. */
  queueName?: string | null;
  /** graphile-worker priority: lower runs first (default 0, new runs). */
  priority?: number;
}

/**
 * The priority of a run that has already started (resumed after a wait, released by a shutdown
 * or a database outage): ahead of every new run, so a backlog never delays work in progress.
 */
export const RESUMED_RUN_PRIORITY = -10;

export async function enqueueRun(sql: Sql, runId: string, options: RunJobOptions = {}): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${TASK_RUN}::text,
    payload => json_build_object('runId', ${runId}::text),
    queue_name => ${options.queueName ?? null}::text,
    run_at => ${options.runAt ?? null}::timestamptz,
    max_attempts => 25,
    job_key => ${`run:${runId}`}::text,
    priority => ${options.priority ?? 0}::int,
    job_key_mode => 'replace'
  )`;
}

export async function scheduleTick(sql: Sql, flowId: string, runAt: Date): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${TASK_TICK}::text,
    payload => json_build_object('flowId', ${flowId}::text),
    run_at => ${runAt}::timestamptz,
    max_attempts => 5,
    job_key => ${`tick:${flowId}`}::text,
    job_key_mode => 'replace'
  )`;
}

/** When the flow's next tick job runs, or null when none is scheduled. */
export async function nextTick(sql: Sql, flowId: string): Promise<Date | null> {
  const [job] = await sql<{ run_at: Date }[]>`select run_at from graphile_worker.jobs where key = ${`tick:${flowId}`}`;
  return job?.run_at ?? null;
}

export async function cancelTick(sql: Sql, flowId: string): Promise<void> {
  await sql`select graphile_worker.remove_job(${`tick:${flowId}`}::text)`;
}

export function queueNameFor(flowId: string, concurrency: number): string | null {
  return concurrency === 1 ? `flow:${flowId}` : null;
}
