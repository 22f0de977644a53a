/**
 * The dry run goes through tax: the Avalara quote happens for real (as a SalesOrder, which Avalara
 * never stores), the journal is rendered with its lines, dimensions and balance instead of sent,
 * and nothing is written anywhere (both sandboxes' state unchanged, no ledger entry).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox as createAvalara, demoAddresses } from "../connectors/avalara/sandbox";
import { createSandbox as createIntacct } from "../connectors/intacct/sandbox";
import type { SandboxServer } from "../connectors/sdk";
import { executeRun } from "./executor/run";
import { createFlow, dryRun, runNow } from "./flows";
import type { FlowDefinitionInput } from "./flow/schema";
import { registry } from "./registry";
import { createConnection, createWorkspace, nodeRuns, runRow, testDb } from "./test/helpers";

const db = testDb();
let avalara: SandboxServer;
let intacct: SandboxServer;

beforeAll(async () => {
  [avalara, intacct] = await Promise.all([createAvalara().listen(0), createIntacct().listen(0)]);
});
afterAll(async () => {
  await Promise.all([avalara.close(), intacct.close()]);
  await db.close();
});

const state = async (server: SandboxServer) => JSON.stringify(await (await fetch(`${server.url}/__sandbox/state`)).json());
/** Intacct's business records and used control ids (a read opens a session; that is not a write). */
async function records(server: SandboxServer): Promise<unknown> {
  const view = (await (await fetch(`${server.url}/__sandbox/state`)).json()) as { companies: Record<string, { records: unknown; usedControlIds: unknown }> };
  return Object.fromEntries(Object.entries(view.companies).map(([id, c]) => [id, { records: c.records, usedControlIds: c.usedControlIds }]));
}

function taxJournalFlow(avalaraId: string, intacctId: string): FlowDefinitionInput {
  const money = (e: string) => `$formatNumber(${e}, '0.00')`;
  return {
    schemaVersion: 1,
    nodes: [
      { id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: {} },
      { id: "tax", type: "avalara.createTransaction", typeVersion: 1, config: {}, connectionId: avalaraId },
      {
        id: "journal",
        type: "core.mapFields",
        typeVersion: 1,
        config: {
          fields: [
            { target: "date", expression: "$trigger.date" },
            { target: "referenceNo", expression: "$trigger.code" },
            { target: "description", expression: "'Sales and tax ' & $trigger.code" },
            {
              target: "lines",
              expression:
                `$append([{ "accountNo": "1200", "type": "debit", "amount": ${money("totalAmount + $sum(jurisdictions.tax)")}, "customerId": $trigger.customerCode }, ` +
                `{ "accountNo": "4000", "type": "credit", "amount": ${money("totalAmount")}, "departmentId": "SALES" }], ` +
                `jurisdictions[tax != 0].{ "accountNo": "2230", "type": "credit", "amount": ${money("tax")}, "memo": taxName, "document": key, "locationId": "US-" & region })`,
            },
          ],
        },
      },
      { id: "post", type: "intacct.createJournalEntry", typeVersion: 1, config: { journal: "GJ" }, connectionId: intacctId },
    ],
    edges: [
      { id: "e1", source: "trigger", target: "tax" },
      { id: "e2", source: "tax", target: "journal" },
      { id: "e3", source: "journal", target: "post" },
    ],
  };
}

