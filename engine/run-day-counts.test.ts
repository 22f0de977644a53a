/**
 * A flow's runs per day from run_day_counts on real PostgreSQL: always the same figures as a count
 * over runs, before and after a roll-up, for runs that finish after their day was rolled up (also
 * in a transaction open during the roll-up), replays, dry runs and runs retention purges.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, jsonb, type Db } from "../db/client";
import { createFlow } from "./flows";
import { flowStats } from "./flow-queries";
import { prune, setRetention } from "./retention";
import { flowRunsPerDay, rollUpRunDays } from "./run-day-counts";
import { builtInFlow, createLookupTable, createWorkspace, isolatedDatabase, testDb } from "./test/helpers";

let database: Awaited<ReturnType<typeof isolatedDatabase>>;
let db: Db;
let workspaceId: string;
let flowId: string;
let versionId: string;
let otherFlowId: string;

beforeAll(async () => {
  database = await isolatedDatabase();
  db = createDb(database.url, { max: 5 });
  workspaceId = await createWorkspace(db, "Day counts");
  const tableId = await createLookupTable(db, workspaceId, "T", { WA: { value: "x" } });
  ({ flowId, versionId } = await createFlow(db, workspaceId, { name: "counted", definition: builtInFlow(tableId) }));
  ({ flowId: otherFlowId } = await createFlow(db, workspaceId, { name: "other", definition: builtInFlow(tableId) }));
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

let seq = 0;
/**
 * A run created `daysAgo` days ago (fractions keep it off the period's edge), finished a second
 * later unless still going. Only before the first roll-up for finished ones: the engine creates
 * runs now and stamps finished_at = now(), never a time before the last roll-up.
 */
async function run(daysAgo: number, status: string, options: { triggerKind?: string; flow?: string; parent?: string } = {}) {
  const finished = ["queued", "running", "waiting", "awaiting_approval"].includes(status) ? null : db.sql`now() - make_interval(secs => ${daysAgo * 86_400 - 1})`;
  const [row] = await db.sql<{ id: string }[]>`
    insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, record_version, input, status, parent_run_id, created_at, started_at, finished_at)
    values (${workspaceId}, ${options.flow ?? flowId}, ${versionId}, ${options.triggerKind ?? "poll"}, ${`K-${++seq}`}, '1', ${jsonb({ n: seq })}::text::jsonb, ${status},
            ${options.parent ?? null}, now() - make_interval(secs => ${daysAgo * 86_400}), now() - make_interval(secs => ${daysAgo * 86_400}), ${finished})
    returning id::text`;
  return row!.id;
}

/** The figures as a plain count over runs (what the overview showed before run_day_counts). */
async function direct(days: number) {
  return db.sql<{ day: string; status: string; count: number }[]>`
    select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, status, count(*)::int as count
    from runs where workspace_id = ${workspaceId} and flow_id = ${flowId} and created_at > now() - ${`${days} days`}::interval
      and trigger_kind <> 'dry_run'
    group by 1, 2 order by 1, 2`;
}

async function expectSameAsDirect() {
  for (const days of [1, 7, 14, 30, 90]) {
    const fast = await flowRunsPerDay(db, workspaceId, flowId, days);
    expect(fast, `${days} days`).toEqual(await direct(days));
  }
}

/** The finish statement's shape: status and finished_at = now() of its transaction. */
async function finish(runId: string, status: string) {
  await db.sql`update runs set status = ${status}, finished_at = now() where id = ${runId}`;
}

const total = (rows: { count: number }[]) => rows.reduce((n, r) => n + r.count, 0);

