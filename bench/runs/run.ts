/**
 * Runs at scale: generates `--runs` runs (default 10 million) over several workspaces and flows in
 * the bench's own PostgreSQL, with node runs for the last `--node-days` days (what the flow
 * overview's per-node statistics read), then times the product's own queries on them:
 *
 * - the Runs page's first page (`listRuns`: 50 rows and the capped count), target < 100 ms;
 * - a record-key search on the Runs page (`listRuns` with `recordKey`), target < 300 ms;
 * - a flow's overview statistics (`flowStats`), target < 300 ms.
 *
 * Each figure is the first call (cold: a new connection, the first plan of the statement) and the
 * median of `--reps` warm calls. Statements over target are explained (auto_explain on the
 * product's own statements).
 *
 *   npm run bench:runs                      10,000,000 runs
 *   npm run bench:runs -- --runs 1000000    a quicker try
 */
import { existsSync, statfsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { migrateDatabase, startEmbeddedPostgres } from "../../db/bootstrap";
import { createDb, type Db } from "../../db/client";
import { freePort } from "../../db/free-port";
import { flowStats, listFlows } from "../../engine/flow-queries";
import { createFlow } from "../../engine/flows";
import { rollUpRunDays } from "../../engine/run-day-counts";
import { listRuns } from "../../engine/run-queries";
import type { RunFilter } from "../../engine/run-filter";
import { startBenchDatabase, type BenchDatabase } from "../engine/database";

interface Options {
  runs: number;
  /** Keep the generated cluster in this folder and measure it again on the next call (no new load). */
  data?: string;
  batch: number;
  reps: number;
  nodeDays: number;
  workspaces: number;
  flowsPerWorkspace: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { runs: 10_000_000, batch: 500_000, reps: 7, nodeDays: 31, workspaces: 20, flowsPerWorkspace: 5 };
  const names: Record<string, Exclude<keyof Options, "data">> = {
    "--runs": "runs",
    "--batch": "batch",
    "--reps": "reps",
    "--node-days": "nodeDays",
    "--workspaces": "workspaces",
    "--flows": "flowsPerWorkspace",
  };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--data" && argv[i + 1]) {
      options.data = path.resolve(argv[++i]!);
      continue;
    }
    const key = names[argv[i]!];
    const value = Number(argv[i + 1]);
    if (!key || !Number.isInteger(value) || value < 1) throw new Error(`usage: bench:runs [--runs N] [--data DIR] [--batch N] [--reps N] [--node-days D] [--workspaces W] [--flows F] (got ${argv[i]} ${argv[i + 1] ?? ""})`);
    options[key] = value;
    i++;
  }
  return options;
}

/** The days the generated runs span (the newest is now). */
const SPAN_DAYS = 365;
/** Bytes on disk per run with its indexes, measured at 1M runs (rounded up), and per node run. */
const BYTES_PER_RUN = 900;
const BYTES_PER_NODE_RUN = 400;

/**
 * How the runs spread: workspace 0 is the big customer (30 %), the others share the rest evenly;
 * in each workspace the first flow takes half of its runs, the others share the other half. The
 * record keys look like each system's: Intacct numbers, Exact GUIDs, Commerce increment ids.
 */
const KEY_KINDS = [
  `'INV-' || (1000000 + g)`,
  `md5(g::text)::uuid::text`,
  `lpad(g::text, 10, '0')`,
  `'SO-' || (200000 + g / 2)`,
  `'APBILL-' || g`,
];

function share(workspace: number, flow: number, options: Options): number {
  const ws = workspace === 0 ? 0.3 : 0.7 / Math.max(1, options.workspaces - 1);
  const fl = options.flowsPerWorkspace === 1 ? 1 : flow === 0 ? 0.5 : 0.5 / (options.flowsPerWorkspace - 1);
  return (options.workspaces === 1 ? 1 : ws) * fl;
}

