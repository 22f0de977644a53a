/**
 * A worker process survives a PostgreSQL restart: a real embedded cluster is stopped and started
 * again (every connection cut, the port refusing connections meanwhile) under a running
 * `npm run worker` process that has a write in flight. The process stays alive, logs the outage
 * once, finishes the interrupted run with exactly one posting, and completes a new run afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChaosDatabase, type ChaosDatabase } from "../../bench/chaos/database";
import { createDb, type Db } from "../../db/client";
import { createFlow, runNow } from "../flows";
import { builtInFlow, createLookupTable, createWorkspace, runRow, startIdempotentApi, waitFor, type IdempotentApi } from "../test/helpers";

let database: ChaosDatabase;
let db: Db;
let api: IdempotentApi;
let child: ChildProcess | undefined;

beforeAll(async () => {
  database = await startChaosDatabase();
  db = createDb(database.url, { max: 3 });
  api = await startIdempotentApi();
}, 120_000);
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child!.once("exit", resolve));
  }
  await api.close();
  await db.close();
  await database.stop();
}, 60_000);

const invoice = (number: string) => ({ number, address: { region: "wa" }, lines: [{ amount: 10 }] });

describe("worker and a database restart", () => {
  it("keeps the worker process alive through a PostgreSQL restart and completes runs, posting once", { timeout: 180_000 }, async () => {
    const workspaceId = await createWorkspace(db, "Restart");
    const tableId = await createLookupTable(db, workspaceId, "States", { WA: { value: "D-WEST" } });
    const definition = builtInFlow(tableId);
    definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, config: { url: api.url, keyPath: "invoice" } });
    definition.edges.push({ id: "e4", source: "big", target: "post" });
    const { flowId } = await createFlow(db, workspaceId, { name: "restart", definition });

    let output = "";
    child = spawn(process.execPath, ["--import", "tsx", "engine/worker/main.ts"], {
      env: { ...process.env, DATABASE_URL: database.url, LEDGERLINE_HEARTBEAT_MS: "500", LEDGERLINE_STALE_AFTER_MS: "3000", LEDGERLINE_SWEEP_MS: "500", WORKER_CONCURRENCY: "2" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const said = () => output.slice(-3000);

    // A write in flight while the database goes away: the POST is applied, then answered slowly.
    api.delayMs = 3000;
    const interrupted = await runNow(db, workspaceId, flowId, invoice("INV-RESTART-1"));
    await waitFor(async () => api.requests.some((r) => r.key.endsWith(":INV-RESTART-1")), 60_000).catch((error: Error) => {
      throw new Error(`${error.message}; worker said: ${said()}`);
    });
    const { downMs } = await database.restart();
    api.delayMs = 0;
    expect(downMs).toBeGreaterThan(0);

    await waitFor(async () => (await runRow(db, interrupted).catch(() => undefined))?.status === "succeeded", 90_000, 250).catch(async (error: Error) => {
      throw new Error(`${error.message}: run ${JSON.stringify(await runRow(db, interrupted))}; worker said: ${said()}`);
    });
    expect(child.exitCode, said()).toBeNull();
    expect(child.signalCode).toBeNull();

    // The same process takes new work after the restart.
    const after = await runNow(db, workspaceId, flowId, invoice("INV-RESTART-2"));
    await waitFor(async () => (await runRow(db, after)).status === "succeeded", 60_000, 250).catch((error: Error) => {
      throw new Error(`${error.message}; worker said: ${said()}`);
    });
    expect(child.exitCode, said()).toBeNull();

    // Exactly one record per document on the remote side, and the ledger agrees.
    expect([...api.created.keys()].filter((k) => k.endsWith(":INV-RESTART-1"))).toHaveLength(1);
    expect([...api.created.keys()].filter((k) => k.endsWith(":INV-RESTART-2"))).toHaveLength(1);
    const ledger = await db.sql<{ status: string }[]>`select status from idempotency_ledger where business_key like ${"%:INV-RESTART-%"}`;
    expect(ledger.map((l) => l.status)).toEqual(["done", "done"]);
    // The outage is logged once, not once per attempt.
    const outages = output.match(/the database is unavailable/g) ?? [];
    expect(outages.length, said()).toBeGreaterThanOrEqual(1);
    expect(outages.length, said()).toBeLessThanOrEqual(3);
    expect(output).not.toMatch(/unhandled rejection/);
  });
});
