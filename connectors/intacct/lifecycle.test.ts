/**
 * The Intacct sandbox's lifecycle behaviour on the wire (AR adjustments, closed periods with
 * Intacct's error text, currency on GLENTRY, reversed documents visible to the poll) and the
 * "Post tax through AR for a document version" node on top of it.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { AnyNodeDefinition } from "../sdk";
import { reverseApBill } from "./nodes/reverseApBill";
import { syncTaxAdjustment } from "./nodes/syncTaxAdjustment";
import { DEMO_COMPANY, nodeCtx, START, sandboxKit } from "./testkit";

const kit = sandboxKit();

async function runNode<N extends AnyNodeDefinition>(node: N, input: unknown, config: unknown = {}) {
  const out = await node.run(nodeCtx(kit.client().client), node.input.parse(input), node.config.parse(config));
  return node.output.parse(out) as z.output<N["output"]>;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const company = async (): Promise<any> => (await (await fetch(`${kit.server.url}/__sandbox/state`)).json()).companies[DEMO_COMPANY];
const admin = async (path: string, body: unknown = {}) => {
  const res = await fetch(`${kit.server.url}/__sandbox/${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const adjustment = (lines: { glaccountno: string; amount: string }[], extra: Record<string, unknown> = {}) => ({
  customerid: "C200",
  datecreated: { year: "2024", month: "06", day: "28" },
  invoiceno: "SI-1002",
  aradjustmentitems: { lineitem: lines },
  ...extra,
});

describe("sandbox: AR adjustments, closed periods, currency, reversals", () => {
  it("posts AR debit and credit memos against the customer and invoice; the customer's AR balance includes them", async () => {
    const { client } = kit.client();
    const before = (await company()).arBalances.C200;
    await client.legacyCreate("create_aradjustment", adjustment([{ glaccountno: "2210", amount: "240.00" }, { glaccountno: "2210", amount: "22.50" }]), "t-1", async () => undefined);
    await client.legacyCreate("create_aradjustment", adjustment([{ glaccountno: "2210", amount: "-22.50" }]), "t-2", async () => undefined);
    const state = await company();
    expect(state.records.ARADJUSTMENT.map((a: Record<string, string>) => [a.CUSTOMERID, a.DOCNUMBER, a.ADJUSTMENTTYPE, a.TOTALENTERED])).toEqual([
      ["C200", "SI-1002", "Debit Memo", "262.50"],
      ["C200", "SI-1002", "Credit Memo", "-22.50"],
    ]);
    expect(Math.round(Number(state.arBalances.C200) * 100) - Math.round(Number(before) * 100)).toBe(24000);
    const mixed = await client.legacyCreate("create_aradjustment", adjustment([{ glaccountno: "2210", amount: "1" }, { glaccountno: "2210", amount: "-1" }]), "t-3", async () => undefined).catch((e) => e);
    expect(mixed.message).toContain("Amounts must be all positive or all negative");
    const wrongInvoice = await client.legacyCreate("create_aradjustment", adjustment([{ glaccountno: "2210", amount: "1" }], { invoiceno: "SI-1003" }), "t-4", async () => undefined).catch((e) => e);
    expect(wrongInvoice.message).toContain("Invalid invoice number 'SI-1003' for customer 'C200'");
  });

  it("refuses postings in a closed period with Intacct's 'Periods are closed' text, for AR adjustments and GLBATCH alike", async () => {
    const { client } = kit.client();
    expect((await admin("periods", { period: "2024-06", closed: true })).body).toEqual({ closedPeriods: ["2024-06"] });
    const refused = await client.legacyCreate("create_aradjustment", adjustment([{ glaccountno: "2210", amount: "1.00" }]), "p-1", async () => undefined).catch((e) => e);
    expect(refused).toMatchObject({ kind: "permanent", code: "BL03002105" });
    expect(refused.message).toContain("Periods are closed. Your transaction date (06/28/2024) is within a period that's been closed.");
    const batch = {
      JOURNAL: "TAX",
      BATCH_DATE: "06/28/2024",
      BATCH_TITLE: "t",
      ENTRIES: { GLENTRY: [{ ACCOUNTNO: "2210", TR_TYPE: "-1", TRX_AMOUNT: "1.00" }, { ACCOUNTNO: "1200", TR_TYPE: "1", TRX_AMOUNT: "1.00" }] },
    };
    const glRefused = await client.create("GLBATCH", batch, "p-2", async () => undefined).catch((e) => e);
    expect(glRefused.message).toContain("Periods are closed");
    await admin("periods", { period: "2024-06", closed: false });
    await expect(client.create("GLBATCH", batch, "p-3", async () => undefined)).resolves.toBeDefined();
  });

  it("keeps CURRENCY, EXCHANGE_RATE and EXCH_RATE_DATE on GLENTRY lines, with the base amount, and wants a rate for a foreign currency", async () => {
    const { client } = kit.client();
    const line = (tr: string, extra: Record<string, string>) => ({ ACCOUNTNO: tr === "1" ? "1200" : "2210", TR_TYPE: tr, TRX_AMOUNT: "100.00", CURRENCY: "EUR", ...extra });
    const noRate = await client
      .create("GLBATCH", { JOURNAL: "TAX", BATCH_DATE: "06/28/2024", BATCH_TITLE: "eur", ENTRIES: { GLENTRY: [line("1", {}), line("-1", {})] } }, "c-1", async () => undefined)
      .catch((e) => e);
    expect(noRate.message).toContain("currency EUR differs from the base currency USD");
    const rate = { EXCH_RATE_DATE: "06/28/2024", EXCHANGE_RATE: "1.0712" };
    await client.create("GLBATCH", { JOURNAL: "TAX", BATCH_DATE: "06/28/2024", BATCH_TITLE: "eur", ENTRIES: { GLENTRY: [line("1", rate), line("-1", rate)] } }, "c-2", async () => undefined);
    const [batch] = (await company()).records.GLBATCH;
    expect(batch.ENTRIES.GLENTRY.map((e: Record<string, string>) => [e.CURRENCY, e.TRX_AMOUNT, e.AMOUNT, e.EXCHANGE_RATE, e.EXCH_RATE_DATE])).toEqual([
      ["EUR", "100.00", "107.12", "1.0712", "06/28/2024"],
      ["EUR", "100.00", "107.12", "1.0712", "06/28/2024"],
    ]);
  });

  it("reverses a posted sales invoice: the SODOCUMENT and its AR invoice read back Reversed, modified now", async () => {
    kit.clock.now = START + 86_400_000;
    const reversed = await admin("sales-transactions/SI-1002/reverse");
    expect(reversed.body).toMatchObject({ DOCID: "Sales Invoice-SI-1002", STATE: "Reversed", WHENMODIFIED: "07/01/2024 12:00:00" });
    const { client } = kit.client();
    const [doc] = await client.readByQuery("SODOCUMENT", "STATE = 'Reversed'", { fields: ["DOCID", "STATE", "WHENMODIFIED"], docparid: "Sales Invoice" });
    expect(doc).toMatchObject({ DOCID: "Sales Invoice-SI-1002", STATE: "Reversed" });
    expect((await company()).records.ARINVOICE.find((r: Record<string, string>) => r.RECORDID === "SI-1002")).toMatchObject({ STATE: "Reversed", TOTALDUE: "0.00" });
    expect((await admin("sales-transactions/SI-1002/reverse")).status).toBe(400);
  });
});

describe("Post tax through AR for a document version", () => {
  const base = { customerId: "C200", invoiceNumber: "SI-1002", document: "INTACCT-SO-SI-1002", date: "2024-06-28" };
  const lines = (a: number, b: number) => [
    { accountNo: "2210", amount: a, locationId: "US-NY", departmentId: "FIN", memo: "NY STATE TAX" },
    { accountNo: "2210", amount: b, locationId: "US-NY", departmentId: "FIN", memo: "NY CITY TAX" },
  ];
  const items = (a: Record<string, unknown>) => [(a.ARADJUSTMENTITEMS as { ARADJUSTMENTITEM: unknown }).ARADJUSTMENTITEM].flat() as Record<string, string>[];

  it("posts a debit memo, on a change a credit memo reversing it plus a new one, on a void only the reversal; replays post nothing", async () => {
    const first = await runNode(syncTaxAdjustment, { ...base, version: "1", lines: lines(240, 22.5) });
    expect(first).toMatchObject({ status: "posted", reversals: [], adjustment: { total: "262.50" } });
    expect(await runNode(syncTaxAdjustment, { ...base, version: "1", lines: lines(240, 22.5) })).toMatchObject({ status: "unchanged" });

    const second = await runNode(syncTaxAdjustment, { ...base, version: "2", lines: lines(480, 45) });
    expect(second).toMatchObject({ status: "posted", reversals: [{ reverses: first.adjustment!.recordNo, total: "-262.50" }], adjustment: { total: "525.00" } });
    const voided = await runNode(syncTaxAdjustment, { ...base, version: "3", lines: [] });
    expect(voided).toMatchObject({ status: "posted", reversals: [{ reverses: second.adjustment!.recordNo }], adjustment: null, inForce: [] });
    expect(await runNode(syncTaxAdjustment, { ...base, version: "3", lines: [] })).toMatchObject({ status: "nothing_to_post" });

    const posted = (await company()).records.ARADJUSTMENT;
    expect(posted.map((a: Record<string, string>) => [a.ADJUSTMENTTYPE, a.TOTALENTERED, a.DOCNUMBER])).toEqual([
      ["Debit Memo", "262.50", "SI-1002"],
      ["Credit Memo", "-262.50", "SI-1002"],
      ["Debit Memo", "525.00", "SI-1002"],
      ["Credit Memo", "-525.00", "SI-1002"],
    ]);
    expect(items(posted[1]).map((l) => [l.ACCOUNTNO, l.TRX_AMOUNT, l.LOCATIONID])).toEqual(items(posted[0]).map((l) => [l.ACCOUNTNO, `-${l.TRX_AMOUNT}`, l.LOCATIONID]));
    expect(posted.reduce((s: number, a: Record<string, string>) => s + Math.round(Number(a.TOTALENTERED) * 100), 0)).toBe(0);
  });

  it("closed period: review with 'period closed', or by setting on the first day of the next open period; currency and rate on the adjustment", async () => {
    await admin("periods", { period: "2024-06", closed: true });
    await admin("periods", { period: "2024-07", closed: true });
    const parked = await runNode(syncTaxAdjustment, { ...base, version: "1", lines: lines(10, 1) }).catch((e) => e);
    expect(parked).toMatchObject({ kind: "needs_review", reasonCode: "period_closed" });
    expect(parked.message).toMatch(/^Period closed: 2024-06/);
    const moved = await runNode(
      syncTaxAdjustment,
      { ...base, version: "1", lines: lines(10, 1), currency: "EUR", exchangeRate: 1.0712, rateDate: "2024-06-28" },
      { closedPeriod: "nextOpenPeriod" },
    );
    expect(moved).toMatchObject({ status: "posted", date: "2024-08-01", movedFrom: "2024-06-28", currency: "EUR", exchangeRate: 1.0712 });
    const [adj] = (await company()).records.ARADJUSTMENT;
    expect(adj).toMatchObject({ WHENCREATED: "08/01/2024", CURRENCY: "EUR", EXCHANGE_RATE: "1.0712", EXCH_RATE_DATE: "06/28/2024", TRX_TOTALENTERED: "11.00", TOTALENTERED: "11.78" });
  });
});

describe("Reverse AP bill", () => {
  it("reverses a posted bill once (reverse_bill), reports no bill when none was made, and refuses a closed period", async () => {
    const { client } = kit.client();
    const bill = { VENDORID: "V100", RECORDID: "COM-9001", WHENCREATED: "06/28/2024", WHENDUE: "07/28/2024", APBILLITEMS: { APBILLITEM: [{ ACCOUNTNO: "6000", TRX_AMOUNT: "100.00" }] } };
    await client.create("APBILL", bill, "b-1", async () => undefined);
    const input = { vendorId: "V100", billNumber: "COM-9001", date: "2024-06-30", description: "order cancelled" };
    await admin("periods", { period: "2024-06", closed: true });
    const refused = await runNode(reverseApBill, input).catch((e) => e);
    expect(refused.message).toContain("Periods are closed");
    await admin("periods", { period: "2024-06", closed: false });
    expect(await runNode(reverseApBill, input)).toMatchObject({ status: "reversed" });
    const [stored] = (await company()).records.APBILL;
    expect(stored).toMatchObject({ RECORDID: "COM-9001", STATE: "Reversed", WHENREVERSED: "06/30/2024", TOTALDUE: "0.00" });
    expect(await runNode(reverseApBill, input)).toMatchObject({ status: "already_reversed" });
    expect(await runNode(reverseApBill, { ...input, billNumber: "COM-NONE" })).toMatchObject({ status: "no_bill", recordNo: null });
  });
});
