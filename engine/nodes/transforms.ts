/**
 * Built-in transform and control nodes: map fields, lookup, filter, branch.
 */
import { z } from "zod";
import { DEFAULT_ROW_KEY, NeedsReviewError, nodeFactory, PermanentError } from "../../connectors/sdk";
import { evaluate, evaluateAll, jsonataExpression, plainObject, safePath, setPath } from "./expressions";

const core = nodeFactory<undefined>("core");

const record = z.record(z.string(), z.unknown());

export const mapFields = core({
  type: "core.mapFields",
  version: 1,
  title: "Map fields",
  description:
    "Build the next node's data: one JSONata expression per target field ($ is the input, $trigger the source record, $nodes.<id> any earlier node, $mapping(table, key) a mapping row).",
  category: "transform",
  icon: "shuffle",
  config: z.object({
    fields: z
      .array(
        z.object({
          target: safePath(
            z
              .string()
              .min(1)
              .regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, "use a field name or a dot path such as address.city"),
          ).describe("Target field (dot path)"),
          expression: jsonataExpression("Value expression"),
        }),
      )
      .min(1, "map at least one field")
      .describe("Fields to produce"),
    keepInput: z.boolean().default(false).describe("Start from the input and overwrite the mapped fields"),
  }),
  input: z.unknown(),
  output: record,
  effect: { kind: "read" },
  run: async (ctx, input, config) => {
    // Every field in one trip to the expression threads; the output has no prototype to reach.
    const values = await evaluateAll(
      config.fields.map((field) => ({ expression: field.expression, input, what: `field "${field.target}"` })),
      ctx,
    );
    const output: Record<string, unknown> =
      config.keepInput && input && typeof input === "object" && !Array.isArray(input) ? Object.assign(Object.create(null), structuredClone(input)) : Object.create(null);
    config.fields.forEach((field, i) => {
      if (values[i] !== undefined) setPath(output, field.target, values[i]);
    });
    return plainObject(output);
  },
});

export const lookup = core({
  type: "core.lookup",
  version: 1,
  title: "Lookup (dimension / GL account)",
  description:
    "Find a row of a mapping table by key (a department, a tax GL account, a cost center...). A value with no row uses the table's default row (key *) or the node's default values, and the run log says so; without either it parks the run for review, naming the value.",
  category: "transform",
  icon: "table",
  config: z.object({
    tableId: z.string().uuid().describe("Mapping table").meta({ picker: "lookupTables" }),
    key: jsonataExpression("Expression giving the key to look up (for each item when Items is set)"),
    items: z
      .string()
      .optional()
      .describe("Optional expression selecting a list: each item is looked up and gets the row's columns merged in")
      .meta({ format: "jsonata" }),
    target: safePath(z.string().regex(/^[A-Za-z_$][\w$]*$/, "a plain field name"))
      .default("lookup")
      .describe("Field of the output that receives the row (or the list of items)"),
    defaultValues: z
      .record(z.string(), z.string())
      .optional()
      .describe("Columns to use when no row matches and the table has no default row (*); logged when used. Without either, a miss needs review"),
  }),
  input: z.unknown(),
  output: record,
  effect: { kind: "read" },
  run: async (ctx, input, config) => {
    const base: Record<string, unknown> = input && typeof input === "object" ? { ...(input as Record<string, unknown>) } : { value: input };
    // A table may declare an explicit default row (key "*"); using it, or the node's default
    // values, is never silent: the run log names each key that took a default (once per key).
    const defaulted = new Map<string, { source: string; values: Record<string, string> }>();
    let fallback: Promise<Awaited<ReturnType<typeof ctx.lookup>>> | undefined;
    const resolve = async (key: unknown, missing: string[]) => {
      if (key === undefined || key === null || key === "") {
        missing.push("(empty key)");
        return undefined;
      }
      const row = await ctx.lookup(config.tableId, String(key));
      if (row) return { key: row.key, ...row.values };
      const star = await (fallback ??= ctx.lookup(config.tableId, DEFAULT_ROW_KEY));
      if (star) {
        defaulted.set(String(key), { source: `the mapping table's default row (${DEFAULT_ROW_KEY})`, values: star.values });
        return { key: String(key), defaultRow: true, ...star.values };
      }
      if (config.defaultValues) {
        defaulted.set(String(key), { source: "the node's default values", values: config.defaultValues });
        return { key: String(key), defaultRow: true, ...config.defaultValues };
      }
      missing.push(String(key));
      return undefined;
    };
    const missing: string[] = [];
    if (config.items) {
      const items = await evaluate(config.items, input, ctx, "lookup items");
      if (items !== undefined && !Array.isArray(items) && typeof items !== "object") {
        throw new PermanentError(`lookup items expression must give a list, got ${typeof items}`);
      }
      const list = items === undefined ? [] : Array.isArray(items) ? items : [items];
      // Every item's key in one trip to the expression threads.
      const keys = await evaluateAll(list.map((item) => ({ expression: config.key, input: item, what: "lookup key" })), ctx);
      const out = [];
      for (const [i, item] of list.entries()) {
        const values = await resolve(keys[i], missing);
        out.push({ ...(item && typeof item === "object" ? (item as Record<string, unknown>) : { value: item }), ...values });
      }
      base[config.target] = out;
    } else {
      base[config.target] = await resolve(await evaluate(config.key, input, ctx, "lookup key"), missing);
    }
    for (const [key, { source, values }] of defaulted) ctx.log.info(`No row for "${key}": using ${source}`, { key, values });
    if (missing.length > 0) {
      const unique = [...new Set(missing)];
      throw new NeedsReviewError(`No mapping for ${unique.map((v) => `"${v}"`).join(", ")} in the mapping table`, {
        reasonCode: "lookup_miss",
        details: { tableId: config.tableId, missing: unique },
      });
    }
    return base;
  },
});

export const filter = core({
  type: "core.filter",
  version: 1,
  title: "Filter",
  description: "Continue only when the condition is true; otherwise the run ends as skipped.",
  category: "control",
  icon: "filter",
  config: z.object({ condition: jsonataExpression("Condition, e.g. status = 'posted' and total > 0") }),
  input: z.unknown(),
  output: z.unknown(),
  effect: { kind: "read" },
  run: async (ctx, input, config) => {
    const result = await evaluate(config.condition, input, ctx, "filter condition");
    if (!result) {
      ctx.log.info("Condition is false: the record is skipped");
      ctx.route(null);
    }
    return input;
  },
});

export const branch = core({
  type: "core.branch",
  version: 1,
  title: "Branch (if / else)",
  description: "Send the record down the 'true' or the 'false' path.",
  category: "control",
  icon: "split",
  outputs: ["true", "false"],
  config: z.object({ condition: jsonataExpression("Condition, e.g. country = 'US'") }),
  input: z.unknown(),
  output: z.unknown(),
  effect: { kind: "read" },
  run: async (ctx, input, config) => {
    const result = await evaluate(config.condition, input, ctx, "branch condition");
    ctx.route(result ? "true" : "false");
    return input;
  },
});
