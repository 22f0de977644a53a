/**
 * Fenced execution and graceful shutdown with real worker processes (`engine/worker/main.ts`), real
 * PostgreSQL and the Exact sandbox over HTTP. Postings are counted from the sandbox's own state.
 *
 * Between the workers and the sandbox sits a plain forwarding proxy that can hold one response
 * back, which puts a worker exactly where the danger is: it has read back "not posted yet" and is
 * about to post (SIGSTOP there), or its post was applied and the answer is still on the way
 * (SIGTERM there).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox as createExact } from "../../connectors/exact/sandbox";
import type { SandboxServer } from "../../connectors/sdk";
import { createDb, type Db } from "../../db/client";
import { connectExactSandbox } from "../demo/seed";
import { createFlow, runNow } from "../flows";
import type { FlowDefinitionInput } from "../flow/schema";
import { sandboxConnection, sandboxState } from "../templates/test-helpers";
import { createWorkspace, isolatedDatabase, nodeRuns, runRow, waitFor } from "../test/helpers";
import { startWorker, type EngineWorker } from "./start";

const DIVISION = 1001;
const STALE_MS = 3000;

interface Hold {
  match: (req: IncomingMessage) => boolean;
  taken: boolean;
  arrived: Promise<void>;
  markArrived: () => void;
  release: () => void;
  released: Promise<void>;
}

/** Forwards every request to the sandbox; a hold lets the request through and keeps its answer back. */
async function startProxy(target: string) {
  const holds: Hold[] = [];
  const seen: { method: string; path: string }[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      seen.push({ method: req.method ?? "GET", path: req.url ?? "" });
      const hold = holds.find((h) => !h.taken && h.match(req));
      if (hold) hold.taken = true;
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "content-length", "connection"].includes(k)).map(([k, v]) => [k, String(v)]));
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
        redirect: "manual",
      });
      const text = await upstream.text();
      if (hold) {
        hold.markArrived();
        await hold.released;
      }
      const answer = Object.fromEntries([...upstream.headers].filter(([k]) => !["content-length", "content-encoding", "transfer-encoding", "connection"].includes(k)));
      if (!res.destroyed) res.writeHead(upstream.status, answer).end(text);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    hold(match: Hold["match"]): Hold {
      let markArrived!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((r) => (markArrived = r));
      const released = new Promise<void>((r) => (release = r));
      const hold = { match, taken: false, arrived, markArrived, release, released };
      holds.push(hold);
      return hold;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const h of holds) h.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let isolated: Awaited<ReturnType<typeof isolatedDatabase>>;
let db: Db;
let sandbox: SandboxServer;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let workspaceId: string;
let flowId: string;
const children: ChildProcess[] = [];
const workers: EngineWorker[] = [];

const journalFlow = (connectionId: string): FlowDefinitionInput => ({
  schemaVersion: 1,
  nodes: [
    { id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: {} },
    {
      id: "map",
      type: "core.mapFields",
      typeVersion: 1,
      config: {
        fields: [
          { target: "division", expression: String(DIVISION) },
          { target: "invoiceId", expression: "invoiceId" },
          { target: "date", expression: "'2026-03-16'" },
          { target: "description", expression: "'Sales tax ' & $substring(invoiceId, 0, 8)" },
          { target: "lines", expression: '[{"glAccount": "1000", "amount": amount}, {"glAccount": "1010", "amount": -amount}]' },
        ],
      },
    },
    { id: "journal", type: "exact.createGeneralJournalEntry", typeVersion: 1, config: { journalCode: "90" }, connectionId },
  ],
  edges: [
    { id: "e1", source: "trigger", target: "map" },
    { id: "e2", source: "map", target: "journal" },
  ],
});

/** Journal entries in the sandbox whose lines carry this invoice's idempotency key. */
async function postings(invoiceId: string): Promise<number> {
  const state = await sandboxState(sandbox.url);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const division = state.regions.us.divisions.find((d: any) => d.code === DIVISION);
  const key = `exact:${DIVISION}:${invoiceId}:journal`;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (division.journalEntries as any[]).filter((e) => JSON.stringify(e).includes(key)).length;
}

