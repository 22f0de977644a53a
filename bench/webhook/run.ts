/**
 * `npm run bench:webhook`: signed generic-webhook deliveries into a 4-node flow (webhook -> map
 * fields -> filter -> map fields) of the product as `npm start` runs it (embedded PostgreSQL with
 * fsync on, the production web app, one worker, per-node run logs kept), counted until every run
 * has finished. See bench/README.md.
 *
 *   --deliveries N   deliveries at --connections (default 5000)
 *   --connections C  concurrent senders for the throughput phase (default 10)
 *   --single N       deliveries one at a time first, for the 1-connection latency (default 300)
 *   --profile        the product on a cluster of the bench's own with pg_stat_statements: every
 *                    statement of the throughput phase per run, with its server time
 *   BENCH_CPU_PROF=DIR  (environment) the engine's process (start.ts, which runs the worker) runs
 *                    under --cpu-prof and leaves its .cpuprofile files in DIR when it exits
 *
 * It starts `scripts/start.ts` in a temporary data directory on free ports (sandboxes off: the flow
 * calls no connector) and stops it at the end. The web app must be built (`npx next build`); a
 * missing build is made first, as `npm start` does. Exit code 0 whatever the figures; non-zero on
 * errors (a delivery refused, a run that did not succeed).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Pool, request } from "undici";
import { createDb, type Db } from "../../db/client";
import { freePort } from "../../db/free-port";
import { TERMINAL_RUN_STATUSES } from "../../engine/status";
import { activeWebhookFlow, createWorkspace, signedWebhookHeaders } from "../../engine/test/helpers";
import { CLOCK_TICKS, pids, procStat } from "../../engine/test/proc";
import { startBenchDatabase, type BenchDatabase } from "../engine/database";
import { enableStatements, printProfile, profileRound, type Profile } from "../engine/profile";

const TARGET_RUNS_PER_SECOND = 750;
const TARGET_SINGLE_P50_MS = 10;
/** n8n 2.41 with its default expression sandbox, the same flow shape, on this machine kind (issue figures). */
const N8N_RUNS_PER_SECOND = 29.7;

const { values } = parseArgs({
  options: {
    deliveries: { type: "string", default: "5000" },
    connections: { type: "string", default: "10" },
    single: { type: "string", default: "300" },
    profile: { type: "boolean", default: false },
  },
});
const positive = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
};
const deliveries = positive("deliveries", values.deliveries);
const connections = positive("connections", values.connections);
const single = positive("single", values.single);

