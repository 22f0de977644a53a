/**
 * A run that waits (a Retry-After too long to sleep through) gets a new job even when its current
 * job was unlocked under the running task, as the sweeper does for a worker it took for stalled.
 * Completing the task deletes its job by id: the run's next job must be a different one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/client";
import { createFlow, runNow } from "../flows";
import { builtInFlow, createLookupTable, createWorkspace, isolatedDatabase, runRow, startIdempotentApi, waitFor, type IdempotentApi } from "../test/helpers";
import { startWorker, type EngineWorker } from "./start";

let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let db: Db;
let api: IdempotentApi;
let worker: EngineWorker | undefined;

beforeAll(async () => {
  isolated = await isolatedDatabase();
  db = createDb(isolated.url, { max: 3 });
  api = await startIdempotentApi();
});
afterAll(async () => {
  await worker?.stop();
  await api.close();
  await db.close();
  await isolated.drop();
});

describe("rescheduling a run", () => {
  it("keeps a job for a waiting run whose current job was unlocked while its task ran", { timeout: 60_000 }, async () => {
    const workspaceId = await createWorkspace(db, "Reschedule");
    const tableId = await createLookupTable(db, workspaceId, "States", { WA: { value: "D-WEST" } });
    const definition = builtInFlow(tableId);
    definition.nodes.push({ id: "post", type: "core.httpPost", typeVersion: 1, config: { url: api.url, keyPath: "invoice" } });
    definition.edges.push({ id: "e4", source: "big", target: "post" });
    const { flowId } = await createFlow(db, workspaceId, { name: "reschedule", definition });
    // The first POST is answered late with 429 and a Retry-After too long to wait inline.
    api.script.push({ status: 429, headers: { "retry-after": "3" }, delayMs: 1500 });
    worker = await startWorker({ databaseUrl: isolated.url, concurrency: 1, pollInterval: 200 });
    const runId = await runNow(db, workspaceId, flowId, { number: "INV-RESCHEDULE", address: { region: "wa" }, lines: [{ amount: 10 }] });

    await waitFor(async () => api.requests.length > 0, 20_000, 50);
    // While the POST is in flight, the run's job is unlocked as the sweeper would.
    const unlocked = await db.sql`
      update graphile_worker._private_jobs set locked_at = null, locked_by = null
      where key = ${`run:${runId}`} and locked_at is not null returning id`;
    expect(unlocked).toHaveLength(1);

    await waitFor(async () => (await runRow(db, runId)).status === "succeeded", 30_000, 200).catch(async (error: Error) => {
      const jobs = await db.sql`select id, key, locked_at, run_at from graphile_worker.jobs`;
      throw new Error(`${error.message}: run ${JSON.stringify(await runRow(db, runId))}, jobs ${JSON.stringify(jobs)}`);
    });
    expect([...api.created.keys()].filter((k) => k.endsWith(":INV-RESCHEDULE"))).toHaveLength(1);
  });
});
