/**
 * `npm run bench:webhook`: signed generic-webhook deliveries into a 4-node flow (webhook -> map
 * fields -> filter -> map fields) of the product as `npm start` runs it (embedded PostgreSQL with
 * fsync on, the production web app, one worker, per-node run logs kept), counted until every run
 * has finished. See bench/README.md.
 *
 *   --deliveries N   deliveries at --connections (default 5000)
 *   --connections C  concurrent senders for the throughput phase (default 10)
 *   --single N       deliveries one at a time first, for the 1-connection latency (default 300)
 *
 * It starts `scripts/start.ts` in a temporary data directory on free ports (sandboxes off: the flow
 * calls no connector) and stops it at the end. The web app must be built (`npx next build`); a
 * missing build is made first, as `npm start` does. Exit code 0 whatever the figures; non-zero on
 * errors (a delivery refused, a run that did not succeed).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb, type Db } from "../../db/client";
import { freePort } from "../../db/free-port";
import { activateFlow, createFlow } from "../../engine/flows";
import { signWebhook } from "../../engine/nodes/triggers";
import { TERMINAL_RUN_STATUSES } from "../../engine/status";
import { createConnection, createWorkspace } from "../../engine/test/helpers";

const TARGET_RUNS_PER_SECOND = 750;
const TARGET_SINGLE_P50_MS = 10;
/** n8n 2.41 with its default expression sandbox, the same flow shape, on this machine kind (issue figures). */
const N8N_RUNS_PER_SECOND = 29.7;

const { values } = parseArgs({
  options: {
    deliveries: { type: "string", default: "5000" },
    connections: { type: "string", default: "10" },
    single: { type: "string", default: "300" },
  },
});
const positive = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
};
const deliveries = positive("deliveries", values.deliveries);
const connections = positive("connections", values.connections);
const single = positive("single", values.single);

const fmt = (n: number, digits = 1) => n.toFixed(digits);
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

interface Product {
  baseUrl: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** `npm start` in a data directory of its own; resolves once /api/health answers 200. */
async function startProduct(): Promise<Product> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "ledgerline-bench-webhook-"));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: "",
      PORT: String(port),
      LEDGERLINE_DATA_DIR: dataDir,
      LEDGERLINE_PG_PORT: String(await freePort()),
      LEDGERLINE_SANDBOXES: "off",
      LEDGERLINE_ENCRYPTION_KEY: process.env.LEDGERLINE_ENCRYPTION_KEY,
    },
  });
  let output = "";
  let databaseUrl: string | undefined;
  const take = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
    databaseUrl ??= /DATABASE_URL=(postgres\S+) npm run worker/.exec(output)?.[1];
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the product exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`the product did not become healthy:\n${output}`);
    const ok = await fetch(`${baseUrl}/api/health`).then((r) => r.ok, () => false);
    if (ok && databaseUrl) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    baseUrl,
    databaseUrl,
    async stop() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function createHookFlow(db: Db, secret: string): Promise<{ flowId: string }> {
  const workspaceId = await createWorkspace(db, "Webhook bench");
  const connectionId = await createConnection(db, workspaceId, "webhook", "Shop signing secret", {}, { signingSecret: secret });
  const { flowId, problems } = await createFlow(db, workspaceId, {
    name: "webhook bench",
    definition: {
      schemaVersion: 1,
      nodes: [
        { id: "hook", type: "core.webhookTrigger", typeVersion: 1, config: { recordKey: "id", recordVersion: "$string(updatedAt)" }, connectionId },
        { id: "map", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "order", expression: "id" }, { target: "total", expression: "$sum(lines.amount)" }, { target: "region", expression: "$uppercase(region)" }] } },
        { id: "big", type: "core.filter", typeVersion: 1, config: { condition: "total > 0" } },
        { id: "shape", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "reference", expression: "order & '-' & region" }, { target: "amount", expression: "$formatNumber(total, '0.00')" }] } },
      ],
      edges: [
        { id: "e1", source: "hook", target: "map" },
        { id: "e2", source: "map", target: "big" },
        { id: "e3", source: "big", target: "shape" },
      ],
    },
  });
  if (problems.length > 0) throw new Error(`the bench flow has problems: ${JSON.stringify(problems)}`);
  await activateFlow(db, workspaceId, flowId);
  return { flowId };
}

interface Delivery {
  body: string;
  headers: Record<string, string>;
}

function sign(secret: string, phase: string, n: number): Delivery {
  const body = JSON.stringify({ id: `${phase}-${n}`, updatedAt: 1, region: "wa", lines: [{ sku: "A-1", amount: 10 }, { sku: "B-2", amount: 5 }] });
  const timestamp = String(Math.floor(Date.now() / 1000));
  return { body, headers: { "content-type": "application/json", "x-ledgerline-timestamp": timestamp, "x-ledgerline-signature": signWebhook(secret, timestamp, body) } };
}