const fmt = (n: number, digits = 1) => n.toFixed(digits);
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** CPU ms used so far by each part of the product: the web app, the engine (start.ts's process) and PostgreSQL. */
type CpuByPart = Record<"web" | "engine" | "postgres", number>;

/**
 * CPU of the product's process tree from /proc (Linux only): each live process's own time plus
 * the time of the children it reaped (PostgreSQL backends that ended count under the postmaster).
 */
function productCpu(rootPid: number): CpuByPart | undefined {
  if (process.platform !== "linux") return undefined;
  const procs = new Map<number, { ppid: number; ms: number; command: string }>();
  for (const entry of pids()) {
    try {
      const f = procStat(entry);
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      procs.set(Number(entry), { ppid: Number(f[1]), ms: ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLOCK_TICKS) * 1000, command });
    } catch {
      // The process ended while we looked.
    }
  }
  const within = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 10; depth++) {
      if (p === rootPid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const parts: CpuByPart = { web: 0, engine: 0, postgres: 0 };
  for (const [pid, p] of procs) {
    if (!within(pid)) continue;
    // A backend's parent is the postmaster: counting both would count reaped time twice, so only
    // the postmaster's totals (own + reaped) and live backends' own time are added.
    const parent = procs.get(p.ppid);
    const part = /postgres/.test(p.command) ? "postgres" : /ledgerline-web|scripts\/web\.mjs/.test(p.command) ? "web" : "engine";
    if (part === "postgres" && parent && /postgres/.test(parent.command)) {
      const f = procStat(pid);
      parts.postgres += ((Number(f[11]) + Number(f[12])) / CLOCK_TICKS) * 1000;
    } else parts[part] += p.ms;
  }
  return parts;
}

interface Product {
  baseUrl: string;
  pid: number;
  databaseUrl: string;
  /** The product's error lines so far and the tail of its output, for a failure's report. */
  errors(): string[];
  stop(): Promise<void>;
}

/** `npm start` in a data directory of its own; resolves once /api/health answers 200. */
async function startProduct(external?: BenchDatabase): Promise<Product> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "ledgerline-bench-webhook-"));
  // Why: as root, embedded PostgreSQL runs as the postgres user, which must reach the folder mkdtemp made private.
  await chmod(dataDir, 0o755);
  const port = await freePort();
  const cpuProfile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...cpuProfile, "--import", "tsx", "scripts/start.ts"], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: external?.url ?? "",
      PORT: String(port),
      LEDGERLINE_DATA_DIR: dataDir,
      LEDGERLINE_PG_PORT: String(await freePort()),
      LEDGERLINE_SANDBOXES: "off",
      LEDGERLINE_ENCRYPTION_KEY: process.env.LEDGERLINE_ENCRYPTION_KEY,
    },
  });
  let output = "";
  let databaseUrl: string | undefined;
  const errors: string[] = [];
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (/"level":"(error|fatal)"/.test(line)) errors.push(line.slice(0, 2000));
    errors.splice(0, Math.max(0, errors.length - 20));
    output = (output + chunk.toString("utf8")).slice(-20_000);
    databaseUrl ??= external?.url ?? /DATABASE_URL=(postgres\S+) npm run worker/.exec(output)?.[1];
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the product exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`the product did not become healthy:\n${output}`);
    const ok = await fetch(`${baseUrl}/api/health`).then((r) => r.ok, () => false);
    if (ok && databaseUrl) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    baseUrl,
    databaseUrl,
    pid: child.pid!,
    errors: () => [...errors, output.slice(-3000)],
    async stop() {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function createHookFlow(db: Db, secret: string): Promise<{ flowId: string }> {
  const workspaceId = await createWorkspace(db, "Webhook bench");
  return activeWebhookFlow(db, workspaceId, secret, {
    name: "webhook bench",
    nodes: [
      { id: "map", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "order", expression: "id" }, { target: "total", expression: "$sum(lines.amount)" }, { target: "region", expression: "$uppercase(region)" }] } },
      { id: "big", type: "core.filter", typeVersion: 1, config: { condition: "total > 0" } },
      { id: "shape", type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "reference", expression: "order & '-' & region" }, { target: "amount", expression: "$formatNumber(total, '0.00')" }] } },
    ],
  });
}

interface Delivery {
  body: string;
  headers: Record<string, string>;
}

function sign(secret: string, phase: string, n: number): Delivery {
  const body = JSON.stringify({ id: `${phase}-${n}`, updatedAt: 1, region: "wa", lines: [{ sku: "A-1", amount: 10 }, { sku: "B-2", amount: 5 }] });
  return { body, headers: signedWebhookHeaders(secret, body) };
}

/**
 * Send every delivery over `senders` concurrent keep-alive connections, each sending the next
 * delivery once the last is answered; latency per request, and the senders' own CPU.
 * undici's `request` rather than `fetch`: the senders share the product's two cores, and with
 * fetch's WHATWG objects the bench's process took 25-29 % of a core at about 400 deliveries/s.
 */
