/**
 * Create an AP bill (APBILL with APBILLITEMS/APBILLITEM) with the generic create function.
 * https://developer.intacct.com/api/accounts-payable/bills/#create-bill
 *
 * Natural key: vendor + bill number (RECORDID), read back with readByQuery; and the entity when
 * the input routes the bill to one (`entityId`). User-defined dimensions go on lines as GLDIM<NAME>.
 */
import { z } from "zod";
import type { IntacctClient } from "../client";
import { amount, dimensions, entityId, isoDate, money, toCents, userDimensionFields, usDate } from "../schemas";
import { findApDocument, node, reconcileFirst, writeKey } from "./factory";

const config = z.object({
  draft: z.boolean().default(false).describe("Save the bill as a draft instead of posting it."),
});

const line = dimensions.extend({
  accountNo: z.string().min(1).describe("Expense GL account (ACCOUNTNO).").meta({ picker: "glAccounts" }),
  amount: amount.describe("Line amount (TRX_AMOUNT)."),
  memo: z.string().max(1000).optional().describe("Line memo (ENTRYDESCRIPTION)."),
});

const input = z.object({
  vendorId: z.string().min(1).describe("Intacct vendor ID (VENDORID)."),
  billNumber: z.string().min(1).max(100).describe("Bill number (RECORDID): the business key, unique per vendor."),
  date: isoDate.describe("Bill date (WHENCREATED) as YYYY-MM-DD."),
  dueDate: isoDate.optional().describe("Due date (WHENDUE); without it the vendor's terms (termName) apply."),
  termName: z.string().optional().describe("Payment terms, e.g. Net 30."),
  reference: z.string().max(100).optional().describe("Reference / PO number (DOCNUMBER)."),
  description: z.string().max(1000).optional().describe("Bill description."),
  currency: z.string().length(3).optional().describe("Transaction currency, e.g. USD."),
  lines: z.array(line).min(1).describe("Bill lines."),
  entityId,
});

const output = z.object({
  recordNo: z.string(),
  vendorId: z.string(),
  billNumber: z.string(),
  total: z.string(),
  state: z.string(),
  entityId: z.string().optional().describe("The entity the bill was created in, when the input named one."),
});
type Output = z.output<typeof output>;
const keyOf = (i: { vendorId: string; billNumber: string; entityId?: string }) =>
  `intacct:apbill:${i.entityId ? `${i.entityId}:` : ""}${i.vendorId}:${i.billNumber}`;

async function findBill(client: IntacctClient, vendorId: string, billNumber: string): Promise<Output | undefined> {
  const found = await findApDocument(client, "APBILL", vendorId, billNumber);
  return found && { ...found, vendorId, billNumber };
}

export const createApBill = node({
  type: "intacct.createApBill",
  version: 1,
  title: "Create AP bill",
  description: "Create a vendor bill (APBILL) with lines and dimensions. Never creates the same bill number twice.",
  category: "connector",
  config,
  input,
  output,
  effect: {
    kind: "write",
    key: keyOf,
    reconcile: (ctx, i) => findBill(ctx.client.forEntity(i.entityId), i.vendorId, i.billNumber),
    // A dry run shows the bill as it would be created, with its lines, vendor and total.
    preview: async (_ctx, i, c) => {
      const total = i.lines.reduce((sum, l) => sum + toCents(l.amount), 0);
      return {
        wouldPost: {
          object: "APBILL",
          vendorId: i.vendorId,
          billNumber: i.billNumber,
          ...(i.entityId ? { entityId: i.entityId } : {}),
          date: i.date,
          dueDate: i.dueDate ?? null,
          currency: i.currency ?? null,
          draft: c.draft,
          lines: i.lines.map((l) => {
            const { accountNo, amount: lineAmount, memo, ...dims } = l;
            return { accountNo, type: "debit", amount: money(lineAmount), memo, dimensions: dims };
          }),
          total: (total / 100).toFixed(2),
        },
      };
    },
  },
  async run(ctx, i, c) {
    const client = ctx.client.forEntity(i.entityId);
    const prior = await reconcileFirst(ctx, () => findBill(client, i.vendorId, i.billNumber));
    if (prior) return prior;
    const total = i.lines.reduce((sum, l) => sum + toCents(l.amount), 0);
    const created = await client.create(
      "APBILL",
      {
        VENDORID: i.vendorId,
        WHENCREATED: usDate(i.date, "date"),
        WHENDUE: i.dueDate ? usDate(i.dueDate, "dueDate") : undefined,
        TERMNAME: i.termName,
        RECORDID: i.billNumber,
        DOCNUMBER: i.reference,
        DESCRIPTION: i.description,
        CURRENCY: i.currency,
        ACTION: c.draft ? "Draft" : undefined,
        APBILLITEMS: {
          APBILLITEM: i.lines.map((l) => ({
            ACCOUNTNO: l.accountNo,
            TRX_AMOUNT: money(l.amount),
            ENTRYDESCRIPTION: l.memo,
            LOCATIONID: l.locationId,
            DEPARTMENTID: l.departmentId,
            PROJECTID: l.projectId,
            CUSTOMERID: l.customerId,
            VENDORID: l.vendorId,
            EMPLOYEEID: l.employeeId,
            ITEMID: l.itemId,
            CLASSID: l.classId,
            ...userDimensionFields(l.customDimensions),
          })),
        },
      },
      writeKey(ctx, keyOf(i)),
      () => findBill(client, i.vendorId, i.billNumber),
    );
    return {
      recordNo: created.recordNo,
      vendorId: i.vendorId,
      billNumber: i.billNumber,
      total: (total / 100).toFixed(2),
      state: c.draft ? "Draft" : "Posted",
      ...(i.entityId ? { entityId: i.entityId } : {}),
    };
  },
});
