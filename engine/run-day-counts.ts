/**
 * A flow's runs per day and status, fast at millions of runs: closed days are read from
 * `run_day_counts`, which a worker cron task keeps, and everything it does not hold yet is counted
 * live from `runs` by indexes that only reach those few runs. The figures are the same as a count
 * over `runs` at the moment of the read.
 *
 * Glossary
 * - day: a UTC calendar day of the run's `created_at` (the overview's chart draws UTC days).
 * - covered_until (C): a UTC midnight; run_day_counts holds runs created before it.
 * - finished_before (F): run_day_counts holds finished runs whose `finished_at` is before it.
 * - counted run: finished (a terminal status), not a dry run, created before C, finished before F.
 *   run_day_counts holds exactly the counted runs (the invariant).
 *
 * Why only finished runs: a finished run keeps its status and day for good (a replay is a new
 * run), so a count of it never has to change; a run still queued, running or waiting is counted
 * live until it finishes, and then, finished at or after F, live again until the next roll-up
 * adds it to its day. Retention subtracts the runs it purges (`uncountPurgedRuns`).
 *
 * Why F trails the clock: a finishing statement stamps `finished_at = now()`, its transaction's
 * start. F is set no later than the start of the oldest transaction open in this database at the
 * roll-up, so no run can commit later with a `finished_at` before F and be missed. (Transactions of
 * other databases on the same server cannot write these runs, so a long one there does not hold F
 * back.)
 *
 * Why no counter per finished run: updating one row per flow and day in the statement that
 * finishes a run would make every concurrent run of a flow wait for that row's lock.
 */
import type postgres from "postgres";
import type { Db } from "../db/client";
import { RUN_STATUSES, TERMINAL_RUN_STATUSES } from "./status";

export const TASK_ROLL_UP_RUN_DAYS = "ledgerline_roll_up_run_days";
/** Every 10 minutes: a closed day is in run_day_counts soon after midnight UTC, and F trails by minutes. */
export const ROLL_UP_RUN_DAYS_CRONTAB = `*/10 * * * * ${TASK_ROLL_UP_RUN_DAYS}`;

/** Taken by the roll-up and by retention's purge, so a purge never races a count of the same runs. */
const LOCK_KEY = 74110021;
/** Days added per transaction when the roll-up catches up (a first roll-up over a year of runs). */
const DAYS_PER_STEP = 31;
/**
 * How far F trails the clock at least (ms), besides the oldest open transaction's start: a margin
 * for transactions pg_stat_activity does not show (another role's, without pg_read_all_stats).
 */
const FINISH_MARGIN_MS = 60_000;

const TERMINAL = TERMINAL_RUN_STATUSES as readonly string[] as string[];
const NOT_TERMINAL = RUN_STATUSES.filter((s) => !TERMINAL.includes(s)) as string[];

type Sql = postgres.Sql<Record<string, unknown>> | postgres.TransactionSql<Record<string, unknown>>;

export async function lockRunDayCounts(tx: postgres.TransactionSql<Record<string, unknown>>): Promise<void> {
  await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
}

export interface RollUpResult {
  /** UTC days newly added. */
  days: number;
  /** Runs added to run_day_counts (new days and late finishers). */
  runs: number;
  coveredUntil: Date | null;
}

/**
 * Brings run_day_counts up to yesterday (UTC) and adds the runs that finished since the last
 * roll-up; at most `maxSteps` transactions of DAYS_PER_STEP days each (the next call continues).
 */
