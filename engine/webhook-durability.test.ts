/**
 * An acknowledged webhook delivery survives a database crash: the sender heard 200, so it will not
 * send it again. This kills every process of a durable embedded cluster (fsync and
 * synchronous_commit on, as `npm start` runs it) right after the last answer, restarts it, and
 * looks for every acknowledged run and its job. An intake that committed lazily fails it: the
 * last deliveries are still in the WAL buffers when the cluster dies.
 */
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../db/client";
import { migrateDatabase, startEmbeddedPostgres, type DatabaseHandle } from "../db/bootstrap";
import { freePort } from "../db/free-port";
import { activeWebhookFlow, createWorkspace, signedWebhookHeaders } from "./test/helpers";
import { descendants } from "./test/proc";
import { handleWebhook } from "./triggers";
import { clearWebhookCache } from "./webhook-cache";

const DELIVERIES = 40;
const secret = "whsec_durable_durable_durable_0";

let tmp: string;
let dir: string;
let port: number;
let cluster: DatabaseHandle | undefined;

/** SIGKILL the postmaster and every process it started, at once: what a power cut leaves of them. */
function crash(dataDir: string): void {
  const postmaster = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  for (const pid of descendants(postmaster)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

async function gone(pidFile: string): Promise<void> {
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`postmaster ${pid} still alive`);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "ledgerline-durable-"));
  // Why: as root, embedded PostgreSQL runs as the postgres user, which must reach the folder mkdtemp made private.
  await chmod(tmp, 0o755);
  dir = path.join(tmp, "pg");
  port = await freePort();
  cluster = await startEmbeddedPostgres({ dir, port, database: "durable", durable: true, quiet: true });
  await migrateDatabase(cluster.url);
}, 120_000);

afterAll(async () => {
  await cluster?.stop().catch(() => undefined);
  await rm(tmp, { recursive: true, force: true });
});

describe("webhook intake in a database crash", () => {
  it("keeps every delivery it acknowledged", { timeout: 120_000 }, async () => {
    const db: Db = createDb(cluster!.url, { max: 4 });
    const workspaceId = await createWorkspace(db, "Durable intake");
    const { flowId } = await activeWebhookFlow(db, workspaceId, secret, { name: "durable hook", recordVersion: null });
    const [{ synchronous_commit, fsync }] = await db.sql<{ synchronous_commit: string; fsync: string }[]>`
      select current_setting('synchronous_commit') as synchronous_commit, current_setting('fsync') as fsync`;
    expect({ synchronous_commit, fsync }).toEqual({ synchronous_commit: "on", fsync: "on" });

    clearWebhookCache();
    const acknowledged: string[] = [];
    for (let i = 0; i < DELIVERIES; i++) {
      const body = JSON.stringify({ id: `order-${i}` });
      const answer = await handleWebhook(db, { flowId, nodeId: "hook" }, {
        method: "POST",
        headers: signedWebhookHeaders(secret, body),
        rawBody: body,
        query: {},
      });
      expect(answer.status).toBe(200);
      acknowledged.push(...(answer.body as { runs: string[] }).runs);
    }
    // Right after the last answer, before the WAL writer's next round (200 ms).
    crash(dir);
    await gone(path.join(dir, "postmaster.pid"));
    await db.close().catch(() => undefined);
    // Not cluster.stop(): it waits for an exit its process has already made.

    cluster = await startEmbeddedPostgres({ dir, port, database: "durable", durable: true, quiet: true });
    const after = createDb(cluster.url, { max: 1 });
    try {
      const found = await after.sql<{ id: string }[]>`select id::text from runs where id = any(${acknowledged}::uuid[])`;
      expect(acknowledged).toHaveLength(DELIVERIES);
      expect(found.map((r) => r.id).sort()).toEqual([...acknowledged].sort());
      const [jobs] = await after.sql<{ n: number }[]>`
        select count(*)::int as n from graphile_worker._private_jobs where key = any(${acknowledged.map((id) => `run:${id}`)}::text[])`;
      expect(jobs!.n).toBe(DELIVERIES);
    } finally {
      await after.close();
    }
  });
});
