/**
 * Test helpers for the templates and the demo seed: the four sandboxes on port 0, their state
 * over HTTP, sandbox connections in a workspace, a template test file's frame (templateFrame),
 * polling a flow and running what the poll created, and running a flow's runs to the end.
 */
import { afterAll, beforeAll } from "vitest";
import { createSandbox as createAvalara, type AvalaraSandbox } from "../../connectors/avalara/sandbox";
import { createSandbox as createCommerce } from "../../connectors/commerce/sandbox";
import { createSandbox as createExact, type ExactSandbox } from "../../connectors/exact/sandbox";
import { intacct } from "../../connectors/intacct";
import { createSandbox as createIntacct } from "../../connectors/intacct/sandbox";
import type { XmlObject } from "../../connectors/intacct/xml";
import { localEnv, memoryStateStore, type SandboxServer } from "../../connectors/sdk";
import { jsonb, type Db } from "../../db/client";
import { encryptJson } from "../../db/crypto";
import type { DemoSystem } from "../demo/seed";
import { executeRun } from "../executor/run";
import { activateFlow } from "../flows";
import { registry } from "../registry";
import { createRuns } from "../runs";
import { createWorkspace, testDb } from "../test/helpers";
import { tick } from "../triggers";
import { instantiateTemplate } from "./index";

export interface Sandboxes {
  exact: ExactSandbox;
  avalara: AvalaraSandbox;
  servers: Record<DemoSystem, SandboxServer>;
  urls: Record<DemoSystem, string>;
  close(): Promise<void>;
}

