/**
 * The starter templates end to end: real sandboxes over HTTP, real PostgreSQL, the real executor.
 * What is asserted is what a finance user checks: the entries actually posted in the target
 * system (accounts, dimensions, amounts, balance), nothing posted twice, and records that need a
 * person (invalid address, missing mapping) parked in the review queue with nothing posted.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebhookSubscription, type ExactClient } from "../../connectors/exact";
import { readBody } from "../../connectors/sdk";
import { Redactor } from "../../connectors/sdk";
import { buildEnv, loadConnection } from "../connections";
import { connectExactSandbox } from "../demo/seed";
import { executeRun } from "../executor/run";
import { activateFlow } from "../flows";
import { replayRun, resolveReview } from "../runs";
import { createWorkspace, testDb } from "../test/helpers";
import { handleWebhook, tick } from "../triggers";
import { instantiateTemplate, templates } from "./index";
import {
  centsOf,
  nodeOutput,
  nodeStatuses,
  reviewItems,
  runRecords,
  runStatus,
  sandboxConnection,
  sandboxPost,
  sandboxState,
  startSandboxes,
  type Sandboxes,
} from "./test-helpers";

const db = testDb();
let sb: Sandboxes;
let workspaceId: string;
const connections: Record<string, string> = {};

beforeAll(async () => {
  sb = await startSandboxes();
  workspaceId = await createWorkspace(db, "Templates");
  for (const system of ["exact", "avalara", "intacct", "commerce"] as const) {
    connections[system] = await sandboxConnection(db, workspaceId, system, sb.urls[system]);
  }
  await connectExactSandbox(db, workspaceId, connections.exact!, "https://app.ledgerline.example/api/oauth/callback");
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

describe("every template", () => {
  it("validates with no problems in a workspace with the sandbox connections, and reuses its tables by name", async () => {
    const other = await createWorkspace(db, "Template validation");
    for (const system of ["exact", "avalara", "intacct", "commerce"] as const) await sandboxConnection(db, other, system, sb.urls[system]);
    const tableIds = new Map<string, string>();
    for (const template of templates) {
      const created = await instantiateTemplate(db, other, template.id, { demo: true });
      expect(created.problems, template.id).toEqual([]);
      for (const table of template.tables) {
        const id = created.tableIds[table.ref]!;
        if (tableIds.has(table.name)) expect(id).toBe(tableIds.get(table.name));
        tableIds.set(table.name, id);
      }
    }
    const [{ count }] = await db.sql<{ count: number }[]>`select count(*)::int as count from lookup_tables where workspace_id = ${other}`;
    expect(count).toBe(tableIds.size);
    const [row] = await db.sql<{ values: Record<string, string> }[]>`
      select r.values from lookup_rows r join lookup_tables t on t.id = r.table_id
      where t.workspace_id = ${other} and t.name = 'Tax GL accounts (Exact)' and r.key = 'US:TX:STA:48'`;
    expect(row!.values).toEqual({ glAccount: "2230", costCenter: "120" });
  });

  it("saves as a draft naming the missing connections when the workspace has none", async () => {
    const empty = await createWorkspace(db, "No connections");
    const created = await instantiateTemplate(db, empty, "commerce-order-intacct-ap-bill", { name: "AP bills", demo: true });
    expect(created.problems.map((p) => [p.code, p.nodeId])).toEqual([
      ["missing_connection", "document"],
      ["missing_connection", "vendor"],
      ["missing_connection", "reverseBill"],
      ["missing_connection", "postBill"],
      ["missing_connection", "postAdjustment"],
    ]);
    const [flow] = await db.sql`select name, template_id from flows where id = ${created.flowId}`;
    expect(flow).toEqual({ name: "AP bills", template_id: "commerce-order-intacct-ap-bill" });
  });
});

// ---------------------------------------------------------------------------------------------
// Exact invoice -> Avalara -> journal in Exact

describe("Exact invoice -> Avalara -> journal entry in Exact", () => {
  let flowId: string;
  let versionId: string;
  let callback: Server;
  let client: ExactClient;
  const division = 1001;
  const accountId = (name: string) => sb.exact.world.regions.get("us")!.divisions.get(division)!.accounts.find((a) => a.Name === name)!.ID as string;
  const entries = async () => {
    const state = await sandboxState(sb.urls.exact);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return state.regions.us.divisions.find((d: any) => d.code === division).journalEntries as any[];
  };
  const invoice = async (customer: string, lines: { ItemCode: string; Quantity: number }[]) =>
    (await sandboxPost(sb.urls.exact, "/__sandbox/invoices", { invoice: { InvoiceTo: accountId(customer), SalesInvoiceLines: lines } })) as {
      InvoiceID: string;
      InvoiceNumber: number;
    };
  const runsOf = async (invoiceId: string) =>
    db.sql<{ id: string; status: string }[]>`
      select id::text, status from runs where flow_id = ${flowId} and record_key = ${`exact:${division}:${invoiceId}`} order by created_at`;
  const record = (invoiceId: string, version = "v1") => ({ key: `exact:${division}:${invoiceId}`, version, data: { division, invoiceId, action: "Create" } });

  beforeAll(async () => {
    const created = await instantiateTemplate(db, workspaceId, "exact-invoice-avalara-journal", { demo: true });
    expect(created.problems).toEqual([]);
    ({ flowId, versionId } = created);
    await activateFlow(db, workspaceId, flowId);
    // The flow's webhook URL, as the app serves it: deliveries go straight to handleWebhook.
    callback = createServer((req, res) => {
      void (async () => {
        const rawBody = await readBody(req);
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const answer = await handleWebhook(db, { flowId, nodeId: "invoice" }, { method: req.method ?? "POST", headers, rawBody, query: {} });
        res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
      })();
    });
    await new Promise<void>((resolve) => callback.listen(0, "127.0.0.1", resolve));
    const connection = await loadConnection(db, workspaceId, connections.exact!);
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    client = connection.connector.createClient(buildEnv(db, connection, { log, signal: new AbortController().signal, redactor: new Redactor() })) as ExactClient;
    await ensureWebhookSubscription(client, `http://127.0.0.1:${(callback.address() as AddressInfo).port}/api/webhooks/${flowId}/invoice`);
  });
  afterAll(async () => {
    callback.closeAllConnections();
    await new Promise((resolve) => callback.close(resolve));
  });

  it("posts a balanced journal entry per jurisdiction for an invoice Exact notifies, and nothing more on an update that leaves the tax as it is", async () => {
    const before = (await entries()).length;
    // Lone Star Components, 600 Congress Ave, Austin TX: licences fully taxable, support (SaaS) taxable at 80%.
    const inv = await invoice("Lone Star Components Inc.", [
      { ItemCode: "LIC-STD", Quantity: 2 },
      { ItemCode: "SUP-ANN", Quantity: 2 },
    ]);
    await sb.exact.settle();
    const [run] = await runsOf(inv.InvoiceID);
    expect(run).toBeDefined();
    expect((await executeRun(db, run!.id)).status).toBe("succeeded");

    const posted = (await entries()).slice(before);
    expect(posted).toHaveLength(1);
    const lines = posted[0].lines.map((l: { GLAccountCode: string; AmountFC: number; CostCenter: string | null }) => [l.GLAccountCode, l.AmountFC, l.CostCenter]);
    // 9,600 licences + 3,840 taxable support: TX state 6.25%, Austin 1%, Austin MTA 1%.
    expect(lines).toEqual([
      ["2230", -840, "120"],
      ["2250", -134.4, "120"],
      ["2250", -134.4, "120"],
      ["4100", 1108.8, null],
    ]);
    expect(centsOf(posted[0].lines.map((l: { AmountFC: number }) => l.AmountFC))).toBe(0);
    expect(posted[0]).toMatchObject({ JournalCode: "90" });
    expect(posted[0].lines[0].Notes).toMatch(new RegExp(`^tax:EXACT-${division}-${inv.InvoiceID}\\|v=`));
    const tax = (await nodeOutput(db, run!.id, "sync")) as { code: string; totalTax: number };
    expect(tax).toMatchObject({ code: `EXACT-${division}-${inv.InvoiceID}`, totalTax: 1108.8 });
    const [doc] = (await sandboxState(sb.urls.avalara)).documents.filter((d: { code: string }) => d.code === tax.code);
    expect(doc).toMatchObject({ status: "Committed", totalTax: 1108.8 });

    // The invoice's description is edited in Exact: a new notification, a new run; the tax is the same, so nothing is posted.
    await sandboxPost(sb.urls.exact, `/__sandbox/invoices/${inv.InvoiceID}`, { patch: { Description: "Renewal (edited)" } });
    await sb.exact.settle();
    const runs = await runsOf(inv.InvoiceID);
    expect(runs).toHaveLength(2);
    expect((await executeRun(db, runs[1]!.id)).status).toBe("succeeded");
    expect(await nodeStatuses(db, runs[1]!.id)).toMatchObject({ sync: "succeeded", post: "succeeded" });
    expect(await nodeOutput(db, runs[1]!.id, "post")).toMatchObject({ status: "unchanged" });
    expect((await entries()).length).toBe(before + 1);
  });

  it("the hourly reconciliation flow picks up today's invoices and posts nothing the webhook flow already posted", async () => {
    const before = (await entries()).length;
    const poll = await instantiateTemplate(db, workspaceId, "exact-invoice-avalara-journal-poll", { demo: true });
    expect(poll.problems).toEqual([]);
    await activateFlow(db, workspaceId, poll.flowId);
    const polled = await tick(db, poll.flowId);
    expect(polled.error).toBeUndefined();
    const runs = await db.sql<{ id: string; record_key: string }[]>`select id::text, record_key from runs where flow_id = ${poll.flowId}`;
    // The Lone Star invoice of the previous test, created and edited today.
    const [posted] = await db.sql<{ record_key: string }[]>`
      select record_key from runs where flow_id = ${flowId} and status = 'succeeded' order by created_at limit 1`;
    const again = runs.find((r) => r.record_key === posted!.record_key)!;
    expect(again).toBeDefined();
    expect((await executeRun(db, again.id)).status).toBe("succeeded");
    expect(await nodeStatuses(db, again.id)).toMatchObject({ sync: "already_done", post: "already_done" });
    expect((await entries()).length).toBe(before);
  });

  it("posts nothing for an invoice without tax (software delivered electronically is exempt in California), and commits it at Avalara", async () => {
    const before = (await entries()).length;
    const inv = await invoice("Pacific Ledger Partners", [{ ItemCode: "LIC-STD", Quantity: 3 }]);
    const [run] = await runRecords(db, { workspaceId, flowId, versionId }, [record(inv.InvoiceID)]);
    expect(run!.status).toBe("succeeded");
    expect(await nodeOutput(db, run!.runId, "post")).toMatchObject({ status: "nothing_to_post" });
    expect(await nodeOutput(db, run!.runId, "commit")).toMatchObject({ committed: true });
    expect((await entries()).length).toBe(before);
  });

  it("leaves draft invoices alone until they are processed", async () => {
    const before = (await entries()).length;
    const { InvoiceID } = (await sandboxPost(sb.urls.exact, "/__sandbox/invoices", {
      invoice: { InvoiceTo: accountId("Lone Star Components Inc."), Status: 10, SalesInvoiceLines: [{ ItemCode: "LIC-PRO", Quantity: 1 }] },
    })) as { InvoiceID: string };
    const [run] = await runRecords(db, { workspaceId, flowId, versionId }, [record(InvoiceID)]);
    expect(run!.status).toBe("skipped");
    expect(Object.keys(await nodeStatuses(db, run!.runId))).toEqual(["invoice", "notDraft"]);
    expect((await entries()).length).toBe(before);
  });

  it("parks an invoice whose customer address does not resolve, before any tax is calculated or posted", async () => {
    const before = (await entries()).length;
    const avalaraBefore = (await sandboxState(sb.urls.avalara)).log?.length ?? 0;
    // Cascade Analytics' invoice address is a PO box in a ZIP Avalara cannot place.
    const inv = await invoice("Cascade Analytics LLC", [{ ItemCode: "LIC-PRO", Quantity: 1 }]);
    const [run] = await runRecords(db, { workspaceId, flowId, versionId }, [record(inv.InvoiceID)]);
    expect(run!.status).toBe("needs_review");
    expect(await runStatus(db, run!.runId)).toMatchObject({ failed_node_id: "resolve" });
    const [item] = await reviewItems(db, run!.runId);
    expect(item).toMatchObject({ node_id: "resolve", reason_code: "invalid_address" });
    expect(item!.reason).toContain("Cascade Analytics LLC");
    expect(item!.reason).toContain("PO Box 21877");
    expect((await entries()).length).toBe(before);
    expect((await sandboxState(sb.urls.avalara)).log?.length ?? 0).toBe(avalaraBefore);
  });

  it("parks an invoice taxed in a jurisdiction without a tax GL row, naming the jurisdiction", async () => {
    const before = (await entries()).length;
    // Van Dijk Distributie (Amsterdam): Avalara charges Dutch VAT, which the US tax GL table does not map.
    const inv = await invoice("Van Dijk Distributie B.V.", [{ ItemCode: "LIC-STD", Quantity: 1 }]);
    const [run] = await runRecords(db, { workspaceId, flowId, versionId }, [record(inv.InvoiceID)]);
    expect(run!.status).toBe("needs_review");
    const [item] = await reviewItems(db, run!.runId);
    expect(item).toMatchObject({ node_id: "taxGl", reason_code: "lookup_miss" });
    const tax = (await nodeOutput(db, run!.runId, "sync")) as { jurisdictions: { key: string; tax: number }[] };
    const keys = tax.jurisdictions.filter((j) => j.tax !== 0).map((j) => j.key);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(item!.reason).toContain(`"${key}"`);
    expect((await entries()).length).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Intacct sales transaction -> Avalara -> tax through AR in Intacct

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

describe("Intacct sales transaction -> Avalara -> tax through AR in Intacct", () => {
  let flowId: string;
  const company = async (): Promise<Rec> => (await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"];
  const adjustments = async (): Promise<Rec[]> => (await company()).records.ARADJUSTMENT;
  const adjustmentsOf = async (doc: string) => (await adjustments()).filter((a) => String(a.EXTERNALID).startsWith(`tax:INTACCT-SO-${doc}|`));
  const itemsOf = (adj: Rec): Rec[] => [adj.ARADJUSTMENTITEMS.ARADJUSTMENTITEM].flat();
  /** AR's tax for a document (base currency, cents), from Intacct's own adjustments. */
  const arTax = async (doc: string) => (await adjustmentsOf(doc)).flatMap(itemsOf).reduce((s: number, l: Rec) => s + Math.round(Number(l.AMOUNT) * 100), 0);
  const avalaraTax = async (doc: string) =>
    (await sandboxState(sb.urls.avalara)).documents
      .filter((d: Rec) => d.code === `INTACCT-SO-${doc}` && d.status !== "Cancelled")
      .reduce((s: number, d: Rec) => s + Math.round(d.totalTax * 100), 0);
  const runByDoc = async (docNo: string) => {
    const [row] = await db.sql<{ id: string }[]>`
      select id::text from runs where flow_id = ${flowId} and record_label = ${`Sales Invoice-${docNo}`} and parent_run_id is null order by created_at desc limit 1`;
    return row!.id;
  };
  let outcome: Record<string, string>;
  let balancesBefore: Record<string, string>;

  beforeAll(async () => {
    const created = await instantiateTemplate(db, workspaceId, "intacct-sales-avalara-gl", { demo: true });
    expect(created.problems).toEqual([]);
    flowId = created.flowId;
    await activateFlow(db, workspaceId, flowId);
    balancesBefore = (await company()).arBalances;
    // Before the runs: a jurisdiction of Denver loses its row (someone is still setting the table up).
    await db.sql`delete from lookup_rows where table_id = ${created.tableIds.taxGl!} and key = 'US:CO:STJ:EMBG0'`;
    const polled = await tick(db, flowId);
    expect(polled.error).toBeUndefined();
    expect(polled.created).toBe(7);
    outcome = {};
    for (const doc of ["SI-1001", "SI-1002", "SI-1003", "SI-1004", "SI-1005", "SI-1006", "SI-1007"]) {
      outcome[doc] = (await executeRun(db, await runByDoc(doc))).status;
    }
  });

  it("polls the posted sales invoices and sorts them: posted, no tax, address review, mapping review", () => {
    expect(outcome).toEqual({
      "SI-1001": "needs_review", // Acme, Irvine CA 92614: a ZIP Avalara cannot place
      "SI-1002": "succeeded", // Globex, New York NY
      "SI-1003": "succeeded", // Initech, Austin TX
      "SI-1004": "succeeded", // Umbrella, Seattle WA 98109
      "SI-1005": "succeeded", // Stark, Chicago IL: implementation services are exempt, nothing posted
      "SI-1006": "needs_review", // Wayne, Denver CO: a jurisdiction without a tax GL row
      "SI-1007": "needs_review", // Acme again
    });
  });

  it("posts each jurisdiction's tax through AR: a debit memo against the customer and invoice, on the tax accounts with the state's dimensions", async () => {
    expect((await company()).records.GLBATCH).toEqual([]);
    const posted = await adjustments();
    expect(posted.map((a) => [a.CUSTOMERID, a.DOCNUMBER, a.ADJUSTMENTTYPE, a.STATE])).toEqual([
      ["C200", "SI-1002", "Debit Memo", "Posted"],
      ["C300", "SI-1003", "Debit Memo", "Posted"],
      ["C400", "SI-1004", "Debit Memo", "Posted"],
    ]);
    const [globex, initech, umbrella] = posted;
    // 5 x 1,200 licences in New York City: NY state 4%, NYC 4.5%, MCTD 0.375%.
    expect(itemsOf(globex!).map((e) => [e.ACCOUNTNO, e.TRX_AMOUNT, e.LOCATIONID, e.DEPARTMENTID, e.CLASSID])).toEqual([
      ["2210", "240.00", "US-NY", "FIN", "SW"],
      ["2210", "270.00", "US-NY", "FIN", "SW"],
      ["2210", "22.50", "US-NY", "FIN", "SW"],
    ]);
    // 4 routers (3,599.96) taxable, 6 hours of implementation exempt; Austin TX 6.25% + 1% + 1%.
    expect(itemsOf(initech!).map((e) => [e.ACCOUNTNO, e.TRX_AMOUNT, e.LOCATIONID, e.CLASSID])).toEqual([
      ["2220", "225.00", "US-TX", "HW"],
      ["2220", "36.00", "US-TX", "HW"],
      ["2220", "36.00", "US-TX", "HW"],
    ]);
    expect(itemsOf(umbrella!).map((e) => [e.ACCOUNTNO, e.LOCATIONID])).toEqual([
      ["2230", "US-WA"],
      ["2230", "US-WA"],
      ["2230", "US-WA"],
    ]);
    // The customers' AR balances (and so their aging) now include the tax, equal to Avalara's committed tax.
    const balances = (await company()).arBalances;
    for (const [customer, doc] of [["C200", "SI-1002"], ["C300", "SI-1003"], ["C400", "SI-1004"]] as const) {
      const added = Math.round(Number(balances[customer]) * 100) - Math.round(Number(balancesBefore[customer]) * 100);
      expect(added).toBe(await avalaraTax(doc));
      expect(await arTax(doc)).toBe(await avalaraTax(doc));
    }
    const committed = (await sandboxState(sb.urls.avalara)).documents.filter((d: Rec) => d.code.startsWith("INTACCT-SO-")).map((d: Rec) => [d.code, d.status]);
    expect(committed).toEqual(expect.arrayContaining([["INTACCT-SO-SI-1002", "Committed"], ["INTACCT-SO-SI-1005", "Committed"]]));
  });

  it("parks invalid addresses and unmapped jurisdictions for review, naming them, with nothing posted or committed", async () => {
    const [acme] = await reviewItems(db, await runByDoc("SI-1001"));
    expect(acme).toMatchObject({ node_id: "resolve", reason_code: "invalid_address" });
    expect(acme!.reason).toContain("Acme Corporation");
    const [wayne] = await reviewItems(db, await runByDoc("SI-1006"));
    expect(wayne).toMatchObject({ node_id: "taxGl", reason_code: "lookup_miss", details: { missing: ["US:CO:STJ:EMBG0"] } });
    expect(wayne!.reason).toBe('No mapping for "US:CO:STJ:EMBG0" in the mapping table');
    const doc = (await sandboxState(sb.urls.avalara)).documents.find((d: Rec) => d.code === "INTACCT-SO-SI-1006");
    expect(doc).toMatchObject({ status: "Saved" });
  });

  it("posts the parked transaction once the row is added and the review resolved", async () => {
    const table = (await instantiateTemplateTables())["Tax GL accounts (Intacct)"]!;
    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${workspaceId}, ${table}, 'US:CO:STJ:EMBG0', '{"accountNo":"2260"}'::jsonb)`;
    const [item] = await db.sql<{ id: string }[]>`select id::text from review_items where run_id = ${await runByDoc("SI-1006")}`;
    const replay = await resolveReview(db, workspaceId, item!.id);
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    const [wayne] = await adjustmentsOf("SI-1006");
    // Denver CO: state, city, RTD and SCFD on 2260 at the HQ location (no Colorado location in the demo company).
    expect(itemsOf(wayne!).map((e) => [e.ACCOUNTNO, e.LOCATIONID])).toEqual([
      ["2260", "US"],
      ["2260", "US"],
      ["2260", "US"],
      ["2260", "US"],
    ]);
    expect(await arTax("SI-1006")).toBe(await avalaraTax("SI-1006"));
  });

  it("posts nothing twice: a replay from the start and the next poll add no adjustment", async () => {
    const count = (await adjustments()).length;
    const replay = await replayRun(db, workspaceId, await runByDoc("SI-1002"), { from: "start", version: "own" });
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    expect(await nodeStatuses(db, replay)).toMatchObject({ sync: "already_done", post: "already_done" });
    expect(await tick(db, flowId)).toMatchObject({ created: 0 });
    expect((await adjustments()).length).toBe(count);
  });

  it("reversed in Intacct: the poll sees it, Avalara voids the document and a credit memo reverses the tax in AR", async () => {
    await sandboxPost(sb.urls.intacct, "/__sandbox/sales-transactions/SI-1003/reverse", {});
    const polled = await tick(db, flowId);
    expect(polled).toMatchObject({ created: 1 });
    const reversedRun = await runByDoc("SI-1003");
    const status = (await executeRun(db, reversedRun)).status;
    expect(status, JSON.stringify(await runStatus(db, reversedRun))).toBe("succeeded");
    const [memo, reversal] = await adjustmentsOf("SI-1003");
    expect(reversal, JSON.stringify(await nodeOutput(db, reversedRun, "post")).slice(0, 1500)).toBeDefined();
    expect(reversal).toMatchObject({ ADJUSTMENTTYPE: "Credit Memo", CUSTOMERID: "C300", DOCNUMBER: "SI-1003" });
    expect(String(reversal!.EXTERNALID)).toContain(`reverses=${memo!.RECORDNO}`);
    expect(itemsOf(reversal!).map((l) => [l.ACCOUNTNO, -Number(l.TRX_AMOUNT)])).toEqual(itemsOf(memo!).map((l) => [l.ACCOUNTNO, Number(l.TRX_AMOUNT)]));
    const doc = (await sandboxState(sb.urls.avalara)).documents.find((d: Rec) => d.code === "INTACCT-SO-SI-1003");
    expect(doc).toMatchObject({ status: "Cancelled" });
    expect(await arTax("SI-1003")).toBe(0);
    expect(await avalaraTax("SI-1003")).toBe(0);
  });

  it("closed period: Intacct's 'Periods are closed' parks the run with 'period closed', nothing posted", async () => {
    const before = (await adjustments()).length;
    const created = (await sandboxPost(sb.urls.intacct, "/__sandbox/sales-transactions", { customerId: "C400", lines: [{ itemId: "HW-ROUTER", quantity: 1 }] })) as Rec;
    const period = new Date().toISOString().slice(0, 7);
    await sandboxPost(sb.urls.intacct, "/__sandbox/periods", { period, closed: true });
    await tick(db, flowId);
    const runId = await runByDoc(String(created.DOCNO));
    expect((await executeRun(db, runId)).status).toBe("needs_review");
    const [item] = await reviewItems(db, runId);
    expect(item).toMatchObject({ node_id: "post", reason_code: "period_closed" });
    expect(item!.reason).toContain(`Period closed: ${period}`);
    expect((await adjustments()).length).toBe(before);
    await sandboxPost(sb.urls.intacct, "/__sandbox/periods", { period, closed: false });
  });

  async function instantiateTemplateTables(): Promise<Record<string, string>> {
    const rows = await db.sql<{ id: string; name: string }[]>`select id::text, name from lookup_tables where workspace_id = ${workspaceId}`;
    return Object.fromEntries(rows.map((r) => [r.name, r.id]));
  }
});

describe("Intacct sales transaction -> Avalara -> tax summary to a clearing account", () => {
  it("waits for the clearing account in setup, then posts a balanced TAX entry against it; a reversal posts the offsetting entry once", async () => {
    // A workspace of its own: a company uses this template instead of the AR one.
    const ws = await createWorkspace(db, "Summary");
    for (const system of ["intacct", "avalara"] as const) await sandboxConnection(db, ws, system, sb.urls[system]);
    const created = await instantiateTemplate(db, ws, "intacct-sales-avalara-gl-summary", { demo: true });
    expect(created.problems).toEqual([]);
    await activateFlow(db, ws, created.flowId);
    await tick(db, created.flowId);
    const runOf = async (doc: string) => {
      const [row] = await db.sql<{ id: string }[]>`
        select id::text from runs where flow_id = ${created.flowId} and record_label = ${`Sales Invoice-${doc}`} order by created_at desc limit 1`;
      return row!.id;
    };
    const parked = await runOf("SI-1004");
    expect((await executeRun(db, parked)).status).toBe("needs_review");
    expect((await reviewItems(db, parked))[0]).toMatchObject({ node_id: "setup", reason_code: "lookup_miss" });
    const batches = async () => ((await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"].records.GLBATCH as Rec[]).filter((b) => b.REFERENCENO === "INTACCT-SO-SI-1004");
    expect(await batches()).toEqual([]);

    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${ws}, ${created.tableIds.taxSetup!}, 'clearingAccount', '{"accountNo":"2290"}'::jsonb)`;
    const [item] = await db.sql<{ id: string }[]>`select id::text from review_items where run_id = ${parked}`;
    const resolved = await resolveReview(db, ws, item!.id);
    expect((await executeRun(db, resolved)).status, JSON.stringify(await runStatus(db, resolved))).toBe("succeeded");
    const [batch] = await batches();
    const lines = [batch!.ENTRIES.GLENTRY].flat() as Rec[];
    expect(lines.map((e) => [e.ACCOUNTNO, e.TR_TYPE])).toEqual([
      ["2230", "-1"],
      ["2230", "-1"],
      ["2230", "-1"],
      ["2290", "1"],
    ]);
    expect(lines.some((e) => e.ACCOUNTNO === "1200")).toBe(false);
    expect(centsOf(lines.map((e) => Number(e.TRX_AMOUNT) * Number(e.TR_TYPE)))).toBe(0);

    await sandboxPost(sb.urls.intacct, "/__sandbox/sales-transactions/SI-1004/reverse", {});
    await tick(db, created.flowId);
    const reversal = await runOf("SI-1004");
    expect((await executeRun(db, reversal)).status).toBe("succeeded");
    const [original, offset] = await batches();
    expect(offset!.BATCH_TITLE).toContain(`Reversal of batch ${original!.RECORDNO}`);
    const offsetLines = [offset!.ENTRIES.GLENTRY].flat() as Rec[];
    expect(offsetLines.map((e) => [e.ACCOUNTNO, e.TR_TYPE, e.TRX_AMOUNT])).toEqual(lines.map((e) => [e.ACCOUNTNO, String(-Number(e.TR_TYPE)), e.TRX_AMOUNT]));
    expect((await executeRun(db, await replayRun(db, ws, reversal, { from: "start", version: "own" }))).status).toBe("succeeded");
    expect(await batches()).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Adobe Commerce order -> Intacct AP bill

describe("Adobe Commerce order -> Intacct AP bill", () => {
  let target: { workspaceId: string; flowId: string; versionId: string };
  const records = async (): Promise<Rec> => (await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"].records;
  const placeOrder = async (body: Rec) => ((await sandboxPost(sb.urls.commerce, "/__sandbox/orders", body)) as { order: Rec }).order;
  const orderRecord = (order: Rec) => ({ key: `commerce:order:${order.entity_id}`, version: String(order.updated_at), data: { entity: "order", entityId: order.entity_id } });

  beforeAll(async () => {
    const created = await instantiateTemplate(db, workspaceId, "commerce-order-intacct-ap-bill", { demo: true });
    expect(created.problems).toEqual([]);
    target = { workspaceId, flowId: created.flowId, versionId: created.versionId };
  });

  it("bills a B2B order to a new vendor found by e-mail next time, with the PO number, totalling the grand total", async () => {
    const order = await placeOrder({ customerId: 1, poNumber: "PO-NWD-9001", lines: [{ sku: "ACC-PRO-12M", qty: 2 }, { sku: "USB-HUB-7", qty: 3 }] });
    const [run] = await runRecords(db, target, [orderRecord(order)]);
    expect(run!.status).toBe("succeeded");
    const state = await records();
    const vendor = state.VENDOR.find((v: Rec) => v.DISPLAYCONTACT?.EMAIL1 === "olivia.grant@northwind.example");
    expect(vendor).toMatchObject({ NAME: "Northwind Distribution" });
    const bill = state.APBILL.find((b: Rec) => b.RECORDID === `COM-${order.increment_id}`);
    expect(bill).toMatchObject({ VENDORID: vendor.VENDORID, DOCNUMBER: "PO-NWD-9001", STATE: "Posted", TOTALENTERED: Number(order.grand_total).toFixed(2) });
    const lines = [bill.APBILLITEMS.APBILLITEM].flat().map((l: Rec) => [l.ACCOUNTNO, l.TRX_AMOUNT, l.DEPARTMENTID ?? null]);
    const tax = Number(order.tax_amount).toFixed(2);
    expect(lines).toEqual([
      ["6100", "960.00", "FIN"],
      ["6000", "119.70", "ENG"],
      ["6200", "15.00", null],
      ["6800", tax, null],
    ]);

    // The same customer orders again: the vendor is found, not created twice; the same order's next version bills nothing.
    const second = await placeOrder({ customerId: 1, lines: [{ sku: "PAPER-A4-5BOX", qty: 4 }] });
    await sandboxPost(sb.urls.commerce, `/__sandbox/orders/${order.entity_id}/touch`, { status: "processing" });
    const touched = (await sandboxState(sb.urls.commerce)).orders.find((o: Rec) => o.entity_id === order.entity_id);
    const results = await runRecords(db, target, [orderRecord(second), { ...orderRecord(order), version: String(touched.updated_at) + "#2" }]);
    expect(results.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);
    expect(await nodeStatuses(db, results[1]!.runId)).toMatchObject({ vendor: "already_done", postBill: "already_done" });
    const after = await records();
    expect(after.VENDOR.filter((v: Rec) => v.DISPLAYCONTACT?.EMAIL1 === "olivia.grant@northwind.example")).toHaveLength(1);
    expect(after.APBILL.filter((b: Rec) => b.VENDORID === vendor.VENDORID).map((b: Rec) => b.RECORDID)).toEqual([
      `COM-${order.increment_id}`,
      `COM-${second.increment_id}`,
    ]);
  });

  it("reverses the AP bill of an order cancelled after it was billed, once; a cancelled order never billed posts nothing", async () => {
    const order = await placeOrder({ customerId: 1, lines: [{ sku: "USB-HUB-7", qty: 2 }] });
    const [billed] = await runRecords(db, target, [orderRecord(order)]);
    expect(billed!.status).toBe("succeeded");
    const billOf = async (o: Rec) => (await records()).APBILL.find((b: Rec) => b.RECORDID === `COM-${o.increment_id}`);
    expect(await billOf(order)).toMatchObject({ STATE: "Posted" });
    const cancelled = ((await sandboxPost(sb.urls.commerce, `/__sandbox/orders/${order.entity_id}/cancel`, {})) as { order: Rec; deliveries: unknown[] }).order;
    expect(cancelled).toMatchObject({ state: "canceled", status: "canceled", total_canceled: order.grand_total });
    const [run] = await runRecords(db, target, [{ ...orderRecord(order), version: String(cancelled.updated_at) + "#cancel" }]);
    expect(run!.status).toBe("succeeded");
    expect(await nodeOutput(db, run!.runId, "reverseBill")).toMatchObject({ status: "reversed" });
    expect(await billOf(order)).toMatchObject({ STATE: "Reversed", TOTALDUE: "0.00" });
    const bills = (await records()).APBILL.filter((b: Rec) => b.RECORDID === `COM-${order.increment_id}`);
    expect(bills).toHaveLength(1);
    const child = await replayRun(db, workspaceId, run!.runId, { from: "start", version: "own" });
    expect((await executeRun(db, child)).status).toBe("succeeded");
    expect(await nodeStatuses(db, child)).toMatchObject({ reverseBill: "already_done" });

    const never = await placeOrder({ customerId: 1, lines: [{ sku: "USB-HUB-7", qty: 1 }] });
    const gone = ((await sandboxPost(sb.urls.commerce, `/__sandbox/orders/${never.entity_id}/cancel`, {})) as { order: Rec }).order;
    const [skipped] = await runRecords(db, target, [{ ...orderRecord(never), version: String(gone.updated_at) }]);
    expect(skipped!.status).toBe("succeeded");
    expect(await nodeOutput(db, skipped!.runId, "reverseBill")).toMatchObject({ status: "no_bill" });
    expect(await billOf(never)).toBeUndefined();
  });

  it("turns a credit memo into an AP adjustment against the order's bill", async () => {
    const order = await placeOrder({ customerId: 6, lines: [{ sku: "DESK-STD-140", qty: 2 }] });
    await sandboxPost(sb.urls.commerce, `/__sandbox/orders/${order.entity_id}/invoice`);
    const refund = (await sandboxPost(sb.urls.commerce, `/__sandbox/orders/${order.entity_id}/refund`)) as { document: Rec };
    const memo = refund.document;
    const [billRun, memoRun] = await runRecords(db, target, [
      orderRecord(order),
      { key: `commerce:creditmemo:${memo.entity_id}`, version: String(memo.updated_at), data: { entity: "creditmemo", entityId: memo.entity_id } },
    ]);
    expect([billRun!.status, memoRun!.status]).toEqual(["succeeded", "succeeded"]);
    const adjustment = (await records()).APADJUSTMENT.find((a: Rec) => a.RECORDID === `COM-CM-${memo.increment_id}`);
    // One desk (329.00) and its 8.25% tax (27.14) back.
    expect(adjustment).toMatchObject({ DOCNUMBER: `COM-${order.increment_id}`, TOTALENTERED: (-Number(memo.grand_total)).toFixed(2) });
    expect([adjustment.APADJUSTMENTITEMS.APADJUSTMENTITEM].flat().map((l: Rec) => [l.ACCOUNTNO, l.AMOUNT, l.DEPARTMENTID])).toEqual([
      ["6000", "-329.00", "ADMIN"],
      ["6800", (-Number(memo.tax_amount)).toFixed(2), ""],
    ]);
  });

  it("parks an order with a SKU that has no expense account before creating a vendor or a bill", async () => {
    const before = await records();
    const order = await placeOrder({ customerId: 5, lines: [{ sku: "GIFT-CARD-50", qty: 1, price: 50 }, { sku: "TONER-BK-XL", qty: 1 }] });
    const [run] = await runRecords(db, target, [orderRecord(order)]);
    expect(run!.status).toBe("needs_review");
    const [item] = await reviewItems(db, run!.runId);
    expect(item).toMatchObject({ node_id: "accounts", reason_code: "lookup_miss", details: { missing: ["GIFT-CARD-50"] } });
    const after = await records();
    expect([after.VENDOR.length, after.APBILL.length]).toEqual([before.VENDOR.length, before.APBILL.length]);
  });
});
