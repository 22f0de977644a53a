/**
 * Summary posting: instead of one document per source record, one entry per group and window.
 *
 *   per-record flow:  trigger -> map -> Aggregate (deposits the record's lines into its window)
 *   posting flow:     Summary close (poll trigger: one run per group of each closed window)
 *                     -> map -> the system's normal journal node (Intacct GLBATCH, Exact journal)
 *
 * The posting run's record key is summary + window + group, and its journal reference is
 * `reference` (window + a hash of summary and group), so the close, a second tick or a replay of a
 * posting run posts nothing new (runs dedupe by record key, the ledger by the journal reference).
 * A replayed source record replaces its own lines while its window is open; once posted, the same
 * lines answer "unchanged", and changed lines or a record after the close wait in the review queue.
 * Each posting run's first node lists its source records with the runs that deposited them.
 */
import { z } from "zod";
import { nodeFactory } from "../../connectors/sdk";
import { closeWindows, deposit, groupKeyOf, normalizeLines, verifyGroup, windowOf } from "./aggregate-store";
import { evaluateAll, jsonataExpression } from "./expressions";

const core = nodeFactory<undefined>("core");

const summaryName = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9][\w.-]*$/, "letters, digits, '.', '-' and '_'")
  .describe("Summary name: the Aggregate nodes and the Summary close trigger that share it make one summary");

const scale = z.number().int().min(0).max(4).default(2).describe("Decimals of the amounts (2 for cents)");

export const aggregate = core({
  type: "core.aggregate",
  version: 1,
  title: "Aggregate (summary posting)",
  description:
    "Put this record's lines into its window (hour, day or month of its date) and group (e.g. channel and period) of a summary, exactly (decimal amounts, no floats). A Summary close trigger posts one entry per group when the window closes. A replayed record never adds twice.",
  category: "transform",
  icon: "sigma",
  config: z.object({
    summary: summaryName,
    groupBy: jsonataExpression('Group-by expression, e.g. channel, or {"channel": channel, "department": department}'),
    date: jsonataExpression("Expression giving the record's date (YYYY-MM-DD or ISO date-time, UTC)").default("date"),
    window: z.enum(["hour", "day", "month"]).default("day").describe("Window of the summary"),
    lines: jsonataExpression(
      'Lines of this record: [{"accountNo": "4000", "type": "credit", "amount": total}, ...]; lines with the same fields are summed',
    ),
    scale,
  }),
  input: z.unknown(),
  output: z.object({
    summary: z.string(),
    window: z.string(),
    groupKey: z.string(),
    recordKey: z.string(),
    status: z.enum(["added", "updated", "unchanged"]),
    lines: z.array(z.record(z.string(), z.string())),
  }),
  effect: { kind: "read" },
  run: async (ctx, input, config) => {
    const [group, date, lines] = await evaluateAll(
      [
        { expression: config.groupBy, input, what: "group-by" },
        { expression: config.date, input, what: "date" },
        { expression: config.lines, input, what: "lines" },
      ],
      ctx,
    );
    const window = windowOf(date, config.window);
    const groupKey = groupKeyOf(group);
    const normalized = normalizeLines(lines, config.scale);
    const result = await deposit(ctx, ctx, { summary: config.summary, window, groupKey, groupValue: group, lines: normalized.lines, minor: normalized.minor });
    const said = {
      added: `Added to summary "${config.summary}", window ${window.key}, group ${groupKey}`,
      updated: `Replaced this record's earlier lines in summary "${config.summary}", window ${window.key}, group ${groupKey}`,
      unchanged: `Already in summary "${config.summary}", window ${window.key}, group ${groupKey} with the same lines: nothing changes`,
    }[result.status];
    ctx.log.info(result.dryRun ? `Dry run (nothing stored): ${said}` : said, { recordKey: result.recordKey });
    return { summary: config.summary, window: window.key, groupKey, recordKey: result.recordKey, status: result.status, lines: normalized.lines as Record<string, string>[] };
  },
});

const summaryRecord = z.object({
  summary: z.string(),
  window: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  date: z.string(),
  groupKey: z.string(),
  group: z.unknown(),
  reference: z.string(),
  postingId: z.string(),
  lines: z.array(z.record(z.string(), z.string())),
  totalDebit: z.string(),
  totalCredit: z.string(),
  total: z.string(),
  count: z.number().int(),
  records: z.array(z.object({ recordKey: z.string(), runId: z.string(), flowId: z.string(), amount: z.string() })),
});

const closeCheckpoint = z.object({ emitted: z.array(z.string().uuid()) }).catch({ emitted: [] });

export const summaryClose = core({
  type: "core.summaryClose",
  version: 1,
  title: "Summary close",
  description:
    "On the flow's schedule, close the windows of a summary that have ended (plus the grace period) and start one run per group: its summed lines, totals, reference and source records, to post as one entry.",
  category: "trigger",
  icon: "sigma",
  config: z.object({
    summary: summaryName,
    graceMinutes: z.number().int().min(0).max(7 * 24 * 60).default(15).describe("Minutes after a window's end that late records are still taken"),
    scale,
  }),
  input: summaryRecord,
  output: summaryRecord,
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    poll: async (ctx, config, checkpoint) => {
      const { emitted } = closeCheckpoint.parse(checkpoint ?? {});
      const page = await closeWindows(ctx, { workspaceId: ctx.workspaceId, summary: config.summary, graceMinutes: config.graceMinutes, scale: config.scale, emitted });
      return {
        records: page.groups.map((g) => ({
          key: `summary:${g.summary}:${g.window}:${g.reference}`,
          version: "1",
          data: g,
          label: `${g.summary} ${g.window} ${g.groupKey.length > 60 ? `${g.groupKey.slice(0, 57)}…` : g.groupKey} (${g.count} records)`,
        })),
        checkpoint: { emitted: page.windowIds },
        hasMore: page.hasMore,
      };
    },
  },
  run: async (ctx, input, config) => {
    await verifyGroup(ctx, { workspaceId: ctx.workspaceId, summary: config.summary, window: input.window, groupKey: input.groupKey, records: input.records, scale: config.scale });
    ctx.log.info(`Summary "${input.summary}", window ${input.window}, group ${input.groupKey}: ${input.count} source records, total ${input.total}`, {
      records: input.records,
    });
    return input;
  },
});
