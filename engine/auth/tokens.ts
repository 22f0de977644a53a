/**
 * API tokens: `llt_<random>` (32 random bytes, base64url). Only the SHA-256 is stored, with a
 * visible prefix so a person can tell tokens apart. A token belongs to one workspace and carries a
 * role no higher than its creator's.
 */
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../../db/client";
import { recordAudit, type Actor } from "../audit";
import { roleAtLeast, roleSchema, type Role } from "./roles";

export const TOKEN_PATTERN = /^llt_[A-Za-z0-9_-]{43}$/;
export const PREFIX_LENGTH = 12;
export const MAX_TOKEN_DAYS = 3650;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function generateToken(): { token: string; prefix: string; hash: string } {
  const token = `llt_${randomBytes(32).toString("base64url")}`;
  return { token, prefix: token.slice(0, PREFIX_LENGTH), hash: hashToken(token) };
}

export const createTokenInput = z.object({
  name: z.string().trim().min(1, "Name the token.").max(100),
  role: roleSchema,
  /** Days until it expires; null = never. */
  expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).nullable(),
});
export type CreateTokenInput = z.infer<typeof createTokenInput>;

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export class TokenRoleError extends Error {}

/** Create a token for `userId` (whose role in the workspace is `creatorRole`); returns the token once. */
export async function createToken(
  db: Db,
  params: { workspaceId: string; userId: string; creatorRole: Role; actor: Actor } & CreateTokenInput,
): Promise<{ id: string; token: string; prefix: string; expiresAt: Date | null }> {
  if (!roleAtLeast(params.creatorRole, params.role)) {
    throw new TokenRoleError(`A token's role can be at most yours (${params.creatorRole}); ${params.role} is higher.`);
  }
  const { token, prefix, hash } = generateToken();
  return db.sql.begin(async (tx) => {
    const [row] = await tx<{ id: string; expires_at: Date | null }[]>`
      insert into api_tokens (workspace_id, user_id, name, prefix, token_hash, role, expires_at)
      values (${params.workspaceId}, ${params.userId}, ${params.name}, ${prefix}, ${hash}, ${params.role},
              ${params.expiresInDays === null ? null : new Date(Date.now() + params.expiresInDays * 86_400_000)})
      returning id::text, expires_at`;
    await recordAudit(tx, params.workspaceId, params.actor, {
      action: "token.create",
      entityType: "api_token",
      entityId: row!.id,
      data: { name: params.name, role: params.role, prefix, expiresAt: row!.expires_at },
    });
    return { id: row!.id, token, prefix, expiresAt: row!.expires_at };
  });
}

/** The workspace's tokens; with `userId`, only the ones that user created. */
export async function listTokens(db: Db, workspaceId: string, userId: string | null = null): Promise<TokenRow[]> {
  const rows = await db.sql<
    { id: string; name: string; prefix: string; role: Role; email: string; created_at: Date; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null }[]
  >`
    select t.id::text, t.name, t.prefix, t.role, u.email, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
    from api_tokens t join users u on u.id = t.user_id
    where t.workspace_id = ${workspaceId} and (${userId}::uuid is null or t.user_id = ${userId}::uuid)
    order by t.revoked_at is not null, t.created_at desc`;
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    role: r.role,
    createdBy: r.email,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  }));
}

/** Revoke a token of this workspace (with `userId`, only one that user created). False when there is no such live token. */
export async function revokeToken(db: Db, workspaceId: string, tokenId: string, actor: Actor, userId: string | null = null): Promise<boolean> {
  return db.sql.begin(async (tx) => {
    const [row] = await tx<{ id: string; name: string }[]>`
      update api_tokens set revoked_at = now()
      where id = ${tokenId} and workspace_id = ${workspaceId} and revoked_at is null
        and (${userId}::uuid is null or user_id = ${userId}::uuid)
      returning id::text, name`;
    if (!row) return false;
    await recordAudit(tx, workspaceId, actor, { action: "token.revoke", entityType: "api_token", entityId: row.id, data: { name: row.name } });
    return true;
  });
}
