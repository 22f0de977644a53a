/**
 * Triggers on real PostgreSQL: signed webhooks (forged and unsigned ones store nothing, redeliveries
 * are dropped), duplicate records, schedules.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "./audit";
import { updateConnection } from "./connection-admin";
import { setConnectionHealth } from "./connections";
import { createFlow, activateFlow, deactivateFlow, saveVersion } from "./flows";
import { activeWebhookFlow, countingDb, createConnection, createWorkspace, signedWebhookHeaders, testDb } from "./test/helpers";
import { executeRun } from "./executor/run";
import { handleWebhook, tick } from "./triggers";

const db = testDb();
let workspaceId: string;
const secret = "whsec_0123456789abcdef0123";

beforeAll(async () => {
  workspaceId = await createWorkspace(db, "Triggers");
});
afterAll(async () => {
  await db.close();
});

async function counts(flowId: string) {
  const [row] = await db.sql<{ runs: number; events: number }[]>`
    select (select count(*)::int from runs where flow_id = ${flowId}) as runs,
           (select count(*)::int from webhook_events where flow_id = ${flowId}) as events`;
  return row!;
}

function signed(body: string, options: { secret?: string; at?: number; eventId?: string } = {}) {
  return {
    method: "POST",
    rawBody: body,
    query: {},
    headers: {
      ...signedWebhookHeaders(options.secret ?? secret, body, options.at),
      ...(options.eventId ? { "x-ledgerline-event-id": options.eventId } : {}),
    },
  };
}

describe("webhook trigger", () => {
  let flowId: string;
  beforeAll(async () => {
    ({ flowId } = await activeWebhookFlow(db, workspaceId, secret, {
      name: "hook",
      connectionName: "Shop signing secret",
      nodes: [{ id: "map", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "id", expression: "id" }] } }],
    }));
  });

  it("answers 401 to unsigned, forged and stale deliveries and stores nothing", async () => {
    const body = JSON.stringify({ id: "ord-1", updatedAt: 1 });
    const params = { flowId, nodeId: "hook" };
    expect((await handleWebhook(db, params, { method: "POST", rawBody: body, query: {}, headers: {} })).status).toBe(401);
    expect((await handleWebhook(db, params, signed(body, { secret: "whsec_wrong_wrong_wrong_wrong" }))).status).toBe(401);
    const tampered = signed(body);
    tampered.rawBody = JSON.stringify({ id: "ord-1", updatedAt: 2 });
    expect((await handleWebhook(db, params, tampered)).status).toBe(401);
    expect((await handleWebhook(db, params, signed(body, { at: Date.now() - 3_600_000 }))).status).toBe(401);
    expect(await counts(flowId)).toEqual({ runs: 0, events: 0 });
  });

  it("creates one run per delivery and drops redeliveries and duplicate records", async () => {
    const params = { flowId, nodeId: "hook" };
    const body = JSON.stringify({ id: "ord-2", updatedAt: 5 });
    const delivery = signed(body, { at: Date.now() - 2000 });
    const first = await handleWebhook(db, params, delivery);
    expect(first.status).toBe(200);
    expect((first.body as { runs: string[] }).runs).toHaveLength(1);
    // The same signed delivery again, even under another (unsigned) event-id header: dropped as a redelivery.
    const redelivery = await handleWebhook(db, params, { ...delivery, headers: { ...delivery.headers, "x-ledgerline-event-id": "evt-other" } });
    expect(redelivery.body).toMatchObject({ duplicate: true, runs: [] });
    const sameRecord = await handleWebhook(db, params, signed(body));
    expect(sameRecord.body).toMatchObject({ duplicate: false, runs: [] });
    const newVersion = await handleWebhook(db, params, signed(JSON.stringify({ id: "ord-2", updatedAt: 6 })));
    expect((newVersion.body as { runs: string[] }).runs).toHaveLength(1);
    expect(await counts(flowId)).toEqual({ runs: 2, events: 3 });
  });

  it("starts a run on every real change of a record that has no version, and drops unchanged ones", async () => {
    const params = { flowId, nodeId: "hook" };
    const runsOf = async () => (await db.sql<{ n: number }[]>`select count(*)::int as n from runs where flow_id = ${flowId} and record_key = 'cust-9'`)[0]!.n;
    const first = await handleWebhook(db, params, signed(JSON.stringify({ id: "cust-9", name: "Acme", city: "Oslo" }), { at: Date.now() - 3000 }));
    expect((first.body as { runs: string[] }).runs).toHaveLength(1);
    // Same content, keys in another order, signed anew: no new run.
    const same = await handleWebhook(db, params, signed(JSON.stringify({ city: "Oslo", name: "Acme", id: "cust-9" }), { at: Date.now() - 2000 }));
    expect((same.body as { runs: string[] }).runs).toHaveLength(0);
    const changed = await handleWebhook(db, params, signed(JSON.stringify({ id: "cust-9", name: "Acme", city: "Bergen" }), { at: Date.now() - 1000 }));
    expect((changed.body as { runs: string[] }).runs).toHaveLength(1);
    const changedAgain = await handleWebhook(db, params, signed(JSON.stringify({ id: "cust-9", name: "Acme AS", city: "Bergen" })));
    expect((changedAgain.body as { runs: string[] }).runs).toHaveLength(1);
    expect(await runsOf()).toBe(3);
    const versions = await db.sql<{ record_version: string }[]>`select record_version from runs where flow_id = ${flowId} and record_key = 'cust-9'`;
    expect(versions.every((v) => /^sha256:[0-9a-f]{64}$/.test(v.record_version))).toBe(true);
  });

  it("answers 404 when the flow is not active", async () => {
    await deactivateFlow(db, workspaceId, flowId);
    expect((await handleWebhook(db, { flowId, nodeId: "hook" }, signed("{}"))).status).toBe(404);
    await activateFlow(db, workspaceId, flowId);
  });
});

/** The real postgres.js clients of a Db, counting every statement they send. */
describe("webhook intake statements and cache", () => {
  const hookSecret = "whsec_fedcba9876543210fedc";
  const rotated = "whsec_rotated_rotated_rotated_0";
  let flowId: string;
  let connectionId: string;
  const counting = countingDb();
  const hookDefinition = (expression: string) => ({
    schemaVersion: 1 as const,
    nodes: [
      { id: "hook", type: "core.webhookTrigger", typeVersion: 1, config: { recordKey: "id", recordVersion: "$string(updatedAt)" }, connectionId },
      { id: "map", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "id", expression }] } },
    ],
    edges: [{ id: "e", source: "hook", target: "map" }],
  });
  beforeAll(async () => {
    connectionId = await createConnection(db, workspaceId, "webhook", "Counted signing secret", {}, { signingSecret: hookSecret });
    const created = await createFlow(db, workspaceId, { name: "counted hook", definition: hookDefinition("id") });
    expect(created.problems).toEqual([]);
    flowId = created.flowId;
    await activateFlow(db, workspaceId, flowId);
  });
  afterAll(async () => {
    await counting.db.close();
  });

  const deliver = (payload: unknown, options: { secret?: string; eventId?: string } = {}) =>
    handleWebhook(counting.db, { flowId, nodeId: "hook" }, signed(JSON.stringify(payload), { secret: options.secret ?? hookSecret, eventId: options.eventId }));

  it("stores an accepted delivery (event, run and job) in one statement once the flow is known", async () => {
    expect((await deliver({ id: "warm", updatedAt: 1 })).status).toBe(200);
    counting.statements.length = 0;
    const accepted = await deliver({ id: "inv-1", updatedAt: 1 }, { eventId: "evt-count-1" });
    expect(counting.statements).toHaveLength(1);
    expect(accepted.status).toBe(200);
    const runs = (accepted.body as { runs: string[] }).runs;
    expect(runs).toHaveLength(1);
    const [job] = await db.sql<{ key: string; task: string; payload: { runId: string } }[]>`
      select j.key, t.identifier as task, j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where j.key = ${`run:${runs[0]}`}`;
    expect(job).toMatchObject({ task: "ledgerline_run", payload: { runId: runs[0] } });
    const [run] = await db.sql<{ record_key: string; record_version: string; trigger_kind: string; input: unknown }[]>`
      select record_key, record_version, trigger_kind, input from runs where id = ${runs[0]!}`;
    expect(run).toEqual({ record_key: "inv-1", record_version: "1", trigger_kind: "webhook", input: { id: "inv-1", updatedAt: 1 } });

    // A redelivery of the same event id: one statement, nothing new, acknowledged as a duplicate.
    counting.statements.length = 0;
    const again = await deliver({ id: "inv-1", updatedAt: 1 }, { eventId: "evt-count-1" });
    expect(counting.statements).toHaveLength(1);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, runs: [] } });
    expect((await db.sql<{ n: number }[]>`select count(*)::int as n from runs where flow_id = ${flowId} and record_key = 'inv-1'`)[0]!.n).toBe(1);
  });

  it("never accepts a delivery for a deactivated flow from its cache, and follows a newly activated version", async () => {
    expect((await deliver({ id: "inv-2", updatedAt: 1 })).status).toBe(200);
    await deactivateFlow(db, workspaceId, flowId);
    const refused = await deliver({ id: "inv-3", updatedAt: 1 });
    expect(refused.status).toBe(404);
    expect((await db.sql`select 1 from runs where flow_id = ${flowId} and record_key = 'inv-3'`).length).toBe(0);
    const saved = await saveVersion(db, workspaceId, flowId, hookDefinition("$uppercase(id)"), "Uppercase", SYSTEM_ACTOR);
    expect(saved.problems).toEqual([]);
    await activateFlow(db, workspaceId, flowId);
    const [active] = await db.sql<{ id: string }[]>`select active_version_id::text as id from flows where id = ${flowId}`;
    const accepted = await deliver({ id: "inv-3", updatedAt: 1 });
    expect(accepted.status).toBe(200);
    const [run] = await db.sql<{ version: string }[]>`select flow_version_id::text as version from runs where id = ${(accepted.body as { runs: string[] }).runs[0]!}`;
    expect(run!.version).toBe(active!.id);
  });

  it("refuses the old secret and accepts the new one right after the secret is rotated", async () => {
    expect((await deliver({ id: "inv-4", updatedAt: 1 })).status).toBe(200);
    await updateConnection(db, workspaceId, SYSTEM_ACTOR, { id: connectionId, secrets: { signingSecret: rotated } });
    const old = await deliver({ id: "inv-5", updatedAt: 1 });
    expect(old.status).toBe(401);
    expect((await db.sql`select 1 from runs where flow_id = ${flowId} and record_key = 'inv-5'`).length).toBe(0);
    const fresh = await deliver({ id: "inv-5", updatedAt: 1 }, { secret: rotated });
    expect(fresh.status).toBe(200);
    expect((fresh.body as { runs: string[] }).runs).toHaveLength(1);
  });

  it("keeps serving from its cache when only the connection's health changes (a verified delivery marks it ok)", async () => {
    // The secret rotated in the test before.
    expect((await deliver({ id: "inv-6", updatedAt: 1 }, { secret: rotated })).status).toBe(200);
    await setConnectionHealth(db, workspaceId, connectionId, "ok", null);
    counting.statements.length = 0;
    const accepted = await deliver({ id: "inv-7", updatedAt: 1 }, { secret: rotated });
    expect(accepted.status).toBe(200);
    expect((accepted.body as { runs: string[] }).runs).toHaveLength(1);
    expect(counting.statements).toHaveLength(1);
  });
});

