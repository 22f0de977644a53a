/**
 * The scheduled reconciliation: every hour (graphile-worker's crontab on every worker, which runs
 * each tick once across them), each active flow that can be reconciled gets today's and
 * yesterday's report rebuilt (yesterday's catches what arrived late). Nothing has to be built
 * first: a flow is picked up as soon as it is active.
 */
import type { Task } from "graphile-worker";
import type { Db } from "../../db/client";
import { errorFields, logger } from "../logging";
import { scheduledTargets } from "./queries";
import { runReport } from "./reconcile";

export const TASK_RECONCILE = "ledgerline_reconcile";
/** At minute 43 of every hour; one job at a time (the job key), up to 3 attempts. */
export const RECONCILE_CRONTAB = `43 * * * * ${TASK_RECONCILE} ?max=3&jobKey=ledgerline:reconcile`;

export async function reconcileAll(db: Db, now = new Date()): Promise<{ reports: number; errors: string[] }> {
  const days = [now.toISOString().slice(0, 10), new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10)];
  const errors: string[] = [];
  let reports = 0;
  for (const target of await scheduledTargets(db)) {
    for (const day of days) {
      try {
        await runReport(db, target.workspaceId, target.flowId, day);
        reports++;
      } catch (error) {
        errors.push(`${target.flowId} ${day}: ${(error as Error).message}`);
        logger().error({ component: "reconcile", workspaceId: target.workspaceId, flowId: target.flowId, day, err: errorFields(error) }, "reconciliation report failed");
      }
    }
  }
  return { reports, errors };
}

export function reportTasks(db: Db): Record<string, Task> {
  const task: Task = async () => {
    const { reports, errors } = await reconcileAll(db);
    logger().info({ component: "reconcile", reports, failed: errors.length }, "scheduled reconciliation done");
  };
  return { [TASK_RECONCILE]: task };
}
