/**
 * The worker's memory: starts `npm run worker` as an operator does (its own process group, against
 * the bench's own PostgreSQL), samples the resident memory (VmRSS from /proc) of the worker's node
 * process and of the whole process tree `npm run worker` makes, idle and while it drains a backlog
 * of `--runs` runs (default 10,000) of the built-in 4-node flow, and prints the figures against
 * the targets (idle <= 150 MB, draining <= 300 MB, for the worker process).
 *
 *   npm run bench:memory
 *   npm run bench:memory -- --runs 2000 --idle 10
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb } from "../../db/client";
import { TERMINAL_RUN_STATUSES } from "../../engine/executor/store";
import { createRuns } from "../../engine/runs";
import { startBenchDatabase } from "../engine/database";
import { createFixtures, invoice } from "../engine/fixtures";

const IDLE_TARGET_MB = 150;
const DRAIN_TARGET_MB = 300;

function parseOptions(argv: string[]) {
  const options = { runs: 10_000, idle: 20, concurrency: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, "") as keyof typeof options;
    const value = Number(argv[i + 1]);
    if (!(key in options) || !Number.isInteger(value) || value < 0) throw new Error(`usage: bench:memory [--runs N] [--idle SECONDS] [--concurrency C] (got ${argv[i]} ${argv[i + 1] ?? ""})`);
    options[key] = value;
  }
  return options;
}

/** Parent pid and VmRSS (kB) of every process, from /proc. */
function processTable(): Map<number, { ppid: number; rssKb: number; command: string }> {
  const table = new Map<number, { ppid: number; rssKb: number; command: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      // Kernel threads and zombies have no VmRSS line.
      const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      table.set(Number(entry), { ppid, rssKb, command });
    } catch {
      // The process ended while we looked.
    }
  }
  return table;
}

