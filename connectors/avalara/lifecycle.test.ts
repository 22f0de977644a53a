/**
 * A document's life at Avalara, over real HTTP against the sandbox: the wire-level behaviour of
 * adjust (reasons, version history), void (its codes), uncommit, refund (return invoices) and
 * the locked state, then the Sync document and Commit after posting nodes on top of them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NeedsReviewError } from "../sdk";
import { commitSynced } from "./nodes/commitSynced";
import { syncDocument } from "./nodes/syncDocument";
import { createSandbox, demoAddresses, DEMO, type AvalaraSandbox } from "./sandbox";
import { connect, runOnce, type Connection } from "./harness.test-helpers";
import type { SandboxServer } from "../sdk";

let sandbox: AvalaraSandbox;
let server: SandboxServer;
let conn: Connection;

const auth = `Basic ${Buffer.from(`${DEMO.accountId}:${DEMO.licenseKey}`).toString("base64")}`;
async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: auth, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const state = async (): Promise<any> => (await fetch(`${server.url}/__sandbox/state`)).json();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const doc = async (code: string, type = "SalesInvoice") => (await state()).documents.find((d: any) => d.code === code && d.type === type);

const model = (code: string, amount = 1000, extra: Record<string, unknown> = {}) => ({
  type: "SalesInvoice",
  code,
  companyCode: "DEFAULT",
  date: "2026-03-02",
  customerCode: "CUST-1",
  addresses: { shipFrom: demoAddresses.CA, shipTo: demoAddresses.WA },
  lines: [
    { number: "1", amount, taxCode: "P0000000", itemCode: "HW" },
    { number: "2", amount: 200, taxCode: "P0000000", itemCode: "HW2" },
  ],
  ...extra,
});
const path = (code: string, verb = "") => `/api/v2/companies/DEFAULT/transactions/${code}${verb}`;

beforeAll(async () => {
  sandbox = createSandbox();
  server = await sandbox.listen(0);
});
afterAll(async () => server.close());
beforeEach(async () => {
  await fetch(`${server.url}/__sandbox/reset`, { method: "POST", body: "{}" });
  conn = connect(server.url);
});

describe("sandbox: recording a transaction", () => {
  it("CreateTransaction and CreateOrAdjustTransaction answer 201 Created with the TransactionModel, and the document is stored", async () => {
    const first = await api("POST", "/api/v2/transactions/create?$include=Lines", model("C-1", 1000, { commit: false }));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ code: "C-1", type: "SalesInvoice", status: "Saved", version: 1, totalAmount: 1200 });
    expect(first.body.lines.map((l: { lineNumber: string }) => l.lineNumber)).toEqual(["1", "2"]);
    expect(await doc("C-1", "SalesInvoice")).toMatchObject({ status: "Saved", version: 1, totalTax: first.body.totalTax });

    const fresh = await api("POST", "/api/v2/transactions/createoradjust", { adjustmentReason: "PriceAdjusted", createTransactionModel: model("C-2", 500, { commit: true }) });
    expect(fresh.status).toBe(201);
    expect(fresh.body).toMatchObject({ code: "C-2", status: "Committed", version: 1 });
    // The committed one is adjusted (a new version), and answered the same way.
    const adjusted = await api("POST", "/api/v2/transactions/createoradjust", { adjustmentReason: "PriceAdjusted", createTransactionModel: model("C-2", 1500, { commit: true }) });
    expect(adjusted.status).toBe(201);
    expect(adjusted.body).toMatchObject({ code: "C-2", version: 2, adjustmentReason: "PriceAdjusted", totalAmount: 1700 });
    expect(await doc("C-2", "SalesInvoice")).toMatchObject({ version: 2, totalTax: adjusted.body.totalTax });

    // A refused request is not created: 400 with the error envelope, nothing stored.
    const refused = await api("POST", "/api/v2/transactions/create", { ...model("C-3", 100), lines: [] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBeDefined();
    expect(await doc("C-3", "SalesInvoice")).toBeUndefined();
  });
});

describe("sandbox: adjust, void, uncommit, refund, lock", () => {
  it("adjusts a committed document with a reason, keeping each earlier version readable by id", async () => {
    const first = await api("POST", "/api/v2/transactions/create", model("A-1", 1000, { commit: true }));
    expect(first.body.status).toBe("Committed");
    const missing = await api("POST", path("A-1", "/adjust"), { newTransaction: model("A-1", 1500) });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe("ValueRequiredError");
    const other = await api("POST", path("A-1", "/adjust"), { adjustmentReason: "Other", newTransaction: model("A-1", 1500) });
    expect(other.body.error.code).toBe("ValueRequiredError");
    const adjusted = await api("POST", path("A-1", "/adjust"), {
      adjustmentReason: "PriceAdjusted",
      adjustmentDescription: "invoice edited",
      newTransaction: model("A-1", 1500, { commit: false }),
    });
    expect(adjusted.status).toBe(200);
    expect(adjusted.body).toMatchObject({ version: 2, status: "Saved", adjustmentReason: "PriceAdjusted", adjustmentDescription: "invoice edited" });
    expect(adjusted.body.totalTax).toBeGreaterThan(first.body.totalTax);
    const old = await api("GET", `/api/v2/transactions/${first.body.id}`);
    expect(old.body).toMatchObject({ id: first.body.id, version: 1, status: "Adjusted", totalTax: first.body.totalTax });
    expect(await doc("A-1")).toMatchObject({ version: 2, status: "Saved", versions: [{ version: 1, status: "Adjusted", totalTax: first.body.totalTax }] });
  });

  it("voids with a reason code: DocVoided cancels, DocDeleted removes an uncommitted document, no code fails", async () => {
    await api("POST", "/api/v2/transactions/create", model("V-1", 1000, { commit: true }));
    await api("POST", "/api/v2/transactions/create", model("V-2", 1000, { commit: false }));
    expect((await api("POST", path("V-1", "/void"), {})).body.error.code).toBe("ValueRequiredError");
    expect((await api("POST", path("V-1", "/void"), { code: "DocVoided" })).body.status).toBe("Cancelled");
    expect((await api("POST", path("V-1", "/void"), { code: "DocVoided" })).body.error.code).toBe("TransactionAlreadyCancelled");
    expect((await api("POST", path("V-2", "/void"), { code: "DocDeleted" })).body.status).toBe("Cancelled");
    expect(await doc("V-1")).toMatchObject({ status: "Cancelled" });
    expect(await doc("V-2")).toBeUndefined();
    expect((await api("GET", path("V-2"))).status).toBe(404);
  });

  it("cancels the last adjustment (AdjustmentCancelled) back to the version before it", async () => {
    const first = await api("POST", "/api/v2/transactions/create", model("AC-1", 1000, { commit: true }));
    await api("POST", path("AC-1", "/adjust"), { adjustmentReason: "PriceAdjusted", newTransaction: model("AC-1", 3000, { commit: true }) });
    const back = await api("POST", path("AC-1", "/void"), { code: "AdjustmentCancelled" });
    expect(back.body).toMatchObject({ status: "Committed", totalTax: first.body.totalTax, version: 1 });
  });

  it("uncommits a committed document, which can then be replaced and committed again", async () => {
    await api("POST", "/api/v2/transactions/create", model("U-1", 1000, { commit: true }));
    expect((await api("POST", path("U-1", "/uncommit"))).body.status).toBe("Uncommitted");
    expect((await api("POST", path("U-1", "/uncommit"))).body.error.code).toBe("DocumentNotCommitted");
    expect((await api("POST", "/api/v2/transactions/create", model("U-1", 2000))).body.status).toBe("Saved");
    expect((await api("POST", path("U-1", "/commit"), { commit: true })).body.status).toBe("Committed");
  });

  it("refunds a committed invoice as a ReturnInvoice with the tax negated exactly, in full or by lines", async () => {
    const original = await api("POST", "/api/v2/transactions/create", model("R-1", 1000, { commit: true }));
    const saved = await api("POST", "/api/v2/transactions/create", model("R-2", 1000));
    expect((await api("POST", path("R-2", "/refund"), { refundDate: "2026-03-20" })).body.error.code).toBe("InvalidDocumentStatusForRefund");
    void saved;
    expect((await api("POST", path("R-1", "/refund"), { refundDate: "2026-03-20", refundType: "Partial" })).body.error.code).toBe("RefundLinesRequired");
    const partial = await api("POST", path("R-1", "/refund"), { refundTransactionCode: "R-1-P", refundDate: "2026-03-20", refundType: "Partial", refundLines: ["2"] });
    const lineTwo = original.body.lines.find((l: { lineNumber: string }) => l.lineNumber === "2").tax;
    expect(partial.body).toMatchObject({ type: "ReturnInvoice", code: "R-1-P", status: "Committed", totalTax: -lineTwo });
    const full = await api("POST", path("R-1", "/refund"), { refundTransactionCode: "R-1-F", refundDate: "2026-03-21", refundType: "Full" });
    expect(full.body.totalTax).toBe(-original.body.totalTax);
    expect(await doc("R-1-F", "ReturnInvoice")).toMatchObject({ refundOf: { code: "R-1", type: "SalesInvoice", refundType: "Full" }, totalTax: -original.body.totalTax });
  });

  it("refuses adjust, void and uncommit of a locked document; the lock route sets and clears it", async () => {
    await api("POST", "/api/v2/transactions/create", model("L-1", 1000, { commit: true }));
    expect((await api("POST", path("L-1", "/lock"), { isLocked: true })).body.locked).toBe(true);
    for (const [verb, body] of [
      ["/adjust", { adjustmentReason: "PriceAdjusted", newTransaction: model("L-1", 5) }],
      ["/void", { code: "DocVoided" }],
      ["/uncommit", undefined],
    ] as const) {
      const answer = await api("POST", path("L-1", verb), body);
      expect(answer.status, verb).toBe(400);
      expect(answer.body.error.code, verb).toBe("CannotModifyLockedTransaction");
      expect(answer.body.error.details[0].number, verb).toBe(1100);
    }
    expect((await api("POST", "/api/v2/transactions/createoradjust", { adjustmentReason: "PriceAdjusted", createTransactionModel: model("L-1", 5) })).body.error.code).toBe("CannotModifyLockedTransaction");
    expect((await api("POST", path("L-1", "/lock"), { isLocked: false })).body.locked).toBe(false);
  });
});

describe("sandbox: consumer use tax on a purchase the vendor taxed (TaxAmount override)", () => {
  const purchase = (code: string, taxOverride?: Record<string, unknown>) =>
    model(code, 1000, { type: "PurchaseInvoice", customerCode: "V100", ...(taxOverride ? { taxOverride } : {}) });

  it("keeps what AvaTax calculated in taxCalculated and sets tax to the vendor's, spread over the jurisdictions to the cent", async () => {
    const plain = await api("POST", "/api/v2/transactions/create", purchase("P-1"));
    expect(plain.status).toBe(201);
    expect(plain.body.totalTax).toBe(plain.body.totalTaxCalculated);
    const due = Math.round(plain.body.totalTaxCalculated * 100);
    expect(due).toBeGreaterThan(0);

    const taxed = await api("POST", "/api/v2/transactions/create", purchase("P-2", { type: "TaxAmount", taxAmount: 50.01, reason: "Sales tax charged by the vendor" }));
    expect(taxed.status).toBe(201);
    expect(taxed.body).toMatchObject({ type: "PurchaseInvoice", totalTax: 50.01, totalTaxCalculated: plain.body.totalTaxCalculated });
    const details = taxed.body.lines.flatMap((l: { details: { tax: number; taxCalculated: number }[] }) => l.details);
    expect(details.reduce((s: number, d: { tax: number }) => s + Math.round(d.tax * 100), 0)).toBe(5001);
    expect(details.reduce((s: number, d: { taxCalculated: number }) => s + Math.round(d.taxCalculated * 100), 0)).toBe(due);
    expect(taxed.body.summary.reduce((s: number, r: { tax: number }) => s + Math.round(r.tax * 100), 0)).toBe(5001);
    expect((await doc("P-2", "PurchaseInvoice")).totalTaxCalculated).toBe(plain.body.totalTaxCalculated);

    const negative = await api("POST", "/api/v2/transactions/create", purchase("P-3", { type: "TaxAmount", taxAmount: -1, reason: "x" }));
    expect(negative).toMatchObject({ status: 400, body: { error: { code: "InvalidTaxOverride" } } });
    const noReason = await api("POST", "/api/v2/transactions/create", purchase("P-4", { type: "TaxAmount", taxAmount: 1 }));
    expect(noReason).toMatchObject({ status: 400, body: { error: { code: "ValueRequiredError" } } });
    expect(await doc("P-3", "PurchaseInvoice")).toBeUndefined();
  });

  it("Sync document sends the override, and a changed vendor tax on the same lines is an adjustment", async () => {
    const tx = { date: "2026-03-02", customerCode: "V100", addresses: { shipTo: demoAddresses.WA }, lines: [{ number: "1", amount: 1000, taxCode: "P0000000" }] };
    const sync = (version: string, taxAmount?: number) =>
      runOnce(syncDocument, conn.client, {
        code: "U-1",
        type: "PurchaseInvoice",
        action: "upsert",
        version,
        transaction: { ...tx, ...(taxAmount === undefined ? {} : { taxOverride: { type: "TaxAmount", taxAmount, reason: "vendor tax" } }) },
      });
    const first = await sync("1", 20);
    expect(first).toMatchObject({ outcome: "created", totalTax: 20 });
    expect(first.document!.totalTaxCalculated).toBeGreaterThan(20);
    expect(first.jurisdictions.reduce((s, j) => s + Math.round((j.taxCalculated! - j.tax) * 100), 0)).toBe(Math.round((first.document!.totalTaxCalculated! - 20) * 100));
    await runOnce(commitSynced, conn.client, { version: "1", commit: first.commit });
    expect(await sync("2", 20)).toMatchObject({ outcome: "unchanged" });
    expect(await sync("3", 35)).toMatchObject({ outcome: "adjusted", totalTax: 35 });
  });
});

describe("Sync document and Commit after posting", () => {
  const tx = (amount: number) => ({
    date: "2026-03-02",
    customerCode: "CUST-1",
    addresses: { shipFrom: demoAddresses.CA, shipTo: demoAddresses.WA },
    lines: [{ number: "1", amount, taxCode: "P0000000", itemCode: "HW" }],
  });
  const sync = (input: Record<string, unknown>) => runOnce(syncDocument, conn.client, { code: "S-1", ...input });

  it("creates uncommitted, commits after posting, adjusts an edit with its reason, skips an edit that changes nothing", async () => {
    const created = await sync({ action: "upsert", version: "1", transaction: tx(1000) });
    expect(created).toMatchObject({ outcome: "created", status: "Saved", commit: { code: "S-1", documentType: "SalesInvoice" } });
    expect((await doc("S-1")).status).toBe("Saved");
    const committed = await runOnce(commitSynced, conn.client, { version: "1", commit: created.commit });
    expect(committed.committed).toBe(true);
    expect((await doc("S-1")).status).toBe("Committed");

    const edited = await sync({ action: "upsert", version: "2", transaction: tx(2500), adjustmentDescription: "invoice edited" });
    expect(edited).toMatchObject({ outcome: "adjusted", status: "Saved", version: 2 });
    expect(edited.totalTax).toBe((await doc("S-1")).totalTax);
    expect(await doc("S-1")).toMatchObject({ adjustmentReason: "PriceAdjusted", adjustmentDescription: "invoice edited", versions: [{ status: "Adjusted" }] });
    await runOnce(commitSynced, conn.client, { version: "2", commit: edited.commit });

    const same = await sync({ action: "upsert", version: "3", transaction: tx(2500) });
    expect(same).toMatchObject({ outcome: "unchanged", commit: null, version: 2 });
    expect((await doc("S-1")).adjustments).toBe(1);
    expect(await runOnce(commitSynced, conn.client, { version: "3", commit: null })).toEqual({ committed: false, document: null });
  });

  it("deletes a never-committed document, voids a committed one, refunds a locked one in full", async () => {
    await sync({ action: "upsert", version: "1", transaction: tx(1000) });
    expect(await sync({ action: "delete", version: "2" })).toMatchObject({ outcome: "deleted", totalTax: 0, jurisdictions: [], commit: null });
    expect(await doc("S-1")).toBeUndefined();
    expect(await sync({ action: "delete", version: "3" })).toMatchObject({ outcome: "absent" });

    const second = await sync({ action: "upsert", version: "4", transaction: tx(1000) });
    await runOnce(commitSynced, conn.client, { version: "4", commit: second.commit });
    expect(await sync({ action: "delete", version: "5" })).toMatchObject({ outcome: "voided", status: "Cancelled", totalTax: 0 });
    const revived = await sync({ action: "upsert", version: "6", transaction: tx(1000) }).catch((e) => e);
    expect(revived).toBeInstanceOf(NeedsReviewError);
    expect(revived.reasonCode).toBe("document_voided");

    await runOnce(syncDocument, conn.client, { code: "S-2", action: "upsert", version: "1", transaction: tx(1000) }).then((o) =>
      runOnce(commitSynced, conn.client, { version: "1", commit: o.commit }),
    );
    await api("POST", path("S-2", "/lock"), { isLocked: true });
    const edit = await runOnce(syncDocument, conn.client, { code: "S-2", action: "upsert", version: "2", transaction: tx(3000) }).catch((e) => e);
    expect(edit).toMatchObject({ reasonCode: "locked_transaction" });
    const refunded = await runOnce(syncDocument, conn.client, { code: "S-2", action: "delete", version: "3", refundDate: "2026-04-02" });
    expect(refunded).toMatchObject({ outcome: "refunded", totalTax: 0, jurisdictions: [], commit: null, refund: { code: "S-2", type: "ReturnInvoice", status: "Committed" } });
    const original = await doc("S-2");
    expect((await doc("S-2", "ReturnInvoice")).totalTax).toBe(-original.totalTax);
    // Replayed: the refund is read back, not made twice.
    await runOnce(syncDocument, conn.client, { code: "S-2", action: "delete", version: "3" });
    expect((await state()).documents.filter((d: { code: string; type: string }) => d.code === "S-2" && d.type === "ReturnInvoice")).toHaveLength(1);
  });
});