/** Send every delivery over `senders` concurrent keep-alive connections; latency per request. */
async function send(url: string, batch: Delivery[], senders: number): Promise<{ latencies: number[]; ms: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < batch.length) {
        const d = batch[next++]!;
        const t = performance.now();
        const res = await fetch(url, { method: "POST", headers: d.headers, body: d.body });
        const text = await res.text();
        latencies.push(performance.now() - t);
        if (res.status !== 202 && res.status !== 200) throw new Error(`delivery answered ${res.status}: ${text.slice(0, 300)}`);
      }
    }),
  );
  return { latencies, ms: performance.now() - started };
}

/** Wait until every run of the phase is terminal; the phase's runs, with their timings. */
async function finished(db: Db, flowId: string, phase: string, n: number): Promise<{ created: Date; finished: Date; status: string }[]> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const [row] = await db.sql<{ done: number; total: number }[]>`
      select count(*) filter (where status = any(${TERMINAL_RUN_STATUSES as string[]}))::int as done, count(*)::int as total
      from runs where flow_id = ${flowId} and record_key like ${`${phase}-%`}`;
    if (row!.done >= n) break;
    if (Date.now() > deadline) throw new Error(`${phase}: ${row!.done} of ${n} runs finished in 30 minutes (${row!.total} created)`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const rows = await db.sql<{ created: Date; finished: Date; status: string }[]>`
    select created_at as created, finished_at as finished, status from runs where flow_id = ${flowId} and record_key like ${`${phase}-%`}`;
  const bad = rows.filter((r) => r.status !== "succeeded");
  if (bad.length > 0) throw new Error(`${phase}: ${bad.length} runs did not succeed (${bad[0]!.status})`);
  return rows;
}

let product: Product | undefined;
let db: Db | undefined;
let failed = false;
process.env.LEDGERLINE_ENCRYPTION_KEY ??= randomBytes(32).toString("hex");
delete process.env.DATABASE_URL;
try {
  console.log(`Ledgerline webhook benchmark: ${single} deliveries at 1 connection, then ${deliveries} at ${connections}; Node ${process.version}, ${cpus().length} cores`);
  console.log("starting the product as npm start does (embedded PostgreSQL with fsync on, production web app, one worker)...");
  product = await startProduct();
  db = createDb(product.databaseUrl, { max: 2 });
  const secret = randomBytes(24).toString("hex");
  const { flowId } = await createHookFlow(db, secret);
  const url = `${product.baseUrl}/api/webhooks/${flowId}/hook`;

  // Warm-up: the route compiled and its caches filled.
  await send(url, Array.from({ length: 50 }, (_, i) => sign(secret, "warm", i)), 2);
  await finished(db, flowId, "warm", 50);

  const one = await send(url, Array.from({ length: single }, (_, i) => sign(secret, "one", i)), 1);
  await finished(db, flowId, "one", single);

  const batch = Array.from({ length: deliveries }, (_, i) => sign(secret, "many", i));
  const phaseStart = Date.now();
  const many = await send(url, batch, connections);
  const runs = await finished(db, flowId, "many", deliveries);
  const lastFinished = Math.max(...runs.map((r) => r.finished.getTime()));
  const completedPerSecond = deliveries / ((lastFinished - phaseStart) / 1000);
  const runLatency = runs.map((r) => r.finished.getTime() - r.created.getTime());

  console.log("");
  console.log(`webhook latency at 1 connection:  p50 ${fmt(percentile(one.latencies, 50))} ms, p99 ${fmt(percentile(one.latencies, 99))} ms (${single} deliveries)`);
  console.log(`webhook latency at ${connections} connections: p50 ${fmt(percentile(many.latencies, 50))} ms, p99 ${fmt(percentile(many.latencies, 99))} ms`);
  console.log(`intake: ${fmt(deliveries / (many.ms / 1000))} requests/s (${deliveries} deliveries in ${fmt(many.ms / 1000, 2)} s)`);
  console.log(`completed: ${fmt(completedPerSecond)} runs/s (every run finished ${fmt((lastFinished - phaseStart) / 1000, 2)} s after the first delivery)`);
  console.log(`run latency (finished - created): p50 ${fmt(percentile(runLatency, 50), 0)} ms, p99 ${fmt(percentile(runLatency, 99), 0)} ms`);
  console.log(`against n8n's ${N8N_RUNS_PER_SECOND} runs/s for the same shape: ${fmt(completedPerSecond / N8N_RUNS_PER_SECOND, 2)}x`);
  const p50 = percentile(one.latencies, 50);
  console.log(
    `${completedPerSecond >= TARGET_RUNS_PER_SECOND ? "PASS" : "BELOW target"}: ${fmt(completedPerSecond)} completed runs/s (target >= ${TARGET_RUNS_PER_SECOND}); ` +
      `${p50 <= TARGET_SINGLE_P50_MS ? "PASS" : "BELOW target"}: webhook p50 at 1 connection ${fmt(p50)} ms (target <= ${TARGET_SINGLE_P50_MS})`,
  );
} catch (error) {
  failed = true;
  console.error(`\n[bench] failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  await db?.close().catch(() => undefined);
  await product?.stop().catch((error) => {
    failed = true;
    console.error(`[bench] could not stop the product: ${(error as Error).message}`);
  });
}
process.exit(failed ? 1 : 0);