const definition = {
  schemaVersion: 1 as const,
  nodes: [
    { id: "trigger", type: "core.manualTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
    { id: "map", type: "core.mapFields", typeVersion: 1, position: { x: 200, y: 0 }, config: { fields: [{ target: "number", expression: "number" }, { target: "amount", expression: "total" }] } },
    { id: "filter", type: "core.filter", typeVersion: 1, position: { x: 400, y: 0 }, config: { condition: "amount > 0" } },
    { id: "shape", type: "core.mapFields", typeVersion: 1, position: { x: 600, y: 0 }, config: { fields: [{ target: "ref", expression: "number" }] } },
  ],
  edges: [
    { id: "e1", source: "trigger", target: "map" },
    { id: "e2", source: "map", target: "filter" },
    { id: "e3", source: "filter", target: "shape" },
  ],
};

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

async function timed(reps: number, fn: () => Promise<unknown>) {
  const first = performance.now();
  await fn();
  const cold = performance.now() - first;
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    await fn();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { cold, median: ms[Math.floor(ms.length / 2)]!, max: ms.at(-1)! };
}

type Workspaces = { id: string; flows: { flowId: string; versionId: string }[] }[];

/** The bench's workspaces and their flows, in the order they were made (a kept cluster's too). */
async function benchWorkspaces(db: Db): Promise<Workspaces> {
  const rows = await db.sql<{ id: string; flowId: string; versionId: string }[]>`
    select w.id::text, f.id::text as "flowId",
           (select v.id::text from flow_versions v where v.flow_id = f.id order by v.version desc limit 1) as "versionId"
    from workspaces w join flows f on f.workspace_id = w.id
    where w.slug like 'bench-%'
    order by substr(w.slug, 7)::int, f.name`;
  const out: Workspaces = [];
  for (const row of rows) {
    if (out.at(-1)?.id !== row.id) out.push({ id: row.id, flows: [] });
    out.at(-1)!.flows.push({ flowId: row.flowId, versionId: row.versionId });
  }
  return out;
}

/** Runs `jobs` on `connections` connections at once (index builds: one core each). */
async function inParallel<T>(items: T[], connections: postgres.Sql[], job: (sql: postgres.Sql, item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    connections.map(async (sql) => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await job(sql, item);
    }),
  );
}

