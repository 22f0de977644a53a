/**
 * The chaos bench: the real product processes under faults, and a count of what became of every
 * document.
 *
 *  1. its own PostgreSQL (fsync on), the four sandboxes, the demo workspace, the three starter
 *     integrations activated through the engine;
 *  2. three worker processes (`npm run worker`) and the web app (scripts/web.mjs on the production
 *     build, else on the development server), Exact's webhook subscribed to it; the sandboxes' faults on (429 with Retry-After,
 *     5xx, lost responses, sessions ending);
 *  3. documents made in the sandboxes through their APIs, spread over the run, while the bench
 *     SIGKILLs a worker every ~20 s (and starts another), SIGSTOPs one past the stale window and
 *     SIGCONTs it, SIGTERMs one with runs in flight, and restarts PostgreSQL once;
 *  4. a drain (every document has a run, no run is unfinished), then the figures (report.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, type Db } from "../../db/client";
import { freePort } from "../../db/free-port";
import { startWebApp, type WebApp } from "../../e2e/web-app";
import { startSandboxes, type Sandboxes } from "../../engine/templates/test-helpers";
import { startChaosDatabase, type ChaosDatabase } from "./database";
import { createDocument, planDocuments, type CreatedDocument, type PlannedDocument } from "./documents";
import { leaseTokens, measureRecovery, runsHeldBy, runsRunning, watchReclaims, type FaultEvent } from "./recovery";
import { countFigures, postingCounts, type ChaosFigures } from "./report";
import { activateIntegrations, liftVolumeLimits, subscribeExactWebhook, switchFaultsOff, switchFaultsOn } from "./setup";
import { logPath, WorkerPool, type WorkerProcess } from "./workers";

export interface ChaosOptions {
  documents: number;
  /** The fault phase: documents are made over its first 80 %. */
  durationMs: number;
  seed: number;
  workers: number;
  /** One SIGKILL this often (full version); the short version kills once. */
  killEveryMs: number;
  /** How long the SIGSTOPped worker stays stopped (past the stale window). */
  stopMs: number;
  /** Worker heartbeat tuning (LEDGERLINE_HEARTBEAT_MS etc.); unset: the product's defaults (2 s / 12 s / 3 s). */
  heartbeatMs?: number;
  staleAfterMs?: number;
  sweepMs?: number;
  /** Each process fault once instead of a SIGKILL every killEveryMs. */
  eachFaultOnce: boolean;
  expireAuthEveryMs: number;
  pollSchedule: string;
  reconcileSchedule: string;
  drainTimeoutMs: number;
  /** The drain ends after this long with nothing unfinished (longer than the reconciliation poll's interval). */
  quietMs: number;
  log: (line: string) => void;
}

export const fullVersion = (): Omit<ChaosOptions, "log"> => ({
  documents: 1000,
  durationMs: 300_000,
  seed: 1,
  workers: 3,
  killEveryMs: 20_000,
  stopMs: 45_000,
  eachFaultOnce: false,
  expireAuthEveryMs: 120_000,
  pollSchedule: "*/5 * * * * *",
  reconcileSchedule: "*/15 * * * * *",
  drainTimeoutMs: 600_000,
  quietMs: 20_000,
});

/**
 * About 100 documents, each fault once, in two to three minutes on two cores: the stale window is
 * cut from 12 s to 5 s (heartbeats every 1 s, swept every 1 s) so the SIGSTOP (12 s) is past it.
 */
export const shortVersion = (): Omit<ChaosOptions, "log"> => ({
  ...fullVersion(),
  documents: 100,
  durationMs: 60_000,
  stopMs: 12_000,
  heartbeatMs: 1_000,
  staleAfterMs: 5_000,
  sweepMs: 1_000,
  eachFaultOnce: true,
  expireAuthEveryMs: 30_000,
  drainTimeoutMs: 240_000,
});

const DIVISION = 1001;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A query that may meet the database while it restarts: tried again for a while. */
async function patiently<T>(fn: () => Promise<T>, tries = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= tries) throw error;
      await sleep(500);
    }
  }
}

interface ScheduledFault {
  at: number;
  kind: FaultEvent["kind"];
}

export function faultSchedule(options: Pick<ChaosOptions, "durationMs" | "killEveryMs" | "eachFaultOnce">): ScheduledFault[] {
  const d = options.durationMs;
  const once: ScheduledFault[] = options.eachFaultOnce
    ? [
        { at: d * 0.15, kind: "SIGKILL" },
        { at: d * 0.3, kind: "SIGSTOP" },
        { at: d * 0.6, kind: "SIGTERM" },
        { at: d * 0.8, kind: "postgres restart" },
      ]
    : [
        { at: d * 0.3, kind: "SIGSTOP" },
        { at: d * 0.5, kind: "SIGTERM" },
        { at: d * 0.7, kind: "postgres restart" },
      ];
  if (options.eachFaultOnce) return once;
  const kills: ScheduledFault[] = [];
  for (let at = 15_000; at < d; at += options.killEveryMs) {
    if (once.every((f) => Math.abs(f.at - at) > 4_000)) kills.push({ at, kind: "SIGKILL" });
  }
  return [...once, ...kills].sort((a, b) => a.at - b.at);
}

