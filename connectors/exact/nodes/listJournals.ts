/** List journals, for the journal picker of the journal entry node. */
import { z } from "zod";
import { Journal } from "../schemas";
import { exactNode } from "./_factory";

export const listJournals = exactNode({
  type: "exact.listJournals",
  version: 1,
  title: "List journals",
  description: "All journals of the division (code, description, type: 20 sales, 22 purchase, 90 general; VAT allowed).",
  category: "connector",
  config: z.object({
    type: z.number().int().optional().describe("Only journals of this type (90 = general journal)"),
    includeBlocked: z.boolean().default(false).describe("Also list blocked journals"),
  }),
  input: z.object({}).default({}),
  output: z.object({ items: z.array(Journal.schema) }),
  effect: { kind: "read" },
  run: async (ctx, _input, config) => {
    const all = await ctx.client.listJournals();
    return { items: all.filter((j) => (config.includeBlocked || !j.IsBlocked) && (config.type === undefined || j.Type === config.type)) };
  },
});
