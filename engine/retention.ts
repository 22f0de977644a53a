/**
 * Retention: what a workspace keeps, and the scheduled job that prunes the rest in small batches.
 *
 * - run details (node inputs, outputs, HTTP logs): `workspaces.retention_details_days` (default 90)
 *   after the run finished; the node rows stay (status, attempts, timings, errors).
 * - run summaries and audit events: `workspaces.retention_summary_days` (default 400).
 * - webhook events (redelivery dedupe): as long as run details.
 *
 * Never pruned: the idempotency ledger (what was posted, forever), runs that are not finished, runs
 * with an open review item, and runs a replay in progress started from.
 *
 * Why batches: each statement touches at most `batchSize` runs and commits on its own, so pruning
 * a year of history never holds long locks or one huge transaction beside the live engine.
 */
import { z } from "zod";
import type { Db } from "../db/client";
import { lockRunDayCounts, uncountPurgedRuns } from "./run-day-counts";
import { TERMINAL_RUN_STATUSES } from "./status";

export const DEFAULT_DETAILS_DAYS = 90;
export const DEFAULT_SUMMARY_DAYS = 400;

export const retentionSchema = z
  .object({
    detailsDays: z.number().int().min(1).max(3650).describe("Days run details (node inputs, outputs, HTTP logs) are kept"),
    summaryDays: z.number().int().min(1).max(3650).describe("Days run summaries and audit events are kept"),
  })
  .refine((r) => r.summaryDays >= r.detailsDays, { message: "run summaries must be kept at least as long as run details", path: ["summaryDays"] });
export type Retention = z.infer<typeof retentionSchema>;

export async function getRetention(db: Db, workspaceId: string): Promise<Retention> {
  const [row] = await db.sql<{ detailsDays: number; summaryDays: number }[]>`
    select retention_details_days as "detailsDays", retention_summary_days as "summaryDays" from workspaces where id = ${workspaceId}`;
  if (!row) throw new Error("workspace not found");
  return row;
}

export async function setRetention(db: Db, workspaceId: string, input: unknown): Promise<Retention> {
  const retention = retentionSchema.parse(input);
  await db.sql`
    update workspaces set retention_details_days = ${retention.detailsDays}, retention_summary_days = ${retention.summaryDays}
    where id = ${workspaceId}`;
  return retention;
}

export interface PruneResult {
  runDetails: number;
  runs: number;
  auditEvents: number;
  webhookEvents: number;
}

export interface PruneOptions {
  batchSize?: number;
  /** Stop after this many batches per kind (the next scheduled run continues). */
  maxBatches?: number;
}

/** One pass over every workspace. */
export async function prune(db: Db, options: PruneOptions = {}): Promise<PruneResult> {
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 200;
  const sql = db.sql;
  const terminal = TERMINAL_RUN_STATUSES as string[];
  const repeat = async (batch: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await batch();
      total += n;
      if (n < batchSize) break;
    }
    return total;
  };
  // A run may go when it finished, has no open review item and no replay in progress started from it.
  const prunable = sql`
    r.status = any(${terminal}::text[])
    and not exists (select 1 from review_items i where i.run_id = r.id and i.status = 'open')
    and not exists (select 1 from runs c where c.parent_run_id = r.id and c.status <> all(${terminal}::text[]))`;

  const runDetails = await repeat(async () => {
    const rows = await sql`
      with batch as (
        select r.id from runs r join workspaces w on w.id = r.workspace_id
        where r.details_pruned_at is null and r.finished_at < now() - make_interval(days => w.retention_details_days) and ${prunable}
        limit ${batchSize}
        for update of r skip locked
      ), cleared as (
        update node_runs n set input = null, output = null, http_calls = '[]'::jsonb, logs = '[]'::jsonb
        from batch where n.run_id = batch.id
        returning 1
      )
      update runs set details_pruned_at = now() from batch where runs.id = batch.id
      returning (select count(*) from cleared)`;
    return rows.length;
  });

  // A purged run leaves its day's count in run_day_counts (the flow overview), under the lock the
  // roll-up takes, so the two never count the same runs at once.
  const runs = await repeat(async () =>
    sql.begin(async (tx) => {
      await lockRunDayCounts(tx);
      const [row] = await tx<{ n: number }[]>`
        with deleted as (
          delete from runs where id in (
            select r.id from runs r join workspaces w on w.id = r.workspace_id
            where r.finished_at < now() - make_interval(days => w.retention_summary_days) and ${prunable}
            limit ${batchSize}
            for update of r skip locked
          )
          returning workspace_id, flow_id, created_at, status, finished_at, trigger_kind
        ), uncounted as (${uncountPurgedRuns(tx, "deleted")})
        select count(*)::int as n from deleted`;
      return row!.n;
    }),
  );

  const auditEvents = await repeat(async () => {
    const rows = await sql`
      delete from audit_events where id in (
        select a.id from audit_events a join workspaces w on w.id = a.workspace_id
        where a.at < now() - make_interval(days => w.retention_summary_days)
        limit ${batchSize}
      )
      returning 1`;
    return rows.length;
  });

  const webhookEvents = await repeat(async () => {
    const rows = await sql`
      delete from webhook_events where id in (
        select e.id from webhook_events e join workspaces w on w.id = e.workspace_id
        where e.received_at < now() - make_interval(days => w.retention_details_days)
        limit ${batchSize}
      )
      returning 1`;
    return rows.length;
  });

  return { runDetails, runs, auditEvents, webhookEvents };
}
