/**
 * The overlap window every poll on a "modified at" timestamp keeps in its checkpoint.
 *
 * Glossary
 * - since:    the newest timestamp delivered. Each poll re-reads from `since - overlap` (clock
 *             skew between the system's writers, records committed late with an older stamp).
 * - seen:     `<key>@<stamp>` of what was delivered inside the overlap: re-read rows are dropped,
 *             and rows sharing the newest stamp are neither lost nor repeated.
 * - clock:    how a system writes its stamps ("MM/DD/YYYY HH:MM:SS" for Intacct, "YYYY-MM-DD
 *             HH:MM:SS" for Magento); stamps are only compared with stamps of the same system.
 */

export interface PollWindow {
  since: string;
  seen: string[];
}

export interface StampClock {
  /** A sortable number for a stamp (NaN when it is not one). */
  ms(stamp: string): number;
  text(ms: number): string;
}

/** Where the next read starts: the overlap before the cursor, or `firstFrom` on a first poll. */
export function windowStart(window: PollWindow | undefined, overlapMs: number, firstFrom: number, clock: StampClock): number {
  return window ? clock.ms(window.since) - overlapMs : firstFrom;
}

/** The rows not delivered yet, and the window after them (`rows` are rows read from `from` on). */
export function advanceWindow<T>(
  window: PollWindow | undefined,
  rows: T[],
  at: (row: T) => { key: string; stamp: string } | undefined,
  overlapMs: number,
  from: number,
  clock: StampClock,
): { fresh: Array<{ row: T; key: string; stamp: string }>; next: PollWindow } {
  const seen = new Set(window?.seen ?? []);
  const delivered = (window?.seen ?? []).map((id) => ({ id, ms: clock.ms(id.slice(id.lastIndexOf("@") + 1)) }));
  let newest = window ? clock.ms(window.since) : Number.NEGATIVE_INFINITY;
  const fresh: Array<{ row: T; key: string; stamp: string }> = [];
  for (const row of rows) {
    const where = at(row);
    if (!where) continue;
    const ms = clock.ms(where.stamp);
    if (!where.key || Number.isNaN(ms)) continue;
    const id = `${where.key}@${where.stamp}`;
    newest = Math.max(newest, ms);
    if (seen.has(id)) continue;
    seen.add(id);
    delivered.push({ id, ms });
    fresh.push({ row, key: where.key, stamp: where.stamp });
  }
  const since = Number.isFinite(newest) ? clock.text(newest) : (window?.since ?? clock.text(from));
  const start = clock.ms(since) - overlapMs;
  return { fresh, next: { since, seen: delivered.filter((d) => d.ms >= start).map((d) => d.id) } };
}
