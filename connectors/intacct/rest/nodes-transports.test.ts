/**
 * Every node REST covers, run on the XML gateway and on REST with the same input: the same output
 * and the same records in the sandbox's one ledger. Nodes that need a function REST does not cover
 * here (AP adjustments, bill reversal, purchase orders, the sales poll's audit trail) run on "both".
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { NeedsReviewError, type AnyNodeDefinition, type TriggerContext } from "../../sdk";
import type { IntacctClient } from "../client";
import { createApAdjustment } from "../nodes/createApAdjustment";
import { createApBill } from "../nodes/createApBill";
import { createJournalEntry } from "../nodes/createJournalEntry";
import { findCustomer } from "../nodes/findCustomer";
import { findOrCreateVendor } from "../nodes/findOrCreateVendor";
import { listDimensions } from "../nodes/listDimensions";
import { pollBills } from "../nodes/pollBills";
import { queryRecords } from "../nodes/queryRecords";
import { readRecords } from "../nodes/readRecords";
import { reverseApBill } from "../nodes/reverseApBill";
import { syncTaxGlBatch } from "../nodes/syncTaxGlBatch";
import { updateVendor } from "../nodes/updateVendor";
import { DEMO_COMPANY, nodeCtx, sandboxKit } from "../testkit";

const kit = sandboxKit();

async function runNode<N extends AnyNodeDefinition>(node: N, client: IntacctClient, input: unknown, config: unknown = {}, ctx: Parameters<typeof nodeCtx>[1] = {}) {
  const out = await node.run(nodeCtx(client, ctx), node.input.parse(input), node.config.parse(config));
  return node.output.parse(out) as z.output<N["output"]>;
}

function triggerCtx(client: IntacctClient): TriggerContext<IntacctClient> {
  const noop = () => undefined;
  return { client, log: { info: noop, warn: noop, error: noop }, signal: new AbortController().signal, workspaceId: "w", flowId: "f", nodeId: "n" };
}

const records = async (object: string) => (await kit.state()).companies[DEMO_COMPANY].records[object] ?? [];

const journal = {
  date: "2024-06-30",
  description: "Sales tax SI-1001",
  referenceNo: "AVA-SI-1001",
  lines: [
    { accountNo: "1200", type: "debit", amount: "91.50", customerId: "C100", locationId: "US-CA", memo: "Tax receivable" },
    { accountNo: "2200", type: "credit", amount: 80.25, locationId: "US-CA", departmentId: "FIN", classId: "SW", memo: "CA state tax" },
    { accountNo: "2200", type: "credit", amount: "11.25", locationId: "US-CA", departmentId: "FIN", projectId: "P-1001", memo: "Irvine district tax" },
    { accountNo: "2290", type: "credit", amount: 0, memo: "zero line" },
  ],
};

const bill = {
  vendorId: "V100",
  billNumber: "COM-100045",
  date: "2024-06-28",
  dueDate: "2024-07-28",
  reference: "PO-77",
  description: "Commerce order 100045",
  lines: [
    { accountNo: "6100", amount: "1200.00", departmentId: "ENG", locationId: "US-CA", memo: "Licences" },
    { accountNo: "6200", amount: 35.5, classId: "HW", memo: "Freight" },
  ],
};

/** A stored record without what differs by who wrote it (record numbers, audit stamps, the creator). */
function comparable(rec: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(rec, (k, v) => (["RECORDNO", "BATCHNO", "WHENCREATED", "WHENMODIFIED", "CREATEDBY", "MODIFIEDBY"].includes(k) ? undefined : v)));
}

