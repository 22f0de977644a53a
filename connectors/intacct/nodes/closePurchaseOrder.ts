/**
 * Close a purchase order: `update_potransaction key=<DOCID>` with `state` Closed (and the closing
 * message, e.g. why the source order ended). An order that already reads back Closed is left as it
 * is, so a close happens once however often it is asked for.
 * https://developer.intacct.com/api/purchasing/transactions/#update-purchasing-transaction-legacy
 *
 * Business key: `intacct:podocument:<DOCID>:close`.
 */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import { SYSTEM } from "../errors";
import type { XmlObject } from "../xml";
import { node, reconcileFirst, writeKey } from "./factory";
import { outputOf, purchaseOrderOutput, readPurchaseOrder } from "./purchase-order";

const config = z.object({
  transactionType: z.string().min(1).default("Purchase Order").describe("Purchasing transaction definition of the order."),
});

const input = z.object({
  documentId: z.string().min(1).describe("DOCID of the purchase order, e.g. Purchase Order-PO0001."),
  message: z.string().max(1000).optional().describe("Message left on the transaction when it closes (e.g. completed or cancelled in the source)."),
});

const keyOf = (documentId: string) => `intacct:podocument:${documentId}:close`;

export const closePurchaseOrder = node({
  type: "intacct.closePurchaseOrder",
  version: 1,
  title: "Close purchase order",
  description: "Close a purchase order (state Closed) when its source order is completed or cancelled. Once: an order already closed is left as it is.",
  category: "connector",
  config,
  input,
  output: purchaseOrderOutput,
  effect: {
    kind: "write",
    key: (i) => keyOf(i.documentId),
    reconcile: async (ctx, i, c) => {
      const po = await readPurchaseOrder(ctx.client, c.transactionType, i.documentId);
      return po?.state === "Closed" ? outputOf(po, true) : undefined;
    },
    preview: async (ctx, i, c) => {
      const po = await readPurchaseOrder(ctx.client, c.transactionType, i.documentId);
      if (!po) return { wouldPost: { function: "update_potransaction", key: i.documentId, state: "Closed", note: "not in Intacct yet" } };
      const closed = po.state === "Closed";
      return {
        wouldPost: closed
          ? { function: null, key: po.documentId, reason: "already closed" }
          : { function: "update_potransaction", key: po.documentId, state: { from: po.state, to: "Closed" }, message: i.message ?? null, total: po.total },
        output: { ...outputOf(po, !closed), state: "Closed" },
      };
    },
  },
  async run(ctx, i, c) {
    const read = () => readPurchaseOrder(ctx.client, c.transactionType, i.documentId);
    const prior = await reconcileFirst(ctx, async () => {
      const po = await read();
      return po?.state === "Closed" ? outputOf(po, true) : undefined;
    });
    if (prior) return prior;
    const po = await read();
    if (!po) throw new PermanentError(`Intacct has no ${c.transactionType} ${i.documentId}`, { system: SYSTEM, code: "not_found" });
    if (po.state === "Closed") {
      ctx.log.info(`${po.documentId} is already closed`);
      return outputOf(po, false);
    }
    const body: XmlObject = { "@key": po.documentId, message: i.message, state: "Closed" };
    await ctx.client.legacyCreate("update_potransaction", body, writeKey(ctx, keyOf(i.documentId)), async () => {
      const back = await read();
      return back?.state === "Closed" ? back : undefined;
    });
    const back = await read();
    return outputOf(back ?? { ...po, state: "Closed" }, true);
  },
});
