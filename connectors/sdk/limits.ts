/**
 * Rate and concurrency limits shared by every process that calls a system for the same account.
 * A transport asks before each call and reports what the system said after it; the engine backs
 * this with PostgreSQL (engine/rate-limit.ts), so three worker processes spend one budget.
 *
 * Glossary
 * - key:     what a system counts by, e.g. `exact|<host>|<client id>|<division>` or
 *            `intacct|<company>`. Every caller that shares a budget uses the same key.
 * - window:  a fixed window of `limit` calls per `periodMs` (Exact: 60 a minute and 5,000 a day
 *            per division). Its `resetAt` (epoch ms) comes from the system's headers when known.
 * - block:   every call of a key is refused until a moment (a 429's Retry-After or reset).
 * - slot:    one of at most `max` requests in flight for a key (Intacct's concurrent requests per
 *            company), held until released or until its lease runs out (a crashed holder).
 * - grant:   `{ ok: true }`, or `{ ok: false, waitMs }`: ask again after that long.
 *
 * Why waits return to the caller instead of sleeping here: a short wait is slept in place (no
 * database connection held), a long one becomes a RetryableError with `retryAfterMs`, which the
 * engine turns into a rescheduled job, so no worker slot waits for a minute.
 */
import { sleep } from "./backoff";
import { RetryableError } from "./errors";

export interface LimitWindow {
  /** e.g. "minutely", "daily", "second". */
  name: string;
  /** Calls allowed per window until the system says otherwise. */
  limit: number;
  periodMs: number;
  /**
   * Our own pace (a setting; no system reports it): the caller's `limit` is the window's limit on
   * every take, so a changed setting applies at once in every process.
   */
  paced?: boolean;
}

/** What a response said about one of a key's windows. */
export interface WindowReport {
  window: LimitWindow;
  seen: WindowSeen;
}

/** A window as a granted take left it (this call counted in `used`). */
export interface WindowState {
  name: string;
  limit: number;
  used: number;
  resetAt: number;
}

export type Grant = { ok: true; windows?: WindowState[] } | { ok: false; waitMs: number; reason: string };
export type SlotGrant = { ok: true; release(): Promise<void> } | { ok: false; waitMs: number; reason: string };

/** What a response said about one window: calls left and when it starts again. */
export interface WindowSeen {
  limit?: number;
  remaining: number;
  resetAt: number;
}

export interface RateLimits {
  /** Take one call from every window of `key` at once (all or none), or say how long to wait. */
  take(key: string, windows: LimitWindow[], now: number): Promise<Grant>;
  /** Adopt what the system reported for windows of `key` (one response's headers: one call). */
  learn(key: string, reports: WindowReport[], now: number): Promise<void>;
  /** Refuse every call of `key` until `untilMs`. */
  block(key: string, untilMs: number, now: number): Promise<void>;
  /** One of at most `max` slots of `key`, free again on release or after `leaseMs`. */
  acquire(key: string, max: number, leaseMs: number, now: number): Promise<SlotGrant>;
}

/**
 * What this process's own takes have seen of each window, to leave out reports that cannot change
 * anything. Within one window (one reset time) a window's `used` only grows: takes add to it, and
 * a learn of the same window keeps the larger count. So a report of the same reset and limit whose
 * used calls (limit - remaining) are no more than a take here already saw would leave the row as it
 * is, and learning it costs a statement per call for nothing. Reports that say more (calls made by
 * someone outside this limiter, a new window, another limit) are learnt as before.
 */
export class SeenWindows {
  private readonly byKey = new Map<string, Map<string, WindowState>>();

  /** Remember what a granted take reported (the larger count of the same window wins). */
  saw(key: string, grant: Grant): void {
    if (!grant.ok || !grant.windows) return;
    let table = this.byKey.get(key);
    if (!table) this.byKey.set(key, (table = new Map()));
    for (const w of grant.windows) {
      const known = table.get(w.name);
      if (!known || known.resetAt !== w.resetAt || known.limit !== w.limit || known.used < w.used) table.set(w.name, w);
    }
    if (this.byKey.size > 1_000) this.byKey.delete(this.byKey.keys().next().value!);
  }

