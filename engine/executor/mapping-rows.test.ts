/**
 * Mapping rows kept by the worker (./mapping-rows.ts) on real PostgreSQL: a row read once is used
 * again without a statement while the workspace's mapping version stands, and every change to a
 * mapping, through the product (grid edit, delete, CSV import) or any other statement, is seen by
 * the next run claimed after it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../audit";
import { createFlow } from "../flows";
import { deleteRows, importRows, upsertRow } from "../lookups";
import { createRuns } from "../runs";
import { builtInFlow, countingDb, createLookupTable, createWorkspace, testDb } from "../test/helpers";
import { jsonb } from "../../db/client";
import { mappingRowAt } from "./mapping-rows";
import { executeRun } from "./run";

const db = testDb();
const counting = countingDb();
let workspaceId: string;
let tableId: string;
let flowId: string;
let versionId: string;

beforeAll(async () => {
  workspaceId = await createWorkspace(db, "Kept mappings");
  tableId = await createLookupTable(db, workspaceId, "Regions", { WA: { value: "D-WEST" } });
  ({ flowId, versionId } = await createFlow(db, workspaceId, { name: "regions", definition: builtInFlow(tableId) }));
});
afterAll(async () => {
  await Promise.all([db.close(), counting.db.close()]);
});

let n = 0;
/** One run of trigger -> map -> lookup (state -> department) -> filter, through the counting handle. */
async function runFor(region: string) {
  const { created } = await db.sql.begin((tx) =>
    createRuns(tx, { workspaceId, flowId, versionId, triggerKind: "manual" }, [{ key: `inv-${++n}`, version: "1", data: { number: `INV-${n}`, address: { region }, lines: [{ amount: 5 }] } }], {
      enqueue: false,
    }),
  );
  const runId = created[0]!;
  counting.statements.length = 0;
  const { status } = await executeRun(counting.db, runId);
  const reads = counting.statements.filter((s) => /lookup_rows/.test(s)).length;
  const [dept] = await db.sql<{ output: { department?: unknown } | null }[]>`select output from node_runs where run_id = ${runId} and node_id = 'dept'`;
  return { status, department: dept?.output?.department, reads };
}

const version = async () =>
  (await db.sql<{ version: string | null }[]>`select (select version::text from mapping_versions where workspace_id = ${workspaceId}) as version`)[0]!.version;

describe("mapping rows kept by the worker", () => {
  it("reads a row once and uses it again without a statement while the mapping is unchanged", async () => {
    expect(await runFor("wa")).toMatchObject({ status: "succeeded", department: { value: "D-WEST" }, reads: 1 });
    expect(await runFor("wa")).toMatchObject({ status: "succeeded", department: { value: "D-WEST" }, reads: 0 });
  });

  it("sees a grid edit, a deleted row and a CSV import in the very next run", async () => {
    await upsertRow(db, workspaceId, tableId, { key: "WA", values: { value: "D-PACIFIC" } }, "WA", SYSTEM_ACTOR);
    expect(await runFor("wa")).toMatchObject({ status: "succeeded", department: { value: "D-PACIFIC" }, reads: 1 });

    await deleteRows(db, workspaceId, tableId, ["WA"], SYSTEM_ACTOR);
    const missing = await runFor("wa");
    expect(missing.status).toBe("needs_review");
    // A missing mapping is kept as such too, until the mapping changes.
    expect((await runFor("wa")).reads).toBe(0);

    await importRows(db, workspaceId, tableId, [{ key: "WA", values: { value: "D-IMPORTED" } }, { key: "OR", values: { value: "D-WEST" } }], "merge", SYSTEM_ACTOR);
    expect(await runFor("wa")).toMatchObject({ status: "succeeded", department: { value: "D-IMPORTED" }, reads: 1 });
    expect(await runFor("or")).toMatchObject({ status: "succeeded", department: { value: "D-WEST" }, reads: 1 });
  });

  it("sees a row written by any statement, not only the product's own functions", async () => {
    expect((await runFor("ny")).status).toBe("needs_review");
    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${workspaceId}, ${tableId}, 'NY', ${jsonb({ value: "D-EAST" })}::text::jsonb)`;
    expect(await runFor("ny")).toMatchObject({ status: "succeeded", department: { value: "D-EAST" }, reads: 1 });
    await db.sql`update lookup_rows set values = ${jsonb({ value: "D-NORTHEAST" })}::text::jsonb where table_id = ${tableId} and key = 'NY'`;
    expect(await runFor("ny")).toMatchObject({ department: { value: "D-NORTHEAST" }, reads: 1 });
  });

  it("moves the version once per statement, however many rows it changes, and only the workspace's own", async () => {
    const other = await createWorkspace(db, "Other mappings");
    await createLookupTable(db, other, "Elsewhere", { A: { value: "1" } });
    const before = Number(await version());
    const rows = Array.from({ length: 500 }, (_, i) => ({ key: `K-${i}`, values: { value: String(i) } }));
    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values)
      select ${workspaceId}, ${tableId}, r->>'key', r->'values' from jsonb_array_elements(${jsonb(rows)}::text::jsonb) r`;
    expect(Number(await version())).toBe(before + 1);
    await createLookupTable(db, other, "Elsewhere too", { B: { value: "2" } });
    expect(Number(await version())).toBe(before + 1);
    // A CSV import of 500 rows is one statement too: merged in one move, replaced in two (delete, insert).
    await importRows(db, workspaceId, tableId, rows.map((r) => ({ ...r, values: { value: `${r.values.value}!` } })), "merge", SYSTEM_ACTOR);
    expect(Number(await version())).toBe(before + 2);
    await importRows(db, workspaceId, tableId, [{ key: "WA", values: { value: "D-REPLACED" } }], "replace", SYSTEM_ACTOR);
    expect(Number(await version())).toBe(before + 4);
    expect(await runFor("wa")).toMatchObject({ status: "succeeded", department: { value: "D-REPLACED" }, reads: 1 });
    expect((await runFor("ny")).status).toBe("needs_review");
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from lookup_rows where table_id = ${tableId}`;
    expect(n).toBe(1);
  });

  it("keeps a row under the version it was read at, not an older claim's", async () => {
    const claimed = await version();
    await upsertRow(db, workspaceId, tableId, { key: "TX", values: { value: "D-SOUTH" } }, undefined, SYSTEM_ACTOR);
    const now = await version();
    expect(now).not.toBe(claimed);
    counting.statements.length = 0;
    // A run claimed before the edit reads the row after it: the row it gets is the current one...
    expect(await mappingRowAt(counting.db, workspaceId, tableId, "TX", claimed!)).toEqual({ key: "TX", values: { value: "D-SOUTH" } });
    // ...kept for runs claimed at the current version, and read again for an older claim.
    expect(await mappingRowAt(counting.db, workspaceId, tableId, "TX", now!)).toEqual({ key: "TX", values: { value: "D-SOUTH" } });
    expect(counting.statements).toHaveLength(1);
    await mappingRowAt(counting.db, workspaceId, tableId, "TX", claimed!);
    expect(counting.statements).toHaveLength(2);
  });

  it("lets a workspace with mappings be deleted, and its version with it", async () => {
    const doomed = await createWorkspace(db, "Doomed mappings");
    await createLookupTable(db, doomed, "Going", { A: { value: "1" } });
    expect((await db.sql`select 1 from mapping_versions where workspace_id = ${doomed}`).length).toBe(1);
    await db.sql`delete from workspaces where id = ${doomed}`;
    expect((await db.sql`select 1 from mapping_versions where workspace_id = ${doomed}`).length).toBe(0);
  });
});
