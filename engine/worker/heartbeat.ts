/**
 * Crash recovery. graphile-worker leaves a killed worker's jobs locked for 4 hours; we do better:
 * every worker process records a heartbeat for each of its graphile-worker ids, and a sweeper in
 * every process unlocks the jobs of workers whose heartbeat is older than STALE_AFTER_MS.
 * Worst case from a SIGKILL to the job running again: STALE_AFTER_MS + SWEEP_EVERY_MS (15 s).
 *
 * A worker that is alive but stalled past STALE_AFTER_MS (SIGSTOP, a long GC pause, a frozen VM)
 * has its jobs unlocked too. That is safe because a heartbeat is not what protects a run: each run
 * executes under a lease (../executor/lease.ts) that lives as long as the stale window and is
 * renewed by the run itself. The next worker claims the run only once that lease has expired, and
 * the stalled worker, when it wakes, finds its lease dead: its checkpoints, ledger transitions and
 * requests are refused, so it posts nothing. Why the window can be this short: a wrong guess
 * (a live worker that was only slow) costs a takeover, never a duplicate.
 *
 * Tuning (`npm run worker`): LEDGERLINE_HEARTBEAT_MS, LEDGERLINE_STALE_AFTER_MS (also the run
 * lease's lifetime; at least three heartbeats) and LEDGERLINE_SWEEP_MS.
 */
import { hostname } from "node:os";
import type { WorkerUtils } from "graphile-worker";
import type { Db } from "../../db/client";
import { env } from "../../db/env";
import { DEFAULT_LEASE_MS } from "../executor/lease";
import { RESUMED_RUN_PRIORITY, TASK_RUN } from "../queue";
import { TERMINAL_RUN_STATUSES } from "../status";

export const HEARTBEAT_EVERY_MS = 2_000;
/** The stale window: the run lease's lifetime too, so a killed worker's leases are dead by the time its jobs are unlocked. */
export const STALE_AFTER_MS = DEFAULT_LEASE_MS;
export const SWEEP_EVERY_MS = 3_000;

export async function beat(db: Db, workerIds: string[]): Promise<void> {
  if (workerIds.length === 0) return;
  await db.sql`
    insert into worker_heartbeats (worker_id, hostname, pid)
    select unnest(${workerIds}::text[]), ${hostname()}, ${process.pid}
    on conflict (worker_id) do update set last_seen_at = now()`;
}

export async function forget(db: Db, workerIds: string[]): Promise<void> {
  if (workerIds.length === 0) return;
  await db.sql`delete from worker_heartbeats where worker_id = any(${workerIds}::text[])`;
}

/** Unlock the jobs of workers that stopped beating (never this process's own). Returns their ids. */
export async function sweep(db: Db, utils: WorkerUtils, staleAfterMs = STALE_AFTER_MS, own: string[] = []): Promise<string[]> {
  const stale = await db.sql<{ worker_id: string }[]>`
    delete from worker_heartbeats
    where last_seen_at < now() - ${`${staleAfterMs} milliseconds`}::interval and worker_id <> all(${own}::text[])
    returning worker_id`;
  const ids = stale.map((r) => r.worker_id);
  if (ids.length > 0) {
    await utils.forceUnlockWorkers(ids);
    // The runs those workers had started resume ahead of the backlog of new runs.
    await db.sql`
      update graphile_worker._private_jobs j set priority = ${RESUMED_RUN_PRIORITY}
      from graphile_worker._private_tasks t, runs r
      where t.id = j.task_id and t.identifier = ${TASK_RUN} and j.locked_at is null and j.priority > ${RESUMED_RUN_PRIORITY}
        and r.id = case when j.payload->>'runId' ~ '^[0-9a-fA-F-]{36}$' then (j.payload->>'runId')::uuid end
        and r.status = 'running'`;
  }
  return ids;
}

/**
 * Unlock the jobs of runs nobody is executing although a live worker holds the job: locked for
 * longer than the stale window while the run has no lease, or one that expired. That is a job its
 * worker could not hand back (the database was away when the task ended, and graphile-worker gave
 * up releasing it); without this it would stay locked for graphile-worker's 4 hours. A run being
 * executed renews its lease every third of the window, so it is never touched here.
 */
export async function sweepOrphanedRuns(db: Db, staleAfterMs = STALE_AFTER_MS): Promise<number> {
  const window = `${staleAfterMs} milliseconds`;
  const rows = await db.sql<{ id: string }[]>`
    with orphaned as (
      select j.id, j.job_queue_id
      from graphile_worker._private_jobs j
      join graphile_worker._private_tasks t on t.id = j.task_id
      join runs r on r.id = case when j.payload->>'runId' ~ '^[0-9a-fA-F-]{36}$' then (j.payload->>'runId')::uuid end
      where t.identifier = ${TASK_RUN} and j.locked_at < now() - ${window}::interval
        and r.status <> all(${TERMINAL_RUN_STATUSES as string[]}::text[])
        and (r.lease_expires_at is null or r.lease_expires_at < now() - ${window}::interval)
      for update of j skip locked
    ), unlocked as (
      update graphile_worker._private_jobs j set locked_at = null, locked_by = null, priority = least(j.priority, ${RESUMED_RUN_PRIORITY})
      from orphaned o where j.id = o.id
      returning j.id, o.job_queue_id
    ), queues as (
      update graphile_worker._private_job_queues q set locked_at = null, locked_by = null
      from unlocked u where q.id = u.job_queue_id and q.locked_at < now() - ${window}::interval
      returning q.id
    )
    select id::text from unlocked`;
  return rows.length;
}

/** Is any worker alive? (health endpoint) Alive: a heartbeat within the stale window the workers use. */
export async function liveWorkers(db: Db, staleAfterMs = env.staleAfterMs ?? STALE_AFTER_MS): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from worker_heartbeats where last_seen_at > now() - ${`${staleAfterMs} milliseconds`}::interval`;
  return row?.n ?? 0;
}
