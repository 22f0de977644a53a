/**
 * `npm run bench:backfill`: a backfill of Exact invoices through the Exact invoice -> Avalara ->
 * journal template, bound by Exact's per-division minutely limits, with 3 worker processes
 * sharing one rate limiter in PostgreSQL.
 *
 * What runs: the bench's own PostgreSQL (fsync on, bench/chaos/database.ts), the four sandboxes in
 * this process (Exact with 50 ms latency per API call and the given minutely limit in each of two
 * divisions, 1001 and 1002), the demo workspace whose Exact connection serves both divisions, its
 * Exact template flow activated, and `npm run worker` three times. Invoices are made in the
 * sandbox (half per division), then one run per invoice is queued as its webhook would start it.
 *
 * Printed: the bound the limits set (API calls the sandbox counted / the allowed rate of both
 * divisions), the elapsed time (first run queued to last run finished) and elapsed/bound (target
 * <= 1.1), 429s as a share of calls (target <= 1 %), and duplicates counted in the sandbox's own
 * ledgers (journal entries per invoice; target 0). Exit 1 when runs did not all succeed.
 *
 * Options: --invoices N (10000; --quick 500), --minutely M (per division; default: a bound of about
 * 5 minutes, --quick 30 s, at 6 calls per invoice), --workers W (3), --concurrency C (8 per worker),
 * --latency MS (50), --avalara-rate R (the Avalara connection's calls per second; 200, so that
 * Exact's limits and the engine set the pace, not our own default of 20 a second).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DEMO } from "../../connectors/exact/sandbox/demo";
import { createInvoice } from "../../connectors/exact/sandbox/store";
import { createDb, type Db } from "../../db/client";
import { seedDemoWorkspace } from "../../engine/demo/seed";
import { parseFlowDefinition } from "../../engine/flow/schema";
import { activateFlow, saveVersion } from "../../engine/flows";
import { createRuns } from "../../engine/runs";
import { TERMINAL_RUN_STATUSES } from "../../engine/status";
import { startSandboxes, type Sandboxes } from "../../engine/templates/test-helpers";
import { startChaosDatabase, type ChaosDatabase } from "../chaos/database";
import { logPath, WorkerPool } from "../chaos/workers";

const DIVISIONS = [DEMO.usDivision, DEMO.usSecondDivision];
/** Exact calls per invoice as the sandbox counted them (read invoice, account, addresses; entries in force, post, read back; the division and its GL accounts come from the reference cache). */
const CALLS_PER_INVOICE = 6;

export interface BackfillOptions {
  invoices: number;
  minutely: number;
  workers: number;
  concurrency: number;
  latencyMs: number;
  avalaraRate: number;
  log: (line: string) => void;
}

export interface BackfillFigures {
  invoices: number;
  calls: number;
  refused: number;
  boundMs: number;
  elapsedMs: number;
  ratio: number;
  refusedShare: number;
  duplicates: number;
  missing: number;
  runs: Record<string, number>;
}

function option(args: string[], name: string): number | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const n = Number(args[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
  return n;
}

export function parseOptions(args: string[], log: (line: string) => void = console.log): BackfillOptions {
  const quick = args.includes("--quick");
  const invoices = option(args, "invoices") ?? (quick ? 500 : 10_000);
  const boundMinutes = quick ? 0.5 : 5;
  const minutely = option(args, "minutely") ?? Math.ceil((invoices * CALLS_PER_INVOICE) / (DIVISIONS.length * boundMinutes));
  return { invoices, minutely, workers: option(args, "workers") ?? 3, concurrency: option(args, "concurrency") ?? 8, latencyMs: option(args, "latency") ?? 50,
    avalaraRate: option(args, "avalara-rate") ?? 200, log };
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: "POST", body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
}

/** The demo workspace's Exact template flow, activated, its connection serving both divisions. */
async function prepareFlow(db: Db, sandboxes: Sandboxes, avalaraRate: number): Promise<{ workspaceId: string; flowId: string; versionId: string }> {
  const workspaceId = await seedDemoWorkspace(db, { sandboxUrls: sandboxes.urls, redirectUri: "http://127.0.0.1/api/oauth/callback" });
  await db.sql`update connections set config = config || ${JSON.stringify({ divisions: [DEMO.usSecondDivision] })}::text::jsonb
               where workspace_id = ${workspaceId} and system = 'exact'`;
  // Our own pace per AvaTax account (20 a second by default) would bind before Exact's limits.
  await db.sql`update connections set config = config || ${JSON.stringify({ callsPerSecond: avalaraRate })}::text::jsonb
               where workspace_id = ${workspaceId} and system = 'avalara'`;
  const [flow] = await db.sql<{ id: string }[]>`
    select id::text from flows where workspace_id = ${workspaceId} and template_id = 'exact-invoice-avalara-journal'`;
  if (!flow) throw new Error("the demo workspace has no Exact invoice template flow");
  const [latest] = await db.sql<{ definition: unknown }[]>`select definition from flow_versions where flow_id = ${flow.id} order by version desc limit 1`;
  const definition = parseFlowDefinition(latest!.definition);
  // A backfill runs as many invoices at once as the workers take (the template's default is 5).
  await saveVersion(db, workspaceId, flow.id, { ...definition, settings: { ...definition.settings, concurrency: 50 } }, "backfill bench: concurrency 50");
  await activateFlow(db, workspaceId, flow.id);
  const [version] = await db.sql<{ id: string }[]>`select active_version_id::text as id from flows where id = ${flow.id}`;
  return { workspaceId, flowId: flow.id, versionId: version!.id };
}

/** The invoices, made in the sandbox's divisions as a user would (no notification: the bench queues the runs). */
function makeInvoices(sandboxes: Sandboxes, count: number): { division: number; invoiceId: string }[] {
  const made: { division: number; invoiceId: string }[] = [];
  const region = sandboxes.exact.world.regions.get("us")!;
  for (let i = 0; i < count; i++) {
    const division = DIVISIONS[i % DIVISIONS.length]!;
    const div = region.divisions.get(division)!;
    const customer = div.accounts.find((a) => a.Name === "Lone Star Components Inc.")!;
    const invoice = createInvoice(
      div,
      { InvoiceTo: String(customer.ID), InvoiceDate: "2026-03-05", YourRef: `BACKFILL-${i}`, SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 1 + (i % 5) }] } as Parameters<typeof createInvoice>[1],
      sandboxes.exact.world.now(),
    );
    made.push({ division, invoiceId: String(invoice.InvoiceID) });
  }
  return made;
}

