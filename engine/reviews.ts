/**
 * Reading the review queue: items by status, reason and flow, the open items grouped by reason,
 * the open count the navigation shows. Resolving and dismissing live in `./runs.ts` (a resolve
 * is a replay). Every query filters by workspace.
 */
import type { Db } from "../db/client";
import type { RunDetail } from "./run-queries";
import type { ReviewStatus } from "./status";

export interface ReviewFilter {
  status: ReviewStatus;
  reasonCode?: string;
  flowId?: string;
  limit: number;
}

/** `detail: "summary"` leaves out `details` (the record values that could not be mapped, say). */
export async function listReviews(db: Db, workspaceId: string, filter: ReviewFilter, detail: RunDetail) {
  const sql = db.sql;
  const rows = await sql<{ id: string; runId: string; flowId: string; flowName: string; nodeId: string; reasonCode: string; reason: string; details: unknown; status: string; createdAt: Date; recordKey: string; recordLabel: string | null; replayRunId: string | null }[]>`
    select i.id::text, i.run_id::text as "runId", i.flow_id::text as "flowId", f.name as "flowName", i.node_id as "nodeId",
           i.reason_code as "reasonCode", i.reason, i.details, i.status, i.created_at as "createdAt", r.record_key as "recordKey",
           r.record_label as "recordLabel", i.replay_run_id::text as "replayRunId"
    from review_items i join runs r on r.id = i.run_id and r.workspace_id = i.workspace_id
         join flows f on f.id = i.flow_id and f.workspace_id = i.workspace_id
    where i.workspace_id = ${workspaceId} and i.status = ${filter.status}
      ${filter.reasonCode ? sql`and i.reason_code = ${filter.reasonCode}` : sql``}
      ${filter.flowId ? sql`and i.flow_id = ${filter.flowId}` : sql``}
    order by i.created_at desc limit ${filter.limit}`;
  return detail === "summary" ? rows.map((r) => ({ ...r, details: null })) : rows;
}

export async function reviewGroups(db: Db, workspaceId: string) {
  return db.sql<{ reasonCode: string; count: number; oldest: Date; example: string }[]>`
    select reason_code as "reasonCode", count(*)::int as count, min(created_at) as oldest, min(reason) as example
    from review_items where workspace_id = ${workspaceId} and status = ${"open" satisfies ReviewStatus}
    group by reason_code order by count desc`;
}

export async function openReviewCount(db: Db, workspaceId: string): Promise<number> {
  const [open] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from review_items where workspace_id = ${workspaceId} and status = ${"open" satisfies ReviewStatus}`;
  return open?.n ?? 0;
}