async function send(url: string, batch: Delivery[], senders: number): Promise<{ latencies: number[]; ms: number; cpuMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const pool = new Pool(new URL(url).origin, { connections: senders, pipelining: 1 });
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: senders }, async () => {
        while (next < batch.length) {
          const d = batch[next++]!;
          const t = performance.now();
          const res = await request(url, { method: "POST", headers: d.headers, body: d.body, dispatcher: pool });
          const text = await res.body.text();
          latencies.push(performance.now() - t);
          if (res.statusCode !== 202 && res.statusCode !== 200) throw new Error(`delivery answered ${res.statusCode}: ${text.slice(0, 300)}`);
        }
      }),
    );
  } finally {
    await pool.close();
  }
  const used = process.cpuUsage(cpu);
  return { latencies, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

interface DatabaseStats {
  commits: number;
  inserted: number;
  updated: number;
  deleted: number;
}

/** The database's transaction and row counters (pg_stat_database; the counting queries add a few commits). */
async function databaseStats(db: Db): Promise<DatabaseStats> {
  await db.sql`select pg_stat_force_next_flush()`;
  const [row] = await db.sql<DatabaseStats[]>`
    select xact_commit::float8 as commits, tup_inserted::float8 as inserted, tup_updated::float8 as updated, tup_deleted::float8 as deleted
    from pg_stat_database where datname = current_database()`;
  return row!;
}

/** Wait until every run of the phase is terminal; the phase's runs, with their timings. */
async function finished(db: Db, flowId: string, phase: string, n: number): Promise<{ created: Date; finished: Date; status: string }[]> {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const [row] = await db.sql<{ done: number; total: number }[]>`
      select count(*) filter (where status = any(${TERMINAL_RUN_STATUSES as string[]}))::int as done, count(*)::int as total
      from runs where flow_id = ${flowId} and record_key like ${`${phase}-%`} /* bench */`;
    if (row!.done >= n) break;
    if (Date.now() > deadline) throw new Error(`${phase}: ${row!.done} of ${n} runs finished in 30 minutes (${row!.total} created)`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const rows = await db.sql<{ created: Date; finished: Date; status: string }[]>`
    select created_at as created, finished_at as finished, status from runs where flow_id = ${flowId} and record_key like ${`${phase}-%`}`;
  const bad = rows.filter((r) => r.status !== "succeeded");
  if (bad.length > 0) throw new Error(`${phase}: ${bad.length} runs did not succeed (${bad[0]!.status})`);
  return rows;
}

/** Index entries read so far, per index of the product's tables (the statistics collector's view). */
async function indexReads(db: Db): Promise<Map<string, number>> {
  await db.sql`select pg_stat_force_next_flush()`;
  await new Promise((r) => setTimeout(r, 1100)); // Other backends publish their counters about once a second.
  await db.sql`select pg_stat_clear_snapshot()`;
  const rows = await db.sql<{ name: string; n: string }[]>`
    select relname || '.' || indexrelname as name, idx_tup_read::text as n from pg_stat_user_indexes /* bench */`;
  return new Map(rows.map((r) => [r.name, Number(r.n)]));
}

let product: Product | undefined;
let db: Db | undefined;
let profiled: BenchDatabase | undefined;
let failed = false;
process.env.LEDGERLINE_ENCRYPTION_KEY ??= randomBytes(32).toString("hex");
delete process.env.DATABASE_URL;
try {
  console.log(`Ledgerline webhook benchmark: ${single} deliveries at 1 connection, then ${deliveries} at ${connections}; Node ${process.version}, ${cpus().length} cores`);
  console.log("starting the product as npm start does (embedded PostgreSQL with fsync on, production web app, one worker)...");
  if (values.profile) {
    // A cluster of the bench's own with pg_stat_statements preloaded (fsync on, as npm start's).
    profiled = await startBenchDatabase({ profile: true, durable: true });
    if (!profiled.statements) throw new Error("--profile: pg_stat_statements is not available");
    console.log(`--profile: ${profiled.description}`);
  }
  product = await startProduct(profiled);
  db = createDb(product.databaseUrl, { max: 2 });
  if (profiled) await enableStatements(db);
  const secret = randomBytes(24).toString("hex");
  const { flowId } = await createHookFlow(db, secret);
  const url = `${product.baseUrl}/api/webhooks/${flowId}/hook`;

  // Warm-up: the route compiled and its caches filled.
  await send(url, Array.from({ length: 50 }, (_, i) => sign(secret, "warm", i)), 2);
  await finished(db, flowId, "warm", 50);

  const one = await send(url, Array.from({ length: single }, (_, i) => sign(secret, "one", i)), 1);
  await finished(db, flowId, "one", single);

  const batch = Array.from({ length: deliveries }, (_, i) => sign(secret, "many", i));
  const cpuBefore = productCpu(product.pid);
  const postgresBefore = profiled?.serverCpuMs?.();
  const statsBefore = await databaseStats(db);
  let phaseStart = 0;
  let many: Awaited<ReturnType<typeof send>> | undefined;
  let runs: Awaited<ReturnType<typeof finished>> = [];
  const phase = async (beforeStart: () => Promise<void> = async () => undefined) => {
    await beforeStart();
    phaseStart = Date.now();
    many = await send(url, batch, connections);
    runs = await finished(db!, flowId, "many", deliveries);
  };
  const indexReadsBefore = profiled ? await indexReads(db) : undefined;
  const profile: Profile | undefined = profiled ? await profileRound(db, deliveries, phase) : (await phase(), undefined);
  const indexReadsAfter = profiled ? await indexReads(db) : undefined;
  const lastFinished = Math.max(...runs.map((r) => r.finished.getTime()));
  const completedPerSecond = deliveries / ((lastFinished - phaseStart) / 1000);
  const runLatency = runs.map((r) => r.finished.getTime() - r.created.getTime());
  const cpuAfter = productCpu(product.pid);
  const postgresAfter = profiled?.serverCpuMs?.();
  // On the bench's own cluster PostgreSQL is outside the product's process tree.
  if (cpuBefore && cpuAfter && profiled) {
    cpuBefore.postgres = postgresBefore ?? 0;
    cpuAfter.postgres = postgresAfter ?? 0;
  }
  const statsAfter = await databaseStats(db);

  console.log("");
  console.log(`webhook latency at 1 connection:  p50 ${fmt(percentile(one.latencies, 50))} ms, p99 ${fmt(percentile(one.latencies, 99))} ms (${single} deliveries)`);
  console.log(`webhook latency at ${connections} connections: p50 ${fmt(percentile(many!.latencies, 50))} ms, p99 ${fmt(percentile(many!.latencies, 99))} ms`);
  console.log(`intake: ${fmt(deliveries / (many!.ms / 1000))} requests/s (${deliveries} deliveries in ${fmt(many!.ms / 1000, 2)} s)`);
  console.log(`completed: ${fmt(completedPerSecond)} runs/s (every run finished ${fmt((lastFinished - phaseStart) / 1000, 2)} s after the first delivery)`);
  console.log(`run latency (finished - created): p50 ${fmt(percentile(runLatency, 50), 0)} ms, p99 ${fmt(percentile(runLatency, 99), 0)} ms`);
  const delta = (k: keyof DatabaseStats) => (statsAfter[k] - statsBefore[k]) / deliveries;
  console.log(`database per run: ${fmt(delta("commits"), 1)} commits, ${fmt(delta("inserted"), 1)} rows inserted, ${fmt(delta("updated"), 1)} updated, ${fmt(delta("deleted"), 1)} deleted`);
  if (cpuBefore && cpuAfter) {
    const per = (k: keyof CpuByPart) => (cpuAfter[k] - cpuBefore[k]) / deliveries;
    const total = per("web") + per("engine") + per("postgres");
    console.log(
      `CPU per run at ${connections} connections: web ${fmt(per("web"), 2)} ms, engine ${fmt(per("engine"), 2)} ms, PostgreSQL ${fmt(per("postgres"), 2)} ms, ` +
        `total ${fmt(total, 2)} ms: at most ${fmt((cpus().length * 1000) / total, 0)} runs/s on ${cpus().length} cores if nothing else ran`,
    );
    console.log(`the bench's senders, on the same cores: ${fmt(many!.cpuMs / deliveries, 2)} ms of CPU per delivery`);
  }
  console.log(`against n8n's ${N8N_RUNS_PER_SECOND} runs/s for the same shape: ${fmt(completedPerSecond / N8N_RUNS_PER_SECOND, 2)}x`);
  const p50 = percentile(one.latencies, 50);
  console.log(
    `${completedPerSecond >= TARGET_RUNS_PER_SECOND ? "PASS" : "BELOW target"}: ${fmt(completedPerSecond)} completed runs/s (target >= ${TARGET_RUNS_PER_SECOND}); ` +
      `${p50 <= TARGET_SINGLE_P50_MS ? "PASS" : "BELOW target"}: webhook p50 at 1 connection ${fmt(p50)} ms (target <= ${TARGET_SINGLE_P50_MS})`,
  );
  if (profile) printProfile(`statements of the ${connections}-connection phase (web app and worker)`, profile);
  if (indexReadsBefore && indexReadsAfter) {
    console.log("\nindex entries read per run in that phase (pg_stat_user_indexes, the 8 most):");
    const perRun = [...indexReadsAfter].map(([name, n]) => [name, (n - (indexReadsBefore.get(name) ?? 0)) / deliveries] as const);
    for (const [name, n] of perRun.sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${fmt(n, 1).padStart(9)}  ${name}`);
  }
} catch (error) {
  failed = true;
  console.error(`\n[bench] failed: ${(error as Error).stack ?? String(error)}`);
  // The product's lines about the failure may still be in the pipe.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const errors = product?.errors() ?? [];
  if (errors.length > 0) console.error(`[bench] the product's last error lines:\n${errors.join("\n")}`);
} finally {
  await db?.close().catch(() => undefined);
  await product?.stop().catch((error) => {
    failed = true;
    console.error(`[bench] could not stop the product: ${(error as Error).message}`);
  });
  await profiled?.stop().catch((error) => console.error(`[bench] could not stop its database: ${(error as Error).message}`));
}
process.exit(failed ? 1 : 0);
