/**
 * Runs search benchmark: the first page of the Runs page (`listRuns`, 50 rows plus the capped
 * count) filtered by a field of the trigger record, over RUNS stored runs, with the GIN index on
 * runs.input and again after dropping it. Also prints the plan of the indexed query.
 *
 *   npm run bench:search               (RUNS=100000 by default)
 */
import { createDb } from "../../db/client";
import { createFlow } from "../../engine/flows";
import { listRuns } from "../../engine/run-queries";
import type { RunFilter } from "../../engine/run-filter";
import { startBenchDatabase } from "../engine/database";

const RUNS = Number(process.env.RUNS ?? 100_000);

async function median(times: number, fn: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await fn();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, max: ms.at(-1)! };
}

async function main() {
  const database = await startBenchDatabase({ profile: false });
  const db = createDb(database.url, { max: 4 });
  try {
    console.log(`runs search benchmark on ${database.description}, ${RUNS} stored runs`);
    const [ws] = await db.sql<{ id: string }[]>`insert into workspaces (name, slug) values ('Bench', 'bench') returning id::text`;
    const workspaceId = ws!.id;
    const definition = {
      schemaVersion: 1 as const,
      nodes: [{ id: "trigger", type: "core.manualTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: {} }],
      edges: [],
    };
    const flow = await createFlow(db, workspaceId, { name: "Bench flow", definition });
    const seeded = performance.now();
    // Invoices like the starter flows': a customer (2,000 of them), 1 to 3 lines over 500 SKUs, an address.
    await db.sql`
      insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, input, status, created_at)
      select ${workspaceId}, ${flow.flowId}, ${flow.versionId}, 'poll', 'INV-' || g,
             jsonb_build_object(
               'number', 'INV-' || g,
               'customer', jsonb_build_object('id', 'C-' || (g % 2000), 'name', 'Customer ' || (g % 2000), 'email', 'c' || (g % 2000) || '@example.com'),
               'address', jsonb_build_object('line1', g || ' Main St', 'city', 'Seattle', 'region', 'WA', 'postalCode', '98101'),
               'lines', (select jsonb_agg(jsonb_build_object('sku', 'SKU-' || ((g * 7 + l * 13) % 500), 'qty', l, 'amount', (g % 97) + l)) from generate_series(1, 1 + g % 3) l),
               'total', (g % 997) + 0.5),
             case when g % 10 = 0 then 'failed' else 'succeeded' end, now() - (g || ' seconds')::interval
      from generate_series(1, ${RUNS}) g`;
    await db.sql`analyze runs`;
    console.log(`seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

    const cases: [string, RunFilter][] = [
      ["customer.id = C-123", { payload: { path: "customer.id", value: "C-123" } }],
      ["lines[*].sku = SKU-42 (any line)", { payload: { path: "lines[*].sku", value: "SKU-42" } }],
      ["lines[0].sku = SKU-42 (position checked)", { payload: { path: "lines[0].sku", value: "SKU-42" } }],
      ["number = INV-77777", { payload: { path: "number", value: "INV-77777" } }],
      ["customer.id = C-123 and status failed", { payload: { path: "customer.id", value: "C-123" }, status: ["failed"] }],
      ["customer.id = nobody", { payload: { path: "customer.id", value: "nobody" } }],
    ];
    const measure = async (label: string) => {
      console.log(`\n${label}`);
      for (const [name, filter] of cases) {
        const page = await listRuns(db, workspaceId, filter, { limit: 50 });
        const t = await median(7, () => listRuns(db, workspaceId, filter, { limit: 50 }));
        console.log(`  ${name.padEnd(44)} median ${t.median.toFixed(1).padStart(7)} ms   max ${t.max.toFixed(1).padStart(7)} ms   ${String(page.total).padStart(5)} found`);
      }
    };
    await measure("with the GIN index runs_input_path_ops (first page: 50 rows + count)");
    // The statement listRuns sends for the first case, as PostgreSQL plans and runs it.
    const lines = await db.sql.unsafe<{ "QUERY PLAN": string }[]>(
      "explain (analyze, costs off, timing off, summary off) select r.id from runs r where r.workspace_id = $1 and r.input @> $2::text::jsonb order by r.created_at desc, r.id desc limit 51",
      [workspaceId, JSON.stringify({ customer: { id: "C-123" } })],
    );
    console.log(`\nplan of customer.id = C-123:\n${lines.map((l) => `  ${l["QUERY PLAN"]}`).join("\n")}`);
    await db.sql`drop index runs_input_path_ops`;
    await measure("without the index (for comparison)");
  } finally {
    await db.close();
    await database.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
