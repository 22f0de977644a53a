/**
 * The reconciliation report of the Commerce order -> Intacct AP bill flow, against the Commerce
 * and Intacct sandboxes over real HTTP: orders are billed by the flow; one order's bill is entered
 * a second time in Intacct (duplicated), one order is billed by hand for the wrong amount and
 * never run (amount mismatch), one billed order is cancelled and its bill reversed by the flow (no
 * gap), and one order no run ever saw is missing. The report lists exactly those three gaps;
 * replaying the missing order bills it (checked in Intacct's own AP bills) and closes its gap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IntacctClient } from "../../connectors/intacct/client";
import { usDate } from "../../connectors/intacct/schemas";
import { Redactor } from "../../connectors/sdk";
import { buildEnv, loadConnection } from "../connections";
import { executeRun } from "../executor/run";
import { instantiateTemplate } from "../templates";
import { runRecords, sandboxConnection, sandboxPost, sandboxState, startSandboxes, type Sandboxes } from "../templates/test-helpers";
import { createWorkspace, testDb } from "../test/helpers";
import { runReport } from "./reconcile";
import { replayGap } from "./replay";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const db = testDb();
let sb: Sandboxes;
let target: { workspaceId: string; flowId: string; versionId: string };
let intacct: IntacctClient;

beforeAll(async () => {
  sb = await startSandboxes();
  const workspaceId = await createWorkspace(db, "Commerce reconciliation");
  await sandboxConnection(db, workspaceId, "commerce", sb.urls.commerce);
  const intacctId = await sandboxConnection(db, workspaceId, "intacct", sb.urls.intacct);
  const created = await instantiateTemplate(db, workspaceId, "commerce-order-intacct-ap-bill", { demo: true });
  expect(created.problems).toEqual([]);
  target = { workspaceId, flowId: created.flowId, versionId: created.versionId };
  const connection = await loadConnection(db, workspaceId, intacctId);
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  intacct = connection.connector.createClient(buildEnv(db, connection, { log, signal: new AbortController().signal, redactor: new Redactor() })) as IntacctClient;
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

const placeOrder = async (body: Rec) => ((await sandboxPost(sb.urls.commerce, "/__sandbox/orders", body)) as { order: Rec }).order;
const orderRecord = (order: Rec, version = String(order.updated_at)) => ({ key: `commerce:order:${order.entity_id}`, version, data: { entity: "order", entityId: order.entity_id } });
const billsOf = async (order: Rec): Promise<Rec[]> => ((await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"].records.APBILL as Rec[]).filter((b) => b.RECORDID === `COM-${order.increment_id}`);
/** A bill entered by hand in Intacct, outside the flow. */
const billByHand = (order: Rec, vendorId: string, amount: string) =>
  intacct.create(
    "APBILL",
    {
      VENDORID: vendorId,
      WHENCREATED: usDate(new Date().toISOString().slice(0, 10)),
      RECORDID: `COM-${order.increment_id}`,
      APBILLITEMS: { APBILLITEM: [{ ACCOUNTNO: "6000", TRX_AMOUNT: amount }] },
    },
    `by-hand-${order.increment_id}-${vendorId}`,
    async () => undefined,
  );

describe("reconciliation of the Commerce AP bill flow", () => {
  it("lists exactly the duplicated, mismatched and missing orders, and replaying the missing one closes its gap", { timeout: 120_000 }, async () => {
    const day = new Date().toISOString().slice(0, 10);
    const before = await runReport(db, target.workspaceId, target.flowId, day);
    const alreadyThere = new Set(before.documents.map((d) => d.document));

    const ok = await placeOrder({ customerId: 1, lines: [{ sku: "USB-HUB-7", qty: 1 }] });
    const dup = await placeOrder({ customerId: 1, lines: [{ sku: "USB-HUB-7", qty: 2 }] });
    const cancelled = await placeOrder({ customerId: 1, lines: [{ sku: "USB-HUB-7", qty: 3 }] });
    const results = await runRecords(db, target, [orderRecord(ok), orderRecord(dup), orderRecord(cancelled)]);
    expect(results.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const gone = ((await sandboxPost(sb.urls.commerce, `/__sandbox/orders/${cancelled.entity_id}/cancel`, {})) as { order: Rec }).order;
    const [reversal] = await runRecords(db, target, [orderRecord(cancelled, `${gone.updated_at}#cancel`)]);
    expect(reversal!.status).toBe("succeeded");
    expect((await billsOf(cancelled)).map((b) => b.STATE)).toEqual(["Reversed"]);

    // Duplicated: the same bill number entered again under another vendor.
    await billByHand(dup, "V300", Number(dup.grand_total).toFixed(2));
    expect(await billsOf(dup)).toHaveLength(2);
    // Mismatch: an order billed by hand for 10.00 less than its grand total.
    const off = await placeOrder({ customerId: 1, lines: [{ sku: "PAPER-A4-5BOX", qty: 2 }] });
    await billByHand(off, "V100", (Number(off.grand_total) - 10).toFixed(2));
    // Missing: an order no run ever saw.
    const lost = await placeOrder({ customerId: 1, lines: [{ sku: "LAPTOP-STAND", qty: 1 }] });

    const report = await runReport(db, target.workspaceId, target.flowId, day);
    const ours = report.documents.filter((d) => !alreadyThere.has(d.document));
    const doc = (o: Rec) => `COM-${o.increment_id}`;
    expect(ours.map((d) => [d.document, d.gap]).sort()).toEqual(
      [
        [doc(ok), null],
        [doc(dup), "duplicated"],
        [doc(cancelled), null],
        [doc(off), "amount_mismatch"],
        [doc(lost), "missing"],
      ].sort(),
    );
    // The sandbox's own seeded orders of today were never billed: they are gaps of the report before, and stay so.
    expect(report.documents.filter((d) => d.gap && !alreadyThere.has(d.document)).map((d) => d.document).sort()).toEqual([doc(dup), doc(off), doc(lost)].sort());
    const earlier = before.summary.gaps;
    expect(report.summary.gaps).toEqual({ ...earlier, missing: earlier.missing + 1, duplicated: earlier.duplicated + 1, amount_mismatch: earlier.amount_mismatch + 1 });
    const okDoc = ours.find((d) => d.document === doc(ok))!;
    expect(okDoc.postedTax).toBe(Number(ok.grand_total));
    expect(okDoc.currentTax).toBe(Number(ok.grand_total));
    const cancelledDoc = ours.find((d) => d.document === doc(cancelled))!;
    expect([cancelledDoc.entriesInForce, cancelledDoc.currentTax]).toEqual([0, 0]);
    const mismatch = ours.find((d) => d.gap === "amount_mismatch")!;
    expect(Math.round((mismatch.currentTax! - mismatch.postedTax!) * 100)).toBe(1000);

    // One-click replay of the missing order: its first run bills it, and the gap closes.
    const runId = await replayGap(db, target.workspaceId, target.flowId, day, doc(lost), { enqueue: false });
    expect((await executeRun(db, runId)).status).toBe("succeeded");
    const [bill] = await billsOf(lost);
    expect(bill).toMatchObject({ STATE: "Posted", TOTALENTERED: Number(lost.grand_total).toFixed(2) });
    const again = await runReport(db, target.workspaceId, target.flowId, day);
    expect(again.documents.find((d) => d.document === doc(lost))!.gap).toBeNull();
    expect(again.documents.filter((d) => d.gap && !alreadyThere.has(d.document)).map((d) => d.document).sort()).toEqual([doc(dup), doc(off)].sort());
  });
});
