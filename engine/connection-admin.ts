/**
 * Managing connections from the Connections page: list (which secret fields are set, never their
 * values), create, update, delete, the one-click sandbox connection. Every query is filtered by
 * workspace and every change writes an audit event naming what changed, never a secret value.
 *
 * Why secrets must be entered again when the endpoint moves: the stored secrets were given for
 * one host. A change to a field the connector declares as choosing the host, region or
 * deployment (`endpoints.fields`) drops the stored secrets and cached tokens or sessions, and the
 * update is refused unless it carries the secrets again, so they never reach the new host.
 */
import type postgres from "postgres";
import type { AnyConnectorDefinition } from "../connectors/sdk";
import { jsonb, type Db } from "../db/client";
import { decryptJson, encryptJson } from "../db/crypto";
import { SANDBOX_SYSTEMS, sandboxUrl, type SandboxSystem } from "../db/env";
import { changes, recordAudit, type Actor } from "./audit";
import { endpointRefusal } from "./connections";
import { registry } from "./registry";

/** A mistake the user can fix (bad settings, a name taken, an endpoint not allowed). */
export class ConnectionInputError extends Error {}

export interface ConnectionListRow {
  id: string;
  system: string;
  name: string;
  config: unknown;
  /** Which secret fields are set, never their values. */
  secretFields: string[];
  hasState: boolean;
  status: string;
  statusMessage: string | null;
  lastTestedAt: Date | null;
  updatedAt: Date;
}

export function connectorOf(system: string): AnyConnectorDefinition {
  const connector = registry.connector(system);
  if (!connector) throw new ConnectionInputError(`unknown system ${system}`);
  return connector;
}

