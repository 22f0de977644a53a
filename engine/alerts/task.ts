/**
 * The scheduled alert evaluation: a graphile-worker job that evaluates every workspace's rules,
 * then schedules itself again (one job, `job_key` "ledgerline:alerts"). Saving a rule or a channel
 * makes sure the job exists; a pass with no enabled rule and no digest channel left lets it end.
 * Any worker process may run it; rules and deliveries are claimed with SKIP LOCKED.
 */
import type { Task } from "graphile-worker";
import type postgres from "postgres";
import type { Db } from "../../db/client";
import { env } from "../../db/env";
import { evaluateAlerts } from "./evaluate";

export const TASK_ALERTS = "ledgerline_alerts";
const JOB_KEY = "ledgerline:alerts";

type Sql = postgres.Sql | postgres.TransactionSql;

/** Seconds between passes: LEDGERLINE_ALERTS_EVERY_SECONDS, default 60. */
export function alertsEveryMs(): number {
  return env.alertsEverySeconds * 1000;
}

/** Make sure a pass is scheduled (at once unless one is already due sooner). */
export async function ensureAlertSchedule(sql: Sql, runAt = new Date()): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${TASK_ALERTS}::text, payload => '{}'::json, run_at => ${runAt}::timestamptz, max_attempts => 3,
    job_key => ${JOB_KEY}::text, job_key_mode => 'preserve_run_at')`;
}

async function anythingToWatch(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ any: boolean }[]>`
    select exists (select 1 from alert_rules where enabled) or exists (select 1 from alert_channels where enabled and delivery = 'digest')
      or exists (select 1 from alert_deliveries where status in ('pending', 'queued')) as any`;
  return Boolean(row?.any);
}

export function alertTasks(db: Db): Record<string, Task> {
  const task: Task = async () => {
    try {
      // Five seconds of settling: a run that finished just now but commits a moment later is read next time.
      await evaluateAlerts(db, { settleMs: 5000 });
    } finally {
      if (await anythingToWatch(db.sql)) {
        await db.sql`select graphile_worker.add_job(
          ${TASK_ALERTS}::text, payload => '{}'::json, run_at => ${new Date(Date.now() + alertsEveryMs())}::timestamptz, max_attempts => 3,
          job_key => ${JOB_KEY}::text, job_key_mode => 'replace')`;
      }
    }
  };
  return { [TASK_ALERTS]: task };
}
