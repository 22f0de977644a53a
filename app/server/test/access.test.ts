/**
 * Every procedure declares who may call it, and the declaration holds: the minimum role gets
 * through, the role just below is refused. The procedure list is read from the appRouter, so a
 * new procedure is covered the moment it is registered.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../../db/client";
import { ROLES, type Role } from "../../../engine/auth/roles";
import { testDb } from "../../../engine/test/helpers";
import { anonymous, contextFor, createCaller, createUser, type AppCaller } from "./caller";
import { seedWorkspace, type SeededWorkspace } from "./fixtures";
import { allProcedures, sampleInput, type ProcedureInfo } from "./procedures";

const ACCESS = new Set<string>([...ROLES, "signedIn", "public"]);
/** The role just below each role; below viewer is a signed-in user who is not a member. */
const BELOW: Record<Role, Role | "non-member"> = { owner: "admin", admin: "editor", editor: "operator", operator: "viewer", viewer: "non-member" };
/** The authorization layer's own refusals (trpc.ts), told apart from a procedure's domain errors. */
const REFUSED = /^(Sign in to continue\.|Choose a workspace you are a member of\.|This needs the \w+ role or higher)/;

/** Queries that call the connection's system (a closed local port here): they must get past authorization. */
const REACHES_OUT = new Set(["connections.picker", "wizard.mappingCheck"]);

/** Mutations that only compute an answer (a preview, a validation) and write nothing to audit. */
const CHANGES_NOTHING = new Set(["flows.validate", "editor.preview", "lookups.previewCsv", "flowTransfer.previewImport"]);

let db: Db;
let ws: SeededWorkspace;
let outsider: AppCaller;
const procedures = allProcedures();

function call(caller: AppCaller, procedure: ProcedureInfo, input: unknown): Promise<unknown> {
  let target: unknown = caller;
  for (const part of procedure.path.split(".")) target = (target as Record<string, unknown>)[part];
  return (target as (input: unknown) => Promise<unknown>)(input);
}