describe("a signing secret's health and its runs", () => {
  const hookSecret = "whsec_health_0123456789abcd";
  const counting = countingDb();
  afterAll(async () => {
    await counting.db.close();
  });
  const status = async (connectionId: string) =>
    (await db.sql<{ status: string }[]>`select status from connections where id = ${connectionId}`)[0]!.status;

  it("is marked ok by the first delivery that verifies, not by a forged one, and costs nothing more after that", async () => {
    const { flowId, connectionId } = await activeWebhookFlow(db, workspaceId, hookSecret, {
      name: "health hook",
      connectionName: "Health signing secret",
      nodes: [{ id: "map", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "id", expression: "id" }] } }],
    });
    expect(await status(connectionId)).toBe("untested");
    const forged = await handleWebhook(counting.db, { flowId, nodeId: "hook" }, signed(JSON.stringify({ id: "h-0", updatedAt: 1 }), { secret: "whsec_not_the_secret_at_all" }));
    expect(forged.status).toBe(401);
    expect(await status(connectionId)).toBe("untested");

    expect((await handleWebhook(counting.db, { flowId, nodeId: "hook" }, signed(JSON.stringify({ id: "h-1", updatedAt: 1 }), { secret: hookSecret }))).status).toBe(200);
    expect(await status(connectionId)).toBe("ok");
    counting.statements.length = 0;
    expect((await handleWebhook(counting.db, { flowId, nodeId: "hook" }, signed(JSON.stringify({ id: "h-2", updatedAt: 1 }), { secret: hookSecret }))).status).toBe(200);
    expect(counting.statements).toHaveLength(1);
  });

  it("runs a delivery's flow without reading or decrypting the signing secret", async () => {
    const { flowId } = await activeWebhookFlow(db, workspaceId, hookSecret, {
      name: "unread hook",
      connectionName: "Unread signing secret",
      nodes: [{ id: "map", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "ref", expression: "$uppercase(id)" }] } }],
    });
    const accepted = await handleWebhook(db, { flowId, nodeId: "hook" }, signed(JSON.stringify({ id: "u-1", updatedAt: 1 }), { secret: hookSecret }));
    const [runId] = (accepted.body as { runs: string[] }).runs;
    counting.statements.length = 0;
    expect(await executeRun(counting.db, runId!)).toEqual({ status: "succeeded" });
    expect(counting.statements.filter((s) => /connections/.test(s))).toEqual([]);
    const [map] = await db.sql<{ output: unknown }[]>`select output from node_runs where run_id = ${runId!} and node_id = 'map'`;
    expect(map!.output).toEqual({ ref: "U-1" });
  });
});

