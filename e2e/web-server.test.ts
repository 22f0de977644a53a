/**
 * The web app's server stopping (SIGTERM, as `npm start` and operators stop it): a delivery whose
 * body is still arriving is stored and answered, new connections are refused, and the process
 * exits 0. A web app of its own on the test database, so the shared one keeps serving.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Db } from "../db/client";
import { freePort } from "../db/free-port";
import { activeWebhookFlow, createWorkspace, signedWebhookHeaders, testDb } from "../engine/test/helpers";
import { startWebApp, type WebApp } from "./web-app";

const secret = "whsec_web_server_test_5e1a";
let db: Db;
let web: WebApp;
let flowId: string;

beforeAll(async () => {
  db = testDb();
  const workspaceId = await createWorkspace(db, "Web server stop");
  ({ flowId } = await activeWebhookFlow(db, workspaceId, secret, { name: "orders in" }));
  web = await startWebApp({ databaseUrl: inject("databaseUrl"), port: await freePort() });
});
afterAll(async () => {
  await web?.stop();
  await db?.close();
});

describe("web server shutdown", () => {
  it("answers a delivery still arriving when SIGTERM comes, refuses new connections, and exits 0", async () => {
    const body = JSON.stringify({ id: "ord-in-flight", updatedAt: 1, note: "x".repeat(4000) });
    const exited = new Promise<number | null>((resolve) => web.process.once("exit", (code) => resolve(code)));
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${web.baseUrl}/api/webhooks/${flowId}/hook`,
        {
          method: "POST",
          headers: { ...signedWebhookHeaders(secret, body), "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8").on("data", (c: string) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      // Half the body now; the server is told to stop while it waits for the rest.
      req.write(body.slice(0, 2000));
      setTimeout(() => {
        web.process.kill("SIGTERM");
        setTimeout(() => req.end(body.slice(2000)), 500);
      }, 300);
    });

    const { status, text } = await answer;
    expect(status, text).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ ok: true, duplicate: false });
    const runs = await db.sql<{ input: unknown }[]>`select input from runs where flow_id = ${flowId} and record_key = 'ord-in-flight'`;
    expect(runs).toHaveLength(1);
    expect(runs[0]!.input).toEqual(JSON.parse(body));

    await expect(fetch(`${web.baseUrl}/api/health`)).rejects.toThrow();
    expect(await exited).toBe(0);
  });
});
