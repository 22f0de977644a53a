/**
 * Check item-to-tax-code rows against the tax codes Avalara knows: the system tax codes
 * (ListTaxCodes) and the company's own (QueryTaxCodes under the company). A row whose code is
 * neither is flagged with its key and code; by config the run parks for review naming them, or
 * continues with the list.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Definitions/ListTaxCodes/
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/CompanyTaxCodes/QueryTaxCodes/
 */
import { z } from "zod";
import { NeedsReviewError, PermanentError } from "../../sdk";
import type { AvalaraClient } from "../client";
import { wireFetchResult } from "../schemas";
import { SYSTEM } from "../transport";
import { companyIdOf } from "./customer-record";
import { node } from "./shared";

/**
 * The company's own tax codes, every page.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/CompanyTaxCodes/QueryTaxCodes/
 */
export async function companyTaxCodes(client: AvalaraClient, companyId: number): Promise<Array<{ taxCode: string; description: string }>> {
  const out: Array<{ taxCode: string; description: string }> = [];
  for (let page = 0; page < 50; page++) {
    const body = await client.transport.call<unknown>({ method: "GET", path: `/api/v2/companies/${companyId}/taxcodes`, query: { $top: "1000", $skip: String(page * 1000) }, label: "QueryTaxCodes" });
    const parsed = wireFetchResult(z.looseObject({ taxCode: z.string(), description: z.string().nullish().transform((v) => v ?? "") })).safeParse(body);
    if (!parsed.success) throw new PermanentError(`Avalara QueryTaxCodes: unexpected response shape: ${z.prettifyError(parsed.error)}`, { system: SYSTEM });
    out.push(...parsed.data.value);
    if (parsed.data.value.length < 1000) break;
  }
  return out;
}

/** System and company tax codes, upper-cased (AvaTax matches tax codes without case). */
export async function knownTaxCodes(client: AvalaraClient, companyCode: string): Promise<Set<string>> {
  const [system, own] = await Promise.all([client.listTaxCodes(), companyIdOf(client, companyCode).then((id) => companyTaxCodes(client, id))]);
  return new Set([...system, ...own].map((t) => t.taxCode.toUpperCase()));
}

const row = z.object({ key: z.string().min(1).describe("The row's key (an item ID)."), taxCode: z.string().describe("The tax code the row maps it to.") });

export const checkTaxCodes = node({
  type: "avalara.checkTaxCodes",
  version: 1,
  title: "Check tax codes (Avalara)",
  description: "Flag item-to-tax-code rows whose tax code Avalara does not know (neither a system code nor one of the company's own), naming the row and the code.",
  category: "connector",
  icon: "list-checks",
  config: z.object({
    companyCode: z.string().min(1).max(50).default("DEFAULT").describe("AvaTax company whose own tax codes count as known.").meta({ picker: "companies" }),
    whenUnknown: z.enum(["review", "report"]).default("review").describe("review: park the run naming the rows; report: continue with the list."),
  }),
  input: z.object({ rows: z.array(row).max(10_000) }),
  output: z.object({ checked: z.number().int(), unknown: z.array(row) }),
  effect: { kind: "read" },
  async run(ctx, i, c) {
    const known = await knownTaxCodes(ctx.client, c.companyCode);
    const unknown = i.rows.filter((r) => r.taxCode.trim() && !known.has(r.taxCode.trim().toUpperCase()));
    if (unknown.length && c.whenUnknown === "review") {
      throw new NeedsReviewError(`Avalara does not know ${unknown.length === 1 ? "this tax code" : "these tax codes"}: ${unknown.map((u) => `${u.key} -> ${u.taxCode}`).join(", ")}`, {
        system: SYSTEM,
        reasonCode: "unknown_tax_code",
        details: { unknown },
      });
    }
    for (const u of unknown) ctx.log.warn(`Avalara does not know tax code ${u.taxCode} (row ${u.key})`);
    return { checked: i.rows.length, unknown };
  },
});
