/**
 * /api/health is public: it answers up or down per part and nothing an attacker could use (no
 * versions, hosts, counts or error text). Real PostgreSQL; a live worker heartbeat turns it green.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { testDb } from "../../../engine/test/helpers";

let GET: () => Promise<Response>;
const db = testDb(2);
const workerId = `health-test-${randomUUID()}`;

beforeAll(async () => {
  process.env.DATABASE_URL = inject("databaseUrl");
  GET = (await import("./route")).GET;
});
afterAll(async () => {
  await db.sql`delete from worker_heartbeats where worker_id = ${workerId}`;
  await db.close();
});

describe("/api/health", () => {
  it("tells status only: ok per part, nothing else", async () => {
    await db.sql`insert into worker_heartbeats (worker_id, hostname, pid) values (${workerId}, 'db-host-7.internal', 4242)`;
    const response = await GET();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ok", database: { ok: true }, migrations: { ok: true }, worker: { ok: true } });
  });
});
