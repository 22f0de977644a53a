/**
 * The baseline: raw graphile-worker with one tiny task that does by hand the database work of a
 * run of the built-in flow, with no engine in between. Per job: insert a run row, insert four
 * node-run rows with small JSON (one statement each, as checkpoints), read one lookup row,
 * update the run row. Same driver (postgres.js), pool size, concurrency, poll interval and
 * graphile-worker batching (local queue, batched completion) as startWorker; the scratch tables
 * copy runs/node_runs (indexes and foreign keys included). Its statements commit one by one.
 */
import { EventEmitter } from "node:events";
import { run, type Task, type WorkerEvents } from "graphile-worker";
import postgres from "postgres";
import { quietLogger } from "../../db/bootstrap";
import { STALE_AFTER_MS } from "../../engine/worker/heartbeat";
import { workerBatching } from "../../engine/worker/start";
import { jsonb, type Db } from "../../db/client";
import { invoice, type Fixtures } from "./fixtures";
import { result, serverCpuSince, timeoutFor, waitForCount, wallTime, type RoundOptions, type RoundResult } from "./round";

const TASK = "bench_baseline_run";

function baselineTask(sql: postgres.Sql, f: Fixtures): Task {
  return async (payload) => {
    const { i, version } = payload as { i: number; version: string };
    if (typeof i !== "number" || typeof version !== "string") throw new Error("bad payload");
    const data = invoice(i);
    const startedAt = new Date();
    const [row] = await sql<{ id: string }[]>`
      insert into bench_runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, record_version, record_label, input, status, started_at)
      values (${f.workspaceId}, ${f.flowId}, ${f.versionId}, 'manual', ${`bench:${i}`}, ${version}, ${`Invoice ${i}`},
              ${jsonb(data)}::text::jsonb, 'running', now())
      returning id::text`;
    const runId = row!.id;
    const node = async (seq: number, nodeId: string, nodeType: string, input: unknown, output: unknown) => {
      const at = new Date();
      await sql`
        insert into bench_node_runs (workspace_id, run_id, node_id, node_type, status, attempt, input, output, handle, attempts, seq, started_at, finished_at, duration_ms)
        values (${f.workspaceId}, ${runId}, ${nodeId}, ${nodeType}, 'succeeded', 1, ${jsonb(input)}::text::jsonb, ${jsonb(output)}::text::jsonb, 'out',
                ${jsonb([{ attempt: 1, startedAt: at.toISOString(), durationMs: 0 }])}::text::jsonb, ${seq}, ${at}, now(), 0)`;
    };
    await node(0, "trigger", "core.manualTrigger", data, data);
    const mapped = { invoice: data.number, state: data.address.region.toUpperCase(), amount: data.lines.reduce((s, l) => s + l.amount, 0) };
    await node(1, "map", "core.mapFields", data, mapped);
    const [found] = await sql<{ key: string; values: Record<string, string> }[]>`
      select key, values from lookup_rows where workspace_id = ${f.workspaceId} and table_id = ${f.tableId} and key = ${mapped.state}`;
    if (!found) throw new Error(`no lookup row for ${mapped.state}`);
    const looked = { ...mapped, department: found.values };
    await node(2, "dept", "core.lookup", mapped, looked);
    await node(3, "big", "core.filter", looked, looked);
    await sql`
      update bench_runs set status = 'succeeded', finished_at = now(),
             duration_ms = (extract(epoch from (now() - ${startedAt}::timestamptz)) * 1000)::int
      where id = ${runId} and workspace_id = ${f.workspaceId}`;
  };
}

export async function baselineRound(db: Db, url: string, f: Fixtures, options: RoundOptions): Promise<RoundResult> {
  const { round, runs: n, concurrency } = options;
  // Enqueued like enqueueRun does (job key, max attempts), in one transaction.
  await db.sql.begin(async (tx) => {
    for (let i = 0; i < n; i++) {
      await tx`select graphile_worker.add_job(
        ${TASK}::text,
        payload => json_build_object('i', ${i}::int, 'version', ${round}::text),
        max_attempts => 25,
        job_key => ${`bench:${round}:${i}`}::text,
        job_key_mode => 'replace'
      )`;
    }
  });

  await options.beforeStart?.();
  const cpu = process.cpuUsage();
  const server = options.serverCpuMs?.();
  const startedAt = Date.now();
  const sql = postgres(url, { max: concurrency + 4, onnotice: () => undefined });
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  let jobError: Error | undefined;
  events.on("job:error", ({ job, error }) => {
    jobError ??= new Error(`baseline job ${job.id} threw: ${(error as Error)?.message ?? String(error)}`);
  });
  const runner = await run({
    events,
    connectionString: url,
    concurrency,
    pollInterval: 1000,
    taskList: { [TASK]: baselineTask(sql, f) },
    logger: quietLogger,
    noHandleSignals: true,
    preset: { worker: workerBatching({ concurrency, staleAfterMs: STALE_AFTER_MS }) },
  });
  try {
    await waitForCount(
      async () => {
        const [row] = await db.sql<{ n: number }[]>`
          select count(*)::int as n from bench_runs where flow_id = ${f.flowId} and record_version = ${round} and status = 'succeeded'`;
        return row!.n;
      },
      n,
      timeoutFor(n),
      () => jobError,
    );
  } finally {
    await runner.stop();
    await sql.end();
  }
  const used = process.cpuUsage(cpu);
  const serverMs = await serverCpuSince(options, server);
  const wallMs = await wallTime(db.sql, "bench_runs", round, startedAt);
  const [nodes] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from bench_node_runs nr join bench_runs r on r.id = nr.run_id
    where r.flow_id = ${f.flowId} and r.record_version = ${round}`;
  if (nodes!.n !== n * 4) throw new Error(`baseline round ${round}: ${nodes!.n} node rows, expected ${n * 4}`);
  return result(n, wallMs, used, serverMs);
}