describe.each(["xml", "rest"] as const)("over %s", (transport) => {
  const client = () => kit.client({ config: { transport } }).client;
  const usedXml = async (run: (c: IntacctClient) => Promise<unknown>) => {
    const { client: c, env } = kit.client({ config: { transport } });
    await run(c);
    return env.calls.some((call) => call.url.includes("/ia/xml/"));
  };

  it("createJournalEntry posts the balanced entry with its dimensions; a retry after a lost answer reads it back", async () => {
    expect(await usedXml((c) => runNode(createJournalEntry, c, journal, { journal: "TAX" }))).toBe(transport === "xml");
    const [stored] = await records("GLBATCH");
    expect(comparable(stored!)).toEqual({
      JOURNAL: "TAX",
      BATCH_DATE: "06/30/2024",
      BATCH_TITLE: "Sales tax SI-1001",
      REFERENCENO: "AVA-SI-1001",
      REVERSEDATE: "",
      STATE: "Posted",
      ENTRIES: {
        GLENTRY: [
          { LINE_NO: "1", ACCOUNTNO: "1200", TR_TYPE: "1", TRX_AMOUNT: "91.50", AMOUNT: "91.50", CURRENCY: "USD", LOCATION: "US-CA", CUSTOMERID: "C100", DESCRIPTION: "Tax receivable" },
          { LINE_NO: "2", ACCOUNTNO: "2200", TR_TYPE: "-1", TRX_AMOUNT: "80.25", AMOUNT: "80.25", CURRENCY: "USD", LOCATION: "US-CA", DEPARTMENT: "FIN", CLASSID: "SW", DESCRIPTION: "CA state tax" },
          { LINE_NO: "3", ACCOUNTNO: "2200", TR_TYPE: "-1", TRX_AMOUNT: "11.25", AMOUNT: "11.25", CURRENCY: "USD", LOCATION: "US-CA", DEPARTMENT: "FIN", PROJECTID: "P-1001", DESCRIPTION: "Irvine district tax" },
        ],
      },
    });
    const again = await runNode(createJournalEntry, client(), journal, { journal: "TAX" }, { attempt: 2, idempotency: { key: "intacct:glbatch:TAX:AVA-SI-1001", previousOutcomeUnknown: true } });
    expect(again).toMatchObject({ recordNo: stored!.RECORDNO, batchNo: stored!.BATCHNO, state: "Posted", totalDebit: "91.50", totalCredit: "91.50" });
    expect(await records("GLBATCH")).toHaveLength(1);
  });

  it("createApBill posts the bill with its lines; an unknown vendor waits for review", async () => {
    const out = await runNode(createApBill, client(), bill);
    expect(out).toMatchObject({ vendorId: "V100", billNumber: "COM-100045", total: "1235.50", state: "Posted" });
    const [stored] = await records("APBILL");
    expect(stored).toMatchObject({ RECORDNO: out.recordNo, RECORDID: "COM-100045", DOCNUMBER: "PO-77", WHENDUE: "07/28/2024", TOTALENTERED: "1235.50" });
    expect((stored!.APBILLITEMS as { APBILLITEM: unknown[] }).APBILLITEM).toMatchObject([
      { ACCOUNTNO: "6100", TRX_AMOUNT: "1200.00", ENTRYDESCRIPTION: "Licences", LOCATIONID: "US-CA", DEPARTMENTID: "ENG" },
      { ACCOUNTNO: "6200", TRX_AMOUNT: "35.50", ENTRYDESCRIPTION: "Freight", CLASSID: "HW" },
    ]);
    const unknown = await runNode(createApBill, client(), { ...bill, billNumber: "X-1", vendorId: "V404" }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(NeedsReviewError);
  });

  it("findOrCreateVendor finds by ID and by e-mail (any case), and creates a missing vendor once", async () => {
    expect(await runNode(findOrCreateVendor, client(), { vendorId: "V100", name: "ignored" })).toMatchObject({ vendorId: "V100", name: "Regal Services", created: false });
    expect(await runNode(findOrCreateVendor, client(), { email: "BILLING@northwind.example", name: "ignored" })).toMatchObject({ created: false });
    const input = { email: "orders@fabrikam.example", name: "Fabrikam Retail", address: { line1: "1 Way", city: "Reno", region: "NV", postalCode: "89501", country: "United States" } };
    expect(await runNode(findOrCreateVendor, client(), input, { termName: "Net 30" })).toMatchObject({ vendorId: "V5001", created: true });
    expect(await runNode(findOrCreateVendor, client(), input)).toMatchObject({ vendorId: "V5001", created: false });
    const created = (await records("VENDOR")).filter((v) => v.NAME === "Fabrikam Retail");
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ TERMNAME: "Net 30", DISPLAYCONTACT: { EMAIL1: "orders@fabrikam.example", MAILADDRESS: { CITY: "Reno", ZIP: "89501" } } });
  });

  it("updateVendor changes only the fields that differ, once per change", async () => {
    const fields = { taxId: "94-1234567", email: "payables@regalservices.example", name: "Regal Services", city: "Oakland" };
    expect(await runNode(updateVendor, client(), { vendorId: "V100", changeKey: "v1", fields })).toMatchObject({ vendorId: "V100", changed: ["email", "taxId", "city"] });
    const v = (await records("VENDOR")).find((r) => r.VENDORID === "V100")!;
    expect(v).toMatchObject({ TAXID: "94-1234567", NAME: "Regal Services", DISPLAYCONTACT: { EMAIL1: "payables@regalservices.example", PHONE1: "555-0100", MAILADDRESS: { CITY: "Oakland", ZIP: "94105" } } });
    expect(await runNode(updateVendor, client(), { vendorId: "V100", changeKey: "v2", fields: { taxId: "94-1234567" } })).toMatchObject({ changed: [] });
  });

  it("findCustomer returns the customer with its address", async () => {
    expect(await runNode(findCustomer, client(), { customerId: "C300" })).toEqual({
      found: true,
      customer: {
        recordNo: expect.any(String),
        customerId: "C300",
        name: "Initech LLC",
        email: "finance@initech.example",
        status: "active",
        taxable: true,
        address: { line1: "1100 Congress Ave", line2: "", city: "Austin", region: "TX", postalCode: "78701", country: "US" },
      },
    });
    expect(await runNode(findCustomer, client(), { email: "AP@ACME.example" })).toMatchObject({ customer: { customerId: "C100" } });
  });

  it("queryRecords filters, orders and pages; readRecords reads by key", async () => {
    const out = await runNode(
      queryRecords,
      client(),
      { filters: [{ field: "ACCOUNTNO", operator: "between", values: ["2200", "2299"] }, { field: "STATUS", operator: "equalto", value: "active" }], orderBy: [{ field: "ACCOUNTNO", descending: true }] },
      { object: "glaccount", fields: ["ACCOUNTNO", "TITLE"], pageSize: 3 },
    );
    expect(out.records.map((r) => r.ACCOUNTNO)).toEqual(["2290", "2260", "2250", "2240", "2230", "2220", "2210", "2200"]);
    expect(out).toMatchObject({ object: "GLACCOUNT", count: 8, truncated: false });
    const legacy = await runNode(queryRecords, client(), { legacyQuery: "TITLE like 'Sales Tax%' AND ACCOUNTNO != '2290'" }, { object: "GLACCOUNT", fields: ["ACCOUNTNO"], maxRecords: 4, pageSize: 2 });
    expect(legacy.records).toHaveLength(4);
    const vendor = (await records("VENDOR")).find((r) => r.VENDORID === "V100")!;
    const read = await runNode(readRecords, client(), { keys: [String(vendor.RECORDNO), "424242"] }, { object: "VENDOR" });
    expect(read.records).toHaveLength(1);
    expect(read.records[0]).toMatchObject({ VENDORID: "V100", NAME: "Regal Services" });
  });

  it("pollBills delivers a bill entered in Intacct once, then the full bill", async () => {
    const entered = await fetch(`${kit.server.url}/__sandbox/bills`, { method: "POST", body: JSON.stringify({ vendorId: "V100", billNumber: "VB-9", lines: [{ accountNo: "6200", amount: 40, locationId: "US-CA" }] }) });
    expect(entered.ok).toBe(true);
    const c = client();
    const config = pollBills.config.parse({ deletions: false });
    const first = await pollBills.trigger!.poll!(triggerCtx(c), config, undefined);
    expect(first.records.map((r) => r.label)).toEqual(["Bill VB-9 (V100)"]);
    const second = await pollBills.trigger!.poll!(triggerCtx(c), config, first.checkpoint);
    expect(second.records).toEqual([]);
    const out = await runNode(pollBills, c, first.records[0]!.data);
    expect(out).toMatchObject({ billNumber: "VB-9", vendorId: "V100", total: "40.00", lines: [{ accountNo: "6200", amount: "40.00", locationId: "US-CA" }] });
  });

  it("syncTaxGlBatch posts the tax entry for a document once", async () => {
    const input = {
      document: "SI-77",
      version: "1",
      date: "2024-06-30",
      lines: [
        { accountNo: "1200", amount: 8.25 },
        { accountNo: "2200", amount: -8.25, locationId: "US-CA" },
      ],
    };
    await runNode(syncTaxGlBatch, client(), input, { journal: "TAX" });
    await runNode(syncTaxGlBatch, client(), input, { journal: "TAX" });
    const batches = await records("GLBATCH");
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ JOURNAL: "TAX", REFERENCENO: "SI-77" });
  });
});

