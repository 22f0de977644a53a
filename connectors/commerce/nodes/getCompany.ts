/**
 * B2B company lookup by id or by name.
 * https://developer.adobe.com/commerce/webapi/rest/b2b/company-object/ (GET /V1/company/{id}, GET /V1/company/)
 */
import { z } from "zod";
import { NeedsReviewError } from "../../sdk";
import { company } from "../schemas";
import { allOf } from "../search-criteria";
import { commerceNode } from "./factory";

export const getCompany = commerceNode({
  type: "commerce.getCompany",
  version: 1,
  title: "Get B2B company",
  description: "Read an Adobe Commerce B2B company (legal name, VAT id, address, status) by id or name.",
  category: "connector",
  icon: "building",
  config: z.object({
    whenMissing: z
      .enum(["returnEmpty", "needsReview"])
      .default("returnEmpty")
      .describe("No such company: continue with found=false, or park the run for review."),
  }),
  input: z
    .object({
      companyId: z.coerce.number().int().positive().optional().describe("Company id, e.g. the order's company.id."),
      name: z.string().min(1).optional().describe("Company name (exact, case-insensitive) when there is no id."),
    })
    .refine((v) => v.companyId !== undefined || v.name !== undefined, { message: "give companyId or name" }),
  output: z.object({ found: z.boolean(), company: company.nullable() }),
  effect: { kind: "read" },
  async run(ctx, input, config) {
    let found;
    if (input.companyId !== undefined) found = await ctx.client.getCompany(input.companyId);
    else {
      const page = await ctx.client.searchCompanies({
        filterGroups: allOf({ field: "company_name", value: input.name!, conditionType: "eq" }),
        pageSize: 2,
        currentPage: 1,
      });
      found = page.items[0];
    }
    if (!found && config.whenMissing === "needsReview") {
      throw new NeedsReviewError(`No Commerce B2B company ${input.companyId ?? input.name}`, { system: "commerce", reasonCode: "company_not_found" });
    }
    return { found: !!found, company: found ?? null };
  },
});
