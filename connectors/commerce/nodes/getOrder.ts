/**
 * Get one order by entity id or by order number (increment id).
 * https://developer.adobe.com/commerce/webapi/rest/ (GET /V1/orders/{id}, GET /V1/orders?searchCriteria…)
 */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import { order } from "../schemas";
import { commerceNode } from "./factory";

export const getOrder = commerceNode({
  type: "commerce.getOrder",
  version: 1,
  title: "Get order",
  description: "Read one Adobe Commerce order with its lines, addresses, customer, B2B company and PO number.",
  category: "connector",
  icon: "shopping-cart",
  config: z.object({}),
  input: z
    .object({
      orderId: z.coerce.number().int().positive().optional().describe("Order entity_id (e.g. from the trigger's entityId)."),
      incrementId: z.string().min(1).optional().describe("Order number shown to customers, e.g. 000000042. Used when orderId is empty."),
    })
    .refine((v) => v.orderId !== undefined || v.incrementId !== undefined, { message: "give orderId or incrementId" }),
  output: order,
  effect: { kind: "read" },
  async run(ctx, input) {
    if (input.orderId !== undefined) return ctx.client.getOrder(input.orderId);
    const found = await ctx.client.findOrderByIncrementId(input.incrementId!);
    if (!found) {
      throw new PermanentError(`No Commerce order with number ${input.incrementId}`, { system: "commerce", status: 404, code: "not_found" });
    }
    return found;
  },
});
