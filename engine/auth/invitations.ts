/**
 * Invitations by e-mail link: `/invite/<token>`; the token's SHA-256 is stored. Valid 7 days, once.
 * Accepting needs a signed-in user with the invited e-mail (a new person first makes an account
 * with that e-mail through the same link).
 */
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../../db/client";
import { recordAudit, type Actor } from "../audit";
import type { Role } from "./roles";

export const INVITE_DAYS = 7;

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

export interface OpenInvitation {
  id: string;
  workspaceId: string;
  workspaceName: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  expiresAt: Date;
}

export async function findOpenInvitation(db: Db, token: string, email?: string): Promise<OpenInvitation | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const [row] = await db.sql<
    { id: string; workspace_id: string; workspace_name: string; email: string; role: Role; invited_by: string | null; expires_at: Date }[]
  >`
    select i.id::text, i.workspace_id::text, w.name as workspace_name, i.email, i.role, u.email as invited_by, i.expires_at
    from invitations i join workspaces w on w.id = i.workspace_id left join users u on u.id = i.invited_by
    where i.token_hash = ${hash(token)} and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()`;
  if (!row) return null;
  if (email !== undefined && row.email !== email.trim().toLowerCase()) return null;
  return { id: row.id, workspaceId: row.workspace_id, workspaceName: row.workspace_name, email: row.email, role: row.role, invitedBy: row.invited_by, expiresAt: row.expires_at };
}

export async function createInvitation(
  db: Db,
  params: { workspaceId: string; email: string; role: Role; invitedBy: string; actor: Actor },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = randomBytes(24).toString("base64url");
  return db.sql.begin(async (tx) => {
    // A new invitation to the same address replaces the open one.
    await tx`update invitations set revoked_at = now() where workspace_id = ${params.workspaceId} and email = ${params.email} and accepted_at is null and revoked_at is null`;
    const [row] = await tx<{ id: string; expires_at: Date }[]>`
      insert into invitations (workspace_id, email, role, token_hash, invited_by, expires_at)
      values (${params.workspaceId}, ${params.email}, ${params.role}, ${hash(token)}, ${params.invitedBy}, now() + make_interval(days => ${INVITE_DAYS}))
      returning id::text, expires_at`;
    await recordAudit(tx, params.workspaceId, params.actor, {
      action: "member.invite",
      entityType: "invitation",
      entityId: row!.id,
      data: { email: params.email, role: params.role },
    });
    return { id: row!.id, token, expiresAt: row!.expires_at };
  });
}

export interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export async function listOpenInvitations(db: Db, workspaceId: string): Promise<InvitationRow[]> {
  const rows = await db.sql<{ id: string; email: string; role: Role; invited_by: string | null; created_at: Date; expires_at: Date }[]>`
    select i.id::text, i.email, i.role, u.email as invited_by, i.created_at, i.expires_at
    from invitations i left join users u on u.id = i.invited_by
    where i.workspace_id = ${workspaceId} and i.accepted_at is null and i.revoked_at is null and i.expires_at > now()
    order by i.created_at desc`;
  return rows.map((r) => ({ id: r.id, email: r.email, role: r.role, invitedBy: r.invited_by, createdAt: r.created_at, expiresAt: r.expires_at }));
}

export async function revokeInvitation(db: Db, workspaceId: string, invitationId: string, actor: Actor): Promise<boolean> {
  return db.sql.begin(async (tx) => {
    const [row] = await tx<{ id: string; email: string }[]>`
      update invitations set revoked_at = now()
      where id = ${invitationId} and workspace_id = ${workspaceId} and accepted_at is null and revoked_at is null
      returning id::text, email`;
    if (!row) return false;
    await recordAudit(tx, workspaceId, actor, { action: "member.invite_revoke", entityType: "invitation", entityId: row.id, data: { email: row.email } });
    return true;
  });
}

export class InvitationError extends Error {}

/** The signed-in user accepts: becomes a member with the invited role (an existing member keeps the higher role). */
export async function acceptInvitation(db: Db, token: string, user: { id: string; email: string }, actor: Actor): Promise<{ workspaceId: string; workspaceName: string; role: Role }> {
  const invite = await findOpenInvitation(db, token);
  if (!invite) throw new InvitationError("This invitation link is not valid any more (used, withdrawn or expired). Ask for a new one.");
  if (invite.email !== user.email.toLowerCase()) {
    throw new InvitationError(`This invitation is for ${invite.email}; you are signed in as ${user.email}. Sign out and open the link again.`);
  }
  return db.sql.begin(async (tx) => {
    const [claimed] = await tx`
      update invitations set accepted_at = now(), accepted_by = ${user.id}
      where id = ${invite.id} and accepted_at is null and revoked_at is null returning id`;
    if (!claimed) throw new InvitationError("This invitation was just used or withdrawn.");
    const [existing] = await tx<{ role: Role }[]>`select role from memberships where workspace_id = ${invite.workspaceId} and user_id = ${user.id}`;
    if (!existing) {
      await tx`insert into memberships (workspace_id, user_id, role) values (${invite.workspaceId}, ${user.id}, ${invite.role})`;
    }
    await tx`update users set last_workspace_id = ${invite.workspaceId}, updated_at = now() where id = ${user.id}`;
    await recordAudit(tx, invite.workspaceId, actor, {
      action: "member.join",
      entityType: "member",
      entityId: user.id,
      data: { email: user.email, role: existing?.role ?? invite.role, invitation: invite.id },
    });
    return { workspaceId: invite.workspaceId, workspaceName: invite.workspaceName, role: existing?.role ?? invite.role };
  });
}
