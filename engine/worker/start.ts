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
import { closeExpressionPool } from "../nodes/expression-pool";
import { PRUNE_CRONTAB } from "../queue";
import { beat, forget, HEARTBEAT_EVERY_MS, STALE_AFTER_MS, sweep, SWEEP_EVERY_MS, sweepOrphanedRuns } from "./heartbeat";
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
  /** How long in-flight nodes may take to finish once stopping (default WORKER_SHUTDOWN_GRACE_MS, 20 s). */
  shutdownGraceMs?: number;
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
  const runner = await run({
    events,
    connectionString: options.databaseUrl,
    concurrency,
    pollInterval: options.pollInterval ?? 1000,
    taskList: taskList(db, { drain: drain.signal, owner, leaseTtlMs: staleAfterMs }),
    logger: quietLogger,
    noHandleSignals: true,
    // The jobs' abort signal fires when the grace period is over.
    gracefulShutdownAbortTimeout: shutdownGraceMs,
    crontab: PRUNE_CRONTAB,
  });
  const utils = await makeWorkerUtils({ connectionString: options.databaseUrl, logger: quietLogger });
  const heartbeat = async () => beat(db, [...workerIds]).catch((e) => console.error("[worker] heartbeat failed:", (e as Error).message));
  await heartbeat();
  const heartbeatTimer = setInterval(heartbeat, heartbeatEveryMs);
  const sweepTimer = setInterval(() => {
    sweep(db, utils, staleAfterMs, [...workerIds])
      .then((ids) => ids.length && console.log(`[worker] unlocked jobs of stopped workers ${ids.join(", ")}`))
      .then(() => sweepOrphanedRuns(db, staleAfterMs))
      .then((n) => n && console.log(`[worker] unlocked ${n} run job(s) their live worker could not hand back`))
      .catch((e) => console.error("[worker] sweep failed:", (e as Error).message));
  }, options.sweepEveryMs ?? SWEEP_EVERY_MS);
  return {
    runner,
    async stop() {
      // Heartbeats go on while in-flight nodes finish: this worker is alive, its runs are not stale.
      drain.abort(new Error("the worker is shutting down"));
      clearInterval(sweepTimer);
      await runner.stop().catch((e) => console.error("[worker] stopping:", (e as Error).message));
      clearInterval(heartbeatTimer);
      await forget(db, [...workerIds]).catch(() => undefined);
      await utils.release();
      await closeExpressionPool();
      await db.close();
    },
  };
}
