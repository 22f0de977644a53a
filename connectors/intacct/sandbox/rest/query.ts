/**
 * The sandbox's query service, `POST /ia/api/v1/services/core/query` (intacct-rest.md 2.3):
 * `object`, `fields` (no `*`), `filters` (`{"$eq": {"status": "active"}}`...), `filterExpression`
 * ("1 and 2", "(1 and 2) or 3"; all filters and-ed without one), `filterParameters` (nested:
 * caseSensitiveComparison, includePrivate, asOfDate), `orderBy` ([{field: "asc"|"desc"}]),
 * `start` (1-based) and `size` (default 100, at most 4000). Records are evaluated in their REST
 * shape, so dot paths (`vendor.id`, `glJournal.id`) reach referenced objects.
 *
 * ASSUMED: comparisons are case-sensitive unless `caseSensitiveComparison` is false.
 */
import { z } from "zod";
import { BY_PATH, getPath, recordToRest, type RestObject } from "../../rest/objects";
import type { Company, Rec } from "../store";
import { invalidRequest, type RestError } from "./errors";

export const OPERATORS = [
  "$eq", "$ne", "$lt", "$lte", "$gt", "$gte", "$in", "$notIn", "$between", "$notBetween",
  "$contains", "$notContains", "$startsWith", "$notStartsWith", "$endsWith", "$notEndsWith",
] as const;
type Operator = (typeof OPERATORS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const filter = z
  .record(z.string(), z.record(z.string(), z.union([scalar, z.array(scalar)])))
  .refine((f) => Object.keys(f).length === 1 && OPERATORS.includes(Object.keys(f)[0] as Operator), {
    message: `each filter is one operator (${OPERATORS.join(", ")}) with one field`,
  })
  .refine((f) => Object.keys(Object.values(f)[0] ?? {}).length === 1, { message: "each filter names one field" });

export const queryBody = z
  .object({
    object: z.string().min(1),
    fields: z.array(z.string().min(1)).min(1),
    filters: z.array(filter).optional(),
    filterExpression: z.string().optional(),
    filterParameters: z
      .object({ caseSensitiveComparison: z.boolean().optional(), includePrivate: z.boolean().optional(), asOfDate: z.string().optional() })
      .strict()
      .optional(),
    orderBy: z.array(z.record(z.string(), z.enum(["asc", "desc"]))).optional(),
    start: z.number().int().min(1).optional(),
    size: z.number().int().min(1).max(4000).optional(),
  })
  .strict();

export type QueryBody = z.output<typeof queryBody>;

function zodDetails(error: z.ZodError) {
  return error.issues.map((i) => {
    const target = `/${i.path.join("/")}`;
    return { code: "invalidRequest", errorId: "REST-1043", target, message: i.code === "unrecognized_keys" ? `${i.keys.map((k) => `${target === "/" ? "" : target}/${k}`).join(", ")} is not a valid field` : `${target}: ${i.message}` };
  });
}

function compare(a: string, b: string, cs: boolean): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== "" && b.trim() !== "" && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const x = cs ? a : a.toLowerCase();
  const y = cs ? b : b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function test(op: Operator, value: unknown, arg: unknown, cs: boolean): boolean {
  const v = value === undefined || value === null ? "" : String(value);
  const list = Array.isArray(arg) ? arg.map((x) => (x === null ? "" : String(x))) : [arg === null ? "" : String(arg)];
  const a = list[0] ?? "";
  const norm = (s: string) => (cs ? s : s.toLowerCase());
  switch (op) {
    case "$eq": return arg === null ? v === "" : compare(v, a, cs) === 0 && (v !== "" || a === "");
    case "$ne": return arg === null ? v !== "" : compare(v, a, cs) !== 0;
    case "$lt": return v !== "" && compare(v, a, cs) < 0;
    case "$lte": return v !== "" && compare(v, a, cs) <= 0;
    case "$gt": return v !== "" && compare(v, a, cs) > 0;
    case "$gte": return v !== "" && compare(v, a, cs) >= 0;
    case "$in": return list.some((x) => compare(v, x, cs) === 0);
    case "$notIn": return !list.some((x) => compare(v, x, cs) === 0);
    case "$between": return v !== "" && compare(v, list[0] ?? "", cs) >= 0 && compare(v, list[1] ?? "", cs) <= 0;
    case "$notBetween": return !(v !== "" && compare(v, list[0] ?? "", cs) >= 0 && compare(v, list[1] ?? "", cs) <= 0);
    case "$contains": return norm(v).includes(norm(a));
    case "$notContains": return !norm(v).includes(norm(a));
    case "$startsWith": return norm(v).startsWith(norm(a));
    case "$notStartsWith": return !norm(v).startsWith(norm(a));
    case "$endsWith": return norm(v).endsWith(norm(a));
    case "$notEndsWith": return !norm(v).endsWith(norm(a));
  }
}

/** "(1 and 2) or 3" over the filters' results; throws a message on a malformed expression. */
export function evaluateExpression(expression: string, results: boolean[]): boolean {
  const tokens = expression.match(/\(|\)|\d+|and|or|\S+/gi) ?? [];
  let i = 0;
  const primary = (): boolean => {
    const t = tokens[i++];
    if (t === "(") {
      const v = or();
      if (tokens[i++] !== ")") throw new Error("a parenthesis is not closed");
      return v;
    }
    if (t && /^\d+$/.test(t)) {
      const n = Number(t);
      if (n < 1 || n > results.length) throw new Error(`filter ${n} does not exist (there are ${results.length})`);
      return results[n - 1]!;
    }
    throw new Error(`unexpected '${t ?? "end of expression"}'`);
  };
  const and = (): boolean => {
    let v = primary();
    while (tokens[i]?.toLowerCase() === "and") {
      i++;
      const r = primary();
      v = v && r;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[i]?.toLowerCase() === "or") {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  const v = or();
  if (i < tokens.length) throw new Error(`unexpected '${tokens[i]}'`);
  return v;
}

export interface QueryOutcome {
  status: number;
  body: Rec;
}

export function runQuery(company: Company, raw: unknown): QueryOutcome | RestError {
  const parsed = queryBody.safeParse(raw);
  if (!parsed.success) return invalidRequest("Payload contains errors", zodDetails(parsed.error));
  const q = parsed.data;
  const obj: RestObject | undefined = BY_PATH.get(q.object);
  if (!obj) return invalidRequest(`Object '${q.object}' is not valid for the query service`, [{ code: "invalidRequest", errorId: "REST-1043", target: "/object", message: `${q.object} is not a valid object` }]);
  const known = new Set(obj.fields.map((m) => m.rest));
  const filters = q.filters ?? [];
  const named = [...q.fields, ...filters.map((f) => Object.keys(Object.values(f)[0]!)[0]!), ...(q.orderBy ?? []).map((o) => Object.keys(o)[0]!)];
  const unknown = named.filter((n) => !known.has(n));
  if (q.fields.includes("*")) return invalidRequest("fields cannot be *; name each field", [{ code: "invalidRequest", errorId: "REST-1043", target: "/fields", message: "* is not a valid field" }]);
  if (unknown.length) {
    return invalidRequest("Payload contains errors", [...new Set(unknown)].map((n) => ({ code: "invalidRequest", errorId: "REST-1043", target: `/fields`, message: `${n} is not a valid field of ${obj.path}` })));
  }
  const cs = q.filterParameters?.caseSensitiveComparison !== false;
  const all = (company.records[obj.xml] ?? []).map((r) => recordToRest(obj, r));
  let matched: Rec[];
  try {
    matched = all.filter((r) => {
      const results = filters.map((f) => {
        const [op, spec] = Object.entries(f)[0]!;
        const [field, arg] = Object.entries(spec)[0]!;
        return test(op as Operator, getPath(r, field), arg, cs);
      });
      if (!q.filterExpression) return results.every(Boolean);
      return evaluateExpression(q.filterExpression, results);
    });
  } catch (error) {
    return invalidRequest(`filterExpression is not valid: ${(error as Error).message}`, [{ code: "invalidRequest", errorId: "REST-1043", target: "/filterExpression", message: (error as Error).message }]);
  }
  for (const order of [...(q.orderBy ?? [])].reverse()) {
    const [field, dir] = Object.entries(order)[0]!;
    matched = [...matched].sort((a, b) => compare(String(getPath(a, field) ?? ""), String(getPath(b, field) ?? ""), cs) * (dir === "desc" ? -1 : 1));
  }
  const start = q.start ?? 1;
  const size = q.size ?? 100;
  const page = matched.slice(start - 1, start - 1 + size);
  const pick = (r: Rec) => {
    const out: Rec = {};
    for (const field of q.fields) {
      const v = getPath(r, field);
      // Answered flat, as the query service does: {"id": "V100", "vendor.id": "V100"}.
      out[field] = v ?? null;
    }
    return out;
  };
  return {
    status: 200,
    body: {
      "ia::result": page.map(pick),
      "ia::meta": {
        totalCount: matched.length,
        start,
        pageSize: size,
        next: start - 1 + size < matched.length ? start + size : null,
        previous: start > 1 ? Math.max(1, start - size) : null,
      },
    },
  };
}
