/**
 * The version a run is deduplicated by. A trigger record without one (the expression gave nothing,
 * a source without modification stamps) gets a hash of its content instead, so a later real change
 * starts a new run while a redelivery of the same content is still dropped.
 */
import { createHash } from "node:crypto";
import type { TriggerRecord } from "../connectors/sdk";

/** JSON with object keys sorted, so equal content gives equal text whatever the key order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

export function contentVersion(data: unknown): string {
  return `sha256:${createHash("sha256").update(canonical(data ?? null)).digest("hex")}`;
}

export function recordVersion(record: Pick<TriggerRecord, "version" | "data">): string {
  return record.version ? record.version : contentVersion(record.data);
}
