/**
 * A worker process: `npm run worker` (DATABASE_URL must point at the database `npm start` uses).
 */
import { requireDatabaseUrl, env } from "../../db/env";
import { startWorker } from "./start";

const number = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const worker = await startWorker({
  databaseUrl: requireDatabaseUrl(),
  concurrency: env.workerConcurrency,
  // Tuning knobs for tests and operators; the defaults recover a killed worker's runs within 40 s.
  heartbeatEveryMs: number("LEDGERLINE_HEARTBEAT_MS"),
  staleAfterMs: number("LEDGERLINE_STALE_AFTER_MS"),
  sweepEveryMs: number("LEDGERLINE_SWEEP_MS"),
});
console.log(`[worker] ${process.pid} running with concurrency ${env.workerConcurrency}`);
const shutdown = async () => {
  await worker.stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