function parseOrExplain<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ConnectionInputError(`${what}: ${parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "value"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

function checkEndpoints(connector: AnyConnectorDefinition, config: unknown): void {
  const reason = endpointRefusal(connector, config);
  if (reason) throw new ConnectionInputError(`This connection may not point there: ${reason}`);
}

function secretKeys(secrets: unknown): string[] {
  return secrets && typeof secrets === "object" ? Object.keys(secrets).filter((k) => (secrets as Record<string, unknown>)[k] !== undefined && k) : [];
}

function nameTaken(error: unknown, name: string): never {
  if ((error as { code?: string }).code === "23505") throw new ConnectionInputError(`A connection named "${name}" already exists`);
  throw error;
}

export async function listConnections(db: Db, workspaceId: string): Promise<ConnectionListRow[]> {
  const rows = await db.sql<(Omit<ConnectionListRow, "secretFields"> & { secretsEnc: string | null })[]>`
    select id::text, system, name, config, secrets_enc as "secretsEnc", state_enc is not null as "hasState", status,
           status_message as "statusMessage", last_tested_at as "lastTestedAt", updated_at as "updatedAt"
    from connections where workspace_id = ${workspaceId} order by system, name`;
  return rows.map(({ secretsEnc, ...row }) => ({ ...row, secretFields: secretsEnc ? secretKeys(decryptJson(secretsEnc)) : [] }));
}

async function insertConnection(sql: postgres.Sql | postgres.TransactionSql, workspaceId: string, actor: Actor, row: { system: string; name: string; config: unknown; secrets: unknown }, via: string) {
  let id: string;
  try {
    const [inserted] = await sql<{ id: string }[]>`
      insert into connections (workspace_id, system, name, config, secrets_enc)
      values (${workspaceId}, ${row.system}, ${row.name}, ${jsonb(row.config)}::text::jsonb, ${encryptJson(row.secrets)})
      returning id::text`;
    id = inserted!.id;
  } catch (error) {
    nameTaken(error, row.name);
  }
  await recordAudit(sql, workspaceId, actor, {
    action: "connection.created",
    entityType: "connection",
    entityId: id,
    data: { system: row.system, name: row.name, config: row.config, secretFields: secretKeys(row.secrets), via },
  });
  return { id };
}

export async function createConnection(db: Db, workspaceId: string, actor: Actor, input: { system: string; name: string; config: unknown; secrets: unknown }): Promise<{ id: string }> {
  const connector = connectorOf(input.system);
  const config = parseOrExplain(connector.config, input.config ?? {}, "Settings");
  const secrets = parseOrExplain(connector.secrets, input.secrets ?? {}, "Credentials");
  checkEndpoints(connector, config);
  return db.sql.begin((tx) => insertConnection(tx, workspaceId, actor, { system: input.system, name: input.name, config, secrets }, "form"));
}

/** Which of the connector's endpoint fields differ between two configs. */
export function endpointFieldsChanged(connector: AnyConnectorDefinition, before: unknown, after: unknown): string[] {
  const parsedBefore = connector.config.safeParse(before);
  const old = (parsedBefore.success ? parsedBefore.data : before) as Record<string, unknown>;
  const next = after as Record<string, unknown>;
  return (connector.endpoints?.fields ?? []).filter((field) => JSON.stringify(old?.[field] ?? null) !== JSON.stringify(next?.[field] ?? null));
}

export interface ConnectionUpdate {
  id: string;
  name?: string;
  config?: unknown;
  /** Secret fields to replace; empty values are ignored (the field is kept, unless the endpoint moved). */
  secrets?: Record<string, unknown>;
}

/**
 * Update settings; secrets given replace those fields and omitted ones are kept, unless an
 * endpoint field changed: then only the secrets given now are stored, and at least one must be.
 */
export async function updateConnection(db: Db, workspaceId: string, actor: Actor, input: ConnectionUpdate): Promise<{ ok: true; endpointChanged: string[] }> {
  return db.sql.begin(async (tx) => {
    const [row] = await tx<{ system: string; name: string; config: unknown; secretsEnc: string | null }[]>`
      select system, name, config, secrets_enc as "secretsEnc" from connections
      where id = ${input.id} and workspace_id = ${workspaceId} for update`;
    if (!row) throw new Error("connection not found");
    const connector = connectorOf(row.system);
    const config = parseOrExplain(connector.config, input.config ?? row.config, "Settings");
    if (input.config !== undefined) checkEndpoints(connector, config);
    const current = row.secretsEnc ? decryptJson<Record<string, unknown>>(row.secretsEnc) : {};
    const provided = Object.fromEntries(Object.entries(input.secrets ?? {}).filter(([, v]) => v !== "" && v !== undefined && v !== null));
    const moved = endpointFieldsChanged(connector, row.config, config);
    if (moved.length > 0 && Object.keys(provided).length === 0) {
      const needed = secretKeys(current);
      throw new ConnectionInputError(
        `Changing ${moved.join(", ")} changes where the credentials are sent: enter the credentials again${needed.length ? ` (${needed.join(", ")})` : ""}.`,
      );
    }
    const secrets = parseOrExplain(connector.secrets, moved.length > 0 ? provided : { ...current, ...provided }, "Credentials");
    const credentialsChanged = Object.keys(provided).length > 0 || JSON.stringify(config) !== JSON.stringify(row.config);
    const name = input.name ?? row.name;
    try {
      await tx`
        update connections set name = ${name}, config = ${jsonb(config)}::text::jsonb,
               secrets_enc = ${encryptJson(secrets)}, updated_at = now(),
               status = case when ${credentialsChanged} then 'untested' else status end,
               status_message = case when ${credentialsChanged} then null else status_message end,
               state_enc = case when ${credentialsChanged} then null else state_enc end
        where id = ${input.id} and workspace_id = ${workspaceId}`;
    } catch (error) {
      nameTaken(error, name);
    }
    // A Connect started for the old endpoint must not finish against the new one.
    if (moved.length > 0) await tx`delete from oauth_states where connection_id = ${input.id} and workspace_id = ${workspaceId}`;
    await recordAudit(tx, workspaceId, actor, {
      action: "connection.updated",
      entityType: "connection",
      entityId: input.id,
      data: {
        changes: changes({ name: row.name, ...(row.config as Record<string, unknown>) }, { name, ...(config as Record<string, unknown>) }),
        secretFieldsReplaced: Object.keys(provided),
        secretFieldsDropped: moved.length > 0 ? secretKeys(current).filter((k) => !(k in provided)) : [],
        endpointChanged: moved,
      },
    });
    return { ok: true as const, endpointChanged: moved };
  });
}

export async function deleteConnection(db: Db, workspaceId: string, actor: Actor, id: string): Promise<{ ok: true }> {
  return db.sql.begin(async (tx) => {
    const used = await tx<{ name: string }[]>`
      select f.name from flows f join flow_versions v on v.id = f.active_version_id
      where f.workspace_id = ${workspaceId} and f.active and v.definition::text like ${`%${id}%`}`;
    if (used.length > 0) throw new ConnectionInputError(`Used by active flow${used.length > 1 ? "s" : ""} ${used.map((u) => `"${u.name}"`).join(", ")}: deactivate first`);
    const [gone] = await tx<{ name: string; system: string }[]>`
      delete from connections where id = ${id} and workspace_id = ${workspaceId} returning name, system`;
    if (!gone) throw new Error("connection not found");
    await recordAudit(tx, workspaceId, actor, { action: "connection.deleted", entityType: "connection", entityId: id, data: { name: gone.name, system: gone.system } });
    return { ok: true as const };
  });
}

function sandboxOf(system: string) {
  const connector = connectorOf(system);
  if (!connector.sandbox || !SANDBOX_SYSTEMS.includes(system as SandboxSystem)) return undefined;
  const baseUrl = sandboxUrl(system as SandboxSystem);
  return { connector, baseUrl, demo: connector.sandbox(baseUrl) };
}

/** The settings of the local sandbox, without secrets (the sandbox connection is created server-side). */
export function sandboxSettings(system: string): { name: string; config: unknown; baseUrl: string } | null {
  const sandbox = sandboxOf(system);
  return sandbox ? { name: sandbox.demo.name, config: sandbox.demo.config, baseUrl: sandbox.baseUrl } : null;
}

/** One click: a connection to the local sandbox with its demo credentials, under the next free name. */
export async function createSandboxConnection(db: Db, workspaceId: string, actor: Actor, input: { system: string; name?: string }): Promise<{ id: string }> {
  const sandbox = sandboxOf(input.system);
  if (!sandbox) throw new ConnectionInputError(`${connectorOf(input.system).title} has no local sandbox`);
  return db.sql.begin(async (tx) => {
    let name = input.name ?? sandbox.demo.name;
    if (!input.name) {
      const taken = new Set((await tx<{ name: string }[]>`select name from connections where workspace_id = ${workspaceId}`).map((r) => r.name));
      for (let n = 2; taken.has(name); n++) name = `${sandbox.demo.name} ${n}`;
    }
    return insertConnection(tx, workspaceId, actor, { system: input.system, name, config: sandbox.demo.config, secrets: sandbox.demo.secrets }, "sandbox");
  });
}
