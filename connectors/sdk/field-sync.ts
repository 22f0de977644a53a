/**
 * Field ownership for two-way master-data syncs: a digest of the fields one side owns (how a
 * poll tells a change that matters from one the other side wrote) and the owned fields whose
 * wanted value differs from the record's (what a write sends; nothing when none differ, so a
 * value already in place never becomes a change the other poll sees).
 *
 * Values compare trimmed; arrays compare element by element with empty elements dropped.
 */
import { createHash } from "node:crypto";

export type FieldValue = string | string[] | undefined | null;

/** The normal form two values are compared in. */
export function normalField(value: unknown): string | string[] {
  if (Array.isArray(value)) return value.map((v) => String(v ?? "").trim()).filter(Boolean);
  return String(value ?? "").trim();
}

/** A short digest of `fields` of `record` (order of `fields` does not matter). */
export function ownedDigest<F extends string>(record: Partial<Record<F, unknown>>, fields: readonly F[]): string {
  return createHash("sha256")
    .update(JSON.stringify([...fields].sort().map((f) => [f, normalField(record[f])])))
    .digest("hex")
    .slice(0, 16);
}

/** The fields of `wanted` (left-out ones are not touched) whose value differs from `current`'s. */
export function changedFields<F extends string>(current: Partial<Record<F, unknown>>, wanted: Partial<Record<F, unknown>>, fields: readonly F[]): F[] {
  return fields.filter((f) => wanted[f] !== undefined && JSON.stringify(normalField(wanted[f])) !== JSON.stringify(normalField(current[f])));
}
