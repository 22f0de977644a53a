/**
 * Query records of any object with the `query` function (filters, ordering, offset paging), or
 * with a legacy readByQuery string (readMore paging).
 * https://developer.intacct.com/web-services/queries/
 */
import { z } from "zod";
import type { QueryFilter } from "../client";
import { FILTER_OPERATORS } from "../query-language";
import { record } from "../schemas";
import { node } from "./factory";

const config = z.object({
  object: z.string().min(1).regex(/^[A-Za-z_][A-Za-z0-9_]*$/).describe("Intacct object, e.g. CUSTOMER, APBILL, SODOCUMENT."),
  fields: z.array(z.string().min(1)).min(1).default(["RECORDNO"]).describe("Fields to return (query has no '*')."),
  docparid: z.string().optional().describe("Transaction definition for document objects, e.g. Sales Invoice."),
  pageSize: z.number().int().min(1).max(2000).default(1000).describe("Records per request (query: 1-2000)."),
  maxRecords: z.number().int().min(1).max(100_000).default(10_000).describe("Stop after this many records."),
  caseInsensitive: z.boolean().default(false).describe("Case-insensitive string comparisons."),
});

const filter = z.object({
  field: z.string().min(1).describe("Field name, e.g. STATUS or WHENMODIFIED."),
  operator: z.enum(FILTER_OPERATORS).describe("Comparison operator of the query function."),
  value: z.union([z.string(), z.number()]).optional().describe("Value for single-value operators."),
  values: z.array(z.union([z.string(), z.number()])).optional().describe("Values for in / notin / between."),
});

const input = z.object({
  filters: z.array(filter).default([]).describe("Conditions; combined with AND unless match is 'any'."),
  match: z.enum(["all", "any"]).default("all").describe("all = AND, any = OR."),
  orderBy: z
    .array(z.object({ field: z.string().min(1), descending: z.boolean().default(false) }))
    .default([])
    .describe("Sort order."),
  legacyQuery: z
    .string()
    .optional()
    .describe("A readByQuery string (e.g. STATUS = 'active' AND NAME like 'A%'); when set, filters and orderBy are ignored."),
});

const output = z.object({
  object: z.string(),
  count: z.number().int(),
  truncated: z.boolean().describe("True when maxRecords stopped the read early."),
  records: z.array(record),
});

export const queryRecords = node({
  type: "intacct.queryRecords",
  version: 1,
  title: "Query records",
  description: "Read records of any Intacct object matching filters, across all pages.",
  category: "connector",
  config,
  input,
  output,
  effect: { kind: "read" },
  async run(ctx, i, c) {
    const object = c.object.toUpperCase();
    if (i.legacyQuery !== undefined) {
      const records = await ctx.client.readByQuery(object, i.legacyQuery, {
        fields: c.fields,
        pageSize: Math.min(1000, c.pageSize),
        docparid: c.docparid,
        maxRecords: c.maxRecords + 1,
      });
      const truncated = records.length > c.maxRecords;
      const kept = records.slice(0, c.maxRecords);
      return { object, count: kept.length, truncated, records: kept };
    }
    const parts: QueryFilter[] = i.filters.map((f) => ({ field: f.field, operator: f.operator, value: f.value, values: f.values }));
    const filterTree: QueryFilter | undefined =
      parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : i.match === "all" ? { and: parts } : { or: parts };
    const { records, more } = await ctx.client.queryAll(
      {
        object,
        select: c.fields,
        filter: filterTree,
        orderBy: i.orderBy,
        docparid: c.docparid,
        caseInsensitive: c.caseInsensitive,
        pageSize: c.pageSize,
      },
      c.maxRecords,
    );
    return { object, count: records.length, truncated: more, records };
  },
});
