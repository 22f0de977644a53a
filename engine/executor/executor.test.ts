import { jsonb } from "../../db/client";
/**
 * The executor against a real PostgreSQL: graph order, branches, checkpoints and resume, retries
 * with Retry-After, the idempotency ledger, review then replay.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlow, dryRun } from "../flows";
import { createRuns, replayRun, resolveReview } from "../runs";
import { builtInFlow, createLookupTable, createWorkspace, nodeRuns, runRow, startIdempotentApi, testDb, type IdempotentApi } from "../test/helpers";
import { executeRun } from "./run";

const db = testDb();
let workspaceId: string;
let tableId: string;
let api: IdempotentApi;

beforeAll(async () => {
  workspaceId = await createWorkspace(db, "Executor");
  tableId = await createLookupTable(db, workspaceId, "State to department", { WA: { value: "D-WEST" }, NY: { value: "D-EAST" } });
  api = await startIdempotentApi();
});
afterAll(async () => {
  await api.close();
  await db.close();
});

const invoice = (region: string, number = "INV-1", amount = 100) => ({ number, address: { region }, lines: [{ amount }, { amount: amount / 2 }] });

async function startRun(flowId: string, versionId: string, data: unknown, key = `rec-${Math.random()}`) {
  const { created } = await db.sql.begin((tx) => createRuns(tx, { workspaceId, flowId, versionId, triggerKind: "manual" }, [{ key, version: "1", data }], { enqueue: false }));
  return created[0]!;
}

describe("executor", () => {
  it("runs nodes in graph order and persists each node's input and output", async () => {
    const { flowId, versionId, problems } = await createFlow(db, workspaceId, { name: "order", definition: builtInFlow(tableId) });
    expect(problems).toEqual([]);
    const runId = await startRun(flowId, versionId, invoice("wa"));
    expect(await executeRun(db, runId)).toEqual({ status: "succeeded" });
    const rows = await nodeRuns(db, runId);
    expect(rows.map((r) => [r.node_id, r.status])).toEqual([
      ["trigger", "succeeded"],
      ["map", "succeeded"],
      ["dept", "succeeded"],
      ["big", "succeeded"],
    ]);
    expect(rows[2]!.output).toEqual({ invoice: "INV-1", state: "WA", amount: 150, department: { key: "WA", value: "D-WEST" } });
  });

  it("ends as skipped when a filter does not match", async () => {
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "filtered", definition: builtInFlow(tableId) });
    const runId = await startRun(flowId, versionId, invoice("ny", "INV-0", 0));
    expect((await executeRun(db, runId)).status).toBe("skipped");
    expect((await nodeRuns(db, runId)).at(-1)!.status).toBe("skipped");
  });

  it("follows only the branch that matched", async () => {
    const definition = {
      schemaVersion: 1 as const,
      nodes: [
        { id: "t", type: "core.manualTrigger", typeVersion: 1, config: {} },
        { id: "br", type: "core.branch", typeVersion: 1, config: { condition: "country = 'US'" } },
        { id: "us", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "path", expression: "'domestic'" }] } },
        { id: "eu", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "path", expression: "'export'" }] } },
      ],
      edges: [
        { id: "a", source: "t", target: "br" },
        { id: "b", source: "br", sourceHandle: "true", target: "us" },
        { id: "c", source: "br", sourceHandle: "false", target: "eu" },
      ],
    };
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "branch", definition });
    const us = await startRun(flowId, versionId, { country: "US" });
    await executeRun(db, us);
    expect((await nodeRuns(db, us)).map((r) => r.node_id)).toEqual(["t", "br", "us"]);
    const eu = await startRun(flowId, versionId, { country: "DE" });
    await executeRun(db, eu);
    expect((await nodeRuns(db, eu)).map((r) => r.node_id)).toEqual(["t", "br", "eu"]);
  });

  it("parks a run for review on a missing mapping, then replays it after the mapping is added", async () => {
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "review", definition: builtInFlow(tableId) });
    const runId = await startRun(flowId, versionId, invoice("tx", "INV-TX"));
    expect((await executeRun(db, runId)).status).toBe("needs_review");
    const run = await runRow(db, runId);
    expect(run).toMatchObject({ status: "needs_review", failed_node_id: "dept", error_kind: "needs_review" });
    expect(run.error!.message).toBe('No mapping for "TX" in the mapping table');
    const [item] = await db.sql<{ id: string; reason_code: string; details: { missing: string[]; tableId: string } }[]>`
      select id::text, reason_code, details from review_items where run_id = ${runId}`;
    expect(item).toMatchObject({ reason_code: "lookup_miss", details: { missing: ["TX"], tableId } });

    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${workspaceId}, ${tableId}, 'TX', ${jsonb({ value: "D-SOUTH" })}::text::jsonb)`;
    const replayId = await resolveReview(db, workspaceId, item!.id);
    expect((await executeRun(db, replayId)).status).toBe("succeeded");
    const rows = await nodeRuns(db, replayId);
    // Replayed from the start: the record and its mappings are read again.
    expect(rows.map((r) => [r.node_id, r.status])).toEqual([
      ["trigger", "succeeded"],
      ["map", "succeeded"],
      ["dept", "succeeded"],
      ["big", "succeeded"],
    ]);
    expect(rows[2]!.output).toMatchObject({ department: { key: "TX", value: "D-SOUTH" } });
    const [resolved] = await db.sql`select status, replay_run_id::text from review_items where id = ${item!.id}`;
    expect(resolved).toEqual({ status: "resolved", replay_run_id: replayId });
  });

  it("retries a 429 after the Retry-After the API asked for, and posts once", async () => {
    const definition = builtInFlow(tableId);
    definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, config: { url: api.url, keyPath: "invoice" } });
    definition.edges.push({ id: "e4", source: "big", target: "post" });
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "post", definition });
    api.script.push({ status: 429, headers: { "retry-after": "1" } }, { status: 503 });
    const runId = await startRun(flowId, versionId, invoice("wa", "INV-RETRY"));
    const started = Date.now();
    expect((await executeRun(db, runId)).status).toBe("succeeded");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const post = (await nodeRuns(db, runId)).find((r) => r.node_id === "post")!;
    expect(post.attempt).toBe(3);
    expect(post.attempts[0]!.delayMs).toBeGreaterThanOrEqual(1000);
    expect(post.attempts[0]!.error).toMatchObject({ kind: "retryable", message: "POST answered 429" });
    expect(post.http_calls).toHaveLength(3);
    expect(api.created.has(`127.0.0.1:${new URL(api.url).port}:INV-RETRY`)).toBe(true);

    // The same record again (a duplicate trigger with a new version): the ledger answers, nothing is sent.
    const before = api.requests.length;
    const again = await startRun(flowId, versionId, invoice("wa", "INV-RETRY"));
    await executeRun(db, again);
    const repeat = (await nodeRuns(db, again)).find((r) => r.node_id === "post")!;
    expect(repeat.status).toBe("already_done");
    expect(repeat.output).toEqual(post.output);
    expect(api.requests.length).toBe(before);
  });

  it("reschedules instead of sleeping when the wait is long", async () => {
    const definition = builtInFlow(tableId);
    definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, config: { url: api.url, keyPath: "invoice" } });
    definition.edges.push({ id: "e4", source: "big", target: "post" });
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "long wait", definition });
    api.script.push({ status: 429, headers: { "retry-after": "120" } });
    const runId = await startRun(flowId, versionId, invoice("wa", "INV-LATER"));
    const result = await executeRun(db, runId);
    expect(result.status).toBe("waiting");
    expect(result.rescheduleAt!.getTime() - Date.now()).toBeGreaterThan(110_000);
    expect((await nodeRuns(db, runId)).find((r) => r.node_id === "post")!.status).toBe("retrying");
    // The next job resumes at the post node: earlier nodes are not executed again.
    const seqBefore = (await nodeRuns(db, runId)).map((r) => [r.node_id, r.seq]);
    expect((await executeRun(db, runId)).status).toBe("succeeded");
    const after = await nodeRuns(db, runId);
    expect(after.map((r) => [r.node_id, r.seq])).toEqual(seqBefore);
    expect(after.find((r) => r.node_id === "post")!.attempt).toBe(2);
  });

  it("does not post twice when a response is lost after the write was applied", async () => {
    const definition = builtInFlow(tableId);
    definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, config: { url: api.url, keyPath: "invoice" } });
    definition.edges.push({ id: "e4", source: "big", target: "post" });
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "lost response", definition });
    api.script.push({ status: 200, applyThenDrop: true });
    const runId = await startRun(flowId, versionId, invoice("ny", "INV-LOST"));
    expect((await executeRun(db, runId)).status).toBe("succeeded");
    const key = `127.0.0.1:${new URL(api.url).port}:INV-LOST`;
    expect(api.requests.filter((r) => r.key === key)).toHaveLength(2);
    expect([...api.created.keys()].filter((k) => k === key)).toHaveLength(1);
    const post = (await nodeRuns(db, runId)).find((r) => r.node_id === "post")!;
    expect(post.attempts[0]!.error).toMatchObject({ kind: "retryable" });
  });

  it("replays a failed run from the start or from the failed node", async () => {
    const definition = builtInFlow(tableId);
    definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, config: { url: api.url, keyPath: "invoice" } });
    definition.edges.push({ id: "e4", source: "big", target: "post" });
    definition.settings = { retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, maxTotalDelayMs: 0 }, concurrency: 5 };
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "replay", definition });
    api.script.push({ status: 400 });
    const runId = await startRun(flowId, versionId, invoice("wa", "INV-REPLAY"));
    expect((await executeRun(db, runId)).status).toBe("failed");
    expect(await runRow(db, runId)).toMatchObject({ failed_node_id: "post", error_kind: "permanent" });

    const fromFailed = await replayRun(db, workspaceId, runId, { from: "failed", version: "own" });
    expect((await executeRun(db, fromFailed)).status).toBe("succeeded");
    const fromStart = await replayRun(db, workspaceId, runId, { from: "start", version: "latest" });
    expect((await executeRun(db, fromStart)).status).toBe("succeeded");
    const startRows = await nodeRuns(db, fromStart);
    expect(startRows.map((r) => r.node_id)).toEqual(["trigger", "map", "dept", "big", "post"]);
    expect(startRows.at(-1)!.status).toBe("already_done");
    const key = `127.0.0.1:${new URL(api.url).port}:INV-REPLAY`;
    expect([...api.created.keys()].filter((k) => k === key)).toHaveLength(1);
  });

  it("dry-runs reads and transforms and stops before the first write", async () => {
    const definition = builtInFlow(tableId);
    definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, config: { url: api.url, keyPath: "invoice" } });
    definition.edges.push({ id: "e4", source: "big", target: "post" });
    const { flowId } = await createFlow(db, workspaceId, { name: "dry", definition });
    const before = api.requests.length;
    const runId = await dryRun(db, workspaceId, flowId, invoice("wa", "INV-DRY"));
    expect((await runRow(db, runId)).status).toBe("dry_run");
    const post = (await nodeRuns(db, runId)).find((r) => r.node_id === "post")!;
    expect(post).toMatchObject({ status: "dry_run", output: { wouldSend: { invoice: "INV-DRY", state: "WA", amount: 150 } } });
    expect(api.requests.length).toBe(before);
  });
});

describe("interruptions", () => {
  it("a database error recording a successful post does not fail the run: the key stays pending and the resumed run posts nothing more", async () => {
    const definition = builtInFlow(tableId);
    definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, config: { url: api.url, keyPath: "invoice" } });
    definition.edges.push({ id: "e4", source: "big", target: "post" });
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "ledger refuses", definition });
    const number = `INV-MARKDONE-${Math.random().toString(36).slice(2, 8)}`;
    const key = `127.0.0.1:${new URL(api.url).port}:${number}`;
    // A real database error on the ledger's "done" transition for this key only.
    const fn = `refuse_${number.replace(/\W/g, "_").toLowerCase()}`;
    await db.sql.unsafe(`create function ${fn}() returns trigger language plpgsql as $$
      begin if new.status = 'done' and new.business_key = '${key}' then raise exception 'disk full (test)'; end if; return new; end $$`);
    await db.sql.unsafe(`create trigger ${fn} before update on idempotency_ledger for each row execute function ${fn}()`);
    const runId = await startRun(flowId, versionId, invoice("wa", number));
    let result;
    try {
      result = await executeRun(db, runId);
    } finally {
      await db.sql.unsafe(`drop trigger ${fn} on idempotency_ledger; drop function ${fn}()`);
    }
    expect(result.status).toBe("waiting");
    expect(result.rescheduleAt).toBeInstanceOf(Date);
    expect((await runRow(db, runId)).status).toBe("waiting");
    const [pending] = await db.sql`select status from idempotency_ledger where business_key = ${key}`;
    expect(pending).toEqual({ status: "pending" });
    expect([...api.created.keys()].filter((k) => k === key)).toHaveLength(1);

    expect((await executeRun(db, runId)).status).toBe("succeeded");
    expect([...api.created.keys()].filter((k) => k === key)).toHaveLength(1);
    const [done] = await db.sql`select status from idempotency_ledger where business_key = ${key}`;
    expect(done).toEqual({ status: "done" });
    expect(await db.sql`select 1 from audit_events where run_id = ${runId} and action = 'run.failed'`).toHaveLength(0);
  });

  it("a run whose lease is held by another live claim is not claimed again", async () => {
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "leased", definition: builtInFlow(tableId) });
    const runId = await startRun(flowId, versionId, invoice("wa", "INV-LEASED"));
    await db.sql`update runs set status = 'running', lease_token = gen_random_uuid(), lease_expires_at = now() + interval '1 minute' where id = ${runId}`;
    const result = await executeRun(db, runId);
    expect(result.status).toBe("running");
    expect(result.rescheduleAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(await nodeRuns(db, runId)).toHaveLength(0);
    // Once that lease has expired, the run is claimed under a new token and runs.
    await db.sql`update runs set lease_expires_at = now() - interval '1 second' where id = ${runId}`;
    expect((await executeRun(db, runId)).status).toBe("succeeded");
  });
});

describe("input safety", () => {
  it("refuses __proto__, prototype and constructor targets when saving and at run time", async () => {
    for (const target of ["__proto__.polluted", "a.constructor.prototype.polluted", "prototype"]) {
      const { problems } = await createFlow(db, workspaceId, {
        name: `proto ${target}`,
        definition: {
          schemaVersion: 1,
          nodes: [
            { id: "t", type: "core.manualTrigger", typeVersion: 1, config: {} },
            { id: "m", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target, expression: "'yes'" }] } },
          ],
          edges: [{ id: "e", source: "t", target: "m" }],
        },
      });
      expect(problems.map((p) => p.message).join(" ")).toMatch(/__proto__, prototype and constructor cannot be field names/);
    }
    // A version stored before the check existed is refused when it runs, and nothing reaches Object.prototype.
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "proto at run time", definition: builtInFlow(tableId) });
    const [stored] = await db.sql<{ definition: { nodes: { id: string; config: { fields: { target: string; expression: string }[] } }[] } }[]>`
      select definition from flow_versions where id = ${versionId}`;
    stored!.definition.nodes.find((n) => n.id === "map")!.config.fields.push({ target: "__proto__.polluted", expression: "'yes'" });
    const [bad] = await db.sql<{ id: string }[]>`
      insert into flow_versions (workspace_id, flow_id, version, definition)
      values (${workspaceId}, ${flowId}, 99, ${jsonb(stored!.definition)}::text::jsonb) returning id::text`;
    const runId = await startRun(flowId, bad!.id, invoice("wa", "INV-PROTO"));
    expect((await executeRun(db, runId)).status).toBe("failed");
    expect((await runRow(db, runId)).error!.message).toMatch(/__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("builds outputs without prototypes to reach, and reads key paths from own fields only", async () => {
    const { setPath } = await import("../nodes/expressions");
    const target: Record<string, unknown> = {};
    expect(() => setPath(target, "__proto__.x", 1)).toThrow(/__proto__ cannot be a field name/);
    expect(() => setPath(target, "a.constructor", 1)).toThrow(/constructor cannot be a field name/);
    setPath(target, "address.city", "Oslo");
    expect(Object.getPrototypeOf(target.address)).toBeNull();
    const definition = builtInFlow(tableId);
    definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, config: { url: api.url, keyPath: "constructor.name" } });
    definition.edges.push({ id: "e4", source: "big", target: "post" });
    const { problems } = await createFlow(db, workspaceId, { name: "key path", definition });
    expect(problems.map((p) => p.message).join(" ")).toMatch(/cannot be field names/);
  });
});

describe("expressions", () => {
  it("fail a run whose expression never ends within the flow's limit, naming the node and the field", async () => {
    const definition = builtInFlow(tableId);
    const map = definition.nodes.find((n) => n.id === "map")!;
    (map.config as { fields: { target: string; expression: string }[] }).fields.push({ target: "loop", expression: "($f := function($x){ $f($x) }; $f(1))" });
    definition.settings = { expressionTimeoutMs: 500 };
    const { flowId, versionId, problems } = await createFlow(db, workspaceId, { name: "looping", definition });
    expect(problems).toEqual([]);
    const runId = await startRun(flowId, versionId, invoice("wa", "INV-LOOP"));
    const started = Date.now();
    expect((await executeRun(db, runId)).status).toBe("failed");
    expect(Date.now() - started).toBeLessThan(3000);
    const run = await runRow(db, runId);
    expect(run).toMatchObject({ failed_node_id: "map", error_kind: "permanent" });
    expect(run.error!.message).toBe('node map, field "loop": the expression took longer than 500 ms (the time limit of an expression)');
  });

  it("read mapping rows from the expression threads too (an expression with a function runs there)", async () => {
    const definition = {
      schemaVersion: 1 as const,
      nodes: [
        { id: "t", type: "core.manualTrigger", typeVersion: 1, config: {} },
        {
          id: "m",
          type: "core.mapFields",
          typeVersion: 1,
          config: { fields: [{ target: "departments", expression: `$map(states, function($s) { $mapping("${tableId}", $uppercase($s)).value })` }] },
        },
      ],
      edges: [{ id: "e", source: "t", target: "m" }],
    };
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "mapping in threads", definition });
    const runId = await startRun(flowId, versionId, { states: ["wa", "ny", "zz"] });
    expect((await executeRun(db, runId)).status).toBe("succeeded");
    expect((await nodeRuns(db, runId)).at(-1)!.output).toEqual({ departments: ["D-WEST", "D-EAST"] });
  });

  it("refuse a result larger than the cap", async () => {
    const { evaluate } = await import("../nodes/expressions");
    await expect(evaluate("$pad('x', 2000000)", null, { trigger: null, nodes: {}, lookup: async () => undefined }, "big")).rejects.toThrow(
      /big: the expression gave a result of 2000002 bytes, more than the 1000000 allowed/,
    );
  });

  it("read mapping rows with $mapping and keep JSONata's own $lookup", async () => {
    const definition = {
      schemaVersion: 1 as const,
      nodes: [
        { id: "t", type: "core.manualTrigger", typeVersion: 1, config: {} },
        {
          id: "m",
          type: "core.mapFields",
          typeVersion: 1,
          config: {
            fields: [
              { target: "department", expression: `$mapping("${tableId}", $uppercase(state)).value` },
              { target: "missing", expression: `$mapping("${tableId}", "ZZ")` },
              { target: "picked", expression: `$lookup(amounts, "net")` },
            ],
          },
        },
      ],
      edges: [{ id: "e", source: "t", target: "m" }],
    };
    const { flowId, versionId } = await createFlow(db, workspaceId, { name: "expressions", definition });
    const runId = await startRun(flowId, versionId, { state: "ny", amounts: { net: 42 } });
    expect((await executeRun(db, runId)).status).toBe("succeeded");
    expect((await nodeRuns(db, runId)).at(-1)!.output).toEqual({ department: "D-EAST", missing: null, picked: 42 });
  });
});
