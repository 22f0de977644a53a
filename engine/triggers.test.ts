/**
 * Triggers on real PostgreSQL: signed webhooks (forged and unsigned ones store nothing, redeliveries
 * are dropped), duplicate records, schedules.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlow, activateFlow, deactivateFlow } from "./flows";
import { signWebhook } from "./nodes/triggers";
import { createConnection, createWorkspace, testDb } from "./test/helpers";
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
  const timestamp = String(Math.floor((options.at ?? Date.now()) / 1000));
  return {
    method: "POST",
    rawBody: body,
    query: {},
    headers: {
      "content-type": "application/json",
      "x-ledgerline-timestamp": timestamp,
      "x-ledgerline-signature": signWebhook(options.secret ?? secret, timestamp, body),
      ...(options.eventId ? { "x-ledgerline-event-id": options.eventId } : {}),
    },
  };
}

describe("webhook trigger", () => {
  let flowId: string;
  beforeAll(async () => {
    const connectionId = await createConnection(db, workspaceId, "webhook", "Shop signing secret", {}, { signingSecret: secret });
    const created = await createFlow(db, workspaceId, {
      name: "hook",
      definition: {
        schemaVersion: 1,
        nodes: [
          { id: "hook", type: "core.webhookTrigger", typeVersion: 1, config: { recordKey: "id", recordVersion: "$string(updatedAt)" }, connectionId },
          { id: "map", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "id", expression: "id" }] } },
        ],
        edges: [{ id: "e", source: "hook", target: "map" }],
      },
    });
    expect(created.problems).toEqual([]);
    flowId = created.flowId;
    await activateFlow(db, workspaceId, flowId);
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
    const first = await handleWebhook(db, params, signed(body, { eventId: "evt-1" }));
    expect(first.status).toBe(200);
    expect((first.body as { runs: string[] }).runs).toHaveLength(1);
    const redelivery = await handleWebhook(db, params, signed(body, { eventId: "evt-1" }));
    expect(redelivery.body).toMatchObject({ duplicate: true, runs: [] });
    const sameRecord = await handleWebhook(db, params, signed(body, { eventId: "evt-2" }));
    expect(sameRecord.body).toMatchObject({ duplicate: false, runs: [] });
    const newVersion = await handleWebhook(db, params, signed(JSON.stringify({ id: "ord-2", updatedAt: 6 }), { eventId: "evt-3" }));
    expect((newVersion.body as { runs: string[] }).runs).toHaveLength(1);
    expect(await counts(flowId)).toEqual({ runs: 2, events: 3 });
  });

  it("answers 404 when the flow is not active", async () => {
    await deactivateFlow(db, workspaceId, flowId);
    expect((await handleWebhook(db, { flowId, nodeId: "hook" }, signed("{}"))).status).toBe(404);
    await activateFlow(db, workspaceId, flowId);
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