export async function runChaos(options: ChaosOptions): Promise<ChaosFigures> {
  const log = options.log;
  const began = Date.now();
  // Never the user's database or key: everything here is the bench's own (and put back at the end,
  // for the test runner's other files in this process).
  const saved = { DATABASE_URL: process.env.DATABASE_URL, LEDGERLINE_ENCRYPTION_KEY: process.env.LEDGERLINE_ENCRYPTION_KEY };
  delete process.env.DATABASE_URL;
  const encryptionKey = randomBytes(32).toString("hex");
  process.env.LEDGERLINE_ENCRYPTION_KEY = encryptionKey;
  const logDir = await mkdtemp(path.join(tmpdir(), "ledgerline-chaos-logs-"));
  log(`logs in ${logDir}`);

  let database: ChaosDatabase | undefined;
  let db: Db | undefined;
  let sandboxes: Sandboxes | undefined;
  let pool: WorkerPool | undefined;
  let web: WebApp | undefined;
  try {
    database = await startChaosDatabase();
    db = createDb(database.url, { max: 6 });
    log(`PostgreSQL (fsync on) at ${database.dir}`);
    sandboxes = await startSandboxes();
    const urls = sandboxes.urls;
    const webPort = await freePort();
    const publicUrl = `http://127.0.0.1:${webPort}`;
    const product = await activateIntegrations(db, { sandboxUrls: urls, publicUrl, pollSchedule: options.pollSchedule, reconcileSchedule: options.reconcileSchedule });
    log(`demo workspace with ${product.flows.size} active flows`);

    const workerEnv: Record<string, string> = {
      DATABASE_URL: database.url,
      LEDGERLINE_ENCRYPTION_KEY: encryptionKey,
      LEDGERLINE_PUBLIC_URL: publicUrl,
      WORKER_CONCURRENCY: "4",
      NODE_ENV: "production",
    };
    if (options.heartbeatMs) workerEnv.LEDGERLINE_HEARTBEAT_MS = String(options.heartbeatMs);
    if (options.staleAfterMs) workerEnv.LEDGERLINE_STALE_AFTER_MS = String(options.staleAfterMs);
    if (options.sweepMs) workerEnv.LEDGERLINE_SWEEP_MS = String(options.sweepMs);
    pool = new WorkerPool({ env: workerEnv, logFile: logPath(logDir), log, size: options.workers });
    for (let i = 0; i < options.workers; i++) pool.start();
    const db0 = db;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const [row] = await db0.sql<{ n: number }[]>`select count(distinct pid)::int as n from worker_heartbeats`;
      if (row!.n >= options.workers) break;
      if (Date.now() > deadline) throw new Error(`only ${row!.n} of ${options.workers} workers started (see ${logPath(logDir)})`);
      await sleep(250);
    }
    log(`${options.workers} workers running (npm run worker)`);
    web = await startWebApp({ databaseUrl: database.url, port: webPort, useBuild: true, env: { LEDGERLINE_ENCRYPTION_KEY: encryptionKey } });
    log(`web app at ${web.baseUrl} (${web.built ? "production build" : "development server"})`);
    await subscribeExactWebhook(db, product);
    await liftVolumeLimits(urls);
    await switchFaultsOn(urls, { rateLimitRate: 0.2, serverErrorRate: 0.05, dropAfterWriteRate: 0.02, retryAfterSeconds: 1, expireAuthEveryMs: options.expireAuthEveryMs, seed: options.seed });
    log("sandbox faults on: 20% 429 (Retry-After 1 s), 5% 5xx, 2% lost write responses, sessions end every " + `${options.expireAuthEveryMs / 1000} s`);

    const division = sandboxes.exact.world.regions.get("us")!.divisions.get(DIVISION)!;
    const exactAccounts = Object.fromEntries(division.accounts.map((a) => [String(a.Name), String(a.ID)]));
    const plan = planDocuments({ count: options.documents, spreadMs: options.durationMs * 0.8, seed: options.seed, exactAccounts });
    const created: CreatedDocument[] = [];
    const orders = new Map<number, Record<string, unknown>>();
    const t0 = Date.now();

    const makeWithRetries = async (doc: PlannedDocument): Promise<CreatedDocument> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await createDocument(doc, urls, orders, DIVISION);
        } catch (error) {
          if (attempt >= 3) throw new Error(`document ${doc.i} (${doc.kind}) could not be made: ${(error as Error).message}`);
          await sleep(500);
        }
      }
    };

    // Documents, on their planned times.
    const making = (async () => {
      for (const doc of plan) {
        await sleep(t0 + doc.at - Date.now());
        created.push(await makeWithRetries(doc));
      }
    })();
    // Process faults, on theirs.
    const events: FaultEvent[] = [];
    const workers = pool;
    const database0 = database;
    const busiest = async (): Promise<{ worker: WorkerProcess; runIds: string[] } | undefined> => {
      let best: { worker: WorkerProcess; runIds: string[] } | undefined;
      for (const worker of workers.live().filter((w) => !w.stopped)) {
        const runIds = await patiently(() => runsHeldBy(db0, workers.pids(worker)));
        if (!best || runIds.length > best.runIds.length) best = { worker, runIds };
      }
      return best;
    };
    const resumes: Promise<void>[] = [];
    const faulting = (async () => {
      for (const fault of faultSchedule(options)) {
        await sleep(t0 + fault.at - Date.now());
        if (fault.kind === "postgres restart") {
          const runIds = await patiently(() => runsRunning(db0));
          const tokens = await patiently(() => leaseTokens(db0, runIds));
          const at = Date.now();
          const { downMs } = await database0.restart();
          events.push({ kind: fault.kind, at, runIds, tokens, note: `down ${(downMs / 1000).toFixed(1)} s` });
          log(`+${((at - t0) / 1000).toFixed(0)} s restarted PostgreSQL (${runIds.length} runs running, down ${downMs} ms)`);
          continue;
        }
        // "Mid-batch": wait a little for a worker that holds runs.
        let target = await busiest();
        for (let i = 0; i < 20 && target && target.runIds.length === 0; i++) {
          await sleep(250);
          target = await busiest();
        }
        if (!target) continue;
        const { worker, runIds } = target;
        const tokens = await patiently(() => leaseTokens(db0, runIds));
        const at = Date.now();
        if (fault.kind === "SIGKILL") {
          workers.kill(worker);
          workers.start();
        } else if (fault.kind === "SIGTERM") {
          workers.terminate(worker);
          workers.start();
        } else {
          workers.pause(worker);
          resumes.push(
            sleep(options.stopMs).then(() => {
              workers.resume(worker);
              log(`+${((Date.now() - t0) / 1000).toFixed(0)} s SIGCONT worker ${worker.n}`);
            }),
          );
        }
        events.push({ kind: fault.kind, at, worker: worker.n, runIds, tokens });
        log(`+${((at - t0) / 1000).toFixed(0)} s ${fault.kind} worker ${worker.n} (${runIds.length} runs in flight)`);
      }
    })();
    // Once a second: which interrupted runs have been claimed again.
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        await watchReclaims(db0, events).catch(() => undefined);
        await sleep(1_000);
      }
    })();
    await Promise.all([making, faulting]);
    await sleep(t0 + options.durationMs - Date.now());
    await Promise.all(resumes);
    log(`${created.length} documents made; draining`);

    // Drain: every document has a run and no run of theirs is unfinished, for longer than a
    // reconciliation poll interval (a poll may still make a run for a document that looked done).
    const keys = created.map((d) => d.recordKey.toLowerCase());
    const drainDeadline = Date.now() + options.drainTimeoutMs;
    let quietSince: number | undefined;
    for (;;) {
      const [row] = await patiently(
        () => db0.sql<{ without: number; open: number }[]>`
          select
            (select count(*)::int from unnest(${keys}::text[]) k where not exists (select 1 from runs r where lower(r.record_key) = k)) as without,
            (select count(*)::int from runs r where lower(r.record_key) = any(${keys}::text[]) and r.status in ('queued', 'running', 'waiting')) as open`,
      );
      if (row!.without === 0 && row!.open === 0) {
        quietSince ??= Date.now();
        if (Date.now() - quietSince >= options.quietMs) break;
      } else {
        quietSince = undefined;
      }
      if (Date.now() > drainDeadline) {
        log(`drain timed out: ${row!.without} documents without a run, ${row!.open} runs unfinished`);
        break;
      }
      await sleep(2_000);
    }
    // A worker that was paused may still be finishing what it started: let it, then count.
    await sleep(5_000);
    watching = false;
    await watcher;
    await switchFaultsOff(urls);
    const postings = await postingCounts(urls, DIVISION);
    const integrations = await countFigures(db0, created, postings);
    const recoveries = [];
    for (const event of events) recoveries.push(await measureRecovery(db0, event));
    const slowestRecoveryMs = recoveries.reduce((max, r) => Math.max(max, r.stuck.length ? Number.POSITIVE_INFINITY : (r.slowestMs ?? 0)), 0);
    const duplicates = integrations.reduce((n, f) => n + f.duplicates.length, 0);
    const losses = integrations.reduce((n, f) => n + f.losses.length, 0);
    return {
      integrations,
      recoveries,
      slowestRecoveryMs,
      unexpectedWorkerExits: pool.unexpectedExits.length,
      durationMs: Date.now() - began,
      startedAt: t0,
      ok: duplicates === 0 && losses === 0 && slowestRecoveryMs <= 60_000,
    };
  } finally {
    await pool?.stopAll().catch(() => undefined);
    await web?.stop().catch(() => undefined);
    await sandboxes?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await database?.stop().catch(() => undefined);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