describe("schedule trigger", () => {
  it("keeps one tick job per active flow and starts one run per tick", async () => {
    const { flowId } = await createFlow(db, workspaceId, {
      name: "nightly",
      definition: {
        schemaVersion: 1,
        nodes: [
          { id: "cron", type: "core.scheduleTrigger", typeVersion: 1, config: { schedule: "0 2 * * *" } },
          { id: "map", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "at", expression: "scheduledAt" }] } },
        ],
        edges: [{ id: "e", source: "cron", target: "map" }],
      },
    });
    const { nextTickAt } = await activateFlow(db, workspaceId, flowId);
    expect(nextTickAt!.getUTCHours()).toBe(2);
    const jobs = await db.sql<{ run_at: Date }[]>`select run_at from graphile_worker.jobs where key = ${`tick:${flowId}`}`;
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.run_at.getTime()).toBe(nextTickAt!.getTime());

    const at = new Date("2026-11-22T02:00:00Z");
    const result = await tick(db, flowId, at);
    expect(result).toMatchObject({ created: 1, duplicates: 0 });
    expect(result.nextAt!.toISOString()).toBe("2026-11-23T02:00:00.000Z");
    // The same tick delivered twice (a retried job) does not start a second run.
    expect(await tick(db, flowId, at)).toMatchObject({ created: 0, duplicates: 1 });

    await deactivateFlow(db, workspaceId, flowId);
    expect(await db.sql`select 1 from graphile_worker.jobs where key = ${`tick:${flowId}`}`).toHaveLength(0);
  });
});
