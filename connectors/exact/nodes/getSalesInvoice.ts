/** Read one sales invoice with its lines, its invoice-to account and the account's addresses. */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import { fullSalesInvoiceSchema } from "../schemas";
import { exactNode, guidString } from "./_factory";

export const getSalesInvoice = exactNode({
  type: "exact.getSalesInvoice",
  version: 1,
  title: "Get sales invoice",
  description: "Fetch an Exact Online sales invoice by InvoiceID or invoice number, with lines, customer account and addresses.",
  category: "connector",
  config: z.object({}),
  input: z
    .object({
      invoiceId: guidString.optional().describe("InvoiceID (GUID) of the invoice"),
      invoiceNumber: z.number().int().positive().optional().describe("Invoice number, when the GUID is not known"),
    })
    .refine((v) => v.invoiceId || v.invoiceNumber, { message: "give invoiceId or invoiceNumber" }),
  output: fullSalesInvoiceSchema,
  effect: { kind: "read" },
  run: async (ctx, input) => {
    const id = input.invoiceId ?? (await ctx.client.findSalesInvoiceByNumber(input.invoiceNumber!));
    if (!id) {
      throw new PermanentError(`Sales invoice number ${input.invoiceNumber} does not exist in Exact division ${ctx.client.division}`, {
        system: "exact",
        code: "not_found",
      });
    }
    return ctx.client.getFullSalesInvoice(id);
  },
});
