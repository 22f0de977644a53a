/**
 * /api/metrics through the real route handler (and deliveries through the real webhook intake): after real runs (one retried after a 429, one
 * failed) and a webhook delivery with a bad signature, the scrape with the token shows the runs by
 * flow and status, the node latency histogram, retries and rate-limit waits, the queue and the
 * webhook rejection; without the token, or with a wrong one, it answers 401.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import type { Db } from "../../../db/client";
import { executeRun } from "../../../engine/executor/run";
import { activateFlow, createFlow, runNow } from "../../../engine/flows";
import { createRuns } from "../../../engine/runs";
import { createConnection, createWorkspace, startIdempotentApi, testDb, type IdempotentApi } from "../../../engine/test/helpers";
import { startIntake, type Intake } from "../../server/test/intake";

const TOKEN = "metrics-token-5b1d9e0a7c";
let GET: (req: Request) => Promise<Response>;
let db: Db;
let api: IdempotentApi;
let intake: Intake;

beforeAll(async () => {
  process.env.DATABASE_URL = inject("databaseUrl");
  process.env.LEDGERLINE_METRICS_TOKEN = TOKEN;
  GET = (await import("./route")).GET;
  db = testDb();
  api = await startIdempotentApi();
  intake = await startIntake({ db });
});
afterAll(async () => {
  await intake.close();
  await api.close();
  await db.close();
});

const scrape = (authorization?: string) => GET(new Request("http://localhost/api/metrics", { headers: authorization ? { authorization } : {} }));

/** The value of one series, by its exact label set in exposition order. */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/api/metrics", () => {
  it("answers 401 without the token or with a wrong one", async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect((await scrape(`Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await scrape(TOKEN)).status).toBe(401);
  });

  it("shows runs by flow and status, node latency, retries, rate-limit waits, the queue and webhook rejections after runs", async () => {
    const workspaceId = await createWorkspace(db, "Metrics");
    const [ws] = await db.sql<{ slug: string }[]>`select slug from workspaces where id = ${workspaceId}`;
    const definition = {
      schemaVersion: 1 as const,
      nodes: [
        { id: "trigger", type: "core.manualTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
        { id: "post", type: "core.httpPost", typeVersion: 1, position: { x: 200, y: 0 }, config: { url: api.url, keyPath: "invoice" } },
      ],
      edges: [{ id: "e1", source: "trigger", target: "post" }],
    };
    const flow = await createFlow(db, workspaceId, { name: "Metered posts", definition });
    const run = async (invoice: string) => {
      const { created } = await db.sql.begin((tx) =>
        createRuns(tx, { workspaceId, flowId: flow.flowId, versionId: flow.versionId, triggerKind: "manual" }, [{ key: invoice, version: "1", data: { invoice } }], { enqueue: false }),
      );
      return (await executeRun(db, created[0]!)).status;
    };
    api.script.push({ status: 429, headers: { "retry-after": "1" } });
    expect(await run("M-1")).toBe("succeeded");
    api.script.push({ status: 400 });
    expect(await run("M-2")).toBe("failed");
    // One more queued for a worker: the queue has a ready job.
    await runNow(db, workspaceId, flow.flowId, { invoice: "M-3" });

    // A webhook flow, and a delivery whose signature is wrong.
    const connectionId = await createConnection(db, workspaceId, "webhook", "Hook secret", {}, { signingSecret: "hook-signing-secret-123456" });
    const hookFlow = await createFlow(db, workspaceId, {
      name: "Hooked",
      definition: {
        schemaVersion: 1,
        nodes: [{ id: "hook", type: "core.webhookTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: { recordKey: "id", recordVersion: "$string(updatedAt)" }, connectionId }],
        edges: [],
      },
    });
    await activateFlow(db, workspaceId, hookFlow.flowId);
    const rejected = await fetch(`${intake.baseUrl}/api/webhooks/${hookFlow.flowId}/hook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-ledgerline-timestamp": String(Date.now()), "x-ledgerline-signature": "sha256=00" },
      body: JSON.stringify({ id: "1", updatedAt: "x" }),
    });
    expect(rejected.status).toBe(401);
    // An address that names no flow counts under no flow (random URLs cannot add rows).
    const unknown = "00000000-0000-4000-8000-00000000abcd";
    const nowhere = await fetch(`${intake.baseUrl}/api/webhooks/${unknown}/hook`, { method: "POST", body: "{}" });
    expect(nowhere.status).toBe(404);

    const response = await scrape(`Bearer ${TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    const flowLabels = `workspace="${ws!.slug}",flow_id="${flow.flowId}",flow="Metered posts"`;
    expect(value(text, `ledgerline_runs{${flowLabels},status="succeeded"}`)).toBe(1);
    expect(value(text, `ledgerline_runs{${flowLabels},status="failed"}`)).toBe(1);
    expect(value(text, `ledgerline_runs{${flowLabels},status="queued"}`)).toBe(1);
    expect(text).toContain("# TYPE ledgerline_node_duration_seconds histogram");
    expect(value(text, `ledgerline_node_duration_seconds_bucket{node_type="core.httpPost",le="+Inf"}`)).toBeGreaterThanOrEqual(2);
    expect(value(text, `ledgerline_node_duration_seconds_count{node_type="core.httpPost"}`)).toBeGreaterThanOrEqual(2);
    expect(value(text, `ledgerline_node_retries{node_type="core.httpPost"}`)).toBeGreaterThanOrEqual(1);
    expect(value(text, `ledgerline_rate_limit_waits{node_type="core.httpPost"}`)).toBeGreaterThanOrEqual(1);
    expect(value(text, `ledgerline_rate_limit_wait_seconds{node_type="core.httpPost"}`)).toBeGreaterThanOrEqual(1);
    expect(value(text, `ledgerline_queue_jobs{task="ledgerline_run",state="ready"}`)).toBeGreaterThanOrEqual(1);
    expect(value(text, `ledgerline_queue_oldest_ready_job_age_seconds{task="ledgerline_run"}`)).toBeGreaterThanOrEqual(0);
    expect(value(text, `ledgerline_webhook_rejections{workspace="${ws!.slug}",flow_id="${hookFlow.flowId}",flow="Hooked",status="401"}`)).toBe(1);
    expect(value(text, `ledgerline_webhook_rejections{workspace="",flow_id="",flow="",status="404"}`)).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(unknown);
  });
});
