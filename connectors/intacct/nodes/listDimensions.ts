/**
 * List dimensions and GL accounts (DEPARTMENT, LOCATION, CLASS, PROJECT, GLACCOUNT) and the
 * company's user-defined dimensions (UDDs) with their values, for mapping tables and pickers: one
 * readByQuery per object plus getDimensions, all in one request, then readMore; the UDDs' values
 * (readByQuery on each UDD object, ID and NAME) in a second request.
 * https://developer.intacct.com/api/company-console/departments/ (and the other object pages)
 * https://developer.intacct.com/api/platform-services/dimensions/#list-dimensions (getDimensions)
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

/** A user-defined dimension of the company: its object, label and the line field that carries it. */
const userDimension = z.object({
  objectName: z.string().describe("Integration name (CHANNEL): the key in a line's customDimensions."),
  label: z.string(),
  field: z.string().describe("Line field in the gateway, GLDIM<NAME>."),
  values: z.array(dimensionEntry),
});
export type UserDimension = z.output<typeof userDimension>;

/** Field names of a UDD's value records. ASSUMED: ID and NAME (a platform object's record). */
const UDD_FIELDS = { id: "ID", name: "NAME" } as const;

const getDimensionsFn = { name: "getDimensions", body: {} };

/** The UDDs in a getDimensions answer (`<dimensions><dimension>…`, userDefinedDimension true). */
function userDimensionsFrom(records: Record<string, unknown>[]): Array<{ objectName: string; label: string }> {
  const dims = records.flatMap((r) => ("dimension" in r ? [r.dimension].flat() : [r]));
  return dims
    .map((d) => d as Record<string, unknown>)
    .filter((d) => text(d.userDefinedDimension) === "true")
    .map((d) => ({ objectName: text(d.objectName).toUpperCase(), label: text(d.termLabel) || text(d.objectLabel) || text(d.objectName) }));
}

/** The company's user-defined dimensions (getDimensions), without their values. */
export async function listUserDimensions(client: IntacctClient): Promise<Array<{ objectName: string; label: string }>> {
  const r = await client.transport.one(getDimensionsFn, { label: "getDimensions" });
  return userDimensionsFrom(r.data?.records ?? []);
}

/** readByQuery of every value of each object; `meta` gives its id and name fields. */
function readValuesFn(object: string, meta: { id: string; name: string }, activeOnly: boolean, parent: boolean) {
  const fields = ["RECORDNO", meta.id, meta.name, "STATUS", ...(parent ? ["PARENTID"] : [])];
  return { name: "readByQuery", body: { object, fields: fields.join(","), query: activeOnly ? "STATUS = 'active'" : "", pagesize: 1000 } };
}

/** readByQuery of a standard dimension or list; the hierarchical ones also give PARENTID. */
function standardValuesFn(object: DimensionObject, activeOnly: boolean) {
  return readValuesFn(object, DIMENSION_OBJECTS[object], activeOnly, !["GLACCOUNT", "VENDOR", "CUSTOMER", "ITEM", "GLJOURNAL"].includes(object));
}

/** All entries of several dimension objects: the first pages share one request. */
export async function listDimensionValues(
  client: IntacctClient,
  objects: DimensionObject[],
  activeOnly: boolean,
): Promise<Record<string, DimensionEntry[]>> {
  const fns = objects.map((o) => standardValuesFn(o, activeOnly));
  const results = await client.batch(fns, { label: `readByQuery ${objects.join(", ")}` });
  return collectValues(client, objects, results, (o) => DIMENSION_OBJECTS[o as DimensionObject]);
}

/** Values of user-defined dimensions, by object name (CHANNEL): one request for all of them. */
export async function listUserDimensionValues(client: IntacctClient, objectNames: string[], activeOnly: boolean): Promise<Record<string, DimensionEntry[]>> {
  if (objectNames.length === 0) return {};
  const results = await client.batch(
    objectNames.map((o) => readValuesFn(o, UDD_FIELDS, activeOnly, false)),
    { label: `readByQuery ${objectNames.join(", ")}` },
  );
  return collectValues(client, objectNames, results, () => UDD_FIELDS);
}

async function collectValues(
  client: IntacctClient,
  objects: string[],
  results: Awaited<ReturnType<IntacctClient["batch"]>>,
  metaOf: (object: string) => { id: string; name: string },
): Promise<Record<string, DimensionEntry[]>> {
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
    const meta = metaOf(object);
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
  userDefined: z.boolean().default(true).describe("Also list the company's user-defined dimensions (getDimensions) with their values."),
});

const input = z.object({}).describe("No input: the lists come from the configuration.");

const output = z.object({
  dimensions: z.record(z.string(), z.array(dimensionEntry)).describe("Entries per object, e.g. dimensions.DEPARTMENT[0].id."),
  userDimensions: z.array(userDimension).describe("The company's user-defined dimensions with their values, e.g. userDimensions[0].objectName = CHANNEL."),
});

export const listDimensions = node({
  type: "intacct.listDimensions",
  version: 1,
  title: "List dimensions and GL accounts",
  description: "Read departments, locations, classes, projects, GL accounts and the company's user-defined dimensions for mapping tables.",
  category: "connector",
  config,
  input,
  output,
  effect: { kind: "read" },
  async run(ctx, _i, c) {
    if (!c.userDefined) return { dimensions: await listDimensionValues(ctx.client, [...new Set(c.objects)], c.activeOnly), userDimensions: [] };
    // getDimensions rides in the first request with the standard lists; UDD values need its answer.
    const objects = [...new Set(c.objects)];
    const results = await ctx.client.batch([...objects.map((o) => standardValuesFn(o, c.activeOnly)), getDimensionsFn], {
      label: `readByQuery ${objects.join(", ")}, getDimensions`,
    });
    const udd = results[objects.length];
    if (udd.status !== "success") throw udd.error ?? new PermanentError("getDimensions failed", { system: SYSTEM });
    const dimensions = await collectValues(ctx.client, objects, results.slice(0, objects.length), (o) => DIMENSION_OBJECTS[o as DimensionObject]);
    const udds = userDimensionsFrom(udd.data?.records ?? []);
    const values = await listUserDimensionValues(ctx.client, udds.map((d) => d.objectName), c.activeOnly);
    return {
      dimensions,
      userDimensions: udds.map((d) => ({ ...d, field: `GLDIM${d.objectName}`, values: values[d.objectName] ?? [] })),
    };
  },
});
