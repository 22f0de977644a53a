/**
 * Transient trouble never fails a run, against a real PostgreSQL and the Intacct sandbox:
 * - the database failing under a node (loading its connection) releases the run to resume, and it
 *   then posts exactly once;
 * - rate-limit answers do not use up the node's attempts: a write answered "429" more often than
 *   `maxAttempts` still posts, exactly once (the sandbox's own GLBATCH records), and each is waited
 *   out for its Retry-After rather than a growing backoff;
 * - nor does waiting for another run that is posting the same document right now: the waiting run
 *   ends with the other's result, not "gave up".
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox as createIntacct } from "../../connectors/intacct/sandbox";
import type { SandboxServer } from "../../connectors/sdk";
import type { Db } from "../../db/client";
import { freePort } from "../../db/free-port";
import * as schema from "../../db/schema";
import { createFlow, runNow } from "../flows";
import type { FlowDefinitionInput } from "../flow/schema";
import { registry } from "../registry";
import { createConnection, createWorkspace, nodeRuns, runRow, testDb } from "../test/helpers";
import { executeRun } from "./run";

const db = testDb();
let intacct: SandboxServer;

beforeAll(async () => {
  intacct = await createIntacct().listen(0);
});
afterAll(async () => {
  await intacct.close();
  await db.close();
});

function journalFlow(connectionId: string, retry: Record<string, number> = {}): FlowDefinitionInput {
  return {
    schemaVersion: 1,
    settings: { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50, maxTotalDelayMs: 60_000, ...retry } },
    nodes: [
      { id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: {} },
      { id: "post", type: "intacct.createJournalEntry", typeVersion: 1, config: { journal: "GJ" }, connectionId },
    ],
    edges: [{ id: "e1", source: "trigger", target: "post" }],
  } as FlowDefinitionInput;
}

const journal = (referenceNo: string) => ({
  date: "2024-06-28",
  description: `Accrual ${referenceNo}`,
  referenceNo,
  lines: [
    { accountNo: "6000", type: "debit", amount: "125.40", departmentId: "SALES", memo: "accrual" },
    { accountNo: "2000", type: "credit", amount: "125.40", memo: "accrual" },
  ],
});

async function batches(referenceNo: string): Promise<Array<Record<string, unknown>>> {
  const state = (await (await fetch(`${intacct.url}/__sandbox/state`)).json()) as { companies: Record<string, { records: Record<string, Array<Record<string, unknown>>> }> };
  return Object.values(state.companies).flatMap((c) => (c.records.GLBATCH ?? []).filter((b) => b.REFERENCENO === referenceNo));
}

async function faults(body: unknown): Promise<void> {
  const res = await fetch(`${intacct.url}/__sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

async function setup(name: string, config: Record<string, unknown> = {}, retry: Record<string, number> = {}) {
  const workspaceId = await createWorkspace(db, name);
  const demo = registry.connector("intacct")!.sandbox!(intacct.url);
  const connectionId = await createConnection(db, workspaceId, "intacct", "Intacct (sandbox)", { ...(demo.config as object), ...config }, demo.secrets);
  const { flowId, problems } = await createFlow(db, workspaceId, { name, definition: journalFlow(connectionId, retry) });
  expect(problems).toEqual([]);
  return { workspaceId, flowId };
}

describe("transient trouble", () => {
  it("a database error while loading the node's connection releases the run (waiting, not failed); it resumes and posts once", async () => {
    const { workspaceId, flowId } = await setup("Database away");
    const runId = await runNow(db, workspaceId, flowId, journal("DB-AWAY-1"));

    // The typed half of the handle (connections are read through drizzle) talks to a port where no
    // database listens, as during a restart; the raw half (checkpoints, lease) still answers.
    const away = postgres(`postgres://postgres:ledgerline@127.0.0.1:${await freePort()}/none`, { max: 1, connect_timeout: 2, onnotice: () => undefined });
    const broken = drizzle(away, { schema }) as unknown as Db;
    broken.sql = db.sql;
    broken.close = () => away.end();
    try {
      const result = await executeRun(broken, runId);
      expect(result.status).toBe("waiting");
      expect(result.rescheduleAt).toBeInstanceOf(Date);
    } finally {
      await away.end({ timeout: 0 });
    }
    const run = await runRow(db, runId);
    expect(run.status).toBe("waiting");
    expect(run.error).toBeNull();
    const post = (await nodeRuns(db, runId)).find((n) => n.node_id === "post");
    expect(post?.status).toBe("retrying");
    expect(await batches("DB-AWAY-1")).toHaveLength(0);

    // The database is back: the same run resumes from its checkpoint and posts exactly once.
    expect((await executeRun(db, runId)).status).toBe("succeeded");
    expect((await runRow(db, runId)).status).toBe("succeeded");
    const posted = await batches("DB-AWAY-1");
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ REFERENCENO: "DB-AWAY-1" });
  });

  it("rate limits (429 with Retry-After) beyond maxAttempts do not fail the write: it posts exactly once", async () => {
    // The connector hands every 429 to the engine (no retries of its own), and the flow allows 3 attempts.
    const { workspaceId, flowId } = await setup("Rate limited", {}, { maxAttempts: 3 });
    await faults({ queue: Array.from({ length: 8 }, () => "rateLimit"), retryAfterSeconds: 0 });
    const runId = await runNow(db, workspaceId, flowId, journal("RATE-8"));
    try {
      expect((await executeRun(db, runId)).status).toBe("succeeded");
    } finally {
      await faults({});
    }
    const post = (await nodeRuns(db, runId)).find((n) => n.node_id === "post")!;
    const attempts = post.attempts as Array<{ error?: { status?: number } }>;
    expect(attempts.filter((a) => a.error?.status === 429).length).toBeGreaterThan(3);
    expect(await batches("RATE-8")).toHaveLength(1);
  });

  it("a rate limit is waited out for its Retry-After, not a growing backoff: four 429s in a row cost about four seconds, in one job", async () => {
    // Defaults-like backoff (1 s doubling to 60 s): growing waits would reach 4-8 s by the fourth 429.
    const { workspaceId, flowId } = await setup("Retry-After", {}, { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 });
    await faults({ queue: Array.from({ length: 4 }, () => "rateLimit"), retryAfterSeconds: 1 });
    const runId = await runNow(db, workspaceId, flowId, journal("RATE-AFTER-4"));
    try {
      // Every wait is short enough to happen inside this job: the run never goes back to the queue.
      expect((await executeRun(db, runId)).status).toBe("succeeded");
    } finally {
      await faults({});
    }
    const post = (await nodeRuns(db, runId)).find((n) => n.node_id === "post")!;
    const attempts = post.attempts as Array<{ error?: { status?: number }; delayMs?: number }>;
    const waits = attempts.filter((a) => a.error?.status === 429).map((a) => a.delayMs);
    expect(waits).toHaveLength(4);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(1000);
      expect(wait).toBeLessThanOrEqual(1500);
    }
    expect(await batches("RATE-AFTER-4")).toHaveLength(1);
  });

  it("a server error, then a write whose answer is lost: the engine's retries read it back and it posts exactly once", async () => {
    // One retry layer: the connector sends each request once and classifies; the engine retries.
    const { workspaceId, flowId } = await setup("5xx then lost answer", {}, { maxAttempts: 3 });
    await faults({ queue: ["serverError", "dropAfterWrite"] });
    const runId = await runNow(db, workspaceId, flowId, journal("5XX-LOST-1"));
    try {
      expect((await executeRun(db, runId)).status).toBe("succeeded");
    } finally {
      await faults({});
    }
    const post = (await nodeRuns(db, runId)).find((n) => n.node_id === "post")!;
    const attempts = post.attempts as Array<{ error?: { status?: number } }>;
    // The 502 and the lost answer are one failed attempt each; the next one reads the entry back.
    expect(attempts.filter((a) => a.error?.status === 502)).toHaveLength(1);
    expect(attempts.filter((a) => a.error).length).toBeGreaterThanOrEqual(2);
    const posted = await batches("5XX-LOST-1");
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ REFERENCENO: "5XX-LOST-1" });
  });

  it("errors other than rate limits still give up after maxAttempts, with the reason", async () => {
    const { workspaceId, flowId } = await setup("Server errors", {}, { maxAttempts: 2 });
    await faults({ queue: Array.from({ length: 6 }, () => "serverError") });
    const runId = await runNow(db, workspaceId, flowId, journal("5XX-6"));
    try {
      expect((await executeRun(db, runId)).status).toBe("failed");
    } finally {
      await faults({});
    }
    const run = await runRow(db, runId);
    expect(String((run.error as { message?: string }).message)).toMatch(/gave up after 2 attempts/);
    expect(await batches("5XX-6")).toHaveLength(0);
  });

  it("a run that finds the same document being posted by another run waits for it without using up its attempts", { timeout: 90_000 }, async () => {
    // Each sandbox request takes 4 s, so the first run holds the key for 8 s and more (session, then
    // the write); the second finds it busy twice at least, more than its 2 attempts allow.
    const { workspaceId, flowId } = await setup("Posted by another run", {}, { maxAttempts: 2 });
    const first = await runNow(db, workspaceId, flowId, journal("BUSY-1"));
    const second = await runNow(db, workspaceId, flowId, journal("BUSY-1"));
    await faults({ latencyMs: 4000 });
    try {
      const posting = executeRun(db, first);
      await expect
        .poll(async () => (await db.sql`select status from idempotency_ledger where workspace_id = ${workspaceId} and business_key = ${"intacct:glbatch:GJ:BUSY-1"}`)[0]?.status, { timeout: 20_000 })
        .toBe("pending");
      let result = await executeRun(db, second);
      let jobs = 1;
      while (result.status === "waiting") {
        await new Promise((r) => setTimeout(r, Math.max(0, (result.rescheduleAt?.getTime() ?? Date.now()) - Date.now())));
        result = await executeRun(db, second);
        jobs++;
      }
      expect((await posting).status).toBe("succeeded");
      expect(result.status).toBe("succeeded");
      expect(jobs).toBeGreaterThan(2);
    } finally {
      await faults({});
    }
    const post = (await nodeRuns(db, second)).find((n) => n.node_id === "post")!;
    expect(post.status).toBe("already_done");
    const waits = (post.attempts as Array<{ error?: { message?: string } }>).filter((a) => /is posting intacct:glbatch:GJ:BUSY-1 right now/.test(a.error?.message ?? ""));
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(await batches("BUSY-1")).toHaveLength(1);
  });
});
