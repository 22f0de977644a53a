/**
 * The shared rate limiter against the real PostgreSQL: separate connections (as separate worker
 * processes have) spend one budget, a 429 blocks every one of them, a pace we set takes a changed
 * setting at once, and concurrency slots.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { memoryRateLimits, seenWindowsOf, type Grant, type LimitWindow, type RateLimits } from "../connectors/sdk/limits";
import type { Db } from "../db/client";
import { pgRateLimits } from "./rate-limit";
import { testDb } from "./test/helpers";

const dbs: Db[] = [];
/** A limiter on a database handle of its own: another process, as far as PostgreSQL can tell. */
function processLimiter(): RateLimits {
  const db = testDb(4);
  dbs.push(db);
  return pgRateLimits(db);
}
afterAll(async () => {
  await Promise.all(dbs.map((db) => db.close()));
});

const minute: LimitWindow = { name: "minutely", limit: 30, periodMs: 60_000 };
const day: LimitWindow = { name: "daily", limit: 1_000, periodMs: 86_400_000 };

describe("rate limits in PostgreSQL", () => {
  it("two clients in separate connections, asking at once, never exceed the budget together", async () => {
    const key = `test|${randomUUID()}`;
    const a = processLimiter();
    const b = processLimiter();
    const now = Date.now();
    const asks = Array.from({ length: 80 }, (_, i) => (i % 2 ? a : b).take(key, [minute, day], now));
    const grants = await Promise.all(asks);
    expect(grants.filter((g) => g.ok)).toHaveLength(30);
    const refused = grants.find((g) => !g.ok);
    expect(refused).toMatchObject({ ok: false, reason: "minutely limit used up" });
    expect(refused && !refused.ok && refused.waitMs).toBeGreaterThan(59_000);
    // The window starts again at its reset, for both.
    expect(await a.take(key, [minute, day], now + 60_001)).toMatchObject({ ok: true });
    expect(await b.take(key, [minute, day], now + 60_002)).toMatchObject({ ok: true });
    const [row] = await dbs[0].sql<{ used: number }[]>`select used from rate_limit_windows where key = ${key} and name = 'daily'`;
    expect(row.used).toBe(32); // every granted call counted once in the day, none of the refused
  });

  it("learns the system's remaining calls and reset from its headers", async () => {
    const key = `test|${randomUUID()}`;
    const a = processLimiter();
    const b = processLimiter();
    const now = Date.now();
    expect(await a.take(key, [minute], now)).toMatchObject({ ok: true });
    // The system says: limit 5, 2 left, window resets in 10 s (other callers of the same app spent some).
    await b.learn(key, [{ window: minute, seen: { limit: 5, remaining: 2, resetAt: now + 10_000 } }], now);
    expect(await a.take(key, [minute], now + 1)).toMatchObject({ ok: true });
    expect(await b.take(key, [minute], now + 2)).toMatchObject({ ok: true });
    const full = await a.take(key, [minute], now + 3);
    expect(full).toMatchObject({ ok: false, waitMs: 10_000 - 3 });
    // An answer from a window that has already ended changes nothing.
    await a.learn(key, [{ window: minute, seen: { limit: 5, remaining: 5, resetAt: now - 1 } }], now + 4);
    expect((await b.take(key, [minute], now + 5)).ok).toBe(false);
    expect(await b.take(key, [minute], now + 10_000)).toMatchObject({ ok: true });
  });

  it("takes, learns and blocks of one key at once in two processes never deadlock", async () => {
    const key = `test|${randomUUID()}`;
    const a = processLimiter();
    const b = processLimiter();
    const now = Date.now();
    const seen = (i: number) => [
      { window: minute, seen: { limit: 1_000, remaining: 1_000 - i, resetAt: now + 60_000 } },
      { window: day, seen: { limit: 5_000, remaining: 5_000 - i, resetAt: now + 86_400_000 } },
    ];
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      const [x, y] = i % 2 ? [a, b] : [b, a];
      work.push(x.take(key, [minute, day], now + i), y.learn(key, seen(i), now + i));
      if (i % 20 === 0) work.push(x.block(key, now, now + i));
    }
    const results = await Promise.allSettled(work);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
  });

  it("a granted take says what it left of each window, so a report that says no more is not learnt again (PostgreSQL and memory alike)", async () => {
    for (const limits of [processLimiter(), memoryRateLimits()]) {
      const key = `test|${randomUUID()}`;
      const now = Date.now();
      await limits.take(key, [minute, day], now);
      const grant = await limits.take(key, [minute, day], now + 1);
      const windows = grant.ok ? [...(grant.windows ?? [])].sort((a, b) => a.name.localeCompare(b.name)) : [];
      expect(windows).toEqual([
        { name: "daily", limit: 1_000, used: 2, resetAt: now + 86_400_000 },
        { name: "minutely", limit: 30, used: 2, resetAt: now + 60_000 },
      ]);
      const seen = seenWindowsOf(limits);
      seen.saw(key, grant as Grant);
      const report = (remaining: number, resetAt = now + 60_000, limit = 30) => [{ window: minute, seen: { limit, remaining, resetAt } }];
      // The system counted our two calls or fewer (others still on the way): nothing to learn.
      expect(seen.news(key, report(28))).toEqual([]);
      expect(seen.news(key, report(29))).toEqual([]);
      // Someone outside this limiter spent calls, a window we have not seen, another limit: learnt.
      expect(seen.news(key, report(25))).toEqual(report(25));
      expect(seen.news(key, report(28, now + 59_000))).toEqual(report(28, now + 59_000));
      expect(seen.news(key, report(28, now + 60_000, 60))).toEqual(report(28, now + 60_000, 60));
      // Another limiter (a forgotten one, as tests make) has seen nothing.
      expect(seenWindowsOf(memoryRateLimits()).news(key, report(28))).toEqual(report(28));
    }
  });

  it("learns every window one response reported, in one call", async () => {
    const key = `test|${randomUUID()}`;
    const a = processLimiter();
    const now = Date.now();
    expect(await a.take(key, [minute, day], now)).toMatchObject({ ok: true });
    await a.learn(key, [
      { window: minute, seen: { limit: 5, remaining: 1, resetAt: now + 20_000 } },
      { window: day, seen: { limit: 100, remaining: 40, resetAt: now + 3_600_000 } },
      { window: minute, seen: { limit: 5, remaining: 0, resetAt: now - 1 } }, // already ended: ignored
    ], now);
    const rows = await dbs[0].sql<{ name: string; limit: number; used: number; reset_at: string }[]>`
      select name, "limit", used, reset_at from rate_limit_windows where key = ${key} order by name`;
    expect(rows.map((r) => ({ ...r, reset_at: Number(r.reset_at) - now }))).toEqual([
      { name: "daily", limit: 100, used: 60, reset_at: 3_600_000 },
      { name: "minutely", limit: 5, used: 4, reset_at: 20_000 },
    ]);
    expect(await a.take(key, [minute, day], now + 1)).toMatchObject({ ok: true });
    expect(await a.take(key, [minute, day], now + 2)).toMatchObject({ ok: false, waitMs: 20_000 - 2 });
  });

  it("a pace of our own (Avalara's calls per second) follows its setting at once, in every process and in memory", async () => {
    const pace = (limit: number): LimitWindow => ({ name: "second", limit, periodMs: 1_000, paced: true });
    // Memory is one process's limiter: both callers share it.
    const memory = memoryRateLimits();
    for (const [label, a, b] of [["PostgreSQL", processLimiter(), processLimiter()], ["memory", memory, memory]] as const) {
      const key = `test|${randomUUID()}`;
      const now = Date.now();
      expect(await a.take(key, [pace(2)], now), label).toMatchObject({ ok: true });
      expect(await b.take(key, [pace(2)], now + 1), label).toMatchObject({ ok: true });
      expect(await a.take(key, [pace(2)], now + 2), label).toMatchObject({ ok: false, reason: "second limit used up" });
      // The connection's setting raised to 4: the same window, two more calls in it.
      expect(await b.take(key, [pace(4)], now + 3), label).toMatchObject({ ok: true });
      expect(await a.take(key, [pace(4)], now + 4), label).toMatchObject({ ok: true });
      expect((await b.take(key, [pace(4)], now + 5)).ok, label).toBe(false);
      // Lowered to 1: nothing more in this window; one call in the next.
      expect((await a.take(key, [pace(1)], now + 6)).ok, label).toBe(false);
      expect(await a.take(key, [pace(1)], now + 1_000), label).toMatchObject({ ok: true });
      expect((await b.take(key, [pace(1)], now + 1_001)).ok, label).toBe(false);
    }
  });

  it("a 429 blocks every client until its reset", async () => {
    const key = `test|${randomUUID()}`;
    const a = processLimiter();
    const b = processLimiter();
    const now = Date.now();
    expect(await a.take(key, [minute], now)).toMatchObject({ ok: true });
    await a.block(key, now + 7_000, now);
    expect(await b.take(key, [minute], now + 1)).toEqual({ ok: false, waitMs: 6_999, reason: "rate limit reached (429)" });
    expect((await a.take(key, [minute], now + 6_999)).ok).toBe(false);
    expect(await b.take(key, [minute], now + 7_000)).toMatchObject({ ok: true });
  });

  it("keeps at most K requests in flight per key, freed on release or when the lease runs out", async () => {
    const key = `intacct|${randomUUID()}`;
    const a = processLimiter();
    const b = processLimiter();
    const now = Date.now();
    const grants = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).acquire(key, 2, 30_000, now)));
    const held = grants.filter((g) => g.ok);
    expect(held).toHaveLength(2);
    expect(grants.filter((g) => !g.ok)[0]).toMatchObject({ reason: "2 concurrent requests in flight" });
    await (held[0] as { release(): Promise<void> }).release();
    const third = await a.acquire(key, 2, 60_000, now + 1);
    expect(third.ok).toBe(true);
    expect((await b.acquire(key, 2, 30_000, now + 2)).ok).toBe(false);
    // A holder that died keeps its slot only until the lease ends.
    expect((await b.acquire(key, 2, 30_000, now + 30_001)).ok).toBe(true);
    // A stale release (the slot has a new holder) frees nothing.
    await (held[1] as { release(): Promise<void> }).release();
    expect((await a.acquire(key, 2, 30_000, now + 30_002)).ok).toBe(false);
  });
});