async function generate(db: Db, url: string, options: Options): Promise<Workspaces> {
  const sql = db.sql;
  const workspaces: Workspaces = [];
  for (let w = 0; w < options.workspaces; w++) {
    const [ws] = await sql<{ id: string }[]>`insert into workspaces (name, slug) values (${`Bench ${w}`}, ${`bench-${w}`}) returning id::text`;
    const flows = [];
    for (let f = 0; f < options.flowsPerWorkspace; f++) flows.push(await createFlow(db, ws!.id, { name: `Flow ${w}.${String(f).padStart(2, "0")}`, definition }));
    workspaces.push({ id: ws!.id, flows });
  }
  // 10,000 slots: a run g takes slot hash(g) % 10000, whose flow is drawn with the shares above.
  const slots: { workspaceId: string; flowId: string; versionId: string; kind: number }[] = [];
  workspaces.forEach((ws, w) =>
    ws.flows.forEach((flow, f) => {
      const n = Math.round(share(w, f, options) * 10_000);
      for (let i = 0; i < n && slots.length < 10_000; i++) slots.push({ workspaceId: ws.id, ...flow, kind: (w + f) % KEY_KINDS.length });
    }),
  );
  while (slots.length < 10_000) slots.push({ workspaceId: workspaces[0]!.id, ...workspaces[0]!.flows[0]!, kind: 0 });
  await sql`create unlogged table bench_slots (i int primary key, workspace_id uuid, flow_id uuid, flow_version_id uuid, kind int)`;
  await sql`insert into bench_slots ${sql(slots.map((s, i) => ({ i, workspace_id: s.workspaceId, flow_id: s.flowId, flow_version_id: s.versionId, kind: s.kind })))}`;

  // Load at the speed of COPY: without any index or constraint of runs and node_runs (primary
  // keys and foreign keys too: a random uuid primary key makes every insert a random write into a
  // 10-million-entry btree), then build them once from the migrations' own definitions, read back
  // from the catalog.
  const tables = ["runs", "node_runs"];
  const constraints = await sql<{ table: string; name: string; def: string; kind: string }[]>`
    select c.conrelid::regclass::text as table, c.conname as name, pg_get_constraintdef(c.oid) as def, c.contype::text as kind
    from pg_constraint c
    where c.contype in ('p', 'u', 'f')
      and (c.conrelid = any(${tables}::regclass[]) or c.confrelid = any(${tables}::regclass[]))`;
  const indexes = await sql<{ name: string; def: string }[]>`
    select i.indexname as name, i.indexdef as def from pg_indexes i
    where i.schemaname = 'public' and i.tablename = any(${tables})
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`;
  for (const c of constraints.filter((c) => c.kind === "f")) await sql.unsafe(`alter table ${c.table} drop constraint ${c.name}`);
  for (const c of constraints.filter((c) => c.kind !== "f")) await sql.unsafe(`alter table ${c.table} drop constraint ${c.name}`);
  for (const index of indexes) await sql.unsafe(`drop index ${index.name}`);
  const load = postgres(url, { max: 1, onnotice: () => undefined });
  const second = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await load`set synchronous_commit = off`;
    await load`set session_replication_role = replica`;
    const started = performance.now();
    const keyExpression = KEY_KINDS.map((k, i) => `when ${i} then ${k}`).join(" ");
    // One transaction that empties the tables first: with wal_level = minimal (the bench's own
    // cluster) the rows of a table truncated in the same transaction are not written to the WAL.
    await load.begin(async (tx) => {
      await tx`truncate runs, node_runs cascade`;
      for (let from = 1; from <= options.runs; from += options.batch) {
        const to = Math.min(options.runs, from + options.batch - 1);
        // g = 1 is the oldest run, g = N the newest (now); statuses by a hash of g, the newest
        // 200 still queued or running.
        await tx.unsafe(
          `insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, record_version, record_label, input,
                             status, error, error_kind, failed_node_id, created_at, started_at, finished_at, duration_ms)
           select s.workspace_id, s.flow_id, s.flow_version_id,
                  case when h % 20 = 0 then 'manual' when s.kind = 1 then 'webhook' else 'poll' end,
                  k.key, case when s.kind = 3 then (g % 2)::text else '' end, 'Customer ' || (h % 5000),
                  jsonb_build_object('number', k.key, 'customer', jsonb_build_object('id', 'C-' || (h % 5000)), 'total', ((h % 99991) / 100.0)::text),
                  st.status,
                  case when st.status = 'failed' then jsonb_build_object('message', 'Avalara answered 400: address not found') end,
                  case when st.status = 'failed' then 'permanent' when st.status = 'needs_review' then 'needs_review' end,
                  case when st.status in ('failed', 'needs_review') then 'filter' end,
                  t.created_at,
                  case when st.status <> 'queued' then t.created_at + interval '40 ms' end,
                  case when st.status not in ('queued', 'running') then t.created_at + interval '1 ms' * (40 + d.ms) end,
                  case when st.status not in ('queued', 'running') then d.ms end
           from generate_series(${from}, ${to}) g
           cross join lateral (select ((g::bigint * 2654435761) % 4294967296)::bigint as h) hh
           join bench_slots s on s.i = hh.h % 10000
           cross join lateral (select case s.kind ${keyExpression} end as key) k
           cross join lateral (select now() - interval '1 ms' * ((${options.runs} - g)::float8 * ${SPAN_DAYS * 86_400_000} / ${options.runs}) as created_at) t
           cross join lateral (select 20 + ((h / 7) % 400)::int as ms) d
           cross join lateral (select case when g > ${options.runs} - 200 then (case when g % 2 = 0 then 'queued' else 'running' end)
                                           when h % 1000 < 50 then 'failed' when h % 1000 < 75 then 'needs_review'
                                           when h % 1000 < 85 then 'skipped' else 'succeeded' end as status) st`,
        );
        const rate = to / ((performance.now() - started) / 1000);
        console.log(`  runs ${to.toLocaleString("en-US").padStart(12)} of ${options.runs.toLocaleString("en-US")}   ${seconds(started)} s   ${Math.round(rate).toLocaleString("en-US")} rows/s`);
      }
      const nodes = performance.now();
      // Node runs of the recent runs: the trigger and three nodes, durations by node; a failed or
      // parked run stops at the filter.
      const [nodeRuns] = await tx.unsafe<{ n: number }[]>(
        `with inserted as (
           insert into node_runs (workspace_id, run_id, node_id, node_type, status, input, output, seq, started_at, finished_at, duration_ms)
           select r.workspace_id, r.id, n.node_id, n.node_type,
                  case when n.seq = 3 and r.status in ('failed', 'needs_review') then r.status else 'succeeded' end,
                  '{"number":"x"}'::jsonb, '{"number":"x"}'::jsonb, n.seq, r.started_at, r.started_at + interval '1 ms' * (n.base + (abs(hashint4(n.seq + r.duration_ms)) % n.spread)),
                  n.base + (abs(hashint4(n.seq + r.duration_ms)) % n.spread)
           from runs r
           cross join (values ('trigger', 'core.manualTrigger', 1, 1, 3), ('map', 'core.mapFields', 2, 2, 20), ('filter', 'core.filter', 3, 1, 10), ('shape', 'core.mapFields', 4, 2, 30))
                as n(node_id, node_type, seq, base, spread)
           where r.created_at > now() - interval '${options.nodeDays} days' and r.started_at is not null
             and (n.seq <= 3 or r.status not in ('failed', 'needs_review'))
           returning 1)
         select count(*)::int as n from inserted`,
      );
      console.log(`  node runs ${nodeRuns!.n.toLocaleString("en-US")} (runs of the last ${options.nodeDays} days) in ${seconds(nodes)} s`);
    });
    await load`set session_replication_role = origin`;
    // Two connections build the indexes (a core each), the biggest first.
    const order = (def: string) => (/ using gin /i.test(def) ? 0 : /\bruns\b/.test(def) ? 1 : 2);
    const connections = [load, second];
    for (const c of connections) {
      await c`set maintenance_work_mem = '1GB'`;
      await c`set max_parallel_maintenance_workers = 0`;
    }
    const builds = [
      ...constraints.filter((c) => c.kind !== "f").map((c) => ({ name: c.name, def: `alter table ${c.table} add constraint ${c.name} ${c.def}`, rank: c.table === "runs" ? 1 : 2 })),
      ...indexes.map((i) => ({ name: i.name, def: i.def, rank: order(i.def) })),
    ].sort((a, b) => a.rank - b.rank);
    await inParallel(builds, connections, async (c, build) => {
      const t = performance.now();
      await c.unsafe(build.def);
      console.log(`  index ${build.name.padEnd(32)} ${seconds(t)} s`);
    });
    const fk = performance.now();
    for (const c of constraints.filter((c) => c.kind === "f")) await load.unsafe(`alter table ${c.table} add constraint ${c.name} ${c.def}`);
    console.log(`  foreign keys (${constraints.filter((c) => c.kind === "f").length}, checked) ${seconds(fk)} s`);
    const v = performance.now();
    await Promise.all([load`vacuum analyze runs`, second`vacuum analyze node_runs`]);
    console.log(`  vacuum analyze ${seconds(v)} s`);
  } finally {
    await Promise.all([load.end(), second.end()]);
  }
  await sql`drop table bench_slots`;
  await sql`create table bench_runs_generated (runs bigint not null, generated_at timestamptz not null default now())`;
  await sql`insert into bench_runs_generated (runs) values (${options.runs})`;
  return workspaces;
}

