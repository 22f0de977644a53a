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
import { createWorkspace, testDb } from "../test/helpers";
import { handleWebhook } from "../triggers";
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
      const created = await instantiateTemplate(db, other, template.id);
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
    const created = await instantiateTemplate(db, empty, "commerce-order-intacct-ap-bill", { name: "AP bills" });
    expect(created.problems.map((p) => [p.code, p.nodeId])).toEqual([
      ["missing_connection", "document"],
      ["missing_connection", "vendor"],
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
    const created = await instantiateTemplate(db, workspaceId, "exact-invoice-avalara-journal");
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

  it("posts a balanced journal entry per jurisdiction for an invoice Exact notifies, and nothing more on an update", async () => {
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
    expect(posted[0].lines[0].Notes).toBe(`exact:${division}:${inv.InvoiceID}:journal`);
    const tax = (await nodeOutput(db, run!.id, "tax")) as { code: string; status: string; totalTax: number };
    expect(tax).toMatchObject({ code: `EXACT-${division}-${inv.InvoiceNumber}`, status: "Committed", totalTax: 1108.8 });

    // The customer's invoice is edited in Exact: a new notification, a new run, nothing posted again.
    await sandboxPost(sb.urls.exact, `/__sandbox/invoices/${inv.InvoiceID}`, { patch: { Description: "Renewal (edited)" } });
    await sb.exact.settle();
    const runs = await runsOf(inv.InvoiceID);
    expect(runs).toHaveLength(2);
    expect((await executeRun(db, runs[1]!.id)).status).toBe("succeeded");
    expect(await nodeStatuses(db, runs[1]!.id)).toMatchObject({ tax: "already_done", post: "already_done" });
    expect((await entries()).length).toBe(before + 1);
  });

  it("posts nothing for an invoice without tax (software delivered electronically is exempt in California)", async () => {
    const before = (await entries()).length;
    const inv = await invoice("Pacific Ledger Partners", [{ ItemCode: "LIC-STD", Quantity: 3 }]);
    const [run] = await runRecords(db, { workspaceId, flowId, versionId }, [record(inv.InvoiceID)]);
    expect(run!.status).toBe("skipped");
    expect(await nodeStatuses(db, run!.runId)).toMatchObject({ tax: "succeeded", hasTax: "skipped" });
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
    const tax = (await nodeOutput(db, run!.runId, "tax")) as { jurisdictions: { key: string; tax: number }[] };
    const keys = tax.jurisdictions.filter((j) => j.tax !== 0).map((j) => j.key);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(item!.reason).toContain(`"${key}"`);
    expect((await entries()).length).toBe(before);
  });
});
