import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AlreadyDoneError, NeedsReviewError, PermanentError, RetryableError, type AnyNodeDefinition } from "../sdk";
import { intacct } from "./index";
import { createApAdjustment } from "./nodes/createApAdjustment";
import { createApBill } from "./nodes/createApBill";
import { createJournalEntry } from "./nodes/createJournalEntry";
import { createPurchaseOrder } from "./nodes/createPurchaseOrder";
import { findCustomer } from "./nodes/findCustomer";
import { findOrCreateVendor } from "./nodes/findOrCreateVendor";
import { listDimensions } from "./nodes/listDimensions";
import { pollSalesTransactions } from "./nodes/pollSalesTransactions";
import { queryRecords } from "./nodes/queryRecords";
import { readRecords } from "./nodes/readRecords";
import { DEMO_COMPANY, type Kit, nodeCtx, sandboxKit } from "./testkit";

const kit = sandboxKit();

/** Parse config and input through the node's schemas, then run it, as the engine does. */
async function runNode<N extends AnyNodeDefinition>(
  node: N,
  input: unknown,
  config: unknown = {},
  ctxOverrides: Parameters<typeof nodeCtx>[1] = {},
  client = kit.client().client,
) {
  const c = node.config.parse(config);
  const i = node.input.parse(input);
  const out = await node.run(nodeCtx(client, ctxOverrides), i, c);
  return node.output.parse(out) as z.output<N["output"]>;
}

const records = async (object: string) => (await kit.state()).companies[DEMO_COMPANY].records[object];

