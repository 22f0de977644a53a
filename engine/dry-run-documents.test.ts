/**
 * Dry run of recent documents through the starter templates: the trigger's recent source
 * documents are read live, each is dry-run, and what the final posting node would post is shown
 * per document (the AR memo, the offsetting credit memo, the Exact journal entry) with a total.
 * Nothing is written: the sandboxes' state, the idempotency ledger and the review queue are as
 * they were.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectExactSandbox } from "./demo/seed";
import { dryRunRecentDocuments, summarizeDryRun, type DryRunDocument } from "./dry-run-documents";
import { dryRun } from "./flows";
import { instantiateTemplate } from "./templates";
import { nodeOutput, runRecords, sandboxConnection, sandboxPost, sandboxState, startSandboxes, type Sandboxes } from "./templates/test-helpers";
import { createWorkspace, testDb } from "./test/helpers";
import { recentSourceRecords } from "./run-input";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const db = testDb();
let sb: Sandboxes;

beforeAll(async () => {
  sb = await startSandboxes();
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

const cents = (v: string | number) => Math.round(Number(v) * 100);
/** Intacct's business records and control ids (a read opens a session: not a write). */
const intacctBooks = async () => {
  const company = (await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"];
  return JSON.stringify({ records: company.records, usedControlIds: company.usedControlIds, arBalances: company.arBalances });
};
const avalaraBooks = async () => JSON.stringify((await sandboxState(sb.urls.avalara)).documents);
const nothingStored = async (workspaceId: string) => {
  expect(await db.sql`select 1 from idempotency_ledger where workspace_id = ${workspaceId}`).toHaveLength(0);
  expect(await db.sql`select 1 from review_items where workspace_id = ${workspaceId}`).toHaveLength(0);
};
const posting = (doc: DryRunDocument, nodeId: string) => doc.postings.find((p) => p.nodeId === nodeId);

describe("dry run of recent Intacct sales invoices (AR template)", () => {
  let workspaceId: string;
  let flowId: string;

  beforeAll(async () => {
    workspaceId = await createWorkspace(db, "Dry run AR");
    for (const system of ["intacct", "avalara"] as const) await sandboxConnection(db, workspaceId, system, sb.urls[system]);
    const created = await instantiateTemplate(db, workspaceId, "intacct-sales-avalara-gl", { demo: true });
    expect(created.problems).toEqual([]);
    flowId = created.flowId;
  });

  it("shows per document the AR debit memo it would post, line by line, and the total, equal to Avalara's quote; nothing is written", async () => {
    const before = await Promise.all([intacctBooks(), avalaraBooks()]);
    const batch = await dryRunRecentDocuments(db, workspaceId, flowId, { count: 5 });

    // The five most recent sales invoices, newest first.
    expect(batch.documents.map((d) => [d.label, d.status])).toEqual([
      ["Sales Invoice-SI-1007", "needs_review"], // Acme: an address Avalara cannot place
      ["Sales Invoice-SI-1006", "dry_run"], // Wayne, Denver CO
      ["Sales Invoice-SI-1005", "dry_run"], // Stark: exempt services, nothing to post
      ["Sales Invoice-SI-1004", "dry_run"], // Umbrella, Seattle WA
      ["Sales Invoice-SI-1003", "dry_run"], // Initech, Austin TX
    ]);
    const [acme, wayne, stark, umbrella, initech] = batch.documents as [DryRunDocument, DryRunDocument, DryRunDocument, DryRunDocument, DryRunDocument];
    expect(acme.error).toMatchObject({ nodeId: "resolve" });
    expect(acme.error!.message).toContain("Acme");
    expect(acme.postings.find((p) => p.nodeId === "post")).toBeUndefined();

    // 4 routers (3,599.96) taxable in Austin TX: 6.25% + 1% + 1% on the TX tax account with the TX dimensions.
    const memo = posting(initech, "post")!;
    expect(memo).toMatchObject({ nodeName: "Post tax through AR for this version (Intacct)", rendersInput: false, total: "297.00", currency: "USD" });
    expect(memo.wouldPost).toMatchObject({
      object: "ARADJUSTMENT",
      outcome: "posted",
      customerId: "C300",
      invoiceNumber: "SI-1003",
      document: "INTACCT-SO-SI-1003",
      reversals: [],
      adjustment: {
        kind: "Debit Memo",
        externalId: expect.stringMatching(/^tax:INTACCT-SO-SI-1003\|v=/),
        total: "297.00",
        lines: [
          { accountNo: "2220", amount: "225.00", dimensions: { locationId: "US-TX", departmentId: "FIN", classId: "HW" } },
          { accountNo: "2220", amount: "36.00", dimensions: { locationId: "US-TX" } },
          { accountNo: "2220", amount: "36.00", dimensions: { locationId: "US-TX" } },
        ],
      },
    });
    // Each line names the jurisdiction it came from; the memo equals the tax Avalara quoted to the cent.
    const quoted = (await nodeOutput(db, initech.runId, "sync")) as { output: { totalTax: number; jurisdictions: { tax: number; jurisName: string }[] } };
    expect(cents(memo.total!)).toBe(cents(quoted.output.totalTax));
    const lines = (memo.wouldPost as { adjustment: { lines: { memo: string }[] } }).adjustment.lines;
    expect(lines.map((l) => l.memo)).toEqual(quoted.output.jurisdictions.filter((j) => j.tax !== 0).map((j) => expect.stringContaining(j.jurisName)));
    // The dry run goes on past the posting: the Avalara commit is shown as what would be sent.
    expect(posting(initech, "commit")).toMatchObject({ rendersInput: true, total: null });

    expect(posting(stark, "post")!.wouldPost).toMatchObject({ outcome: "nothing_to_post", adjustment: null, total: "0.00" });
    expect(posting(wayne, "post")!.wouldPost).toMatchObject({ adjustment: { kind: "Debit Memo", lines: expect.arrayContaining([expect.objectContaining({ accountNo: "2260" })]) } });

    // The total over the documents: the sum of every memo, in its currency.
    const memos = [wayne, stark, umbrella, initech].map((d) => cents(posting(d, "post")!.total!));
    expect(batch.totals).toEqual([{ currency: "USD", total: (memos.reduce((s, v) => s + v, 0) / 100).toFixed(2), postings: 4 }]);

    expect(await Promise.all([intacctBooks(), avalaraBooks()])).toEqual(before);
    await nothingStored(workspaceId);
  });

  it("a document reversed after posting: the credit memo that would reverse the memo in force, and nothing sent", async () => {
    // Post SI-1004 for real first, then reverse it in Intacct.
    const [{ id: versionId }] = await db.sql<{ id: string }[]>`select id::text from flow_versions where flow_id = ${flowId} order by version desc limit 1`;
    const record = (await recentSourceRecords(db, workspaceId, flowId)).find((r) => r.label === "Sales Invoice-SI-1004")!;
    const [real] = await runRecords(db, { workspaceId, flowId, versionId: versionId! }, [record]);
    expect(real!.status).toBe("succeeded");
    const company = async () => (await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"];
    const [posted] = ((await company()).records.ARADJUSTMENT as Rec[]).filter((a) => String(a.EXTERNALID).startsWith("tax:INTACCT-SO-SI-1004|"));
    const postedLines = [posted!.ARADJUSTMENTITEMS.ARADJUSTMENTITEM].flat() as Rec[];
    await sandboxPost(sb.urls.intacct, "/__sandbox/sales-transactions/SI-1004/reverse", {});

    const before = await Promise.all([intacctBooks(), avalaraBooks()]);
    const ledgerBefore = await db.sql`select 1 from idempotency_ledger where workspace_id = ${workspaceId}`;
    const batch = await dryRunRecentDocuments(db, workspaceId, flowId, { count: 7 });
    const reversed = batch.documents.find((d) => d.label === "Sales Invoice-SI-1004")!;
    expect(reversed.status).toBe("dry_run");
    const shown = posting(reversed, "post")!;
    expect(shown.wouldPost).toMatchObject({
      outcome: "posted",
      adjustment: null,
      reversals: [{ reverses: String(posted!.RECORDNO), kind: "Credit Memo", externalId: expect.stringContaining(`|reverses=${posted!.RECORDNO}`) }],
    });
    const reversal = (shown.wouldPost as { reversals: { lines: { accountNo: string; amount: string }[]; total: string }[] }).reversals[0]!;
    expect(reversal.lines.map((l) => [l.accountNo, cents(l.amount)])).toEqual(postedLines.map((l) => [l.ACCOUNTNO, -cents(l.TRX_AMOUNT)]));
    expect(cents(shown.total!)).toBe(-postedLines.reduce((s, l) => s + cents(l.TRX_AMOUNT), 0));
    // Avalara's part is shown too: the document would be voided.
    expect(posting(reversed, "sync")!.wouldPost).toMatchObject({ action: "DocVoided" });

    expect(await Promise.all([intacctBooks(), avalaraBooks()])).toEqual(before);
    expect(await db.sql`select 1 from idempotency_ledger where workspace_id = ${workspaceId}`).toHaveLength(ledgerBefore.length);
  });

  it("refuses a count out of range and a flow whose trigger cannot list documents, clearly", async () => {
    await expect(dryRunRecentDocuments(db, workspaceId, flowId, { count: 0 })).rejects.toThrow(/between 1 and 10/);
    const other = await createWorkspace(db, "Dry run none");
    const created = await instantiateTemplate(db, other, "intacct-sales-avalara-gl", { demo: true });
    // No connections in this workspace: the trigger has none to list from.
    await expect(dryRunRecentDocuments(db, other, created.flowId, { count: 2 })).rejects.toThrow(/no recent source documents/);
  });
});

describe("dry run through the Intacct tax summary template (GLBATCH)", () => {
  it("shows the balanced TAX batch: each jurisdiction credited, the clearing account debited; Intacct unchanged", async () => {
    const workspaceId = await createWorkspace(db, "Dry run summary");
    for (const system of ["intacct", "avalara"] as const) await sandboxConnection(db, workspaceId, system, sb.urls[system]);
    const created = await instantiateTemplate(db, workspaceId, "intacct-sales-avalara-gl-summary", { demo: true });
    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${workspaceId}, ${created.tableIds.taxSetup!}, 'clearingAccount', '{"accountNo":"2290"}'::jsonb)`;
    const record = (await recentSourceRecords(db, workspaceId, created.flowId)).find((r) => r.label === "Sales Invoice-SI-1002")!;
    const before = await Promise.all([intacctBooks(), avalaraBooks()]);
    const runId = await dryRun(db, workspaceId, created.flowId, record.data);
    const summary = await summarizeDryRun(db, workspaceId, runId);
    expect(summary.status).toBe("dry_run");
    const batch = summary.postings.find((p) => p.nodeId === "post")!;
    // 5 x 1,200 licences in New York City: NY state 4%, NYC 4.5%, MCTD 0.375%.
    expect(batch).toMatchObject({ total: "532.50", rendersInput: false });
    expect(batch.wouldPost).toMatchObject({
      object: "GLBATCH",
      outcome: "posted",
      batches: [
        {
          journal: "TAX",
          referenceNo: "INTACCT-SO-SI-1002",
          reverses: null,
          totalDebit: "532.50",
          totalCredit: "532.50",
          balance: "0.00",
          lines: [
            { accountNo: "2210", type: "credit", amount: "240.00", dimensions: { locationId: "US-NY", departmentId: "FIN", classId: "SW" } },
            { accountNo: "2210", type: "credit", amount: "270.00" },
            { accountNo: "2210", type: "credit", amount: "22.50" },
            { accountNo: "2290", type: "debit", amount: "532.50" },
          ],
        },
      ],
    });
    expect(await Promise.all([intacctBooks(), avalaraBooks()])).toEqual(before);
    await nothingStored(workspaceId);
  });
});

describe("dry run of a recent Exact invoice (reconciliation template)", () => {
  it("shows the balanced journal entry with one line per jurisdiction and the offset, in the division currency; Exact unchanged", async () => {
    const workspaceId = await createWorkspace(db, "Dry run Exact");
    const exact = await sandboxConnection(db, workspaceId, "exact", sb.urls.exact);
    await sandboxConnection(db, workspaceId, "avalara", sb.urls.avalara);
    await connectExactSandbox(db, workspaceId, exact, "https://app.ledgerline.example/api/oauth/callback");
    const created = await instantiateTemplate(db, workspaceId, "exact-invoice-avalara-journal-poll", { demo: true });
    expect(created.problems).toEqual([]);
    const division = sb.exact.world.regions.get("us")!.divisions.get(1001)!;
    const customer = division.accounts.find((a) => a.Name === "Lone Star Components Inc.")!.ID as string;
    await sandboxPost(sb.urls.exact, "/__sandbox/invoices", { invoice: { InvoiceTo: customer, InvoiceDate: "2026-03-05", SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 2 }, { ItemCode: "SUP-ANN", Quantity: 2 }] } });

    const exactBooks = async () => JSON.stringify((await sandboxState(sb.urls.exact)).regions.us.divisions.find((d: Rec) => d.code === 1001).journalEntries);
    const before = await Promise.all([exactBooks(), avalaraBooks()]);
    const batch = await dryRunRecentDocuments(db, workspaceId, created.flowId, { count: 1 });
    const [doc] = batch.documents;
    expect(doc!.status, JSON.stringify(doc!.error)).toBe("dry_run");
    const journal = posting(doc!, "post")!;
    expect(journal).toMatchObject({ rendersInput: false, total: "1108.80", currency: "USD" });
    expect(journal.wouldPost).toMatchObject({
      object: "GeneralJournalEntry",
      outcome: "posted",
      entries: [
        {
          reversal: false,
          currency: "USD",
          totalDebit: "1108.80",
          totalCredit: "1108.80",
          balance: "0.00",
          lines: [
            { glAccount: "2230", type: "credit", amount: "840.00", dimensions: { costCenter: "120" }, jurisdiction: "US:TX:STA:48" },
            { glAccount: "2250", type: "credit", amount: "134.40", dimensions: { costCenter: "120" }, jurisdiction: expect.stringMatching(/^US:TX:/) },
            { glAccount: "2250", type: "credit", amount: "134.40", dimensions: { costCenter: "120" }, jurisdiction: expect.stringMatching(/^US:TX:/) },
            { glAccount: "4100", type: "debit", amount: "1108.80" },
          ],
        },
      ],
    });
    expect(batch.totals).toEqual([{ currency: "USD", total: "1108.80", postings: 1 }]);
    expect(await Promise.all([exactBooks(), avalaraBooks()])).toEqual(before);
    await nothingStored(workspaceId);
    // Run for real, the same document changes the books (so the comparison above can fail).
    const [record] = (await recentSourceRecords(db, workspaceId, created.flowId)).slice(-1);
    const [real] = await runRecords(db, { workspaceId, flowId: created.flowId, versionId: created.versionId }, [record!]);
    expect(real!.status).toBe("succeeded");
    expect(await exactBooks()).not.toEqual(before[0]);
  });
});

describe("dry run in a workspace whose mapping tables are still empty", () => {
  it("a document a real run would park says so and names the values to map; nothing reaches the review queue", async () => {
    const workspaceId = await createWorkspace(db, "Dry run empty tables");
    for (const system of ["intacct", "avalara"] as const) await sandboxConnection(db, workspaceId, system, sb.urls[system]);
    const created = await instantiateTemplate(db, workspaceId, "intacct-sales-avalara-gl", { parameters: { companyCode: "DEFAULT" } });
    const sale = await sandboxPost(sb.urls.intacct, "/__sandbox/sales-transactions", { customerId: "C400", lines: [{ itemId: "HW-ROUTER", quantity: 1 }, { itemId: "SW-STD", quantity: 1 }] });
    const before = await Promise.all([intacctBooks(), avalaraBooks()]);
    const { documents } = await dryRunRecentDocuments(db, workspaceId, created.flowId, { count: 1 });
    expect(documents.map((d) => [d.label, d.status])).toEqual([[`Sales Invoice-${String(sale.DOCNO)}`, "needs_review"]]);
    expect(documents[0]!.error).toMatchObject({ nodeId: "sync", missing: { tableId: created.tableIds.itemTaxCodes, keys: ["HW-ROUTER", "SW-STD"] } });
    expect(await Promise.all([intacctBooks(), avalaraBooks()])).toEqual(before);
    await nothingStored(workspaceId);
  });
});
