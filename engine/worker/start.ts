/**
 * Start a worker process's engine: graphile-worker with our tasks, heartbeats and the sweeper.
 * Run more processes (on more machines) against the same database to scale out; SKIP LOCKED
 * spreads the jobs.
 *
 * Stopping (`stop()`, on SIGTERM/SIGINT): take no more jobs, let the nodes in flight finish within
 * the grace period (WORKER_SHUTDOWN_GRACE_MS, default 20 s), then abort what is left. Runs are
 * released to resume on another worker (or this one, restarted), never marked failed; a write that
 * had started keeps its ledger key pending, so it is read back before anyone sends it again.
 */
import { EventEmitter } from "node:events";
import { hostname } from "node:os";
import { makeWorkerUtils, run, type Runner, type WorkerEvents } from "graphile-worker";
import { quietLogger } from "../../db/bootstrap";
import { createDb } from "../../db/client";
import { env } from "../../db/env";
import { errorFields, logger } from "../logging";
import { closeExpressionPool } from "../nodes/expression-pool";
import { beat, forget, HEARTBEAT_EVERY_MS, STALE_AFTER_MS, sweep, SWEEP_EVERY_MS, sweepOrphanedRuns } from "./heartbeat";
import { DatabaseOutage, PatientPool } from "./resilience";
import { taskList, WORKER_CRONTAB } from "./tasks";

export interface EngineWorker {
  /** The current graphile-worker runner (a new one after the database took the previous one down). */
  readonly runner: Runner;
  /** Logs database outages once and says whether one is going on. */
  outage: DatabaseOutage;
  stop(): Promise<void>;
}

/**
 * graphile-worker's batching for a worker of `concurrency` slots (WORKER_LOCAL_QUEUE and
 * WORKER_COMPLETE_BATCH_MS unless given): the local queue and batched job completion.
 */
export function workerBatching(options: { concurrency: number; staleAfterMs: number; localQueue?: number; completeBatchMs?: number }) {
  const localQueue = options.localQueue ?? (process.env.WORKER_LOCAL_QUEUE ? env.workerLocalQueue : options.concurrency);
  const completeBatchMs = options.completeBatchMs ?? env.workerCompleteBatchMs;
  return {
    ...(localQueue > 1 ? { localQueue: { size: localQueue, ttl: Math.floor(options.staleAfterMs / 2) } } : {}),
    ...(completeBatchMs > 0 ? { completeJobBatchDelay: completeBatchMs } : {}),
  };
}

