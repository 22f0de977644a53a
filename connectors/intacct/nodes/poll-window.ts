/**
 * The cursor the Intacct poll triggers share: the newest WHENMODIFIED (or audit ACCESSTIME) seen.
 * Each poll re-reads an overlap window before it (clock skew, records committed late with an
 * older timestamp) and drops the (RECORDNO, timestamp) pairs already delivered. Intacct's
 * timestamps have no timezone; the cursor only ever compares values written by Intacct itself.
 *
 * What the engine already does is not done again here: it resets a trigger's checkpoint when
 * the trigger's settings or connection change (configHash in engine/triggers.ts), and it polls
 * again while a poll answers `hasMore`, up to its pages per tick.
 */
import { createHash } from "node:crypto";
import type { PollResult, TriggerRecord } from "../../sdk";
import { advanceWindow, windowStart, type PollWindow, type StampClock } from "../../sdk/poll-window";
import { text } from "../xml";

/** The SDK's overlap window on Intacct's stamps: `since` is "MM/DD/YYYY HH:MM:SS". */
export type Window = PollWindow;

/** A poll's checkpoint: its cursor and the audit trail's cursor. */
export interface PollCheckpoint extends Window {
  v: 1;
  /** The audit trail's cursor (deletions). */
  deleted?: Window;
}

/**
 * A short hash of the settings a checkpoint was read under. The engine already resets a
 * checkpoint when the trigger's settings change; a poll needs this only for a part of its
 * checkpoint that must follow a subset of them.
 */
export function settingsKey(relevant: unknown): string {
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex").slice(0, 16);
}

/** The saved checkpoint when it is one; else a fresh start. (Checkpoints saved with a `settings` hash still read.) */
export function checkpointFor<T extends PollCheckpoint = PollCheckpoint>(value: unknown): T | undefined {
  const cp = value as Partial<PollCheckpoint> | null | undefined;
  if (!cp || cp.v !== 1 || !isWindow(cp)) return undefined;
  return cp as T;
}

/** "Reprocess since": both cursors moved back to `since` (the overlap is re-read anyway). */
export function rewoundCheckpoint(since: Date, overlapSeconds: number): PollCheckpoint {
  const window = { since: stampText(since.getTime() + overlapSeconds * 1000), seen: [] };
  return { v: 1, ...window, deleted: window };
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

const INTACCT_CLOCK: StampClock = { ms: stampMs, text: stampText };

/** Where the next read starts: the overlap before the cursor, or the first poll's lookback. */
export function readFrom(window: Window | undefined, overlapSeconds: number, firstFrom: number): number {
  return windowStart(window, overlapSeconds * 1000, firstFrom, INTACCT_CLOCK);
}

/** The rows not delivered yet, and the window after them (the rows are every row since `from`). */
export function advance<T>(
  window: Window | undefined,
  rows: T[],
  at: (row: T) => { key: string; stamp: string } | undefined,
  overlapSeconds: number,
  from: number,
): { fresh: Array<{ row: T; key: string; stamp: string }>; next: Window } {
  return advanceWindow(window, rows, at, overlapSeconds * 1000, from, INTACCT_CLOCK);
}

export interface ModifiedPoll<Row extends Record<string, unknown>> {
  now: number;
  overlapSeconds: number;
  initialLookbackDays: number;
  /** Deliver at most about this many new records per poll (the engine polls again for the rest). */
  pageSize: number;
  /**
   * Rows with WHENMODIFIED at or after `from` ("MM/DD/YYYY HH:MM:SS"), from `offset` on, in
   * WHENMODIFIED order when `more` can be true (stopping part way must not skip an older row).
   */
  read: (from: string, offset: number) => Promise<{ rows: Row[]; more: boolean }>;
  /** The trigger record of one new row. */
  record: (row: Row, recordNo: string, whenModified: string) => TriggerRecord;
  /** Deleted records since the audit cursor, when the poll delivers deletions. */
  deletions?: (window: Window | undefined, firstFrom: number) => Promise<{ records: TriggerRecord[]; window: Window }>;
}

/**
 * The body of a poll on WHENMODIFIED: read from the overlap before the cursor, drop what was
 * delivered, read the audit trail's deletions on their own cursor, and say when more is waiting.
 * Pages are read until a page's worth of new rows is found, so a burst of rows sharing the
 * overlap window (an import) cannot hold the cursor in place.
 */
export async function pollModified<Row extends Record<string, unknown>>(raw: unknown, p: ModifiedPoll<Row>): Promise<PollResult> {
  const checkpoint = checkpointFor(raw);
  const firstFrom = p.now - p.initialLookbackDays * 86_400_000;
  const from = readFrom(checkpoint, p.overlapSeconds, firstFrom);
  const delivered = new Set(checkpoint?.seen ?? []);
  const rows: Row[] = [];
  let fresh = 0;
  let more = true;
  while (more && fresh < p.pageSize) {
    const page = await p.read(stampText(from), rows.length);
    rows.push(...page.rows);
    fresh += page.rows.filter((r) => !delivered.has(`${text(r.RECORDNO)}@${text(r.WHENMODIFIED)}`)).length;
    more = page.more && page.rows.length > 0;
  }
  const { fresh: rowsOut, next } = advance(checkpoint, rows, (r) => ({ key: text(r.RECORDNO), stamp: text(r.WHENMODIFIED) }), p.overlapSeconds, from);
  const records = rowsOut.map(({ row, key, stamp }) => p.record(row, key, stamp));
  const deleted = p.deletions ? await p.deletions(checkpoint?.deleted, checkpoint ? from : firstFrom) : undefined;
  const out: PollCheckpoint = { v: 1, ...next, ...(deleted ? { deleted: deleted.window } : {}) };
  return { records: [...records, ...(deleted?.records ?? [])], checkpoint: out, hasMore: more };
}
