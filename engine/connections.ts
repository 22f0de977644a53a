/**
 * Connections as the engine uses them: decrypt secrets, build the connector environment (recorded
 * HTTP that reaches only the system's allowed hosts, encrypted state shared across worker
 * processes, a cross-process lock), record health.
 */
import { and, eq } from "drizzle-orm";
import type { AnyConnectorDefinition, ConnectorEnv, HttpClientOptions, HttpRecorder, Logger, StateStore } from "../connectors/sdk";
import { HttpClient, Redactor } from "../connectors/sdk";
import type { Db } from "../db/client";
import { decryptJson, encryptJson } from "../db/crypto";
import { connections } from "../db/schema";
import { egressFor } from "./egress";
import { pgRateLimits } from "./rate-limit";
import { registry } from "./registry";

export { egressFor };

/** Why this connection's config may not be saved (a URL outside the allowed hosts), or undefined. */
export function endpointRefusal(connector: AnyConnectorDefinition, config: unknown): string | undefined {
  const urls: string[] = connector.endpoints?.urls(config) ?? [];
  const policy = egressFor(connector.system, connector);
  for (const url of urls) {
    const reason = policy.refusal(url);
    if (reason) return reason;
  }
  return undefined;
}

export interface LoadedConnection {
  id: string;
  workspaceId: string;
  system: string;
  name: string;
  /** Health when loaded: untested | ok | failing | needs_reconnect. */
  status: string;
  config: unknown;
  secrets: unknown;
  connector: AnyConnectorDefinition;
}

export async function loadConnection(db: Db, workspaceId: string, connectionId: string): Promise<LoadedConnection> {
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.workspaceId, workspaceId), eq(connections.id, connectionId)));
  if (!row) throw new Error(`connection ${connectionId} not found`);
  const connector = registry.connector(row.system);
  if (!connector) throw new Error(`connection ${row.name}: unknown system ${row.system}`);
  return {
    id: row.id,
    workspaceId,
    system: row.system,
    name: row.name,
    status: row.status,
    config: row.config,
    secrets: row.secretsEnc ? decryptJson(row.secretsEnc) : {},
    connector,
  };
}

/** 64-bit advisory lock key for a connection id (shared by every worker process). */
function lockKey(connectionId: string): string {
  const hex = connectionId.replace(/-/g, "").slice(0, 15);
  return BigInt(`0x${hex}`).toString();
}

/** The encrypted `state_enc` column of one connection, with a PostgreSQL advisory lock. */
export function dbStateStore(db: Db, workspaceId: string, connectionId: string): StateStore {
  const where = and(eq(connections.workspaceId, workspaceId), eq(connections.id, connectionId));
  return {
    async get<T>() {
      const [row] = await db.select({ stateEnc: connections.stateEnc }).from(connections).where(where);
      return row?.stateEnc ? decryptJson<T>(row.stateEnc) : undefined;
    },
    async set(value) {
      await db
        .update(connections)
        .set({ stateEnc: value === undefined ? null : encryptJson(value) })
        .where(where);
    },
    async withLock(fn) {
      const reserved = await db.sql.reserve();
      const key = lockKey(connectionId);
      try {
        await reserved`select pg_advisory_lock(${key}::bigint)`;
        return await fn();
      } finally {
        await reserved`select pg_advisory_unlock(${key}::bigint)`.catch(() => undefined);
        reserved.release();
      }
    },
  };
}

export function buildEnv(
  db: Db,
  connection: LoadedConnection,
  options: { record?: HttpRecorder; log: Logger; signal: AbortSignal; redactor?: Redactor; beforeSend?: HttpClientOptions["beforeSend"] },
): ConnectorEnv {
  const redactor = options.redactor ?? new Redactor();
  redactor.add(connection.secrets);
  const config = connection.connector.config.parse(connection.config);
  const secrets = connection.connector.secrets.parse(connection.secrets);
  return {
    connectionId: connection.id,
    config,
    secrets,
    http: new HttpClient({ redactor, record: options.record, signal: options.signal, system: connection.system, egress: egressFor(connection.system, connection.connector), beforeSend: options.beforeSend }),
    state: dbStateStore(db, connection.workspaceId, connection.id),
    log: options.log,
    signal: options.signal,
    now: Date.now,
    limits: pgRateLimits(db),
  };
}

export async function setConnectionHealth(
  db: Db,
  workspaceId: string,
  connectionId: string,
  status: "ok" | "failing" | "needs_reconnect" | "untested",
  message: string | null,
  options: { tested?: boolean } = {},
): Promise<void> {
  const now = new Date();
  await db
    .update(connections)
    .set({ status, statusMessage: message, updatedAt: now, ...(options.tested ? { lastTestedAt: now } : {}) })
    .where(and(eq(connections.workspaceId, workspaceId), eq(connections.id, connectionId)));
}
