/**
 * New runs' jobs (engine/queue.ts, newRunJobs) on real PostgreSQL and graphile-worker's schema:
 * the row written without add_job is the row add_job writes, the insert wakes a listening worker
 * as add_job's NOTIFY does, a flow with concurrency 1 still gets its queue, and an idle worker
 * whose poll interval is a minute runs them within seconds.
 */
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFlow } from "./flows";
import { enqueueRun, queueNameFor } from "./queue";
import { createRuns } from "./runs";
import { builtInFlow, createLookupTable, createWorkspace, isolatedDatabase, testDb } from "./test/helpers";
import { startWorker } from "./worker/start";
import { createDb, type Db } from "../db/client";

const db = testDb();
let workspaceId: string;
let tableId: string;

beforeAll(async () => {
  workspaceId = await createWorkspace(db, "Queue");
  tableId = await createLookupTable(db, workspaceId, "States", { WA: { value: "D-WEST" } });
});
afterAll(async () => {
  await db.close();
});

type JobRow = Record<string, unknown>;
/** Every column of a run's job that does not name the run or the moment. */
async function jobOf(sql: Db["sql"], runId: string): Promise<JobRow> {
  const [row] = await sql<JobRow[]>`
    select j.job_queue_id, t.identifier as task, j.payload, j.priority, j.attempts, j.max_attempts, j.last_error, j.key,
           j.locked_at, j.locked_by, j.revision, j.flags, j.is_available, j.run_at <= now() as due, q.queue_name
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    left join graphile_worker._private_job_queues q on q.id = j.job_queue_id
    where j.key = ${`run:${runId}`}`;
  return row!;
}

async function newRun(sql: Db["sql"], flow: { flowId: string; versionId: string }, key: string, enqueue = true): Promise<string> {
  const { created } = await sql.begin((tx) =>
    createRuns(tx, { workspaceId, ...flow, triggerKind: "manual" }, [{ key, version: "1", data: { number: key, address: { region: "wa" }, lines: [{ amount: 5 }] } }], { enqueue }),
  );
  return created[0]!;
}

describe("new runs' jobs", () => {
  it("are the rows add_job writes, on no queue or on the flow's queue when its concurrency is 1", async () => {
    for (const concurrency of [5, 1]) {
      const flow = await createFlow(db, workspaceId, { name: `queue ${concurrency}`, definition: builtInFlow(tableId, { settings: { concurrency } }) });
      const ours = await newRun(db.sql, flow, `ours-${concurrency}`);
      const theirs = await newRun(db.sql, flow, `theirs-${concurrency}`, false);
      await enqueueRun(db.sql, theirs, { queueName: queueNameFor(flow.flowId, concurrency) });
      const [a, b] = [await jobOf(db.sql, ours), await jobOf(db.sql, theirs)];
      expect({ ...a, payload: null, key: null }).toEqual({ ...b, payload: null, key: null });
      expect(a).toMatchObject({ task: "ledgerline_run", payload: { runId: ours }, key: `run:${ours}`, is_available: true, due: true, attempts: 0, max_attempts: 25 });
      expect(a.queue_name).toBe(concurrency === 1 ? `flow:${flow.flowId}` : null);
    }
  });

  it("wake a listening worker as add_job's NOTIFY does, once per statement", async () => {
    // A database of its own: other files' jobs in the shared one notify the same channel.
    const isolated = await isolatedDatabase();
    const own = createDb(isolated.url, { max: 2 });
    const listener = postgres(isolated.url, { max: 1, onnotice: () => undefined });
    try {
      const ws = await createWorkspace(own, "Queue notify");
      const table = await createLookupTable(own, ws, "States", { WA: { value: "D-WEST" } });
      const flow = await createFlow(own, ws, { name: "notify", definition: builtInFlow(table) });
      const heard: string[] = [];
      await listener.listen("jobs:insert", (payload) => void heard.push(payload));
      const create = () =>
        own.sql.begin((tx) => createRuns(tx, { workspaceId: ws, ...flow, triggerKind: "manual" }, [{ key: "notify-1", version: "1", data: { number: "N" } }]));
      await create();
      await expect.poll(() => heard.length, { timeout: 5000 }).toBe(1);
      expect(JSON.parse(heard[0]!)).toMatchObject({ count: 1 });
      // A duplicate record creates no run and no job, and says nothing.
      expect((await create()).duplicates).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(heard).toHaveLength(1);
    } finally {
      await listener.end();
      await own.close();
      await isolated.drop();
    }
  });

  it("wake an idle worker and are run by it", { timeout: 60_000 }, async () => {
    const isolated = await isolatedDatabase();
    const own = createDb(isolated.url, { max: 2 });
    try {
      const ws = await createWorkspace(own, "Queue worker");
      const table = await createLookupTable(own, ws, "States", { WA: { value: "D-WEST" } });
      const worker = await startWorker({ databaseUrl: isolated.url, concurrency: 2, pollInterval: 60_000 });
      try {
        // The worker is up and idle; its poll interval is a minute, so only the NOTIFY starts the runs in time.
        await new Promise((r) => setTimeout(r, 1000));
        // (A flow with concurrency 1 is left out: its queue frees when a run ends, which sends no
        // NOTIFY, so its next run waits for the worker's poll; its jobs come from add_job anyway.)
        const runs: string[] = [];
        const flow = await createFlow(own, ws, { name: "worker", definition: builtInFlow(table) });
        for (let i = 0; i < 4; i++) {
          const { created } = await own.sql.begin((tx) =>
            createRuns(tx, { workspaceId: ws, ...flow, triggerKind: "manual" }, [{ key: `w-${i}`, version: "1", data: { number: "X", address: { region: "wa" }, lines: [{ amount: 5 }] } }]),
          );
          runs.push(...created);
        }
        await expect
          .poll(async () => (await own.sql<{ n: number }[]>`select count(*)::int as n from runs where id = any(${runs}) and status = 'succeeded'`)[0]!.n, { timeout: 20_000 })
          .toBe(4);
      } finally {
        await worker.stop();
      }
    } finally {
      await own.close();
      await isolated.drop();
    }
  });
});
