/**
 * Actions on a connection outside a run: test it, load a picker list, connect over OAuth.
 * HTTP calls are recorded with secrets redacted so a failed test can be explained.
 */
import { randomBytes } from "node:crypto";
import { Redactor, type HttpCallRecord, type Logger } from "../connectors/sdk";
import type { Db } from "../db/client";
import { recordAudit, SYSTEM_ACTOR, type Actor } from "./audit";
import { roleAtLeast, roleSchema } from "./auth/roles";
import { buildEnv, loadConnection, setConnectionHealth } from "./connections";

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function clientFor(db: Db, workspaceId: string, connectionId: string, calls: HttpCallRecord[]) {
  const connection = await loadConnection(db, workspaceId, connectionId);
  const signal = AbortSignal.timeout(60_000);
  const env = buildEnv(db, connection, { record: (c) => calls.push(c), log: quiet, signal, redactor: new Redactor() });
  return { connection, env, client: connection.connector.createClient(env) };
}

export async function testConnection(db: Db, workspaceId: string, connectionId: string, actor: Actor = SYSTEM_ACTOR) {
  // Not found (or another workspace's) is an error, not a failed test.
  await loadConnection(db, workspaceId, connectionId);
  const calls: HttpCallRecord[] = [];
  let result: { ok: boolean; message: string; details?: Record<string, unknown> };
  let redactor = new Redactor();
  try {
    const { connection, env, client } = await clientFor(db, workspaceId, connectionId, calls);
    redactor = env.http.redactor;
    result = await connection.connector.test(client);
  } catch (error) {
    result = { ok: false, message: redactor.text((error as Error).message ?? String(error)) };
  }
  await setConnectionHealth(db, workspaceId, connectionId, result.ok ? "ok" : "failing", result.ok ? null : result.message, { tested: true });
  await recordAudit(db.sql, workspaceId, actor, { action: "connection.tested", entityType: "connection", entityId: connectionId, data: { ok: result.ok } });
  return { ...result, calls: redactor.value(calls) };
}

export async function loadPicker(db: Db, workspaceId: string, connectionId: string, picker: string) {
  const calls: HttpCallRecord[] = [];
  const { connection, client } = await clientFor(db, workspaceId, connectionId, calls);
  // "<name>:<argument>" names one list of a picker that takes an argument (a dimension's values).
  const split = picker.indexOf(":");
  const [name, argument] = split > 0 ? [picker.slice(0, split), picker.slice(split + 1)] : [picker, undefined];
  const definition = connection.connector.pickers?.[name];
  if (!definition || (argument !== undefined) !== Boolean(definition.argument) || argument === "") {
    throw new Error(`${connection.connector.title} has no list called ${picker}`);
  }
  return definition.load(client, argument);
}

/** A page of this app to come back to after Connect: a plain path, never another host. */
export const RETURN_PATH = /^\/(?!\/)[A-Za-z0-9\-._~/?=&%]{0,299}$/;

export async function startOAuth(db: Db, workspaceId: string, connectionId: string, redirectUri: string, actor: Actor = SYSTEM_ACTOR, returnTo?: string): Promise<string> {
  if (returnTo !== undefined && !RETURN_PATH.test(returnTo)) throw new Error("The page to return to must be a path of this app");
  const connection = await loadConnection(db, workspaceId, connectionId);
  if (!connection.connector.oauth) throw new Error(`${connection.connector.title} connections do not use OAuth`);
  const state = randomBytes(24).toString("base64url");
  await db.sql`delete from oauth_states where created_at < now() - interval '15 minutes'`;
  await db.sql`
    insert into oauth_states (state, workspace_id, connection_id, redirect_uri, user_id, return_to)
    values (${state}, ${workspaceId}, ${connectionId}, ${redirectUri}, ${actor.userId ?? null}, ${returnTo ?? null})`;
  await recordAudit(db.sql, workspaceId, actor, { action: "connection.connect_started", entityType: "connection", entityId: connectionId, data: { system: connection.system } });
  return connection.connector.oauth.authorizeUrl({
    config: connection.connector.config.parse(connection.config),
    secrets: connection.connector.secrets.parse(connection.secrets),
    state,
    redirectUri,
  });
}

/**
 * The OAuth callback: the state is single use (consumed whoever brings it), 15 minutes old at
 * most, and finishes only in the browser of the person who pressed Connect, while they are still
 * an admin of that workspace. Why: a state or a code carried to someone else's browser (or into
 * another workspace) must not bind an ERP account to a connection they did not choose.
 */
export async function finishOAuth(db: Db, state: string, code: string, userId: string | null): Promise<{ workspaceId: string; connectionId: string; returnTo: string | null }> {
  const [row] = await db.sql<{ workspace_id: string; connection_id: string; redirect_uri: string; user_id: string | null; return_to: string | null }[]>`
    delete from oauth_states where state = ${state} and created_at > now() - interval '15 minutes'
    returning workspace_id::text, connection_id::text, redirect_uri, user_id::text, return_to`;
  if (!row) throw new Error("This sign-in link has expired or was already used: start Connect again.");
  if (!userId) throw new Error("Sign in to Ledgerline in this browser, then start Connect again.");
  if (row.user_id !== userId) throw new Error("This Connect was started by someone else: start Connect again yourself.");
  const [member] = await db.sql<{ role: string; email: string }[]>`
    select m.role, u.email from memberships m join users u on u.id = m.user_id
    where m.workspace_id = ${row.workspace_id} and m.user_id = ${userId}`;
  if (!member || !roleAtLeast(roleSchema.parse(member.role), "admin")) throw new Error("Connecting needs the admin role in this workspace.");
  const calls: HttpCallRecord[] = [];
  const { connection, env } = await clientFor(db, row.workspace_id, row.connection_id, calls);
  await connection.connector.oauth!.exchangeCode(env, { code, redirectUri: row.redirect_uri });
  await setConnectionHealth(db, row.workspace_id, row.connection_id, "ok", null);
  await recordAudit(db.sql, row.workspace_id, { label: member.email, kind: "user", userId }, { action: "connection.connected", entityType: "connection", entityId: row.connection_id, data: { system: connection.system } });
  return { workspaceId: row.workspace_id, connectionId: row.connection_id, returnTo: row.return_to && RETURN_PATH.test(row.return_to) ? row.return_to : null };
}
