/**
 * Avalara customers, exemption certificates and company tax codes against the sandbox over HTTP:
 * the wire shapes (CreateCustomers takes a list, UpdateCustomer replaces, GetCustomer with
 * $include=certificates, CreateCertificates, QueryTaxCodes under a company), the nodes that
 * read, create and update a customer (once, only what differs, a dry run that writes nothing),
 * the exemption a certificate gives a transaction by customerCode, and the tax code check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NeedsReviewError } from "../sdk";
import { connect, demoSecrets, runOnce, type Connection } from "./harness.test-helpers";
import { checkTaxCodes } from "./nodes/checkTaxCodes";
import { createTransaction } from "./nodes/createTransaction";
import { customersChanged, getCustomerNode, upsertCustomer } from "./nodes/customers";
import { createSandbox, demoAddresses, type AvalaraSandbox } from "./sandbox";

let sandbox: AvalaraSandbox;
let server: { url: string; close(): Promise<void> };
let conn: Connection;
const COMPANY_ID = 7654321;
const auth = `Basic ${Buffer.from(`${demoSecrets.accountId}:${demoSecrets.licenseKey}`).toString("base64")}`;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: auth, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  sandbox = createSandbox();
  server = await sandbox.listen(0);
  conn = connect(server.url);
});
afterAll(async () => server.close());

describe("Avalara customers on the wire", () => {
  it("creates from a list, reads with certificates, replaces on update, refuses a second code", async () => {
    const created = await api("POST", `/api/v2/companies/${COMPANY_ID}/customers`, [
      { customerCode: "W-1", name: "Wire Test Co", line1: "600 Congress Ave", city: "Austin", region: "tx", postalCode: "78701", country: "us", emailAddress: "ap@wire.example" },
    ]);
    expect(created.status).toBe(201);
    expect(created.json).toEqual([expect.objectContaining({ companyId: COMPANY_ID, customerCode: "W-1", name: "Wire Test Co", region: "TX", country: "US", id: expect.any(Number) })]);

    const dup = await api("POST", `/api/v2/companies/${COMPANY_ID}/customers`, [{ customerCode: "W-1", name: "Again", line1: "1 Main", postalCode: "78701", country: "US" }]);
    expect(dup.status).toBe(400);
    expect(dup.json.error).toMatchObject({ code: "DuplicateEntry", details: [expect.objectContaining({ refersTo: "CustomerCode" })] });

    const missing = await api("POST", `/api/v2/companies/${COMPANY_ID}/customers`, [{ customerCode: "W-2", line1: "1 Main", postalCode: "78701", country: "US" }]);
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe("ValueRequiredError");

    const cert = await api("POST", `/api/v2/companies/${COMPANY_ID}/certificates`, [
      { signedDate: "2024-01-01", expirationDate: "2029-12-31", exemptionNumber: "TX-W-1", exemptionReason: { name: "RESALE" }, exposureZone: { name: "Texas" }, customers: [{ customerCode: "W-1" }] },
    ]);
    expect(cert.status).toBe(201);
    expect(cert.json[0]).toMatchObject({ exemptionNumber: "TX-W-1", exemptionReason: { name: "RESALE" }, exposureZone: { name: "TEXAS", region: "TX" }, customers: [{ customerCode: "W-1" }], valid: true });

    const read = await api("GET", `/api/v2/companies/${COMPANY_ID}/customers/W-1?$include=certificates`);
    expect(read.status).toBe(200);
    expect(read.json.certificates).toEqual([expect.objectContaining({ exemptionNumber: "TX-W-1", signedDate: "2024-01-01T00:00:00" })]);
    expect((await api("GET", `/api/v2/companies/${COMPANY_ID}/customers/W-1`)).json.certificates).toBeUndefined();

    const put = await api("PUT", `/api/v2/companies/${COMPANY_ID}/customers/W-1`, { ...read.json, name: "Wire Test Company", certificates: undefined });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ name: "Wire Test Company", emailAddress: "ap@wire.example", id: read.json.id });

    const none = await api("GET", `/api/v2/companies/${COMPANY_ID}/customers/NOPE`);
    expect(none.status).toBe(404);
    expect(none.json.error.code).toBe("EntityNotFoundError");

    const list = await api("GET", `/api/v2/companies/${COMPANY_ID}/customers?$top=1&$skip=0`);
    expect(list.json).toMatchObject({ "@recordsetCount": 3, value: [expect.objectContaining({ customerCode: "CUST-RESELLER-TX" })], "@nextLink": expect.stringContaining("$skip=1") });
    expect((await api("GET", `/api/v2/companies/${COMPANY_ID}/customers/W-1/certificates`)).json).toMatchObject({ "@recordsetCount": 1 });
  });

  it("exempts a customer's lines where its certificate applies, and taxes it elsewhere", async () => {
    const tx = await runOnce(createTransaction, conn.client, { code: "INV-W-TX", date: "2026-03-01", customerCode: "W-1", addresses: { singleLocation: demoAddresses.TX }, lines: [{ amount: 500 }] });
    expect(tx).toMatchObject({ totalTax: 0, totalExempt: 500 });
    const wa = await runOnce(createTransaction, conn.client, { code: "INV-W-WA", date: "2026-03-01", customerCode: "W-1", addresses: { singleLocation: demoAddresses.WA }, lines: [{ amount: 500 }] });
    expect(wa.totalTax).toBeGreaterThan(0);
    // After the certificate expired, Texas taxes it again.
    const later = await runOnce(createTransaction, conn.client, { code: "INV-W-TX-2031", date: "2031-01-05", customerCode: "W-1", addresses: { singleLocation: demoAddresses.TX }, lines: [{ amount: 500 }] });
    expect(later.totalTax).toBeGreaterThan(0);
  });

  it("QueryTaxCodes under a company lists the company's own codes", async () => {
    const own = await api("GET", `/api/v2/companies/${COMPANY_ID}/taxcodes`);
    expect(own.json).toMatchObject({ "@recordsetCount": 1, value: [expect.objectContaining({ companyId: COMPANY_ID, taxCode: "LL-SUPPORT", taxCodeTypeId: "S", parentTaxCode: "SC150100" })] });
    const unknownCompany = await api("GET", `/api/v2/companies/1/taxcodes`);
    expect(unknownCompany.status).toBe(404);
  });
});

describe("customer nodes", () => {
  it("reads a customer with its exemption status (entity/use code from the exemption reason)", async () => {
    const out = await runOnce(getCustomerNode, conn.client, { customerCode: "CUST-HOSPITAL-NY" });
    expect(out).toMatchObject({ found: true, customer: { name: "St. Vincent Hospital", exempt: "true", exemptionNo: "NY-ST119-7781", entityUseCode: "E", exemptRegions: "NY" } });
    expect(await runOnce(getCustomerNode, conn.client, { customerCode: "NOBODY" })).toEqual({ found: false });
    await expect(runOnce(getCustomerNode, conn.client, { customerCode: "NOBODY" }, { whenMissing: "review" })).rejects.toBeInstanceOf(NeedsReviewError);
  });

  it("creates once, updates only what differs, and sends nothing when it matches", async () => {
    const fields = { name: "Node Co", line1: "400 Broad St", city: "Seattle", region: "WA", postalCode: "98109", country: "US" };
    expect(await runOnce(upsertCustomer, conn.client, { customerCode: "N-1", changeKey: "v1", fields })).toEqual({ customerCode: "N-1", action: "created", changed: ["name", "line1", "city", "region", "postalCode", "country"] });
    const before = sandbox.state().log.length;
    expect(await runOnce(upsertCustomer, conn.client, { customerCode: "N-1", changeKey: "v1", fields })).toMatchObject({ action: "unchanged", changed: [] });
    const up = await runOnce(upsertCustomer, conn.client, { customerCode: "N-1", changeKey: "v2", fields: { ...fields, name: "Node Company" } });
    expect(up).toEqual({ customerCode: "N-1", action: "updated", changed: ["name"] });
    const held = sandbox.state().accounts[0]!.companies[0]!.customers.find((c) => c.customerCode === "N-1")!;
    expect(held).toMatchObject({ name: "Node Company", line1: "400 Broad St", region: "WA" });
    expect(sandbox.state().log.length).toBe(before);
  });

  it("a dry run shows the change and writes nothing", async () => {
    if (upsertCustomer.effect.kind !== "write") throw new Error("write node expected");
    const preview = await upsertCustomer.effect.preview!(
      (await import("../sdk")).localNodeContext(conn.client, { runId: "dry" }),
      upsertCustomer.input.parse({ customerCode: "N-1", changeKey: "v3", fields: { city: "Tacoma" } }),
      upsertCustomer.config.parse({}),
    );
    expect(preview).toMatchObject({ wouldPost: { operation: "UpdateCustomer", changes: [{ field: "city", from: "Seattle", to: "Tacoma" }] }, output: { action: "updated", changed: ["city"] } });
    expect(sandbox.state().accounts[0]!.companies[0]!.customers.find((c) => c.customerCode === "N-1")!.city).toBe("Seattle");
  });

  it("the exemption poll starts a run only when a certificate changes a customer's status", async () => {
    const poll = customersChanged.trigger!.poll!;
    const ctx = (await import("../sdk")).localNodeContext(conn.client, { runId: "poll" });
    const c = customersChanged.config.parse({});
    const first = await poll(ctx, c, undefined);
    expect(first.records).toEqual([]);
    // A name change (what the other flow writes) starts nothing.
    await runOnce(upsertCustomer, conn.client, { customerCode: "N-1", changeKey: "v4", fields: { name: "Node Company Ltd" } });
    const second = await poll(ctx, c, first.checkpoint);
    expect(second.records).toEqual([]);
    await api("POST", `/api/v2/companies/${COMPANY_ID}/certificates`, [
      { signedDate: "2025-01-01", exemptionNumber: "WA-N-1", exemptionReason: { name: "CHARITABLE/EXEMPT ORG" }, exposureZone: { name: "Washington" }, customers: [{ customerCode: "N-1" }] },
    ]);
    const third = await poll(ctx, c, second.checkpoint);
    expect(third.records).toEqual([expect.objectContaining({ key: "avalara:DEFAULT:customer:N-1", data: { customerCode: "N-1" } })]);
    expect((await poll(ctx, c, third.checkpoint)).records).toEqual([]);
  });
});

describe("tax code check", () => {
  it("flags rows whose code Avalara does not know, with the row and the code", async () => {
    const rows = [
      { key: "SW-STD", taxCode: "SW052000" },
      { key: "SUPPORT", taxCode: "LL-SUPPORT" },
      { key: "GADGET", taxCode: "PX999999" },
    ];
    expect(await runOnce(checkTaxCodes, conn.client, { rows }, { whenUnknown: "report" })).toEqual({ checked: 3, unknown: [{ key: "GADGET", taxCode: "PX999999" }] });
    const parked = await runOnce(checkTaxCodes, conn.client, { rows }).catch((e: unknown) => e);
    expect(parked).toBeInstanceOf(NeedsReviewError);
    expect(parked).toMatchObject({ reasonCode: "unknown_tax_code", details: { unknown: [{ key: "GADGET", taxCode: "PX999999" }] } });
    expect((parked as Error).message).toContain("GADGET -> PX999999");
  });
});