  /** The reports a learn still needs. */
  news(key: string, reports: WindowReport[]): WindowReport[] {
    const table = this.byKey.get(key);
    if (!table) return reports;
    return reports.filter(({ window, seen }) => {
      const known = table.get(window.name);
      const limit = seen.limit ?? known?.limit;
      return !known || known.resetAt !== seen.resetAt || known.limit !== limit || limit - seen.remaining > known.used;
    });
  }
}

const seenPerLimits = new WeakMap<RateLimits, SeenWindows>();

/** The windows seen through one limiter (a limiter forgotten, as tests do, forgets them too). */
export function seenWindowsOf(limits: RateLimits): SeenWindows {
  let seen = seenPerLimits.get(limits);
  if (!seen) seenPerLimits.set(limits, (seen = new SeenWindows()));
  return seen;
}

/** Waits up to this long are slept in place; longer ones go back to the engine (a rescheduled job). */
export const INLINE_LIMIT_WAIT_MS = 2_000;

export interface WaitOptions {
  system: string;
  /** What is being limited, for the error message ("division 1001"). */
  what: string;
  signal?: AbortSignal;
  now: () => number;
  inlineMaxMs?: number;
}

/**
 * Ask until granted: short waits sleep here, a long one throws a RetryableError (code
 * `rate_limit`, the engine's rate-limit class) with the wait as `retryAfterMs`.
 */
export async function untilGranted<G extends Grant | SlotGrant>(ask: () => Promise<G>, options: WaitOptions): Promise<Extract<G, { ok: true }>> {
  const inline = options.inlineMaxMs ?? INLINE_LIMIT_WAIT_MS;
  let slept = 0;
  for (;;) {
    const grant = await ask();
    if (grant.ok) return grant as Extract<G, { ok: true }>;
    // Counted as slept, not by the clock: a test's clock may stand still.
    if (grant.waitMs + slept > inline) {
      throw new RetryableError(`${options.system} ${grant.reason} for ${options.what}; waiting ${Math.ceil(grant.waitMs / 1000)} s for it`, {
        system: options.system,
        code: "rate_limit",
        retryAfterMs: Math.max(1, grant.waitMs),
      });
    }
    await sleep(Math.max(1, grant.waitMs), options.signal);
    slept += Math.max(1, grant.waitMs);
  }
}

interface MemoryWindow {
  limit: number;
  periodMs: number;
  used: number;
  resetAt: number;
}

/** How far two reset times may differ and still name the same window. */
export const SAME_WINDOW_MS = 5_000;

/**
 * The same rules in one process's memory: for connector tests and sandboxes without a database.
 * engine/rate-limit.ts is the shared implementation; both follow these rules:
 * - a window whose reset has passed starts again (used 0, reset now + period) on the next take,
 *   and so does one whose reset is more than a period away (a clock set back);
 * - a reported window that has already ended is ignored (a late answer);
 * - a reported reset within SAME_WINDOW_MS of ours is our window: used = max(ours, limit - remaining);
 * - a later one is a window we have not seen start: adopted as reported;
 * - an earlier one (still ahead of now) corrects our guess: reset adopted, used = max as above.
 */
