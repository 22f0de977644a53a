/**
 * Intacct sales -> Avalara -> tax through AR: the "credited" row of the lifecycle. A Sales Return
 * converted from an invoice becomes an Avalara ReturnInvoice of its own (positive quantities,
 * negative amounts, taxed as of the invoice's date, committed last) and an AR credit memo against
 * the customer and the invoice it credits; full and partial, edited and deleted like an invoice,
 * and on an invoice whose Avalara document is locked. End to end over HTTP against the Intacct and
 * Avalara sandboxes, real PostgreSQL, the real poll and executor; each assertion reads the
 * sandboxes' own state.
 */
import { describe, expect, it } from "vitest";
import { DEMO as AVALARA_DEMO } from "../../connectors/avalara/sandbox";
import { executeRun } from "../executor/run";
import { replayRun } from "../runs";
import { tick } from "../triggers";
import { intacctSalesFrame, nextSecond, nodeStatuses, sandboxPost, sandboxState } from "./test-helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const { frame, company, memosOf, items, sell, pollAndRun } = intacctSalesFrame("Intacct credits");
const { db } = frame;

const cents = (v: unknown) => Math.round(Number(v) * 100);
/** AR's tax for the documents in cents (transaction currency), from Intacct's own adjustments. */
const arTax = async (...docNos: string[]) => {
  let sum = 0;
  for (const d of docNos) sum += (await memosOf(d)).flatMap(items).reduce((s, l) => s + cents(l.TRX_AMOUNT), 0);
  return sum;
};
const avalaraDoc = async (docNo: string, type: string): Promise<Rec | undefined> =>
  ((await sandboxState(frame.sb.urls.avalara)).documents as Rec[]).find((d) => d.code === `INTACCT-SO-${docNo}` && d.type === type);
const avalaraAuth = `Basic ${Buffer.from(`${AVALARA_DEMO.accountId}:${AVALARA_DEMO.licenseKey}`).toString("base64")}`;
/** The document as AvaTax answers GetTransactionByCode (its lines, dates and references). */
const avalaraRead = async (docNo: string, type: string): Promise<Rec> =>
  (await fetch(`${frame.sb.urls.avalara}/api/v2/companies/DEFAULT/transactions/INTACCT-SO-${docNo}?documentType=${type}`, { headers: { authorization: avalaraAuth } })).json();
/** Avalara's current tax for the invoice and its returns in cents (voided documents hold none). */
const avalaraTax = async (invoiceNo: string, ...returnNos: string[]) => {
  let sum = 0;
  for (const [no, type] of [[invoiceNo, "SalesInvoice"], ...returnNos.map((r) => [r, "ReturnInvoice"])] as const) {
    const doc = await avalaraDoc(no, type);
    if (doc && doc.status !== "Cancelled") sum += cents(doc.totalTax);
  }
  return sum;
};
/** Every memo balances: its lines add up to its total, the AR control account takes the other side. */
const balances = (memo: Rec) => expect(items(memo).reduce((s, l) => s + cents(l.TRX_AMOUNT), 0), memo.RECORDNO).toBe(cents(memo.TRX_TOTALENTERED));
const credit = async (invoice: Rec, lines: Rec[]) => sell(String(invoice.CUSTVENDID), lines, { docparid: "Sales Return", createdFrom: invoice.DOCNO });

