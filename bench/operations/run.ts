/**
 * Operations benchmark: how long a /api/metrics scrape and one alert evaluation pass take over a
 * workspace with many stored runs. Seeds RUNS runs (10% failed over 20 causes, 5% parked for
 * review) with two node runs each, then times collectMetrics and evaluateAlerts (no channels:
 * the figures are the database work, not the network).
 *
 *   npm run bench:operations            (RUNS=50000 by default)
 */
import { createDb } from "../../db/client";
import { evaluateAlerts } from "../../engine/alerts/evaluate";
import { saveRule } from "../../engine/alerts/store";
import { createFlow } from "../../engine/flows";
import { collectMetrics } from "../../engine/metrics/collect";
import { startBenchDatabase } from "../engine/database";

const RUNS = Number(process.env.RUNS ?? 50_000);

async function time<T>(label: string, times: number, fn: () => Promise<T>) {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await fn();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} median ${ms[Math.floor(ms.length / 2)]!.toFixed(1)} ms   max ${ms.at(-1)!.toFixed(1)} ms   (${times} runs)`);
}

async function main() {
  const database = await startBenchDatabase({ profile: false });
  const db = createDb(database.url, { max: 4 });
  try {
    console.log(`operations benchmark on ${database.description}, ${RUNS} stored runs`);
    const [ws] = await db.sql<{ id: string }[]>`insert into workspaces (name, slug) values ('Bench', 'bench') returning id::text`;
    const workspaceId = ws!.id;
    const definition = {
      schemaVersion: 1 as const,
      nodes: [
        { id: "trigger", type: "core.manualTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
        { id: "post", type: "core.httpPost", typeVersion: 1, position: { x: 200, y: 0 }, config: { url: "http://127.0.0.1:9/x", keyPath: "invoice" } },
      ],
      edges: [{ id: "e1", source: "trigger", target: "post" }],
    };
    const flow = await createFlow(db, workspaceId, { name: "Bench flow", definition });
    const seeded = performance.now();
    await db.sql`
      insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, record_version, status, error, error_kind, failed_node_id, created_at, finished_at, duration_ms)
      select ${workspaceId}, ${flow.flowId}, ${flow.versionId}, 'manual', 'rec-' || g, '1',
             case when g % 10 = 0 then 'failed' when g % 20 = 1 then 'needs_review' else 'succeeded' end,
             case when g % 10 = 0 then jsonb_build_object('kind', 'permanent', 'message', 'POST answered ' || (400 + (g / 10) % 20), 'status', 400 + (g / 10) % 20) end,
             case when g % 10 = 0 then 'permanent' end,
             case when g % 10 = 0 then 'post' end,
             now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval + interval '1 second', 1000
      from generate_series(1, ${RUNS}) g`;
    await db.sql`
      insert into node_runs (workspace_id, run_id, node_id, node_type, status, attempt, attempts, seq, finished_at, duration_ms)
      select r.workspace_id, r.id, n.node_id, n.node_type, 'succeeded', case when n.node_id = 'post' and r.record_key like '%7' then 2 else 1 end,
             case when n.node_id = 'post' and r.record_key like '%7' then '[{"attempt":1,"delayMs":1000,"error":{"kind":"retryable","status":429}}]'::jsonb else '[]'::jsonb end,
             n.seq, r.finished_at, (random() * 800)::int
      from runs r cross join (values ('trigger', 'core.manualTrigger', 0), ('post', 'core.httpPost', 1)) as n(node_id, node_type, seq)
      where r.workspace_id = ${workspaceId}`;
    await db.sql`
      insert into review_items (workspace_id, run_id, flow_id, node_id, reason_code, reason)
      select workspace_id, id, flow_id, 'post', 'lookup_miss', 'No mapping' from runs where workspace_id = ${workspaceId} and status = 'needs_review'`;
    await db.sql`analyze`;
    console.log(`seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

    await time("GET /api/metrics (collect + render)", 5, async () => (await collectMetrics(db)).metrics());
    for (const kind of ["run_failed", "review_opened", "error_rate", "connection_failing"] as const) {
      await saveRule(db, workspaceId, { kind, name: kind, flowId: null, params: {}, channelIds: [], enabled: true });
    }
    // The first pass reads every failure since the rules were created (none: they look forward); rewind to read them all.
    await db.sql`update alert_rules set checked_until = now() - interval '30 days' where workspace_id = ${workspaceId}`;
    await time(`first alert pass (${RUNS / 10} failures to group)`, 1, () => evaluateAlerts(db, { workspaceId }));
    const [alerts] = await db.sql<{ n: number; occurrences: number }[]>`select count(*)::int as n, sum(occurrences)::int as occurrences from alerts where workspace_id = ${workspaceId} and cause_key like 'run_failed:%'`;
    console.log(`  -> ${alerts!.n} run_failed alerts for ${alerts!.occurrences} failed runs`);
    await time("steady alert pass (nothing new)", 5, () => evaluateAlerts(db, { workspaceId }));
  } finally {
    await db.close();
    await database.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
