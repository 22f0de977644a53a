/**
 * List dimensions and GL accounts (DEPARTMENT, LOCATION, CLASS, PROJECT, GLACCOUNT) for
 * mapping tables and pickers: one readByQuery per object, all in one request, then readMore.
 * https://developer.intacct.com/api/company-console/departments/ (and the other object pages)
 */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import type { IntacctClient } from "../client";
import { SYSTEM } from "../errors";
import { text } from "../xml";
import { node } from "./factory";

export const DIMENSION_OBJECTS = {
  DEPARTMENT: { id: "DEPARTMENTID", name: "TITLE" },
  LOCATION: { id: "LOCATIONID", name: "NAME" },
  CLASS: { id: "CLASSID", name: "NAME" },
  PROJECT: { id: "PROJECTID", name: "NAME" },
  GLACCOUNT: { id: "ACCOUNTNO", name: "TITLE" },
  VENDOR: { id: "VENDORID", name: "NAME" },
  CUSTOMER: { id: "CUSTOMERID", name: "NAME" },
  ITEM: { id: "ITEMID", name: "NAME" },
  GLJOURNAL: { id: "SYMBOL", name: "TITLE" },
} as const;
export type DimensionObject = keyof typeof DIMENSION_OBJECTS;

const dimensionEntry = z.object({
  id: z.string(),
  name: z.string(),
  recordNo: z.string(),
  status: z.string(),
  parentId: z.string(),
});
export type DimensionEntry = z.output<typeof dimensionEntry>;

/** All entries of several dimension objects: the first pages share one request. */
export async function listDimensionValues(
  client: IntacctClient,
  objects: DimensionObject[],
  activeOnly: boolean,
): Promise<Record<string, DimensionEntry[]>> {
  const fns = objects.map((o) => {
    const meta = DIMENSION_OBJECTS[o];
    const fields = ["RECORDNO", meta.id, meta.name, "STATUS"];
    if (o !== "GLACCOUNT" && o !== "VENDOR" && o !== "CUSTOMER" && o !== "ITEM" && o !== "GLJOURNAL") fields.push("PARENTID");
    return {
      name: "readByQuery",
      body: { object: o, fields: fields.join(","), query: activeOnly ? "STATUS = 'active'" : "", pagesize: 1000 },
    };
  });
  const results = await client.batch(fns, { label: `readByQuery ${objects.join(", ")}` });
  const out: Record<string, DimensionEntry[]> = {};
  for (const [i, r] of results.entries()) {
    const object = objects[i];
    if (r.status !== "success") throw r.error ?? new PermanentError(`Listing ${object} failed`, { system: SYSTEM });
    const rows = [...(r.data?.records ?? [])];
    let remaining = Number(r.data?.attrs.numremaining ?? "0");
    const resultId = r.data?.attrs.resultId ?? "";
    while (remaining > 0 && resultId) {
      const page = await client.transport.one({ name: "readMore", body: { resultId } }, { label: `readMore ${object}` });
      const got = page.data?.records ?? [];
      rows.push(...got);
      remaining = Number(page.data?.attrs.numremaining ?? "0");
      if (got.length === 0) break;
    }
    const meta = DIMENSION_OBJECTS[object];
    out[object] = rows.map((row) => ({
      id: text(row[meta.id]),
      name: text(row[meta.name]),
      recordNo: text(row.RECORDNO),
      status: text(row.STATUS),
      parentId: text(row.PARENTID),
    }));
  }
  return out;
}

const objectEnum = z.enum(["DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "GLACCOUNT", "VENDOR", "CUSTOMER", "ITEM", "GLJOURNAL"]);

const config = z.object({
  objects: z
    .array(objectEnum)
    .min(1)
    .default(["DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "GLACCOUNT"])
    .describe("Which dimensions / lists to read."),
  activeOnly: z.boolean().default(true).describe("Only records whose STATUS is active."),
});

const input = z.object({}).describe("No input: the lists come from the configuration.");

const output = z.object({
  dimensions: z.record(z.string(), z.array(dimensionEntry)).describe("Entries per object, e.g. dimensions.DEPARTMENT[0].id."),
});

export const listDimensions = node({
  type: "intacct.listDimensions",
  version: 1,
  title: "List dimensions and GL accounts",
  description: "Read departments, locations, classes, projects and GL accounts for mapping tables.",
  category: "connector",
  config,
  input,
  output,
  effect: { kind: "read" },
  async run(ctx, _i, c) {
    return { dimensions: await listDimensionValues(ctx.client, [...new Set(c.objects)], c.activeOnly) };
  },
});
