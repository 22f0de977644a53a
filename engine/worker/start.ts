/**
 * Start a worker process's engine: graphile-worker with our tasks, heartbeats and the sweeper.
 * Run more processes (on more machines) against the same database to scale out; SKIP LOCKED
 * spreads the jobs.
 */
import { makeWorkerUtils, run, type Runner } from "graphile-worker";
import { quietLogger } from "../../db/bootstrap";
import { createDb } from "../../db/client";
import { beat, forget, HEARTBEAT_EVERY_MS, sweep, SWEEP_EVERY_MS } from "./heartbeat";
import { taskList } from "./tasks";

export interface EngineWorker {
  runner: Runner;
  stop(): Promise<void>;
}

export async function startWorker(options: {
  databaseUrl: string;
  concurrency?: number;
  pollInterval?: number;
  heartbeatEveryMs?: number;
  sweepEveryMs?: number;
  staleAfterMs?: number;
}): Promise<EngineWorker> {
  const concurrency = options.concurrency ?? 4;
  const db = createDb(options.databaseUrl, { max: concurrency + 4 });
  const workerIds = new Set<string>();
  const runner = await run({
    connectionString: options.databaseUrl,
    concurrency,
    pollInterval: options.pollInterval ?? 1000,
    taskList: taskList(db),
    logger: quietLogger,
    noHandleSignals: true,
  });
  runner.events.on("worker:create", ({ worker }) => {
    workerIds.add(worker.workerId);
  });
  // Workers created before the listener was attached: read them from the pool.
  for (const worker of (runner as unknown as { _workerPool?: { _workers?: { workerId: string }[] } })._workerPool?._workers ?? []) {
    workerIds.add(worker.workerId);
  }
  const utils = await makeWorkerUtils({ connectionString: options.databaseUrl, logger: quietLogger });
  const heartbeat = async () => beat(db, [...workerIds]).catch((e) => console.error("[worker] heartbeat failed:", (e as Error).message));
  await heartbeat();
  const heartbeatTimer = setInterval(heartbeat, options.heartbeatEveryMs ?? HEARTBEAT_EVERY_MS);
  const sweepTimer = setInterval(() => {
    sweep(db, utils, options.staleAfterMs)
      .then((ids) => ids.length && console.log(`[worker] unlocked jobs of stopped workers ${ids.join(", ")}`))
      .catch((e) => console.error("[worker] sweep failed:", (e as Error).message));
  }, options.sweepEveryMs ?? SWEEP_EVERY_MS);
  return {
    runner,
    async stop() {
      clearInterval(heartbeatTimer);
      clearInterval(sweepTimer);
      await runner.stop();
      await forget(db, [...workerIds]);
      await utils.release();
      await db.close();
    },
  };
}
