/**
 * The MCP server as an agent reaches it: the SDK's own client (Streamable HTTP) over real HTTP to
 * the real route handler (app/api/mcp/route.ts), on a database of its own with a worker, against
 * the Intacct sandbox. Settings are changed through the admin's tRPC caller, approvals through the
 * engine's decision, and every posting is checked in the sandbox's own state.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../../db/client";
import { intacct } from "../../../connectors/intacct";
import { avalara } from "../../../connectors/avalara";
import { createSandbox as createAvalara, demoAddresses } from "../../../connectors/avalara/sandbox";
import { createSandbox } from "../../../connectors/intacct/sandbox";
import type { SandboxServer } from "../../../connectors/sdk";
import { decideApproval } from "../../../engine/approvals";
import { ROLES, type Role } from "../../../engine/auth/roles";
import { createToken } from "../../../engine/auth/tokens";
import { builtInFlow, createConnection, createLookupTable, isolatedDatabase } from "../../../engine/test/helpers";
import { createFlow } from "../../../engine/flows";
import { startWorker } from "../../../engine/worker/start";
import { seedWorkspace, type SeededWorkspace } from "../../server/test/fixtures";

let iso: { url: string; drop(): Promise<void> };
let db: Db;
let ws: SeededWorkspace;
let sandbox: SandboxServer;
let avalaraSandbox: SandboxServer;
let http: HttpServer;
let mcpUrl: string;
let worker: { stop(): Promise<void> };
const tokens = {} as Record<Role, { id: string; token: string; name: string }>;
const clients: Client[] = [];

const THRESHOLD = "$sum(lines[type='debit'].$number(amount)) > 10000";

beforeAll(async () => {
  iso = await isolatedDatabase();
  process.env.DATABASE_URL = iso.url;
  db = createDb(iso.url, { max: 4 });
  ws = await seedWorkspace(db, "mcp");
  sandbox = await createSandbox().listen(0);
  const demo = intacct.sandbox!(sandbox.url);
  // Rate limits go straight back to the engine (no waiting inside the client): the engine's retry path.
  await createConnection(db, ws.workspaceId, "intacct", "Intacct sandbox", { ...demo.config, maxRetryWaitMs: 0 }, demo.secrets);
  avalaraSandbox = await createAvalara().listen(0);
  const tax = avalara.sandbox!(avalaraSandbox.url);
  await createConnection(db, ws.workspaceId, "avalara", "Avalara sandbox", tax.config, tax.secrets);
  for (const role of ROLES) {
    const name = `agent ${role}`;
    const created = await createToken(db, {
      workspaceId: ws.workspaceId,
      userId: ws.members[role].user.id,
      creatorRole: role,
      name,
      role,
      expiresInDays: 1,
      actor: { label: ws.members[role].actor, kind: "user", userId: ws.members[role].user.id },
    });
    tokens[role] = { id: created.id, token: created.token, name };
  }
  // The route handler behind a real HTTP server, as Next.js serves it.
  const { POST, GET } = await import("./route");
  http = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: req.method === "POST" ? Buffer.concat(chunks) : undefined });
    const response = await (req.method === "POST" ? POST(request) : GET());
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  mcpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/mcp`;
  worker = await startWorker({ databaseUrl: iso.url, concurrency: 2, pollInterval: 200 });
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await worker?.stop();
  await new Promise((resolve) => http?.close(resolve));
  await sandbox?.close();
  await avalaraSandbox?.close();
  await db?.close();
  await iso?.drop();
});

async function connect(role: Role): Promise<Client> {
  const client = new Client({ name: `test-${role}`, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { authorization: `Bearer ${tokens[role].token}` } } }));
  clients.push(client);
  return client;
}

type Answer = Record<string, unknown> & { runId: string; status: string };
async function call(client: Client, name: string, args: Record<string, unknown>): Promise<{ isError: boolean; answer: Answer }> {
  const result = await client.callTool({ name, arguments: args });
  return { isError: Boolean(result.isError), answer: result.structuredContent as Answer };
}

async function glBatches(referenceNo: string): Promise<Record<string, unknown>[]> {
  const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as { companies: Record<string, { records: Record<string, Record<string, unknown>[]> }> };
  return Object.values(state.companies).flatMap((c) => (c.records.GLBATCH ?? []).filter((b) => b.REFERENCENO === referenceNo));
}

function journal(referenceNo: string, amount: string) {
  return {
    date: "2026-11-30",
    description: `Agent accrual ${referenceNo}`,
    referenceNo,
    lines: [
      { accountNo: "6200", type: "debit", amount, memo: "accrual" },
      { accountNo: "2000", type: "credit", amount, memo: "accrual" },
    ],
  };
}

async function exposeJournal(approvals: Record<string, string> = {}) {
  const current = await ws.members.admin.caller.mcp.settings();
  const reads = current.tools.filter((t) => t.kind === "read").map((t) => t.name);
  await ws.members.admin.caller.mcp.update({ ...current.settings, tools: [...reads, "intacct_createJournalEntry"], approvals });
}

describe("MCP server", () => {
  it("lists tools by the token's role and the workspace's exposure settings", async () => {
    const names = async (role: Role) => (await (await connect(role)).listTools()).tools.map((t) => t.name).sort();
    const operator = await names("operator");
    expect(operator).toEqual(expect.arrayContaining(["intacct_list_glAccounts", "intacct_list_vendors", "intacct_queryRecords", "intacct_listDimensions", "ledgerline_get_run"]));
    // Write tools are exposed only once an admin names them.
    expect(operator).not.toContain("intacct_createJournalEntry");
    expect(await names("viewer")).toEqual(["ledgerline_get_run"]);

    await exposeJournal();
    expect(await names("editor")).toContain("intacct_createJournalEntry");
    // Operators list write tools for dry runs only; viewers never.
    const forOperator = (await (await connect("operator")).listTools()).tools.find((t) => t.name === "intacct_createJournalEntry");
    expect(forOperator?.description).toContain("only dryRun: true is allowed");
    expect(await names("viewer")).toEqual(["ledgerline_get_run"]);
    const journalTool = (await (await connect("owner")).listTools()).tools.find((t) => t.name === "intacct_createJournalEntry")!;
    expect(journalTool.inputSchema.required).toContain("requestId");
    expect(JSON.stringify(journalTool.inputSchema.properties)).toContain("REFERENCENO");

    // Only the Avalara connection exposed: no Intacct tool is left.
    const current = await ws.members.admin.caller.mcp.settings();
    const avalara = current.connections.find((c) => c.system === "avalara")!;
    await ws.members.admin.caller.mcp.update({ ...current.settings, connections: [avalara.id] });
    const narrowed = await names("owner");
    expect(narrowed.some((n) => n.startsWith("intacct_"))).toBe(false);
    expect(narrowed).toContain("avalara_resolveAddress");
    await ws.members.admin.caller.mcp.update({ ...current.settings, connections: null });

    // Names of another workspace's (or no) connection, and broken approval rules, are refused; nothing changes.
    await expect(ws.members.admin.caller.mcp.update({ ...current.settings, connections: ["00000000-0000-4000-8000-000000000000"] })).rejects.toThrow(/No connection/);
    await expect(ws.members.admin.caller.mcp.update({ ...current.settings, approvals: { intacct_createJournalEntry: "$sum(lines[" } })).rejects.toThrow(/invalid approval rule/);
    await expect(ws.members.editor.caller.mcp.update(current.settings)).rejects.toThrow(/admin role/);
    expect((await ws.members.admin.caller.mcp.settings()).settings).toEqual({ ...current.settings, connections: null });
    const [audited] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events where workspace_id = ${ws.workspaceId} and action = 'mcp.settings_updated' and actor = ${ws.members.admin.actor}`;
    expect(audited!.n).toBe(3);
  });

  it("reads GL accounts and vendors from the Intacct sandbox, page by page, without secrets", async () => {
    const client = await connect("operator");
    const accounts = await call(client, "intacct_list_glAccounts", { limit: 3 });
    expect(accounts.isError).toBe(false);
    expect(accounts.answer.status).toBe("succeeded");
    const result = accounts.answer.result as { options: { value: string; label: string }[]; count: number };
    expect(result.options).toHaveLength(3);
    expect(result.count).toBeGreaterThan(3);
    const page = accounts.answer.page as { totals: Record<string, number>; nextOffset: number };
    expect(page.nextOffset).toBe(3);
    const next = await call(client, "ledgerline_get_run", { runId: accounts.answer.runId, offset: 3, limit: 100 });
    const all = [...result.options, ...(next.answer.result as typeof result).options].map((o) => o.value);
    expect(all).toEqual(expect.arrayContaining(["6200", "2000", "4000"]));
    expect(all).not.toContain("2999"); // inactive

    const vendors = await call(client, "intacct_list_vendors", {});
    const vendorOptions = (vendors.answer.result as typeof result).options;
    expect(vendorOptions.length).toBeGreaterThan(0);
    expect(vendorOptions[0]!.label).toContain(" - ");

    const text = JSON.stringify([accounts, next, vendors]);
    expect(text).not.toContain("sandbox-sender-pw");
    expect(text).not.toContain("sandbox-user-pw");
    const [run] = await db.sql<{ trigger_kind: string; http_calls: unknown[] }[]>`
      select r.trigger_kind, n.http_calls from runs r join node_runs n on n.run_id = r.id and n.node_id = 'tool' where r.id = ${accounts.answer.runId}`;
    expect(run!.trigger_kind).toBe("agent");
    expect(run!.http_calls.length).toBeGreaterThan(0);
  });

  it("posts a journal entry exactly once when the same requestId is sent three times", async () => {
    await exposeJournal();
    const client = await connect("editor");
    const args = { requestId: "req-journal-0001", input: journal("AGENT-JE-1", "125.40"), config: { journal: "GJ" } };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await call(client, "intacct_createJournalEntry", args));
    expect(answers.map((a) => a.isError)).toEqual([false, false, false]);
    expect(new Set(answers.map((a) => a.answer.runId)).size).toBe(1);
    expect(answers[1]!.answer.repeated).toBeTruthy();
    const first = answers[0]!.answer.result as { recordNo: string; totalDebit: string };
    expect(first.totalDebit).toBe("125.40");
    expect(answers.map((a) => (a.answer.result as { recordNo: string }).recordNo)).toEqual([first.recordNo, first.recordNo, first.recordNo]);
    const posted = await glBatches("AGENT-JE-1");
    expect(posted).toHaveLength(1);

    // Another requestId for the same journal and reference: the ledger answers, nothing is posted.
    const again = await call(client, "intacct_createJournalEntry", { ...args, requestId: "req-journal-0002" });
    expect(again.answer.alreadyPosted).toBeTruthy();
    expect((again.answer.result as { recordNo: string }).recordNo).toBe(first.recordNo);
    expect(await glBatches("AGENT-JE-1")).toHaveLength(1);

    // Three at once (an agent's retries racing its first call): still one posting, one run.
    const burst = { requestId: "req-journal-burst", input: journal("AGENT-JE-BURST", "77.70") };
    const raced = await Promise.all([0, 1, 2].map(async () => call(await connect("editor"), "intacct_createJournalEntry", burst)));
    expect(raced.every((a) => !a.isError)).toBe(true);
    expect(new Set(raced.map((a) => a.answer.runId)).size).toBe(1);
    let settled = raced.find((a) => a.answer.status === "succeeded")?.answer;
    for (let i = 0; i < 50 && !settled; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const polled = (await call(client, "ledgerline_get_run", { runId: raced[0]!.answer.runId })).answer;
      if (polled.status === "succeeded") settled = polled;
    }
    expect((settled!.result as { totalDebit: string }).totalDebit).toBe("77.70");
    expect(await glBatches("AGENT-JE-BURST")).toHaveLength(1);

    // The same requestId with other content is refused, not answered with the first result.
    const changed = await call(client, "intacct_createJournalEntry", { ...args, input: journal("AGENT-JE-1", "999.00") });
    expect(changed.isError).toBe(true);
    expect(String(changed.answer.error)).toContain("already used for a different request");
  });

  it("a posting over the approval threshold waits, then posts once after approval", async () => {
    await exposeJournal({ intacct_createJournalEntry: THRESHOLD });
    const client = await connect("editor");
    const args = { requestId: "req-big-0001", input: journal("AGENT-JE-BIG", "25000.00") };
    const waiting = await call(client, "intacct_createJournalEntry", args);
    expect(waiting.answer.status).toBe("awaiting_approval");
    const approval = waiting.answer.approval as { id: string; url: string; condition: string };
    expect(approval.url).toMatch(/\/approvals$/);
    expect(approval.condition).toBe(THRESHOLD);
    expect(await glBatches("AGENT-JE-BIG")).toHaveLength(0);
    // Retrying while it waits posts nothing either.
    expect((await call(client, "intacct_createJournalEntry", args)).answer.status).toBe("awaiting_approval");

    const [maker] = await db.sql<{ maker: string }[]>`select maker from approvals where id = ${approval.id}`;
    expect(maker!.maker).toBe(`token:${tokens.editor.name} (${(await db.sql<{ email: string }[]>`select email from users where id = ${ws.members.editor.user.id}`)[0]!.email})`);
    const operator = ws.members.operator;
    await decideApproval(db, ws.workspaceId, approval.id, "approve", { label: operator.actor, kind: "user", userId: operator.user.id });

    let status = "awaiting_approval";
    let polled: Answer | undefined;
    for (let i = 0; i < 100 && status !== "succeeded" && status !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 200));
      polled = (await call(client, "ledgerline_get_run", { runId: waiting.answer.runId })).answer;
      status = polled.status;
    }
    expect(status).toBe("succeeded");
    expect((polled!.result as { totalDebit: string }).totalDebit).toBe("25000.00");
    expect(await glBatches("AGENT-JE-BIG")).toHaveLength(1);
    // A small one goes straight through.
    const small = await call(client, "intacct_createJournalEntry", { requestId: "req-small-0001", input: journal("AGENT-JE-SMALL", "10.00") });
    expect(small.answer.status).toBe("succeeded");
  });

  it("a rate-limited posting answers in progress, is retried by the workers after Retry-After, and posts once", async () => {
    await exposeJournal();
    const client = await connect("editor");
    const post = (path: string, body: unknown) => fetch(`${sandbox.url}${path}`, { method: "POST", body: JSON.stringify(body) });
    await post("/__sandbox/settings", { rateLimitRetryAfterSeconds: 3 });
    await post("/__sandbox/faults", { queue: ["rateLimit"] });
    const args = { requestId: "req-limited-0001", input: journal("AGENT-JE-LIMITED", "61.00") };
    const first = await call(client, "intacct_createJournalEntry", args);
    expect(first.isError).toBe(false);
    expect(first.answer.status).toBe("waiting");
    expect(first.answer.poll).toEqual({ tool: "ledgerline_get_run", arguments: { runId: first.answer.runId } });
    // The agent retrying at once gets the same run, still waiting: nothing is sent before the retry is due.
    const again = await call(client, "intacct_createJournalEntry", args);
    expect(again.answer).toMatchObject({ runId: first.answer.runId, status: "waiting" });
    expect(await glBatches("AGENT-JE-LIMITED")).toHaveLength(0);
    let status = "waiting";
    for (let i = 0; i < 100 && status !== "succeeded" && status !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await call(client, "ledgerline_get_run", { runId: first.answer.runId })).answer.status;
    }
    expect(status).toBe("succeeded");
    expect(await glBatches("AGENT-JE-LIMITED")).toHaveLength(1);
    await post("/__sandbox/settings", { rateLimitRetryAfterSeconds: 1 });
  });

  it("a viewer token cannot call write tools, and an operator cannot post", async () => {
    await exposeJournal();
    const args = { requestId: "req-viewer-0001", input: journal("AGENT-JE-VIEWER", "5.00") };
    const viewer = await call(await connect("viewer"), "intacct_createJournalEntry", args);
    expect(viewer.isError).toBe(true);
    expect(String(viewer.answer.error)).toContain("needs the operator role or higher; this token acts as viewer");
    const viewerDry = await call(await connect("viewer"), "intacct_createJournalEntry", { ...args, dryRun: true });
    expect(viewerDry.isError).toBe(true);
    const operator = await call(await connect("operator"), "intacct_createJournalEntry", args);
    expect(operator.isError).toBe(true);
    expect(String(operator.answer.error)).toContain("needs the editor role or higher; this token acts as operator");
    const viewerRead = await call(await connect("viewer"), "intacct_list_glAccounts", {});
    expect(viewerRead.isError).toBe(true);
    // A viewer may follow a run's status, never its record data.
    const [posted] = await db.sql<{ id: string }[]>`select id::text from runs where record_key = 'agent:req-journal-0001' and workspace_id = ${ws.workspaceId}`;
    const status = await call(await connect("viewer"), "ledgerline_get_run", { runId: posted!.id });
    expect(status.answer.status).toBe("succeeded");
    expect(status.answer.result).toBeUndefined();
    expect(JSON.stringify(status.answer)).not.toContain("AGENT-JE-1");
    expect(await glBatches("AGENT-JE-VIEWER")).toHaveLength(0);
  });

  it("a dry run renders the posting and posts nothing", async () => {
    await exposeJournal();
    const client = await connect("operator");
    const dry = await call(client, "intacct_createJournalEntry", { requestId: "req-dry-0001", dryRun: true, input: journal("AGENT-JE-DRY", "300.00") });
    expect(dry.isError).toBe(false);
    expect(dry.answer.status).toBe("dry_run");
    const wouldPost = dry.answer.wouldPost as { referenceNo: string; lines: unknown[] };
    expect(wouldPost.referenceNo).toBe("AGENT-JE-DRY");
    expect(JSON.stringify(wouldPost)).toContain("300.00");
    expect(await glBatches("AGENT-JE-DRY")).toHaveLength(0);
    const ledger = await db.sql`select 1 from idempotency_ledger where workspace_id = ${ws.workspaceId} and business_key like ${"%AGENT-JE-DRY%"}`;
    expect(ledger).toHaveLength(0);
    // Bad input is refused with the field named, before any run.
    const bad = await call(client, "intacct_createJournalEntry", { requestId: "req-bad-0001", dryRun: true, input: { ...journal("AGENT-JE-BAD", "1.00"), date: "30/11/2026" } });
    expect(bad.isError).toBe(true);
    expect(String(bad.answer.error)).toContain("input.date");
  });

  it("an operator gets an Avalara tax quote as a dry run, naming the connection when there are several; Avalara stores nothing", async () => {
    const current = await ws.members.admin.caller.mcp.settings();
    const reads = current.tools.filter((t) => t.kind === "read").map((t) => t.name);
    await ws.members.admin.caller.mcp.update({ ...current.settings, tools: [...reads, "avalara_createTransaction"] });
    const client = await connect("operator");
    const tool = (await client.listTools()).tools.find((t) => t.name === "avalara_createTransaction")!;
    expect(tool.inputSchema.required).toEqual(expect.arrayContaining(["connection", "requestId", "input"]));
    const input = { code: "AGENT-QUOTE-1", date: "2026-11-30", customerCode: "C400", addresses: { shipFrom: demoAddresses.CA, shipTo: demoAddresses.WA }, lines: [{ amount: "500.00", taxCode: "P0000000" }] };
    const unnamed = await call(client, "avalara_createTransaction", { requestId: "req-quote-0001", dryRun: true, input });
    expect(String(unnamed.answer.error)).toMatch(/Name the connection: one of .*Avalara sandbox/);
    const quote = await call(client, "avalara_createTransaction", { connection: "Avalara sandbox", requestId: "req-quote-0001", dryRun: true, input });
    expect(quote.isError).toBe(false);
    expect(quote.answer.status).toBe("dry_run");
    expect(quote.answer.wouldPost).toMatchObject({ code: "AGENT-QUOTE-1", type: "SalesInvoice", quotedAs: "SalesOrder" });
    const quoted = quote.answer.result as { totalTax: number | string; totalAmount: number | string };
    expect(Number(quoted.totalAmount)).toBe(500);
    expect(Number(quoted.totalTax)).toBeGreaterThan(0);
    const state = (await (await fetch(`${avalaraSandbox.url}/__sandbox/state`)).json()) as { documents: { code: string }[] };
    expect(state.documents.filter((d) => d.code === "AGENT-QUOTE-1")).toHaveLength(0);
  });

  it("a flow marked available to agents is a tool taking the trigger's input, one run per requestId", async () => {
    const tableId = await createLookupTable(db, ws.workspaceId, "Agent regions", { WA: { value: "D-WA" } });
    const { flowId } = await createFlow(db, ws.workspaceId, { name: "Agent region check", definition: builtInFlow(tableId) }, { label: ws.members.editor.actor, kind: "user", userId: ws.members.editor.user.id });
    const current = await ws.members.admin.caller.mcp.settings();
    expect(current.flows.find((f) => f.id === flowId)?.manual).toBe(true);
    await ws.members.admin.caller.mcp.update({ ...current.settings, flows: [flowId] });
    const operator = await connect("operator");
    const tool = (await operator.listTools()).tools.find((t) => t.name === "flow_agent_region_check");
    expect(tool?.inputSchema.required).toEqual(["requestId"]);
    expect((await (await connect("viewer")).listTools()).tools.map((t) => t.name)).not.toContain("flow_agent_region_check");

    const args = { requestId: "req-flow-0001", input: { number: "INV-77", address: { region: "wa" }, lines: [{ amount: 40 }, { amount: 2 }] } };
    const first = await call(operator, "flow_agent_region_check", args);
    expect(first.isError).toBe(false);
    expect(first.answer.status).toBe("succeeded");
    expect(first.answer.result).toMatchObject({ invoice: "INV-77", state: "WA", amount: 42, department: { value: "D-WA" } });
    const again = await call(operator, "flow_agent_region_check", args);
    expect(again.answer.runId).toBe(first.answer.runId);
    const runs = await db.sql`select 1 from runs where flow_id = ${flowId} and trigger_kind = 'agent'`;
    expect(runs).toHaveLength(1);
  });

  it("every call is a run in the run log and an audit event naming the token", async () => {
    const calls = await db.sql<{ run_id: string; actor: string; actor_token_id: string | null; tool: string }[]>`
      select run_id::text, actor, actor_token_id::text, data->>'tool' as tool from audit_events
      where workspace_id = ${ws.workspaceId} and action = 'agent.tool_called' order by id`;
    // Reads: GL accounts and vendors (2); journal: 3 with one requestId + 1 with another + 3 at
    // once + 2 rate-limited (the refused ones make none); approval case: 2 while waiting + the small one (3); the dry run (1).
    // The Avalara quote (1; the unnamed one makes none); the flow tool: 2 calls, one run.
    // ledgerline_get_run reads a run and makes none.
    expect(calls.length).toBe(18);
    const runs = await db.sql<{ id: string; trigger_kind: string }[]>`select id::text, trigger_kind from runs where id = any(${calls.map((c) => c.run_id)}::uuid[])`;
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.trigger_kind === "agent")).toBe(true);
    expect(new Set(calls.map((c) => c.run_id))).toEqual(new Set(runs.map((r) => r.id)));
    // Each event names the token that made the call (and the person who created it).
    for (const c of calls) {
      const token = Object.values(tokens).find((t) => t.id === c.actor_token_id);
      expect(token, c.actor).toBeDefined();
      expect(c.actor.startsWith(`token:${token!.name} (`)).toBe(true);
    }
    expect(calls.filter((c) => c.actor_token_id === tokens.editor.id && c.tool === "intacct_createJournalEntry").length).toBe(12);
    // The flows these runs belong to are not on the Flows page.
    const listed = await ws.members.editor.caller.flows.list();
    expect(JSON.stringify(listed)).not.toContain("Agent tool");
  });

  it("answers 429 past the calls-per-minute limit of a token, 401 without a valid token, 403 to another site's page", async () => {
    const current = await ws.members.admin.caller.mcp.settings();
    await ws.members.admin.caller.mcp.update({ ...current.settings, callsPerMinute: 2 });
    const body = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "ledgerline_get_run", arguments: { runId: "00000000-0000-4000-8000-000000000000" } } });
    const post = (id: number, token = tokens.owner.token) =>
      fetch(mcpUrl, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: body(id) });
    const statuses = [];
    let last: Response | undefined;
    for (let i = 1; i <= 3; i++) {
      last = await post(i);
      statuses.push(last.status);
    }
    // Windows are per minute: two calls could straddle a minute boundary, so allow a second try.
    if (statuses[2] !== 429) {
      last = await post(4);
      last = last.status === 429 ? last : await post(5);
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await last!.json()) as { error: { message: string } }).error.message).toMatch(/Too many tool calls: this token may make 2 per minute/);
    await ws.members.admin.caller.mcp.update({ ...current.settings, callsPerMinute: 60 });

    expect((await post(9, "llt_not-a-real-token")).status).toBe(401);
    // A web page of another site cannot drive it (DNS rebinding), even with a token.
    const foreign = await fetch(mcpUrl, { method: "POST", headers: { authorization: `Bearer ${tokens.owner.token}`, origin: "http://evil.example", "content-type": "application/json", accept: "application/json, text/event-stream" }, body: body(11) });
    expect(foreign.status).toBe(403);
    const anonymous = await fetch(mcpUrl, { method: "POST", headers: { "content-type": "application/json" }, body: body(10) });
    expect(anonymous.status).toBe(401);
  });
});
