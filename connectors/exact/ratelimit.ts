/**
 * Exact Online rate limits, read from the response headers and applied before the next call.
 *
 * Glossary
 * - daily:    `X-RateLimit-Limit/-Remaining/-Reset` (5,000 calls per app per division per day).
 * - minutely: `X-RateLimit-Minutely-Limit/-Remaining/-Reset` (60 per app per division per minute).
 * - reset:    UTC epoch milliseconds at which the window starts again.
 * On a 429 Exact sends only the headers of the limit that was hit (the others are absent).
 * https://support.exactonline.com/community/s/knowledge-base#All-All-DNO-Simulation-gen-apilimits
 *
 * Why a module-level table: every run builds its own client, but all runs of one worker process
 * share the same per-division budget, so what one run learnt from the headers serves the next.
 */

export interface RateWindow {
  limit?: number;
  remaining?: number;
  reset?: number;
}

export interface RateSnapshot {
  daily: RateWindow;
  minutely: RateWindow;
  seenAt: number;
}

/** Calls kept in hand (other workers share the same budget and our view may be a little stale). */
export const MINUTELY_RESERVE = 2;
export const DAILY_RESERVE = 25;

const table = new Map<string, RateSnapshot>();

function int(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function readRateHeaders(headers: Headers): { daily: RateWindow; minutely: RateWindow } {
  return {
    daily: {
      limit: int(headers, "x-ratelimit-limit"),
      remaining: int(headers, "x-ratelimit-remaining"),
      reset: int(headers, "x-ratelimit-reset"),
    },
    minutely: {
      limit: int(headers, "x-ratelimit-minutely-limit"),
      remaining: int(headers, "x-ratelimit-minutely-remaining"),
      reset: int(headers, "x-ratelimit-minutely-reset"),
    },
  };
}

function has(window: RateWindow): boolean {
  return window.remaining !== undefined || window.reset !== undefined;
}

export class RateLimiter {
  constructor(private readonly key: string) {}

  snapshot(): RateSnapshot | undefined {
    return table.get(this.key);
  }

  /** Remember what a response said. Windows absent from the response keep their previous view. */
  update(headers: Headers, now: number): void {
    const read = readRateHeaders(headers);
    const previous = table.get(this.key);
    if (!has(read.daily) && !has(read.minutely)) return;
    table.set(this.key, {
      daily: has(read.daily) ? read.daily : (previous?.daily ?? {}),
      minutely: has(read.minutely) ? read.minutely : (previous?.minutely ?? {}),
      seenAt: now,
    });
  }

  /**
   * How long to wait before the next call so that it stays under the limits, or 0.
   * `which` tells the caller which window is exhausted.
   */
  waitBeforeCall(now: number): { waitMs: number; which?: "daily" | "minutely" } {
    const snap = table.get(this.key);
    if (!snap) return { waitMs: 0 };
    const { daily, minutely } = snap;
    if (daily.remaining !== undefined && daily.reset !== undefined && daily.remaining <= DAILY_RESERVE && now < daily.reset) {
      return { waitMs: daily.reset - now, which: "daily" };
    }
    if (
      minutely.remaining !== undefined &&
      minutely.reset !== undefined &&
      minutely.remaining <= MINUTELY_RESERVE &&
      now < minutely.reset
    ) {
      return { waitMs: minutely.reset - now, which: "minutely" };
    }
    return { waitMs: 0 };
  }

  /** Count a call about to be sent against our local view, so a burst does not overshoot. */
  spend(): void {
    const snap = table.get(this.key);
    if (!snap) return;
    if (snap.minutely.remaining !== undefined) snap.minutely.remaining -= 1;
    if (snap.daily.remaining !== undefined) snap.daily.remaining -= 1;
  }

  /** After a 429: the wait until the window that was hit resets. */
  retryAfter429(headers: Headers, now: number): { waitMs?: number; which?: "daily" | "minutely" } {
    const read = readRateHeaders(headers);
    if (read.minutely.reset !== undefined && (read.minutely.remaining ?? 0) <= 0 && read.minutely.reset > now) {
      return { waitMs: read.minutely.reset - now, which: "minutely" };
    }
    if (read.daily.reset !== undefined && (read.daily.remaining ?? 0) <= 0 && read.daily.reset > now) {
      return { waitMs: read.daily.reset - now, which: "daily" };
    }
    return {};
  }
}

/** For tests and the sandbox's reset: forget every view. */
export function clearRateLimits(): void {
  table.clear();
}
