/**
 * Rate and concurrency limits in PostgreSQL: the `RateLimits` of connectors/sdk/limits.ts shared
 * by every worker process (and every machine) on one database. Tables: `rate_limit_windows`,
 * `rate_limit_slots` (db/schema.ts).
 *
 * Glossary
 * - take:    one statement: lock the key's window rows (FOR UPDATE), start windows whose reset has
 *            passed, and add one call to every window only when all of them have room and the key
 *            is not blocked; otherwise answer how long until they have. So N processes asking at
 *            once never grant more than the budget together.
 * - learn:   one UPDATE that adopts a window's remaining calls and reset as the system reported
 *            them (the rules are written once, in connectors/sdk/limits.ts memoryRateLimits).
 * - block:   a 429 refuses every call of the key until its Retry-After or reset.
 * - acquire: one UPDATE of a free (or expired) slot row taken with FOR UPDATE SKIP LOCKED; release
 *            frees it only if this holder still has it.
 *
 * Why epoch ms from the caller: the vendor's reset headers are epoch ms of the wall clock, and
 * the connector compares them with its own `now()` (the same clock tests move).
 * Why no statement holds a lock past itself: a caller that must wait sleeps (or is rescheduled)
 * with no transaction or connection of its own.
 */
import { randomUUID } from "node:crypto";
import type { Grant, LimitWindow, RateLimits, SlotGrant, WindowSeen } from "../connectors/sdk/limits";
import { SAME_WINDOW_MS } from "../connectors/sdk/limits";
import type { Db } from "../db/client";

/** Slot waits are polled this often at most (a request's length is the usual wait). */
const SLOT_POLL_MS = 25;

const perDb = new WeakMap<Db, RateLimits>();

/** One instance per database handle, so what it has seeded is remembered for the process. */
export function pgRateLimits(db: Db): RateLimits {
  let limits = perDb.get(db);
  if (!limits) perDb.set(db, (limits = create(db)));
  return limits;
}

function create(db: Db): RateLimits {
  const seeded = new Set<string>();
  const slotsSeeded = new Set<string>();

  /** Window rows must exist before a take can lock them (an insert is invisible to its own statement). */
  async function seed(key: string, windows: LimitWindow[], now: number): Promise<void> {
    const missing = windows.filter((w) => !seeded.has(`${key}\u0000${w.name}`));
    if (!missing.length) return;
    await db.sql`
      insert into rate_limit_windows (key, name, "limit", period_ms, used, reset_at)
      select ${key}, w.name, w.lim, w.period, 0, ${now}::bigint + w.period
      from unnest(${missing.map((w) => w.name)}::text[], ${missing.map((w) => w.limit)}::int[], ${missing.map((w) => w.periodMs)}::bigint[])
        as w(name, lim, period)
      on conflict (key, name) do nothing`;
    for (const w of missing) seeded.add(`${key}\u0000${w.name}`);
  }

  return {
    async take(key, windows, now): Promise<Grant> {
      await seed(key, windows, now);
      const names = windows.map((w) => w.name);
      const paced = windows.filter((w) => w.paced);
      const [row] = await db.sql<{ ok: boolean; wait_ms: string | null; blocked: boolean; which: string | null }[]>`
        with cur as (
          select name,
                 coalesce((select p.lim from unnest(${paced.map((w) => w.name)}::text[], ${paced.map((w) => w.limit)}::int[]) as p(name, lim)
                           where p.name = rate_limit_windows.name), "limit") as lim,
                 blocked_until,
                 case when reset_at <= ${now}::bigint or reset_at > ${now}::bigint + period_ms then 0 else used end as used,
                 case when reset_at <= ${now}::bigint or reset_at > ${now}::bigint + period_ms then ${now}::bigint + period_ms else reset_at end as reset_at
          from rate_limit_windows
          where key = ${key} and name = any(${names}::text[])
          order by name
          for update
        ), verdict as (
          select bool_and(used < lim and blocked_until <= ${now}::bigint) as ok,
                 bool_or(blocked_until > ${now}::bigint) as blocked,
                 max(greatest(
                   case when blocked_until > ${now}::bigint then blocked_until - ${now}::bigint else 0 end,
                   case when used >= lim then reset_at - ${now}::bigint else 0 end)) as wait_ms,
                 (array_agg(name order by reset_at desc) filter (where used >= lim))[1] as which
          from cur
        ), taken as (
          update rate_limit_windows r
          set used = cur.used + 1, reset_at = cur.reset_at
          from cur, verdict
          where verdict.ok and r.key = ${key} and r.name = cur.name
          returning 1
        )
        select ok, wait_ms, blocked, which from verdict`;
      if (row?.ok) return { ok: true };
      const waitMs = Math.max(1, Number(row?.wait_ms ?? 1));
      return { ok: false, waitMs, reason: row?.blocked ? "rate limit reached (429)" : `${row?.which ?? "rate"} limit used up` };
    },

    async learn(key, window, seen: WindowSeen, now) {
      if (seen.resetAt <= now) return;
      await seed(key, [window], now);
      await db.sql`
        update rate_limit_windows
        set "limit" = coalesce(${seen.limit ?? null}::int, "limit"),
            used = case
              when reset_at > ${now}::bigint and ${seen.resetAt}::bigint > reset_at + ${SAME_WINDOW_MS}
                then greatest(0, coalesce(${seen.limit ?? null}::int, "limit") - ${seen.remaining}::int)
              else greatest(case when reset_at <= ${now}::bigint then 0 else used end,
                            coalesce(${seen.limit ?? null}::int, "limit") - ${seen.remaining}::int)
            end,
            reset_at = ${seen.resetAt}::bigint
        where key = ${key} and name = ${window.name}`;
    },

    async block(key, untilMs) {
      await db.sql`update rate_limit_windows set blocked_until = greatest(blocked_until, ${untilMs}::bigint) where key = ${key}`;
    },

    async acquire(key, max, leaseMs, now): Promise<SlotGrant> {
      const seedKey = `${key}\u0000${max}`;
      if (!slotsSeeded.has(seedKey)) {
        await db.sql`insert into rate_limit_slots (key, slot) select ${key}, g from generate_series(0, ${max - 1}::int) g on conflict do nothing`;
        slotsSeeded.add(seedKey);
      }
      const holder = randomUUID();
      const [got] = await db.sql<{ slot: number }[]>`
        update rate_limit_slots s
        set holder = ${holder}, expires_at = ${now + leaseMs}::bigint
        where (s.key, s.slot) = (
          select key, slot from rate_limit_slots
          where key = ${key} and slot < ${max}::int and (holder is null or expires_at <= ${now}::bigint)
          order by slot
          limit 1
          for update skip locked)
        returning s.slot`;
      if (!got) return { ok: false, waitMs: SLOT_POLL_MS + Math.floor(Math.random() * SLOT_POLL_MS), reason: `${max} concurrent requests in flight` };
      return {
        ok: true,
        release: async () => {
          await db.sql`update rate_limit_slots set holder = null, expires_at = 0 where key = ${key} and slot = ${got.slot} and holder = ${holder}`;
        },
      };
    },
  };
}
