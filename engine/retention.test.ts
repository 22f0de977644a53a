/**
 * Retention on real PostgreSQL: run details and summaries, audit and webhook events go after the
 * workspace's periods, in batches; the ledger, open review items and runs in progress stay.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonb } from "../db/client";
import { createFlow } from "./flows";
import { prune, setRetention } from "./retention";
import { builtInFlow, createLookupTable, createWorkspace, testDb } from "./test/helpers";

const db = testDb();
let workspaceId: string;
let otherWorkspaceId: string;
let flowId: string;
let versionId: string;

beforeAll(async () => {
  workspaceId = await createWorkspace(db, "Retention");
  otherWorkspaceId = await createWorkspace(db, "Keeps longer");
  const tableId = await createLookupTable(db, workspaceId, "T", { WA: { value: "x" } });
  ({ flowId, versionId } = await createFlow(db, workspaceId, { name: "kept", definition: builtInFlow(tableId) }));
});
afterAll(async () => {
  await db.close();
});

/** A run that finished (or not) `daysAgo` days ago, with one node run carrying details. */
async function runAged(key: string, daysAgo: number, status = "succeeded", ws = workspaceId, flow = flowId, version = versionId) {
  const [run] = await db.sql<{ id: string }[]>`
    insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, record_version, input, status, created_at, started_at, finished_at)
    values (${ws}, ${flow}, ${version}, 'poll', ${key}, '1', ${jsonb({ key })}::text::jsonb, ${status},
            now() - make_interval(days => ${daysAgo + 1}), now() - make_interval(days => ${daysAgo + 1}),
            ${status === "running" ? null : db.sql`now() - make_interval(days => ${daysAgo})`})
    returning id::text`;
  await db.sql`
    insert into node_runs (workspace_id, run_id, node_id, node_type, status, input, output, http_calls, logs)
    values (${ws}, ${run!.id}, 'post', 'core.httpPost', 'succeeded', ${jsonb({ amount: 10 })}::text::jsonb, ${jsonb({ id: "r1" })}::text::jsonb,
            ${jsonb([{ method: "POST", url: "https://api.example/x", requestBody: "x".repeat(1000) }])}::text::jsonb, ${jsonb([{ level: "info", message: "m" }])}::text::jsonb)`;
  return run!.id;
}

async function nodeRun(runId: string) {
  const [row] = await db.sql<{ status: string; input: unknown; output: unknown; http_calls: unknown[]; logs: unknown[] }[]>`
    select status, input, output, http_calls, logs from node_runs where run_id = ${runId}`;
  return row;
}

describe("retention", () => {
  it("prunes details after 90 days and summaries after 400, in batches, keeping the ledger, open reviews and runs in progress", async () => {
    const recent = await runAged("recent", 10);
    const detailsOld = await Promise.all([1, 2, 3].map((i) => runAged(`details-${i}`, 100)));
    const summaryOld = await Promise.all([1, 2, 3].map((i) => runAged(`summary-${i}`, 500)));
    const inReview = await runAged("in-review", 500, "needs_review");
    await db.sql`insert into review_items (workspace_id, run_id, flow_id, node_id, reason_code, reason) values (${workspaceId}, ${inReview}, ${flowId}, 'post', 'lookup_miss', 'No mapping')`;
    const running = await runAged("running", 500, "running");
    const parent = await runAged("replayed", 500, "failed");
    await db.sql`
      insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, record_version, status, parent_run_id)
      values (${workspaceId}, ${flowId}, ${versionId}, 'replay', 'replayed', '1', 'running', ${parent})`;
    await db.sql`
      insert into idempotency_ledger (workspace_id, system, business_key, status, node_type, first_run_id, last_run_id, result)
      values (${workspaceId}, 'http', 'retention:old-posting', 'done', 'core.httpPost', ${summaryOld[0]!}, ${summaryOld[0]!}, ${jsonb({ id: "r1" })}::text::jsonb)`;
    await db.sql`insert into audit_events (workspace_id, actor, action, entity_type, entity_id, at) values
      (${workspaceId}, 'engine', 'run.succeeded', 'run', 'old', now() - interval '500 days'),
      (${workspaceId}, 'engine', 'run.succeeded', 'run', 'new', now() - interval '5 days')`;
    await db.sql`insert into webhook_events (workspace_id, flow_id, node_id, event_id, received_at) values
      (${workspaceId}, ${flowId}, 'hook', 'old-evt', now() - interval '100 days'),
      (${workspaceId}, ${flowId}, 'hook', 'new-evt', now() - interval '1 day')`;
    // Another workspace keeps details for 200 days: its 100-day-old run keeps them.
    await setRetention(db, otherWorkspaceId, { detailsDays: 200, summaryDays: 400 });
    const tableB = await createLookupTable(db, otherWorkspaceId, "T", { WA: { value: "x" } });
    const other = await createFlow(db, otherWorkspaceId, { name: "other", definition: builtInFlow(tableB) });
    const otherRun = await runAged("other-100", 100, "succeeded", otherWorkspaceId, other.flowId, other.versionId);

    const result = await prune(db, { batchSize: 2 });
    expect(result.runDetails).toBeGreaterThanOrEqual(3);
    expect(result.runs).toBeGreaterThanOrEqual(3);

    // Details gone, the node row and the run summary stay.
    for (const id of detailsOld) {
      expect(await nodeRun(id)).toEqual({ status: "succeeded", input: null, output: null, http_calls: [], logs: [] });
      const [run] = await db.sql`select status, details_pruned_at is not null as pruned from runs where id = ${id}`;
      expect(run).toEqual({ status: "succeeded", pruned: true });
    }
    // Summaries gone with their node runs.
    expect(await db.sql`select 1 from runs where id = any(${summaryOld}::uuid[])`).toHaveLength(0);
    expect(await db.sql`select 1 from node_runs where run_id = any(${summaryOld}::uuid[])`).toHaveLength(0);
    // Kept: recent run's details, the open review, the run in progress, the replay's parent, the other workspace's details.
    expect((await nodeRun(recent))!.output).toEqual({ id: "r1" });
    expect((await nodeRun(inReview))!.output).toEqual({ id: "r1" });
    expect((await nodeRun(running))!.output).toEqual({ id: "r1" });
    expect(await db.sql`select 1 from runs where id = ${parent}`).toHaveLength(1);
    expect((await nodeRun(otherRun))!.output).toEqual({ id: "r1" });
    // The ledger is never pruned.
    expect(await db.sql`select status from idempotency_ledger where business_key = 'retention:old-posting'`).toEqual([{ status: "done" }]);
    // Audit and webhook events past their periods.
    expect((await db.sql<{ entity_id: string }[]>`select entity_id from audit_events where workspace_id = ${workspaceId} and entity_type = 'run' and entity_id in ('old', 'new')`).map((r) => r.entity_id)).toEqual(["new"]);
    expect((await db.sql<{ event_id: string }[]>`select event_id from webhook_events where flow_id = ${flowId}`).map((r) => r.event_id)).toEqual(["new-evt"]);

    // A second pass finds nothing more to do for these.
    const again = await prune(db, { batchSize: 2 });
    expect(await db.sql`select 1 from runs where id = ${inReview} or id = ${running}`).toHaveLength(2);
    expect(again.runs).toBe(0);
  });

  it("refuses a retention that keeps summaries shorter than details", async () => {
    await expect(setRetention(db, workspaceId, { detailsDays: 100, summaryDays: 30 })).rejects.toThrow(/at least as long/);
    await expect(setRetention(db, workspaceId, { detailsDays: 0, summaryDays: 30 })).rejects.toThrow();
  });
});
