/**
 * Update a B2B company: `PUT /V1/company/{companyId}` with the saved company and only the wanted
 * fields that differ. Nothing is sent when the company already matches (which is also what keeps a
 * two-way sync from echoing). The first write this connector makes to Commerce: master data only.
 * https://developer.adobe.com/commerce/webapi/rest/b2b/company-object/
 *
 * Business key: `commerce:company:<id>:update:<changeKey>` (the source's version of the change).
 */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import { companyChanges, COMPANY_FIELDS } from "../company-sync";
import { commerceNode } from "./factory";

const wanted = z.object({
  name: z.string().max(255).optional(),
  legalName: z.string().max(255).optional(),
  email: z.string().max(255).optional(),
  vatTaxId: z.string().max(255).optional(),
  telephone: z.string().max(255).optional(),
  street: z.array(z.string().max(255)).max(4).optional(),
  city: z.string().max(255).optional(),
  region: z.string().max(255).optional(),
  postcode: z.string().max(255).optional(),
  countryId: z.string().length(2).optional(),
});

const input = z.object({
  companyId: z.coerce.number().int().positive().describe("Company id (/V1/company/{id})."),
  changeKey: z.string().min(1).max(200).describe("The source's version of this change: one update per version."),
  fields: wanted.describe("The values wanted; fields left out are not touched."),
});
type Input = z.output<typeof input>;

const output = z.object({ companyId: z.number(), changed: z.array(z.enum(COMPANY_FIELDS)).describe("Fields this step changed (empty: it already matched).") });

const keyOf = (i: Input) => `commerce:company:${i.companyId}:update:${i.changeKey}`;

export const updateCompany = commerceNode({
  type: "commerce.updateCompany",
  version: 1,
  title: "Update B2B company",
  description: "Update a B2B company's name, contact, address or VAT/tax ID, sending only what differs. Once per change of the source; nothing is sent when it already matches.",
  category: "connector",
  config: z.object({}),
  input,
  output,
  effect: {
    kind: "write",
    key: keyOf,
    reconcile: async (ctx, i) => {
      const company = await ctx.client.getCompany(i.companyId);
      return company && companyChanges(company, i.fields).changed.length === 0 ? { companyId: company.id, changed: [] } : undefined;
    },
    preview: async (ctx, i) => {
      const company = await ctx.client.getCompany(i.companyId);
      if (!company) throw new PermanentError(`Commerce has no company ${i.companyId}`, { system: "commerce", code: "not_found" });
      const { changed } = companyChanges(company, i.fields);
      return {
        wouldPost: changed.length
          ? { method: "PUT", path: `/V1/company/${company.id}`, changes: changed.map((f) => ({ field: f, from: company[f], to: i.fields[f] })) }
          : { method: null, companyId: company.id, reason: "already as wanted" },
        output: { companyId: company.id, changed },
      };
    },
  },
  async run(ctx, i) {
    if (ctx.idempotency?.previousOutcomeUnknown) {
      const back = await ctx.client.getCompany(i.companyId);
      if (back && companyChanges(back, i.fields).changed.length === 0) return { companyId: back.id, changed: [] };
    }
    const company = await ctx.client.getCompany(i.companyId);
    if (!company) throw new PermanentError(`Commerce has no company ${i.companyId}`, { system: "commerce", code: "not_found" });
    const { changed, body } = companyChanges(company, i.fields);
    if (changed.length === 0) {
      ctx.log.info(`Company ${company.id} already matches: nothing to update`);
      return { companyId: company.id, changed: [] };
    }
    ctx.log.info(`Updating company ${company.id}`, { changes: changed.map((f) => ({ field: f, from: company[f], to: i.fields[f] })) });
    await ctx.client.transport.request("PUT", `/company/${company.id}`, { body: { company: body }, label: `update company ${company.id}` });
    return { companyId: company.id, changed };
  },
});
