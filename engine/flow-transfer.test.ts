/**
 * Flow export, import and restore on real PostgreSQL: a starter flow exported from one workspace
 * carries no id, config or secret of it; imported into another it uses the connections and mapping
 * tables the person chose there, and nothing is saved while a choice is missing or wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "./audit";
import { describeImport, exportFlowVersion, importFlow, ImportRefusedError, parseFlowExport, restoreVersion } from "./flow-transfer";
import { saveVersion } from "./flows";
import { parseFlowDefinition } from "./flow/schema";
import { instantiateTemplate } from "./templates";
import { sandboxConnection } from "./templates/test-helpers";
import { createLookupTable, createWorkspace, testDb } from "./test/helpers";
import { registry } from "./registry";

const db = testDb();
const TEMPLATE = "intacct-sales-avalara-gl";
// No HTTP is made here: connections only need a system, a name and (encrypted) secrets.
const urls = { intacct: "http://127.0.0.1:9", avalara: "http://127.0.0.1:9" };

let source: string;
let flowId: string;
let sourceIds: string[];
let tableNames: string[];

beforeAll(async () => {
  source = await createWorkspace(db, "Export source");
  const intacct = await sandboxConnection(db, source, "intacct", urls.intacct);
  const avalara = await sandboxConnection(db, source, "avalara", urls.avalara);
  const created = await instantiateTemplate(db, source, TEMPLATE, { demo: true });
  expect(created.problems).toEqual([]);
  flowId = created.flowId;
  sourceIds = [source, intacct, avalara, flowId, created.versionId, ...Object.values(created.tableIds)];
  const tables = await db.sql<{ name: string }[]>`select name from lookup_tables where workspace_id = ${source} order by name`;
  tableNames = tables.map((t) => t.name);
});
afterAll(() => db.close());

async function flowCount(workspaceId: string): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from flows where workspace_id = ${workspaceId}`;
  return row!.n;
}

describe("export", () => {
  it("references connections by system and name and mapping tables by name, with no id or secret of the workspace", async () => {
    const doc = await exportFlowVersion(db, source, flowId);
    const text = JSON.stringify(doc);
    for (const id of sourceIds) expect(text).not.toContain(id);
    for (const system of ["intacct", "avalara"] as const) {
      const values = registry.connector(system)!.sandbox!(urls[system]);
      for (const secret of Object.values(values.secrets as Record<string, string>)) expect(text).not.toContain(secret);
      // Connection config (hosts, company ids) stays in the workspace too.
      expect(text).not.toContain("127.0.0.1:9");
    }
    expect(doc.connections.map((c) => [c.system, c.name]).sort()).toEqual([
      ["avalara", registry.connector("avalara")!.sandbox!(urls.avalara).name],
      ["intacct", registry.connector("intacct")!.sandbox!(urls.intacct).name],
    ]);
    expect(doc.mappingTables.map((t) => t.name).sort()).toEqual(tableNames);
    const writesGl = doc.definition.nodes.filter((n) => n.connectionRef);
    expect(writesGl.length).toBeGreaterThan(0);
    expect(doc.flow).toMatchObject({ version: 1 });
    // The document reads back through the import parser as it is, and as JSON text.
    expect(parseFlowExport(text).definition.nodes).toHaveLength(doc.definition.nodes.length);
  });

  it("does not export another workspace's flow", async () => {
    const stranger = await createWorkspace(db, "Stranger");
    await expect(exportFlowVersion(db, stranger, flowId)).rejects.toThrow("flow not found");
  });
});

describe("import", () => {
  let target: string;
  let targetIntacct: string;
  let targetAvalara: string;
  let doc: Awaited<ReturnType<typeof exportFlowVersion>>;
  const tableIds: Record<string, string> = {};

  beforeAll(async () => {
    doc = await exportFlowVersion(db, source, flowId);
    target = await createWorkspace(db, "Import target");
    targetAvalara = await sandboxConnection(db, target, "avalara", urls.avalara);
    targetIntacct = await sandboxConnection(db, target, "intacct", urls.intacct);
    await db.sql`update connections set name = 'Intacct production' where id = ${targetIntacct}`;
    for (const name of tableNames) tableIds[name] = await createLookupTable(db, target, name, { X: { value: "1" } });
  });

  it("lists each reference with the workspace's candidates of that system, suggesting the same name", async () => {
    const preview = await describeImport(db, target, doc);
    const avalara = preview.connections.find((c) => c.system === "avalara")!;
    const intacct = preview.connections.find((c) => c.system === "intacct")!;
    expect(avalara.suggestedId).toBe(targetAvalara);
    expect(avalara.candidates).toEqual([{ id: targetAvalara, name: avalara.name }]);
    expect(intacct.suggestedId).toBeNull();
    expect(intacct.candidates).toEqual([{ id: targetIntacct, name: "Intacct production" }]);
    expect(intacct.usedBy.length).toBeGreaterThan(0);
    for (const table of preview.mappingTables) expect(table.suggestedId).toBe(tableIds[table.name]);
  });

  const choose = (overrides: { intacct?: string; avalara?: string; tables?: Record<string, string> } = {}) => ({
    connections: Object.fromEntries(doc.connections.map((c) => [c.ref, c.system === "intacct" ? (overrides.intacct ?? targetIntacct) : (overrides.avalara ?? targetAvalara)])),
    mappingTables: overrides.tables ?? Object.fromEntries(doc.mappingTables.map((t) => [t.ref, tableIds[t.name]!])),
  });

  it("saves nothing while a reference has no choice, a wrong system, or another workspace's connection or table", async () => {
    const before = await flowCount(target);
    const intacctRef = doc.connections.find((c) => c.system === "intacct")!;
    const { [intacctRef.ref]: _omitted, ...withoutIntacct } = choose().connections;
    void _omitted;
    await expect(importFlow(db, target, doc, { ...choose(), connections: withoutIntacct }, SYSTEM_ACTOR)).rejects.toThrow(`Choose the intacct connection to use for "${intacctRef.name}"`);
    await expect(importFlow(db, target, doc, choose({ intacct: targetAvalara }), SYSTEM_ACTOR)).rejects.toThrow(/needs a intacct connection, not ".*" \(avalara\)/);
    const [sourceIntacct] = await db.sql<{ id: string }[]>`select id::text from connections where workspace_id = ${source} and system = 'intacct'`;
    await expect(importFlow(db, target, doc, choose({ intacct: sourceIntacct!.id }), SYSTEM_ACTOR)).rejects.toThrow("is not one of this workspace's");
    const [sourceTable] = await db.sql<{ id: string }[]>`select id::text from lookup_tables where workspace_id = ${source} limit 1`;
    const foreignTables = Object.fromEntries(doc.mappingTables.map((t) => [t.ref, sourceTable!.id]));
    await expect(importFlow(db, target, doc, choose({ tables: foreignTables }), SYSTEM_ACTOR)).rejects.toBeInstanceOf(ImportRefusedError);
    expect(await flowCount(target)).toBe(before);
  });

  it("refuses documents that are not flow exports, with a message that says why", async () => {
    await expect(importFlow(db, target, "{not json", choose(), SYSTEM_ACTOR)).rejects.toThrow("The file is not JSON");
    await expect(importFlow(db, target, { ...doc, format: "n8n" }, choose(), SYSTEM_ACTOR)).rejects.toThrow(/not a Ledgerline flow export/);
    const unknownRef = structuredClone(doc);
    unknownRef.definition.nodes.find((n) => n.connectionRef)!.connectionRef = "nowhere";
    await expect(importFlow(db, target, unknownRef, choose(), SYSTEM_ACTOR)).rejects.toThrow('uses connection "nowhere", which the export does not list');
  });

  it("imports as a new flow on the chosen connections and tables, valid for activation", async () => {
    const created = await importFlow(db, target, JSON.stringify(doc), { ...choose(), name: "Tax GL (imported)" }, SYSTEM_ACTOR);
    expect(created.problems).toEqual([]);
    const [flow] = await db.sql<{ name: string; latestVersion: number }[]>`select name, latest_version as "latestVersion" from flows where id = ${created.flowId} and workspace_id = ${target}`;
    expect(flow).toEqual({ name: "Tax GL (imported)", latestVersion: 1 });
    const [version] = await db.sql<{ definition: unknown }[]>`select definition from flow_versions where id = ${created.versionId}`;
    const def = parseFlowDefinition(version!.definition);
    const text = JSON.stringify(def);
    for (const id of sourceIds) expect(text).not.toContain(id);
    expect(text).not.toContain("{{mappingTable:");
    const used = new Set(def.nodes.map((n) => n.connectionId).filter(Boolean));
    expect(used).toEqual(new Set([targetIntacct, targetAvalara]));
    for (const id of Object.values(tableIds)) expect(text).toContain(id);
    // Same graph as the source version.
    const original = await exportFlowVersion(db, source, flowId);
    expect(def.nodes.map((n) => [n.id, n.type, n.name])).toEqual(original.definition.nodes.map((n) => [n.id, n.type, n.name]));
    expect(def.edges).toEqual(original.definition.edges);
  });
});

describe("restore", () => {
  it("saves an earlier version again as the newest, leaving history as it was", async () => {
    const ws = await createWorkspace(db, "Restore");
    await sandboxConnection(db, ws, "intacct", urls.intacct);
    await sandboxConnection(db, ws, "avalara", urls.avalara);
    const created = await instantiateTemplate(db, ws, TEMPLATE, { demo: true });
    const [v1] = await db.sql<{ definition: unknown }[]>`select definition from flow_versions where id = ${created.versionId}`;
    const edited = parseFlowDefinition(v1!.definition);
    edited.nodes[0]!.name = "Renamed in version 2";
    edited.nodes = edited.nodes.slice(0, -1);
    await saveVersion(db, ws, created.flowId, edited, "Edited", SYSTEM_ACTOR);

    const restored = await restoreVersion(db, ws, created.flowId, created.versionId, SYSTEM_ACTOR);
    expect(restored).toMatchObject({ version: 3, restoredFrom: 1, problems: [] });
    const versions = await db.sql<{ version: number; note: string; definition: unknown }[]>`
      select version, note, definition from flow_versions where flow_id = ${created.flowId} order by version`;
    expect(versions.map((v) => [v.version, v.note])).toEqual([
      [1, "Created"],
      [2, "Edited"],
      [3, "Restored version 1"],
    ]);
    expect(parseFlowDefinition(versions[2]!.definition)).toEqual(parseFlowDefinition(v1!.definition));

    const stranger = await createWorkspace(db, "Restore stranger");
    await expect(restoreVersion(db, stranger, created.flowId, created.versionId, SYSTEM_ACTOR)).rejects.toThrow("flow not found");
  });
});
