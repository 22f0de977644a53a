/**
 * Exact Online rate limits per app and division, kept in the shared limiter of the connector
 * environment (PostgreSQL in the engine: every worker process spends one budget).
 *
 * Glossary
 * - daily:    `X-RateLimit-Limit/-Remaining/-Reset` (5,000 calls per app per division per day).
 * - minutely: `X-RateLimit-Minutely-Limit/-Remaining/-Reset` (60 per app per division per minute).
 * - reset:    UTC epoch milliseconds at which the window starts again.
 * - key:      `exact|<endpoint>|<client id>|<division>`: what Exact counts by. Tokens belong to the
 *             connection, limits to the division, so a connection serving two divisions has two.
 * - learnt:   what a response's headers said, written to the shared windows only when it says
 *             more than this process's takes already saw (connectors/sdk/limits.ts SeenWindows).
 * On a 429 Exact sends only the headers of the limit that was hit (the others are absent).
 * https://support.exactonline.com/community/s/knowledge-base#All-All-DNO-Simulation-gen-apilimits
 */
import { limitsOf, resetProcessLimits, seenWindowsOf, untilGranted, type SeenWindows, type LimitWindow, type RateLimits, type WindowReport } from "../sdk/limits";

export interface RateWindow {
  limit?: number;
  remaining?: number;
  reset?: number;
}

/** Exact's published limits, used until a response states the app's own. */
export const MINUTELY: LimitWindow = { name: "minutely", limit: 60, periodMs: 60_000 };
export const DAILY: LimitWindow = { name: "daily", limit: 5_000, periodMs: 86_400_000 };

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

/** After a 429: the wait until the window that was hit resets (its remaining reads 0 or is absent). */
export function retryAfter429(headers: Headers, now: number): { waitMs?: number; which?: "daily" | "minutely" } {
  const read = readRateHeaders(headers);
  if (read.minutely.reset !== undefined && (read.minutely.remaining ?? 0) <= 0 && read.minutely.reset > now) {
    return { waitMs: read.minutely.reset - now, which: "minutely" };
  }
  if (read.daily.reset !== undefined && (read.daily.remaining ?? 0) <= 0 && read.daily.reset > now) {
    return { waitMs: read.daily.reset - now, which: "daily" };
  }
  return {};
}

interface LimiterEnv {
  limits?: RateLimits;
  signal?: AbortSignal;
  now: () => number;
}

/** The budget of one app in every division it calls. */
export class ExactRateLimits {
  private readonly limits: RateLimits;
  /** What this process's takes saw of each division's windows (a learn that would change nothing is left out). */
  private readonly seen: SeenWindows;

  constructor(
    private readonly env: LimiterEnv,
    private readonly app: string,
  ) {
    this.limits = limitsOf(env);
    this.seen = seenWindowsOf(this.limits);
  }

  key(division: number | string): string {
    return `exact|${this.app}|${division}`;
  }

  /** Take one call of the division's minutely and daily budget; waits past a few seconds go back to the engine. */
  async beforeCall(division: number | string): Promise<void> {
    const key = this.key(division);
    const grant = await untilGranted(() => this.limits.take(key, [MINUTELY, DAILY], this.env.now()), {
      system: "exact",
      what: `division ${division}`,
      signal: this.env.signal,
      now: this.env.now,
    });
    this.seen.saw(key, grant);
  }

  /** Adopt what a response's headers said; a 429 also blocks the division until the window it hit resets. */
  async observe(division: number | string, status: number, headers: Headers): Promise<void> {
    const now = this.env.now();
    const key = this.key(division);
    const read = readRateHeaders(headers);
    const reports: WindowReport[] = [];
    for (const [window, seen] of [
      [MINUTELY, read.minutely],
      [DAILY, read.daily],
    ] as const) {
      if (seen.remaining === undefined || seen.reset === undefined) continue;
      reports.push({ window, seen: { limit: seen.limit, remaining: seen.remaining, resetAt: seen.reset } });
    }
    // A 429 is always learnt: the window it hit is what the block below waits for.
    const news = status === 429 ? reports : this.seen.news(key, reports);
    if (news.length) await this.limits.learn(key, news, now);
    if (status === 429) {
      const { waitMs } = retryAfter429(headers, now);
      const retry = Number(headers.get("retry-after"));
      const until = waitMs !== undefined ? now + waitMs : Number.isFinite(retry) && retry > 0 ? now + retry * 1000 : now + 60_000;
      await this.limits.block(key, until, now);
    }
  }
}

/** For tests: forget what this process learnt (connections without shared limits). */
export function clearRateLimits(): void {
  resetProcessLimits();
}
