/**
 * The webhook intake as senders reach it: real HTTP into the intake (routed as the web server
 * routes it), real PostgreSQL behind it. A signed delivery becomes a run with the payload as sent;
 * forged ones are refused and counted; the body cap answers 413 while the body streams; answers
 * carry the app's security headers and are never compressed.
 */
import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from "vitest";
import type { Db } from "../../db/client";
import { activeWebhookFlow, createWorkspace, signedWebhookHeaders, testDb } from "../../engine/test/helpers";
import { startIntake, type Intake } from "./test/intake";
import { webhookAddress } from "./webhook-intake";

const MB = 1024 * 1024;
const secret = "whsec_intake_test_0b4f9c2d7e";
let db: Db;
let intake: Intake;
let workspaceId: string;
let flowId: string;

beforeAll(async () => {
  process.env.DATABASE_URL = inject("databaseUrl");
  db = testDb();
  intake = await startIntake({ db });
  workspaceId = await createWorkspace(db, "Intake");
  ({ flowId } = await activeWebhookFlow(db, workspaceId, secret, {
    name: "orders in",
    nodes: [{ id: "map", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "id", expression: "id" }] } }],
  }));
});
afterAll(async () => {
  await intake.close();
  await db.close();
});
afterEach(() => {
  delete process.env.LEDGERLINE_WEBHOOK_MAX_BODY;
});

const signedHeaders = (body: string, extra: Record<string, string> = {}) => ({ ...signedWebhookHeaders(secret, body), ...extra });

const deliver = (path: string, init: RequestInit = {}) => fetch(`${intake.baseUrl}${path}`, { method: "POST", ...init });

/** POST `total` bytes in 64 KB chunks without a Content-Length, until the answer comes; how much was written by then. */
function streamUntilAnswered(path: string, total: number): Promise<{ status: number; body: string; written: number }> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const req = request(`${intake.baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/octet-stream" } }, (res) => {
      answered = true;
      const at = written;
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, written: at }));
    });
    // The intake closes the connection after its 413: the unsent rest fails to write, as it should.
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const pump = () => {
      while (!answered && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe("deliveries", () => {
  it("stores a signed delivery as a run with the payload as sent, answered with the app's security headers and uncompressed", async () => {
    const body = JSON.stringify({ id: "ord-ü 1", updatedAt: 1, total: "10.10", lines: [{ sku: "A-1", qty: 2 }] });
    const headers = signedHeaders(body, { "accept-encoding": "gzip, br", "x-request-id": "shop-req-7", "x-ledgerline-event-id": "evt-1" });
    const res = await deliver(`/api/webhooks/${flowId}/hook`, { body, headers });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { ok: boolean; duplicate: boolean; runs: string[] };
    expect(answer).toMatchObject({ ok: true, duplicate: false });
    expect(answer.runs).toHaveLength(1);
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(res.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(res.headers.get("x-request-id")).toBe("shop-req-7");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");

    const [run] = await db.sql<{ record_key: string; trigger_kind: string; input: unknown }[]>`
      select record_key, trigger_kind, input from runs where id = ${answer.runs[0]!}`;
    expect(run).toMatchObject({ record_key: "ord-ü 1", trigger_kind: "webhook" });
    expect(run!.input).toEqual(JSON.parse(body));

    // The sender retries the same event (the same signed request): answered as a duplicate, no second run.
    const again = await deliver(`/api/webhooks/${flowId}/hook`, { body, headers });
    expect(await again.json()).toMatchObject({ ok: true, duplicate: true, runs: [] });
    const runs = await db.sql`select id from runs where flow_id = ${flowId} and record_key = 'ord-ü 1'`;
    expect(runs).toHaveLength(1);
  });

  it("refuses a forged delivery with 401, stores nothing and counts the rejection for /api/metrics", async () => {
    const body = JSON.stringify({ id: "ord-forged", updatedAt: 1 });
    const count = async () =>
      (await db.sql<{ n: number }[]>`select coalesce(sum(count), 0)::int as n from webhook_rejections where flow_id = ${flowId} and node_id = 'hook' and status = 401`)[0]!.n;
    const before = await count();
    const res = await deliver(`/api/webhooks/${flowId}/hook`, { body, headers: { ...signedHeaders(body), "x-ledgerline-signature": "sha256=00" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "invalid signature" });
    expect(await count()).toBe(before + 1);
    const runs = await db.sql`select 1 from runs where flow_id = ${flowId} and record_key = 'ord-forged'`;
    expect(runs).toHaveLength(0);
  });

  it("answers 404 where no flow is, lists its methods to OPTIONS and refuses others with 405", async () => {
    const nowhere = await deliver(`/api/webhooks/${randomUUID()}/hook`, { body: "{}" });
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toEqual({ error: "no active flow at this address" });
    expect((await deliver("/api/webhooks/not-a-flow/hook", { body: "{}" })).status).toBe(404);

    const options = await deliver(`/api/webhooks/${flowId}/hook`, { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
    const put = await deliver(`/api/webhooks/${flowId}/hook`, { method: "PUT", body: "{}" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
  });
});

describe("body cap", () => {
  it("answers 413 with a JSON error to a declared 6 MB body, before reading it", async () => {
    const res = await deliver(`/api/webhooks/${randomUUID()}/trigger`, { body: "a".repeat(6 * MB), headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: "The request body is larger than 5 MB.", limitBytes: 5 * MB } });
  });

  it("answers 413 to a streamed body while it is still being sent", async () => {
    // 64 MB offered: the answer comes once the cap is passed, long before the sender is done
    // (what was written by then is the cap plus what the sockets' buffers hold).
    const { status, body, written } = await streamUntilAnswered(`/api/webhooks/${randomUUID()}/trigger`, 64 * MB);
    expect(status).toBe(413);
    expect(JSON.parse(body).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(written).toBeGreaterThan(5 * MB);
    expect(written).toBeLessThan(32 * MB);
  });

  it("lets a body under the cap through to the trigger, and follows LEDGERLINE_WEBHOOK_MAX_BODY", async () => {
    const under = await deliver(`/api/webhooks/${randomUUID()}/trigger`, { body: JSON.stringify({ pad: "a".repeat(4 * MB) }) });
    expect(under.status).toBe(404);
    process.env.LEDGERLINE_WEBHOOK_MAX_BODY = "1000";
    const over = await deliver(`/api/webhooks/${randomUUID()}/trigger`, { body: "a".repeat(2000) });
    expect(over.status).toBe(413);
    expect((await over.json()).error.message).toBe("The request body is larger than 1000 bytes.");
  });
});

describe("addresses", () => {
  it("reads the flow and node from the path, with a trailing slash, a query or encoded segments", () => {
    expect(webhookAddress("/api/webhooks/f-1/hook")).toEqual({ flowId: "f-1", nodeId: "hook" });
    expect(webhookAddress("/api/webhooks/f-1/hook/?token=x")).toEqual({ flowId: "f-1", nodeId: "hook" });
    expect(webhookAddress("/api/webhooks/f%2D1/ho%20ok")).toEqual({ flowId: "f-1", nodeId: "ho ok" });
    expect(webhookAddress("/api/webhooks/f-1/%E0%A4%A")).toEqual({ flowId: "f-1", nodeId: "%E0%A4%A" });
  });

  it("leaves every other path to the app", () => {
    for (const url of ["/api/webhooks", "/api/webhooks/f-1", "/api/webhooks/f-1/hook/extra", "/api/health", "/flows/api/webhooks/a/b", undefined]) {
      expect(webhookAddress(url), String(url)).toBeNull();
    }
  });
});