export async function rollUpRunDays(db: Db, options: { maxSteps?: number; finishMarginMs?: number } = {}): Promise<RollUpResult> {
  const margin = `${options.finishMarginMs ?? FINISH_MARGIN_MS} milliseconds`;
  const result: RollUpResult = { days: 0, runs: 0, coveredUntil: null };
  for (let step = 0; step < (options.maxSteps ?? 24); step++) {
    const done = await db.sql.begin(async (tx) => {
      await lockRunDayCounts(tx);
      const [state] = await tx<{ c: string; f: string }[]>`
        select covered_until::text as c, finished_before::text as f from run_day_counts_state where id = 1`;
      const [clock] = await tx<{ f: string; today: string; first: string | null }[]>`
        select least(now() - ${margin}::interval, (select min(xact_start) from pg_stat_activity where xact_start is not null and datname = current_database()))::text as f,
               (date_trunc('day', now() at time zone 'UTC') at time zone 'UTC')::text as today,
               (select date_trunc('day', min(m.first) at time zone 'UTC') at time zone 'UTC'
                from workspaces w cross join lateral (select min(r.created_at) as first from runs r where r.workspace_id = w.id) m)::text as first`;
      // Never back: runs finished before the last F are counted already.
      const f = state && new Date(state.f) > new Date(clock!.f) ? state.f : clock!.f;
      let added = 0;
      if (state) {
        // Runs of covered days that finished since the last roll-up.
        added += await addRuns(tx, tx`r.created_at < ${state.c}::timestamptz and r.finished_at >= ${state.f}::timestamptz and r.finished_at < ${f}::timestamptz`);
      }
      const from = state?.c ?? clock!.first ?? clock!.today;
      const [next] = await tx<{ c: string; days: number }[]>`
        select least(${from}::timestamptz + ${`${DAYS_PER_STEP} days`}::interval, ${clock!.today}::timestamptz)::text as c,
               (least(${from}::timestamptz + ${`${DAYS_PER_STEP} days`}::interval, ${clock!.today}::timestamptz) at time zone 'UTC')::date
                 - (${from}::timestamptz at time zone 'UTC')::date as days`;
      if (next!.days > 0) {
        added += await addRuns(tx, tx`r.created_at >= ${from}::timestamptz and r.created_at < ${next!.c}::timestamptz and r.finished_at < ${f}::timestamptz`);
      }
      await tx`
        insert into run_day_counts_state (id, covered_until, finished_before) values (1, ${next!.c}::timestamptz, ${f}::timestamptz)
        on conflict (id) do update set covered_until = excluded.covered_until, finished_before = excluded.finished_before`;
      result.days += next!.days;
      result.runs += added;
      result.coveredUntil = new Date(next!.c);
      return next!.c === clock!.today;
    });
    if (done) break;
  }
  return result;
}

/** Adds the finished, non-dry runs matching `where` (on `runs r`) to their day's counts; returns how many. */
async function addRuns(tx: postgres.TransactionSql<Record<string, unknown>>, where: postgres.PendingQuery<postgres.Row[]>): Promise<number> {
  // Per workspace, so each reads an index that starts with workspace_id.
  const [row] = await tx<{ n: number }[]>`
    with counts as (
      select r.workspace_id, r.flow_id, (r.created_at at time zone 'UTC')::date as day, r.status, count(*)::int as runs
      from workspaces w cross join lateral (
        select r.workspace_id, r.flow_id, r.created_at, r.status from runs r
        where r.workspace_id = w.id and ${where} and r.status = any(${TERMINAL}::text[]) and r.trigger_kind <> 'dry_run') r
      group by 1, 2, 3, 4
    ), added as (
      insert into run_day_counts (workspace_id, flow_id, day, status, runs)
      select workspace_id, flow_id, day, status, runs from counts
      on conflict (workspace_id, flow_id, day, status) do update set runs = run_day_counts.runs + excluded.runs
    )
    select coalesce(sum(runs), 0)::int as n from counts`;
  return row!.n;
}

/**
 * Subtracts purged runs from their day's counts, for runs that were counted. `deleted` names a
 * CTE of the statement with the deleted runs' workspace_id, flow_id, created_at, status,
 * finished_at and trigger_kind; the caller holds lockRunDayCounts.
 */
