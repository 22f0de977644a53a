/**
 * Purchase order after create, against the sandbox over HTTP: update_potransaction sends only
 * what differs (asserted on the wire and in the sandbox's PODOCUMENT), close sets state Closed
 * once, a closed order refuses edits, and each node's preview renders without writing.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { NeedsReviewError, RetryableError, type AnyNodeDefinition } from "../sdk";
import { closePurchaseOrder } from "./nodes/closePurchaseOrder";
import { createPurchaseOrder } from "./nodes/createPurchaseOrder";
import { updatePurchaseOrder } from "./nodes/updatePurchaseOrder";
import { DEMO_COMPANY, nodeCtx, sandboxKit } from "./testkit";

const kit = sandboxKit();

async function runNode<N extends AnyNodeDefinition>(node: N, input: unknown, client = kit.client().client, overrides: Parameters<typeof nodeCtx>[1] = {}) {
  const out = await node.run(nodeCtx(client, overrides), node.input.parse(input), node.config.parse({}));
  return node.output.parse(out) as z.output<N["output"]>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const orders = async (): Promise<any[]> => (await kit.state()).companies[DEMO_COMPANY].records.PODOCUMENT!;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const linesOf = (doc: any) => [doc.PODOCUMENTENTRIES.podocumententry].flat().map((l: any) => [l.ITEMID, l.QUANTITY, l.PRICE, l.TOTAL]);

const lines = [
  { itemId: "HW-ROUTER", quantity: 3, price: "899.99" },
  { itemId: "SUP-PAPER", quantity: "10", price: 42 },
];
const created = () =>
  runNode(createPurchaseOrder, { vendorId: "V200", referenceNo: "B2B-000000007", date: "2024-06-30", message: "Commerce status: PENDING", lines });

describe("intacct.updatePurchaseOrder", () => {
  it("sends only the changed line, the new line and the message, and the order reads back with the new total", async () => {
    const po = await created();
    const { client, env } = kit.client();
    const out = await runNode(
      updatePurchaseOrder,
      {
        documentId: po.documentId,
        changeKey: "2024-06-30 12:05:00",
        message: "Commerce status: APPROVED",
        lines: [lines[0], { itemId: "SUP-PAPER", quantity: 12, price: 42 }, { itemId: "SVC-IMPL", quantity: 2, price: 175 }],
      },
      client,
    );
    expect(out).toMatchObject({ documentId: "Purchase Order-PO0001", state: "Pending", total: "3553.97", changed: true });
    const sent = env.calls.find((c) => c.label?.startsWith("Intacct update_potransaction"))?.requestBody ?? "";
    expect(sent).toContain(
      '<update_potransaction key="Purchase Order-PO0001"><message>Commerce status: APPROVED</message><updatepotransitems>' +
        '<updatepotransitem line_num="2"><quantity>12</quantity></updatepotransitem>' +
        "<potransitem><itemid>SVC-IMPL</itemid><quantity>2</quantity><price>175.00</price></potransitem></updatepotransitems></update_potransaction>",
    );
    const [doc] = await orders();
    expect(doc).toMatchObject({ MESSAGE: "Commerce status: APPROVED", TOTAL: "3553.97", STATE: "Pending" });
    expect(linesOf(doc)).toEqual([
      ["HW-ROUTER", "3", "899.99", "2699.97"],
      ["SUP-PAPER", "12", "42.00", "504.00"],
      ["SVC-IMPL", "2", "175.00", "350.00"],
    ]);
  });

  it("sends nothing when the order already matches, and a line no longer wanted gets quantity 0", async () => {
    const po = await created();
    const { client, env } = kit.client();
    const same = await runNode(updatePurchaseOrder, { documentId: po.documentId, changeKey: "v1", message: "Commerce status: PENDING", lines }, client);
    expect(same.changed).toBe(false);
    expect(env.calls.some((c) => c.label?.startsWith("Intacct update_potransaction"))).toBe(false);
    const fewer = await runNode(updatePurchaseOrder, { documentId: po.documentId, changeKey: "v2", lines: [lines[0]] });
    expect(fewer).toMatchObject({ changed: true, total: "2699.97" });
    expect(linesOf((await orders())[0])).toEqual([
      ["HW-ROUTER", "3", "899.99", "2699.97"],
      ["SUP-PAPER", "0", "42.00", "0.00"],
    ]);
  });

  it("its preview lists the changes and writes nothing", async () => {
    const po = await created();
    const effect = updatePurchaseOrder.effect;
    if (effect.kind !== "write" || !effect.preview) throw new Error("updatePurchaseOrder declares a preview");
    const preview = await effect.preview(
      nodeCtx(kit.client().client),
      updatePurchaseOrder.input.parse({ documentId: po.documentId, changeKey: "v1", lines: [lines[0], { itemId: "SUP-PAPER", quantity: 1, price: 42 }] }),
      updatePurchaseOrder.config.parse({}),
    );
    expect(preview.wouldPost).toEqual({
      function: "update_potransaction",
      key: "Purchase Order-PO0001",
      changes: [{ lineNo: 2, change: "changed", fields: { quantity: "1" } }],
    });
    expect((await orders())[0].TOTAL).toBe("3119.97");
  });
});

describe("intacct.closePurchaseOrder", () => {
  it("closes once; a second close sends nothing; a closed order refuses a change and asks for a person", async () => {
    const po = await created();
    const { client, env } = kit.client();
    const closed = await runNode(closePurchaseOrder, { documentId: po.documentId, message: "Commerce status: CANCELED" }, client);
    expect(closed).toMatchObject({ state: "Closed", changed: true });
    expect(env.calls.find((c) => c.label?.startsWith("Intacct update_potransaction"))?.requestBody).toContain(
      '<update_potransaction key="Purchase Order-PO0001"><message>Commerce status: CANCELED</message><state>Closed</state></update_potransaction>',
    );
    expect((await orders())[0]).toMatchObject({ STATE: "Closed", MESSAGE: "Commerce status: CANCELED" });

    const second = kit.client();
    expect(await runNode(closePurchaseOrder, { documentId: po.documentId }, second.client)).toMatchObject({ state: "Closed", changed: false });
    expect(second.env.calls.some((c) => c.label?.startsWith("Intacct update_potransaction"))).toBe(false);

    const change = await runNode(updatePurchaseOrder, { documentId: po.documentId, changeKey: "late", lines: [lines[0]] }).catch((e: unknown) => e);
    expect(change).toBeInstanceOf(NeedsReviewError);
    expect((change as NeedsReviewError).reasonCode).toBe("purchase_order_closed");
    expect(linesOf((await orders())[0])).toHaveLength(2);
  });
});

describe("a lost answer to an update or a close", () => {
  it("adds the new line once and closes once: the engine's retry reads the order back and sends nothing again", async () => {
    const po = await created();
    const { client, env } = kit.client();
    await client.ping();
    const updates = () => env.calls.filter((c) => c.label?.startsWith("Intacct update_potransaction")).length;
    const change = { documentId: po.documentId, changeKey: "v9", lines: [...lines, { itemId: "SVC-IMPL", quantity: 4, price: 175 }] };
    // Every answer to a write is lost (the write itself is applied).
    await kit.faults({ dropAfterWriteRate: 1 });
    const lost = await runNode(updatePurchaseOrder, change, client).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(RetryableError);
    expect((lost as RetryableError).outcomeUnknown).toBe(true);
    await kit.faults({ dropAfterWriteRate: 0 });
    const sent = updates();
    const retried = await runNode(updatePurchaseOrder, change, client, { idempotency: { key: `intacct:podocument:${po.documentId}:update:v9`, previousOutcomeUnknown: true } });
    expect(retried).toMatchObject({ changed: true, total: "3819.97" });
    expect(updates()).toBe(sent);
    expect(linesOf((await orders())[0])).toEqual([
      ["HW-ROUTER", "3", "899.99", "2699.97"],
      ["SUP-PAPER", "10", "42.00", "420.00"],
      ["SVC-IMPL", "4", "175.00", "700.00"],
    ]);

    await kit.faults({ dropAfterWriteRate: 1 });
    expect(await runNode(closePurchaseOrder, { documentId: po.documentId }, client).catch((e: unknown) => e)).toBeInstanceOf(RetryableError);
    await kit.faults({ dropAfterWriteRate: 0 });
    const closeSent = updates();
    const closed = await runNode(closePurchaseOrder, { documentId: po.documentId }, client, { idempotency: { key: `intacct:podocument:${po.documentId}:close`, previousOutcomeUnknown: true } });
    expect(closed).toMatchObject({ state: "Closed", changed: true });
    expect(updates()).toBe(closeSent);
    expect((await orders())[0]).toMatchObject({ STATE: "Closed", TOTAL: "3819.97" });
  });
});
