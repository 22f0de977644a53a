/**
 * Bring an open purchase order in line with its source: `update_potransaction key=<DOCID>` with
 * only the lines and header fields that differ (changed lines by line_num, new lines, lines no
 * longer wanted set to quantity 0). Nothing is sent when the order already reads back as wanted.
 * https://developer.intacct.com/api/purchasing/transactions/#update-purchasing-transaction-legacy
 *
 * Business key: DOCID + the source's version of the change (`changeKey`), so each change of the
 * source order updates Intacct once, and a replay of the same change sends nothing.
 */
import { z } from "zod";
import { NeedsReviewError, PermanentError } from "../../sdk";
import { SYSTEM } from "../errors";
import { isoDate, legacyDate } from "../schemas";
import type { XmlObject } from "../xml";
import { purchaseOrderLine } from "./createPurchaseOrder";
import { node, reconcileFirst, writeKey, type Ctx } from "./factory";
import { linesDiff, outputOf, purchaseOrderOutput, readPurchaseOrder, type PurchaseOrderRecord } from "./purchase-order";

const config = z.object({
  transactionType: z.string().min(1).default("Purchase Order").describe("Purchasing transaction definition of the order."),
});

const input = z.object({
  documentId: z.string().min(1).describe("DOCID of the purchase order, e.g. Purchase Order-PO0001 (the create node's output)."),
  changeKey: z.string().min(1).max(200).describe("The source's version of this change (e.g. the B2B purchase order's updated_at): one update per version."),
  lines: z.array(purchaseOrderLine).min(1).describe("Every line the order should have, in order."),
  message: z.string().max(1000).optional().describe("Message on the transaction (e.g. the source's approval status)."),
  referenceNo: z.string().min(1).max(100).optional().describe("Reference number (PONUMBER)."),
  dueDate: isoDate.optional(),
});
type Input = z.output<typeof input>;

const keyOf = (i: Input) => `intacct:podocument:${i.documentId}:update:${i.changeKey}`;

/** `update_potransaction` children for what differs, or undefined when nothing does. */
function plan(po: PurchaseOrderRecord, i: Input): { body: XmlObject; changes: unknown[] } | undefined {
  const diff = linesDiff(po.lines, i.lines);
  const body: XmlObject = { "@key": po.documentId };
  const changes: unknown[] = [];
  if (i.referenceNo !== undefined && i.referenceNo !== po.referenceNo) {
    body.referenceno = i.referenceNo;
    changes.push({ field: "referenceno", from: po.referenceNo, to: i.referenceNo });
  }
  if (i.dueDate !== undefined) body.datedue = legacyDate(i.dueDate, "dueDate");
  if (i.message !== undefined && i.message !== po.message) {
    body.message = i.message;
    changes.push({ field: "message", from: po.message, to: i.message });
  }
  if (Object.keys(diff.items).length) body.updatepotransitems = diff.items;
  changes.push(...diff.changes);
  return changes.length === 0 ? undefined : { body, changes };
}

async function current(ctx: Ctx, type: string, documentId: string): Promise<PurchaseOrderRecord> {
  const po = await readPurchaseOrder(ctx.client, type, documentId);
  if (!po) throw new PermanentError(`Intacct has no ${type} ${documentId}`, { system: SYSTEM, code: "not_found" });
  return po;
}

export const updatePurchaseOrder = node({
  type: "intacct.updatePurchaseOrder",
  version: 1,
  title: "Update purchase order",
  description:
    "Update an open purchase order's lines, message and reference to match its source, sending only what differs. Once per change of the source; nothing is sent when it already matches.",
  category: "connector",
  config,
  input,
  output: purchaseOrderOutput,
  effect: {
    kind: "write",
    key: keyOf,
    // After a lost answer: done when the order already reads back as wanted.
    reconcile: async (ctx, i, c) => {
      const po = await readPurchaseOrder(ctx.client, c.transactionType, i.documentId);
      return po && !plan(po, i) ? outputOf(po, true) : undefined;
    },
    preview: async (ctx, i, c) => {
      const po = await readPurchaseOrder(ctx.client, c.transactionType, i.documentId);
      // Not in Intacct yet: the create before this step would make it with these very lines.
      if (!po) return { wouldPost: { function: null, key: i.documentId, reason: "created with these lines by the step before" } };
      const wanted = po.state === "Closed" ? undefined : plan(po, i);
      return {
        wouldPost: wanted
          ? { function: "update_potransaction", key: po.documentId, changes: wanted.changes }
          : { function: null, key: po.documentId, reason: po.state === "Closed" ? "closed: not updated" : "already as wanted" },
        output: outputOf(po, !!wanted),
      };
    },
  },
  async run(ctx, i, c) {
    const prior = await reconcileFirst(ctx, async () => {
      const po = await readPurchaseOrder(ctx.client, c.transactionType, i.documentId);
      return po && !plan(po, i) ? outputOf(po, true) : undefined;
    });
    if (prior) return prior;
    const po = await current(ctx, c.transactionType, i.documentId);
    if (po.state === "Closed") {
      // A closed order cannot be edited in Intacct; a change arriving after the close needs a person.
      const wanted = plan(po, i);
      if (!wanted) return outputOf(po, false);
      throw new NeedsReviewError(`${po.documentId} is closed in Intacct but its source changed; reopen it or adjust it by hand`, {
        system: SYSTEM,
        reasonCode: "purchase_order_closed",
        details: { documentId: po.documentId, changes: wanted.changes },
      });
    }
    const wanted = plan(po, i);
    if (!wanted) {
      ctx.log.info(`${po.documentId} already matches its source: nothing to update`);
      return outputOf(po, false);
    }
    ctx.log.info(`Updating ${po.documentId}`, { changes: wanted.changes });
    await ctx.client.legacyCreate("update_potransaction", wanted.body, writeKey(ctx, keyOf(i)), async () => {
      const back = await readPurchaseOrder(ctx.client, c.transactionType, i.documentId);
      return back && !plan(back, i) ? back : undefined;
    });
    const back = await current(ctx, c.transactionType, i.documentId);
    return outputOf(back, true);
  },
});
