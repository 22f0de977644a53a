/**
 * graphile-worker tasks. Payloads are unknown until parsed.
 */
import type { Task, TaskList } from "graphile-worker";
import { z } from "zod";
import type { Db } from "../../db/client";
import { alertTasks } from "../alerts/task";
import { reportTasks } from "../reports/task";
import { executeRun } from "../executor/run";
import { enqueueRun, queueNameFor, TASK_PRUNE, TASK_RUN, TASK_TICK } from "../queue";
import { prune } from "../retention";
import { flowConcurrency } from "../runs";
import { tick } from "../triggers";

const runPayload = z.object({ runId: z.string().uuid() });
const tickPayload = z.object({ flowId: z.string().uuid() });

export interface TaskOptions {
  /** Aborted when the worker drains (SIGTERM): runs stop at the next node and are released. */
  drain?: AbortSignal;
  /** Lease holder name and lifetime (the stale window). */
  owner?: string;
  leaseTtlMs?: number;
}

export function taskList(db: Db, options: TaskOptions = {}): TaskList {
  const run: Task = async (payload, helpers) => {
    const { runId } = runPayload.parse(payload);
    const result = await executeRun(db, runId, { signal: helpers.abortSignal, drain: options.drain, owner: options.owner, leaseTtlMs: options.leaseTtlMs });
    if (result.rescheduleAt) await reschedule(db, runId, result.rescheduleAt, options.drain);
  };
  const tickTask: Task = async (payload) => {
    const { flowId } = tickPayload.parse(payload);
    await tick(db, flowId);
  };
  const pruneTask: Task = async () => {
    const pruned = await prune(db);
    if (pruned.runDetails + pruned.runs + pruned.auditEvents + pruned.webhookEvents > 0) {
      console.log(`[worker] retention: details of ${pruned.runDetails} runs, ${pruned.runs} runs, ${pruned.auditEvents} audit events, ${pruned.webhookEvents} webhook events`);
    }
  };
  return { [TASK_RUN]: run, [TASK_TICK]: tickTask, [TASK_PRUNE]: pruneTask, ...alertTasks(db), ...reportTasks(db) };
}

/**
 * A new job at run_at instead of sleeping in this one (a long wait, a released run). Why retried:
 * when the database is briefly away, giving up here would leave the run without a job.
 */
async function reschedule(db: Db, runId: string, runAt: Date, drain?: AbortSignal): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [row] = await db.sql<{ flow_id: string; flow_version_id: string }[]>`
        select flow_id::text, flow_version_id::text from runs where id = ${runId}`;
      const queueName = row ? queueNameFor(row.flow_id, await flowConcurrency(db.sql, row.flow_version_id)) : null;
      await enqueueRun(db.sql, runId, { runAt, queueName });
      return;
    } catch (error) {
      if (attempt >= 5 || drain?.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}