export async function startWorker(options: {
  databaseUrl: string;
  concurrency?: number;
  pollInterval?: number;
  heartbeatEveryMs?: number;
  sweepEveryMs?: number;
  staleAfterMs?: number;
  /** How long in-flight nodes may take to finish once stopping (default WORKER_SHUTDOWN_GRACE_MS, 20 s). */
  shutdownGraceMs?: number;
  /** Jobs fetched and locked per query (default WORKER_LOCAL_QUEUE, else the concurrency); 1 = one per query. */
  localQueue?: number;
  /** How long a finished job may wait to be completed with others (default WORKER_COMPLETE_BATCH_MS, 2 ms); 0 = at once. */
  completeBatchMs?: number;
}): Promise<EngineWorker> {
  const concurrency = options.concurrency ?? 4;
  const heartbeatEveryMs = options.heartbeatEveryMs ?? HEARTBEAT_EVERY_MS;
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
  if (staleAfterMs < heartbeatEveryMs * 3) {
    throw new Error(`staleAfterMs (${staleAfterMs}) must be at least three heartbeats (${heartbeatEveryMs * 3} ms)`);
  }
  const shutdownGraceMs = options.shutdownGraceMs ?? env.workerShutdownGraceMs;
  const db = createDb(options.databaseUrl, { max: concurrency + 4 });
  const owner = `${hostname()}:${process.pid}`;
  const drain = new AbortController();
  const workerIds = new Set<string>();
  // Listen before the pool starts: workers are created while `run` starts up.
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  // Jobs are locked by the pool's id (and, for single workers, the worker's): beat for both.
  events.on("pool:create", ({ workerPool }) => {
    workerIds.add(workerPool.id);
  });
  events.on("worker:create", ({ worker }) => {
    workerIds.add(worker.workerId);
  });
  const outage = new DatabaseOutage();
  // graphile-worker's own pool, with error handlers and a connect() that waits out a restart.
  const pgPool = new PatientPool({ connectionString: options.databaseUrl, max: concurrency + 2 }, outage);
  // Why batch: with a backlog, one query fetches and locks the next jobs for every free slot, and
  // the jobs that finished within a few ms are deleted in one statement, instead of a round trip
  // and a commit each way per job. Jobs held in the local queue are locked by the pool's id, which
  // this worker heartbeats, so a worker that dies leaves them to the sweeper like running ones; on
  // a graceful stop graphile-worker hands them back at once. A job waits in the local queue for
  // at most half the stale window (its ttl) before it is handed back, so the sweeper never takes
  // a job a live worker still holds for a slot.
  const batching = workerBatching({ concurrency, staleAfterMs, localQueue: options.localQueue, completeBatchMs: options.completeBatchMs });
  const startRunner = () =>
    run({
      events,
      pgPool,
      concurrency,
      pollInterval: options.pollInterval ?? 1000,
      taskList: taskList(db, { drain: drain.signal, owner, leaseTtlMs: staleAfterMs, outage }),
      logger: quietLogger,
      noHandleSignals: true,
      // The jobs' abort signal fires when the grace period is over.
      gracefulShutdownAbortTimeout: shutdownGraceMs,
      crontab: WORKER_CRONTAB,
      preset: { worker: batching },
    });
  let stopping = false;
  let runner = await startRunner();
  const utils = await makeWorkerUtils({ pgPool, logger: quietLogger });
  // A runner graphile-worker shut down itself (it could not complete or fail a job while the
  // database was away) is replaced once the database is back; its jobs are unlocked at once.
  const supervise = (current: Runner) => {
    current.promise.then(
      () => {
        if (!stopping) void replace("stopped");
      },
      (error: unknown) => {
        if (!stopping) void replace((error as Error)?.message ?? String(error));
      },
    );
  };
  const replace = async (why: string) => {
    logger().error({ reason: why }, "the job runner stopped; starting a new one once the database answers");
    const deadIds = [...workerIds];
    workerIds.clear();
    for (let attempt = 0; !stopping; attempt++) {
      try {
        if (deadIds.length > 0) await utils.forceUnlockWorkers(deadIds);
        await forget(db, deadIds);
        if (stopping) return;
        runner = await startRunner();
        outage.ok();
        supervise(runner);
        logger().info("job runner started again");
        return;
      } catch (error) {
        outage.note(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * (attempt + 1))));
      }
    }
  };
  supervise(runner);
  const heartbeat = async () =>
    beat(db, [...workerIds]).then(
      () => outage.ok(),
      (e) => outage.note(e) || logger().error({ err: errorFields(e) }, "heartbeat failed"),
    );
  await heartbeat();
  const heartbeatTimer = setInterval(heartbeat, heartbeatEveryMs);
  const sweepTimer = setInterval(() => {
    sweep(db, utils, staleAfterMs, [...workerIds])
      .then((ids) => ids.length && logger().warn({ workerIds: ids }, "unlocked jobs of stopped workers"))
      .then(() => sweepOrphanedRuns(db, staleAfterMs))
      .then((n) => n && logger().warn({ jobs: n }, "unlocked run jobs their live worker could not hand back"))
      .catch((e) => outage.note(e) || logger().error({ err: errorFields(e) }, "sweep failed"));
  }, options.sweepEveryMs ?? SWEEP_EVERY_MS);
  return {
    get runner() {
      return runner;
    },
    outage,
    async stop() {
      // Heartbeats go on while in-flight nodes finish: this worker is alive, its runs are not stale.
      stopping = true;
      drain.abort(new Error("the worker is shutting down"));
      clearInterval(sweepTimer);
      await runner.stop().catch((e) => logger().error({ err: errorFields(e) }, "stopping the job runner failed"));
      clearInterval(heartbeatTimer);
      await forget(db, [...workerIds]).catch(() => undefined);
      await utils.release();
      await pgPool.end().catch(() => undefined);
      await closeExpressionPool();
      await db.close();
    },
  };
}
