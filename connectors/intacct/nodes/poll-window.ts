/**
 * The cursor the Intacct poll triggers share: the newest WHENMODIFIED (or audit ACCESSTIME) seen.
 * Each poll re-reads an overlap window before it (clock skew, records committed late with an
 * older timestamp) and drops the (RECORDNO, timestamp) pairs already delivered. Intacct's
 * timestamps have no timezone; the cursor only ever compares values written by Intacct itself.
 * A checkpoint also carries a hash of the settings that decide what is read: when they change,
 * the poll starts over.
 */
import { createHash } from "node:crypto";

export interface Window {
  /** Newest timestamp seen ("MM/DD/YYYY HH:MM:SS"). */
  since: string;
  /** `<key>@<timestamp>` pairs delivered inside the overlap window. */
  seen: string[];
}

/** A poll's checkpoint: its cursor, the settings it was read under, the audit trail's cursor. */
export interface PollCheckpoint extends Window {
  v: 1;
  settings: string;
  /** The audit trail's cursor (deletions). */
  deleted?: Window;
}

/** The hash of the settings that decide what a poll reads. */
export function settingsKey(relevant: unknown): string {
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex").slice(0, 16);
}

/** The saved checkpoint when it is one and was read under these settings; else a fresh start. */
export function checkpointFor<T extends PollCheckpoint = PollCheckpoint>(value: unknown, settings: string): T | undefined {
  const cp = value as Partial<PollCheckpoint> | null | undefined;
  if (!cp || cp.v !== 1 || cp.settings !== settings || !isWindow(cp)) return undefined;
  return cp as T;
}

/** "Reprocess since": both cursors moved back to `since` (the overlap is re-read anyway). */
export function rewoundCheckpoint(settings: string, since: Date, overlapSeconds: number): PollCheckpoint {
  const window = { since: stampText(since.getTime() + overlapSeconds * 1000), seen: [] };
  return { v: 1, settings, ...window, deleted: window };
}

/** "MM/DD/YYYY HH:MM:SS" <-> a sortable number (no timezone involved). */
export function stampMs(value: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?/.exec(value);
  if (!m) return Number.NaN;
  return Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}

export function stampText(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export function isWindow(value: unknown): value is Window {
  const w = value as Partial<Window> | null | undefined;
  return !!w && typeof w.since === "string" && Array.isArray(w.seen) && !Number.isNaN(stampMs(w.since));
}

/** Where the next read starts: the overlap before the cursor, or the first poll's lookback. */
export function readFrom(window: Window | undefined, overlapSeconds: number, firstFrom: number): number {
  return window ? stampMs(window.since) - overlapSeconds * 1000 : firstFrom;
}

/** The rows not delivered yet, and the window after them (the rows are every row since `from`). */
export function advance<T>(
  window: Window | undefined,
  rows: T[],
  at: (row: T) => { key: string; stamp: string } | undefined,
  overlapSeconds: number,
  from: number,
): { fresh: Array<{ row: T; key: string; stamp: string }>; next: Window } {
  const seen = new Set(window?.seen ?? []);
  const delivered = (window?.seen ?? []).map((id) => ({ id, ms: stampMs(id.slice(id.lastIndexOf("@") + 1)) }));
  let newest = window ? stampMs(window.since) : Number.NEGATIVE_INFINITY;
  const fresh: Array<{ row: T; key: string; stamp: string }> = [];
  for (const row of rows) {
    const where = at(row);
    if (!where) continue;
    const ms = stampMs(where.stamp);
    if (!where.key || Number.isNaN(ms)) continue;
    const id = `${where.key}@${where.stamp}`;
    newest = Math.max(newest, ms);
    if (seen.has(id)) continue;
    seen.add(id);
    delivered.push({ id, ms });
    fresh.push({ row, key: where.key, stamp: where.stamp });
  }
  const since = Number.isFinite(newest) ? stampText(newest) : (window?.since ?? stampText(from));
  const windowStart = stampMs(since) - overlapSeconds * 1000;
  return { fresh, next: { since, seen: delivered.filter((d) => d.ms >= windowStart).map((d) => d.id) } };
}
