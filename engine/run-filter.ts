/**
 * The run filter shared by the runs list and bulk replay, including search by a field of the
 * trigger record.
 *
 * Glossary
 * - payload path: where a field sits in the record a run was started with (`runs.input`), written
 *   `customer.id`, `lines[0].sku`, `lines[*].sku` (any line) or `["ship-to"].zip` (a name that is
 *   not a plain identifier). At most 12 steps.
 * - payload value: what the field must equal, exactly. Typed as text, `42`, `true` or `null` also
 *   match the number, boolean or null, so a person need not know how the source system typed it.
 *
 * Why containment: `runs.input @> '{"customer":{"id":"C-1"}}'` is answered by the GIN index
 * `runs_input_path_ops` (jsonb_path_ops), whatever the path, without one index per field. An array
 * index (`lines[0]`) is containment in any element plus an exact check of that position on the few
 * rows the index found.
 */
import type postgres from "postgres";
import { escapeLike } from "./audit";
import { parsePayloadPath, type PayloadFilter, type PathStep } from "./payload-path";
import type { RunErrorKind, RunStatus } from "./status";

export { payloadFilterSchema, parsePayloadPath, type PayloadFilter } from "./payload-path";

export interface RunFilter {
  flowId?: string;
  status?: RunStatus[];
  triggerKind?: string;
  errorKind?: RunErrorKind;
  from?: Date;
  to?: Date;
  recordKey?: string;
  /** A field of the trigger record equals a value. */
  payload?: PayloadFilter;
}

/** The JSON values a typed value may stand for: "42" is also 42, "true" also true, "null" also null. */
export function candidateValues(value: PayloadFilter["value"]): unknown[] {
  if (typeof value !== "string") return [value];
  const trimmed = value.trim();
  if (trimmed === "true" || trimmed === "false" || trimmed === "null") return [value, JSON.parse(trimmed)];
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(trimmed) && Number.isFinite(Number(trimmed))) return [value, Number(trimmed)];
  return [value];
}

/** The document `input @>` must contain for the value to sit at the path (arrays: in any element). */
export function containmentFor(steps: PathStep[], value: unknown): unknown {
  let document: unknown = value;
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    document = typeof step === "number" || step === "*" ? [document] : { [step]: document };
  }
  return document;
}

type Sql = postgres.Sql<Record<string, unknown>> | postgres.TransactionSql<Record<string, unknown>>;

/** `input` matches the payload filter: containment (indexed), plus the exact position for `[n]` steps. */
export function payloadCondition(sql: Sql, column: string, filter: PayloadFilter) {
  const steps = parsePayloadPath(filter.path);
  const positional = steps.some((s) => typeof s === "number");
  const alternatives = candidateValues(filter.value).map((value) => {
    const contains = sql`${sql.unsafe(column)} @> ${JSON.stringify(containmentFor(steps, value))}::text::jsonb`;
    return positional && !steps.includes("*")
      ? sql`(${contains} and ${sql.unsafe(column)} #> ${steps.map(String)}::text[] = ${JSON.stringify(value)}::text::jsonb)`
      : contains;
  });
  return alternatives.reduce((all, one) => sql`${all} or ${one}`);
}

/** The record key contains `text`, any case (answered by the trigram index runs_record_key_trgm). */
export function keyCondition(sql: Sql, text: string) {
  return sql`r.record_key ilike ${`%${escapeLike(text)}%`}`;
}

/** The filter's conditions on `runs r` (after the workspace condition, each starting with `and`). */
export function runFilterConditions(sql: Sql, filter: RunFilter) {
  return sql`
    ${filter.flowId ? sql`and r.flow_id = ${filter.flowId}` : sql``}
    ${filter.status?.length === 1 ? sql`and r.status = ${filter.status[0]!}` : filter.status?.length ? sql`and r.status = any(${filter.status as string[]})` : sql``}
    ${filter.triggerKind ? sql`and r.trigger_kind = ${filter.triggerKind}` : sql``}
    ${filter.errorKind ? sql`and r.error_kind = ${filter.errorKind}` : sql``}
    ${filter.from ? sql`and r.created_at >= ${filter.from}` : sql``}
    ${filter.to ? sql`and r.created_at < ${filter.to}` : sql``}
    ${filter.recordKey ? sql`and ${keyCondition(sql, filter.recordKey)}` : sql``}
    ${filter.payload ? sql`and (${payloadCondition(sql, "r.input", filter.payload)})` : sql``}`;
}