export function uncountPurgedRuns(sql: Sql, deleted: string) {
  return sql`
    update run_day_counts d set runs = d.runs - g.n
    from (
      select x.workspace_id, x.flow_id, (x.created_at at time zone 'UTC')::date as day, x.status, count(*)::int as n
      from ${sql.unsafe(deleted)} x join run_day_counts_state s on s.id = 1
      where x.created_at < s.covered_until and x.finished_at < s.finished_before
        and x.status = any(${TERMINAL}::text[]) and x.trigger_kind <> 'dry_run'
      group by 1, 2, 3, 4) g
    where d.workspace_id = g.workspace_id and d.flow_id = g.flow_id and d.day = g.day and d.status = g.status`;
}

export interface DayCount {
  day: string;
  status: string;
  count: number;
}

/**
 * Runs per UTC day and status of a flow created in the last `days` (dry runs left out): the same
 * figures as a count over runs, with closed days from run_day_counts.
 */
export async function flowRunsPerDay(db: Db, workspaceId: string, flowId: string, days: number): Promise<DayCount[]> {
  const sql = db.sql;
  const since = `${days} days`;
  // The period starts at now() - days; `a` is the first UTC midnight after that.
  const [p] = await sql<{ since: string; a: string; c: string | null; f: string | null; rolled: boolean | null }[]>`
    select (now() - ${since}::interval)::text as since,
           ((date_trunc('day', (now() - ${since}::interval) at time zone 'UTC') + interval '1 day') at time zone 'UTC')::text as a,
           s.covered_until::text as c, s.finished_before::text as f,
           s.covered_until > (date_trunc('day', (now() - ${since}::interval) at time zone 'UTC') + interval '1 day') at time zone 'UTC' as rolled
    from (select 1) one left join run_day_counts_state s on s.id = 1`;
  const flowRuns = sql`r.workspace_id = ${workspaceId} and r.flow_id = ${flowId} and r.trigger_kind <> 'dry_run'`;
  const live = (where: postgres.PendingQuery<postgres.Row[]>) => sql`
    select to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD') as day, r.status, count(*)::int as n
    from runs r where ${flowRuns} and ${where} group by 1, 2`;
  if (!p!.rolled) {
    return sql<DayCount[]>`
      select day, status, n as count from (${live(sql`r.created_at > ${p!.since}::timestamptz`)}) x order by 1, 2`;
  }
  const { since: from, a, c, f } = p as { since: string; a: string; c: string; f: string };
  return sql<DayCount[]>`
    select day, status, sum(n)::int as count from (
      -- closed days
      select to_char(d.day, 'YYYY-MM-DD') as day, d.status, d.runs as n from run_day_counts d
      where d.workspace_id = ${workspaceId} and d.flow_id = ${flowId}
        and d.day >= (${a}::timestamptz at time zone 'UTC')::date and d.day < (${c}::timestamptz at time zone 'UTC')::date
      union all
      -- the period's first, partial day, and the days not rolled up yet (today)
      ${live(sql`r.created_at > ${from}::timestamptz and r.created_at < ${a}::timestamptz`)}
      union all
      ${live(sql`r.created_at >= ${c}::timestamptz`)}
      union all
      -- closed days' runs the counts do not hold: not finished yet (the status index) ...
      ${live(sql`r.status = any(${NOT_TERMINAL}::text[]) and r.created_at >= ${a}::timestamptz and r.created_at < ${c}::timestamptz`)}
      union all
      -- ... or finished since the last roll-up (the finished_at index)
      ${live(sql`r.finished_at >= ${f}::timestamptz and r.status = any(${TERMINAL}::text[]) and r.created_at >= ${a}::timestamptz and r.created_at < ${c}::timestamptz`)}
      union all
      ${live(sql`r.finished_at is null and r.status = any(${TERMINAL}::text[]) and r.created_at >= ${a}::timestamptz and r.created_at < ${c}::timestamptz`)}
    ) x
    where n > 0
    group by 1, 2 order by 1, 2`;
}
