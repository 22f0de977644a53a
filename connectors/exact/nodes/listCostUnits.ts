/** List cost units, for mapping tables and pickers. */
import { z } from "zod";
import { CostUnit } from "../schemas";
import { exactNode } from "./_factory";

export const listCostUnits = exactNode({
  type: "exact.listCostUnits",
  version: 1,
  title: "List cost units",
  description: "All cost units of the division (code, description, end date).",
  category: "connector",
  config: z.object({ includeEnded: z.boolean().default(false).describe("Also list cost units whose end date has passed") }),
  input: z.object({}).default({}),
  output: z.object({ items: z.array(CostUnit.schema) }),
  effect: { kind: "read" },
  run: async (ctx, _input, config) => {
    const now = ctx.client.now();
    const all = await ctx.client.listCostUnits();
    return { items: all.filter((c) => config.includeEnded || !c.EndDate || Date.parse(c.EndDate) > now) };
  },
});
