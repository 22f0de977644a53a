/**
 * `npm run bench`: runs/s of the built-in 4-node flow (trigger -> map -> lookup -> filter)
 * through the real engine, against raw graphile-worker jobs doing the same inserts by hand, in
 * the same process and database. See bench/README.md.
 *
 *   --runs N         runs per measured round (default 2000)
 *   --concurrency C  worker concurrency, both sides (default 4)
 *   --rounds R       measured rounds per side, alternating (default 3)
 *   --warmup W       runs per warm-up round, per side (default 300)
 *   --profile        then one more round per side with pg_stat_statements: queries per run
 *   --fsync on|off   the embedded cluster's fsync and synchronous_commit (default on, as `npm start`)
 *
 * Exit code 0 whatever the ratio (it prints figures, it is not a test); non-zero on errors,
 * such as a run that did not succeed.
 */
import { parseArgs } from "node:util";
import { cpus } from "node:os";
import { createDb, type Db } from "../../db/client";
import { baselineRound } from "./baseline-side";
import { startBenchDatabase, type BenchDatabase } from "./database";
import { engineRound } from "./engine-side";
import { createFixtures, type Fixtures } from "./fixtures";
import { enableStatements, printProfile, profileRound } from "./profile";
import type { RoundResult } from "./round";

const TARGET = 0.9;
/** Engine time per run (finished_at - started_at), ms. */
const EXEC_TARGET = { p50: 3, p99: 10 };

// Never the user's database: anything that reached for DATABASE_URL by mistake now fails loudly.
delete process.env.DATABASE_URL;

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "4" },
    rounds: { type: "string", default: "3" },
    warmup: { type: "string", default: "300" },
    profile: { type: "boolean", default: false },
    fsync: { type: "string", default: "on" },
  },
});
const positive = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
};
const runs = positive("runs", values.runs);
const concurrency = positive("concurrency", values.concurrency);
const rounds = positive("rounds", values.rounds);
const warmup = positive("warmup", values.warmup);
if (values.fsync !== "on" && values.fsync !== "off") throw new Error(`--fsync must be on or off, got ${values.fsync}`);
const durable = values.fsync === "on";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const fmt = (n: number, digits = 1) => n.toFixed(digits);

