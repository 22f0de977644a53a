/**
 * Sales credits on the wire: a "Sales Return" converted from a Sales Invoice reads back over the
 * gateway with DOCPARID "Sales Return" and CREATEDFROM = the invoice's DOCID, its AR side is a
 * credit memo against the customer and that invoice, a document in another currency carries its
 * currency block; and the sales poll with `creditDocparids` delivers the return (one query over
 * both definitions) with the invoice it credits, then its edit and its deletion.
 */
import { describe, expect, it } from "vitest";
import { pollSalesTransactions } from "./nodes/pollSalesTransactions";
import { DEMO_COMPANY, nodeCtx, START, sandboxKit } from "./testkit";

const kit = sandboxKit();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;
const company = async (): Promise<Rec> => (await (await fetch(`${kit.server.url}/__sandbox/state`)).json()).companies[DEMO_COMPANY];
const admin = async (path: string, body: unknown = {}) => {
  const res = await fetch(`${kit.server.url}/__sandbox/${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Rec };
};
const pollCtx = () => ({ client: kit.client().client, log: { info() {}, warn() {}, error() {} }, signal: new AbortController().signal, workspaceId: "w", flowId: "f", nodeId: "n" });

describe("sandbox: a Sales Return credits an invoice", () => {
  it("reads back over the gateway with its definition and CREATEDFROM; AR holds a credit memo against the customer and the invoice", async () => {
    const invoice = (await admin("sales-transactions", { customerId: "C400", lines: [{ itemId: "HW-ROUTER", quantity: 3 }] })).body;
    const balanceBefore = Number((await company()).arBalances.C400);
    const ret = await admin("sales-transactions", { customerId: "C400", docparid: "Sales Return", createdFrom: invoice.DOCNO, lines: [{ itemId: "HW-ROUTER", quantity: 1 }] });
    expect(ret.status).toBe(200);
    expect(ret.body).toMatchObject({ DOCPARID: "Sales Return", DOCID: `Sales Return-${ret.body.DOCNO}`, CREATEDFROM: `Sales Invoice-${invoice.DOCNO}`, TOTAL: "899.99", CURRENCY: "USD" });

    const [result] = await kit.client().client.batch(
      [
        {
          name: "query",
          body: {
            object: "SODOCUMENT",
            select: { field: ["RECORDNO", "DOCID", "DOCPARID", "CREATEDFROM", "TOTAL"] },
            filter: { "#raw": `<equalto><field>DOCPARID</field><value>Sales Return</value></equalto>` },
          },
        },
      ],
      { write: false },
    );
    expect(result).toMatchObject({ status: "success" });
    expect(result!.data!.records).toEqual([{ RECORDNO: ret.body.RECORDNO, DOCID: ret.body.DOCID, DOCPARID: "Sales Return", CREATEDFROM: `Sales Invoice-${invoice.DOCNO}`, TOTAL: "899.99" }]);

    const state = await company();
    const credit = state.records.ARADJUSTMENT.find((a: Rec) => a.RECORDID === ret.body.DOCNO);
    expect(credit).toMatchObject({ ADJUSTMENTTYPE: "Credit Memo", CUSTOMERID: "C400", DOCNUMBER: invoice.DOCNO, TOTALENTERED: "-899.99", TOTALDUE: "-899.99" });
    expect(Number(state.arBalances.C400)).toBeCloseTo(balanceBefore - 899.99, 2);
    // The invoice itself is unchanged.
    expect(state.records.ARINVOICE.find((i: Rec) => i.RECORDID === invoice.DOCNO)).toMatchObject({ TOTALENTERED: invoice.TOTAL });
  });

  it("refuses a return without the invoice it credits, or for another customer, and keeps nothing", async () => {
    const invoice = (await admin("sales-transactions", { customerId: "C400", lines: [{ itemId: "SW-STD", quantity: 1 }] })).body;
    const before = (await company()).records.SODOCUMENT.length;
    expect((await admin("sales-transactions", { customerId: "C400", docparid: "Sales Return", lines: [{ itemId: "SW-STD", quantity: 1 }] })).body.error).toContain("needs createdFrom");
    expect((await admin("sales-transactions", { customerId: "C200", docparid: "Sales Return", createdFrom: invoice.DOCNO, lines: [{ itemId: "SW-STD", quantity: 1 }] })).body.error).toContain("belongs to C400");
    expect((await company()).records.SODOCUMENT.length).toBe(before);
  });

  it("a EUR document in the USD company carries CURRENCY, BASECURR, EXCHRATE and EXCHRATEDATE; AR holds the base amount, and its return the same rate", async () => {
    const eur = (await admin("sales-transactions", { customerId: "C200", currency: "EUR", exchangeRate: 1.0712, lines: [{ itemId: "SW-STD", quantity: 2 }] })).body;
    expect(eur).toMatchObject({ CURRENCY: "EUR", BASECURR: "USD", EXCHRATE: "1.0712", EXCHRATEDATE: "06/30/2024", TOTAL: "2400.00" });
    const invoice = (await company()).records.ARINVOICE.find((i: Rec) => i.RECORDID === eur.DOCNO);
    expect(invoice).toMatchObject({ CURRENCY: "EUR", TRX_TOTALENTERED: "2400.00", TOTALENTERED: "2570.88" });
    const ret = (await admin("sales-transactions", { customerId: "C200", docparid: "Sales Return", createdFrom: eur.DOCNO, lines: [{ itemId: "SW-STD", quantity: 1 }] })).body;
    expect(ret).toMatchObject({ CURRENCY: "EUR", EXCHRATE: "1.0712" });
    expect((await admin("sales-transactions", { customerId: "C200", currency: "EUR", lines: [{ itemId: "SW-STD", quantity: 1 }] })).body.error).toContain("give exchangeRate");
  });
});

describe("sales poll with credit definitions", () => {
  it("delivers a Sales Return with the invoice it credits, then its edit (a new AR credit) and its deletion, once each", async () => {
    const config = pollSalesTransactions.config.parse({ initialLookbackDays: 30, creditDocparids: ["Sales Return"] });
    const first = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, null);
    kit.clock.now = START + 60_000;
    const invoice = (await admin("sales-transactions", { customerId: "C300", lines: [{ itemId: "HW-ROUTER", quantity: 2 }], date: "2024-06-12" })).body;
    kit.clock.now = START + 120_000;
    const ret = (await admin("sales-transactions", { customerId: "C300", docparid: "Sales Return", createdFrom: invoice.DOCNO, lines: [{ itemId: "HW-ROUTER", quantity: 1 }] })).body;

    const second = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, first.checkpoint);
    expect(second.records.map((r) => [r.key, (r.data as Rec).docparid])).toEqual([
      [`intacct:${DEMO_COMPANY}:SODOCUMENT:${invoice.RECORDNO}`, "Sales Invoice"],
      [`intacct:${DEMO_COMPANY}:SODOCUMENT:${ret.RECORDNO}`, "Sales Return"],
    ]);
    const { client } = kit.client();
    const out = await pollSalesTransactions.run(nodeCtx(client), pollSalesTransactions.input.parse(second.records[1]!.data), config);
    expect(out).toMatchObject({
      docparid: "Sales Return",
      isCredit: true,
      documentNumber: ret.DOCNO,
      customerId: "C300",
      date: "2024-06-30",
      credits: { documentId: `Sales Invoice-${invoice.DOCNO}`, documentNumber: invoice.DOCNO, date: "2024-06-12" },
      lines: [{ itemId: "HW-ROUTER", quantity: "1", amount: "899.99" }],
    });
    const invoiceOut = await pollSalesTransactions.run(nodeCtx(client), pollSalesTransactions.input.parse(second.records[0]!.data), config);
    expect(invoiceOut).toMatchObject({ docparid: "Sales Invoice", isCredit: false, credits: null });

    // The return edited: the same record, modified; AR's credit memo is remade.
    kit.clock.now = START + 180_000;
    await admin(`sales-transactions/${ret.DOCNO}/update`, { lines: [{ itemId: "HW-ROUTER", quantity: 2 }] });
    expect((await company()).records.ARADJUSTMENT.filter((a: Rec) => a.RECORDID === ret.DOCNO).map((a: Rec) => a.TOTALENTERED)).toEqual(["-1799.98"]);
    const third = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, second.checkpoint);
    expect(third.records.map((r) => r.key)).toEqual([`intacct:${DEMO_COMPANY}:SODOCUMENT:${ret.RECORDNO}`]);

    // Deleted: from the audit trail, as a deleted credit.
    kit.clock.now = START + 240_000;
    await admin(`sales-transactions/${ret.DOCNO}/delete`);
    expect((await company()).records.ARADJUSTMENT.some((a: Rec) => a.RECORDID === ret.DOCNO)).toBe(false);
    const fourth = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, third.checkpoint);
    expect(fourth.records).toHaveLength(1);
    expect(fourth.records[0]!.data).toMatchObject({ deleted: true, documentId: `Sales Return-${ret.DOCNO}`, docparid: "Sales Return" });
    const gone = await pollSalesTransactions.run(nodeCtx(client), pollSalesTransactions.input.parse(fourth.records[0]!.data), config);
    expect(gone).toMatchObject({ state: "Deleted", documentNumber: ret.DOCNO, isCredit: true, credits: null });
    const fifth = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, fourth.checkpoint);
    expect(fifth.records).toEqual([]);
  });

  it("without credit definitions the poll reads Sales Invoices only, as before", async () => {
    const config = pollSalesTransactions.config.parse({ initialLookbackDays: 30 });
    const first = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, null);
    kit.clock.now = START + 60_000;
    const invoice = (await admin("sales-transactions", { customerId: "C300", lines: [{ itemId: "SW-STD", quantity: 1 }] })).body;
    await admin("sales-transactions", { customerId: "C300", docparid: "Sales Return", createdFrom: invoice.DOCNO, lines: [{ itemId: "SW-STD", quantity: 1 }] });
    const second = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, first.checkpoint);
    expect(second.records.map((r) => r.key)).toEqual([`intacct:${DEMO_COMPANY}:SODOCUMENT:${invoice.RECORDNO}`]);
  });
});
