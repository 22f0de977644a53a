/**
 * A record routed to its entity, end to end on real PostgreSQL and the Intacct sandbox over real
 * HTTP: a lookup maps each order's country to an Intacct entity (mapping table "Intacct
 * entities"), the journal node writes the order there with a user-defined dimension on its lines;
 * the UK order is visible in the UK entity's session and not in the US one, and a replay posts
 * nothing new. And a mapping table whose column targets a user-defined dimension is checked against
 * the company's live values of it.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { intacct as intacctConnector, type IntacctClient } from "../connectors/intacct";
import { createSandbox as createIntacct, DEMO } from "../connectors/intacct/sandbox";
import { localEnv, memoryStateStore, type SandboxServer } from "../connectors/sdk";
import { executeRun } from "./executor/run";
import type { FlowDefinitionInput } from "./flow/schema";
import { createFlow, runNow } from "./flows";
import { checkTable, createTable, upsertRow } from "./lookups";
import { registry } from "./registry";
import { createConnection, createLookupTable, createWorkspace, nodeRuns, testDb } from "./test/helpers";

const db = testDb();
let intacct: SandboxServer;
beforeAll(async () => {
  intacct = await createIntacct().listen(0);
});
afterAll(async () => {
  await intacct.close();
  await db.close();
});

/** orders -> entity by country (lookup) -> journal lines with the order's channel -> Intacct, in that entity. */
function routingFlow(connectionId: string, entitiesTable: string): FlowDefinitionInput {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: {} },
      { id: "entity", type: "core.lookup", typeVersion: 1, config: { tableId: entitiesTable, key: "country", target: "entity" } },
      {
        id: "journal",
        type: "core.mapFields",
        typeVersion: 1,
        config: {
          fields: [
            { target: "date", expression: "date" },
            { target: "description", expression: `"Order " & number` },
            { target: "referenceNo", expression: "number" },
            { target: "entityId", expression: "entity.value" },
            {
              target: "lines",
              expression: `[{"accountNo": "1000", "type": "debit", "amount": total, "locationId": location, "customDimensions": {"CHANNEL": channel}}, {"accountNo": "4000", "type": "credit", "amount": total, "locationId": location, "customDimensions": {"CHANNEL": channel}}]`,
            },
          ],
        },
      },
      { id: "post", type: "intacct.createJournalEntry", typeVersion: 1, config: { journal: "GJ" }, connectionId },
    ],
    edges: [
      { id: "e1", source: "trigger", target: "entity" },
      { id: "e2", source: "entity", target: "journal" },
      { id: "e3", source: "journal", target: "post" },
    ],
  };
}

/** A connection of its own at one entity: what a person signed in there sees. */
function entityClient(entityId: string): IntacctClient {
  const demo = intacctConnector.sandbox!(intacct.url);
  const env = localEnv(intacctConnector, { config: { ...demo.config, companyId: DEMO.multiEntityCompanyId, entityId }, secrets: demo.secrets, state: memoryStateStore() });
  return intacctConnector.createClient(env);
}

describe("a record routed to its entity by a mapping", () => {
  it("writes the UK order into entity UK: visible in the UK session, not in the US one; a replay posts nothing", async () => {
    const workspaceId = await createWorkspace(db, "Entity routing");
    const demo = registry.connector("intacct")!.sandbox!(intacct.url);
    // The connection signs in at the top level of the multi-entity company.
    const connectionId = await createConnection(db, workspaceId, "intacct", "Intacct (global)", { ...demo.config, companyId: DEMO.multiEntityCompanyId }, demo.secrets);
    const entities = await createLookupTable(db, workspaceId, "Intacct entities", { GB: { value: "UK" }, US: { value: "US" } });
    const { flowId, problems } = await createFlow(db, workspaceId, { name: "Orders by entity", definition: routingFlow(connectionId, entities) });
    expect(problems).toEqual([]);

    const uk = `UK-${randomUUID().slice(0, 8)}`;
    const runId = await runNow(db, workspaceId, flowId, { number: uk, date: "2024-06-30", country: "GB", location: "UK-LON", channel: "WEB", total: "420.50" });
    expect(await executeRun(db, runId)).toEqual({ status: "succeeded" });
    const post = (await nodeRuns(db, runId)).find((n) => n.node_id === "post");
    expect(post?.output).toMatchObject({ entityId: "UK", referenceNo: uk, totalDebit: "420.50", totalCredit: "420.50" });

    const rows = (c: IntacctClient) =>
      c.query({ object: "GLENTRY", select: ["ACCOUNTNO", "TRX_AMOUNT", "LOCATION", "GLDIMCHANNEL", "MEGAENTITYID"], filter: { field: "REFERENCENO", operator: "equalto", value: uk } });
    expect((await rows(entityClient("UK"))).records).toEqual([
      { ACCOUNTNO: "1000", TRX_AMOUNT: "420.50", LOCATION: "UK-LON", GLDIMCHANNEL: "WEB", MEGAENTITYID: "UK" },
      { ACCOUNTNO: "4000", TRX_AMOUNT: "420.50", LOCATION: "UK-LON", GLDIMCHANNEL: "WEB", MEGAENTITYID: "UK" },
    ]);
    expect((await rows(entityClient("US"))).records).toEqual([]);

    // The same order again (a replay, a second click): the ledger key names the entity and journal; nothing new.
    const again = await runNow(db, workspaceId, flowId, { number: uk, date: "2024-06-30", country: "GB", location: "UK-LON", channel: "WEB", total: "420.50" });
    expect(await executeRun(db, again)).toEqual({ status: "succeeded" });
    const state = (await (await fetch(`${intacct.url}/__sandbox/state`)).json()) as { companies: Record<string, { records: { GLBATCH: Array<{ REFERENCENO: string; MEGAENTITYID: string }> } }> };
    expect(state.companies[DEMO.multiEntityCompanyId]!.records.GLBATCH.filter((b) => b.REFERENCENO === uk).map((b) => b.MEGAENTITYID)).toEqual(["UK"]);
  });
});

describe("a mapping table targeting a user-defined dimension", () => {
  it("checks the column against the dimension's live values (userDimensionValues:CHANNEL)", async () => {
    const workspaceId = await createWorkspace(db, "UDD mapping");
    const demo = registry.connector("intacct")!.sandbox!(intacct.url);
    const connectionId = await createConnection(db, workspaceId, "intacct", "Intacct (sandbox)", demo.config, demo.secrets);
    const { id: tableId } = await createTable(db, workspaceId, {
      name: "Sales channel by store",
      kind: "dimension",
      description: "Commerce store view -> Intacct channel",
      keyLabel: "Store view",
      columns: [{ name: "channel", label: "Channel", picker: "userDimensionValues:CHANNEL" }],
      connectionId,
    });
    await upsertRow(db, workspaceId, tableId, { key: "default", values: { channel: "WEB" } }, undefined);
    await upsertRow(db, workspaceId, tableId, { key: "b2b", values: { channel: "MAILORDER" } }, undefined);
    await upsertRow(db, workspaceId, tableId, { key: "kiosk", values: { channel: "FAX" } }, undefined); // inactive
    const check = await checkTable(db, workspaceId, tableId);
    expect(check.checked).toBe(true);
    const [column] = check.columns;
    expect(column).toMatchObject({ column: "channel", unknown: [{ key: "b2b", value: "MAILORDER" }, { key: "kiosk", value: "FAX" }] });
    expect(column!.options.map((o) => o.value)).toEqual(["WEB", "RETAIL", "PARTNER"]);
  });
});
