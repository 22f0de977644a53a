/**
 * The only place that talks to graphile-worker's queue from SQL, so jobs can be added inside the
 * same transaction (or statement) that creates runs or moves a checkpoint.
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

/**
 * SQL for a statement that creates runs: CTEs `run_jobs` (one job per row of the CTE `created`,
 * which has the new runs' `id`) and `run_jobs_notified`, which the statement's final select must
 * read (a plain CTE runs only when read): `(select count(*) from run_jobs_notified) as notified`,
 * a row per NOTIFY sent.
 *
 * Why not add_job: for a run created in this statement there can be no job with its key yet, so
 * add_job's work for keys (clearing locked ones, replacing unlocked ones) and for tasks and queues
 * is moot, and it cost 480-810 µs of PostgreSQL CPU per job against about 200 µs for the insert
 * and the same NOTIFY (engine/queue.test.ts keeps the two rows alike). The job row is graphile-
 * worker's own (`_private_jobs`, the version pinned in package.json); its task row is made at
 * migration (`ensureRunTask`). A run on a named queue (a flow with concurrency 1) goes through
 * add_job, which creates the queue's row when it is missing.
 */
export function newRunJobs(sql: Sql, queueName: string | null) {
  if (queueName !== null) {
    return sql`run_jobs as (
      select graphile_worker.add_job(${TASK_RUN}::text, payload => json_build_object('runId', c.id::text), queue_name => ${queueName}::text,
                                     max_attempts => 25, job_key => 'run:' || c.id::text, priority => 0, job_key_mode => 'replace') as job
      from created c
    ), run_jobs_notified as (select job from run_jobs)`;
  }
  return sql`run_jobs as (
      insert into graphile_worker._private_jobs (job_queue_id, task_id, payload, run_at, max_attempts, key, priority)
      select null, (select t.id from graphile_worker._private_tasks t where t.identifier = ${TASK_RUN}::text),
             json_build_object('runId', c.id::text), now(), 25, 'run:' || c.id::text, 0
      from created c
      returning id
    ), run_jobs_notified as (
      select pg_notify('jobs:insert', '{"r":' || random()::text || ',"count":' || count(*)::text || '}') from run_jobs having count(*) > 0
    )`;
}

/** newRunJobs's CTEs for a statement that creates runs without jobs (a dry run, a test). */
export function noRunJobs(sql: Sql) {
  return sql`run_jobs as (select 1 where false), run_jobs_notified as (select 1 where false)`;
}

/** The run task's row in graphile-worker's task table, which newRunJobs reads (made once, at migration). */
export async function ensureRunTask(sql: Sql): Promise<void> {
  await sql`insert into graphile_worker._private_tasks (identifier) values (${TASK_RUN}) on conflict do nothing`;
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