export function memoryRateLimits(): RateLimits {
  const windows = new Map<string, Map<string, MemoryWindow>>();
  const blocks = new Map<string, number>();
  const slots = new Map<string, Map<number, number>>();
  let nextSlot = 0;
  const of = (key: string, w: LimitWindow, now: number): MemoryWindow => {
    let table = windows.get(key);
    if (!table) windows.set(key, (table = new Map()));
    let row = table.get(w.name);
    if (!row) table.set(w.name, (row = { limit: w.limit, periodMs: w.periodMs, used: 0, resetAt: now + w.periodMs }));
    return row;
  };
  return {
    async take(key, list, now) {
      const blocked = blocks.get(key) ?? 0;
      if (blocked > now) return { ok: false, waitMs: blocked - now, reason: "rate limit reached (429)" };
      const rows = list.map((w) => {
        const row = of(key, w, now);
        if (w.paced) row.limit = w.limit;
        if (row.resetAt <= now || row.resetAt > now + row.periodMs) Object.assign(row, { used: 0, resetAt: now + row.periodMs });
        return { w, row };
      });
      const full = rows.filter(({ row }) => row.used >= row.limit);
      if (full.length) {
        const longest = full.reduce((a, b) => (a.row.resetAt >= b.row.resetAt ? a : b));
        return { ok: false, waitMs: longest.row.resetAt - now, reason: `${longest.w.name} limit used up` };
      }
      for (const { row } of rows) row.used += 1;
      return { ok: true, windows: rows.map(({ w, row }) => ({ name: w.name, limit: row.limit, used: row.used, resetAt: row.resetAt })) };
    },
    async learn(key, reports, now) {
      for (const { window: w, seen } of reports) {
        if (seen.resetAt <= now) continue;
        const row = of(key, w, now);
        const limit = seen.limit ?? row.limit;
        const reported = Math.max(0, limit - seen.remaining);
        const stale = row.resetAt <= now;
        if (!stale && seen.resetAt > row.resetAt + SAME_WINDOW_MS) row.used = reported;
        else row.used = Math.max(stale ? 0 : row.used, reported);
        row.limit = limit;
        row.resetAt = seen.resetAt;
      }
    },
    async block(key, untilMs) {
      blocks.set(key, Math.max(blocks.get(key) ?? 0, untilMs));
    },
    async acquire(key, max, leaseMs, now) {
      let held = slots.get(key);
      if (!held) slots.set(key, (held = new Map()));
      for (const [id, expires] of held) if (expires <= now) held.delete(id);
      if (held.size >= max) {
        const soonest = Math.min(...held.values());
        return { ok: false, waitMs: Math.min(Math.max(1, soonest - now), 50), reason: `${max} concurrent requests in flight` };
      }
      const id = nextSlot++;
      held.set(id, now + leaseMs);
      return { ok: true, release: async () => void held.delete(id) };
    },
  };
}

/** This process's limits, for environments without shared ones (connector tests, sandboxes). */
let processLimits = memoryRateLimits();

/** Forget this process's limits (tests, a sandbox reset). */
export function resetProcessLimits(): void {
  processLimits = memoryRateLimits();
}

export function limitsOf(env: { limits?: RateLimits }): RateLimits {
  return env.limits ?? processLimits;
}

interface BudgetEnv {
  limits?: RateLimits;
  signal?: AbortSignal;
  now: () => number;
}

/**
 * A call rate for one account of a system (windows of N calls per period), for transports whose
 * system publishes no headers: take before each call, and a 429 blocks the key for everyone
 * until its Retry-After (seconds, or a date), `defaultBlockMs` when it names none.
 * Why the wall clock and not `env.now`: the pace is ours, not a window the system reports, and a
 * test's clock that stands still would never let a window start again.
 */
export class CallBudget {
  private readonly limits: RateLimits;
  private readonly now = Date.now;

  constructor(
    private readonly env: BudgetEnv,
    private readonly system: string,
    readonly key: string,
    private readonly windows: LimitWindow[],
    private readonly defaultBlockMs = 1_000,
  ) {
    this.limits = limitsOf(env);
  }

  async before(): Promise<void> {
    await untilGranted(() => this.limits.take(this.key, this.windows, this.now()), {
      system: this.system,
      what: "this account",
      signal: this.env.signal,
      now: this.now,
    });
  }

  async after(status: number, retryAfterMs: number | undefined): Promise<void> {
    if (status !== 429) return;
    const now = this.now();
    await this.limits.block(this.key, now + (retryAfterMs ?? this.defaultBlockMs), now);
  }
}

/**
 * At most `max` requests in flight per key across every process: `run` holds a slot for the
 * request and frees it when the request ends (or when `leaseMs` passes, if its process dies).
 */
export class ConcurrencyLimit {
  private readonly limits: RateLimits;

  constructor(
    private readonly env: BudgetEnv,
    private readonly system: string,
    readonly key: string,
    private readonly max: number,
    private readonly leaseMs: number,
  ) {
    this.limits = limitsOf(env);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const slot = await untilGranted(() => this.limits.acquire(this.key, this.max, this.leaseMs, this.env.now()), {
      system: this.system,
      what: this.key,
      signal: this.env.signal,
      now: this.env.now,
      // A slot frees when a request ends: worth waiting for longer than a window's reset.
      inlineMaxMs: Math.max(INLINE_LIMIT_WAIT_MS, 30_000),
    });
    try {
      return await fn();
    } finally {
      await slot.release().catch(() => undefined);
    }
  }
}
