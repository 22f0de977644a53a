/**
 * Create a purchase order with the legacy create_potransaction (there is no generic create for
 * PODOCUMENT). https://developer.intacct.com/api/purchasing/transactions/#create-purchasing-transaction-legacy
 *
 * Natural key: transaction definition + vendor + reference number (PONUMBER), read back with
 * readByQuery on PODOCUMENT.
 */
import { z } from "zod";
import type { IntacctClient } from "../client";
import { quote } from "../client";
import { amount, isoDate, legacyDate, money, toCents } from "../schemas";
import { text } from "../xml";
import { node, reconcileFirst, writeKey } from "./factory";

const config = z.object({
  transactionType: z.string().min(1).default("Purchase Order").describe("Purchasing transaction definition (transactiontype)."),
  draft: z.boolean().default(false).describe("Create in Draft state."),
});

/** One purchase order line (shared by the update node). */
export const purchaseOrderLine = z.object({
  itemId: z.string().min(1).describe("Item ID.").meta({ picker: "items" }),
  quantity: amount.describe("Quantity."),
  unit: z.string().optional().describe("Unit of measure, e.g. Each."),
  price: amount.optional().describe("Unit price."),
  memo: z.string().max(1000).optional(),
  locationId: z.string().min(1).optional(),
  departmentId: z.string().min(1).optional(),
  projectId: z.string().min(1).optional(),
  classId: z.string().min(1).optional(),
});

const input = z.object({
  vendorId: z.string().min(1).describe("Intacct vendor ID."),
  referenceNo: z
    .string()
    .min(1)
    .max(100)
    .describe("Reference number (referenceno / PONUMBER), e.g. the buyer's B2B purchase order number: the business key."),
  documentNo: z.string().max(100).optional().describe("Document number; empty to let the definition number it."),
  date: isoDate.describe("Transaction date (datecreated) as YYYY-MM-DD."),
  dueDate: isoDate.optional(),
  vendorDocNo: z.string().optional().describe("Vendor's document number."),
  message: z.string().max(1000).optional(),
  lines: z.array(purchaseOrderLine).min(1),
});

const output = z.object({
  recordNo: z.string(),
  documentId: z.string().describe("DOCID, e.g. Purchase Order-PO0001."),
  referenceNo: z.string(),
  vendorId: z.string(),
  total: z.string(),
  state: z.string(),
});
type Output = z.output<typeof output>;

async function findOrder(client: IntacctClient, type: string, vendorId: string, referenceNo: string): Promise<Output | undefined> {
  const rows = await client.readByQuery("PODOCUMENT", `CUSTVENDID = ${quote(vendorId)} AND PONUMBER = ${quote(referenceNo)}`, {
    fields: ["RECORDNO", "DOCID", "PONUMBER", "CUSTVENDID", "TOTAL", "STATE"],
    docparid: type,
    pageSize: 10,
  });
  const r = rows[0];
  if (!r) return undefined;
  return { recordNo: text(r.RECORDNO), documentId: text(r.DOCID), referenceNo, vendorId, total: text(r.TOTAL), state: text(r.STATE) };
}

export const createPurchaseOrder = node({
  type: "intacct.createPurchaseOrder",
  version: 1,
  title: "Create purchase order",
  description: "Create a Purchasing transaction (purchase order) carrying the buyer's PO number. Never creates the same reference twice.",
  category: "connector",
  config,
  input,
  output,
  effect: {
    kind: "write",
    key: (i, c) => `intacct:podocument:${c.transactionType}:${i.vendorId}:${i.referenceNo}`,
    reconcile: (ctx, i, c) => findOrder(ctx.client, c.transactionType, i.vendorId, i.referenceNo),
    // A dry run shows the order's lines and total; one that exists already is shown as such.
    preview: async (ctx, i, c) => {
      const existing = await findOrder(ctx.client, c.transactionType, i.vendorId, i.referenceNo);
      const total = i.lines.reduce((sum, l) => sum + Math.round((toCents(l.quantity) * toCents(l.price ?? 0)) / 100), 0);
      return {
        wouldPost: existing
          ? { function: null, reason: "exists already", documentId: existing.documentId, state: existing.state }
          : {
              function: "create_potransaction",
              transactionType: c.transactionType,
              vendorId: i.vendorId,
              referenceNo: i.referenceNo,
              date: i.date,
              lines: i.lines.map((l) => ({ itemId: l.itemId, quantity: String(l.quantity), price: l.price === undefined ? null : money(l.price), memo: l.memo ?? null })),
              total: (total / 100).toFixed(2),
            },
        output: existing ?? {
          recordNo: "",
          documentId: `${c.transactionType}-(new)`,
          referenceNo: i.referenceNo,
          vendorId: i.vendorId,
          total: (total / 100).toFixed(2),
          state: c.draft ? "Draft" : "Pending",
        },
      };
    },
  },
  async run(ctx, i, c) {
    const find = () => findOrder(ctx.client, c.transactionType, i.vendorId, i.referenceNo);
    const prior = await reconcileFirst(ctx, find);
    if (prior) return prior;
    const docId = await ctx.client.legacyCreate(
      "create_potransaction",
      {
        transactiontype: c.transactionType,
        datecreated: legacyDate(i.date, "date"),
        vendorid: i.vendorId,
        documentno: i.documentNo,
        referenceno: i.referenceNo,
        vendordocno: i.vendorDocNo,
        datedue: i.dueDate ? legacyDate(i.dueDate, "dueDate") : undefined,
        message: i.message,
        state: c.draft ? "Draft" : undefined,
        potransitems: {
          potransitem: i.lines.map((l) => ({
            itemid: l.itemId,
            quantity: money(l.quantity).replace(/\.00$/, ""),
            unit: l.unit,
            price: l.price === undefined ? undefined : money(l.price),
            locationid: l.locationId,
            departmentid: l.departmentId,
            projectid: l.projectId,
            classid: l.classId,
            memo: l.memo,
          })),
        },
      },
      writeKey(ctx, `intacct:podocument:${c.transactionType}:${i.vendorId}:${i.referenceNo}`),
      find,
    );
    const back = await find();
    const total = i.lines.reduce((sum, l) => sum + Math.round((toCents(l.quantity) * toCents(l.price ?? 0)) / 100), 0);
    return {
      recordNo: back?.recordNo ?? "",
      documentId: docId,
      referenceNo: i.referenceNo,
      vendorId: i.vendorId,
      total: back?.total ?? (total / 100).toFixed(2),
      state: back?.state ?? (c.draft ? "Draft" : "Pending"),
    };
  },
});