async function runCounts(db: Db, flowId: string): Promise<Record<string, number>> {
  const rows = await db.sql<{ status: string; n: number }[]>`select status, count(*)::int as n from runs where flow_id = ${flowId} group by status`;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export async function runBackfill(options: BackfillOptions): Promise<BackfillFigures> {
  const { log } = options;
  const saved = { DATABASE_URL: process.env.DATABASE_URL, LEDGERLINE_ENCRYPTION_KEY: process.env.LEDGERLINE_ENCRYPTION_KEY };
  delete process.env.DATABASE_URL;
  const encryptionKey = randomBytes(32).toString("hex");
  process.env.LEDGERLINE_ENCRYPTION_KEY = encryptionKey;
  const logDir = await mkdtemp(path.join(tmpdir(), "ledgerline-backfill-logs-"));
  let database: ChaosDatabase | undefined;
  let db: Db | undefined;
  let sandboxes: Sandboxes | undefined;
  let pool: WorkerPool | undefined;
  try {
    database = await startChaosDatabase();
    db = createDb(database.url, { max: 6 });
    sandboxes = await startSandboxes();
    const exactUrl = sandboxes.urls.exact;
    // Real per-division minutely limits; the daily limit (5,000) and the error limit are lifted so
    // the minutely ones set the bound.
    await post(`${exactUrl}/__sandbox/config`, { minutelyLimit: options.minutely, dailyLimit: 10_000_000, errorLimitPerHour: 100_000 });
    for (const division of DIVISIONS) await post(`${exactUrl}/__sandbox/limits`, { division, minutely: options.minutely });
    const target = await prepareFlow(db, sandboxes, options.avalaraRate);
    const invoices = makeInvoices(sandboxes, options.invoices);
    await post(`${exactUrl}/__sandbox/faults`, { latencyMs: options.latencyMs });
    log(`${options.invoices} invoices in divisions ${DIVISIONS.join(" and ")}; Exact: ${options.minutely} calls a minute per division, ${options.latencyMs} ms per call; Avalara: ${options.avalaraRate} calls a second; logs in ${logDir}`);

    pool = new WorkerPool({
      env: { DATABASE_URL: database.url, LEDGERLINE_ENCRYPTION_KEY: encryptionKey, WORKER_CONCURRENCY: String(options.concurrency), NODE_ENV: "production" },
      logFile: logPath(logDir),
      log,
      size: options.workers,
    });
    for (let i = 0; i < options.workers; i++) pool.start();
    for (const deadline = Date.now() + 120_000; ; ) {
      const [row] = await db.sql<{ n: number }[]>`select count(distinct pid)::int as n from worker_heartbeats`;
      if (row!.n >= options.workers) break;
      if (Date.now() > deadline) throw new Error(`only ${row!.n} of ${options.workers} workers started (see ${logPath(logDir)})`);
      await sleep(250);
    }
    log(`${options.workers} workers running (npm run worker, concurrency ${options.concurrency} each)`);

    const started = Date.now();
    for (let i = 0; i < invoices.length; i += 500) {
      const records = invoices.slice(i, i + 500).map((inv) => ({
        key: `exact:${inv.division}:${inv.invoiceId}`,
        version: "Create",
        data: { division: inv.division, invoiceId: inv.invoiceId, action: "Create", eventCreatedOn: null },
      }));
      await db.sql.begin((tx) => createRuns(tx, { ...target, triggerKind: "webhook" }, records));
    }
    let last = 0;
    for (;;) {
      const counts = await runCounts(db, target.flowId);
      const done = Object.entries(counts).reduce((s, [status, n]) => s + ((TERMINAL_RUN_STATUSES as readonly string[]).includes(status) ? n : 0), 0);
      const open = Object.values(counts).reduce((s, n) => s + n, 0) - done;
      if (Date.now() - last > 15_000) {
        log(`  ${Math.round((Date.now() - started) / 1000)} s: ${done} of ${invoices.length} runs finished ${JSON.stringify(counts)}`);
        last = Date.now();
      }
      if (open === 0 && done >= invoices.length) break;
      await sleep(1000);
    }
    const [end] = await db.sql<{ at: Date }[]>`select max(finished_at) as at from runs where flow_id = ${target.flowId}`;
    const elapsedMs = end!.at.getTime() - started;
    const runs = await runCounts(db, target.flowId);

    // Counted from the sandbox itself: calls admitted and refused per division, entries per invoice.
    const region = sandboxes.exact.world.regions.get("us")!;
    let calls = 0;
    let refused = 0;
    let duplicates = 0;
    let missing = 0;
    for (const division of DIVISIONS) {
      const div = region.divisions.get(division)!;
      for (const counter of div.rate.values()) {
        calls += counter.dayCount;
        refused += counter.refused ?? 0;
      }
      const perInvoice = new Map<string, number>();
      for (const entry of div.entries) {
        const lines = (entry._lines as Record<string, unknown>[]) ?? [];
        const m = /^tax:EXACT-\d+-([0-9a-f-]{36})\|v=/.exec(String(lines[0]?.Notes ?? ""));
        if (m && !entry.Reversal) perInvoice.set(m[1]!, (perInvoice.get(m[1]!) ?? 0) + 1);
      }
      for (const inv of invoices.filter((i) => i.division === division)) {
        const n = perInvoice.get(inv.invoiceId.toLowerCase()) ?? perInvoice.get(inv.invoiceId) ?? 0;
        if (n === 0) missing++;
        if (n > 1) duplicates += n - 1;
      }
    }
    const ratePerMs = (DIVISIONS.length * options.minutely) / 60_000;
    const boundMs = calls / ratePerMs;
    return {
      invoices: invoices.length,
      calls,
      refused,
      boundMs,
      elapsedMs,
      ratio: elapsedMs / boundMs,
      refusedShare: refused / Math.max(1, calls + refused),
      duplicates,
      missing,
      runs,
    };
  } finally {
    await pool?.stopAll().catch(() => undefined);
    await sandboxes?.close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await database?.stop().catch(() => undefined);
    if (saved.DATABASE_URL === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved.DATABASE_URL;
    if (saved.LEDGERLINE_ENCRYPTION_KEY === undefined) delete process.env.LEDGERLINE_ENCRYPTION_KEY;
    else process.env.LEDGERLINE_ENCRYPTION_KEY = saved.LEDGERLINE_ENCRYPTION_KEY;
  }
}

export function report(f: BackfillFigures, options: BackfillOptions): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  return [
    `invoices                ${f.invoices} (runs ${JSON.stringify(f.runs)})`,
    `Exact API calls         ${f.calls} counted by the sandbox (${(f.calls / f.invoices).toFixed(2)} per invoice)`,
    `bound the limits set    ${s(f.boundMs)}  (${f.calls} calls / ${DIVISIONS.length} divisions x ${options.minutely} a minute)`,
    `elapsed                 ${s(f.elapsedMs)}`,
    `elapsed / bound         ${f.ratio.toFixed(3)}  ${f.ratio <= 1.1 ? "PASS" : "ABOVE target"} (target <= 1.1)`,
    `429s                    ${f.refused} = ${pct(f.refusedShare)} of calls  ${f.refusedShare <= 0.01 ? "PASS" : "ABOVE target"} (target <= 1 %)`,
    `duplicates in sandbox   ${f.duplicates}  ${f.duplicates === 0 ? "PASS" : "FAIL"} (journal entries per invoice in the divisions' own ledgers; invoices without one: ${f.missing})`,
  ].join("\n");
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const figures = await runBackfill(options);
  console.log(report(figures, options));
  const failed = Object.entries(figures.runs).filter(([status]) => status !== "succeeded").reduce((s, [, n]) => s + n, 0);
  process.exitCode = failed > 0 || figures.duplicates > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, "run.ts")) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  });
}