describe("Intacct Sales Return (credited)", () => {
  it("full credit: a committed ReturnInvoice of its own, taxed as of the invoice's date, and an AR credit memo against the invoice; AR nets to zero like Avalara; a replay posts nothing", async () => {
    // Umbrella Health, Seattle WA: two routers, both returned.
    const invoice = await sell("C400", [{ itemId: "HW-ROUTER", quantity: 2 }], { date: "2026-11-20" });
    expect((await pollAndRun(invoice)).status).toBe("succeeded");
    const invoiceTax = await arTax(invoice.DOCNO);
    expect(invoiceTax).toBeGreaterThan(0);
    const balanceBefore = cents((await company()).arBalances.C400);

    await nextSecond();
    const ret = await credit(invoice, [{ itemId: "HW-ROUTER", quantity: 2 }]);
    const run = await pollAndRun(ret);
    expect(run.status).toBe("succeeded");

    expect(await avalaraDoc(ret.DOCNO, "ReturnInvoice")).toMatchObject({ status: "Committed", version: 1 });
    const returnDoc = await avalaraRead(ret.DOCNO, "ReturnInvoice");
    expect(returnDoc).toMatchObject({ status: "Committed", type: "ReturnInvoice", referenceCode: `Sales Invoice-${invoice.DOCNO}`, customerCode: "C400" });
    expect(returnDoc.taxDate.slice(0, 10)).toBe("2026-11-20");
    expect(returnDoc.date.slice(0, 10)).not.toBe("2026-11-20");
    expect(returnDoc.lines.map((l: Rec) => [l.quantity, l.lineAmount])).toEqual([[2, -1799.98]]);
    expect(cents(returnDoc.totalTax)).toBe(-invoiceTax);
    // The invoice's Avalara document is not touched.
    expect(await avalaraDoc(invoice.DOCNO, "SalesInvoice")).toMatchObject({ status: "Committed", version: 1 });

    const [memo] = await memosOf(ret.DOCNO);
    expect(memo).toMatchObject({ ADJUSTMENTTYPE: "Credit Memo", CUSTOMERID: "C400", DOCNUMBER: invoice.DOCNO });
    balances(memo!);
    // Each jurisdiction's returned tax on its liability account: the invoice memo's lines, negated.
    const [invoiceMemo] = await memosOf(invoice.DOCNO);
    expect(items(memo!).map((l) => [l.ACCOUNTNO, -cents(l.TRX_AMOUNT)]).sort()).toEqual(items(invoiceMemo!).map((l) => [l.ACCOUNTNO, cents(l.TRX_AMOUNT)]).sort());
    expect(await arTax(invoice.DOCNO, ret.DOCNO)).toBe(0);
    expect(await avalaraTax(invoice.DOCNO, ret.DOCNO)).toBe(0);
    // The customer's balance: the return's goods credit (its AR credit memo) and the returned tax.
    expect(cents((await company()).arBalances.C400)).toBe(balanceBefore - cents(ret.TOTAL) - invoiceTax);

    const count = ((await company()).records.ARADJUSTMENT as Rec[]).length;
    const replay = await replayRun(db, frame.workspaceId, run.id, { from: "start", version: "own" });
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    expect(await nodeStatuses(db, replay)).toMatchObject({ sync: "already_done", post: "already_done", commit: "already_done" });
    expect(await tick(db, frame.flows.sales)).toMatchObject({ created: 0 });
    expect(((await company()).records.ARADJUSTMENT as Rec[]).length).toBe(count);
  });

  it("partial credit, then the return edited and deleted: AR for the invoice always equals Avalara's invoice minus its return", async () => {
    // Globex, New York: two licences and a router; one licence comes back.
    const invoice = await sell("C200", [{ itemId: "SW-STD", quantity: 2 }, { itemId: "HW-ROUTER", quantity: 1 }]);
    expect((await pollAndRun(invoice)).status).toBe("succeeded");
    await nextSecond();
    const ret = await credit(invoice, [{ itemId: "SW-STD", quantity: 1 }]);
    expect((await pollAndRun(ret)).status).toBe("succeeded");
    const partial = await avalaraTax(invoice.DOCNO, ret.DOCNO);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(await avalaraTax(invoice.DOCNO));
    expect(await arTax(invoice.DOCNO, ret.DOCNO)).toBe(partial);

    // The return edited to both licences: Avalara adjusts the ReturnInvoice, AR reverses the credit memo in force and posts the new one.
    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${ret.DOCNO}/update`, { lines: [{ itemId: "SW-STD", quantity: 2 }] });
    const edit = await pollAndRun(ret);
    expect(edit.status).toBe("succeeded");
    expect(await avalaraDoc(ret.DOCNO, "ReturnInvoice")).toMatchObject({ status: "Committed", version: 2, adjustmentReason: "PriceAdjusted" });
    const [first, reversal, second] = await memosOf(ret.DOCNO);
    expect([first, reversal, second].map((m) => m!.ADJUSTMENTTYPE)).toEqual(["Credit Memo", "Debit Memo", "Credit Memo"]);
    expect(String(reversal!.EXTERNALID)).toContain(`reverses=${first!.RECORDNO}`);
    expect(reversal).toMatchObject({ DOCNUMBER: invoice.DOCNO, CUSTOMERID: "C200" });
    for (const m of [first, reversal, second]) balances(m!);
    expect(await arTax(invoice.DOCNO, ret.DOCNO)).toBe(await avalaraTax(invoice.DOCNO, ret.DOCNO));
    expect(await arTax(invoice.DOCNO, ret.DOCNO)).toBeLessThan(partial);
    const replay = await replayRun(db, frame.workspaceId, edit.id, { from: "start", version: "own" });
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    expect(await memosOf(ret.DOCNO)).toHaveLength(3);

    // The return deleted: its ReturnInvoice voided, its memo reversed; the invoice's tax is whole again.
    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${ret.DOCNO}/delete`, {});
    expect((await pollAndRun(ret)).status).toBe("succeeded");
    expect(await avalaraDoc(ret.DOCNO, "ReturnInvoice")).toMatchObject({ status: "Cancelled" });
    const memos = await memosOf(ret.DOCNO);
    expect(memos).toHaveLength(4);
    expect(String(memos[3]!.EXTERNALID)).toContain(`reverses=${second!.RECORDNO}`);
    expect(await arTax(ret.DOCNO)).toBe(0);
    expect(await arTax(invoice.DOCNO, ret.DOCNO)).toBe(await avalaraTax(invoice.DOCNO));
  });

  it("a credit on an invoice whose Avalara document is locked (on a filed return) still posts: the ReturnInvoice is a document of its own", async () => {
    const invoice = await sell("C300", [{ itemId: "HW-ROUTER", quantity: 3 }]);
    expect((await pollAndRun(invoice)).status).toBe("succeeded");
    const lock = await fetch(`${frame.sb.urls.avalara}/api/v2/companies/DEFAULT/transactions/INTACCT-SO-${invoice.DOCNO}/lock`, {
      method: "POST",
      headers: { authorization: avalaraAuth, "content-type": "application/json" },
      body: JSON.stringify({ isLocked: true }),
    });
    expect(lock.status).toBe(200);
    await nextSecond();
    const ret = await credit(invoice, [{ itemId: "HW-ROUTER", quantity: 1 }]);
    expect((await pollAndRun(ret)).status).toBe("succeeded");
    expect(await avalaraDoc(invoice.DOCNO, "SalesInvoice")).toMatchObject({ locked: true, status: "Committed", version: 1 });
    expect(await avalaraDoc(ret.DOCNO, "ReturnInvoice")).toMatchObject({ status: "Committed" });
    expect(await arTax(invoice.DOCNO, ret.DOCNO)).toBe(await avalaraTax(invoice.DOCNO, ret.DOCNO));
    expect(await arTax(ret.DOCNO)).toBeLessThan(0);
  });
});