describe("over both: REST where it covers the object, the XML gateway for the rest", () => {
  const both = () => kit.client({ config: { transport: "both" } });

  it("listDimensions lists every dimension with its parent, the standard ones over REST", async () => {
    const { client, env } = both();
    const out = await runNode(listDimensions, client, {});
    expect(Object.keys(out.dimensions)).toEqual(["DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "GLACCOUNT"]);
    expect(out.dimensions.DEPARTMENT!.map((d) => d.id)).toEqual(["ADMIN", "SALES", "ENG", "OPS", "FIN"]);
    expect(out.dimensions.LOCATION!.find((d) => d.id === "US-CA")).toEqual({ id: "US-CA", name: "San Francisco, CA", recordNo: expect.any(String), status: "active", parentId: "US" });
    expect(out.dimensions.GLACCOUNT).toHaveLength(26);
    expect(env.calls.filter((c) => c.label === "Intacct REST query company-config/department")).toHaveLength(1);
  });

  it("createApAdjustment (create_apadjustment) and reverseApBill (reverse_bill) post on the gateway, their look-ups over REST", async () => {
    const { client, env } = both();
    const memo = await runNode(createApAdjustment, client, {
      vendorId: "V200",
      adjustmentNumber: "CM-5001",
      date: "2024-06-29",
      billNumber: "COM-100045",
      description: "Commerce credit memo 5001",
      lines: [{ accountNo: "6000", amount: "-45.00", memo: "Returned paper", departmentId: "OPS" }],
    });
    expect(memo).toMatchObject({ total: "-45.00", state: "Posted" });
    const posted = await runNode(createApBill, client, bill);
    const reversed = await runNode(reverseApBill, client, { vendorId: "V100", billNumber: "COM-100045", date: "2024-06-30" });
    expect(reversed).toMatchObject({ recordNo: posted.recordNo, billNumber: "COM-100045" });
    expect((await records("APBILL"))[0]).toMatchObject({ STATE: "Reversed" });
    const labels = env.calls.map((c) => c.label ?? "");
    expect(labels.some((l) => l.startsWith("Intacct create_apadjustment"))).toBe(true);
    expect(labels.some((l) => l.startsWith("Intacct reverse_bill"))).toBe(true);
    expect(labels).toContain("Intacct REST create accounts-payable/bill");
  });
});
