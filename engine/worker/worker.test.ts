/**
 * The engine through graphile-worker: queued runs execute, a worker process killed with
 * SIGKILL mid-write is recovered by another worker without posting twice, and a run whose claim
 * ran out under a live worker gets a new job rather than a failed one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlow, runNow } from "../flows";
import { enqueueRun } from "../queue";
import { createRuns } from "../runs";
import { createDb, type Db } from "../../db/client";
import { builtInFlow, createLookupTable, createWorkspace, isolatedDatabase, nodeRuns, runRow, startIdempotentApi, waitFor, type IdempotentApi } from "../test/helpers";
import { startWorker, type EngineWorker } from "./start";

// A database of its own: the workers here must not pick up jobs other test files left queued.
let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let db: Db;
let databaseUrl: string;
let workspaceId: string;
let tableId: string;
let api: IdempotentApi;
const workers: EngineWorker[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  isolated = await isolatedDatabase();
  databaseUrl = isolated.url;
  db = createDb(databaseUrl, { max: 5 });
  workspaceId = await createWorkspace(db, "Worker");
  tableId = await createLookupTable(db, workspaceId, "States", { WA: { value: "D-WEST" } });
  api = await startIdempotentApi();
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  for (const worker of workers) await worker.stop();
  await api.close();
  await db.close();
  await isolated.drop();
});

function postingFlow() {
  const definition = builtInFlow(tableId);
  definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, config: { url: api.url, keyPath: "invoice" } });
  definition.edges.push({ id: "e4", source: "big", target: "post" });
  return definition;
}

const invoice = (number: string) => ({ number, address: { region: "wa" }, lines: [{ amount: 10 }] });

describe("worker", () => {
  it("recovers the run of a worker killed with SIGKILL mid-write, without posting twice", { timeout: 120_000 }, async () => {
    const { flowId } = await createFlow(db, workspaceId, { name: "crash", definition: postingFlow() });
    api.delayMs = 4000; // the POST is applied, then answered slowly: the worker dies while waiting
    const child = spawn(process.execPath, ["--import", "tsx", "engine/worker/main.ts"], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LEDGERLINE_HEARTBEAT_MS: "500", LEDGERLINE_STALE_AFTER_MS: "3000", WORKER_CONCURRENCY: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    children.push(child);
    let childErrors = "";
    child.stderr?.on("data", (chunk: Buffer) => (childErrors += chunk.toString()));
    const runId = await runNow(db, workspaceId, flowId, invoice("INV-CRASH"));
    await waitFor(async () => api.requests.some((r) => r.key.endsWith(":INV-CRASH")), 60_000).catch((error: Error) => {
      throw new Error(`${error.message}; worker said: ${childErrors.slice(-2000)}`);
    });
    const before = await nodeRuns(db, runId);
    child.kill("SIGKILL");
    const killedAt = Date.now();
    api.delayMs = 0;

    workers.push(await startWorker({ databaseUrl: databaseUrl, concurrency: 2, pollInterval: 200, heartbeatEveryMs: 500, staleAfterMs: 3000, sweepEveryMs: 500 }));
    await waitFor(async () => (await runRow(db, runId)).status === "succeeded", 60_000, 200).catch(async (error: Error) => {
      const jobs = await db.sql`select key, locked_by, locked_at, run_at, attempts, last_error from graphile_worker.jobs`;
      const beats = await db.sql`select worker_id, last_seen_at from worker_heartbeats`;
      const run = await runRow(db, runId);
      throw new Error(`${error.message}: run ${JSON.stringify(run)} jobs ${JSON.stringify(jobs)} beats ${JSON.stringify(beats)} worker said ${childErrors.slice(-1500)}`);
    });
    const recoveredInMs = Date.now() - killedAt;
    expect(recoveredInMs).toBeLessThan(60_000);

    const after = await nodeRuns(db, runId);
    // Checkpointed nodes were not executed again.
    for (const row of before.filter((r) => r.status === "succeeded")) {
      expect(after.find((r) => r.node_id === row.node_id)).toMatchObject({ seq: row.seq, attempt: row.attempt, output: row.output });
    }
    // The write was sent again with the same key after the crash, and the API created one record.
    const keys = api.requests.filter((r) => r.key.endsWith(":INV-CRASH"));
    expect(keys.length).toBe(2);
    expect([...api.created.keys()].filter((k) => k.endsWith(":INV-CRASH"))).toHaveLength(1);
    const [ledger] = await db.sql`select status, attempts from idempotency_ledger where business_key like ${"%:INV-CRASH"}`;
    expect(ledger).toEqual({ status: "done", attempts: 2 });
  });

  it("fails a run whose expression loops within the limit while the worker's other runs complete", { timeout: 60_000 }, async () => {
    const looping = builtInFlow(tableId);
    const map = looping.nodes.find((n) => n.id === "map")!;
    (map.config as { fields: { target: string; expression: string }[] }).fields.push({ target: "loop", expression: "($f := function($x){ $f($x) }; $f(1))" });
    const { flowId: loopFlow } = await createFlow(db, workspaceId, { name: "looping", definition: looping });
    const { flowId: fineFlow } = await createFlow(db, workspaceId, { name: "fine", definition: postingFlow() });
    if (workers.length === 0) workers.push(await startWorker({ databaseUrl: databaseUrl, concurrency: 2, pollInterval: 200 }));
    const loops = await Promise.all(["INV-L1", "INV-L2"].map((n) => runNow(db, workspaceId, loopFlow, invoice(n))));
    const fine = await Promise.all(["INV-F1", "INV-F2", "INV-F3", "INV-F4"].map((n) => runNow(db, workspaceId, fineFlow, invoice(n))));
    for (const id of fine) await waitFor(async () => (await runRow(db, id)).status === "succeeded", 30_000, 100);
    for (const id of loops) {
      await waitFor(async () => (await runRow(db, id)).status === "failed", 30_000, 100);
      const run = await runRow(db, id);
      expect(run.error!.message).toBe('node map, field "loop": the expression took longer than 1000 ms (the time limit of an expression)');
      const [timing] = await db.sql<{ ms: number }[]>`select extract(epoch from finished_at - started_at) * 1000 as ms from runs where id = ${id}`;
      expect(Number(timing!.ms)).toBeLessThan(5000);
    }
    // Its heartbeats went on meanwhile (every 5 s by default).
    const [beat] = await db.sql`select count(*)::int as n from worker_heartbeats where last_seen_at > now() - interval '10 seconds'`;
    expect(beat!.n).toBeGreaterThan(0);
  });

  it("unlocks the job of a run that its live worker could not hand back (the database was away)", { timeout: 60_000 }, async () => {
    const { flowId } = await createFlow(db, workspaceId, { name: "orphaned", definition: postingFlow() });
    if (workers.length === 0) workers.push(await startWorker({ databaseUrl: databaseUrl, concurrency: 2, pollInterval: 200 }));
    const [version] = await db.sql<{ id: string }[]>`select active_version_id::text as id from flows where id = ${flowId}`;
    const versionId = version?.id ?? (await db.sql<{ id: string }[]>`select id::text from flow_versions where flow_id = ${flowId} order by version desc limit 1`)[0]!.id;
    const { created } = await db.sql.begin((tx) =>
      createRuns(tx, { workspaceId, flowId, versionId, triggerKind: "manual" }, [{ key: "orphan-1", version: "1", data: invoice("INV-ORPHAN") }], { enqueue: false }),
    );
    const runId = created[0]!;
    // A worker that is alive (it beats) holds the job, but nobody executes the run: its lease ran out long ago.
    await db.sql`insert into worker_heartbeats (worker_id, hostname, pid, last_seen_at) values ('ghost-worker', 'elsewhere', 1, now() + interval '1 hour')`;
    await db.sql.begin(async (tx) => {
      await enqueueRun(tx, runId);
      await tx`update graphile_worker._private_jobs set locked_by = 'ghost-worker', locked_at = now() - interval '10 minutes'
               where key = ${`run:${runId}`}`;
      await tx`update runs set status = 'running', lease_token = gen_random_uuid(), lease_expires_at = now() - interval '5 minutes' where id = ${runId}`;
    });
    await waitFor(async () => (await runRow(db, runId)).status === "succeeded", 45_000, 200);
    expect([...api.created.keys()].filter((k) => k.endsWith(":INV-ORPHAN"))).toHaveLength(1);
    await db.sql`delete from worker_heartbeats where worker_id = 'ghost-worker'`;
  });

  it("gives a run whose claim ran out with nobody else holding it a new job, instead of failing its job", { timeout: 60_000 }, async () => {
    const { flowId } = await createFlow(db, workspaceId, { name: "lease ran out", definition: postingFlow() });
    if (workers.length === 0) workers.push(await startWorker({ databaseUrl: databaseUrl, concurrency: 2, pollInterval: 200 }));
    const [version] = await db.sql<{ id: string }[]>`select id::text from flow_versions where flow_id = ${flowId} order by version desc limit 1`;
    const { created } = await db.sql.begin((tx) =>
      createRuns(tx, { workspaceId, flowId, versionId: version!.id, triggerKind: "manual" }, [{ key: "expired-1", version: "1", data: invoice("INV-EXPIRED") }], { enqueue: false }),
    );
    const runId = created[0]!;
    api.delayMs = 3000;
    // A job with no retries left: if the lost claim failed it, graphile-worker would never run it again.
    await db.sql.begin(async (tx) => {
      await enqueueRun(tx, runId);
      await tx`update graphile_worker._private_jobs set max_attempts = 1 where key = ${`run:${runId}`}`;
    });
    await waitFor(async () => api.requests.some((r) => r.key.endsWith(":INV-EXPIRED")), 30_000, 50);
    // The claim runs out while the POST is in flight, as when the database was away past the lease's lifetime.
    await db.sql`update runs set lease_expires_at = now() - interval '1 second' where id = ${runId}`;
    api.delayMs = 0;
    await waitFor(async () => (await runRow(db, runId)).status === "succeeded", 45_000, 200);
    expect([...api.created.keys()].filter((k) => k.endsWith(":INV-EXPIRED"))).toHaveLength(1);
    // graphile-worker commits a job's completion just after the run's end: wait for it. A failed
    // job (no retries left) would stay for good.
    const jobs = async () =>
      (await db.sql<{ n: number }[]>`select count(*)::int as n from graphile_worker._private_jobs where key = ${`run:${runId}`} or (payload->>'runId') = ${runId}`)[0]!.n;
    await waitFor(async () => (await jobs()) === 0, 10_000, 100).catch(() => undefined);
    expect(await jobs()).toBe(0);
  });

  it("executes queued runs and reports the worker as alive", async () => {
    const { flowId } = await createFlow(db, workspaceId, { name: "queued", definition: postingFlow() });
    if (workers.length === 0) workers.push(await startWorker({ databaseUrl: databaseUrl, pollInterval: 200 }));
    const ids = await Promise.all(["INV-Q1", "INV-Q2", "INV-Q3"].map((n) => runNow(db, workspaceId, flowId, invoice(n))));
    for (const id of ids) await waitFor(async () => (await runRow(db, id)).status === "succeeded", 30_000, 100);
    const [beat] = await db.sql`select count(*)::int as n from worker_heartbeats where last_seen_at > now() - interval '30 seconds'`;
    expect(beat!.n).toBeGreaterThan(0);
  });
});
