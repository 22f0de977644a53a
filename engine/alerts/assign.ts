/**
 * Review item ownership: an assignee set by hand, or by the flow's assignment rule when the item
 * has never been assigned (applied on every alert evaluation). Review alerts go to the assignee.
 */
import type { Db } from "../../db/client";

async function assertMember(db: Db, workspaceId: string, userId: string) {
  const [member] = await db.sql`select 1 from memberships where workspace_id = ${workspaceId} and user_id = ${userId}`;
  if (!member) throw new Error("The assignee must be a member of this workspace.");
}

/** Assign (or, with null, unassign) open items; returns how many changed. */
export async function assignReviews(db: Db, workspaceId: string, reviewIds: string[], userId: string | null, actor: string): Promise<number> {
  if (userId) await assertMember(db, workspaceId, userId);
  const rows = await db.sql`
    update review_items set assignee_user_id = ${userId}, assigned_at = now(), assigned_by = ${actor}
    where workspace_id = ${workspaceId} and id = any(${reviewIds}::uuid[]) and status = 'open' returning id`;
  return rows.length;
}

export async function listAssignmentRules(db: Db, workspaceId: string) {
  return db.sql<{ id: string; flowId: string; flowName: string; reasonCode: string | null; userId: string; userName: string; userEmail: string }[]>`
    select r.id::text, r.flow_id::text as "flowId", f.name as "flowName", r.reason_code as "reasonCode", r.user_id::text as "userId",
           u.name as "userName", u.email as "userEmail"
    from review_assignment_rules r join flows f on f.id = r.flow_id and f.workspace_id = r.workspace_id join users u on u.id = r.user_id
    where r.workspace_id = ${workspaceId} order by f.name, r.reason_code nulls first`;
}

/** One rule per flow and reason (null: every reason); saving again replaces the assignee. */
export async function setAssignmentRule(db: Db, workspaceId: string, input: { flowId: string; reasonCode: string | null; userId: string }): Promise<string> {
  const [flow] = await db.sql`select 1 from flows where id = ${input.flowId} and workspace_id = ${workspaceId}`;
  if (!flow) throw new Error("No such flow in this workspace.");
  await assertMember(db, workspaceId, input.userId);
  const [row] = await db.sql<{ id: string }[]>`
    insert into review_assignment_rules (workspace_id, flow_id, reason_code, user_id)
    values (${workspaceId}, ${input.flowId}, ${input.reasonCode}, ${input.userId})
    on conflict (flow_id, coalesce(reason_code, '')) do update set user_id = excluded.user_id
    returning id::text`;
  return row!.id;
}

export async function deleteAssignmentRule(db: Db, workspaceId: string, ruleId: string): Promise<boolean> {
  const gone = await db.sql`delete from review_assignment_rules where id = ${ruleId} and workspace_id = ${workspaceId} returning id`;
  return gone.length > 0;
}

export async function workspaceMembers(db: Db, workspaceId: string) {
  return db.sql<{ userId: string; name: string; email: string; role: string }[]>`
    select u.id::text as "userId", u.name, u.email, m.role from memberships m join users u on u.id = m.user_id
    where m.workspace_id = ${workspaceId} order by u.name`;
}
