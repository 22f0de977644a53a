/**
 * graphile-worker tasks. Payloads are unknown until parsed.
 */
import type { Task, TaskList } from "graphile-worker";
import { z } from "zod";
import type { Db } from "../../db/client";
import { alertTasks } from "../alerts/task";
import { RECONCILE_CRONTAB, reportTasks } from "../reports/task";
import { LeaseLostError } from "../executor/lease";
import { executeRun } from "../executor/run";
import { isDatabaseUnavailable, waitForDatabase } from "../../db/errors";
import { logger } from "../logging";
import { enqueueRun, PRUNE_CRONTAB, queueNameFor, RESUMED_RUN_PRIORITY, TASK_PRUNE, TASK_RUN, TASK_TICK } from "../queue";
import { prune } from "../retention";
import { ROLL_UP_RUN_DAYS_CRONTAB, rollUpRunDays, TASK_ROLL_UP_RUN_DAYS } from "../run-day-counts";
import { flowConcurrency } from "../runs";
import { tick } from "../triggers";
import type { DatabaseOutage } from "./resilience";

const runPayload = z.object({ runId: z.string().uuid() });
const tickPayload = z.object({ flowId: z.string().uuid() });

export interface TaskOptions {
  /** Aborted when the worker drains (SIGTERM): runs stop at the next node and are released. */
  drain?: AbortSignal;
  /** Lease holder name and lifetime (the stale window). */
  owner?: string;
  leaseTtlMs?: number;
  /** Logs a database outage once (the worker's). */
  outage?: DatabaseOutage;
}

/**
 * Every worker's crontab (graphile-worker runs each tick once across them): retention,
 * reconciliation, the flows' runs per day.
 */
export const WORKER_CRONTAB = [PRUNE_CRONTAB, RECONCILE_CRONTAB, ROLL_UP_RUN_DAYS_CRONTAB].join("\n");

/** After the database was away, the run's new job starts this much later. */
const RESUME_AFTER_OUTAGE_MS = 500;

export function taskList(db: Db, options: TaskOptions = {}): TaskList {
  const run: Task = async (payload, helpers) => {
    const { runId } = runPayload.parse(payload);
    let rescheduleAt: Date | undefined;
    try {
      ({ rescheduleAt } = await executeRun(db, runId, {
        signal: helpers.abortSignal,
        drain: options.drain,
        owner: options.owner,
        leaseTtlMs: options.leaseTtlMs,
        outage: options.outage,
      }));
    } catch (error) {
      if (options.drain?.aborted) throw error;
      if (error instanceof LeaseLostError) {
        // Our claim ran out with nobody else holding the run (the database was away longer than
        // the lease, or this process was paused): give it a new job now. Thrown to
        // graphile-worker instead, the job would wait out its retry backoff (e^attempts seconds,
        // 20 s by the third pickup) and, after 25, never run again, leaving the run running.
        // Held by another claim: throw, so this job changes nothing (graphile-worker fails a job
        // only for the worker that locked it, while completing it would delete a job the other
        // holder may be running).
        if (!(await abandoned(db, runId).catch(() => false))) throw error;
        rescheduleAt = new Date(Date.now() + RESUME_AFTER_OUTAGE_MS);
      } else {
        // The database went away before the run could be claimed or released: wait for it, then
        // give the run a new job (a claim it holds expires and is taken over by that job).
        if (!isDatabaseUnavailable(error)) throw error;
        options.outage?.note(error);
        rescheduleAt = new Date(Date.now() + RESUME_AFTER_OUTAGE_MS);
      }
    }
    if (rescheduleAt) await reschedule(db, runId, helpers.job.id, rescheduleAt, options);
  };
  const tickTask: Task = async (payload) => {
    const { flowId } = tickPayload.parse(payload);
    await tick(db, flowId);
  };
  const pruneTask: Task = async () => {
    const pruned = await prune(db);
    if (pruned.runDetails + pruned.runs + pruned.auditEvents + pruned.webhookEvents > 0) {
      logger().info({ pruned }, "retention pruned run details, runs, audit events and webhook events");
    }
  };
  const rollUpTask: Task = async () => {
    await rollUpRunDays(db);
  };
  return { [TASK_RUN]: run, [TASK_TICK]: tickTask, [TASK_PRUNE]: pruneTask, [TASK_ROLL_UP_RUN_DAYS]: rollUpTask, ...alertTasks(db), ...reportTasks(db) };
}

/** A run left running under a claim that expired: nobody executes it and nobody will release it. */
async function abandoned(db: Db, runId: string): Promise<boolean> {
  const [row] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from runs where id = ${runId} and status = 'running' and (lease_expires_at is null or lease_expires_at <= now())`;
  return (row?.n ?? 0) > 0;
}

/**
 * A new job at run_at instead of sleeping in this one (a long wait, a released run), ahead of new
 * runs. Why it waits for the database: giving up here would leave the run without a job.
 *
 * Why this job gives up the run's job key first: the sweeper may have unlocked this very job while
 * its task was still running (a paused worker, a database outage). The key would then name this
 * job, unlocked, and `add_job` would update it in place; completing this task deletes the job by
 * id, and the run would be left waiting with no job at all. With the key cleared, the run always
 * gets a job of its own.
 */
async function reschedule(db: Db, runId: string, jobId: string, runAt: Date, options: TaskOptions): Promise<void> {
  const add = async () => {
    await db.sql.begin(async (tx) => {
      await tx`update graphile_worker._private_jobs set key = null where id = ${jobId}::bigint and key = ${`run:${runId}`}`;
      const [row] = await tx<{ flow_id: string; flow_version_id: string }[]>`
        select flow_id::text, flow_version_id::text from runs where id = ${runId}`;
      const queueName = row ? queueNameFor(row.flow_id, await flowConcurrency(tx, row.flow_version_id)) : null;
      await enqueueRun(tx, runId, { runAt, queueName, priority: RESUMED_RUN_PRIORITY });
    });
  };
  await waitForDatabase(
    async () => {
      try {
        await add();
      } catch (error) {
        options.outage?.note(error);
        throw error;
      }
    },
    { everyMs: 1000, signal: options.drain?.aborted ? AbortSignal.timeout(10_000) : undefined },
  );
  options.outage?.ok();
}
