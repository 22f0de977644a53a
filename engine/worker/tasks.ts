/**
 * graphile-worker tasks. Payloads are unknown until parsed.
 */
import type { Task, TaskList } from "graphile-worker";
import { z } from "zod";
import type { Db } from "../../db/client";
import { alertTasks } from "../alerts/task";
import { executeRun } from "../executor/run";
import { enqueueRun, queueNameFor, TASK_RUN, TASK_TICK } from "../queue";
import { flowConcurrency } from "../runs";
import { tick } from "../triggers";

const runPayload = z.object({ runId: z.string().uuid() });
const tickPayload = z.object({ flowId: z.string().uuid() });

export function taskList(db: Db): TaskList {
  const run: Task = async (payload, helpers) => {
    const { runId } = runPayload.parse(payload);
    const result = await executeRun(db, runId, { signal: helpers.abortSignal });
    if (result.rescheduleAt) {
      // A long wait: a new job at run_at instead of sleeping in this one.
      const [row] = await db.sql<{ flow_id: string; flow_version_id: string }[]>`
        select flow_id::text, flow_version_id::text from runs where id = ${runId}`;
      const queueName = row ? queueNameFor(row.flow_id, await flowConcurrency(db.sql, row.flow_version_id)) : null;
      await enqueueRun(db.sql, runId, { runAt: result.rescheduleAt, queueName });
    }
  };
  const tickTask: Task = async (payload) => {
    const { flowId } = tickPayload.parse(payload);
    await tick(db, flowId);
  };
  return { [TASK_RUN]: run, [TASK_TICK]: tickTask, ...alertTasks(db) };
}
