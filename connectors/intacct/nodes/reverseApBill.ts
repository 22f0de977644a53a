/**
 * Reverse the AP bill of a source document that was cancelled after it was billed (a Commerce
 * order cancelled, say): the bill reads back Reversed with nothing left to pay. No bill yet is
 * nothing to do; a bill already reversed is done.
 * https://developer.intacct.com/api/accounts-payable/bills/#reverse-bill-legacy
 */
import { z } from "zod";
import { SYSTEM } from "../errors";
import { isoDate, legacyDate } from "../schemas";
import { findApDocument, node, writeKey } from "./factory";
import { PermanentError } from "../../sdk";

const input = z.object({
  vendorId: z.string().min(1),
  billNumber: z.string().min(1).describe("The bill's number (RECORDID), e.g. COM-000000123."),
  date: isoDate.describe("Reversal date (datereversed), in an open period."),
  description: z.string().max(1000).optional(),
});

const output = z.object({
  status: z.enum(["reversed", "already_reversed", "no_bill"]),
  recordNo: z.string().nullable(),
  billNumber: z.string(),
});

export const reverseApBill = node({
  type: "intacct.reverseApBill",
  version: 1,
  title: "Reverse AP bill (Intacct)",
  description: "Reverse the AP bill of a cancelled source document (reverse_bill). Nothing to do when no bill was created.",
  category: "connector",
  config: z.object({}),
  input,
  output,
  effect: { kind: "write", key: (i) => `intacct:apbill:${i.vendorId}:${i.billNumber}:reverse` },
  async run(ctx, i) {
    const bill = await findApDocument(ctx.client, "APBILL", i.vendorId, i.billNumber);
    if (!bill) {
      ctx.log.info(`No AP bill ${i.billNumber} for vendor ${i.vendorId}: nothing to reverse`);
      return { status: "no_bill" as const, recordNo: null, billNumber: i.billNumber };
    }
    if (bill.state === "Reversed") return { status: "already_reversed" as const, recordNo: bill.recordNo, billNumber: i.billNumber };
    if (bill.state === "Paid") {
      throw new PermanentError(`AP bill ${i.billNumber} is paid: reverse the payment in Intacct first`, { system: SYSTEM });
    }
    await ctx.client.write(
      { name: "reverse_bill", body: { "@key": bill.recordNo, datereversed: legacyDate(i.date, "date"), description: i.description } },
      writeKey(ctx, `intacct:apbill:${i.vendorId}:${i.billNumber}:reverse`),
      async () => {
        const again = await findApDocument(ctx.client, "APBILL", i.vendorId, i.billNumber);
        return again?.state === "Reversed" ? again : undefined;
      },
    );
    ctx.log.info(`Reversed AP bill ${i.billNumber} (record ${bill.recordNo})`);
    return { status: "reversed" as const, recordNo: bill.recordNo, billNumber: i.billNumber };
  },
});
