/**
 * Reference data a connection reads on every run and that changes seldom (a chart of accounts, a
 * company's currency), kept in this process for a short time so that a backfill of thousands of
 * records does not spend an API call (and a rate-limit slot) per record re-reading it.
 *
 * Glossary
 * - key:      what the data belongs to: the connection's id, its endpoint and the company or
 *             division, so a connection pointed elsewhere never sees another one's data.
 * - max age:  how long a read serves later callers; older entries are read again.
 * - fresh:    a caller that must not act on a stale copy (a lookup that missed, a picker a person
 *             opened) asks for a new read; the new read replaces the kept one.
 * - in flight: callers that ask for the same key while it is being read share that one read. A
 *             failed read is not kept: the next caller reads again.
 *
 * Entries beyond `maxEntries` are dropped oldest first, so a worker serving many connections
 * holds a bounded amount of reference data.
 */
export interface ReferenceCacheOptions {
  maxAgeMs: number;
  maxEntries: number;
  now?: () => number;
}

/** A value and when it was read (`cached`: this caller did not read it itself). */
export interface Reference<T> {
  value: T;
  readAt: number;
  cached: boolean;
}

interface Entry {
  value: unknown;
  readAt: number;
}

export class ReferenceCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private readonly now: () => number;

  constructor(private readonly options: ReferenceCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The kept value for `key` while it is younger than the max age, else the result of `load`. */
  async get<T>(key: string, load: () => Promise<T>, options: { fresh?: boolean } = {}): Promise<Reference<T>> {
    const kept = this.entries.get(key);
    if (!options.fresh && kept && this.now() - kept.readAt < this.options.maxAgeMs) {
      return { value: kept.value as T, readAt: kept.readAt, cached: true };
    }
    const shared = options.fresh ? undefined : this.inFlight.get(key);
    if (shared) {
      const entry = await shared;
      return { value: entry.value as T, readAt: entry.readAt, cached: true };
    }
    const reading = (async (): Promise<Entry> => {
      const readAt = this.now();
      const value = await load();
      return { value, readAt };
    })();
    this.inFlight.set(key, reading);
    try {
      const entry = await reading;
      this.entries.delete(key);
      this.entries.set(key, entry);
      while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      return { value: entry.value as T, readAt: entry.readAt, cached: false };
    } finally {
      if (this.inFlight.get(key) === reading) this.inFlight.delete(key);
    }
  }

  /** Drop what is kept for `key` (the remote refused something read from it). */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
