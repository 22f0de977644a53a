/**
 * Get one credit memo, with the order it refunds.
 * https://developer.adobe.com/commerce/webapi/rest/ (GET /V1/creditmemo/{id}; singular)
 */
import { z } from "zod";
import { creditMemo, order } from "../schemas";
import { commerceNode } from "./factory";

export const getCreditMemo = commerceNode({
  type: "commerce.getCreditMemo",
  version: 1,
  title: "Get credit memo",
  description: "Read one Adobe Commerce credit memo (refund) and, by default, its order.",
  category: "connector",
  icon: "rotate-ccw",
  config: z.object({
    includeOrder: z.boolean().default(true).describe("Also read the refunded order (customer, B2B company, PO number)."),
  }),
  input: z.object({ creditMemoId: z.coerce.number().int().positive().describe("Credit memo entity_id.") }),
  output: z.object({ creditMemo, order: order.nullable() }),
  effect: { kind: "read" },
  async run(ctx, input, config) {
    const memo = await ctx.client.getCreditMemo(input.creditMemoId);
    return { creditMemo: memo, order: config.includeOrder ? await ctx.client.getOrder(memo.orderId) : null };
  },
});
