/**
 * Trigger (poll): B2B companies whose watched fields changed (the fields Commerce owns in a sync).
 *
 * A company has no updated_at in REST (company-data-company-interface), so every poll reads the
 * company list (`GET /V1/company/`, every page) and compares a digest of the watched fields with
 * the one it last saw. A change to other fields (for instance ones a sync wrote from Intacct)
 * starts nothing, so a two-way sync cannot loop. The first poll only records where every company
 * stands: runs start with the changes after it.
 * https://developer.adobe.com/commerce/webapi/rest/b2b/company-object/
 */
import { z } from "zod";
import { PermanentError, type TriggerRecord } from "../../sdk";
import { companyDigest, COMPANY_FIELDS } from "../company-sync";
import { company, type Company } from "../schemas";
import { commerceNode } from "./factory";

const config = z.object({
  watchFields: z
    .array(z.enum(COMPANY_FIELDS))
    .min(1)
    .default(["name", "legalName", "email", "telephone", "street", "city", "region", "postcode", "countryId"])
    .describe("Fields whose change starts a run (the fields Commerce owns in the sync)."),
});
type Config = z.output<typeof config>;

const checkpointSchema = z.object({ v: z.literal(1), settings: z.string(), digests: z.record(z.string(), z.string()) });
type Checkpoint = z.infer<typeof checkpointSchema>;

const settingsKey = (c: Config) => JSON.stringify([...c.watchFields].sort());

export const companiesUpdated = commerceNode({
  type: "commerce.companiesUpdated",
  version: 1,
  title: "B2B companies changed",
  description: "Polls Adobe Commerce B2B companies and starts one run per company whose watched fields (name, contact, address, VAT/tax ID) changed. Changes to other fields start nothing.",
  category: "trigger",
  icon: "refresh-cw",
  config,
  input: z.object({ companyId: z.coerce.number().int().positive() }),
  output: company.extend({ version: z.string().describe("Digest of the watched fields: one update per version downstream.") }),
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    async poll(ctx, c, raw) {
      const parsed = checkpointSchema.safeParse(raw);
      const settings = settingsKey(c);
      const list: Company[] = [];
      for (let page = 1; ; page++) {
        const result = await ctx.client.searchCompanies({ pageSize: 100, currentPage: page, sortOrders: [{ field: "id", direction: "ASC" }] });
        list.push(...result.items);
        // Stop on total_count, never on a page alone (an out-of-range page repeats the last one).
        if (result.items.length === 0 || page * 100 >= result.totalCount) break;
      }
      const companies = list.map((co) => ({ co, digest: companyDigest(co, c.watchFields) }));
      if (!parsed.success || parsed.data.settings !== settings) {
        // Baseline: where every company stands now.
        return { records: [], checkpoint: { v: 1, settings, digests: Object.fromEntries(companies.map(({ co, digest }) => [String(co.id), digest])) } satisfies Checkpoint, hasMore: false };
      }
      const digests = { ...parsed.data.digests };
      const records: TriggerRecord[] = [];
      for (const { co, digest } of companies) {
        if (digests[String(co.id)] === digest) continue;
        digests[String(co.id)] = digest;
        records.push({ key: `commerce:company:${co.id}`, version: digest, label: `Company ${co.name ?? co.id}`, data: { companyId: co.id } });
      }
      return { records, checkpoint: { v: 1, settings, digests } satisfies Checkpoint, hasMore: false };
    },
  },
  async run(ctx, i, c) {
    const found = await ctx.client.getCompany(i.companyId);
    if (!found) throw new PermanentError(`Commerce has no company ${i.companyId}`, { system: "commerce", code: "not_found" });
    return { ...found, version: companyDigest(found, c.watchFields) };
  },
});
