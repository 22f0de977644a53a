/**
 * Sales documents edited and deleted, and AP bills, on the wire: update_sotransaction (a new AR
 * invoice with a new RECORDNO), delete_sotransaction (gone, with a Deleted row in AUDITHISTORY),
 * bills entered, edited and reversed; and the poll triggers that find them (the sales poll
 * delivers a deleted document once, from the audit trail; the bill poll pages with readMore).
 */
import { describe, expect, it } from "vitest";
import { pollBills } from "./nodes/pollBills";
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

describe("sandbox: sales documents edited and deleted", () => {
  it("update_sotransaction replaces the lines; Order Entry makes a new AR invoice with a new RECORDNO", async () => {
    const before = await company();
    const oldInvoice = before.records.ARINVOICE.find((r: Rec) => r.RECORDID === "SI-1003");
    kit.clock.now = START + 60_000;
    const [result] = await kit.client().client.batch(
      [{ name: "update_sotransaction", body: { "@key": "Sales Invoice-SI-1003", updatesotransitems: { sotransitem: [{ itemid: "HW-ROUTER", quantity: "2" }] } } }],
      { write: true },
    );
    expect(result).toMatchObject({ status: "success" });
    const after = await company();
    const doc = after.records.SODOCUMENT.find((r: Rec) => r.DOCNO === "SI-1003");
    expect(doc).toMatchObject({ TOTAL: "1799.98", WHENMODIFIED: "06/30/2024 12:01:00" });
    expect([doc.SODOCUMENTENTRIES.sodocumententry].flat().map((l: Rec) => [l.ITEMID, l.QUANTITY, l.LOCATION, l.CLASSID])).toEqual([["HW-ROUTER", "2", "US-TX", "HW"]]);
    const invoice = after.records.ARINVOICE.find((r: Rec) => r.RECORDID === "SI-1003");
    expect(invoice.RECORDNO).not.toBe(oldInvoice.RECORDNO);
    expect(invoice).toMatchObject({ TOTALENTERED: "1799.98", TOTALDUE: "1799.98", CUSTOMERID: "C300" });
    expect(after.records.AUDITHISTORY.map((a: Rec) => [a.OBJECTTYPE, a.ACCESSMODE, a.SOURCE])).toEqual([
      ["sodocument", "Modified", "api"],
      ["arinvoice", "Deleted", "system"],
      ["arinvoice", "Created", "system"],
    ]);
    // A paid document cannot change, and bad lines lose nothing.
    expect((await admin("sales-transactions/SI-1002/update", { lines: [{ itemId: "SW-STD", quantity: 1 }] })).body.error).toContain("closed and cannot be edited");
    expect((await admin("sales-transactions/SI-1003/update", { lines: [{ itemId: "NOPE", quantity: 1 }] })).body.error).toBe("no item NOPE");
    expect((await company()).records.SODOCUMENT.find((r: Rec) => r.DOCNO === "SI-1003").TOTAL).toBe("1799.98");
  });

  it("delete_sotransaction removes the document and its AR invoice; the sales poll delivers the deletion once, from the audit trail", async () => {
    const { client } = kit.client();
    const config = pollSalesTransactions.config.parse({ initialLookbackDays: 30 });
    const first = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, null);
    const so = (await company()).records.SODOCUMENT.find((r: Rec) => r.DOCNO === "SI-1007");
    kit.clock.now = START + 120_000;
    const [result] = await client.batch([{ name: "delete_sotransaction", body: { "@key": "Sales Invoice-SI-1007" } }], { write: true });
    expect(result).toMatchObject({ status: "success" });
    const state = await company();
    expect(state.records.SODOCUMENT.some((r: Rec) => r.DOCNO === "SI-1007")).toBe(false);
    expect(state.records.ARINVOICE.some((r: Rec) => r.RECORDID === "SI-1007")).toBe(false);
    expect(state.records.AUDITHISTORY[0]).toMatchObject({ OBJECTTYPE: "sodocument", OBJECTKEY: so.RECORDNO, OBJECTDESC: "Sales Invoice-SI-1007", ACCESSMODE: "Deleted", ACCESSTIME: "06/30/2024 12:02:00" });

    const second = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, first.checkpoint);
    expect(second.records).toEqual([
      {
        key: `intacct:${DEMO_COMPANY}:SODOCUMENT:${so.RECORDNO}`,
        version: "deleted@06/30/2024 12:02:00",
        label: "Sales Invoice-SI-1007 (deleted)",
        data: { object: "SODOCUMENT", recordNo: so.RECORDNO, whenModified: "06/30/2024 12:02:00", deleted: true, documentId: "Sales Invoice-SI-1007", docparid: "Sales Invoice" },
      },
    ]);
    expect((await pollSalesTransactions.trigger!.poll!(pollCtx(), config, second.checkpoint)).records).toEqual([]);
    const out = await pollSalesTransactions.run(nodeCtx(client), pollSalesTransactions.input.parse(second.records[0]!.data), config);
    expect(out).toMatchObject({ state: "Deleted", documentNumber: "SI-1007", recordNo: so.RECORDNO, lines: [], date: "2024-06-30" });

    // Reversed and paid documents stay; an unknown one is named.
    expect((await admin("sales-transactions/SI-1001/delete")).body.error).toContain("closed and cannot be deleted");
    const [missing] = await client.batch([{ name: "delete_sotransaction", body: { "@key": "Sales Invoice-SI-9999" } }], { write: true });
    expect(missing).toMatchObject({ status: "failure" });
    expect(missing!.errors[0]!.description2).toBe("No sales document Sales Invoice-SI-9999");
  });
});

