/**
 * Create an AP adjustment (vendor credit or debit memo) with the legacy create_apadjustment.
 * https://developer.intacct.com/api/accounts-payable/ap-adjustments/#create-ap-adjustment-legacy
 *
 * Natural key: vendor + adjustment number (RECORDID on APADJUSTMENT), read back with readByQuery;
 * and the entity when the input routes the memo to one (`entityId`). User-defined dimensions go
 * on each line as `customfields/customfield` GLDIM<NAME> entries (the legacy function's form).
 */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import type { IntacctClient } from "../client";
import { SYSTEM } from "../errors";
import { amount, dimensions, entityId, isoDate, legacyDate, money, toCents, userDimensionCustomFields } from "../schemas";
import { findApDocument, node, reconcileFirst, writeKey } from "./factory";

const config = z.object({
  draft: z.boolean().default(false).describe("Save as draft (action Draft) instead of submitting."),
});

const line = dimensions.extend({
  accountNo: z.string().min(1).describe("GL account (glaccountno).").meta({ picker: "glAccounts" }),
  offsetAccountNo: z.string().min(1).optional().describe("Offset GL account (offsetglaccountno)."),
  amount: amount.describe("Amount; negative for a credit memo. All lines positive or all negative."),
  memo: z.string().max(1000).optional(),
});

const input = z.object({
  vendorId: z.string().min(1).describe("Intacct vendor ID."),
  adjustmentNumber: z.string().min(1).max(100).describe("Adjustment number (adjustmentno): the business key, unique per vendor."),
  date: isoDate.describe("Adjustment date (datecreated) as YYYY-MM-DD."),
  postingDate: isoDate.optional().describe("GL posting date (dateposted)."),
  billNumber: z.string().optional().describe("Bill number the memo relates to (billno)."),
  description: z.string().max(1000).optional(),
  externalId: z.string().optional().describe("External ID, e.g. the Commerce credit memo id."),
  currency: z.string().length(3).optional(),
  lines: z.array(line).min(1),
  entityId,
});

const output = z.object({
  recordNo: z.string(),
  vendorId: z.string(),
  adjustmentNumber: z.string(),
  total: z.string(),
  state: z.string(),
  entityId: z.string().optional().describe("The entity the adjustment was created in, when the input named one."),
});
type Output = z.output<typeof output>;
const keyOf = (i: { vendorId: string; adjustmentNumber: string; entityId?: string }) =>
  `intacct:apadjustment:${i.entityId ? `${i.entityId}:` : ""}${i.vendorId}:${i.adjustmentNumber}`;

async function findAdjustment(client: IntacctClient, vendorId: string, adjustmentNumber: string): Promise<Output | undefined> {
  const found = await findApDocument(client, "APADJUSTMENT", vendorId, adjustmentNumber);
  return found && { ...found, vendorId, adjustmentNumber };
}

export const createApAdjustment = node({
  type: "intacct.createApAdjustment",
  version: 1,
  title: "Create AP adjustment (credit memo)",
  description: "Create an AP adjustment for a vendor credit or debit memo. Never creates the same adjustment number twice.",
  category: "connector",
  config,
  input,
  output,
  effect: {
    kind: "write",
    key: keyOf,
    reconcile: (ctx, i) => findAdjustment(ctx.client.forEntity(i.entityId), i.vendorId, i.adjustmentNumber),
  },
  async run(ctx, i, c) {
    const signs = new Set(i.lines.map((l) => Math.sign(toCents(l.amount))).filter((s) => s !== 0));
    if (signs.size > 1) throw new PermanentError("AP adjustment lines must be all positive or all negative", { system: SYSTEM });
    const client = ctx.client.forEntity(i.entityId);
    const prior = await reconcileFirst(ctx, () => findAdjustment(client, i.vendorId, i.adjustmentNumber));
    if (prior) return prior;
    const key = await client.legacyCreate(
      "create_apadjustment",
      {
        vendorid: i.vendorId,
        datecreated: legacyDate(i.date, "date"),
        dateposted: i.postingDate ? legacyDate(i.postingDate, "postingDate") : undefined,
        adjustmentno: i.adjustmentNumber,
        action: c.draft ? "Draft" : "Submit",
        billno: i.billNumber,
        description: i.description,
        externalid: i.externalId,
        currency: i.currency,
        apadjustmentitems: {
          lineitem: i.lines.map((l) => ({
            glaccountno: l.accountNo,
            offsetglaccountno: l.offsetAccountNo,
            amount: money(l.amount),
            memo: l.memo,
            locationid: l.locationId,
            departmentid: l.departmentId,
            // The SDK's order: custom fields between the department and the project.
            customfields: userDimensionCustomFields(l.customDimensions),
            projectid: l.projectId,
            customerid: l.customerId,
            vendorid: l.vendorId,
            employeeid: l.employeeId,
            itemid: l.itemId,
            classid: l.classId,
          })),
        },
      },
      writeKey(ctx, keyOf(i)),
      () => findAdjustment(client, i.vendorId, i.adjustmentNumber),
    );
    const total = i.lines.reduce((sum, l) => sum + toCents(l.amount), 0);
    return {
      recordNo: key,
      vendorId: i.vendorId,
      adjustmentNumber: i.adjustmentNumber,
      total: (total / 100).toFixed(2),
      state: c.draft ? "Draft" : "Posted",
      ...(i.entityId ? { entityId: i.entityId } : {}),
    };
  },
});
