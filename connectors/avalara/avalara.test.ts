/**
 * The Avalara connector against its sandbox over real HTTP: every node, the tax breakdown per
 * jurisdiction, the address review path, idempotent document codes, faults (429, 5xx, lost
 * responses, timeouts) and the classified errors they become.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AlreadyDoneError,
  NeedsReviewError,
  PermanentError,
  RetryableError,
  localNodeContext,
  type SandboxServer,
} from "../sdk";
import { avalara } from "./index";
import { commitTransaction } from "./nodes/commitTransaction";
import { createTransaction } from "./nodes/createTransaction";
import { getTransaction } from "./nodes/getTransaction";
import { resolveAddress } from "./nodes/resolveAddress";
import { voidTransaction } from "./nodes/voidTransaction";
import { createSandbox, demoAddresses, DEMO, type AvalaraSandbox } from "./sandbox";
import { connect, runLikeEngine, runOnce, type Connection } from "./harness.test-helpers";

let sandbox: AvalaraSandbox;
let server: SandboxServer;
let conn: Connection;
const clock = { now: Date.parse("2024-05-02T09:30:00Z") };

async function admin(path: string, body?: unknown) {
  const res = await fetch(`${server.url}/__sandbox/${path}`, {
    method: body === undefined && path === "state" ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json();
}

const seattleInvoice = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  date: "2024-05-01",
  customerCode: "CUST-1001",
  currencyCode: "USD",
  referenceCode: "INV 20240017",
  addresses: { shipFrom: demoAddresses.CA, shipTo: demoAddresses.WA },
  lines: [
    { number: "1", quantity: 2, amount: "1000.00", taxCode: "P0000000", itemCode: "HW-ROUTER", description: "Router" },
    { number: "2", amount: 500, taxCode: "SW054000", itemCode: "SAAS-ANNUAL" },
  ],
  ...extra,
});

const operations = () => sandbox.state().log.map((l) => `${l.operation} ${l.code} ${l.status}`);

beforeAll(async () => {
  sandbox = createSandbox({ now: () => clock.now });
  server = await sandbox.listen(0);
});

afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  await admin("reset", {});
  conn = connect(server.url, { now: () => clock.now });
});

describe("connection", () => {
  it("tests the connection with the ping and authenticated === true", async () => {
    const result = await avalara.test(conn.client);
    expect(result).toEqual({
      ok: true,
      message: `Connected to AvaTax 24.12.0.0 as account ${DEMO.accountId}`,
      details: { version: "24.12.0.0", authenticationType: "AccountIdLicenseKey", accountId: Number(DEMO.accountId), companyId: 7654321 },
    });
    expect(conn.env.calls.map((c) => `${c.method} ${c.url} ${c.status}`)).toEqual([`GET ${server.url}/api/v2/utilities/ping 200`]);
  });

  it("reports bad credentials from a ping that answers 200 with authenticated false", async () => {
    const bad = connect(server.url, { secrets: { accountId: DEMO.accountId, licenseKey: "WRONG-KEY-1234" } });
    const result = await avalara.test(bad.client);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/did not accept the credentials/);
    expect(bad.env.calls[0].status).toBe(200);
  });

  it("accepts a user name and password", async () => {
    const user = connect(server.url, { secrets: { username: DEMO.userName, password: DEMO.password } });
    const result = await avalara.test(user.client);
    expect(result).toMatchObject({ ok: true, details: { authenticationType: "UsernamePassword" } });
    expect(result.message).toBe(`Connected to AvaTax 24.12.0.0 as ${DEMO.userName}`);
  });

  it("sends Basic auth, JSON and the X-Avalara-Client header, and records no secret", async () => {
    const out = await runOnce(createTransaction, conn.client, seattleInvoice("INV-HDR-1"));
    const call = conn.env.calls[0];
    expect(call.method).toBe("POST");
    expect(call.url).toBe(`${server.url}/api/v2/transactions/create?%24include=Lines%2CDetails%2CSummary%2CAddresses`);
    // AvaTax answers a recorded transaction 201 Created; the node takes it as the document.
    expect(call.status).toBe(201);
    expect(out).toMatchObject({ code: "INV-HDR-1", status: "Saved", version: 1 });
    expect(sandbox.documents("DEFAULT", "INV-HDR-1")).toHaveLength(1);
    expect(call.requestHeaders).toEqual({
      Accept: "application/json",
      Authorization: "[redacted]",
      "X-Avalara-Client": "Ledgerline; 0.1; LedgerlineConnector; 1.0; ledgerline-worker",
      "Content-Type": "application/json",
    });
    expect(JSON.parse(call.requestBody!)).toEqual({
      type: "SalesInvoice",
      code: "INV-HDR-1",
      companyCode: "DEFAULT",
      date: "2024-05-01",
      customerCode: "CUST-1001",
      commit: false,
      currencyCode: "USD",
      referenceCode: "INV 20240017",
      addresses: { shipFrom: demoAddresses.CA, shipTo: demoAddresses.WA },
      lines: [
        { number: "1", quantity: 2, amount: 1000, taxCode: "P0000000", itemCode: "HW-ROUTER", description: "Router" },
        { number: "2", amount: 500, taxCode: "SW054000", itemCode: "SAAS-ANNUAL" },
      ],
    });
    const recorded = JSON.stringify(conn.env.calls);
    const token = Buffer.from(`${DEMO.accountId}:${DEMO.licenseKey}`).toString("base64");
    expect(recorded).not.toContain(DEMO.licenseKey);
    expect(recorded).not.toContain(token);
  });

  it("rejects connection settings without credentials or with a custom environment lacking a base URL", () => {
    expect(avalara.secrets.safeParse({ accountId: "123" }).success).toBe(false);
    expect(avalara.config.safeParse({ environment: "custom" }).success).toBe(false);
    expect(avalara.config.parse({})).toMatchObject({ environment: "sandbox", timeoutMs: 30_000, callsPerSecond: 20 });
  });

  it("marks the connection failing on authentication errors, without leaking the key", async () => {
    const bad = connect(server.url, { secrets: { accountId: DEMO.accountId, licenseKey: "WRONG-KEY-1234" } });
    const error = await runOnce(createTransaction, bad.client, seattleInvoice("INV-AUTH-1")).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status: 401, code: "AuthenticationException", connectionHealth: "failing", system: "avalara" });
    expect(JSON.stringify(error.toJSON())).not.toContain("WRONG-KEY-1234");
    expect(sandbox.state().documents.size).toBe(0);
  });

  it("loads the company and tax code pickers", async () => {
    expect(await avalara.pickers!.companies.load(conn.client)).toEqual([
      { value: "DEFAULT", label: "DEFAULT · Ledgerline Demo Software Inc. (default)" },
      { value: "LEDGERLINE-WEST", label: "LEDGERLINE-WEST · Ledgerline West Coast Distribution LLC" },
    ]);
    const codes = await avalara.pickers!.taxCodes.load(conn.client);
    // The system's codes, then the company's own (LL-SUPPORT is the demo company's).
    expect(codes.map((c) => c.value)).toEqual(["P0000000", "NT", "SW052000", "SW054000", "D0000000", "FR020100", "PF050100", "SC150100", "LL-SUPPORT"]);
  });

  it("declares node configs that convert to JSON Schema, with pickers", () => {
    for (const node of avalara.nodes) {
      expect(node.type).toMatch(/^avalara\.[a-z][A-Za-z]+$/);
      const schema = z.toJSONSchema(node.config) as { properties?: Record<string, { picker?: string }> };
      expect(schema.properties).toBeDefined();
    }
    const schema = z.toJSONSchema(createTransaction.config) as { properties: Record<string, { picker?: string }> };
    expect(schema.properties.companyCode.picker).toBe("companies");
  });
});

describe("resolve address", () => {
  it("returns the validated address, coordinates and resolution quality", async () => {
    const out = await runOnce(resolveAddress, conn.client, { line1: "255 South King Street", city: "seattle", region: "WA", postalCode: "98104" });
    expect(out).toEqual({
      status: "validated",
      resolutionQuality: "Rooftop",
      address: { line1: "255 S King St", line2: "", line3: "", city: "Seattle", region: "WA", country: "US", postalCode: "98104-2845" },
      latitude: 47.5982,
      longitude: -122.3317,
      taxAuthorities: [
        { jurisdictionName: "WASHINGTON", jurisdictionType: "State" },
        { jurisdictionName: "SEATTLE", jurisdictionType: "City" },
        { jurisdictionName: "REGIONAL TRANSIT AUTHORITY", jurisdictionType: "Special" },
      ],
      messages: [],
      original: { line1: "255 South King Street", city: "seattle", region: "WA", postalCode: "98104" },
    });
    expect(JSON.parse(conn.env.calls[0].requestBody!)).toEqual({
      line1: "255 South King Street",
      city: "seattle",
      region: "WA",
      postalCode: "98104",
      country: "US",
      textCase: "Mixed",
    });
  });

  it("resolves every demo address of the supported states", async () => {
    for (const key of ["WA", "CA", "NY", "TX", "IL", "CO", "FL", "CA_ON"] as const) {
      const out = await runOnce(resolveAddress, conn.client, demoAddresses[key]);
      expect(out.status, key).toBe("validated");
      expect(out.resolutionQuality, key).toBe("Rooftop");
    }
  });

  it("sends an undeliverable address (HTTP 200 with error messages) to review", async () => {
    const error = await runOnce(resolveAddress, conn.client, { ...demoAddresses.UNDELIVERABLE, reference: "CUST-2002" }).catch((e) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect(error.reasonCode).toBe("invalid_address");
    expect(error.message).toBe(
      "Address for CUST-2002 needs review: The address is not deliverable. (12 Railyard Access Rd, Austin, TX 78701, US)",
    );
    expect(error.details.messages[0]).toMatchObject({ summary: "The address is not deliverable.", severity: "Error" });
    expect(conn.env.calls[0].status).toBe(200);
  });

  it("sends an out-of-range house number and a ZIP/city mismatch to review", async () => {
    const outOfRange = await runOnce(resolveAddress, conn.client, demoAddresses.OUT_OF_RANGE).catch((e) => e);
    expect(outOfRange).toMatchObject({ reasonCode: "invalid_address" });
    expect(outOfRange.details.messages[0].summary).toBe("The address number is out of range");
    const mismatch = await runOnce(resolveAddress, conn.client, { ...demoAddresses.WA, city: "Spokane" }).catch((e) => e);
    expect(mismatch.details.messages[0].summary).toBe("The city, region and postal code do not match.");
  });

  it("sends an incomplete address (documented GetTaxError envelope) to review", async () => {
    const error = await runOnce(resolveAddress, conn.client, { line1: "12 Main St" }).catch((e) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect(error).toMatchObject({ reasonCode: "invalid_address", status: 400, code: "GetTaxError" });
    expect(error.details[0]).toMatchObject({ refersTo: "Addresses[0]", message: "An Address is incomplete or invalid." });
  });

  it("accepts a ZIP-only address at postal-centroid quality, and can demand more", async () => {
    const out = await runOnce(resolveAddress, conn.client, { postalCode: "60606" });
    expect(out).toMatchObject({ status: "validated", resolutionQuality: "PostalCentroidGood", address: { city: "Chicago", region: "IL" } });
    const strict = await runOnce(resolveAddress, conn.client, { postalCode: "60606" }, { minimumQuality: "Rooftop" }).catch((e) => e);
    expect(strict).toMatchObject({ reasonCode: "invalid_address" });
    expect(strict.message).toMatch(/resolution PostalCentroidGood is coarser than Rooftop/);
  });

  it("does not call AvaTax for addresses outside the US and Canada", async () => {
    const uk = { line1: "1 Poultry", city: "London", postalCode: "EC2R 8EJ", country: "GB" };
    const out = await runOnce(resolveAddress, conn.client, uk);
    expect(out).toMatchObject({ status: "skipped", address: { line1: "1 Poultry", country: "GB" } });
    const review = await runOnce(resolveAddress, conn.client, uk, { otherCountries: "review" }).catch((e) => e);
    expect(review).toMatchObject({ reasonCode: "invalid_address" });
    expect(conn.env.calls).toHaveLength(0);
  });
});

describe("calculate tax", () => {
  it("returns totals and the tax per jurisdiction from summary and line details", async () => {
    const out = await runOnce(createTransaction, conn.client, seattleInvoice("INV-20240017"));
    expect(out).toMatchObject({
      code: "INV-20240017",
      companyCode: "DEFAULT",
      type: "SalesInvoice",
      status: "Saved",
      date: "2024-05-01",
      customerCode: "CUST-1001",
      currencyCode: "USD",
      totalAmount: 1500,
      totalTaxable: 1500,
      totalTax: 155.25,
      totalExempt: 0,
      version: 1,
    });
    expect(out.id).toBeGreaterThan(0);
    expect(out.jurisdictions.map(({ key, jurisType, jurisName, taxName, rate, taxable, tax }) => ({ key, jurisType, jurisName, taxName, rate, taxable, tax }))).toEqual([
      { key: "US:WA:STA:53", jurisType: "State", jurisName: "WASHINGTON", taxName: "WA STATE TAX", rate: 0.065, taxable: 1500, tax: 97.5 },
      { key: "US:WA:CIT:63000", jurisType: "City", jurisName: "SEATTLE", taxName: "WA CITY TAX", rate: 0.0245, taxable: 1500, tax: 36.75 },
      { key: "US:WA:STJ:EMTV0", jurisType: "Special", jurisName: "REGIONAL TRANSIT AUTHORITY", taxName: "WA SPECIAL TAX", rate: 0.014, taxable: 1500, tax: 21 },
    ]);
    expect(out.lines).toHaveLength(2);
    expect(out.lines[0]).toMatchObject({ lineNumber: "1", itemCode: "HW-ROUTER", taxCode: "P0000000", quantity: 2, amount: 1000, tax: 103.5 });
    expect(out.lines[0].details.map((d) => [d.jurisTypeId, d.jurisName, d.tax])).toEqual([
      ["STA", "WASHINGTON", 65],
      ["CIT", "SEATTLE", 24.5],
      ["STJ", "REGIONAL TRANSIT AUTHORITY", 14],
    ]);
    expect(out.jurisdictions.reduce((s, j) => s + j.tax, 0)).toBeCloseTo(out.totalTax, 2);
  });

  it("applies state rules per tax code: Texas taxes 80% of SaaS, Illinois groceries at 1%, NT exempt", async () => {
    const tx = await runOnce(createTransaction, conn.client, {
      code: "INV-TX-1",
      date: "2024-05-01",
      customerCode: "CUST-1002",
      addresses: { singleLocation: demoAddresses.TX },
      lines: [{ amount: 1000, taxCode: "SW054000" }],
    });
    expect(tx.jurisdictions.map((j) => [j.jurisName, j.taxable, j.nonTaxable, j.tax])).toEqual([
      ["TEXAS", 800, 200, 50],
      ["AUSTIN", 800, 200, 8],
      ["AUSTIN MTA TRANSIT", 800, 200, 8],
    ]);
    expect(tx.totalTax).toBe(66);

    const il = await runOnce(createTransaction, conn.client, {
      code: "INV-IL-1",
      date: "2024-05-01",
      customerCode: "CUST-1003",
      addresses: { shipFrom: demoAddresses.WA, shipTo: demoAddresses.IL },
      lines: [
        { number: 1, amount: 200, taxCode: "PF050100" },
        { number: 2, amount: 50, taxCode: "NT" },
      ],
    });
    expect(il.lines[0].details.find((d) => d.jurisTypeId === "STA")).toMatchObject({ rate: 0.01, tax: 2 });
    expect(il.lines[1]).toMatchObject({ tax: 0, taxable: 0, exempt: 50 });
    expect(il.totalExempt).toBe(50);
  });

  it("exempts customers with a certificate or an exemption number", async () => {
    const cert = await runOnce(createTransaction, conn.client, {
      code: "INV-EX-1",
      date: "2024-05-01",
      customerCode: "CUST-RESELLER-TX",
      addresses: { singleLocation: demoAddresses.TX },
      lines: [{ amount: 1000 }],
    });
    expect(cert).toMatchObject({ totalTax: 0, totalExempt: 1000, totalTaxable: 0 });
    expect(cert.jurisdictions.every((j) => j.exemption === 1000)).toBe(true);
    const byNumber = await runOnce(createTransaction, conn.client, {
      code: "INV-EX-2",
      date: "2024-05-01",
      customerCode: "CUST-1001",
      exemptionNo: "WA-EXEMPT-77",
      addresses: { singleLocation: demoAddresses.WA },
      lines: [{ amount: 300 }],
    });
    expect(byNumber).toMatchObject({ totalTax: 0, totalExempt: 300 });
  });

  it("gives zero tax without nexus and simple VAT outside the USA", async () => {
    const fl = await runOnce(createTransaction, conn.client, {
      code: "INV-FL-1",
      date: "2024-05-01",
      customerCode: "CUST-1004",
      addresses: { singleLocation: demoAddresses.FL },
      lines: [{ amount: 400 }],
    });
    expect(fl).toMatchObject({ totalTax: 0, totalExempt: 400 });
    const uk = await runOnce(createTransaction, conn.client, {
      code: "INV-UK-1",
      date: "2024-05-01",
      customerCode: "CUST-UK-1",
      currencyCode: "GBP",
      addresses: { shipFrom: demoAddresses.WA, shipTo: { line1: "1 Poultry", city: "London", postalCode: "EC2R 8EJ", country: "GB" } },
      lines: [{ amount: 250 }],
    });
    expect(uk.totalTax).toBe(50);
    expect(uk.jurisdictions).toEqual([
      expect.objectContaining({ key: "GB:GB:CNT:GB", jurisType: "Country", taxName: "GB VAT STANDARD", rate: 0.2, tax: 50 }),
    ]);
  });

  it("calculates Order types without storing them", async () => {
    const out = await runOnce(createTransaction, conn.client, seattleInvoice("QUOTE-1"), { documentType: "SalesOrder", commit: true });
    expect(out).toMatchObject({ id: 0, status: "Temporary", type: "SalesOrder", totalTax: 155.25 });
    expect(sandbox.state().documents.size).toBe(0);
    if (createTransaction.effect.kind !== "write") throw new Error("write expected");
    const reconciled = await createTransaction.effect.reconcile!(
      localNodeContext(conn.client),
      createTransaction.input.parse(seattleInvoice("QUOTE-1")),
      createTransaction.config.parse({ documentType: "SalesOrder" }),
    );
    expect(reconciled).toBeUndefined();
  });

  it("keys the write by company, document type and code", () => {
    if (createTransaction.effect.kind !== "write") throw new Error("write expected");
    const i = createTransaction.input.parse(seattleInvoice("INV-9"));
    expect(createTransaction.effect.key(i, createTransaction.config.parse({}))).toBe("avalara:DEFAULT:SalesInvoice:INV-9");
    const other = createTransaction.input.parse(seattleInvoice("INV-9", { companyCode: "LEDGERLINE-WEST", type: "ReturnInvoice" }));
    expect(createTransaction.effect.key(other, createTransaction.config.parse({}))).toBe("avalara:LEDGERLINE-WEST:ReturnInvoice:INV-9");
  });

  it("rejects bad input with clear messages", () => {
    const result = createTransaction.input.safeParse({ code: "", date: "01/05/2024", customerCode: "C", addresses: {}, lines: [] });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["code", "date", "addresses", "lines"]));
    expect(createTransaction.input.safeParse(seattleInvoice("X", { lines: [{ amount: "12,50" }] })).success).toBe(false);
  });

  it("replaces a Saved document when the code is sent again", async () => {
    await runOnce(createTransaction, conn.client, seattleInvoice("INV-SAVED-1"));
    const again = await runOnce(createTransaction, conn.client, seattleInvoice("INV-SAVED-1", { lines: [{ amount: 100 }] }));
    expect(again).toMatchObject({ status: "Saved", totalAmount: 100 });
    expect(sandbox.documents("DEFAULT", "INV-SAVED-1")).toHaveLength(1);
    expect(operations()).toEqual(["create INV-SAVED-1 Saved", "replace INV-SAVED-1 Saved"]);
  });

  it("reads a committed code back instead of creating a second document", async () => {
    const first = await runOnce(createTransaction, conn.client, seattleInvoice("INV-COMMIT-1"), { commit: true });
    expect(first.status).toBe("Committed");
    conn.env.calls.length = 0;
    const error = await runOnce(createTransaction, conn.client, seattleInvoice("INV-COMMIT-1"), { commit: true }).catch((e) => e);
    expect(error).toBeInstanceOf(AlreadyDoneError);
    expect(error).toMatchObject({ code: "DocumentCodeConflict", status: 400 });
    expect(error.result).toEqual(first);
    expect(conn.env.calls.map((c) => `${c.method} ${c.url.replace(server.url, "")} ${c.status}`)).toEqual([
      "POST /api/v2/transactions/create?%24include=Lines%2CDetails%2CSummary%2CAddresses 400",
      "GET /api/v2/companies/DEFAULT/transactions/INV-COMMIT-1?documentType=SalesInvoice&%24include=Lines%2CDetails%2CSummary%2CAddresses 200",
    ]);
    const engine = await runLikeEngine(createTransaction, conn.client, seattleInvoice("INV-COMMIT-1"), { commit: true });
    expect(engine).toMatchObject({ via: "already_done", output: first });
    expect(sandbox.documents("DEFAULT", "INV-COMMIT-1")).toHaveLength(1);
    expect(operations()).toEqual(["create INV-COMMIT-1 Committed"]);
  });

  it("reads a cancelled code back (GetTaxError: DocStatus is invalid)", async () => {
    await runOnce(createTransaction, conn.client, seattleInvoice("INV-VOIDED-1"), { commit: true });
    await runOnce(voidTransaction, conn.client, { code: "INV-VOIDED-1" });
    const error = await runOnce(createTransaction, conn.client, seattleInvoice("INV-VOIDED-1")).catch((e) => e);
    expect(error).toBeInstanceOf(AlreadyDoneError);
    expect(error.code).toBe("GetTaxError");
    expect(error.result).toMatchObject({ code: "INV-VOIDED-1", status: "Cancelled" });
    expect(sandbox.documents("DEFAULT", "INV-VOIDED-1")).toHaveLength(1);
  });

  it("sends unknown tax codes and invalid addresses to review", async () => {
    const taxCode = await runOnce(createTransaction, conn.client, seattleInvoice("INV-TC-1", { lines: [{ amount: 10, taxCode: "PZZZ" }] })).catch((e) => e);
    expect(taxCode).toBeInstanceOf(NeedsReviewError);
    expect(taxCode).toMatchObject({ reasonCode: "invalid_tax_code", code: "EntityNotFoundError" });
    const addr = await runOnce(
      createTransaction,
      conn.client,
      seattleInvoice("INV-ADDR-1", { addresses: { shipTo: { line1: "1 Main St", country: "US" } } }),
    ).catch((e) => e);
    expect(addr).toBeInstanceOf(NeedsReviewError);
    expect(addr).toMatchObject({ reasonCode: "invalid_address", code: "GetTaxError" });
    const mismatch = await runOnce(
      createTransaction,
      conn.client,
      seattleInvoice("INV-ADDR-2", { addresses: { shipTo: { postalCode: "98104", region: "CA" } } }),
    ).catch((e) => e);
    expect(mismatch).toMatchObject({ reasonCode: "invalid_address", code: "InvalidPostalCode" });
    expect(sandbox.state().documents.size).toBe(0);
  });

  it("retries after a 429 (Retry-After honoured via retryAfterMs) and then succeeds", async () => {
    await admin("faults", { queue: ["rateLimit"], retryAfterSeconds: 2 });
    const first = await runOnce(createTransaction, conn.client, seattleInvoice("INV-429-1")).catch((e) => e);
    expect(first).toBeInstanceOf(RetryableError);
    expect(first).toMatchObject({ status: 429, code: "RequestLimitExceeded", retryAfterMs: 2000, outcomeUnknown: false });
    const out = await runOnce(createTransaction, conn.client, seattleInvoice("INV-429-1"));
    expect(out).toMatchObject({ status: "Saved", totalTax: 155.25 });
    expect(conn.env.calls.map((c) => c.status)).toEqual([429, 201]);
    expect(sandbox.documents("DEFAULT", "INV-429-1")).toHaveLength(1);
  });

  it("treats a 5xx (non-JSON outage page) as retryable, with an unknown outcome for writes", async () => {
    await admin("faults", { queue: ["serverError", "serverError"] });
    const write = await runOnce(createTransaction, conn.client, seattleInvoice("INV-500-1")).catch((e) => e);
    expect(write).toBeInstanceOf(RetryableError);
    expect(write).toMatchObject({ status: 500, outcomeUnknown: true, retryAfterMs: undefined });
    expect(write.body).toContain("500 - Internal server error.");
    const read = await runOnce(getTransaction, conn.client, { code: "INV-500-1" }).catch((e) => e);
    expect(read).toMatchObject({ kind: "retryable", outcomeUnknown: false });
    const engine = await runLikeEngine(createTransaction, conn.client, seattleInvoice("INV-500-1"));
    expect(engine.via).toBe("run");
    expect(sandbox.documents("DEFAULT", "INV-500-1")).toHaveLength(1);
  });

  it("after a lost response retries with createoradjust, leaving exactly one document", async () => {
    await admin("faults", { queue: ["dropAfterWrite"] });
    const lost = await runOnce(createTransaction, conn.client, seattleInvoice("INV-LOST-1"), { commit: true }).catch((e) => e);
    expect(lost).toBeInstanceOf(RetryableError);
    expect(lost.outcomeUnknown).toBe(true);
    expect(sandbox.documents("DEFAULT", "INV-LOST-1")).toHaveLength(1);

    const out = await runOnce(createTransaction, conn.client, seattleInvoice("INV-LOST-1"), { commit: true }, true);
    expect(out).toMatchObject({ code: "INV-LOST-1", status: "Committed", totalTax: 155.25, version: 2, adjustmentReason: "Other" });
    const retry = conn.env.calls[1];
    expect(retry.url).toBe(`${server.url}/api/v2/transactions/createoradjust?%24include=Lines%2CDetails%2CSummary%2CAddresses`);
    expect(retry.status).toBe(201);
    expect(JSON.parse(retry.requestBody!)).toMatchObject({
      adjustmentReason: "Other",
      adjustmentDescription: "Ledgerline retry after an unknown outcome (run run-test)",
      createTransactionModel: { code: "INV-LOST-1", type: "SalesInvoice", commit: true },
    });
    expect(sandbox.documents("DEFAULT", "INV-LOST-1")).toHaveLength(1);
    expect(operations()).toEqual(["create INV-LOST-1 Committed", "adjust INV-LOST-1 Committed"]);
  });

  it("reconciles a lost response by reading the document back", async () => {
    await admin("faults", { queue: ["dropAfterWrite"] });
    const engine = await runLikeEngine(createTransaction, conn.client, seattleInvoice("INV-LOST-2"), { commit: true });
    expect(engine.via).toBe("reconcile");
    expect(engine.output).toMatchObject({ code: "INV-LOST-2", status: "Committed", totalTax: 155.25, version: 1 });
    expect(operations()).toEqual(["create INV-LOST-2 Committed"]);
  });

  it("times out slow answers as retryable with an unknown outcome, then reconciles", async () => {
    const slow = connect(server.url, { config: { timeoutMs: 1000 }, now: () => clock.now });
    await admin("faults", { latencyMs: 1200 });
    const error = await runOnce(createTransaction, slow.client, seattleInvoice("INV-SLOW-1")).catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.outcomeUnknown).toBe(true);
    expect(error.message).toMatch(/timed out after 1000 ms/);
    await admin("faults", {});
    // The sandbox stored it after the client gave up.
    await new Promise((r) => setTimeout(r, 300));
    if (createTransaction.effect.kind !== "write") throw new Error("write expected");
    const i = createTransaction.input.parse(seattleInvoice("INV-SLOW-1"));
    const found = await createTransaction.effect.reconcile!(
      localNodeContext(slow.client),
      i,
      createTransaction.config.parse({}),
    );
    expect(found).toMatchObject({ code: "INV-SLOW-1", status: "Saved" });
  });
});

describe("commit, void, get", () => {
  it("commits a saved document and treats a second commit as done", async () => {
    await runOnce(createTransaction, conn.client, seattleInvoice("INV-C-1"));
    const committed = await runOnce(commitTransaction, conn.client, { code: "INV-C-1" });
    expect(committed).toMatchObject({ code: "INV-C-1", status: "Committed", totalTax: 155.25 });
    expect(JSON.parse(conn.env.calls[1].requestBody!)).toEqual({ commit: true });
    expect(conn.env.calls[1].url).toBe(
      `${server.url}/api/v2/companies/DEFAULT/transactions/INV-C-1/commit?documentType=SalesInvoice&%24include=Lines%2CDetails%2CSummary%2CAddresses`,
    );
    const again = await runOnce(commitTransaction, conn.client, { code: "INV-C-1" });
    expect(again.status).toBe("Committed");
    if (commitTransaction.effect.kind !== "write") throw new Error("write expected");
    expect(commitTransaction.effect.key(commitTransaction.input.parse({ code: "INV-C-1" }), commitTransaction.config.parse({}))).toBe(
      "avalara:DEFAULT:SalesInvoice:INV-C-1:commit",
    );
  });

  it("refuses to commit a voided document", async () => {
    await runOnce(createTransaction, conn.client, seattleInvoice("INV-C-2"));
    // DocVoided keeps the record (Cancelled); DocDeleted would remove an uncommitted document.
    await runOnce(voidTransaction, conn.client, { code: "INV-C-2" }, { reasonCode: "DocVoided" });
    const error = await runOnce(commitTransaction, conn.client, { code: "INV-C-2" }).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe("Avalara document INV-C-2 cannot be committed: its status is Cancelled");
  });

  it("voids a committed document and reports a second void as already done", async () => {
    await runOnce(createTransaction, conn.client, seattleInvoice("INV-V-1"), { commit: true });
    const voided = await runOnce(voidTransaction, conn.client, { code: "INV-V-1" });
    expect(voided.status).toBe("Cancelled");
    expect(JSON.parse(conn.env.calls[1].requestBody!)).toEqual({ code: "DocVoided" });
    const again = await runOnce(voidTransaction, conn.client, { code: "INV-V-1" }).catch((e) => e);
    expect(again).toBeInstanceOf(AlreadyDoneError);
    expect(again.result).toMatchObject({ code: "INV-V-1", status: "Cancelled" });
    expect(operations()).toEqual(["create INV-V-1 Committed", "void:DocVoided INV-V-1 Cancelled"]);
  });

  it("gets a document by code, with codes that need AvaTax's path escapes", async () => {
    const code = "INV/2024#17 A+B";
    await runOnce(createTransaction, conn.client, seattleInvoice(code));
    conn.env.calls.length = 0;
    const out = await runOnce(getTransaction, conn.client, { code });
    expect(out).toMatchObject({ found: true, transaction: { code, status: "Saved", totalTax: 155.25 } });
    expect(conn.env.calls[0].url).toBe(
      `${server.url}/api/v2/companies/DEFAULT/transactions/INV_-ava2f-_2024_-ava23-_17%20A_-ava2b-_B?documentType=SalesInvoice&%24include=Lines%2CDetails%2CSummary%2CAddresses`,
    );
  });

  it("reports a missing document as an error or as found = false", async () => {
    const error = await runOnce(getTransaction, conn.client, { code: "NOPE-1" }).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status: 404, code: "EntityNotFoundError" });
    expect(await runOnce(getTransaction, conn.client, { code: "NOPE-1" }, { whenMissing: "empty" })).toEqual({ found: false, transaction: null });
  });

  it("sends changes to a document reported on a return to review", async () => {
    await runOnce(createTransaction, conn.client, seattleInvoice("INV-LOCK-1"), { commit: true });
    await admin("lock", { companyCode: "DEFAULT", code: "INV-LOCK-1" });
    const error = await runOnce(createTransaction, conn.client, seattleInvoice("INV-LOCK-1"), { commit: true }, true).catch((e) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect(error).toMatchObject({ reasonCode: "locked_transaction", code: "CannotModifyLockedTransaction" });
  });

  it("keeps companies of other accounts out of reach", async () => {
    const error = await runOnce(getTransaction, conn.client, { code: "X", companyCode: "OTHER" }).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    const create = await runOnce(createTransaction, conn.client, seattleInvoice("INV-OTHER-1", { companyCode: "OTHER" })).catch((e) => e);
    expect(create).toMatchObject({ kind: "permanent", code: "EntityNotFoundError" });
  });
});

describe("sandbox", () => {
  it("exposes state, faults and reset over the admin routes", async () => {
    await runOnce(createTransaction, conn.client, seattleInvoice("INV-S-1"));
    const state = (await admin("state")) as { documents: Array<{ code: string; status: string }>; accounts: unknown[] };
    expect(state.documents).toEqual([expect.objectContaining({ code: "INV-S-1", status: "Saved", type: "SalesInvoice" })]);
    expect(state.accounts).toHaveLength(2);
    await admin("reset", {});
    expect(((await admin("state")) as { documents: unknown[] }).documents).toEqual([]);
  });

  it("answers unauthenticated API calls with the AuthenticationIncomplete envelope, and the ping without credentials", async () => {
    const res = await fetch(`${server.url}/api/v2/companies`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("AuthenticationIncomplete");
    const ping = await fetch(`${server.url}/api/v2/utilities/ping`);
    expect(await ping.json()).toEqual({ version: "24.12.0.0", authenticated: false, authenticationType: "None" });
  });

  it("describes itself with the demo credentials", () => {
    const lines = sandbox.describe("http://127.0.0.1:4102");
    expect(lines.join("\n")).toContain(DEMO.accountId);
    expect(lines.join("\n")).toContain("/__sandbox/lock");
  });
});
