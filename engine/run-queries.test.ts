/**
 * The runs list's record-key search on real PostgreSQL: whichever way a page is found (among the
 * newest runs, or from the trigram index when few of them match), every page holds the same runs
 * in the same order as a plain query, the count is exact up to 10,000 and capped above, and only
 * the caller's workspace is searched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlow } from "./flows";
import { listRuns, RUN_COUNT_CAP, type RunCursor } from "./run-queries";
import type { RunFilter } from "./run-filter";
import { builtInFlow, createLookupTable, createWorkspace, testDb } from "./test/helpers";

const db = testDb();
let workspaceId: string;

/** Runs one minute apart, the newest `minutesAgo` minutes old; key by `key(g)`, every seventh failed. */
async function runs(ws: string, flow: { flowId: string; versionId: string }, count: number, minutesAgo: number, key: string) {
  await db.sql.unsafe(
    `insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, status, created_at)
     select $1, $2, $3, 'poll', ${key}, case when g % 7 = 0 then 'failed' else 'succeeded' end,
            now() - make_interval(mins => $4 + g)
     from generate_series(1, $5) g`,
    [ws, flow.flowId, flow.versionId, minutesAgo, count],
  );
}

beforeAll(async () => {
  workspaceId = await createWorkspace(db, "Key search");
  const other = await createWorkspace(db, "Key search other");
  const table = await createLookupTable(db, workspaceId, "T", { WA: { value: "x" } });
  const flow = await createFlow(db, workspaceId, { name: "keys", definition: builtInFlow(table) });
  const otherTable = await createLookupTable(db, other, "T", { WA: { value: "x" } });
  const otherFlow = await createFlow(db, other, { name: "keys", definition: builtInFlow(otherTable) });
  // The newest 10,050 runs are invoices; 120 older ones (a month back) share a prefix no new run has.
  await runs(workspaceId, flow, RUN_COUNT_CAP + 50, 0, `'INV-' || g`);
  await runs(workspaceId, flow, 120, 30 * 24 * 60, `'OLD-' || g`);
  await runs(workspaceId, flow, 1, 40 * 24 * 60, `'ZZ-old-77'`);
  await runs(workspaceId, flow, 2, 10, `'50%-off-' || g`);
  await runs(other, otherFlow, 300, 0, `'OLD-' || g`);
});
afterAll(async () => {
  await db.close();
});

/** What a plain query answers: every match newest first, and the count capped as the list caps it. */
async function expected(filter: RunFilter) {
  const rows = await db.sql<{ id: string }[]>`
    select id::text from runs where workspace_id = ${workspaceId} and record_key ilike ${`%${filter.recordKey!.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}
      ${filter.status ? db.sql`and status = any(${filter.status as string[]})` : db.sql``}
    order by created_at desc, id desc`;
  return { ids: rows.map((r) => r.id), total: Math.min(rows.length, RUN_COUNT_CAP + 1) };
}

/** Every page the list gives, following its cursor. */
async function allPages(filter: RunFilter) {
  const ids: string[] = [];
  let cursor: RunCursor | null = null;
  let total: number | null = null;
  let pages = 0;
  do {
    const page: Awaited<ReturnType<typeof listRuns>> = await listRuns(db, workspaceId, filter, { limit: 50, cursor });
    if (pages === 0) total = page.total;
    else expect(page.total).toBeNull();
    ids.push(...page.runs.map((r) => r.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 40);
  return { ids, total, pages };
}

describe("runs list: record-key search", () => {
  it("gives the same runs, pages and counts as a plain query, whether the newest runs match or only old ones", async () => {
    // Most of the newest runs match (found among them); the count is capped.
    const broad = await listRuns(db, workspaceId, { recordKey: "INV-" }, { limit: 50 });
    const all = await expected({ recordKey: "INV-" });
    expect(broad.runs.map((r) => r.id)).toEqual(all.ids.slice(0, 50));
    expect(broad.total).toBe(RUN_COUNT_CAP + 1);

    for (const filter of [
      { recordKey: "INV-1" }, // 1,162 matches, many among the newest runs
      { recordKey: "old-" }, // 120 old runs only, any case (this workspace's; the other has 300)
      { recordKey: "OLD-7" }, // OLD-7, OLD-70..79 and ZZ-old-77 (the middle of a key)
      { recordKey: "INV-1", status: ["failed"] as RunFilter["status"] },
      { recordKey: "50%" }, // a literal percent sign
      { recordKey: "no-such-record" },
    ] satisfies RunFilter[]) {
      const want = await expected(filter);
      const got = await allPages(filter);
      expect(got.ids, JSON.stringify(filter)).toEqual(want.ids);
      expect(got.total, JSON.stringify(filter)).toBe(want.total);
    }
    expect((await expected({ recordKey: "OLD-7" })).ids).toHaveLength(12);
    expect((await expected({ recordKey: "50%" })).ids).toHaveLength(2);
  });
});