function spawnWorker(extraEnv: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "engine/worker/main.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: isolated.url,
      WORKER_CONCURRENCY: "1",
      LEDGERLINE_HEARTBEAT_MS: "300",
      LEDGERLINE_STALE_AFTER_MS: String(STALE_MS),
      LEDGERLINE_SWEEP_MS: "300",
      ...extraEnv,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

const successor = async () => {
  const worker = await startWorker({ databaseUrl: isolated.url, concurrency: 1, pollInterval: 200, heartbeatEveryMs: 300, staleAfterMs: STALE_MS, sweepEveryMs: 300 });
  workers.push(worker);
  return worker;
};

/** The node's read-back (journal lines by key) and its post (a journal entry). */
const isReadBack = (req: IncomingMessage) => req.method === "GET" && /GeneralJournalEntryLines/i.test(req.url ?? "");
const isPost = (req: IncomingMessage) => req.method === "POST" && /GeneralJournalEntries/i.test(req.url ?? "");

beforeAll(async () => {
  isolated = await isolatedDatabase();
  db = createDb(isolated.url, { max: 5 });
  const exact = createExact();
  exact.world.settings.minutelyLimit = 100_000;
  sandbox = await exact.listen(0);
  proxy = await startProxy(sandbox.url);
  workspaceId = await createWorkspace(db, "Fencing");
  const connectionId = await sandboxConnection(db, workspaceId, "exact", proxy.url);
  await connectExactSandbox(db, workspaceId, connectionId, "https://app.ledgerline.example/api/oauth/callback");
  const created = await createFlow(db, workspaceId, { name: "journal", definition: journalFlow(connectionId) });
  expect(created.problems).toEqual([]);
  flowId = created.flowId;
});

afterAll(async () => {
  for (const child of children) {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  }
  for (const worker of workers) await worker.stop().catch(() => undefined);
  await proxy?.close();
  await sandbox?.close();
  await db?.close();
  await isolated?.drop();
});

describe("fenced runs", () => {
  it("a worker paused past the stale window and resumed posts nothing: the sandbox holds one journal entry", { timeout: 120_000 }, async () => {
    const invoiceId = randomUUID();
    // The paused worker's read-back ("not posted yet") is held until after the takeover.
    const readBack = proxy.hold(isReadBack);
    const paused = spawnWorker();
    const runId = await runNow(db, workspaceId, flowId, { invoiceId, amount: 12.34 });
    await Promise.race([readBack.arrived, paused.exited.then(() => Promise.reject(new Error(`worker exited: ${paused.output()}`)))]);
    paused.child.kill("SIGSTOP");

    const next = await successor();
    await waitFor(async () => (await runRow(db, runId)).status === "succeeded", 60_000, 200);
    expect(await postings(invoiceId)).toBe(1);
    await next.stop();
    workers.splice(workers.indexOf(next), 1);

    // Wake the paused worker with its stale answer: it must stop before it posts.
    readBack.release();
    paused.child.kill("SIGCONT");
    const postsBefore = proxy.seen.filter((r) => r.method === "POST" && /GeneralJournalEntries/i.test(r.path)).length;
    await new Promise((r) => setTimeout(r, 4000));
    expect(proxy.seen.filter((r) => r.method === "POST" && /GeneralJournalEntries/i.test(r.path)).length).toBe(postsBefore);
    expect(await postings(invoiceId)).toBe(1);
    expect(postsBefore).toBe(1);
    expect((await runRow(db, runId)).status).toBe("succeeded");
    const [ledger] = await db.sql<{ status: string }[]>`select status from idempotency_ledger where business_key = ${`exact:${DIVISION}:${invoiceId}:journal`}`;
    expect(ledger).toEqual({ status: "done" });
    paused.child.kill("SIGKILL");
  });

  it("SIGTERM while a journal post is in flight: the run is released, not failed, and resumes to exactly one posting", { timeout: 120_000 }, async () => {
    const invoiceId = randomUUID();
    // The post is applied by the sandbox; its answer is held until after the shutdown.
    const post = proxy.hold(isPost);
    const stopping = spawnWorker({ WORKER_SHUTDOWN_GRACE_MS: "1000" });
    const runId = await runNow(db, workspaceId, flowId, { invoiceId, amount: 7.5 });
    await Promise.race([post.arrived, stopping.exited.then(() => Promise.reject(new Error(`worker exited: ${stopping.output()}`)))]);
    expect(await postings(invoiceId)).toBe(1);
    const signalledAt = Date.now();
    stopping.child.kill("SIGTERM");
    const code = await stopping.exited;
    expect(code, stopping.output()).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    post.release();

    // Released to resume: waiting, no lease, its ledger key still pending (outcome unknown).
    const released = await db.sql<{ status: string; lease_token: string | null }[]>`select status, lease_token from runs where id = ${runId}`;
    expect(released[0]).toEqual({ status: "waiting", lease_token: null });
    const [pending] = await db.sql<{ status: string }[]>`select status from idempotency_ledger where business_key = ${`exact:${DIVISION}:${invoiceId}:journal`}`;
    expect(pending).toEqual({ status: "pending" });

    await successor();
    await waitFor(async () => (await runRow(db, runId)).status === "succeeded", 60_000, 200);
    expect(await postings(invoiceId)).toBe(1);
    const journal = (await nodeRuns(db, runId)).find((n) => n.node_id === "journal")!;
    expect(journal.status).toBe("already_done");
    const failed = await db.sql`select 1 from audit_events where run_id = ${runId} and action = 'run.failed'`;
    expect(failed).toHaveLength(0);
  });
});