const taxEntry = {
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

describe("node declarations", () => {
  it("every node has a JSON-schema config, versions and the right effect", () => {
    expect(intacct.nodes.map((n) => n.type).sort()).toEqual([
      "intacct.closePurchaseOrder",
      "intacct.createApAdjustment",
      "intacct.createApBill",
      "intacct.createJournalEntry",
      "intacct.createPurchaseOrder",
      "intacct.findCustomer",
      "intacct.findOrCreateVendor",
      "intacct.listDimensions",
      "intacct.pollBills",
      "intacct.pollCustomers",
      "intacct.pollSalesTransactions",
      "intacct.pollVendors",
      "intacct.queryRecords",
      "intacct.readRecords",
      "intacct.reverseApBill",
      "intacct.syncTaxAdjustment",
      "intacct.syncTaxGlBatch",
      "intacct.updateCustomer",
      "intacct.updatePurchaseOrder",
      "intacct.updateVendor",
    ]);
    for (const n of intacct.nodes) {
      expect(n.version).toBe(1);
      expect(n.connection).toBe("intacct");
      expect(() => z.toJSONSchema(n.config)).not.toThrow();
    }
    expect(intacct.nodes.filter((n) => n.effect.kind === "write").map((n) => n.type).sort()).toEqual([
      "intacct.closePurchaseOrder",
      "intacct.createApAdjustment",
      "intacct.createApBill",
      "intacct.createJournalEntry",
      "intacct.createPurchaseOrder",
      "intacct.findOrCreateVendor",
      "intacct.reverseApBill",
      "intacct.syncTaxAdjustment",
      "intacct.syncTaxGlBatch",
      "intacct.updateCustomer",
      "intacct.updatePurchaseOrder",
      "intacct.updateVendor",
    ]);
  });
});

describe("intacct.createJournalEntry", () => {
  it("posts a balanced GLBATCH with dimensions per line", async () => {
    const { client, env } = kit.client();
    const out = await runNode(createJournalEntry, taxEntry, { journal: "TAX" }, {}, client);
    expect(out).toEqual({
      recordNo: expect.stringMatching(/^\d+$/),
      journal: "TAX",
      referenceNo: "AVA-SI-1001",
      batchNo: "1",
      state: "Posted",
      totalDebit: "91.50",
      totalCredit: "91.50",
    });
    const create = env.calls.find((c) => c.label === "Intacct create GLBATCH")!;
    expect(create.requestBody).toContain("<uniqueid>true</uniqueid>");
    expect(create.requestBody).toContain('<function controlid="intacct:glbatch:TAX:AVA-SI-1001">');
    expect(create.requestBody).toContain(
      "<create><GLBATCH><JOURNAL>TAX</JOURNAL><BATCH_DATE>06/30/2024</BATCH_DATE><BATCH_TITLE>Sales tax SI-1001</BATCH_TITLE><REFERENCENO>AVA-SI-1001</REFERENCENO>" +
        "<ENTRIES><GLENTRY><ACCOUNTNO>1200</ACCOUNTNO><TR_TYPE>1</TR_TYPE><TRX_AMOUNT>91.50</TRX_AMOUNT><LOCATION>US-CA</LOCATION><CUSTOMERID>C100</CUSTOMERID><DESCRIPTION>Tax receivable</DESCRIPTION></GLENTRY>" +
        "<GLENTRY><ACCOUNTNO>2200</ACCOUNTNO><TR_TYPE>-1</TR_TYPE><TRX_AMOUNT>80.25</TRX_AMOUNT><LOCATION>US-CA</LOCATION><DEPARTMENT>FIN</DEPARTMENT><CLASSID>SW</CLASSID><DESCRIPTION>CA state tax</DESCRIPTION></GLENTRY>" +
        "<GLENTRY><ACCOUNTNO>2200</ACCOUNTNO><TR_TYPE>-1</TR_TYPE><TRX_AMOUNT>11.25</TRX_AMOUNT><LOCATION>US-CA</LOCATION><DEPARTMENT>FIN</DEPARTMENT><PROJECTID>P-1001</PROJECTID><DESCRIPTION>Irvine district tax</DESCRIPTION></GLENTRY>" +
        "</ENTRIES></GLBATCH></create>",
    );
    const [batch] = await records("GLBATCH");
    expect(batch).toMatchObject({ JOURNAL: "TAX", REFERENCENO: "AVA-SI-1001", STATE: "Posted" });
  });

  it("rejects an unbalanced entry before sending anything", async () => {
    const { client, env } = kit.client();
    const unbalanced = { ...taxEntry, lines: [taxEntry.lines[0], { ...taxEntry.lines[1], amount: "80.00" }] };
    const error = await runNode(createJournalEntry, unbalanced, {}, {}, client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe("Journal entry is not balanced: debits 91.50, credits 80.00 (difference 11.50)");
    expect(env.calls).toHaveLength(0);
  });

  it("parks an unknown dimension value for review", async () => {
    const bad = { ...taxEntry, lines: [taxEntry.lines[0], { ...taxEntry.lines[1], amount: "91.50", departmentId: "TAXES" }] };
    const error = await runNode(createJournalEntry, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect((error as NeedsReviewError).reasonCode).toBe("unknown_reference");
    expect((error as NeedsReviewError).details).toMatchObject({ referenceType: "Department", referenceValue: "TAXES" });
  });

  it("a repeated write is AlreadyDone with the read-back entry, never a second posting", async () => {
    const first = await runNode(createJournalEntry, taxEntry);
    const again = await runNode(createJournalEntry, taxEntry).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AlreadyDoneError);
    expect((again as AlreadyDoneError).code).toBe("XL03000008");
    expect((again as AlreadyDoneError).result).toEqual(first);
    expect(await records("GLBATCH")).toHaveLength(1);
  });

  it("a lost response is reconciled by reading back the reference, without a duplicate", async () => {
    const { client } = kit.client();
    await client.ping();
    await kit.faults({ queue: ["dropAfterWrite"] });
    const lost = await runNode(createJournalEntry, taxEntry, {}, {}, client).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(RetryableError);
    expect((lost as RetryableError).outcomeUnknown).toBe(true);
    const config = createJournalEntry.config.parse({});
    const input = createJournalEntry.input.parse(taxEntry);
    const effect = createJournalEntry.effect;
    if (effect.kind !== "write") throw new Error("write node expected");
    const reconciled = await effect.reconcile!(nodeCtx(client), input, config);
    expect(reconciled).toMatchObject({ referenceNo: "AVA-SI-1001", totalDebit: "91.50", totalCredit: "91.50", state: "Posted" });
    // The engine's retry after an unknown outcome: the node reads back first and writes nothing.
    const retried = await runNode(createJournalEntry, taxEntry, {}, { idempotency: { key: effect.key(input, config), previousOutcomeUnknown: true } }, client);
    expect(retried).toEqual(reconciled);
    expect(await records("GLBATCH")).toHaveLength(1);
  });
});

describe("intacct.createApBill", () => {
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

  it("creates the bill with its lines", async () => {
    const { client, env } = kit.client();
    const out = await runNode(createApBill, bill, {}, {}, client);
    expect(out).toMatchObject({ vendorId: "V100", billNumber: "COM-100045", total: "1235.50", state: "Posted" });
    expect(env.calls.find((c) => c.label === "Intacct create APBILL")?.requestBody).toContain(
      "<APBILLITEMS><APBILLITEM><ACCOUNTNO>6100</ACCOUNTNO><TRX_AMOUNT>1200.00</TRX_AMOUNT><ENTRYDESCRIPTION>Licences</ENTRYDESCRIPTION><LOCATIONID>US-CA</LOCATIONID><DEPARTMENTID>ENG</DEPARTMENTID></APBILLITEM>",
    );
    const [stored] = await records("APBILL");
    expect(stored).toMatchObject({ RECORDNO: out.recordNo, VENDORID: "V100", RECORDID: "COM-100045", TOTALENTERED: "1235.50", WHENDUE: "07/28/2024" });
  });

  it("an unknown vendor needs review; a repeat is AlreadyDone", async () => {
    const unknown = await runNode(createApBill, { ...bill, vendorId: "V404" }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(NeedsReviewError);
    const first = await runNode(createApBill, bill);
    const again = await runNode(createApBill, bill).catch((e: unknown) => e);
    expect((again as AlreadyDoneError).result).toMatchObject({ recordNo: first.recordNo, total: "1235.50" });
    expect(await records("APBILL")).toHaveLength(1);
  });
});

describe("intacct.createApAdjustment", () => {
  const memo = {
    vendorId: "V200",
    adjustmentNumber: "CM-5001",
    date: "2024-06-29",
    billNumber: "COM-100045",
    description: "Commerce credit memo 5001",
    lines: [{ accountNo: "6000", amount: "-45.00", memo: "Returned paper", departmentId: "OPS" }],
  };

  it("creates a credit memo with create_apadjustment", async () => {
    const { client, env } = kit.client();
    const out = await runNode(createApAdjustment, memo, {}, {}, client);
    expect(out).toMatchObject({ vendorId: "V200", adjustmentNumber: "CM-5001", total: "-45.00", state: "Posted" });
    expect(env.calls.find((c) => c.label?.startsWith("Intacct create_apadjustment"))?.requestBody).toContain(
      "<create_apadjustment><vendorid>V200</vendorid><datecreated><year>2024</year><month>06</month><day>29</day></datecreated><adjustmentno>CM-5001</adjustmentno><action>Submit</action><billno>COM-100045</billno>",
    );
    const [stored] = await records("APADJUSTMENT");
    expect(stored).toMatchObject({ RECORDNO: out.recordNo, RECORDID: "CM-5001", TOTALENTERED: "-45.00" });
    const reconcile = createApAdjustment.effect.kind === "write" ? createApAdjustment.effect.reconcile! : undefined;
    expect(await reconcile!(nodeCtx(client), createApAdjustment.input.parse(memo), createApAdjustment.config.parse({}))).toEqual(out);
  });

  it("rejects mixed signs before sending", async () => {
    const error = await runNode(createApAdjustment, { ...memo, lines: [...memo.lines, { accountNo: "6000", amount: 5 }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
  });
});

describe("intacct.createPurchaseOrder", () => {
  const po = {
    vendorId: "V300",
    referenceNo: "B2B-PO-8812",
    date: "2024-06-30",
    lines: [
      { itemId: "HW-ROUTER", quantity: 3, price: "899.99", locationId: "US-TX" },
      { itemId: "SUP-PAPER", quantity: "10", price: 42 },
    ],
  };

  it("creates a purchase order with create_potransaction and reads it back", async () => {
    const { client, env } = kit.client();
    const out = await runNode(createPurchaseOrder, po, {}, {}, client);
    expect(out).toEqual({
      recordNo: expect.stringMatching(/^\d+$/),
      documentId: "Purchase Order-PO0001",
      referenceNo: "B2B-PO-8812",
      vendorId: "V300",
      total: "3119.97",
      state: "Pending",
    });
    expect(env.calls.find((c) => c.label?.startsWith("Intacct create_potransaction"))?.requestBody).toContain(
      "<create_potransaction><transactiontype>Purchase Order</transactiontype><datecreated><year>2024</year><month>06</month><day>30</day></datecreated>" +
        "<vendorid>V300</vendorid><referenceno>B2B-PO-8812</referenceno><potransitems><potransitem><itemid>HW-ROUTER</itemid><quantity>3</quantity><price>899.99</price><locationid>US-TX</locationid></potransitem>",
    );
    const again = await runNode(createPurchaseOrder, po).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AlreadyDoneError);
    expect(await records("PODOCUMENT")).toHaveLength(1);
  });

  it("an unknown item needs review", async () => {
    const error = await runNode(createPurchaseOrder, { ...po, lines: [{ itemId: "NOPE", quantity: 1 }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect((error as NeedsReviewError).details).toMatchObject({ referenceType: "Item", referenceValue: "NOPE" });
  });
});

describe("intacct.findOrCreateVendor", () => {
  it("finds by vendor id, then by e-mail case-insensitively", async () => {
    expect(await runNode(findOrCreateVendor, { vendorId: "V100", name: "ignored" })).toMatchObject({ vendorId: "V100", name: "Regal Services", created: false });
    expect(await runNode(findOrCreateVendor, { email: "BILLING@northwind.example", name: "ignored" })).toMatchObject({
      vendorId: "V200",
      email: "billing@northwind.example",
      created: false,
    });
  });

  it("creates the vendor when nothing matches, once", async () => {
    const input = { email: "orders@fabrikam.example", name: "Fabrikam Retail", address: { line1: "1 Way", city: "Reno", region: "NV", postalCode: "89501", country: "United States" } };
    const out = await runNode(findOrCreateVendor, input, { termName: "Net 30" });
    expect(out).toMatchObject({ vendorId: "V5001", name: "Fabrikam Retail", email: "orders@fabrikam.example", created: true });
    const again = await runNode(findOrCreateVendor, input);
    expect(again).toMatchObject({ vendorId: "V5001", created: false });
    expect((await records("VENDOR")).filter((v) => v.NAME === "Fabrikam Retail")).toHaveLength(1);
  });

  it("parks for review when creating is off", async () => {
    const error = await runNode(findOrCreateVendor, { vendorId: "V777", name: "X" }, { createIfMissing: false }).catch((e: unknown) => e);
    expect((error as NeedsReviewError).reasonCode).toBe("vendor_not_found");
  });
});

describe("intacct.findCustomer", () => {
  it("returns the customer with its address", async () => {
    expect(await runNode(findCustomer, { customerId: "C300" })).toEqual({
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
    expect(await runNode(findCustomer, { email: "AP@ACME.example" })).toMatchObject({ customer: { customerId: "C100" } });
  });

  it("a missing customer needs review, or comes back empty when configured", async () => {
    const error = await runNode(findCustomer, { customerId: "C999" }).catch((e: unknown) => e);
    expect((error as NeedsReviewError).reasonCode).toBe("customer_not_found");
    expect(await runNode(findCustomer, { customerId: "C999" }, { whenMissing: "empty" })).toEqual({ found: false });
  });
});

describe("intacct.queryRecords and intacct.readRecords", () => {
  it("filters, orders and pages with query", async () => {
    const { client, env } = kit.client();
    const out = await runNode(
      queryRecords,
      {
        filters: [
          { field: "ACCOUNTNO", operator: "between", values: ["2200", "2299"] },
          { field: "STATUS", operator: "equalto", value: "active" },
        ],
        orderBy: [{ field: "ACCOUNTNO", descending: true }],
      },
      { object: "glaccount", fields: ["ACCOUNTNO", "TITLE"], pageSize: 3 },
      {},
      client,
    );
    expect(out.records.map((r) => r.ACCOUNTNO)).toEqual(["2290", "2260", "2250", "2240", "2230", "2220", "2210", "2200"]);
    expect(out).toMatchObject({ object: "GLACCOUNT", count: 8, truncated: false });
    expect(env.calls.filter((c) => c.label === "Intacct query GLACCOUNT")).toHaveLength(3);
    expect(env.calls[1].requestBody).toContain(
      "<query><object>GLACCOUNT</object><select><field>ACCOUNTNO</field><field>TITLE</field></select><filter><and><between><field>ACCOUNTNO</field><value>2200</value><value>2299</value></between>" +
        "<equalto><field>STATUS</field><value>active</value></equalto></and></filter><orderby><order><field>ACCOUNTNO</field><descending/></order></orderby><pagesize>3</pagesize><offset>0</offset></query>",
    );
  });

  it("runs a legacy readByQuery string and stops at maxRecords", async () => {
    const out = await runNode(queryRecords, { legacyQuery: "TITLE like 'Sales Tax%' AND NOT ACCOUNTNO = '2290'" }, { object: "GLACCOUNT", fields: ["ACCOUNTNO"], maxRecords: 4, pageSize: 2 });
    expect(out).toMatchObject({ count: 4, truncated: true });
    expect(out.records.map((r) => r.ACCOUNTNO)).toEqual(["2200", "2210", "2220", "2230"]);
  });

  it("reads records by key with their lines", async () => {
    const page = await runNode(queryRecords, { filters: [{ field: "DOCNO", operator: "equalto", value: "SI-1003" }] }, { object: "SODOCUMENT", fields: ["RECORDNO"], docparid: "Sales Invoice" });
    const key = String(page.records[0].RECORDNO);
    const out = await runNode(readRecords, { keys: [key, "424242"] }, { object: "SODOCUMENT", docparid: "Sales Invoice" });
    expect(out.missing).toEqual(["424242"]);
    expect(out.records[0]).toMatchObject({ DOCID: "Sales Invoice-SI-1003", CUSTVENDID: "C300", TOTAL: "4649.96" });
  });
});

describe("intacct.listDimensions and pickers", () => {
  it("reads all dimensions in one request", async () => {
    const { client, env } = kit.client();
    const out = await runNode(listDimensions, {}, {}, {}, client);
    expect(Object.keys(out.dimensions)).toEqual(["DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "GLACCOUNT"]);
    expect(out.dimensions.DEPARTMENT.map((d) => d.id)).toEqual(["ADMIN", "SALES", "ENG", "OPS", "FIN"]);
    expect(out.dimensions.LOCATION.find((d) => d.id === "US-CA")).toEqual({ id: "US-CA", name: "San Francisco, CA", recordNo: expect.any(String), status: "active", parentId: "US" });
    expect(out.dimensions.GLACCOUNT).toHaveLength(26); // the inactive suspense account is left out
    // The user-defined dimensions' values are read in a second request (dimensions-entities.test.ts).
    expect(env.calls.filter((c) => c.label !== "Intacct getAPISession")).toHaveLength(2);
  });

  it("pickers list values for config fields", async () => {
    const { client } = kit.client();
    const accounts = await intacct.pickers!.glAccounts.load(client);
    expect(accounts).toContainEqual({ value: "2200", label: "2200 - Sales Tax Payable - California" });
    expect((await intacct.pickers!.journals.load(client)).map((j) => j.value)).toEqual(["GJ", "ADJ", "TAX"]);
  });
});

describe("intacct.pollSalesTransactions", () => {
  const poll = (client: ReturnType<Kit["client"]>["client"], config: unknown, checkpoint: unknown) =>
    pollSalesTransactions.trigger!.poll!(
      { client, log: { info() {}, warn() {}, error() {} }, signal: new AbortController().signal, workspaceId: "w", flowId: "f", nodeId: "n" },
      pollSalesTransactions.config.parse(config),
      checkpoint,
    );

  it("delivers posted transactions once across pages and polls, then the full record", async () => {
    const { client } = kit.client();
    const config = { initialLookbackDays: 30, pageSize: 2 };
    // A page of new records per poll, hasMore while more wait: the engine polls again.
    const polls: Array<Awaited<ReturnType<typeof poll>>> = [await poll(client, config, null)];
    while (polls.at(-1)!.hasMore) polls.push(await poll(client, config, polls.at(-1)!.checkpoint));
    expect(polls.flatMap((p) => p.records.map((r) => r.label))).toEqual([1001, 1002, 1003, 1004, 1005, 1006, 1007].map((n) => `Sales Invoice-SI-${n}`));
    expect(polls.length).toBeGreaterThanOrEqual(3);
    // About a page each: a page's worth of new rows, plus what shares the last page read.
    expect(polls.every((p) => p.records.length <= 3)).toBe(true);
    const [first, second] = polls;
    const third = await poll(client, config, polls.at(-1)!.checkpoint);
    expect(third.records).toEqual([]);
    expect(second.records[0]).toMatchObject({ key: expect.stringMatching(/^intacct:LEDGERLINE-DEMO:SODOCUMENT:\d+$/), version: expect.stringMatching(/^\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/) });

    const out = await runNode(pollSalesTransactions, first.records[0].data, {}, {}, client);
    expect(out).toMatchObject({
      object: "SODOCUMENT",
      documentId: "Sales Invoice-SI-1001",
      customerId: "C100",
      total: "8950.00",
      state: "Closed",
      shipTo: { line1: "2000 Main St", city: "Irvine", region: "CA", postalCode: "92614", country: "US" },
    });
    expect(out.lines).toEqual([
      expect.objectContaining({ itemId: "SW-PRO", quantity: "3", amount: "7200.00", locationId: "US-CA", departmentId: "SALES", classId: "SW" }),
      expect.objectContaining({ itemId: "SVC-IMPL", quantity: "10", amount: "1750.00" }),
    ]);
  });

  it("polls AR invoices; a fresh start (the engine resets the checkpoint when the settings change) reads from the lookback", async () => {
    const { client } = kit.client();
    const ar = await poll(client, { object: "ARINVOICE", initialLookbackDays: 10 }, null);
    expect(ar.records.map((r) => r.label)).toEqual(["Invoice SI-1004", "Invoice SI-1005", "Invoice SI-1006", "Invoice SI-1007"]);
    const out = await runNode(pollSalesTransactions, ar.records[0].data, {}, {}, client);
    expect(out).toMatchObject({ object: "ARINVOICE", documentId: "SI-1004", customerId: "C400", total: "2400.00", shipTo: { region: "WA" } });
    const reset = await poll(client, { object: "SODOCUMENT", initialLookbackDays: 10 }, null);
    expect(reset.records.map((r) => r.label)).toEqual(["Sales Invoice-SI-1004", "Sales Invoice-SI-1005", "Sales Invoice-SI-1006", "Sales Invoice-SI-1007"]);
  });
});

describe("test connection", () => {
  it("answers ok for the sandbox and explains a failure", async () => {
    const ok = await intacct.test(kit.client().client);
    expect(ok).toMatchObject({ ok: true, details: { companyId: "LEDGERLINE-DEMO" } });
    const bad = await intacct.test(kit.client({ secrets: { userPassword: "wrong" } }).client);
    expect(bad).toMatchObject({ ok: false, details: { kind: "permanent", code: "XL03000006" } });
  });
});