/**
 * The bench's PostgreSQL: beside BENCH_DATABASE_URL (its server keeps its own settings), or an
 * embedded cluster set up for loading: fsync, synchronous_commit and full_page_writes off (it is
 * thrown away, or kept only for more measurements), wal_level minimal, and no checkpoint during
 * the load. Reads are measured with PostgreSQL's default memory settings.
 */
async function runsDatabase(options: Options): Promise<BenchDatabase & { kept: boolean }> {
  if (process.env.BENCH_DATABASE_URL) {
    if (options.data) throw new Error("--data keeps an embedded cluster; it cannot be used with BENCH_DATABASE_URL");
    return { ...(await startBenchDatabase({ profile: false })), kept: false };
  }
  const kept = Boolean(options.data);
  const root = options.data ?? (await mkdtemp(path.join(tmpdir(), "ledgerline-bench-runs-")));
  await mkdir(root, { recursive: true });
  // Why: run as root, PostgreSQL runs as a `postgres` user, which must be able to enter the parent.
  await chmod(root, 0o755);
  const dir = path.join(root, "pg");
  const fresh = !existsSync(path.join(dir, "PG_VERSION"));
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dir, port, database: "ledgerline_bench", durable: false, quiet: true });
  let handle = await start();
  try {
    if (fresh) {
      const admin = postgres(handle.url, { max: 1, onnotice: () => undefined });
      try {
        await admin`alter system set wal_level = 'minimal'`;
        await admin`alter system set max_wal_senders = 0`;
        await admin`alter system set max_wal_size = '32GB'`;
        await admin`alter system set checkpoint_timeout = '1h'`;
      } finally {
        await admin.end();
      }
      await handle.stop();
      handle = await start();
    }
    await migrateDatabase(handle.url);
  } catch (error) {
    await handle.stop().catch(() => undefined);
    if (!kept) await rm(root, { recursive: true, force: true });
    throw error;
  }
  const started = handle;
  return {
    url: started.url,
    kept,
    description: `embedded PostgreSQL in ${root} (loaded with fsync, synchronous_commit and full_page_writes off, wal_level minimal${kept ? "; kept" : ""})`,
    statements: false,
    async stop() {
      try {
        await started.stop();
      } finally {
        if (!kept) await rm(root, { recursive: true, force: true });
      }
    },
  };
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const where = options.data ? path.dirname(options.data) : tmpdir();
  const fs = statfsSync(existsSync(where) ? where : tmpdir());
  const free = fs.bavail * fs.bsize;
  const nodeRunsGuess = options.runs * (options.nodeDays / SPAN_DAYS) * 3.9;
  const needed = options.runs * BYTES_PER_RUN + nodeRunsGuess * BYTES_PER_NODE_RUN;
  const reuse = Boolean(options.data && existsSync(path.join(options.data, "pg", "PG_VERSION")));
  if (!reuse) {
    console.log(`runs at scale: ${options.runs.toLocaleString("en-US")} runs over ${options.workspaces} workspaces x ${options.flowsPerWorkspace} flows, ${SPAN_DAYS} days; about ${(needed / 1e9).toFixed(1)} GB needed, ${(free / 1e9).toFixed(1)} GB free in ${where}`);
    if (!process.env.BENCH_DATABASE_URL && free < needed * 1.3) throw new Error(`not enough disk in ${where} for ${options.runs} runs: try --runs ${Math.floor((free / 1.3 / BYTES_PER_RUN / 1e5)) * 1e5}`);
  }
  const database = await runsDatabase(options);
  // Ctrl-C during a 10M load still drops the bench's database (gigabytes of it), unless kept.
  process.once("SIGINT", () => {
    console.log(`\ninterrupted: ${database.kept ? "stopping" : "dropping"} the bench database`);
    void database.stop().finally(() => process.exit(130));
  });
  const db = createDb(database.url, { max: 4 });
  try {
    console.log(`on ${database.description}`);
    const [done] = await db.sql<{ runs: string; at: Date }[]>`
      select runs::text, generated_at as at from bench_runs_generated where to_regclass('bench_runs_generated') is not null`.catch(() => []);
    let workspaces: Workspaces;
    if (done) {
      workspaces = await benchWorkspaces(db);
      console.log(`measuring the ${Number(done.runs).toLocaleString("en-US")} runs generated at ${done.at.toISOString()} (kept in ${options.data}; the newest is that old)`);
    } else {
      const generated = performance.now();
      workspaces = await generate(db, database.url, options);
      console.log(`generated in ${seconds(generated)} s`);
    }
    const [size] = await db.sql<{ runs: string; nodeRuns: string }[]>`
      select pg_size_pretty(pg_total_relation_size('runs')) as runs, pg_size_pretty(pg_total_relation_size('node_runs')) as "nodeRuns"`;
    console.log(`runs ${size!.runs}, node_runs ${size!.nodeRuns} (with indexes)\n`);

    // The flows' runs per day for closed days, as the worker's cron task keeps them: the first
    // roll-up reads the whole history once, later ones the last 10 minutes' finishes.
    const rolling = performance.now();
    const first = await rollUpRunDays(db);
    const firstSeconds = seconds(rolling);
    const again = performance.now();
    const next = await rollUpRunDays(db);
    console.log(
      `run_day_counts: first roll-up ${first.days} days, ${first.runs.toLocaleString("en-US")} runs in ${firstSeconds} s; ` +
        `the cron task's next one ${next.runs} runs in ${((performance.now() - again) / 1000).toFixed(2)} s\n`,
    );

    const big = workspaces[0]!;
    const bigFlow = big.flows[0]!.flowId;
    const [counts] = await db.sql<{ ws: number; flow: number; flow14: number; nodes14: number }[]>`
      select (select count(*) from runs where workspace_id = ${big.id})::int as ws,
             (select count(*) from runs where flow_id = ${bigFlow})::int as flow,
             (select count(*) from runs where flow_id = ${bigFlow} and created_at > now() - interval '14 days')::int as flow14,
             (select count(*) from node_runs n join runs r on r.id = n.run_id where r.flow_id = ${bigFlow} and r.created_at > now() - interval '14 days')::int as nodes14`;
    console.log(`measured in the biggest workspace (${counts!.ws.toLocaleString("en-US")} runs) and its biggest flow (${counts!.flow.toLocaleString("en-US")} runs; last 14 days: ${counts!.flow14.toLocaleString("en-US")} runs, ${counts!.nodes14.toLocaleString("en-US")} node runs)`);

    // A record key of the big flow from about half a year ago, and fragments of keys.
    const [sample] = await db.sql<{ key: string }[]>`
      select record_key as key from runs where flow_id = ${bigFlow} and created_at < now() - interval '180 days' order by created_at desc limit 1`;
    const key = sample!.key;
    const [newest] = await db.sql<{ key: string }[]>`
      select record_key as key from runs where workspace_id = ${big.id} and flow_id = ${bigFlow} order by created_at desc limit 1`;
    const recent = newest!.key.slice(0, 6);
    const page = { limit: 50 };
    const cases: { name: string; target: number; run: (d: Db) => Promise<unknown>; found?: (d: Db) => Promise<string> }[] = [
      { name: "runs list: first page", target: 100, run: (d) => listRuns(d, big.id, {}, page) },
      { name: "runs list: first page, failed", target: 100, run: (d) => listRuns(d, big.id, { status: ["failed"] }, page) },
      { name: "runs list: first page, one flow", target: 100, run: (d) => listRuns(d, big.id, { flowId: bigFlow }, page) },
      ...(
        [
          [`record key "${key}" (whole key)`, key],
          [`record key "${key.slice(-6)}" (end of a key)`, key.slice(-6)],
          [`record key "${key.slice(0, 6)}" (start, many match)`, key.slice(0, 6)],
          [`record key "${recent}" (start of the newest keys)`, recent],
          [`record key "no-such-record"`, "no-such-record"],
        ] as const
      ).map(([name, recordKey]) => ({
        name,
        target: 300,
        run: (d: Db) => listRuns(d, big.id, { recordKey } satisfies RunFilter, page),
        found: async (d: Db) => {
          const r = await listRuns(d, big.id, { recordKey }, page);
          return `${r.total === 10001 ? "10,000+" : r.total} found`;
        },
      })),
      { name: "flow overview stats (14 days)", target: 300, run: (d) => flowStats(d, big.id, bigFlow, 14) },
      { name: "flow overview stats (90 days)", target: 300, run: (d) => flowStats(d, big.id, bigFlow, 90) },
      { name: "flows page (7-day counts per flow)", target: 300, run: (d) => listFlows(d, big.id) },
    ];
    const load = () => loadavg().map((l) => l.toFixed(1)).join(" ");
    console.log(`\nmachine load average (1, 5, 15 min) before the queries: ${load()}`);
    console.log(`${"query".padEnd(48)} ${"cold".padStart(9)} ${"median".padStart(9)} ${"max".padStart(9)}   target   ratio`);
    const slow: typeof cases = [];
    for (const c of cases) {
      // Cold: a connection of its own, so the statements are planned and the catalog read afresh.
      const fresh = createDb(database.url, { max: 1 });
      let t;
      try {
        t = await timed(options.reps, () => c.run(fresh));
      } finally {
        await fresh.close();
      }
      const ratio = t.median / c.target;
      const extra = c.found ? `   ${await c.found(db)}` : "";
      console.log(
        `${c.name.padEnd(48)} ${t.cold.toFixed(1).padStart(6)} ms ${t.median.toFixed(1).padStart(6)} ms ${t.max.toFixed(1).padStart(6)} ms   < ${String(c.target).padStart(3)}   ${ratio.toFixed(2)} ${ratio < 1 ? "PASS" : "OVER target"}${extra}`,
      );
      if (ratio >= 1) slow.push(c);
    }
    console.log(`machine load average after the queries: ${load()}`);
    for (const c of slow) {
      // The product's own statements, explained by auto_explain as the server runs them.
      const plans: string[] = [];
      const sql = postgres(database.url, { max: 1, onnotice: (n) => plans.push(String(n.message)) });
      try {
        await sql`load 'auto_explain'`;
        await sql`set auto_explain.log_min_duration = 0`;
        await sql`set auto_explain.log_analyze = on`;
        await sql`set auto_explain.log_buffers = on`;
        await sql`set client_min_messages = log`;
        await c.run(Object.assign(Object.create(db) as Db, { sql }));
      } finally {
        await sql.end();
      }
      console.log(`\nplans of ${c.name}:\n${plans.join("\n\n")}`);
    }
  } finally {
    await db.close();
    await database.stop();
    console.log(database.kept ? `\nbench database stopped, kept in ${options.data} (measure again: the same command; remove the folder when done)` : "\nbench database dropped");
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
