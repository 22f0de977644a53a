/**
 * What both sides of the benchmark share: one workspace, one lookup table, the built-in 4-node
 * flow (trigger -> map -> lookup -> filter), the trigger record, and the baseline's scratch tables.
 */
import type { Db } from "../../db/client";
import { createFlow } from "../../engine/flows";
import { builtInFlow, createLookupTable, createWorkspace } from "../../engine/test/helpers";

export interface Fixtures {
  workspaceId: string;
  tableId: string;
  flowId: string;
  versionId: string;
}

/** The trigger record of every run: map makes {invoice, state: "WA", amount: 15}, lookup finds WA, filter passes. */
export const invoice = (n: number) => ({
  number: `INV-${n}`,
  customer: { id: `C-${n % 97}`, name: "Acme Wholesale" },
  address: { region: "wa", city: "Seattle" },
  lines: [
    { sku: "A-1", amount: 10 },
    { sku: "B-2", amount: 5 },
  ],
});

export async function createFixtures(db: Db): Promise<Fixtures> {
  const workspaceId = await createWorkspace(db, "Bench");
  const tableId = await createLookupTable(db, workspaceId, "States", { WA: { value: "D-WEST" }, OR: { value: "D-WEST" }, NY: { value: "D-EAST" } });
  const { flowId, versionId, problems } = await createFlow(db, workspaceId, { name: "bench", definition: builtInFlow(tableId) });
  if (problems.length > 0) throw new Error(`the built-in flow has problems: ${JSON.stringify(problems)}`);
  await createScratchTables(db);
  return { workspaceId, tableId, flowId, versionId };
}

/**
 * The baseline writes into copies of runs and node_runs: same columns, defaults, indexes and
 * foreign keys, so its inserts and updates maintain exactly what the engine's do.
 */
async function createScratchTables(db: Db): Promise<void> {
  await db.sql.unsafe(`
    create table bench_runs (like runs including all);
    alter table bench_runs
      add foreign key (workspace_id) references workspaces(id) on delete cascade,
      add foreign key (flow_id) references flows(id) on delete cascade,
      add foreign key (flow_version_id) references flow_versions(id);
    create table bench_node_runs (like node_runs including all);
    alter table bench_node_runs
      add foreign key (workspace_id) references workspaces(id) on delete cascade,
      add foreign key (run_id) references bench_runs(id) on delete cascade;
  `);
}
