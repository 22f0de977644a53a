/**
 * The tRPC route as the internet reaches it: real Requests through the real route handler
 * (app/api/trpc/[trpc]/route.ts) and the real context (cookies, Bearer tokens). An anonymous
 * request to any procedure that is not public answers 401; a viewer's API token cannot change
 * anything. The procedure list comes from the appRouter.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import type { Db } from "../../../db/client";
import { testDb } from "../../../engine/test/helpers";
import { seedWorkspace, type SeededWorkspace } from "./fixtures";
import { allProcedures, sampleInput, type ProcedureInfo } from "./procedures";

type Handler = (req: Request) => Promise<Response>;
let GET: Handler;
let POST: Handler;
let origin: string;
let db: Db;
let ws: SeededWorkspace;

beforeAll(async () => {
  process.env.DATABASE_URL = inject("databaseUrl");
  const route = await import("../../api/trpc/[trpc]/route");
  GET = route.GET;
  POST = route.POST;
  origin = (await import("../../../db/env")).env.publicUrl;
  db = testDb();
  ws = await seedWorkspace(db, "http");
});

afterAll(async () => {
  await db?.close();
});

function request(procedure: ProcedureInfo, input: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const url = new URL(`/api/trpc/${procedure.path}`, origin);
  const payload = JSON.stringify({ json: input ?? null });
  if (procedure.type === "query") {
    url.searchParams.set("input", payload);
    return GET(new Request(url, { headers }));
  }
  // From the app's own origin, so only who is asking decides the answer.
  return POST(new Request(url, { method: "POST", body: payload, headers: { "content-type": "application/json", origin, ...headers } }));
}

const procedures = allProcedures().filter((p) => p.access !== "public");

describe("the tRPC route", () => {
  it.each(procedures.map((p) => [p.path, p] as const))("anonymous %s answers 401", async (_path, procedure) => {
    const response = await request(procedure, sampleInput(procedure.input, procedure.path, ws.pickId, ws.inputs));
    expect(response.status).toBe(401);
    const body = await response.text();
    expect(body).not.toContain(ws.marker);
  });

  it("a viewer's API token reads but cannot change anything", async () => {
    const token = `llt_${randomBytes(32).toString("base64url")}`;
    await db.sql`
      insert into api_tokens (workspace_id, user_id, name, prefix, token_hash, role)
      values (${ws.workspaceId}, ${ws.members.admin.user.id}, 'read-only', ${token.slice(0, 12)}, ${createHash("sha256").update(token).digest("hex")}, 'viewer')`;
    const auth = { authorization: `Bearer ${token}` };
    const list = await request(procedures.find((p) => p.path === "flows.list")!, undefined, auth);
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(`Flow ${ws.marker}`);
    const before = await db.sql`select id, latest_version, active from flows where workspace_id = ${ws.workspaceId}`;
    const refusedCodes: Record<string, number> = {};
    for (const procedure of procedures.filter((p) => p.type === "mutation" && p.access !== "public")) {
      const response = await request(procedure, sampleInput(procedure.input, procedure.path, ws.pickId, ws.inputs), auth);
      refusedCodes[procedure.path] = response.status;
    }
    expect(Object.values(refusedCodes).every((status) => status === 403), JSON.stringify(refusedCodes)).toBe(true);
    expect(Object.keys(refusedCodes).length).toBeGreaterThan(20);
    expect(await db.sql`select id, latest_version, active from flows where workspace_id = ${ws.workspaceId}`).toEqual(before);
  });
});
