/**
 * Test helpers: a real database (from the Vitest global setup), workspaces, lookup tables, and a
 * local HTTP endpoint that behaves like an idempotent API (dedupes by Idempotency-Key).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { inject } from "vitest";
import { migrateDatabase } from "../../db/bootstrap";
import { createDb, jsonb, type Db } from "../../db/client";
import { encryptJson } from "../../db/crypto";
import * as schema from "../../db/schema";
import type { FlowDefinitionInput } from "../flow/schema";
import { activateFlow, createFlow } from "../flows";
import { signWebhook } from "../nodes/triggers";

/**
 * A database of its own beside the shared test database, migrated: for tests that run workers,
 * which would otherwise also pick up the jobs other test files leave queued.
 */
export async function isolatedDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const shared = new URL(inject("databaseUrl"));
  const name = `${shared.pathname.slice(1)}_${randomUUID().slice(0, 8)}`;
  const admin = postgres(shared.toString(), { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(shared);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

export function testDb(max = 5): Db {
  return createDb(inject("databaseUrl"), { max });
}

/** A database handle (drizzle and raw SQL) on the test database that records every statement it sends. */
export function countingDb(): { db: Db; statements: string[] } {
  const statements: string[] = [];
  const options = { max: 2, onnotice: () => undefined, debug: (_connection: number, query: string) => void statements.push(query) };
  const orm = postgres(inject("databaseUrl"), options);
  const sql = postgres(inject("databaseUrl"), options);
  const counted = drizzle(orm, { schema }) as unknown as Db;
  counted.sql = sql;
  counted.close = async () => {
    await Promise.all([orm.end(), sql.end()]);
  };
  return { db: counted, statements };
}

export async function createWorkspace(db: Db, name = "Test"): Promise<string> {
  const slug = `${name.toLowerCase().replace(/\W+/g, "-")}-${randomUUID().slice(0, 8)}`;
  const [row] = await db.sql<{ id: string }[]>`insert into workspaces (name, slug) values (${name}, ${slug}) returning id::text`;
  return row!.id;
}

export async function createLookupTable(db: Db, workspaceId: string, name: string, rows: Record<string, Record<string, string>>): Promise<string> {
  const [table] = await db.sql<{ id: string }[]>`
    insert into lookup_tables (workspace_id, name, kind, columns)
    values (${workspaceId}, ${name}, 'dimension', ${jsonb([{ name: "value", label: "Value" }])}::text::jsonb) returning id::text`;
  for (const [key, values] of Object.entries(rows)) {
    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${workspaceId}, ${table!.id}, ${key}, ${jsonb(values)}::text::jsonb)`;
  }
  return table!.id;
}

export async function createConnection(db: Db, workspaceId: string, system: string, name: string, config: unknown, secrets: unknown): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into connections (workspace_id, system, name, config, secrets_enc)
    values (${workspaceId}, ${system}, ${name}, ${jsonb(config)}::text::jsonb, ${encryptJson(secrets)}) returning id::text`;
  return row!.id;
}

/**
 * An active flow started by a signed webhook: a "webhook" connection holding `secret`, the trigger
 * "hook" (record key `id`; record version `$string(updatedAt)` unless `recordVersion` is null), then
 * `nodes` one after another.
 */
export async function activeWebhookFlow(
  db: Db,
  workspaceId: string,
  secret: string,
  options: { name?: string; connectionName?: string; recordVersion?: string | null; nodes?: FlowDefinitionInput["nodes"] } = {},
): Promise<{ flowId: string; connectionId: string }> {
  const connectionId = await createConnection(db, workspaceId, "webhook", options.connectionName ?? "Signing secret", {}, { signingSecret: secret });
  const recordVersion = options.recordVersion === undefined ? "$string(updatedAt)" : options.recordVersion;
  const trigger = { id: "hook", type: "core.webhookTrigger", typeVersion: 1, config: recordVersion === null ? { recordKey: "id" } : { recordKey: "id", recordVersion }, connectionId };
  const nodes = [trigger, ...(options.nodes ?? [])];
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i + 1}`, source: nodes[i]!.id, target: node.id }));
  const { flowId, problems } = await createFlow(db, workspaceId, { name: options.name ?? "webhook flow", definition: { schemaVersion: 1, nodes, edges } });
  if (problems.length > 0) throw new Error(`the webhook flow has problems: ${JSON.stringify(problems)}`);
  await activateFlow(db, workspaceId, flowId);
  return { flowId, connectionId };
}

/** The headers of a delivery signed with `secret` at `at` (default now), as a sender sends them. */
export function signedWebhookHeaders(secret: string, body: string, at = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(at / 1000));
  return { "content-type": "application/json", "x-ledgerline-timestamp": timestamp, "x-ledgerline-signature": signWebhook(secret, timestamp, body) };
}

/** manual trigger -> map -> lookup -> filter: the built-in flow the benchmark also runs. */
export function builtInFlow(tableId: string, extra: Partial<FlowDefinitionInput> = {}): FlowDefinitionInput {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "trigger", type: "core.manualTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
      {
        id: "map",
        type: "core.mapFields",
        typeVersion: 1,
        position: { x: 200, y: 0 },
        config: {
          fields: [
            { target: "invoice", expression: "number" },
            { target: "state", expression: "$uppercase(address.region)" },
            { target: "amount", expression: "$sum(lines.amount)" },
          ],
        },
      },
      { id: "dept", type: "core.lookup", typeVersion: 1, position: { x: 400, y: 0 }, config: { tableId, key: "state", target: "department" } },
      { id: "big", type: "core.filter", typeVersion: 1, position: { x: 600, y: 0 }, config: { condition: "amount > 0" } },
    ],
    edges: [
      { id: "e1", source: "trigger", target: "map" },
      { id: "e2", source: "map", target: "dept" },
      { id: "e3", source: "dept", target: "big" },
    ],
    ...extra,
  };
}

export interface IdempotentApi {
  url: string;
  /** Distinct records created (by Idempotency-Key). */
  created: Map<string, unknown>;
  /** Every request received, in order. */
  requests: { key: string; body: unknown; at: number }[];
  /** Queue of scripted answers for the next requests: status and headers, applied before the default. */
  script: { status: number; headers?: Record<string, string>; delayMs?: number; applyThenDrop?: boolean }[];
  delayMs: number;
  close(): Promise<void>;
}

/** A local API endpoint that creates one record per Idempotency-Key, like Stripe-style APIs. */
export async function startIdempotentApi(): Promise<IdempotentApi> {
  const api = {
    created: new Map<string, unknown>(),
    requests: [] as IdempotentApi["requests"],
    script: [] as IdempotentApi["script"],
    delayMs: 0,
  };
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : null;
    const key = String(req.headers["idempotency-key"] ?? "");
    api.requests.push({ key, body, at: Date.now() });
    const step = api.script.shift();
    const wait = step?.delayMs ?? api.delayMs;
    if (step && !step.applyThenDrop && step.status !== 200) {
      if (wait) await new Promise((r) => setTimeout(r, wait));
      res.writeHead(step.status, { "content-type": "application/json", ...(step.headers ?? {}) });
      res.end(JSON.stringify({ error: `scripted ${step.status}` }));
      return;
    }
    if (!key) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "Idempotency-Key required" }));
      return;
    }
    const existing = api.created.get(key);
    const record = existing ?? { id: `rec_${api.created.size + 1}`, key, body };
    if (!existing) api.created.set(key, record);
    if (wait) await new Promise((r) => setTimeout(r, wait));
    if (step?.applyThenDrop) {
      res.socket?.destroy();
      return;
    }
    res.writeHead(existing ? 200 : 201, { "content-type": "application/json" });
    res.end(JSON.stringify(record));
  };
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(api, {
    url: `http://127.0.0.1:${port}/records`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export async function nodeRuns(db: Db, runId: string) {
  return db.sql<{ node_id: string; status: string; attempt: number; output: unknown; attempts: { delayMs?: number; error?: { message: string; kind: string } }[]; http_calls: unknown[]; seq: number }[]>`
    select node_id, status, attempt, output, attempts, http_calls, seq from node_runs where run_id = ${runId} order by seq`;
}

export async function runRow(db: Db, runId: string) {
  const [row] = await db.sql<{ status: string; error: { message: string; kind: string; reasonCode?: string } | null; failed_node_id: string | null; error_kind: string | null }[]>`
    select status, error, failed_node_id, error_kind from runs where id = ${runId}`;
  return row!;
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