describe("dry run through tax", () => {
  it("quotes the tax for real, renders a balanced journal with its jurisdiction lines, and writes nothing anywhere", async () => {
    const workspaceId = await createWorkspace(db, "Dry run tax");
    const av = registry.connector("avalara")!.sandbox!(avalara.url);
    const ia = registry.connector("intacct")!.sandbox!(intacct.url);
    const avalaraId = await createConnection(db, workspaceId, "avalara", "Avalara (sandbox)", av.config, av.secrets);
    const intacctId = await createConnection(db, workspaceId, "intacct", "Intacct (sandbox)", ia.config, ia.secrets);
    const { flowId, problems } = await createFlow(db, workspaceId, { name: "Tax journal", definition: taxJournalFlow(avalaraId, intacctId) });
    expect(problems).toEqual([]);

    const before = await Promise.all([state(avalara), state(intacct)]);
    const sample = {
      code: "INV-DRY-1",
      date: "2024-06-28",
      customerCode: "C400",
      addresses: { shipFrom: demoAddresses.CA, shipTo: demoAddresses.WA },
      lines: [
        { number: "1", amount: 1000, quantity: 2, itemCode: "WIDGET" },
        { number: "2", amount: 250.5, itemCode: "GADGET" },
      ],
    };
    const runId = await dryRun(db, workspaceId, flowId, sample);

    expect((await runRow(db, runId)).status).toBe("dry_run");
    const rows = await nodeRuns(db, runId);
    expect(rows.map((r) => [r.node_id, r.status])).toEqual([
      ["trigger", "succeeded"],
      ["tax", "dry_run"],
      ["journal", "succeeded"],
      ["post", "dry_run"],
    ]);
    const tax = rows[1]!.output as { wouldPost: { type: string; quotedAs: string }; output: { totalTax: number; jurisdictions: { key: string; tax: number }[] } };
    expect(tax.wouldPost).toMatchObject({ type: "SalesInvoice", quotedAs: "SalesOrder", code: "INV-DRY-1" });
    expect(tax.output.totalTax).toBeGreaterThan(0);
    const taxed = tax.output.jurisdictions.filter((j) => j.tax !== 0);
    expect(taxed.length).toBeGreaterThan(1);

    const posting = (rows[3]!.output as { wouldPost: { journal: string; referenceNo: string; totalDebit: string; totalCredit: string; balance: string; lines: { accountNo: string; type: string; amount: string; document?: string; dimensions: Record<string, string> }[] } }).wouldPost;
    expect(posting).toMatchObject({ journal: "GJ", referenceNo: "INV-DRY-1", balance: "0.00" });
    expect(posting.totalDebit).toBe(posting.totalCredit);
    const cents = (s: string) => Math.round(Number(s) * 100);
    expect(cents(posting.totalDebit)).toBe(125_050 + cents(tax.output.totalTax.toFixed(2)));
    expect(posting.lines[0]).toMatchObject({ accountNo: "1200", type: "debit", dimensions: { customerId: "C400" } });
    expect(posting.lines[1]).toMatchObject({ accountNo: "4000", type: "credit", amount: "1250.50", dimensions: { departmentId: "SALES" } });
    // One credit line per jurisdiction with tax, carrying the jurisdiction it came from.
    expect(posting.lines.slice(2).map((l) => l.document)).toEqual(taxed.map((j) => j.key));
    expect(posting.lines.slice(2).every((l) => l.accountNo === "2230" && l.type === "credit" && l.dimensions.locationId === "US-WA")).toBe(true);

    // Nothing written anywhere: both sandboxes as they were, no ledger entry.
    expect(await Promise.all([state(avalara), state(intacct)])).toEqual(before);
    expect(await db.sql`select 1 from idempotency_ledger where workspace_id = ${workspaceId}`).toHaveLength(0);

    // The same document run for real does change both (so the comparison above can fail).
    const real = await runNow(db, workspaceId, flowId, sample);
    const outcome = await executeRun(db, real);
    expect([outcome.status, (await runRow(db, real)).error?.message]).toEqual(["succeeded", undefined]);
    const after = await Promise.all([state(avalara), state(intacct)]);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[1]).toContain("INV-DRY-1");
  });

  it("an AP bill for a vendor Intacct does not have yet: the vendor is marked as to be created, the bill shown with its lines", async () => {
    const workspaceId = await createWorkspace(db, "Dry run bill");
    const ia = registry.connector("intacct")!.sandbox!(intacct.url);
    const intacctId = await createConnection(db, workspaceId, "intacct", "Intacct (sandbox)", ia.config, ia.secrets);
    const definition: FlowDefinitionInput = {
      schemaVersion: 1,
      nodes: [
        { id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: {} },
        { id: "vendor", type: "intacct.findOrCreateVendor", typeVersion: 1, config: { createIfMissing: true }, connectionId: intacctId },
        {
          id: "bill",
          type: "core.mapFields",
          typeVersion: 1,
          config: {
            fields: [
              { target: "vendorId", expression: "vendorId" },
              { target: "billNumber", expression: "$trigger.bill" },
              { target: "date", expression: "'2024-06-28'" },
              { target: "lines", expression: "$trigger.lines.{ 'accountNo': '6200', 'amount': amount, 'memo': text, 'departmentId': 'OPS' }" },
            ],
          },
        },
        { id: "post", type: "intacct.createApBill", typeVersion: 1, config: {}, connectionId: intacctId },
      ],
      edges: [
        { id: "e1", source: "trigger", target: "vendor" },
        { id: "e2", source: "vendor", target: "bill" },
        { id: "e3", source: "bill", target: "post" },
      ],
    };
    const { flowId, problems } = await createFlow(db, workspaceId, { name: "Freight bills", definition });
    expect(problems).toEqual([]);
    const before = await records(intacct);
    const runId = await dryRun(db, workspaceId, flowId, {
      vendorId: "V-NEWFREIGHT",
      email: "billing@new-freight.example",
      name: "New Freight Co",
      bill: "NF-1001",
      lines: [{ amount: "120.00", text: "Pallet" }, { amount: "35.50", text: "Fuel surcharge" }],
    });
    const rows = await nodeRuns(db, runId);
    expect(rows.map((r) => [r.node_id, r.status])).toEqual([
      ["trigger", "succeeded"],
      ["vendor", "dry_run"],
      ["bill", "succeeded"],
      ["post", "dry_run"],
    ]);
    expect((rows[1]!.output as { wouldPost: unknown }).wouldPost).toMatchObject({ object: "VENDOR", wouldCreate: true, vendor: { vendorId: "V-NEWFREIGHT", name: "New Freight Co" } });
    expect((rows[3]!.output as { wouldPost: unknown }).wouldPost).toMatchObject({
      object: "APBILL",
      vendorId: "V-NEWFREIGHT",
      billNumber: "NF-1001",
      total: "155.50",
      lines: [
        { accountNo: "6200", amount: "120.00", memo: "Pallet", dimensions: { departmentId: "OPS" } },
        { accountNo: "6200", amount: "35.50", memo: "Fuel surcharge", dimensions: { departmentId: "OPS" } },
      ],
    });
    expect(await records(intacct)).toEqual(before);
    expect(await db.sql`select 1 from idempotency_ledger where workspace_id = ${workspaceId}`).toHaveLength(0);
  });

  it("Sync document quotes the tax the books would hold, without creating or adjusting anything at Avalara", async () => {
    const workspaceId = await createWorkspace(db, "Dry run sync");
    const av = registry.connector("avalara")!.sandbox!(avalara.url);
    const avalaraId = await createConnection(db, workspaceId, "avalara", "Avalara (sandbox)", av.config, av.secrets);
    const definition: FlowDefinitionInput = {
      schemaVersion: 1,
      nodes: [
        { id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: {} },
        { id: "sync", type: "avalara.syncDocument", typeVersion: 1, config: {}, connectionId: avalaraId },
      ],
      edges: [{ id: "e1", source: "trigger", target: "sync" }],
    };
    const { flowId, problems } = await createFlow(db, workspaceId, { name: "Sync", definition });
    expect(problems).toEqual([]);
    const before = await state(avalara);
    const runId = await dryRun(db, workspaceId, flowId, {
      action: "upsert",
      version: "2024-06-28T10:00:00Z",
      code: "INV-SYNC-DRY",
      transaction: { date: "2024-06-28", customerCode: "C400", addresses: { shipFrom: demoAddresses.CA, shipTo: demoAddresses.WA }, lines: [{ number: "1", amount: 500, taxCode: "P0000000" }] },
    });
    const [, sync] = await nodeRuns(db, runId);
    expect(sync!.status).toBe("dry_run");
    const out = sync!.output as { wouldPost: { quotedAs: string; outcome: string }; output: { outcome: string; totalTax: number; jurisdictions: unknown[]; commit: unknown } };
    expect(out.wouldPost).toMatchObject({ quotedAs: "SalesOrder", outcome: "created" });
    expect(out.output.outcome).toBe("created");
    expect(out.output.totalTax).toBeGreaterThan(0);
    expect(out.output.jurisdictions.length).toBeGreaterThan(1);
    expect(out.output.commit).toBeNull();
    expect(await state(avalara)).toEqual(before);
  });

  it("a write without a preview is shown as what would be sent, and its branch goes no further", async () => {
    const workspaceId = await createWorkspace(db, "Dry run render");
    const definition: FlowDefinitionInput = {
      schemaVersion: 1,
      nodes: [
        { id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: {} },
        { id: "post", type: "core.httpPost", typeVersion: 1, config: { url: "https://example.invalid/hook", keyPath: "invoice" } },
        { id: "after", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "x", expression: "1" }] } },
      ],
      edges: [
        { id: "e1", source: "trigger", target: "post" },
        { id: "e2", source: "post", target: "after" },
      ],
    };
    const { flowId } = await createFlow(db, workspaceId, { name: "Render", definition });
    const runId = await dryRun(db, workspaceId, flowId, { invoice: "INV-9", total: 10 });
    expect((await runRow(db, runId)).status).toBe("dry_run");
    const rows = await nodeRuns(db, runId);
    expect(rows.map((r) => [r.node_id, r.status])).toEqual([
      ["trigger", "succeeded"],
      ["post", "dry_run"],
    ]);
    expect(rows[1]!.output).toEqual({ wouldSend: { invoice: "INV-9", total: 10 } });
  });
});
