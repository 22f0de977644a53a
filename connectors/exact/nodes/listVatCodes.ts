/** List VAT codes, for mapping tables and pickers. */
import { z } from "zod";
import { VATCode } from "../schemas";
import { exactNode } from "./_factory";

export const listVatCodes = exactNode({
  type: "exact.listVatCodes",
  version: 1,
  title: "List VAT codes",
  description: "All VAT codes of the division (code, description, percentage, type, GL accounts to pay/claim).",
  category: "connector",
  config: z.object({ includeBlocked: z.boolean().default(false).describe("Also list blocked VAT codes") }),
  input: z.object({}).default({}),
  output: z.object({ items: z.array(VATCode.schema) }),
  effect: { kind: "read" },
  run: async (ctx, _input, config) => {
    const all = await ctx.client.listVatCodes();
    return { items: all.filter((v) => config.includeBlocked || !v.IsBlocked) };
  },
});
