/**
 * Workspace isolation: two workspaces with data of every kind; the second one's owner calls every
 * procedure of the appRouter, giving the first workspace's ids wherever a procedure takes an id.
 * Nothing of the first comes back, and none of its rows (or queued jobs) change. The procedure
 * list and the inputs are derived from the appRouter, so new procedures are covered as they land.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../../db/client";
import { testDb } from "../../../engine/test/helpers";
import { seedWorkspace, type SeededWorkspace } from "./fixtures";
import { allProcedures, mentionsId, sampleInput, type ProcedureInfo } from "./procedures";
import type { AppCaller } from "./caller";

let db: Db;
let first: SeededWorkspace;
let second: SeededWorkspace;

/** Every row of the first workspace: each table with a workspace_id, its members' user rows, its queued jobs. */
async function snapshot(ws: SeededWorkspace): Promise<Record<string, string[]>> {
  const tables = await db.sql<{ table: string }[]>`
    select table_name as table from information_schema.columns
    where table_schema = 'public' and column_name = 'workspace_id' order by 1`;
  const out: Record<string, string[]> = {};
  for (const { table } of tables) {
    const rows = await db.sql.unsafe<{ row: string }[]>(`select t::text as row from "${table}" t where workspace_id = $1 order by 1`, [ws.workspaceId]);
    out[table] = rows.map((r) => r.row);
  }
  out.workspaces = (await db.sql<{ row: string }[]>`select w::text as row from workspaces w where id = ${ws.workspaceId}`).map((r) => r.row);
  out.users = (await db.sql<{ row: string }[]>`
    select u::text as row from users u where id in (select user_id from memberships where workspace_id = ${ws.workspaceId}) order by 1`).map((r) => r.row);
  const keys = [`tick:${ws.flowId}`, `run:${ws.runId}`, `run:${ws.queuedRunId}`];
  out.jobs = (await db.sql<{ row: string }[]>`
    select concat_ws(' ', key, task_identifier, run_at::text, attempts::text, locked_at::text, last_error) as row
    from graphile_worker.jobs where key = any(${keys}) order by 1`).map((r) => r.row);
  return out;
}

function call(caller: AppCaller, procedure: ProcedureInfo, input: unknown): Promise<unknown> {
  let target: unknown = caller;
  for (const part of procedure.path.split(".")) target = (target as Record<string, unknown>)[part];
  return (target as (input: unknown) => Promise<unknown>)(input);
}

/** Procedures whose inputs name something of a workspace by id. */
function takesId(procedure: ProcedureInfo): boolean {
  const shape = (procedure.input as unknown as { _zod?: { def: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def.shape;
  return Boolean(shape && Object.keys(shape).some(mentionsId));
}

beforeAll(async () => {
  db = testDb();
  first = await seedWorkspace(db, "alpha");
  second = await seedWorkspace(db, "bravo");
});

afterAll(async () => {
  await db?.close();
});

describe("workspace isolation", () => {
  const procedures = allProcedures().filter((p) => p.access !== "public");

  it("covers every id-taking procedure of the appRouter", () => {
    const withIds = procedures.filter(takesId).map((p) => p.path);
    expect(withIds).toEqual(expect.arrayContaining(["flows.get", "flows.save", "runs.get", "runs.replay", "reviews.resolve", "lookups.createTable", "lookups.updateTable", "lookups.upsertRow", "editor.lastOutputs"]));
  });

  it("the second workspace's owner, given the first's ids, gets nothing of it back and changes nothing of it", async () => {
    const before = await snapshot(first);
    const owner = second.members.owner.caller;
    const firstIds = [first.workspaceId, first.flowId, ...first.versionIds, first.runId, first.queuedRunId, first.reviewId, first.tableId, first.connectionId, first.tokenId, first.invitationId];
    const leaks: string[] = [];
    const answered: string[] = [];
    // Reads first, then writes, deletes last: a write that wrongly reached the first workspace must not hide a read that leaks.
    const order = (p: ProcedureInfo) => (p.type === "query" ? 0 : /delete|remove|revoke|leave/i.test(p.path) ? 2 : 1);
    for (const procedure of [...procedures].sort((a, b) => order(a) - order(b))) {
      const input = sampleInput(procedure.input, procedure.path, first.pickId, first.inputs);
      let text: string;
      try {
        text = JSON.stringify(await call(owner, procedure, input)) ?? "";
        answered.push(procedure.path);
        for (const id of firstIds) if (text.includes(id)) leaks.push(`${procedure.path} answered with ${id}`);
      } catch (error) {
        if (!(error instanceof TRPCError)) throw error;
        expect(error.code, `${procedure.path}: ${error.message}`).not.toBe("INTERNAL_SERVER_ERROR");
        text = error.message;
      }
      if (text.includes(first.marker)) leaks.push(`${procedure.path} answered with the first workspace's data: ${text.slice(0, 300)}`);
    }
    expect(leaks).toEqual([]);
    expect(await snapshot(first)).toEqual(before);
    // The calls reached the procedures (they were not all refused at the door).
    expect(answered.length).toBeGreaterThan(10);
  });

  it("a mapping table cannot link another workspace's connection", async () => {
    const editor = second.members.editor.caller;
    await expect(editor.lookups.createTable({ name: "Stolen", kind: "custom", columns: [{ name: "v", label: "V" }], connectionId: first.connectionId })).rejects.toMatchObject({ message: "connection not found" });
    await expect(editor.lookups.updateTable({ tableId: second.tableId, connectionId: first.connectionId })).rejects.toMatchObject({ message: "connection not found" });
    const [table] = await db.sql<{ connectionId: string | null }[]>`select connection_id::text as "connectionId" from lookup_tables where id = ${second.tableId}`;
    expect(table!.connectionId).toBeNull();
    // Its own workspace's connection is fine.
    await editor.lookups.updateTable({ tableId: second.tableId, connectionId: second.connectionId });
    const [linked] = await db.sql<{ connectionId: string | null }[]>`select connection_id::text as "connectionId" from lookup_tables where id = ${second.tableId}`;
    expect(linked!.connectionId).toBe(second.connectionId);
  });

  it("deactivating another workspace's flow leaves its schedule alone", async () => {
    await first.members.editor.caller.flows.save({ flowId: first.flowId, definition: scheduled(first.tableId), note: "every hour" });
    await first.members.editor.caller.flows.activate({ flowId: first.flowId });
    const job = async () => (await db.sql<{ runAt: Date }[]>`select run_at as "runAt" from graphile_worker.jobs where key = ${`tick:${first.flowId}`}`)[0];
    const scheduledAt = await job();
    expect(scheduledAt).toBeDefined();
    await expect(second.members.owner.caller.flows.deactivate({ flowId: first.flowId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await job()).toEqual(scheduledAt);
    const [flow] = await db.sql<{ active: boolean }[]>`select active from flows where id = ${first.flowId}`;
    expect(flow!.active).toBe(true);
  });
});

function scheduled(tableId: string) {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "trigger", type: "core.scheduleTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: { schedule: "0 * * * *" } },
      { id: "dept", type: "core.lookup", typeVersion: 1, position: { x: 200, y: 0 }, config: { tableId, key: "state", target: "department" } },
    ],
    edges: [{ id: "e1", source: "trigger", target: "dept" }],
  };
}
