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
 * - learn:   one UPDATE that adopts the remaining calls and reset of each window a response
 *            reported (the rules are written once, in connectors/sdk/limits.ts memoryRateLimits).
 * - block:   a 429 refuses every call of the key until its Retry-After or reset.
 * - lock order: every statement locks a key's window rows in name order (take, learn and block
 *            run at once in many processes; two orders would deadlock).
 * - acquire: one UPDATE of a free (or expired) slot row taken with FOR UPDATE SKIP LOCKED; release
 *            frees it only if this holder still has it.
 *
 * Why epoch ms from the caller: the vendor's reset headers are epoch ms of the wall clock, and
 * the connector compares them with its own `now()` (the same clock tests move).
 * Why every statement here commits lazily (db/client.ts lazyCommit): a count lost in a database
 * crash can only make us spend a few calls the system then refuses with a 429, which blocks the
 * key as any 429 does, and its next answer's headers teach the count again. Every later durable
 * commit (a ledger key before a write) makes these durable too. A slot lost that way is either
 * free one request early (the system refuses the extra request as it would any over its limit) or
 * held until its lease runs out. The system, not these tables, is the authority on its limits. One
 * to three of these statements run per call, and each waited for a WAL flush of its own before.
 * Why no statement holds a lock past itself: a caller that must wait sleeps (or is rescheduled)
 * with no transaction or connection of its own.
 */
import { randomUUID } from "node:crypto";
import type { Grant, LimitWindow, RateLimits, SlotGrant, WindowState } from "../connectors/sdk/limits";
import { SAME_WINDOW_MS } from "../connectors/sdk/limits";
import { lazyCommit, type Db } from "../db/client";

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
      const [row] = await db.sql<{ ok: boolean; wait_ms: string | null; blocked: boolean; which: string | null; windows: WindowState[] | null }[]>`
        with cur as (
          select name,
                 coalesce((select p.lim from unnest(${paced.map((w) => w.name)}::text[], ${paced.map((w) => w.limit)}::int[]) as p(name, lim)
                           where p.name = rate_limit_windows.name), "limit") as lim,
                 blocked_until,
                 case when reset_at <= ${now}::bigint or reset_at > ${now}::bigint + period_ms then 0 else used end as used,
                 case when reset_at <= ${now}::bigint or reset_at > ${now}::bigint + period_ms then ${now}::bigint + period_ms else reset_at end as reset_at
          from rate_limit_windows
          where key = ${key} and name = any(${names}::text[]) and ${lazyCommit(db.sql)}
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
        select ok, wait_ms, blocked, which,
               case when ok then (select json_agg(json_build_object('name', name, 'limit', lim, 'used', used + 1, 'resetAt', reset_at)) from cur) end as windows
        from verdict`;
      if (row?.ok) return { ok: true, windows: row.windows ?? undefined };
      const waitMs = Math.max(1, Number(row?.wait_ms ?? 1));
      return { ok: false, waitMs, reason: row?.blocked ? "rate limit reached (429)" : `${row?.which ?? "rate"} limit used up` };
    },

    async learn(key, reports, now) {
      const live = reports.filter((r) => r.seen.resetAt > now);
      if (!live.length) return;
      await seed(key, live.map((r) => r.window), now);
      // Rows are locked in name order first, as take locks them: two statements that lock a key's
      // windows in different orders deadlock.
      await db.sql`
        with locked as materialized (
          select name from rate_limit_windows
          where key = ${key} and name = any(${live.map((r) => r.window.name)}::text[])
          order by name
          for update
        )
        update rate_limit_windows w
        set "limit" = coalesce(s.lim, w."limit"),
            used = case
              when w.reset_at > ${now}::bigint and s.reset_at > w.reset_at + ${SAME_WINDOW_MS}
                then greatest(0, coalesce(s.lim, w."limit") - s.remaining)
              else greatest(case when w.reset_at <= ${now}::bigint then 0 else w.used end, coalesce(s.lim, w."limit") - s.remaining)
            end,
            reset_at = s.reset_at
        from unnest(${live.map((r) => r.window.name)}::text[], ${live.map((r) => r.seen.limit ?? null)}::int[],
                    ${live.map((r) => r.seen.remaining)}::int[], ${live.map((r) => r.seen.resetAt)}::bigint[]) as s(name, lim, remaining, reset_at)
        join locked l on l.name = s.name
        where w.key = ${key} and w.name = l.name and ${lazyCommit(db.sql)}`;
    },

    async block(key, untilMs) {
      await db.sql`
        with locked as materialized (select name from rate_limit_windows where key = ${key} order by name for update)
        update rate_limit_windows w set blocked_until = greatest(w.blocked_until, ${untilMs}::bigint)
        from locked l where w.key = ${key} and w.name = l.name and ${lazyCommit(db.sql)}`;
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
          for update skip locked) and ${lazyCommit(db.sql)}
        returning s.slot`;
      if (!got) return { ok: false, waitMs: SLOT_POLL_MS + Math.floor(Math.random() * SLOT_POLL_MS), reason: `${max} concurrent requests in flight` };
      return {
        ok: true,
        release: async () => {
          await db.sql`update rate_limit_slots set holder = null, expires_at = 0 where key = ${key} and slot = ${got.slot} and holder = ${holder} and ${lazyCommit(db.sql)}`;
        },
      };
    },
  };
}
