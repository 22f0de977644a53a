/**
 * Search runs by a field of the trigger record, through the real runs router on real PostgreSQL:
 * a path and a value find exactly the runs whose record holds it (nested fields, an array
 * position, any element, a number typed as text), only in the caller's workspace; bad paths get a
 * message saying what is wrong; viewers may not probe record values. With enough runs that a
 * sequential scan would be chosen otherwise, the plan uses the GIN index on runs.input.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { member, type Member } from "../app/server/test/caller";
import { createDb, jsonb } from "../db/client";
import { createFlow } from "./flows";
import { parsePayloadPath, runFilterConditions } from "./run-filter";
import { builtInFlow, createLookupTable, createWorkspace, isolatedDatabase, testDb } from "./test/helpers";

const db = testDb();
let workspaceId: string;
let otherWorkspaceId: string;
let operator: Member;
let viewer: Member;
const ids: Record<string, string> = {};

async function seedRun(ws: string, flow: { flowId: string; versionId: string }, key: string, input: unknown): Promise<string> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, input, status)
    values (${ws}, ${flow.flowId}, ${flow.versionId}, 'manual', ${key}, ${jsonb(input)}::text::jsonb, 'succeeded') returning id::text`;
  return row!.id;
}

beforeAll(async () => {
  workspaceId = await createWorkspace(db, "Payload search");
  otherWorkspaceId = await createWorkspace(db, "Payload other");
  const table = await createLookupTable(db, workspaceId, "States", { WA: { value: "D-WEST" } });
  const flow = await createFlow(db, workspaceId, { name: "search", definition: builtInFlow(table) });
  const otherTable = await createLookupTable(db, otherWorkspaceId, "States", { WA: { value: "D-WEST" } });
  const otherFlow = await createFlow(db, otherWorkspaceId, { name: "search", definition: builtInFlow(otherTable) });
  ids.acme = await seedRun(workspaceId, flow, "INV-1", { number: "INV-1", customer: { id: "C-7", name: "Acme" }, lines: [{ sku: "SKU-3", qty: 2 }, { sku: "SKU-9", qty: 1 }] });
  ids.acme2 = await seedRun(workspaceId, flow, "INV-2", { number: "INV-2", customer: { id: "C-7", name: "Acme" }, lines: [{ sku: "SKU-9", qty: 5 }, { sku: "SKU-3", qty: 1 }] });
  ids.globex = await seedRun(workspaceId, flow, "INV-3", { number: "INV-3", customer: { id: 42, name: "Globex" }, lines: [{ sku: "SKU-1", qty: 1 }], "ship-to": { zip: "98101" } });
  ids.initech = await seedRun(workspaceId, flow, "INV-4", { number: "INV-4", customer: { id: "42", name: "Initech" }, lines: [], paid: true });
  ids.empty = await seedRun(workspaceId, flow, "INV-5", null);
  ids.other = await seedRun(otherWorkspaceId, otherFlow, "INV-1", { number: "INV-1", customer: { id: "C-7" }, lines: [{ sku: "SKU-3" }] });
  operator = await member(db, workspaceId, "operator");
  viewer = await member(db, workspaceId, "viewer");
});
afterAll(async () => {
  await db.close();
});

async function found(path: string, value: string | number | boolean | null): Promise<string[]> {
  const page = await operator.caller.runs.list({ payload: { path, value } });
  return page.runs.map((r) => r.id).sort();
}

const sorted = (...names: string[]) => names.map((n) => ids[n]!).sort();

describe("runs.list by a field of the trigger record", () => {
  it("finds exactly the runs whose record holds the value at the path, in this workspace only", async () => {
    expect(await found("customer.id", "C-7")).toEqual(sorted("acme", "acme2"));
    // A position in an array is that position; [*] is any element.
    expect(await found("lines[0].sku", "SKU-3")).toEqual(sorted("acme"));
    expect(await found("lines[1].sku", "SKU-3")).toEqual(sorted("acme2"));
    expect(await found("lines[*].sku", "SKU-3")).toEqual(sorted("acme", "acme2"));
    // Typed as text, 42 matches the number and the string; typed as a number, only the number.
    expect(await found("customer.id", "42")).toEqual(sorted("globex", "initech"));
    expect(await found("customer.id", 42)).toEqual(sorted("globex"));
    expect(await found("paid", "true")).toEqual(sorted("initech"));
    expect(await found('["ship-to"].zip', "98101")).toEqual(sorted("globex"));
    // Exact, case-sensitive matches; nothing for a value nobody has.
    expect(await found("customer.name", "acme")).toEqual([]);
    expect(await found("customer.id", "C-8")).toEqual([]);
    // With the other filters, and with the record-key search kept.
    const both = await operator.caller.runs.list({ payload: { path: "customer.id", value: "C-7" }, recordKey: "INV-2" });
    expect(both.runs.map((r) => r.id)).toEqual([ids.acme2]);
    expect(both.total).toBe(1);
  });

  it("answers a bad path with a message saying what is wrong, and keeps viewers from probing values", async () => {
    const cases: [string, RegExp][] = [
      ["", /it is empty/],
      ["customer..id", /a field name must follow the dot at character 10/],
      ["lines[x].sku", /a bracket holds an index/],
      ["[0].sku", /it must start with a field name/],
      ["customer id", /a dot or a bracket is missing at character 9/],
      [".id", /a name is missing before the dot/],
      [Array.from({ length: 13 }, (_, i) => `f${i}`).join("."), /more than 12 steps/],
    ];
    for (const [path, message] of cases) {
      const error = await operator.caller.runs.list({ payload: { path, value: "x" } }).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code, path).toBe("BAD_REQUEST");
      expect((error as TRPCError).message, path).toMatch(message);
    }
    expect(() => parsePayloadPath("customer.id")).not.toThrow();
    const refused = await viewer.caller.runs.list({ payload: { path: "customer.id", value: "C-7" } }).catch((e: unknown) => e);
    expect((refused as TRPCError).code).toBe("FORBIDDEN");
    // Viewers keep the record-key search.
    expect((await viewer.caller.runs.list({ recordKey: "INV-1" })).runs.map((r) => r.id)).toEqual([ids.acme]);
  });

  it("is answered from the GIN index on runs.input when a sequential scan would be chosen otherwise", { timeout: 120_000 }, async () => {
    // A database of its own: in the shared one, an analyze of runs by another test (or autovacuum
    // sampling while other files insert) can replace this test's statistics with ones that never
    // saw its 30,000 runs, and the planner then rightly keeps to the workspace index.
    const isolated = await isolatedDatabase();
    const db = createDb(isolated.url, { max: 2 });
    onTestFinished(async () => {
      await db.close();
      await isolated.drop();
    });
    const ws = await createWorkspace(db, "Payload plan");
    const table = await createLookupTable(db, ws, "States", { WA: { value: "D-WEST" } });
    const flow = await createFlow(db, ws, { name: "plan", definition: builtInFlow(table) });
    await db.sql`
      insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, input, status, created_at)
      select ${ws}, ${flow.flowId}, ${flow.versionId}, 'manual', 'rec-' || g,
             jsonb_build_object('number', 'INV-' || g, 'customer', jsonb_build_object('id', 'C-' || (g % 5000)), 'lines', jsonb_build_array(jsonb_build_object('sku', 'SKU-' || (g % 300)))),
             'succeeded', now() - (g || ' seconds')::interval
      from generate_series(1, 30000) g`;
    await db.sql`analyze runs`;
    const filter = { payload: { path: "customer.id", value: "C-123" } };
    const plan = async () => {
      const [row] = await db.sql<{ "QUERY PLAN": unknown }[]>`
        explain (format json) select r.id from runs r where r.workspace_id = ${ws} ${runFilterConditions(db.sql, filter)}
        order by r.created_at desc, r.id desc limit 51`;
      return JSON.stringify(row!["QUERY PLAN"]);
    };
    // The same question asked without containment cannot use the index: the planner scans the workspace's runs.
    const [unindexed] = await db.sql<{ "QUERY PLAN": unknown }[]>`
      explain (format json) select r.id from runs r where r.workspace_id = ${ws} and r.input #>> '{customer,id}' = 'C-123'
      order by r.created_at desc, r.id desc limit 51`;
    const scan = JSON.stringify(unindexed!["QUERY PLAN"]);
    expect(scan).not.toContain("runs_input_path_ops");
    expect(scan).toMatch(/Seq Scan|Index Scan/);
    const withIndex = await plan();
    expect(withIndex).toContain('"Index Name":"runs_input_path_ops"');
    expect(withIndex).toContain("Bitmap Index Scan");
    // And the answer is right: C-123 is every 5000th run.
    const page = await (await member(db, ws, "operator")).caller.runs.list(filter);
    expect(page.runs).toHaveLength(6);
    expect(page.total).toBe(6);
  });
});