function printTable(engine: RoundResult[], baseline: RoundResult[]): { ratio: number } {
  const server = engine.every((r) => r.serverCpuMsPerRun !== undefined) && baseline.every((r) => r.serverCpuMsPerRun !== undefined);
  const header = ["round", "engine runs/s", "baseline runs/s", "engine/baseline", "engine node CPU ms/run", "baseline node CPU ms/run"];
  if (server) header.push("engine PG CPU ms/run", "baseline PG CPU ms/run");
  const cpuCells = (e: number, b: number, es?: number, bs?: number) => [fmt(e, 2), fmt(b, 2), ...(server ? [fmt(es!, 2), fmt(bs!, 2)] : [])];
  const rows = engine.map((e, i) => {
    const b = baseline[i]!;
    return [String(i + 1), fmt(e.runsPerSecond), fmt(b.runsPerSecond), fmt(e.runsPerSecond / b.runsPerSecond, 2), ...cpuCells(e.cpuMsPerRun, b.cpuMsPerRun, e.serverCpuMsPerRun, b.serverCpuMsPerRun)];
  });
  const e = median(engine.map((r) => r.runsPerSecond));
  const b = median(baseline.map((r) => r.runsPerSecond));
  const m = (rs: RoundResult[], k: "cpuMsPerRun" | "serverCpuMsPerRun") => median(rs.map((r) => r[k] ?? 0));
  rows.push(["median", fmt(e), fmt(b), fmt(e / b, 2), ...cpuCells(m(engine, "cpuMsPerRun"), m(baseline, "cpuMsPerRun"), m(engine, "serverCpuMsPerRun"), m(baseline, "serverCpuMsPerRun"))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
  return { ratio: e / b };
}

async function main(db: Db, database: BenchDatabase, f: Fixtures): Promise<void> {
  const engine: RoundResult[] = [];
  const baseline: RoundResult[] = [];
  const side = { runs, concurrency, serverCpuMs: database.serverCpuMs };
  console.log(`warm-up: ${warmup} runs per side`);
  await engineRound(db, database.url, f, { ...side, runs: warmup, round: "warmup" });
  await baselineRound(db, database.url, f, { ...side, runs: warmup, round: "warmup" });
  for (let i = 1; i <= rounds; i++) {
    await db.sql`vacuum analyze`;
    const e = await engineRound(db, database.url, f, { ...side, round: `r${i}` });
    engine.push(e);
    console.log(`round ${i} engine:   ${fmt(e.runsPerSecond)} runs/s (${runs} runs in ${fmt(e.wallMs / 1000, 2)} s)`);
    await db.sql`vacuum analyze`;
    const b = await baselineRound(db, database.url, f, { ...side, round: `r${i}` });
    baseline.push(b);
    console.log(`round ${i} baseline: ${fmt(b.runsPerSecond)} runs/s (${runs} runs in ${fmt(b.wallMs / 1000, 2)} s)`);
  }

  console.log("");
  const { ratio } = printTable(engine, baseline);
  const p = (k: "p50" | "p95" | "execP50" | "execP95" | "execP99") => fmt(median(engine.map((r) => r.latency![k])), k.startsWith("exec") ? 1 : 0);
  console.log("");
  console.log(`engine per-run latency, median of rounds (all ${runs} runs queued at once, so queue wait dominates):`);
  console.log(`  finished_at - created_at: p50 ${p("p50")} ms, p95 ${p("p95")} ms`);
  console.log(`  finished_at - started_at: p50 ${p("execP50")} ms, p95 ${p("execP95")} ms, p99 ${p("execP99")} ms`);
  const execOk = Number(p("execP50")) <= EXEC_TARGET.p50 && Number(p("execP99")) <= EXEC_TARGET.p99;
  console.log(`${execOk ? "PASS" : "BELOW target"}: engine time per run p50 ${p("execP50")} ms (target <= ${EXEC_TARGET.p50}), p99 ${p("execP99")} ms (target <= ${EXEC_TARGET.p99})`);
  console.log("");
  console.log(`ratio engine/baseline (medians): ${fmt(ratio, 2)}`);
  console.log(ratio >= TARGET ? `PASS: the engine reaches ${fmt(ratio, 2)} of the baseline (target ${TARGET})` : `BELOW target: the engine reaches ${fmt(ratio, 2)} of the baseline (target ${TARGET})`);

  if (values.profile) {
    if (!database.statements) {
      console.log("\n--profile: pg_stat_statements is not available, no query profile");
      return;
    }
    await enableStatements(db);
    const n = Math.min(runs, 500);
    await db.sql`vacuum analyze`;
    printProfile(`engine (${n} runs)`, await profileRound(db, n, (beforeStart) => engineRound(db, database.url, f, { ...side, runs: n, round: "profile", beforeStart })));
    await db.sql`vacuum analyze`;
    printProfile(`baseline (${n} runs)`, await profileRound(db, n, (beforeStart) => baselineRound(db, database.url, f, { ...side, runs: n, round: "profile", beforeStart })));
  }
}

let database: BenchDatabase | undefined;
let db: Db | undefined;
let failed = false;
try {
  database = await startBenchDatabase({ profile: values.profile, durable });
  console.log(`Ledgerline engine benchmark: ${runs} runs per round, concurrency ${concurrency}, ${rounds} rounds, Node ${process.version}, ${cpus().length} cores`);
  console.log(`database: ${database.description}`);
  db = createDb(database.url, { max: 2 });
  const f = await createFixtures(db);
  await main(db, database, f);
} catch (error) {
  failed = true;
  console.error(`\n[bench] failed: ${(error as Error).stack ?? String(error)}`);
} finally {
  await db?.close().catch(() => undefined);
  await database?.stop().catch((error) => {
    failed = true;
    console.error(`[bench] could not stop the database: ${(error as Error).message}`);
  });
}
process.exit(failed ? 1 : 0);
