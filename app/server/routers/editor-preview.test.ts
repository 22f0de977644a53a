/**
 * The editor's preview through the real tRPC router: a looping expression answers with the time
 * limit's message (the same one a run fails with), and the process stays responsive meanwhile.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeExpressionPool } from "../../../engine/nodes/expression-pool";
import { createLookupTable, createWorkspace, testDb } from "../../../engine/test/helpers";
import { member, type Member } from "../test/caller";

const db = testDb();
let editor: Member;
let tableId: string;

beforeAll(async () => {
  const workspaceId = await createWorkspace(db, "Preview");
  tableId = await createLookupTable(db, workspaceId, "States", { WA: { value: "D-WEST" } });
  editor = await member(db, workspaceId, "editor");
});
afterAll(async () => {
  await closeExpressionPool();
  await db.close();
});

describe("editor.preview", () => {
  it("shows the time limit's message for a looping expression without stalling the server", { timeout: 30_000 }, async () => {
    // The threads start once per process; time the looping expression on a started pool.
    expect(await editor.caller.editor.preview({ expression: "$map([1, 2], function($x) { $x * 2 })", input: {} })).toMatchObject({ ok: true, value: [2, 4] });
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const started = Date.now();
    const answer = await editor.caller.editor.preview({ expression: "($f := function($x){ $f($x) }; $f(1))", input: {} });
    lag.disable();
    expect(answer).toEqual({ ok: false, error: "the expression took longer than 1000 ms (the time limit of an expression)" });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(lag.max / 1e6).toBeLessThan(100);
  });

  it("evaluates with the workspace's mapping rows, in place and in the threads alike", async () => {
    const direct = await editor.caller.editor.preview({ expression: `$mapping("${tableId}", $uppercase(state)).value`, input: { state: "wa" } });
    expect(direct).toMatchObject({ ok: true, value: "D-WEST" });
    const viaFunction = await editor.caller.editor.preview({
      expression: `$map(states, function($s) { $mapping("${tableId}", $uppercase($s)).value })`,
      input: { states: ["wa"] },
    });
    expect(viaFunction).toMatchObject({ ok: true, value: "D-WEST" });
  });
});
