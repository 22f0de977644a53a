/** List cost centers, for mapping tables and pickers. */
import { z } from "zod";
import { CostCenter } from "../schemas";
import { exactNode } from "./_factory";

export const listCostCenters = exactNode({
  type: "exact.listCostCenters",
  version: 1,
  title: "List cost centers",
  description: "All cost centers of the division (code, description, end date).",
  category: "connector",
  config: z.object({ includeEnded: z.boolean().default(false).describe("Also list cost centers whose end date has passed") }),
  input: z.object({}).default({}),
  output: z.object({ items: z.array(CostCenter.schema) }),
  effect: { kind: "read" },
  run: async (ctx, _input, config) => {
    const now = ctx.client.now();
    const all = await ctx.client.listCostCenters();
    return { items: all.filter((c) => config.includeEnded || !c.EndDate || Date.parse(c.EndDate) > now) };
  },
});