/** RSS in MB of `root` and all its descendants, and of `worker` alone (threads share its RSS). */
function sample(root: number, worker: number | undefined) {
  const table = processTable();
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of table) {
      if (tree.has(pid) || !tree.has(p.ppid)) continue;
      tree.add(pid);
      grew = true;
    }
  }
  let kb = 0;
  for (const pid of tree) kb += table.get(pid)?.rssKb ?? 0;
  return { treeMb: kb / 1024, workerMb: worker ? (table.get(worker)?.rssKb ?? 0) / 1024 : 0, processes: [...tree].map((pid) => ({ pid, ...table.get(pid)! })).filter((p) => p.command) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (n: number) => `${n.toFixed(0).padStart(4)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const database = await startBenchDatabase({ profile: false });
  const db = createDb(database.url, { max: 2 });
  const dataDir = mkdtempSync(path.join(tmpdir(), "ledgerline-memory-"));
  const logFile = path.join(dataDir, "worker.log");
  let child: ChildProcess | undefined;
  let ok = false;
  try {
    console.log(`worker memory on ${database.description}; worker log ${logFile}`);
    const f = await createFixtures(db);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      LEDGERLINE_DATA_DIR: dataDir,
      LEDGERLINE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      ...(options.concurrency ? { WORKER_CONCURRENCY: String(options.concurrency) } : {}),
    };
    const started = Date.now();
    const spawned = spawn("npm", ["run", "--silent", "worker"], { cwd: process.cwd(), env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child = spawned;
    const root = spawned.pid!;
    spawned.stdout.on("data", (c: Buffer) => appendFileSync(logFile, c));
    spawned.stderr.on("data", (c: Buffer) => appendFileSync(logFile, c));
    let exited = false;
    spawned.once("exit", () => (exited = true));

    // The worker process is the one that writes its heartbeat (its pid is in the row).
    let worker: number | undefined;
    while (!worker) {
      if (exited) throw new Error(`the worker exited before it ran (see ${logFile})`);
      if (Date.now() - started > 120_000) throw new Error(`no worker heartbeat within 120 s (see ${logFile})`);
      const [row] = await db.sql<{ pid: number }[]>`select pid from worker_heartbeats order by 1 desc limit 1`;
      worker = row?.pid;
      if (!worker) await sleep(250);
    }
    console.log(`worker running after ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${worker})`);
    const tree = sample(root, worker);
    for (const p of tree.processes) console.log(`  pid ${String(p.pid).padEnd(7)} ${mb(p.rssKb / 1024)}  ${p.command.slice(0, 110)}`);

    // Idle: settle, then sample every 250 ms.
    const idle: { treeMb: number; workerMb: number }[] = [];
    const idleUntil = Date.now() + options.idle * 1000;
    while (Date.now() < idleUntil) {
      idle.push(sample(root, worker));
      await sleep(250);
    }
    const idleWorker = median(idle.slice(Math.floor(idle.length / 2)).map((s) => s.workerMb));
    const idleTree = median(idle.slice(Math.floor(idle.length / 2)).map((s) => s.treeMb));

    // A backlog: N runs created and enqueued in one transaction, as a trigger does.
    const records = Array.from({ length: options.runs }, (_, i) => ({ key: `memory:${i}`, version: "1", data: invoice(i), label: `Invoice ${i}` }));
    const queued = Date.now();
    const created = await db.sql.begin((tx) => createRuns(tx, { workspaceId: f.workspaceId, flowId: f.flowId, versionId: f.versionId, triggerKind: "manual" }, records));
    if (created.created.length !== options.runs) throw new Error(`created ${created.created.length} of ${options.runs} runs`);
    let peak = { treeMb: 0, workerMb: 0 };
    let done = 0;
    let lastCount = 0;
    while (done < options.runs) {
      if (exited) throw new Error(`the worker exited while draining (see ${logFile})`);
      for (let i = 0; i < 4; i++) {
        const s = sample(root, worker);
        peak = { treeMb: Math.max(peak.treeMb, s.treeMb), workerMb: Math.max(peak.workerMb, s.workerMb) };
        await sleep(250);
      }
      const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from runs where flow_id = ${f.flowId} and status = any(${TERMINAL_RUN_STATUSES})`;
      done = row!.n;
      if (done - lastCount >= 2000 || done === options.runs) {
        console.log(`  ${String(done).padStart(6)} of ${options.runs} runs finished   worker ${mb(sample(root, worker).workerMb)}   peak so far ${mb(peak.workerMb)}`);
        lastCount = done;
      }
      if (Date.now() - queued > 30 * 60_000) throw new Error(`backlog not drained in 30 minutes (${done} of ${options.runs})`);
    }
    const drainS = (Date.now() - queued) / 1000;
    const after = sample(root, worker);
    const [failed] = await db.sql<{ n: number }[]>`select count(*)::int as n from runs where flow_id = ${f.flowId} and status <> 'succeeded'`;

    console.log(`\nbacklog of ${options.runs} runs drained in ${drainS.toFixed(1)} s (${(options.runs / drainS).toFixed(0)} runs/s), ${failed!.n} not succeeded`);
    console.log(`${"".padEnd(34)} ${"worker process".padStart(14)} ${"npm run worker (tree)".padStart(22)}   target (worker)`);
    const line = (name: string, w: number, t: number, target?: number) =>
      console.log(`${name.padEnd(34)} ${mb(w).padStart(14)} ${mb(t).padStart(22)}   ${target ? `<= ${target} MB  ${(w / target).toFixed(2)} ${w <= target ? "PASS" : "OVER target"}` : ""}`);
    line(`idle (median of the last ${options.idle / 2} s)`, idleWorker, idleTree, IDLE_TARGET_MB);
    line(`draining ${options.runs} runs (peak)`, peak.workerMb, peak.treeMb, DRAIN_TARGET_MB);
    line("after draining", after.workerMb, after.treeMb);
    ok = true;
  } finally {
    if (child?.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await sleep(1000);
    }
    await db.close();
    await database.stop();
    // Kept when something failed: the worker's log is in it.
    if (ok) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
