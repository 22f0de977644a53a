/**
 * Who is asking and for which workspace, from a request's headers. `createContext` (app/server/
 * auth/context.ts) is this plus the process's database and auth instance; the benchmark
 * (bench/auth) times it directly.
 *
 * - `Authorization: Bearer <api token>`: the token's one workspace, with the lower of the token's
 *   role and its creator's current role there (a creator who left takes the token's access along).
 * - otherwise the session cookie (Better Auth); the workspace is the `x-ledgerline-workspace`
 *   header (a workspace id) or, without one, the user's last chosen workspace, or their first.
 *   Always checked against membership: a workspace the user is not in gives no workspace.
 * A workspace that requires two-factor gives no workspace to a user without it on.
 */
import { z } from "zod";
import type { Db } from "../../db/client";
import { roleAtLeast, roleSchema, type Role } from "./roles";
import type { LedgerlineAuth } from "./better-auth";
import { hashToken, TOKEN_PATTERN } from "./tokens";

export const WORKSPACE_HEADER = "x-ledgerline-workspace";

export type ResolvedCaller =
  | { kind: "user"; userId: string; email: string; name: string }
  | { kind: "token"; tokenId: string; tokenName: string; userId: string; email: string; name: string };

export interface ResolvedWorkspace {
  id: string;
  name: string;
  slug: string;
  role: Role;
}

export interface ResolvedRequest {
  caller: ResolvedCaller | null;
  workspace: ResolvedWorkspace | null;
  ip: string | null;
}

const uuidSchema = z.string().uuid();

/** The client's address: the first x-forwarded-for hop, else x-real-ip. */
export function clientIp(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const ip = forwarded || headers.get("x-real-ip")?.trim() || null;
  return ip && ip.length <= 64 ? ip : null;
}

export function bearerToken(headers: Headers): string | null {
  const value = headers.get("authorization");
  if (!value) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1]! : "";
}

const lowerRole = (a: Role, b: Role): Role => (roleAtLeast(a, b) ? b : a);

export async function resolveToken(db: Db, token: string, requestedWorkspace: string | null): Promise<Omit<ResolvedRequest, "ip">> {
  if (!TOKEN_PATTERN.test(token)) return { caller: null, workspace: null };
  const [row] = await db.sql<
    { id: string; name: string; token_role: string; fresh: boolean; user_id: string; email: string; user_name: string; workspace_id: string; workspace_name: string; slug: string; member_role: string }[]
  >`
    select t.id::text, t.name, t.role as token_role, coalesce(t.last_used_at > now() - interval '1 minute', false) as fresh,
           u.id::text as user_id, u.email, u.name as user_name, w.id::text as workspace_id, w.name as workspace_name, w.slug, m.role as member_role
    from api_tokens t
    join users u on u.id = t.user_id
    join workspaces w on w.id = t.workspace_id
    join memberships m on m.workspace_id = t.workspace_id and m.user_id = t.user_id
    where t.token_hash = ${hashToken(token)} and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())`;
  if (!row) return { caller: null, workspace: null };
  if (!row.fresh) {
    // Last use is kept to the minute, off the request's path.
    void db.sql`update api_tokens set last_used_at = now() where id = ${row.id}`.catch(() => undefined);
  }
  const caller: ResolvedCaller = { kind: "token", tokenId: row.id, tokenName: row.name, userId: row.user_id, email: row.email, name: row.user_name };
  const tokenRole = roleSchema.safeParse(row.token_role);
  const memberRole = roleSchema.safeParse(row.member_role);
  if (!tokenRole.success || !memberRole.success) return { caller, workspace: null };
  if (requestedWorkspace && requestedWorkspace !== row.workspace_id) return { caller, workspace: null };
  return { caller, workspace: { id: row.workspace_id, name: row.workspace_name, slug: row.slug, role: lowerRole(tokenRole.data, memberRole.data) } };
}

/** The workspace a signed-in user acts for: the requested one, else the last chosen, else the first joined. */
export async function resolveMembership(
  db: Db,
  user: { id: string; lastWorkspaceId?: string | null; twoFactorEnabled?: boolean | null },
  requestedWorkspace: string | null,
): Promise<ResolvedWorkspace | null> {
  const last = user.lastWorkspaceId && uuidSchema.safeParse(user.lastWorkspaceId).success ? user.lastWorkspaceId : null;
  const [row] = await db.sql<{ id: string; name: string; slug: string; role: string; require_two_factor: boolean }[]>`
    select w.id::text, w.name, w.slug, m.role, w.require_two_factor
    from memberships m join workspaces w on w.id = m.workspace_id
    where m.user_id = ${user.id} and (${requestedWorkspace}::uuid is null or m.workspace_id = ${requestedWorkspace}::uuid)
    order by (m.workspace_id = ${last}::uuid) desc nulls last, m.created_at, w.name
    limit 1`;
  if (!row) return null;
  const role = roleSchema.safeParse(row.role);
  if (!role.success) return null;
  if (row.require_two_factor && !user.twoFactorEnabled) return null;
  return { id: row.id, name: row.name, slug: row.slug, role: role.data };
}

export async function resolveRequest(db: Db, auth: LedgerlineAuth, headers: Headers): Promise<ResolvedRequest> {
  const ip = clientIp(headers);
  const header = headers.get(WORKSPACE_HEADER)?.trim() || null;
  // A header that is not a workspace id names no workspace the caller is in.
  const requested = header === null ? null : uuidSchema.safeParse(header).success ? header : "00000000-0000-0000-0000-000000000000";
  const token = bearerToken(headers);
  if (token !== null) return { ...(await resolveToken(db, token, requested)), ip };
  if (!headers.get("cookie")) return { caller: null, workspace: null, ip };
  const session = await auth.api.getSession({ headers, query: { disableRefresh: false } });
  if (!session) return { caller: null, workspace: null, ip };
  const user = session.user as typeof session.user & { lastWorkspaceId?: string | null; twoFactorEnabled?: boolean | null };
  const caller: ResolvedCaller = { kind: "user", userId: user.id, email: user.email, name: user.name };
  return { caller, workspace: await resolveMembership(db, user, requested), ip };
}
