/**
 * Poll checkpoints and "Reprocess since <date>" on real PostgreSQL with the Intacct and Avalara
 * sandboxes over HTTP: the checkpoint shows its cursor, last and next tick and pages read; moving
 * it back re-reads the same sales documents, and nothing is run or posted a second time (checked
 * in the sandboxes' own state).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "./audit";
import { describeCheckpoint, reprocessSince } from "./checkpoints";
import { executeRun } from "./executor/run";
import { activateFlow } from "./flows";
import { instantiateTemplate } from "./templates";
import { sandboxConnection, sandboxState, startSandboxes, type Sandboxes } from "./templates/test-helpers";
import { createWorkspace, testDb } from "./test/helpers";
import { tick } from "./triggers";

const db = testDb();
let sb: Sandboxes;
let workspaceId: string;
let flowId: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;
/** Everything the flow wrote: every Intacct record of the demo company, every Avalara document. */
async function posted(): Promise<{ intacct: number; avalara: number }> {
  const company: Rec = (await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"];
  const intacct = Object.entries(company.records as Record<string, unknown[]>)
    .filter(([object]) => !["SODOCUMENT", "ARINVOICE", "CUSTOMER", "VENDOR", "GLACCOUNT", "LOCATION", "DEPARTMENT", "CLASS", "ITEM"].includes(object))
    .reduce((n, [, rows]) => n + rows.length, 0);
  return { intacct, avalara: ((await sandboxState(sb.urls.avalara)).documents as unknown[]).length };
}

async function runsOf(): Promise<{ id: string; status: string }[]> {
  return db.sql<{ id: string; status: string }[]>`select id::text, status from runs where flow_id = ${flowId} order by created_at`;
}

beforeAll(async () => {
  sb = await startSandboxes();
  workspaceId = await createWorkspace(db, "Checkpoints");
  await sandboxConnection(db, workspaceId, "intacct", sb.urls.intacct);
  await sandboxConnection(db, workspaceId, "avalara", sb.urls.avalara);
  flowId = (await instantiateTemplate(db, workspaceId, "intacct-sales-avalara-gl", { demo: true })).flowId;
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

describe("poll checkpoints", () => {
  it("shows nothing read before the first poll, then the cursor, last and next tick and pages read", async () => {
    expect(await describeCheckpoint(db, workspaceId, flowId)).toMatchObject({ nodeId: "sale", active: false, cursor: null, pagesRead: 0, lastPolledAt: null, nextTickAt: null, canReprocess: true });
    await activateFlow(db, workspaceId, flowId, undefined, SYSTEM_ACTOR);
    const polled = await tick(db, flowId);
    expect(polled.error).toBeUndefined();
    expect(polled.created).toBeGreaterThan(0);
    const view = (await describeCheckpoint(db, workspaceId, flowId))!;
    expect(view).toMatchObject({ active: true, current: true, pagesRead: polled.pages, recordsSeen: polled.created, lastError: null });
    expect(view.cursor).toMatchObject({ v: 1, since: expect.stringMatching(/^\d{2}\/\d{2}\/\d{4} /) });
    expect(view.lastPolledAt).toBeInstanceOf(Date);
    expect(view.nextTickAt!.getTime()).toBeGreaterThan(Date.now());
    // Another workspace sees no such flow.
    const stranger = await createWorkspace(db, "Checkpoint stranger");
    await expect(describeCheckpoint(db, stranger, flowId)).rejects.toThrow("flow not found");
  });

  it("reprocess since a date re-reads the documents and posts nothing twice", async () => {
    for (const run of await runsOf()) await executeRun(db, run.id);
    const runsBefore = await runsOf();
    const before = await posted();
    expect(before.intacct + before.avalara).toBeGreaterThan(0);
    const quiet = await tick(db, flowId);
    expect(quiet.created).toBe(0);

    const since = new Date(Date.now() - 40 * 86_400_000);
    const moved = await reprocessSince(db, workspaceId, flowId, since, SYSTEM_ACTOR);
    expect(moved.cursor).toMatchObject({ seen: [] });
    // The next tick is due now.
    expect((await describeCheckpoint(db, workspaceId, flowId))!.nextTickAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const reread = await tick(db, flowId);
    expect(reread.error).toBeUndefined();
    expect(reread.duplicates).toBe(runsBefore.length);
    expect(reread.created).toBe(0);
    expect(await runsOf()).toEqual(runsBefore);
    expect(await posted()).toEqual(before);
    const [audit] = await db.sql<{ data: Rec }[]>`select data from audit_events where entity_id = ${flowId} and action = 'trigger.reprocess_since'`;
    expect(audit!.data).toMatchObject({ nodeId: "sale", since: since.toISOString() });
  });

  it("refuses a date in the future and a flow whose trigger does not poll", async () => {
    await expect(reprocessSince(db, workspaceId, flowId, new Date(Date.now() + 86_400_000), SYSTEM_ACTOR)).rejects.toThrow("in the future");
    // The Exact webhook flow (saved as a draft: this workspace has no Exact connection).
    const { flowId: webhookFlow } = await instantiateTemplate(db, workspaceId, "exact-invoice-avalara-journal", { demo: true });
    expect(await describeCheckpoint(db, workspaceId, webhookFlow)).toBeNull();
    await expect(reprocessSince(db, workspaceId, webhookFlow, new Date(0), SYSTEM_ACTOR)).rejects.toThrow("does not poll");
  });
});
