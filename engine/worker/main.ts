/**
 * A worker process: `npm run worker` (DATABASE_URL must point at the database `npm start` uses).
 */
import { requireDatabaseUrl, env } from "../../db/env";
import { startWorker } from "./start";

const worker = await startWorker({ databaseUrl: requireDatabaseUrl(), concurrency: env.workerConcurrency });
console.log(`[worker] ${process.pid} running with concurrency ${env.workerConcurrency}`);
const shutdown = async () => {
  await worker.stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
