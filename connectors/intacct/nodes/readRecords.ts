/**
 * Read records by key (RECORDNO), with their lines for transactions.
 * https://developer.intacct.com/web-services/functions/#read
 */
import { z } from "zod";
import { record } from "../schemas";
import { node } from "./factory";

const config = z.object({
  object: z.string().min(1).regex(/^[A-Za-z_][A-Za-z0-9_]*$/).describe("Intacct object, e.g. ARINVOICE, VENDOR."),
  fields: z.array(z.string().min(1)).default([]).describe("Fields to return; empty for all fields."),
  docparid: z.string().optional().describe("Transaction definition for document objects."),
});

const input = z.object({
  keys: z.array(z.union([z.string().min(1), z.number().int()])).min(1).max(1000).describe("RECORDNO values to read."),
});

const output = z.object({
  object: z.string(),
  records: z.array(record),
  missing: z.array(z.string()).describe("Keys that returned no record."),
});

export const readRecords = node({
  type: "intacct.readRecords",
  version: 1,
  title: "Read records by key",
  description: "Read Intacct records by RECORDNO (100 keys per function, one request).",
  category: "connector",
  config,
  input,
  output,
  effect: { kind: "read" },
  async run(ctx, i, c) {
    const object = c.object.toUpperCase();
    const keys = i.keys.map(String);
    const records = await ctx.client.read(object, keys, { fields: c.fields, docparid: c.docparid });
    const found = new Set(records.map((r) => String(r.RECORDNO ?? "")));
    return { object, records, missing: c.fields.length === 0 || c.fields.includes("RECORDNO") ? keys.filter((k) => !found.has(k)) : [] };
  },
});
