/**
 * Calling the appRouter in tests as a real member would: users and memberships are real rows,
 * and the context is built from them the way a signed-in request's would be (the role read from
 * the membership, the workspace from its row). Nothing here bypasses the procedure builders.
 *
 *   const alice = await member(db, workspaceId, "viewer");
 *   await alice.caller.flows.list();
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../../../db/client";
import { roleSchema, type Role } from "../../../engine/auth/roles";
import { appRouter } from "../root";
import { actorLabel, createCallerFactory, type Caller, type Context } from "../trpc";

export const createCaller = createCallerFactory(appRouter);
export type AppCaller = ReturnType<typeof createCaller>;

export interface TestUser {
  id: string;
  email: string;
  name: string;
}

export async function createUser(db: Db, name = "Test User"): Promise<TestUser> {
  const email = `${name.toLowerCase().replace(/\W+/g, ".")}.${randomUUID().slice(0, 8)}@ledgerline.test`;
  const [row] = await db.sql<{ id: string }[]>`insert into users (email, name) values (${email}, ${name}) returning id::text`;
  return { id: row!.id, email, name };
}

export async function addMember(db: Db, workspaceId: string, userId: string, role: Role): Promise<void> {
  await db.sql`
    insert into memberships (workspace_id, user_id, role) values (${workspaceId}, ${userId}, ${role})
    on conflict (workspace_id, user_id) do update set role = excluded.role`;
}

/**
 * The context of a request by `userId` for `workspaceId`: the workspace is null unless the user
 * is a member (a membership row), exactly as sign-in resolves it.
 */
export async function contextFor(db: Db, userId: string, workspaceId: string | null, ip = "203.0.113.7"): Promise<Context> {
  const [user] = await db.sql<{ email: string; name: string }[]>`select email, name from users where id = ${userId}`;
  if (!user) throw new Error(`no user ${userId}`);
  const caller: Caller = { kind: "user", userId, email: user.email, name: user.name };
  const [membership] = workspaceId
    ? await db.sql<{ id: string; name: string; slug: string; role: string }[]>`
        select w.id::text, w.name, w.slug, m.role from memberships m join workspaces w on w.id = m.workspace_id
        where m.user_id = ${userId} and m.workspace_id = ${workspaceId}`
    : [];
  const workspace = membership ? { id: membership.id, name: membership.name, slug: membership.slug, role: roleSchema.parse(membership.role) } : null;
  return { db, caller, workspace, ip };
}

/** A token's context: its own role, its creator as the user behind it. */
export async function tokenContextFor(db: Db, tokenId: string, ip = "203.0.113.9"): Promise<Context> {
  const [token] = await db.sql<{ name: string; role: string; userId: string; email: string; userName: string; workspaceId: string; workspaceName: string; slug: string }[]>`
    select t.name, t.role, t.user_id::text as "userId", u.email, u.name as "userName", w.id::text as "workspaceId", w.name as "workspaceName", w.slug
    from api_tokens t join users u on u.id = t.user_id join workspaces w on w.id = t.workspace_id where t.id = ${tokenId}`;
  if (!token) throw new Error(`no token ${tokenId}`);
  const caller: Caller = { kind: "token", tokenId, tokenName: token.name, userId: token.userId, email: token.email, name: token.userName };
  return { db, caller, workspace: { id: token.workspaceId, name: token.workspaceName, slug: token.slug, role: roleSchema.parse(token.role) }, ip };
}

export interface Member {
  user: TestUser;
  ctx: Context;
  caller: AppCaller;
  /** How audit events name this member. */
  actor: string;
}

/** A new user with `role` in the workspace, and a caller acting as them there. */
export async function member(db: Db, workspaceId: string, role: Role, name = `${role} user`): Promise<Member> {
  const user = await createUser(db, name);
  await addMember(db, workspaceId, user.id, role);
  const ctx = await contextFor(db, user.id, workspaceId);
  return { user, ctx, caller: createCaller(ctx), actor: actorLabel(ctx.caller!) };
}

/** A caller with no sign-in at all. */
export function anonymous(db: Db): AppCaller {
  return createCaller({ db, caller: null, workspace: null, ip: null });
}
