/** List the chart of accounts (GL accounts), for mapping tables and pickers. */
import { z } from "zod";
import { GLAccount } from "../schemas";
import { exactNode } from "./_factory";

export const listGlAccounts = exactNode({
  type: "exact.listGlAccounts",
  version: 1,
  title: "List GL accounts",
  description: "All general ledger accounts of the division (code, description, balance side/type, VAT code, blocked).",
  category: "connector",
  config: z.object({
    includeBlocked: z.boolean().default(false).describe("Also list blocked accounts"),
    balanceType: z.enum(["any", "B", "W"]).default("any").describe("B = balance sheet, W = profit and loss"),
  }),
  input: z.object({}).default({}),
  output: z.object({ items: z.array(GLAccount.schema) }),
  effect: { kind: "read" },
  run: async (ctx, _input, config) => {
    const all = await ctx.client.listGLAccounts();
    return {
      items: all.filter((a) => (config.includeBlocked || !a.IsBlocked) && (config.balanceType === "any" || a.BalanceType === config.balanceType)),
    };
  },
});
