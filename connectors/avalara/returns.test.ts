/**
 * Return invoices at Avalara, over real HTTP against the sandbox: a hand-built ReturnInvoice
 * (positive quantity, negative amount, `taxOverride {type: "TaxDate"}` = the original invoice's
 * date) as the wire carries it, its errors, and Sync document keeping one on a credit's life
 * (created uncommitted, adjusted when the credit is edited, committed last, voided on deletion),
 * next to a locked original that it does not touch.
 * https://developer.avalara.com/avatax/handling-return-invoices/
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SandboxServer } from "../sdk";
import { connect, runOnce, type Connection } from "./harness.test-helpers";
import { commitSynced } from "./nodes/commitSynced";
import { syncDocument } from "./nodes/syncDocument";
import { createSandbox, demoAddresses, DEMO, type AvalaraSandbox } from "./sandbox";

let sandbox: AvalaraSandbox;
let server: SandboxServer;
let conn: Connection;

const auth = `Basic ${Buffer.from(`${DEMO.accountId}:${DEMO.licenseKey}`).toString("base64")}`;
async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: auth, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const state = async (): Promise<any> => (await fetch(`${server.url}/__sandbox/state`)).json();
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const doc = async (code: string, type: string) => (await state()).documents.find((d: any) => d.code === code && d.type === type);

const invoice = (code: string, extra: Record<string, unknown> = {}) => ({
  type: "SalesInvoice",
  code,
  companyCode: "DEFAULT",
  date: "2026-03-02",
  customerCode: "CUST-1",
  commit: true,
  addresses: { shipFrom: demoAddresses.CA, shipTo: demoAddresses.WA },
  lines: [
    { number: "1", quantity: 2, amount: 1000, taxCode: "P0000000", itemCode: "HW" },
    { number: "2", quantity: 1, amount: 200, taxCode: "P0000000", itemCode: "HW2" },
  ],
  ...extra,
});

beforeAll(async () => {
  sandbox = createSandbox();
  server = await sandbox.listen(0);
});
afterAll(async () => server.close());
beforeEach(async () => {
  await fetch(`${server.url}/__sandbox/reset`, { method: "POST", body: "{}" });
  conn = connect(server.url);
});

describe("sandbox: a hand-built ReturnInvoice", () => {
  it("takes a positive quantity and a negative amount, taxed as of the original invoice's date (taxOverride TaxDate)", async () => {
    const original = await api("POST", "/api/v2/transactions/create", invoice("INV-1"));
    expect(original.status).toBe(201);
    const ret = await api("POST", "/api/v2/transactions/create", {
      type: "ReturnInvoice",
      code: "CM-1",
      companyCode: "DEFAULT",
      date: "2026-04-10",
      customerCode: "CUST-1",
      commit: false,
      referenceCode: "INV-1",
      taxOverride: { type: "TaxDate", taxDate: "2026-03-02", reason: "Return of INV-1" },
      addresses: { shipFrom: demoAddresses.CA, shipTo: demoAddresses.WA },
      lines: [{ number: "1", quantity: 1, amount: -500, taxCode: "P0000000", itemCode: "HW" }],
    });
    expect(ret.status).toBe(201);
    expect(ret.body).toMatchObject({ type: "ReturnInvoice", code: "CM-1", status: "Saved", date: "2026-04-10T00:00:00", taxDate: "2026-03-02T00:00:00", referenceCode: "INV-1" });
    expect(ret.body.lines[0]).toMatchObject({ quantity: 1, lineAmount: -500, taxDate: "2026-03-02T00:00:00", reportingDate: "2026-04-10T00:00:00" });
    // Half of line 1 back: minus half of that line's tax, to the cent.
    const lineTax = original.body.lines[0].tax as number;
    expect(Math.round(ret.body.totalTax * 100)).toBe(-Math.round((lineTax * 100) / 2));
    expect(ret.body.totalTax).toBeLessThan(0);
    // The invoice is untouched: AvaTax keeps no link from a return to its invoice.
    expect(await doc("INV-1", "SalesInvoice")).toMatchObject({ status: "Committed", version: 1, totalTax: original.body.totalTax });
  });

  it("refuses a TaxDate override without a date or a reason, as AvaTax does", async () => {
    const base = { ...invoice("CM-2"), type: "ReturnInvoice", commit: false, lines: [{ number: "1", quantity: 1, amount: -100, taxCode: "P0000000" }] };
    const noDate = await api("POST", "/api/v2/transactions/create", { ...base, taxOverride: { type: "TaxDate", reason: "Return" } });
    expect(noDate.status).toBe(400);
    expect(noDate.body.error).toMatchObject({ code: "ValueRequiredError" });
    expect(noDate.body.error.details[0]).toMatchObject({ refersTo: "TaxOverride.TaxDate" });
    const noReason = await api("POST", "/api/v2/transactions/create", { ...base, taxOverride: { type: "TaxDate", taxDate: "2026-03-02" } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details[0]).toMatchObject({ refersTo: "TaxOverride.Reason" });
    expect(await doc("CM-2", "ReturnInvoice")).toBeUndefined();
  });
});

describe("Sync document: a credit's ReturnInvoice over its life", () => {
  const credit = (lines: { number: string; quantity: number; amount: number }[], extra: Record<string, unknown> = {}) => ({
    action: "upsert",
    code: "CM-7",
    type: "ReturnInvoice",
    transaction: {
      date: "2026-04-10",
      customerCode: "CUST-1",
      referenceCode: "INV-7",
      taxOverride: { type: "TaxDate", taxDate: "2026-03-02", reason: "Return of INV-7" },
      addresses: { shipFrom: demoAddresses.CA, shipTo: demoAddresses.WA },
      lines: lines.map((l) => ({ ...l, taxCode: "P0000000", itemCode: "HW" })),
    },
    ...extra,
  });

  it("creates it uncommitted with negative tax, commits it last, adjusts it on an edit and voids it on deletion; a locked original is left alone", async () => {
    await api("POST", "/api/v2/transactions/create", invoice("INV-7"));
    await api("POST", "/api/v2/companies/DEFAULT/transactions/INV-7/lock", { isLocked: true });

    const first = await runOnce(syncDocument, conn.client, credit([{ number: "1", quantity: 1, amount: -500 }], { version: "1" }), { documentType: "SalesInvoice" });
    expect(first).toMatchObject({ outcome: "created", documentType: "ReturnInvoice", status: "Saved", commit: { code: "CM-7", documentType: "ReturnInvoice" } });
    expect(first.totalTax).toBeLessThan(0);
    expect(first.jurisdictions.every((j) => j.tax <= 0)).toBe(true);
    expect(first.document?.taxDate).toBe("2026-03-02");
    await runOnce(commitSynced, conn.client, { version: "1", commit: first.commit });
    expect(await doc("CM-7", "ReturnInvoice")).toMatchObject({ status: "Committed", version: 1 });

    // Replayed with the same content: nothing changes.
    const same = await runOnce(syncDocument, conn.client, credit([{ number: "1", quantity: 1, amount: -500 }], { version: "1b" }), { documentType: "SalesInvoice" });
    expect(same.outcome).toBe("unchanged");

    // The credit edited to the whole line: a new version with a reason.
    const edited = await runOnce(syncDocument, conn.client, credit([{ number: "1", quantity: 2, amount: -1000 }], { version: "2" }), { documentType: "SalesInvoice" });
    expect(edited).toMatchObject({ outcome: "adjusted", version: 2, status: "Saved" });
    expect(Math.round(edited.totalTax * 100)).toBe(2 * Math.round(first.totalTax * 100));
    expect(await doc("CM-7", "ReturnInvoice")).toMatchObject({ version: 2, adjustmentReason: "PriceAdjusted" });

    // The credit deleted: the sync finds the ReturnInvoice by its code and voids it.
    await runOnce(commitSynced, conn.client, { version: "2", commit: edited.commit });
    const gone = await runOnce(syncDocument, conn.client, { action: "delete", code: "CM-7", version: "deleted:3" }, { documentType: "SalesInvoice" });
    expect(gone).toMatchObject({ outcome: "voided", documentType: "ReturnInvoice", totalTax: 0, jurisdictions: [] });
    expect(await doc("CM-7", "ReturnInvoice")).toMatchObject({ status: "Cancelled" });
    // The locked invoice never changed.
    expect(await doc("INV-7", "SalesInvoice")).toMatchObject({ status: "Committed", locked: true, version: 1 });
  });
});
