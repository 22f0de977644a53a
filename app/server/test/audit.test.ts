/**
 * The audit trail through the routers: who (user or token, with IP), what and what changed;
 * never a secret value; the Audit page's filters and keyset paging.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../../db/client";
import { decryptJson } from "../../../db/crypto";
import { recordAudit } from "../../../engine/audit";
import { builtInFlow, testDb } from "../../../engine/test/helpers";
import { createCaller, tokenContextFor } from "./caller";
import { seedWorkspace, type SeededWorkspace } from "./fixtures";

let db: Db;
let ws: SeededWorkspace;

beforeAll(async () => {
  db = testDb();
  ws = await seedWorkspace(db, "audit");
});

afterAll(async () => {
  await db?.close();
});

describe("audit events", () => {
  it("name the user, the IP and what changed", async () => {
    const editor = ws.members.editor;
    await editor.caller.flows.update({ flowId: ws.flowId, name: "Renamed invoices" });
    const { events } = await ws.members.admin.caller.audit.list({ entityType: "flow", entityId: ws.flowId, action: "flow.updated" });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor: editor.user.email,
      actorKind: "user",
      actorUserId: editor.user.id,
      actorTokenId: null,
      ip: "203.0.113.7",
      entityType: "flow",
      entityId: ws.flowId,
      data: { changes: { name: { from: `Flow ${ws.marker}`, to: "Renamed invoices" } } },
    });
  });

  it("name the token and the user behind it", async () => {
    const token = createCaller(await tokenContextFor(db, ws.tokenId));
    const { runId } = await token.runs.replay({ runId: ws.runId, from: "start", version: "own" });
    const { events } = await ws.members.admin.caller.audit.list({ entityType: "run", entityId: ws.runId, action: "run.replayed" });
    expect(events[0]).toMatchObject({
      actor: `token:CI ${ws.marker} (${ws.members.admin.user.email})`,
      actorKind: "token",
      actorTokenId: ws.tokenId,
      actorUserId: ws.members.admin.user.id,
      ip: "203.0.113.9",
      runId,
      data: { from: "start", version: "own", replayRunId: runId },
    });
  });

  it("are written by each change to flows, mapping tables, reviews and runs, by the person who made it", async () => {
    const { editor, operator } = ws.members;
    const [{ last } = { last: 0 }] = await db.sql<{ last: number }[]>`select coalesce(max(id), 0)::int as last from audit_events`;
    const created = await editor.caller.flows.create({ name: "Audited flow" });
    await editor.caller.flows.save({ flowId: created!.flowId, definition: builtInFlow(ws.tableId), note: "v2" });
    await editor.caller.flows.activate({ flowId: created!.flowId });
    await editor.caller.flows.deactivate({ flowId: created!.flowId });
    await operator.caller.flows.runNow({ flowId: created!.flowId, data: { number: "A-1" } });
    await editor.caller.lookups.upsertRow({ tableId: ws.tableId, row: { key: "TX", values: { value: "D-SOUTH" } } });
    await editor.caller.lookups.upsertRow({ tableId: ws.tableId, row: { key: "TX", values: { value: "D-TEXAS" } } });
    await editor.caller.lookups.deleteRows({ tableId: ws.tableId, keys: ["TX"] });
    await editor.caller.lookups.importRows({ tableId: ws.tableId, rows: [{ key: "OR", values: { value: "D-WEST" } }], mode: "merge" });
    const table = await editor.caller.lookups.createTable({ name: "Cost centers", kind: "cost_center", columns: [{ name: "value", label: "Value" }], connectionId: ws.connectionId });
    await editor.caller.lookups.updateTable({ tableId: table!.id, description: "Per region" });
    await editor.caller.lookups.deleteTable({ tableId: table!.id });
    await operator.caller.reviews.dismiss({ ids: [ws.reviewId] });
    await editor.caller.flows.delete({ flowId: created!.flowId });

    const { events } = await ws.members.admin.caller.audit.list({ limit: 200 });
    const mine = events.filter((e) => e.id > last && (e.actorUserId === editor.user.id || e.actorUserId === operator.user.id));
    const actions = mine.map((e) => `${e.actor === editor.user.email ? "editor" : "operator"} ${e.action}`).reverse();
    expect(actions).toEqual(
      expect.arrayContaining([
        "editor flow.created",
        "editor flow.saved",
        "editor flow.activated",
        "editor flow.deactivated",
        "operator flow.run_now",
        "editor lookup_row.created",
        "editor lookup_row.updated",
        "editor lookup_row.deleted",
        "editor lookup_rows.imported",
        "editor lookup_table.created",
        "editor lookup_table.updated",
        "editor lookup_table.deleted",
        "operator review.dismissed",
        "editor flow.deleted",
      ]),
    );
    const updated = mine.find((e) => e.action === "lookup_row.updated");
    expect(updated!.data).toMatchObject({ key: "TX", changes: { value: { from: "D-SOUTH", to: "D-TEXAS" } } });
    for (const e of mine) expect(e.ip).toBe("203.0.113.7");
  });

  it("never hold a secret value", async () => {
    await recordAudit(db.sql, ws.workspaceId, { label: "test", kind: "system" }, {
      action: "connection.updated",
      entityType: "connection",
      entityId: ws.connectionId,
      data: { changes: { licenseKey: { from: "old-licence-value", to: "new-licence-value" }, name: { from: "a", to: "b" } }, secrets: { password: "pw-value-123" } },
    });
    const { events } = await ws.members.admin.caller.audit.list({ entityType: "connection", entityId: ws.connectionId });
    expect(events[0]!.data).toEqual({ changes: { licenseKey: "[redacted]", name: { from: "a", to: "b" } }, secrets: "[redacted]" });
    // No event of the workspace quotes any of its connections' secrets.
    const connections = await db.sql<{ secretsEnc: string }[]>`select secrets_enc as "secretsEnc" from connections where workspace_id = ${ws.workspaceId}`;
    const secrets = connections.flatMap((c) => Object.values(decryptJson<Record<string, string>>(c.secretsEnc))).filter((v) => typeof v === "string" && v.length >= 6);
    expect(secrets.length).toBeGreaterThan(0);
    const all = await db.sql<{ data: string }[]>`select coalesce(data::text, '') as data from audit_events where workspace_id = ${ws.workspaceId}`;
    for (const secret of secrets) for (const row of all) expect(row.data).not.toContain(secret);
  });

  it("filter by actor, entity and time, and page by keyset without gaps or repeats", async () => {
    const admin = ws.members.admin.caller;
    const viewer = ws.members.viewer;
    const start = new Date(Date.now() - 1000);
    // Five in one transaction share their timestamp (to the microsecond): paging must not lose them.
    await db.sql.begin(async (tx) => {
      for (let i = 0; i < 5; i++) await recordAudit(tx, ws.workspaceId, { label: viewer.user.email, kind: "user", userId: viewer.user.id, ip: "192.0.2.1" }, { action: "test.event", entityType: "probe", entityId: String(i) });
    });
    for (let i = 5; i < 7; i++) {
      await recordAudit(db.sql, ws.workspaceId, { label: viewer.user.email, kind: "user", userId: viewer.user.id, ip: "192.0.2.1" }, { action: "test.event", entityType: "probe", entityId: String(i) });
    }
    const seen: number[] = [];
    let cursor: number | null = null;
    let pages = 0;
    do {
      const page: { events: { id: number; entityId: string }[]; nextCursor: number | null } = await admin.audit.list({ actorUserId: viewer.user.id, limit: 3, cursor });
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    expect((await admin.audit.list({ entityType: "probe", entityId: "3" })).events.map((e) => e.entityId)).toEqual(["3"]);
    expect((await admin.audit.list({ actor: viewer.user.email.slice(0, 10), entityType: "probe" })).events).toHaveLength(7);
    expect((await admin.audit.list({ entityType: "probe", from: start })).events).toHaveLength(7);
    expect((await admin.audit.list({ entityType: "probe", to: start })).events).toHaveLength(0);
    const facets = await admin.audit.facets();
    expect(facets.entityTypes).toEqual(expect.arrayContaining(["flow", "probe", "run"]));
    expect(facets.actors).toEqual(expect.arrayContaining([{ label: viewer.user.email, userId: viewer.user.id }]));
  });

  it("belong to their workspace: another workspace's admin sees none of them", async () => {
    const other = await seedWorkspace(db, "other");
    const { events } = await other.members.admin.caller.audit.list({ limit: 200 });
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(ws.marker);
    expect(events.every((e) => !e.entityId.includes(ws.flowId))).toBe(true);
  });
});
