/**
 * The audit trail: one event per change a person, a token or the engine made. Every mutation
 * writes one through `recordAudit`, inside its own transaction when it has one.
 *
 * Glossary
 * - actor: who did it. `label` is what lists show (an e-mail, `token:<name> (<e-mail>)`,
 *   `engine`); `kind`, `userId`, `tokenId` and `ip` are what a reviewer filters and traces by.
 * - entity: what changed (`flow`, `run`, `review`, `lookup_table`, `connection`, ...) and its id.
 * - data: what changed, e.g. `{ changes: { name: { from, to } } }`. Secret values never enter:
 *   fields named like secrets (password, token, secret, licenseKey...) are masked on the way in.
 */
import type postgres from "postgres";
import { REDACTED } from "../connectors/sdk/redact";
import { jsonb, type Db } from "../db/client";

type Sql = postgres.Sql | postgres.TransactionSql;

export interface Actor {
  label: string;
  kind: "user" | "token" | "system";
  userId?: string | null;
  tokenId?: string | null;
  ip?: string | null;
}

/** The engine itself (finished runs, triggers, the demo seed). */
export const SYSTEM_ACTOR: Actor = { label: "engine", kind: "system" };

export interface AuditEvent {
  action: string;
  entityType: string;
  entityId: string;
  runId?: string | null;
  recordKey?: string | null;
  data?: Record<string, unknown> | null;
}

/** Field names whose whole value is secret, however deep (a `secrets` object, `{ password: { from, to } }`). */
const SECRET_FIELD = /(password|passwd|secrets?|token|licen[cs]e_?key|api_?key|client_?secret|session_?id|signature|authorization|credentials?)$/i;

/** A copy of `value` with every secret-named field's value replaced by a marker. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = SECRET_FIELD.test(k) && v != null ? REDACTED : maskSecrets(v);
    return out;
  }
  return value;
}

/** Write one audit event. `sql` may be a transaction, so the event commits with the change. */
export async function recordAudit(sql: Sql, workspaceId: string, actor: Actor, event: AuditEvent): Promise<void> {
  const data = event.data == null ? null : maskSecrets(event.data);
  await sql`
    insert into audit_events (workspace_id, actor, actor_kind, actor_user_id, actor_token_id, ip, action, entity_type, entity_id, run_id, record_key, data)
    values (${workspaceId}, ${actor.label}, ${actor.kind}, ${actor.userId ?? null}, ${actor.tokenId ?? null}, ${actor.ip ?? null},
            ${event.action}, ${event.entityType}, ${event.entityId}, ${event.runId ?? null}, ${event.recordKey ?? null},
            ${jsonb(data)}::text::jsonb)`;
}

/** `{ field: { from, to } }` for the fields of `after` whose value differs from `before`. */
export function changes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, to] of Object.entries(after)) {
    if (to === undefined) continue;
    const from = before[field];
    if (JSON.stringify(from ?? null) !== JSON.stringify(to ?? null)) out[field] = { from: from ?? null, to: to ?? null };
  }
  return out;
}

export interface AuditFilter {
  /** The actor's user id, or a free-text match on the actor label. */
  actorUserId?: string;
  actor?: string;
  entityType?: string;
  entityId?: string;
  action?: string;
  from?: Date;
  to?: Date;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  actorKind: string;
  actorUserId: string | null;
  actorTokenId: string | null;
  ip: string | null;
  action: string;
  entityType: string;
  entityId: string;
  runId: string | null;
  recordKey: string | null;
  data: unknown;
}

/**
 * Newest first, keyset-paged on (at, id): every filter walks an index that ends in `at`
 * (workspace; workspace and person; workspace and entity), so a page costs the same at any depth.
 * The cursor is the id of the previous page's last event; its `at` is read back in the database
 * (why: a JavaScript Date would drop the timestamp's microseconds and skip events).
 */
export async function listAudit(db: Db, workspaceId: string, filter: AuditFilter, page: { limit: number; before?: number | null }): Promise<{ events: AuditRow[]; nextCursor: number | null }> {
  const sql = db.sql;
  const rows = await sql<AuditRow[]>`
    select id::int, at, actor, actor_kind as "actorKind", actor_user_id::text as "actorUserId", actor_token_id::text as "actorTokenId", ip,
           action, entity_type as "entityType", entity_id as "entityId", run_id::text as "runId", record_key as "recordKey", data
    from audit_events
    where workspace_id = ${workspaceId}
      ${filter.actorUserId ? sql`and actor_user_id = ${filter.actorUserId}` : sql``}
      ${filter.actor ? sql`and actor ilike ${`%${escapeLike(filter.actor)}%`}` : sql``}
      ${filter.entityType ? sql`and entity_type = ${filter.entityType}` : sql``}
      ${filter.entityId ? sql`and entity_id = ${filter.entityId}` : sql``}
      ${filter.action ? sql`and action = ${filter.action}` : sql``}
      ${filter.from ? sql`and at >= ${filter.from}` : sql``}
      ${filter.to ? sql`and at < ${filter.to}` : sql``}
      ${page.before ? sql`and (at, id) < (select c.at, c.id from audit_events c where c.id = ${page.before} and c.workspace_id = ${workspaceId})` : sql``}
    order by at desc, id desc
    limit ${page.limit + 1}`;
  const events = rows.slice(0, page.limit);
  return { events, nextCursor: rows.length > page.limit ? events[events.length - 1]!.id : null };
}

const FACET_WINDOW = 10_000;

/**
 * What the filter menus offer: the actors, entity types and actions of the latest 10,000 events
 * (read newest first on the (workspace, at) index, so the menus cost the same however long the
 * trail), and every current member as an actor.
 */
export async function auditFacets(db: Db, workspaceId: string): Promise<{ actors: { label: string; userId: string | null }[]; entityTypes: string[]; actions: string[] }> {
  const seen = await db.sql<{ actor: string; userId: string | null; entityType: string; action: string }[]>`
    select distinct actor, actor_user_id::text as "userId", entity_type as "entityType", action
    from (select actor, actor_user_id, entity_type, action from audit_events where workspace_id = ${workspaceId} order by at desc limit ${FACET_WINDOW}) r`;
  const members = await db.sql<{ label: string; userId: string }[]>`
    select u.email as label, u.id::text as "userId" from memberships m join users u on u.id = m.user_id where m.workspace_id = ${workspaceId}`;
  const actors = new Map<string, { label: string; userId: string | null }>();
  for (const a of [...seen.map((s) => ({ label: s.actor, userId: s.userId })), ...members]) actors.set(`${a.label}\u0000${a.userId ?? ""}`, a);
  const sorted = (values: Iterable<string>) => [...new Set(values)].sort();
  return {
    actors: [...actors.values()].sort((a, b) => a.label.localeCompare(b.label)),
    entityTypes: sorted(seen.map((s) => s.entityType)),
    actions: sorted(seen.map((s) => s.action)),
  };
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}
