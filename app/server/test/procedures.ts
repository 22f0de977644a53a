/**
 * Every procedure of the appRouter, read from the router itself (so a procedure added tomorrow is
 * in every list without anyone editing a test), and an input generator that builds a valid
 * input from a procedure's zod schema, taking ids from the caller.
 */
import type { z } from "zod";
import { appRouter } from "../root";
import type { Access } from "../trpc";

export interface ProcedureInfo {
  path: string;
  type: "query" | "mutation" | "subscription";
  access: Access | undefined;
  /** The zod input schema, when the procedure takes input. */
  input: z.ZodType | undefined;
}

interface ProcedureDef {
  type: "query" | "mutation" | "subscription";
  meta?: { access?: Access };
  inputs: z.ZodType[];
}

export function allProcedures(): ProcedureInfo[] {
  const record = (appRouter as unknown as { _def: { procedures: Record<string, { _def: ProcedureDef }> } })._def.procedures;
  return Object.entries(record)
    .map(([path, procedure]) => ({ path, type: procedure._def.type, access: procedure._def.meta?.access, input: procedure._def.inputs[0] }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Chooses the value of an id field (`flowId`, `ids`, `id`...) for a procedure; undefined when unknown. */
export type IdPicker = (field: string, path: string) => string | undefined;

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
  values?: unknown[];
  checks?: { _zod: { def: { check: string; format?: string; minimum?: number; maximum?: number } } }[];
  format?: string;
  in?: z.ZodType;
  defaultValue?: unknown;
  valueType?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

function isUuid(def: Def): boolean {
  return def.format === "uuid" || Boolean(def.checks?.some((c) => c._zod.def.format === "uuid"));
}

function check(def: Def, name: string): number | undefined {
  const found = def.checks?.find((c) => c._zod.def.check === name)?._zod.def;
  return name === "min_length" || name === "greater_than" ? found?.minimum : found?.maximum;
}

/**
 * A value that passes `schema`: required fields only, ids from `pickId` (a missing id makes the
 * generator throw, so a procedure with an id field nobody knows fails loudly).
 */
export function sampleInput(schema: z.ZodType | undefined, path: string, pickId: IdPicker, known: Record<string, Record<string, unknown>> = {}): unknown {
  if (!schema) return undefined;
  const value = sample(schema, "", path, pickId, true);
  return known[path] && value && typeof value === "object" ? { ...value, ...known[path] } : value;
}

function sample(schema: z.ZodType, field: string, path: string, pickId: IdPicker, required: boolean): unknown {
  const def = defOf(schema);
  switch (def.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(def.shape ?? {})) {
        const childDef = defOf(child);
        // Ids are given even when optional: they are what isolation is about.
        if ((childDef.type === "optional" || childDef.type === "default") && !mentionsId(key)) continue;
        const value = sample(child, key, path, pickId, false);
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
    case "optional":
    case "nullable":
      return mentionsId(field) ? sample(def.innerType!, field, path, pickId, required) : undefined;
    case "default":
      return mentionsId(field) ? sample(def.innerType!, field, path, pickId, required) : def.defaultValue;
    case "pipe":
      return sample(def.in!, field, path, pickId, required);
    case "string": {
      if (isUuid(def) || mentionsId(field)) {
        const id = pickId(field, path);
        if (id === undefined && isUuid(def)) throw new Error(`${path}: no id to give for "${field}"`);
        if (id !== undefined) return id;
      }
      const min = check(def, "min_length") ?? 1;
      return "sample".padEnd(min, "x").slice(0, Math.max(min, Math.min(6, check(def, "max_length") ?? 6)));
    }
    case "number":
    case "int":
      return check(def, "greater_than") ?? 1;
    case "boolean":
      return false;
    case "date":
      return new Date();
    case "enum":
      return Object.values(def.entries ?? {})[0];
    case "literal":
      return def.values?.[0];
    case "array": {
      const min = check(def, "min_length") ?? 0;
      if (mentionsId(field)) {
        const id = pickId(field, path);
        if (id === undefined) throw new Error(`${path}: no id to give for "${field}"`);
        return [id];
      }
      return Array.from({ length: min }, () => sample(def.element!, field, path, pickId, true));
    }
    case "record":
      return {};
    case "union":
      return sample(def.options![0]!, field, path, pickId, required);
    case "unknown":
    case "any":
      return undefined;
    default:
      throw new Error(`${path}: cannot build a sample ${def.type} for "${field}"`);
  }
}

/** Field names that carry the id of something a workspace owns. */
export function mentionsId(field: string): boolean {
  return field === "id" || field === "ids" || /Ids?$/.test(field);
}
