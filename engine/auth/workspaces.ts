/**
 * Workspaces and their members. A user may belong to several; the first member of a workspace is
 * its owner; a workspace always keeps at least one owner.
 *
 * Who may change members (checked here, on top of the router's admin minimum): admins manage
 * members other than owners and cannot make owners; owners manage everyone; anyone may leave,
 * except the last owner.
 */
import type postgres from "postgres";
import { z } from "zod";
import type { Db } from "../../db/client";
import { recordAudit, type Actor } from "../audit";
import { roleAtLeast, type Role } from "./roles";

type Sql = postgres.Sql | postgres.TransactionSql;

export const workspaceNameSchema = z.string().trim().min(2, "A workspace name needs at least 2 characters.").max(80);

export class MembershipError extends Error {}

export interface WorkspaceSummary {
  id: string;
  name: string;
  slug: string;
  role: Role;
  requireTwoFactor: boolean;
}

function slugify(name: string): string {
  return (
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "workspace"
  );
}

async function freeSlug(sql: Sql, name: string): Promise<string> {
  const base = slugify(name);
  const taken = new Set((await sql<{ slug: string }[]>`select slug from workspaces where slug = ${base} or slug like ${base + "-%"}`).map((r) => r.slug));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** A new workspace with `ownerId` as its owner (and their current choice). */
export async function createWorkspace(db: Db, name: string, ownerId: string, actor: Actor): Promise<WorkspaceSummary> {
  const clean = workspaceNameSchema.parse(name);
  return db.sql.begin(async (tx) => {
    const slug = await freeSlug(tx, clean);
    const [ws] = await tx<{ id: string }[]>`insert into workspaces (name, slug) values (${clean}, ${slug}) returning id::text`;
    await tx`insert into memberships (workspace_id, user_id, role) values (${ws!.id}, ${ownerId}, 'owner')`;
    await tx`update users set last_workspace_id = ${ws!.id}, updated_at = now() where id = ${ownerId}`;
    await recordAudit(tx, ws!.id, actor, { action: "workspace.create", entityType: "workspace", entityId: ws!.id, data: { name: clean } });
    return { id: ws!.id, name: clean, slug, role: "owner" as Role, requireTwoFactor: false };
  });
}

/** The workspace of this name (the admin CLI names workspaces), created when missing. */
export async function ensureWorkspaceByName(sql: Sql, name: string): Promise<{ id: string; created: boolean }> {
  const clean = workspaceNameSchema.parse(name);
  const [existing] = await sql<{ id: string }[]>`select id::text from workspaces where name = ${clean} or slug = ${clean} order by (name = ${clean}) desc, created_at limit 1`;
  if (existing) return { id: existing.id, created: false };
  const slug = await freeSlug(sql, clean);
  const [ws] = await sql<{ id: string }[]>`insert into workspaces (name, slug) values (${clean}, ${slug}) returning id::text`;
  return { id: ws!.id, created: true };
}

/**
 * Make `userId` a member: the first member of a workspace is always its owner; an existing member's
 * role changes to `role` when given. Returns the role held.
 */
export async function addMember(sql: Sql, workspaceId: string, userId: string, role: Role | undefined): Promise<Role> {
  const [count] = await sql<{ n: number }[]>`select count(*)::int as n from memberships where workspace_id = ${workspaceId}`;
  const first = count!.n === 0;
  const chosen: Role = first ? "owner" : (role ?? "viewer");
  const [row] = await sql<{ role: Role }[]>`
    insert into memberships (workspace_id, user_id, role) values (${workspaceId}, ${userId}, ${chosen})
    on conflict (workspace_id, user_id) do update set role = case
      when ${role ?? null}::text is null then memberships.role
      -- the last owner stays owner
      when memberships.role = 'owner' and (select count(*) from memberships o where o.workspace_id = ${workspaceId} and o.role = 'owner') <= 1 then 'owner'
      else excluded.role end
    returning role`;
  return row!.role;
}

export async function listMyWorkspaces(db: Db, userId: string): Promise<WorkspaceSummary[]> {
  const rows = await db.sql<{ id: string; name: string; slug: string; role: Role; require_two_factor: boolean }[]>`
    select w.id::text, w.name, w.slug, m.role, w.require_two_factor
    from memberships m join workspaces w on w.id = m.workspace_id
    where m.user_id = ${userId} order by lower(w.name), w.created_at`;
  return rows.map((r) => ({ id: r.id, name: r.name, slug: r.slug, role: r.role, requireTwoFactor: r.require_two_factor }));
}

/** Remember the user's choice (the default workspace of requests that name none). */
export async function chooseWorkspace(db: Db, userId: string, workspaceId: string): Promise<boolean> {
  const [row] = await db.sql`
    update users set last_workspace_id = ${workspaceId}, updated_at = now()
    where id = ${userId} and exists (select 1 from memberships where user_id = ${userId} and workspace_id = ${workspaceId})
    returning id`;
  return Boolean(row);
}

export interface MemberRow {
  userId: string;
  email: string;
  name: string;
  role: Role;
  twoFactorEnabled: boolean;
  joinedAt: Date;
}

export async function listMembers(db: Db, workspaceId: string): Promise<MemberRow[]> {
  const rows = await db.sql<{ user_id: string; email: string; name: string; role: Role; two_factor_enabled: boolean; created_at: Date }[]>`
    select u.id::text as user_id, u.email, u.name, m.role, u.two_factor_enabled, m.created_at
    from memberships m join users u on u.id = m.user_id
    where m.workspace_id = ${workspaceId}
    order by case m.role when 'owner' then 0 when 'admin' then 1 when 'editor' then 2 when 'operator' then 3 else 4 end, lower(u.email)`;
  return rows.map((r) => ({ userId: r.user_id, email: r.email, name: r.name, role: r.role, twoFactorEnabled: r.two_factor_enabled, joinedAt: r.created_at }));
}

async function lockMembers(tx: Sql, workspaceId: string) {
  // One member change at a time per workspace, so two owners cannot both leave.
  await tx`select id from workspaces where id = ${workspaceId} for update`;
}

async function ownerCount(tx: Sql, workspaceId: string): Promise<number> {
  const [row] = await tx<{ n: number }[]>`select count(*)::int as n from memberships where workspace_id = ${workspaceId} and role = 'owner'`;
  return row!.n;
}

async function memberRole(tx: Sql, workspaceId: string, userId: string): Promise<Role | null> {
  const [row] = await tx<{ role: Role }[]>`select role from memberships where workspace_id = ${workspaceId} and user_id = ${userId}`;
  return row?.role ?? null;
}

/** Give a member another role. `actorRole` is the caller's role in the workspace. */
export async function changeMemberRole(
  db: Db,
  params: { workspaceId: string; userId: string; role: Role; actorRole: Role; actor: Actor },
): Promise<void> {
  await db.sql.begin(async (tx) => {
    await lockMembers(tx, params.workspaceId);
    const current = await memberRole(tx, params.workspaceId, params.userId);
    if (!current) throw new MembershipError("That person is not a member of this workspace.");
    if ((current === "owner" || params.role === "owner") && !roleAtLeast(params.actorRole, "owner")) {
      throw new MembershipError("Only an owner can change an owner's role or make someone an owner.");
    }
    if (current === params.role) return;
    if (current === "owner" && (await ownerCount(tx, params.workspaceId)) <= 1) {
      throw new MembershipError("This is the workspace's last owner: make someone else owner first.");
    }
    await tx`update memberships set role = ${params.role} where workspace_id = ${params.workspaceId} and user_id = ${params.userId}`;
    await recordAudit(tx, params.workspaceId, params.actor, {
      action: "member.role",
      entityType: "member",
      entityId: params.userId,
      data: { changes: { role: { from: current, to: params.role } } },
    });
  });
}

/** Remove a member (or leave, when `userId` is the caller). Their tokens for the workspace are revoked. */
export async function removeMember(
  db: Db,
  params: { workspaceId: string; userId: string; actorUserId: string; actorRole: Role; actor: Actor },
): Promise<void> {
  await db.sql.begin(async (tx) => {
    await lockMembers(tx, params.workspaceId);
    const current = await memberRole(tx, params.workspaceId, params.userId);
    if (!current) throw new MembershipError("That person is not a member of this workspace.");
    const self = params.userId === params.actorUserId;
    if (!self && !roleAtLeast(params.actorRole, "admin")) throw new MembershipError("Only an admin or owner can remove members.");
    if (!self && current === "owner" && !roleAtLeast(params.actorRole, "owner")) throw new MembershipError("Only an owner can remove an owner.");
    if (current === "owner" && (await ownerCount(tx, params.workspaceId)) <= 1) {
      throw new MembershipError(
        self ? "You are the last owner of this workspace: make someone else owner before you leave." : "This is the workspace's last owner.",
      );
    }
    await tx`delete from memberships where workspace_id = ${params.workspaceId} and user_id = ${params.userId}`;
    await tx`update api_tokens set revoked_at = now() where workspace_id = ${params.workspaceId} and user_id = ${params.userId} and revoked_at is null`;
    await tx`update users set last_workspace_id = null where id = ${params.userId} and last_workspace_id = ${params.workspaceId}`;
    await recordAudit(tx, params.workspaceId, params.actor, {
      action: self ? "member.leave" : "member.remove",
      entityType: "member",
      entityId: params.userId,
      data: { role: current },
    });
  });
}

export async function setRequireTwoFactor(db: Db, workspaceId: string, required: boolean, actor: Actor): Promise<void> {
  await db.sql.begin(async (tx) => {
    await tx`update workspaces set require_two_factor = ${required} where id = ${workspaceId}`;
    await recordAudit(tx, workspaceId, actor, { action: "workspace.require_two_factor", entityType: "workspace", entityId: workspaceId, data: { required } });
  });
}
