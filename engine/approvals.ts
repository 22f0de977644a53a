/**
 * Maker-checker approvals of write nodes.
 *
 * A write node with `approval.when` (flow definition) whose condition holds over its input parks
 * its run as awaiting_approval with the exact request it would send (engine/executor/node.ts).
 * A member with the operator role or higher approves or rejects it:
 * - approved: the run is queued again and continues; the write goes through the ledger as usual
 *   (claimed, sent once, recorded), the condition is not asked again;
 * - rejected: the run ends as rejected and the write is never sent.
 * When the workspace requires four eyes, the maker (who started the run, or activated its flow
 * version for trigger runs) cannot approve their own. Both decisions are audited with the actor.
 */
import { jsonb, type Db } from "../db/client";
import { recordAudit, type Actor } from "./audit";
import { enqueueRun, queueNameFor, RESUMED_RUN_PRIORITY } from "./queue";
import { flowConcurrency } from "./runs";

export type ApprovalStatus = "pending" | "approved" | "rejected";

export class ApprovalError extends Error {}

export interface ApprovalRow {
  id: string;
  runId: string;
  flowId: string;
  flowName: string;
  nodeId: string;
  nodeType: string;
  recordKey: string;
  recordLabel: string | null;
  condition: string;
  status: ApprovalStatus;
  maker: string;
  makerUserId: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  note: string | null;
  createdAt: Date;
  runStatus: string;
  /** The exact request the write sends on approval (only with `detail`). */
  request?: unknown;
}

const columns = (db: Db, detail: boolean) => db.sql`
  a.id::text, a.run_id::text as "runId", a.flow_id::text as "flowId", f.name as "flowName", a.node_id as "nodeId",
  a.node_type as "nodeType", r.record_key as "recordKey", r.record_label as "recordLabel", a.condition, a.status,
  a.maker, a.maker_user_id::text as "makerUserId", a.decided_by as "decidedBy", a.decided_at as "decidedAt", a.note,
  a.created_at as "createdAt", r.status as "runStatus" ${detail ? db.sql`, a.request` : db.sql``}`;

export async function listApprovals(
  db: Db,
  workspaceId: string,
  filter: { status?: ApprovalStatus; limit?: number },
  detail = false,
): Promise<ApprovalRow[]> {
  return db.sql<ApprovalRow[]>`
    select ${columns(db, detail)}
    from approvals a join runs r on r.id = a.run_id join flows f on f.id = a.flow_id
    where a.workspace_id = ${workspaceId} ${filter.status ? db.sql`and a.status = ${filter.status}` : db.sql``}
    order by a.created_at desc, a.id desc
    limit ${filter.limit ?? 200}`;
}

export async function getApproval(db: Db, workspaceId: string, approvalId: string, detail = true): Promise<ApprovalRow> {
  const [row] = await db.sql<ApprovalRow[]>`
    select ${columns(db, detail)}
    from approvals a join runs r on r.id = a.run_id join flows f on f.id = a.flow_id
    where a.workspace_id = ${workspaceId} and a.id = ${approvalId}`;
  if (!row) throw new ApprovalError("approval not found");
  return row;
}

export async function pendingApprovalCount(db: Db, workspaceId: string): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from approvals where workspace_id = ${workspaceId} and status = 'pending'`;
  return row?.n ?? 0;
}

/** Decide a pending approval. Approve queues the run again; reject ends it as rejected. */
export async function decideApproval(
  db: Db,
  workspaceId: string,
  approvalId: string,
  decision: "approve" | "reject",
  actor: Actor,
  note?: string,
): Promise<{ runId: string; status: ApprovalStatus }> {
  return db.sql.begin(async (tx) => {
    const [row] = await tx<{ id: string; runId: string; flowId: string; flowVersionId: string; recordKey: string; status: ApprovalStatus; makerUserId: string | null; nodeId: string; fourEyes: boolean }[]>`
      select a.id::text, a.run_id::text as "runId", a.flow_id::text as "flowId", r.flow_version_id::text as "flowVersionId",
             r.record_key as "recordKey", a.status, a.maker_user_id::text as "makerUserId", a.node_id as "nodeId",
             w.require_four_eyes as "fourEyes"
      from approvals a join runs r on r.id = a.run_id join workspaces w on w.id = a.workspace_id
      where a.workspace_id = ${workspaceId} and a.id = ${approvalId}
      for update of a, r`;
    if (!row) throw new ApprovalError("approval not found");
    if (row.status !== "pending") throw new ApprovalError(`This approval was already ${row.status}.`);
    if (decision === "approve" && row.fourEyes && (!actor.userId || actor.userId === row.makerUserId)) {
      throw new ApprovalError("Four eyes: the person who started this run (or activated its flow version) cannot approve it; another approver must.");
    }
    const status: ApprovalStatus = decision === "approve" ? "approved" : "rejected";
    await tx`
      update approvals set status = ${status}, decided_by = ${actor.label}, decided_by_user_id = ${actor.userId ?? null},
             decided_at = now(), note = ${note ?? null}
      where id = ${row.id}`;
    if (status === "approved") {
      await tx`update runs set status = 'queued' where id = ${row.runId} and status = 'awaiting_approval'`;
      await enqueueRun(tx, row.runId, { queueName: queueNameFor(row.flowId, await flowConcurrency(tx, row.flowVersionId)), priority: RESUMED_RUN_PRIORITY });
    } else {
      await tx`
        update runs set status = 'rejected', failed_node_id = ${row.nodeId}, finished_at = now(),
               error = ${jsonb({ kind: "permanent", message: `Rejected by ${actor.label}${note ? `: ${note}` : ""}` })}::text::jsonb, error_kind = 'permanent',
               duration_ms = (extract(epoch from (now() - coalesce(started_at, created_at))) * 1000)::int
        where id = ${row.runId} and status = 'awaiting_approval'`;
      await tx`update node_runs set status = 'failed' where run_id = ${row.runId} and node_id = ${row.nodeId} and status = 'awaiting_approval'`;
    }
    await recordAudit(tx, workspaceId, actor, {
      action: `approval.${status}`,
      entityType: "approval",
      entityId: row.id,
      runId: row.runId,
      recordKey: row.recordKey,
      data: { flowId: row.flowId, nodeId: row.nodeId, note: note ?? null },
    });
    return { runId: row.runId, status };
  });
}

/** The workspace's four-eyes setting (owners and admins change it). */
export async function setFourEyes(db: Db, workspaceId: string, required: boolean, actor: Actor): Promise<void> {
  await db.sql.begin(async (tx) => {
    const [before] = await tx<{ required: boolean }[]>`select require_four_eyes as required from workspaces where id = ${workspaceId} for update`;
    if (!before) throw new ApprovalError("workspace not found");
    await tx`update workspaces set require_four_eyes = ${required} where id = ${workspaceId}`;
    await recordAudit(tx, workspaceId, actor, {
      action: "workspace.four_eyes",
      entityType: "workspace",
      entityId: workspaceId,
      data: { changes: { requireFourEyes: { from: before.required, to: required } } },
    });
  });
}

export async function fourEyesRequired(db: Db, workspaceId: string): Promise<boolean> {
  const [row] = await db.sql<{ required: boolean }[]>`select require_four_eyes as required from workspaces where id = ${workspaceId}`;
  return row?.required ?? false;
}
