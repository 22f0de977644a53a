/**
 * Find customers by email or id (vendor matching: the Commerce customer behind an order).
 * https://developer.adobe.com/commerce/webapi/rest/ (GET /V1/customers/search, GET /V1/customers/{id})
 */
import { z } from "zod";
import { NeedsReviewError } from "../../sdk";
import { customer } from "../schemas";
import { allOf } from "../search-criteria";
import { commerceNode } from "./factory";

export const searchCustomers = commerceNode({
  type: "commerce.searchCustomers",
  version: 1,
  title: "Search customers",
  description: "Find Commerce customers by email address or customer id.",
  category: "connector",
  icon: "users",
  config: z.object({
    websiteId: z.number().int().min(0).optional().describe("Only customers of this website (emails are unique per website)."),
    whenMissing: z
      .enum(["returnEmpty", "needsReview"])
      .default("returnEmpty")
      .describe("No match: continue with found=false, or park the run for review."),
  }),
  input: z
    .object({
      email: z.string().email().optional().describe("Customer email, e.g. the order's customer.email."),
      customerId: z.coerce.number().int().positive().optional().describe("Customer id, e.g. the order's customer.id."),
    })
    .refine((v) => v.email !== undefined || v.customerId !== undefined, { message: "give email or customerId" }),
  output: z.object({
    found: z.boolean(),
    count: z.number(),
    customer: customer.nullable().describe("The first match."),
    customers: z.array(customer),
  }),
  effect: { kind: "read" },
  async run(ctx, input, config) {
    let customers;
    if (input.customerId !== undefined) {
      const one = await ctx.client.getCustomer(input.customerId);
      customers = one && (config.websiteId === undefined || one.websiteId === config.websiteId) ? [one] : [];
    } else {
      const filters = [{ field: "email", value: input.email!, conditionType: "eq" as const }];
      if (config.websiteId !== undefined) filters.push({ field: "website_id", value: String(config.websiteId), conditionType: "eq" });
      customers = (await ctx.client.searchCustomers({ filterGroups: allOf(...filters), pageSize: 20, currentPage: 1 })).items;
    }
    if (customers.length === 0 && config.whenMissing === "needsReview") {
      throw new NeedsReviewError(`No Commerce customer with ${input.customerId !== undefined ? `id ${input.customerId}` : `email ${input.email}`}`, {
        system: "commerce",
        reasonCode: "customer_not_found",
      });
    }
    return { found: customers.length > 0, count: customers.length, customer: customers[0] ?? null, customers };
  },
});
