/**
 * The lookup node's defaults on real PostgreSQL through the executor: a GL-account table's
 * explicit default row (key *) is used for keys without a row of their own and said once per key
 * in the run log; without it (and without the node's default values) the run parks naming every
 * key; a key with its own row never takes the default.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonb } from "../../db/client";
import { executeRun } from "../executor/run";
import { createFlow } from "../flows";
import { createRuns } from "../runs";
import { createWorkspace, testDb } from "../test/helpers";

const db = testDb();
let workspaceId: string;
let tableId: string;

beforeAll(async () => {
  workspaceId = await createWorkspace(db, "Lookup defaults");
  const [table] = await db.sql<{ id: string }[]>`
    insert into lookup_tables (workspace_id, name, kind, columns)
    values (${workspaceId}, 'Tax GL accounts', 'tax_gl', ${jsonb([{ name: "accountNo", label: "GL account" }])}::text::jsonb) returning id::text`;
  tableId = table!.id;
  for (const [key, accountNo] of [["US:CA:STA:06", "2200"], ["US:WA:STA:53", "2230"]]) {
    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${workspaceId}, ${tableId}, ${key}, ${jsonb({ accountNo })}::text::jsonb)`;
  }
});
afterAll(async () => {
  await db.close();
});

async function run(lookupConfig: Record<string, unknown>, jurisdictions: { key: string; tax: number }[]) {
  const { flowId, versionId } = await createFlow(db, workspaceId, {
    name: `lookup ${Math.random()}`,
    definition: {
      schemaVersion: 1,
      nodes: [
        { id: "t", type: "core.manualTrigger", typeVersion: 1, config: {} },
        { id: "gl", type: "core.lookup", typeVersion: 1, config: { tableId, items: "jurisdictions", key: "key", target: "taxLines", ...lookupConfig } },
      ],
      edges: [{ id: "e", source: "t", target: "gl" }],
    },
  });
  const { created } = await db.sql.begin((tx) =>
    createRuns(tx, { workspaceId, flowId, versionId, triggerKind: "manual" }, [{ key: `doc-${Math.random()}`, version: "v1", data: { jurisdictions } }], { enqueue: false }),
  );
  const runId = created[0]!;
  const status = (await executeRun(db, runId)).status;
  const [node] = await db.sql<{ output: { taxLines?: Record<string, unknown>[] } | null; logs: { message: string }[] }[]>`
    select output, logs from node_runs where run_id = ${runId} and node_id = 'gl'`;
  const [review] = await db.sql<{ reason: string; details: { missing: string[] } }[]>`select reason, details from review_items where run_id = ${runId}`;
  return { status, output: node?.output, logs: (node?.logs ?? []).map((l) => l.message), review };
}

const jurisdictions = [
  { key: "US:CA:STA:06", tax: 60 },
  { key: "US:TX:STA:48", tax: 25 },
  { key: "US:TX:CIT:2227045", tax: 4 },
  { key: "US:TX:STA:48", tax: 1 },
];

describe("lookup defaults", () => {
  it("without a * row, every key without a row parks the run, named once, and nothing is assumed", async () => {
    const out = await run({}, jurisdictions);
    expect(out.status).toBe("needs_review");
    expect(out.review).toMatchObject({ reason: 'No mapping for "US:TX:STA:48", "US:TX:CIT:2227045" in the mapping table', details: { missing: ["US:TX:STA:48", "US:TX:CIT:2227045"] } });
  });

  it("a declared * row covers the keys without a row, marked as such and logged once per key; mapped keys keep their own row", async () => {
    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${workspaceId}, ${tableId}, '*', ${jsonb({ accountNo: "2290" })}::text::jsonb)`;
    const out = await run({}, jurisdictions);
    expect(out.status).toBe("succeeded");
    expect(out.output!.taxLines!.map((l) => [l.key, l.accountNo, l.defaultRow ?? false])).toEqual([
      ["US:CA:STA:06", "2200", false],
      ["US:TX:STA:48", "2290", true],
      ["US:TX:CIT:2227045", "2290", true],
      ["US:TX:STA:48", "2290", true],
    ]);
    expect(out.logs).toEqual([
      `No row for "US:TX:STA:48": using the mapping table's default row (*)`,
      `No row for "US:TX:CIT:2227045": using the mapping table's default row (*)`,
    ]);
  });

  it("the table's * row comes before the node's default values, which are logged too when the table has none", async () => {
    const withBoth = await run({ defaultValues: { accountNo: "9999" } }, [{ key: "US:NY:STA:36", tax: 8 }]);
    expect(withBoth.output!.taxLines).toEqual([{ key: "US:NY:STA:36", tax: 8, defaultRow: true, accountNo: "2290" }]);
    await db.sql`delete from lookup_rows where table_id = ${tableId} and key = '*'`;
    const nodeDefaults = await run({ defaultValues: { accountNo: "9999" } }, [{ key: "US:NY:STA:36", tax: 8 }]);
    expect(nodeDefaults.output!.taxLines).toEqual([{ key: "US:NY:STA:36", tax: 8, defaultRow: true, accountNo: "9999" }]);
    expect(nodeDefaults.logs).toEqual([`No row for "US:NY:STA:36": using the node's default values`]);
  });
});