export async function startSandboxes(): Promise<Sandboxes> {
  const exact = createExact();
  // Tests run many flows within a minute: lift Exact's 60 calls per minute (the rest stays real).
  exact.world.settings.minutelyLimit = 100_000;
  exact.world.settings.dailyLimit = 1_000_000;
  const avalara = createAvalara();
  const servers = {
    exact: await exact.listen(0),
    avalara: await avalara.listen(0),
    intacct: await createIntacct().listen(0),
    commerce: await createCommerce().listen(0),
  };
  const urls = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, s.url])) as Record<DemoSystem, string>;
  return { exact, avalara, servers, urls, close: async () => void (await Promise.all(Object.values(servers).map((s) => s.close()))) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function sandboxState(url: string): Promise<any> {
  const response = await fetch(`${url}/__sandbox/state`);
  return response.json();
}

export async function sandboxPost(url: string, path: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A connection made with the connector's "use the sandbox" values. */
export async function sandboxConnection(db: Db, workspaceId: string, system: DemoSystem, url: string): Promise<string> {
  const values = registry.connector(system)!.sandbox!(url);
  const [row] = await db.sql<{ id: string }[]>`
    insert into connections (workspace_id, system, name, config, secrets_enc)
    values (${workspaceId}, ${system}, ${values.name}, ${jsonb(values.config)}::text::jsonb, ${encryptJson(values.secrets)}) returning id::text`;
  return row!.id;
}

/** Create one run per record (not enqueued) and execute each; returns [runId, status] pairs. */
export async function runRecords(
  db: Db,
  target: { workspaceId: string; flowId: string; versionId: string },
  records: { key: string; version: string; data: unknown }[],
): Promise<{ runId: string; status: string }[]> {
  const { created } = await db.sql.begin((tx) => createRuns(tx, { ...target, triggerKind: "manual" }, records, { enqueue: false }));
  const out = [];
  for (const runId of created) out.push({ runId, status: (await executeRun(db, runId)).status });
  return out;
}

export async function runStatus(db: Db, runId: string) {
  const [row] = await db.sql<{ status: string; failed_node_id: string | null; error: { message: string; reasonCode?: string } | null; record_key: string }[]>`
    select status, failed_node_id, error, record_key from runs where id = ${runId}`;
  return row!;
}

export async function reviewItems(db: Db, runId: string) {
  return db.sql<{ node_id: string; reason_code: string; reason: string; details: unknown }[]>`
    select node_id, reason_code, reason, details from review_items where run_id = ${runId}`;
}

export async function nodeStatuses(db: Db, runId: string): Promise<Record<string, string>> {
  const rows = await db.sql<{ node_id: string; status: string }[]>`select node_id, status from node_runs where run_id = ${runId} order by seq`;
  return Object.fromEntries(rows.map((r) => [r.node_id, r.status]));
}

export async function nodeOutput(db: Db, runId: string, nodeId: string): Promise<unknown> {
  const [row] = await db.sql<{ output: unknown }[]>`select output from node_runs where run_id = ${runId} and node_id = ${nodeId}`;
  return row?.output;
}

/** Sum of amounts in cents (exact, whatever the float noise). */
export const centsOf = (values: number[]) => values.reduce((sum, v) => sum + Math.round(v * 100), 0);

/**
 * Execute a run as the workers would, to its end: a run given back to wait (a rate limit or the
 * company's requests in flight, a document another run is posting) is executed again when due.
 */
export async function executeToEnd(db: Db, runId: string): Promise<string> {
  let result = await executeRun(db, runId);
  while (result.status === "waiting" || result.status === "running") {
    await new Promise((r) => setTimeout(r, Math.max(0, (result.rescheduleAt?.getTime() ?? Date.now()) - Date.now())));
    result = await executeRun(db, runId);
  }
  return result.status;
}

export interface TemplateFrame<K extends string> {
  readonly db: Db;
  sb: Sandboxes;
  workspaceId: string;
  /** Each template's flow, by the name the test file gave it. */
  flows: Record<K, string>;
  /** Each template's mapping tables (table ref -> id), by the same names. */
  tables: Record<K, Record<string, string>>;
}

/**
 * The frame of a template test file. Before all its tests: the four sandboxes, a workspace with a
 * sandbox connection for each of `systems`, each template instantiated with the demo values and
 * activated, then `ready` (a first poll that reads past the seeded documents, say). After all:
 * the sandboxes and the database closed. Its fields are set once the tests run.
 */
export function templateFrame<K extends string>(options: {
  workspace: string;
  systems: readonly DemoSystem[];
  templates: Record<K, string>;
  ready?: (frame: TemplateFrame<K>) => Promise<unknown>;
}): TemplateFrame<K> {
  const frame = { db: testDb(), flows: {}, tables: {} } as TemplateFrame<K>;
  beforeAll(async () => {
    const { db } = frame;
    frame.sb = await startSandboxes();
    frame.workspaceId = await createWorkspace(db, options.workspace);
    for (const system of options.systems) await sandboxConnection(db, frame.workspaceId, system, frame.sb.urls[system]);
    for (const [key, templateId] of Object.entries(options.templates) as [K, string][]) {
      const created = await instantiateTemplate(db, frame.workspaceId, templateId, { demo: true });
      if (created.problems.length > 0) throw new Error(`template ${templateId}: ${JSON.stringify(created.problems)}`);
      frame.flows[key] = created.flowId;
      frame.tables[key] = created.tableIds;
      await activateFlow(db, frame.workspaceId, created.flowId);
    }
    await options.ready?.(frame);
  });
  afterAll(async () => {
    await frame.sb?.close();
    await frame.db.close();
  });
  return frame;
}

/** Poll the flow once, then execute every queued run of it in order; their statuses. */
export async function pollAndRun(db: Db, flowId: string): Promise<string[]> {
  await tick(db, flowId);
  const queued = await db.sql<{ id: string }[]>`select id::text from runs where flow_id = ${flowId} and status = 'queued' order by created_at, id`;
  const out: string[] = [];
  for (const { id } of queued) out.push((await executeRun(db, id)).status);
  return out;
}

/** The newest top-level run of a source record (by its record key) in the flow. */
export async function latestRunOf(db: Db, flowId: string, recordKey: string): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    select id::text from runs where flow_id = ${flowId} and record_key = ${recordKey} and parent_run_id is null
    order by created_at desc limit 1`;
  if (!row) throw new Error(`no run of ${recordKey}`);
  return row.id;
}

/** Poll the flow once, then execute the newest run of one source record; its id and status. */
export async function pollAndRunRecord(db: Db, flowId: string, recordKey: string): Promise<{ id: string; status: string }> {
  await tick(db, flowId);
  const id = await latestRunOf(db, flowId, recordKey);
  return { id, status: (await executeRun(db, id)).status };
}

/** Intacct's WHENMODIFIED has whole seconds: a change is a new version only in a later second than the last one. */
export async function nextSecond(): Promise<void> {
  const next = Math.floor(Date.now() / 1000) * 1000 + 1000;
  while (Date.now() < next) await new Promise((resolve) => setTimeout(resolve, next - Date.now()));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

/**
 * The frame of a test file of the Intacct sales template ("intacct-sales-avalara-gl", read past
 * the seeded invoices), and what its tests read and do: the demo company's state, Ledgerline's
 * AR tax memos of a document (by its Avalara code in the external ID) and their lines, a sale
 * entered in Intacct, and a poll that runs the document's newest run.
 */
export function intacctSalesFrame(workspace: string) {
  const frame = templateFrame({
    workspace,
    systems: ["intacct", "avalara"],
    templates: { sales: "intacct-sales-avalara-gl" },
    // The seeded invoices are someone else's story (templates.test.ts): read past them.
    ready: (f) => tick(f.db, f.flows.sales),
  });
  const company = async (): Promise<Rec> => (await sandboxState(frame.sb.urls.intacct)).companies["LEDGERLINE-DEMO"];
  return {
    frame,
    company,
    memosOf: async (docNo: string): Promise<Rec[]> => ((await company()).records.ARADJUSTMENT as Rec[]).filter((a) => String(a.EXTERNALID).startsWith(`tax:INTACCT-SO-${docNo}|`)),
    items: (memo: Rec): Rec[] => [memo.ARADJUSTMENTITEMS.ARADJUSTMENTITEM].flat(),
    sell: async (customerId: string, lines: Rec[], extra: Rec = {}) => (await sandboxPost(frame.sb.urls.intacct, "/__sandbox/sales-transactions", { customerId, lines, ...extra })) as Rec,
    /** Poll, then run the newest run of the document (by its record key); its id and status. */
    pollAndRun: (so: Rec) => pollAndRunRecord(frame.db, frame.flows.sales, `intacct:LEDGERLINE-DEMO:SODOCUMENT:${so.RECORDNO}`),
  };
}

/** A person's edit of an Intacct record: a generic update over the XML gateway, as another integration or the UI would leave it. */
export async function editIntacct(url: string, object: string, changes: XmlObject): Promise<void> {
  const env = localEnv(intacct, { ...intacct.sandbox!(url), state: memoryStateStore() });
  const [result] = await intacct.createClient(env).batch([{ name: "update", body: { [object]: changes } }], { write: true });
  if (result?.status !== "success") throw new Error(`Intacct update of ${object} failed: ${JSON.stringify(result)}`);
}