async function outcome(promise: Promise<unknown>): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
  try {
    await promise;
    return { ok: true };
  } catch (error) {
    if (error instanceof TRPCError) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

beforeAll(async () => {
  db = testDb();
  ws = await seedWorkspace(db, "matrix");
  const stranger = await createUser(db, "Stranger");
  outsider = createCaller(await contextFor(db, stranger.id, ws.workspaceId));
});

afterAll(async () => {
  await db?.close();
});

describe("every procedure declares its access", () => {
  it("finds the routers' procedures", () => {
    expect(procedures.length).toBeGreaterThan(40);
    expect(procedures.map((p) => p.path)).toEqual(expect.arrayContaining(["flows.list", "runs.replay", "lookups.createTable", "audit.list", "studio.shell"]));
  });

  it.each(procedures.map((p) => [p.path, p] as const))("%s has meta.access", (_path, procedure) => {
    expect(procedure.access, `${procedure.path} is built without one of the role builders`).toBeDefined();
    expect(ACCESS.has(procedure.access!)).toBe(true);
  });

  it("every mutation that a viewer may call is self-service (their own tokens and workspaces)", () => {
    const open = procedures.filter((p) => p.type === "mutation" && (p.access === "viewer" || p.access === "signedIn" || p.access === "public")).map((p) => p.path);
    for (const path of open) expect(path, `${path} lets a viewer change workspace data`).toMatch(/^(tokens|workspaces|members|account|auth|me)\./);
  });
});

/** The roles the product promises (README, roles.ts), checked against what the procedures declare. */
const PROMISED: Record<string, Role> = {
  "workspaces.setRequireTwoFactor": "owner",
  "connections.create": "admin",
  "connections.update": "admin",
  "connections.delete": "admin",
  "members.invite": "admin",
  "members.changeRole": "admin",
  "members.remove": "admin",
  "audit.list": "admin",
  "flows.create": "editor",
  "flows.update": "editor",
  "flows.delete": "editor",
  "flows.save": "editor",
  "flows.activate": "editor",
  "flows.deactivate": "editor",
  "lookups.createTable": "editor",
  "lookups.updateTable": "editor",
  "lookups.deleteTable": "editor",
  "lookups.upsertRow": "editor",
  "lookups.deleteRows": "editor",
  "lookups.importRows": "editor",
  "templates.use": "editor",
  "flows.runNow": "operator",
  "runs.replay": "operator",
  "runs.bulkReplay": "operator",
  "reviews.resolve": "operator",
  "reviews.dismiss": "operator",
  "editor.lastOutputs": "operator",
  "flows.list": "viewer",
  "flows.get": "viewer",
  "runs.list": "viewer",
  "runs.get": "viewer",
  "studio.shell": "viewer",
};

describe("the promised roles", () => {
  it.each(Object.entries(PROMISED))("%s needs %s", (path, role) => {
    expect(procedures.find((p) => p.path === path)?.access).toBe(role);
  });
});

describe("role matrix", () => {
  const workspaceProcedures = procedures.filter((p) => (ROLES as readonly string[]).includes(p.access ?? ""));

  it.each(workspaceProcedures.map((p) => [p.path, p.access, p] as const))("%s (%s): the role below is refused", async (_path, access, procedure) => {
    const below = BELOW[access as Role];
    const caller = below === "non-member" ? outsider : ws.members[below].caller;
    const result = await outcome(call(caller, procedure, undefined));
    expect(result).toMatchObject({ ok: false, code: "FORBIDDEN" });
    expect((result as { message: string }).message).toMatch(REFUSED);
  });

  it.each(workspaceProcedures.filter((p) => p.type === "query").map((p) => [p.path, p.access, p] as const))(
    "%s (%s): the minimum role reads",
    async (_path, access, procedure) => {
      const input = sampleInput(procedure.input, procedure.path, ws.pickId, ws.inputs);
      const result = await outcome(call(ws.members[access as Role].caller, procedure, input));
      if (REACHES_OUT.has(procedure.path) && !result.ok) expect(result.message).not.toMatch(REFUSED);
      else expect(result).toEqual({ ok: true });
    },
  );

  it.each(workspaceProcedures.filter((p) => p.type === "mutation").map((p) => [p.path, p.access, p] as const))(
    "%s (%s): the minimum role gets past authorization",
    async (_path, access, procedure) => {
      // A workspace of its own: the mutation may delete what it is given.
      const own = await seedWorkspace(db, "mutation");
      const input = sampleInput(procedure.input, procedure.path, own.pickId, own.inputs);
      const who = own.members[access as Role];
      const [{ last } = { last: 0 }] = await db.sql<{ last: number }[]>`select coalesce(max(id), 0)::int as last from audit_events where workspace_id = ${own.workspaceId}`;
      const result = await outcome(call(who.caller, procedure, input));
      if (!result.ok) {
        expect(result.code).not.toBe("UNAUTHORIZED");
        expect(result.message).not.toMatch(REFUSED);
      } else if (!CHANGES_NOTHING.has(procedure.path)) {
        // A change that went through is in the audit trail, naming who made it and from where.
        const events = await db.sql<{ actorUserId: string | null; ip: string | null }[]>`
          select actor_user_id::text as "actorUserId", ip from audit_events where workspace_id = ${own.workspaceId} and id > ${last}`;
        expect(events.length, `${procedure.path} changed something without an audit event`).toBeGreaterThan(0);
        // The engine may add its own (a dry run's finish); no other person is named.
        expect(events.some((e) => e.actorUserId === who.user.id && e.ip === who.ctx.ip)).toBe(true);
        expect(events.every((e) => e.actorUserId === who.user.id || e.actorUserId === null)).toBe(true);
      }
    },
  );

  it("anonymous callers are told to sign in by every procedure that is not public", async () => {
    const caller = anonymous(db);
    for (const procedure of procedures.filter((p) => p.access !== "public")) {
      const result = await outcome(call(caller, procedure, undefined));
      expect(result, procedure.path).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
    }
  });
});

describe("what a viewer sees of a run", () => {
  it("statuses and timings, but no record data: inputs, outputs, HTTP bodies", async () => {
    const viewer = await ws.members.viewer.caller.runs.get({ runId: ws.runId });
    const operator = await ws.members.operator.caller.runs.get({ runId: ws.runId });
    expect(operator.redacted).toBe(false);
    expect(JSON.stringify(operator)).toContain(`INV-${ws.marker}`);
    expect(viewer.redacted).toBe(true);
    expect(viewer.nodeRuns.map((n) => [n.nodeId, n.status])).toEqual(operator.nodeRuns.map((n) => [n.nodeId, n.status]));
    expect(viewer.run.input).toBeNull();
    for (const n of viewer.nodeRuns) {
      expect(n.input).toBeNull();
      expect(n.output).toBeNull();
    }
    expect(JSON.stringify(viewer)).not.toContain(`INV-${ws.marker}`);
    // The review queue names the reason but not the values.
    const [item] = await ws.members.viewer.caller.reviews.list({ status: "open" });
    expect(item).toMatchObject({ id: ws.reviewId, reasonCode: "lookup_miss", details: null });
    const [full] = await ws.members.operator.caller.reviews.list({ status: "open" });
    expect(full!.details).toMatchObject({ missing: ["TX"] });
  });

  it("a viewer cannot replay, run or edit, and nothing changes", async () => {
    const viewer = ws.members.viewer.caller;
    await expect(viewer.runs.replay({ runId: ws.runId, from: "start", version: "own" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.flows.runNow({ flowId: ws.flowId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(viewer.flows.activate({ flowId: ws.flowId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const [runs] = await db.sql<{ n: number }[]>`select count(*)::int as n from runs where workspace_id = ${ws.workspaceId}`;
    expect(runs!.n).toBe(2);
    const [flow] = await db.sql<{ active: boolean }[]>`select active from flows where id = ${ws.flowId}`;
    expect(flow!.active).toBe(false);
  });
});
