/**
 * Get one invoice, with the order it belongs to (customer, company, PO number live on the order).
 * https://developer.adobe.com/commerce/webapi/rest/ (GET /V1/invoices/{id})
 */
import { z } from "zod";
import { invoice, order } from "../schemas";
import { commerceNode } from "./factory";

export const getInvoice = commerceNode({
  type: "commerce.getInvoice",
  version: 1,
  title: "Get invoice",
  description: "Read one Adobe Commerce invoice and, by default, its order.",
  category: "connector",
  icon: "file-text",
  config: z.object({
    includeOrder: z.boolean().default(true).describe("Also read the invoice's order (customer, B2B company, PO number, addresses)."),
  }),
  input: z.object({ invoiceId: z.coerce.number().int().positive().describe("Invoice entity_id.") }),
  output: z.object({ invoice, order: order.nullable() }),
  effect: { kind: "read" },
  async run(ctx, input, config) {
    const inv = await ctx.client.getInvoice(input.invoiceId);
    return { invoice: inv, order: config.includeOrder ? await ctx.client.getOrder(inv.orderId) : null };
  },
});