describe("run day counts", () => {
  it("gives the same runs per day as a count over runs, through roll-ups, late finishers, replays and retention", async () => {
    const statuses = ["succeeded", "failed", "needs_review", "skipped", "succeeded", "rejected"];
    for (let d = 0; d < 100; d += 3) await run(d + 0.4, statuses[d % statuses.length]!);
    for (const d of [2.3, 5.6, 40.2]) await run(d, "succeeded");
    await run(4.2, "succeeded", { triggerKind: "dry_run" });
    await run(6.1, "dry_run", { triggerKind: "dry_run" });
    await run(8.2, "succeeded", { flow: otherFlowId });
    const late = await run(3.5, "running");
    const waiting = await run(12.5, "waiting");
    const parked = await run(20.5, "awaiting_approval");
    await run(0.1, "queued");
    const failed = await run(9.4, "failed");
    await expectSameAsDirect();

    // Every UTC day from the oldest run's to yesterday: 99 or 100, by the time of day (the oldest is 99.4 days old).
    const [span] = await db.sql<{ days: number }[]>`
      select ((now() at time zone 'UTC')::date - (min(created_at) at time zone 'UTC')::date)::int as days from runs`;
    const first = await rollUpRunDays(db);
    expect(first.days).toBe(span!.days);
    expect(first.days).toBeGreaterThanOrEqual(99);
    const [rows] = await db.sql<{ n: number; runs: number }[]>`
      select count(*)::int as n, coalesce(sum(runs), 0)::int as runs from run_day_counts where flow_id = ${flowId}`;
    // Closed days' finished runs are in the table; dry runs, runs still going and today's are not.
    const [closed] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from runs where flow_id = ${flowId} and trigger_kind <> 'dry_run' and finished_at is not null
        and created_at < date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'`;
    expect(rows!.runs).toBe(closed!.n);
    expect(rows!.runs).toBeGreaterThanOrEqual(34);
    await expectSameAsDirect();
    expect(total(await flowRunsPerDay(db, workspaceId, flowId, 90))).toBe(total(await direct(90)));

    // A transaction left open in another database of the server (the shared test database) cannot
    // write these runs, so it must not hold the roll-up back (other test files do this under load).
    const other = testDb(1);
    const open = await other.sql.reserve();
    await open`begin`;
    await open`select 1`;

    // Runs of rolled-up days finish later: counted live at once, then by the next roll-up.
    await finish(late, "succeeded");
    await finish(waiting, "failed");
    await db.sql`update runs set status = 'rejected', finished_at = now() where id = ${parked}`;
    await expectSameAsDirect();
    const again = await rollUpRunDays(db);
    // finished_before trails the clock by a minute: those three finishes are still read live.
    expect(again).toMatchObject({ days: 0, runs: 0 });
    await expectSameAsDirect();
    // A roll-up without the margin takes them into their days.
    expect((await rollUpRunDays(db, { finishMarginMs: 0 })).runs).toBe(3);
    await open`rollback`;
    open.release();
    await other.close();
    const [after] = await db.sql<{ runs: number }[]>`select sum(runs)::int as runs from run_day_counts where flow_id = ${flowId}`;
    expect(after!.runs).toBe(rows!.runs + 3);
    await expectSameAsDirect();

    // A replay is a new run of today; the replayed run keeps its day and status.
    await run(0, "succeeded", { parent: failed, triggerKind: "replay" });
    await rollUpRunDays(db);
    await expectSameAsDirect();

    // Retention purges runs older than 30 days: their days' counts go with them.
    await setRetention(db, workspaceId, { detailsDays: 10, summaryDays: 30 });
    const pruned = await prune(db, { batchSize: 5 });
    expect(pruned.runs).toBeGreaterThan(10);
    await expectSameAsDirect();
    const [left] = await db.sql<{ runs: number }[]>`
      select coalesce(sum(runs), 0)::int as runs from run_day_counts where flow_id = ${flowId} and day < (now() - interval '31 days')::date`;
    expect(left!.runs).toBe(0);
    await rollUpRunDays(db);
    await expectSameAsDirect();

    // The overview reads them.
    const stats = await flowStats(db, workspaceId, flowId, 90);
    expect(stats.perDay).toEqual(await direct(90));
  });

  it("counts a run whose finish commits after a roll-up that ran while its transaction was open", async () => {
    const runId = await run(2.5, "running");
    await rollUpRunDays(db);
    const writer = createDb(database.url, { max: 1 });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const begun = new Promise<void>((resolve) => (started = resolve));
      // The engine's finish: finished_at = now(), the transaction's start, before the roll-up below.
      const finishing = writer.sql.begin(async (tx) => {
        await tx`update runs set status = 'succeeded', finished_at = now() where id = ${runId}`;
        started();
        await held;
      });
      await begun;
      await new Promise((resolve) => setTimeout(resolve, 50));
      // No margin: only the open transaction's start keeps finished_before from passing the finish.
      await rollUpRunDays(db, { finishMarginMs: 0 });
      release();
      await finishing;
      const [state] = await db.sql<{ before: boolean }[]>`
        select finished_before <= (select finished_at from runs where id = ${runId}) as before from run_day_counts_state`;
      expect(state!.before).toBe(true);
      await expectSameAsDirect();
      await rollUpRunDays(db, { finishMarginMs: 0 });
      await expectSameAsDirect();
    } finally {
      await writer.close();
    }
  });
});
