/**
 * The scheduled reconciliation: every hour, each active flow that can be reconciled gets today's
 * and yesterday's report rebuilt (yesterday's catches what arrived late). One graphile-worker job
 * (`job_key` "ledgerline:reconcile") that schedules itself again; opening or running a report
 * makes sure it exists.
 */
import type { Task } from "graphile-worker";
import type postgres from "postgres";
import type { Db } from "../../db/client";
import { scheduledTargets } from "./queries";
import { runReport } from "./reconcile";

export const TASK_RECONCILE = "ledgerline_reconcile";
const JOB_KEY = "ledgerline:reconcile";
const EVERY_MS = 60 * 60_000;

type Sql = postgres.Sql | postgres.TransactionSql;

export async function ensureReconcileSchedule(sql: Sql, runAt = new Date(Date.now() + EVERY_MS)): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${TASK_RECONCILE}::text, payload => '{}'::json, run_at => ${runAt}::timestamptz, max_attempts => 3,
    job_key => ${JOB_KEY}::text, job_key_mode => 'preserve_run_at')`;
}

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
      }
    }
  }
  return { reports, errors };
}

export function reportTasks(db: Db): Record<string, Task> {
  const task: Task = async () => {
    try {
      const { errors } = await reconcileAll(db);
      for (const e of errors) console.error(`[reconcile] ${e}`);
    } finally {
      await db.sql`select graphile_worker.add_job(
        ${TASK_RECONCILE}::text, payload => '{}'::json, run_at => ${new Date(Date.now() + EVERY_MS)}::timestamptz, max_attempts => 3,
        job_key => ${JOB_KEY}::text, job_key_mode => 'replace')`;
    }
  };
  return { [TASK_RECONCILE]: task };
}