describe("poll: AR invoices of edited and deleted sales documents", () => {
  it("an AR invoice remade by an edit is a change of that invoice, not a deletion; a deleted document's invoice is a deletion", async () => {
    const config = pollSalesTransactions.config.parse({ object: "ARINVOICE", initialLookbackDays: 30 });
    const first = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, null);
    kit.clock.now = START + 60_000;
    expect((await admin("sales-transactions/SI-1003/update", { lines: [{ itemId: "HW-ROUTER", quantity: 1 }] })).status).toBe(200);
    expect((await admin("sales-transactions/SI-1005/delete")).status).toBe(200);
    const second = await pollSalesTransactions.trigger!.poll!(pollCtx(), config, first.checkpoint);
    expect(second.records.map((r) => r.label)).toEqual(["Invoice SI-1003", "Invoice SI-1005 (deleted)"]);
  });
});

describe("sandbox and poll: AP bills", () => {
  it("bills entered, edited and reversed are delivered once each, across readMore pages, with each line's ship-to", async () => {
    const config = pollBills.config.parse({ initialLookbackDays: 1, pageSize: 2 });
    const enter = async (vendorId: string, lines: Rec[], state = "Posted") => (await admin("bills", { vendorId, lines, state })).body;
    const a = await enter("V100", [{ accountNo: "6000", amount: 1000, locationId: "US-CA", departmentId: "ADMIN", memo: "Office chairs" }]);
    const b = await enter("V200", [{ accountNo: "6100", amount: 500, locationId: "US-WA" }, { accountNo: "6000", amount: 250.5, locationId: "US" }]);
    kit.clock.now = START + 1000;
    const c = await enter("V300", [{ accountNo: "6200", amount: 80, locationId: "US-TX" }]);
    await enter("V300", [{ accountNo: "6200", amount: 10 }], "Draft");
    expect((await admin("bills", { vendorId: "V999", lines: [{ accountNo: "6000", amount: 1 }] })).body.error).toBe("no vendor V999");
    expect((await admin("bills", { vendorId: "V100", lines: [{ accountNo: "6000", amount: 1, locationId: "MARS" }] })).body.error).toBe("no location MARS");

    // Three posted bills, two per readByQuery page: the poll reads every readMore page; the next poll finds nothing new.
    const first = await pollBills.trigger!.poll!(pollCtx(), config, null);
    expect(first.records.map((r) => r.key)).toEqual([a.RECORDNO, b.RECORDNO, c.RECORDNO].map((n) => `intacct:${DEMO_COMPANY}:APBILL:${n}`));
    expect(first.records[0]).toMatchObject({ version: "06/30/2024 12:00:00", label: `Bill ${a.RECORDID} (V100)`, data: { recordNo: a.RECORDNO } });
    const third = await pollBills.trigger!.poll!(pollCtx(), config, first.checkpoint);
    expect(third.records).toEqual([]);

    const out = await pollBills.run(nodeCtx(kit.client().client), pollBills.input.parse({ recordNo: b.RECORDNO }), config);
    expect(out).toMatchObject({ vendorId: "V200", vendorName: "Northwind Supply", state: "Posted", total: "750.50", date: "2024-06-30" });
    expect(out.lines.map((l) => [l.accountNo, l.amount, l.locationId, l.shipTo?.city, l.shipTo?.region, l.shipTo?.postalCode])).toEqual([
      ["6100", "500.00", "US-WA", "Seattle", "WA", "98104"],
      ["6000", "250.50", "US", "Denver", "CO", "80202"],
    ]);

    // An edit and a reversal are new versions of the same bill.
    kit.clock.now = START + 5 * 60_000;
    expect((await admin(`bills/${a.RECORDNO}/update`, { lines: [{ accountNo: "6000", amount: 1200, locationId: "US-CA" }] })).body).toMatchObject({ TOTALENTERED: "1200.00" });
    kit.clock.now = START + 6 * 60_000;
    expect((await admin(`bills/${c.RECORDNO}/reverse`)).body).toMatchObject({ STATE: "Reversed", TOTALDUE: "0.00" });
    const changed = await pollBills.trigger!.poll!(pollCtx(), pollBills.config.parse({ initialLookbackDays: 1 }), third.checkpoint);
    expect(changed.records.map((r) => [r.key.split(":").pop(), r.version])).toEqual([
      [a.RECORDNO, "06/30/2024 12:05:00"],
      [c.RECORDNO, "06/30/2024 12:06:00"],
    ]);
    expect((await admin(`bills/${c.RECORDNO}/update`, { lines: [{ accountNo: "6200", amount: 1 }] })).body.error).toContain("reversed and cannot be edited");
  });

  it("delete_bill removes a posted bill; the bill poll delivers the deletion once from the audit trail; paid and reversed bills stay", async () => {
    const config = pollBills.config.parse({ initialLookbackDays: 1 });
    const bill = (await admin("bills", { vendorId: "V100", billNumber: "INV-778", lines: [{ accountNo: "6000", amount: 99, locationId: "US-CA" }] })).body;
    const first = await pollBills.trigger!.poll!(pollCtx(), config, null);
    expect(first.records).toHaveLength(1);
    kit.clock.now = START + 30_000;
    const [result] = await kit.client().client.batch([{ name: "delete_bill", body: { "@key": bill.RECORDNO } }], { write: true });
    expect(result).toMatchObject({ status: "success" });
    expect((await company()).records.APBILL).toEqual([]);
    const second = await pollBills.trigger!.poll!(pollCtx(), config, first.checkpoint);
    expect(second.records).toEqual([
      {
        key: `intacct:${DEMO_COMPANY}:APBILL:${bill.RECORDNO}`,
        version: "deleted@06/30/2024 12:00:30",
        label: "Bill INV-778 (deleted)",
        data: { recordNo: bill.RECORDNO, whenModified: "06/30/2024 12:00:30", deleted: true, billNumber: "INV-778" },
      },
    ]);
    expect((await pollBills.trigger!.poll!(pollCtx(), config, second.checkpoint)).records).toEqual([]);
    const out = await pollBills.run(nodeCtx(kit.client().client), pollBills.input.parse(second.records[0]!.data), config);
    expect(out).toMatchObject({ recordNo: bill.RECORDNO, billNumber: "INV-778", state: "Deleted", lines: [] });

    const reversed = (await admin("bills", { vendorId: "V100", lines: [{ accountNo: "6000", amount: 5 }] })).body;
    await admin(`bills/${reversed.RECORDNO}/reverse`);
    expect((await admin(`bills/${reversed.RECORDNO}/delete`)).body.error).toContain("reversed and cannot be deleted");
    const [missing] = await kit.client().client.batch([{ name: "delete_bill", body: { "@key": "424242" } }], { write: true });
    expect(missing!.errors[0]!.description2).toBe("No bill 424242");
  });
});
