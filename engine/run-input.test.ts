/**
 * "Run now" input on real PostgreSQL and the real Intacct sandbox over HTTP: the trigger's input
 * schema with sample data, the poll trigger's recent source documents read live (and nothing
 * checkpointed), and the check a record passes before a run starts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "./audit";
import { createFlow } from "./flows";
import { checkRunInput, describeRunInput, recentSourceRecords, sampleFromSchema } from "./run-input";
import { instantiateTemplate } from "./templates";
import { sandboxConnection, startSandboxes, type Sandboxes } from "./templates/test-helpers";
import { createWorkspace, testDb } from "./test/helpers";

const db = testDb();
let sb: Sandboxes;
let workspaceId: string;
let pollFlow: string;

beforeAll(async () => {
  sb = await startSandboxes();
  workspaceId = await createWorkspace(db, "Run input");
  await sandboxConnection(db, workspaceId, "intacct", sb.urls.intacct);
  await sandboxConnection(db, workspaceId, "avalara", sb.urls.avalara);
  pollFlow = (await instantiateTemplate(db, workspaceId, "intacct-sales-avalara-gl", { demo: true })).flowId;
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

describe("run now input", () => {
  it("describes the poll trigger's input with its schema and a sample that names what is missing", async () => {
    const described = await describeRunInput(db, workspaceId, pollFlow);
    expect(described).toMatchObject({ mode: "poll", triggerType: "intacct.pollSalesTransactions", canListRecent: true });
    expect(described.inputSchema.required).toEqual(["object", "recordNo"]);
    expect(described.sample).toEqual({ object: "SODOCUMENT", recordNo: "" });
    expect(await checkRunInput(db, workspaceId, pollFlow, described.sample)).toEqual([{ path: "recordNo", message: expect.stringMatching(/>=1|at least 1|too small/i) }]);
    expect(await checkRunInput(db, workspaceId, pollFlow, { object: "INVOICE", recordNo: "1" })).toEqual([{ path: "object", message: expect.any(String) }]);
  });

  it("lists recent source documents live from the sandbox, without moving the trigger's checkpoint", async () => {
    const records = await recentSourceRecords(db, workspaceId, pollFlow, 5);
    expect(records.length).toBeGreaterThan(0);
    expect(records.length).toBeLessThanOrEqual(5);
    const state = (await (await fetch(`${sb.urls.intacct}/__sandbox/state`)).json()) as Record<string, unknown>;
    const text = JSON.stringify(state);
    for (const r of records) {
      expect(r.label).toBeTruthy();
      expect(await checkRunInput(db, workspaceId, pollFlow, r.data)).toEqual([]);
      expect(text).toContain(String((r.data as { recordNo: string }).recordNo));
    }
    const checkpoints = await db.sql`select 1 from trigger_checkpoints where flow_id = ${pollFlow}`;
    expect(checkpoints).toHaveLength(0);
  });

  it("uses the manual trigger's configured sample, and lists nothing for a trigger that cannot", async () => {
    const { flowId } = await createFlow(
      db,
      workspaceId,
      {
        name: "Manual",
        definition: { schemaVersion: 1, nodes: [{ id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: { sample: { invoice: "INV-7", amount: 12.5 } } }], edges: [] },
      },
      SYSTEM_ACTOR,
    );
    expect(await describeRunInput(db, workspaceId, flowId)).toMatchObject({ mode: "manual", sample: { invoice: "INV-7", amount: 12.5 }, canListRecent: false });
    expect(await recentSourceRecords(db, workspaceId, flowId)).toEqual([]);
    const stranger = await createWorkspace(db, "Run input stranger");
    await expect(describeRunInput(db, stranger, flowId)).rejects.toThrow("flow not found");
  });

  it("builds sample records from a schema", () => {
    const now = new Date("2026-03-01T10:00:00Z");
    expect(
      sampleFromSchema(
        {
          type: "object",
          required: ["division", "invoiceId", "action", "at", "lines"],
          properties: {
            division: { type: "integer", minimum: -9007199254740991 },
            invoiceId: { type: "string", pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$" },
            action: { type: "string", enum: ["Create", "Update"] },
            at: { type: "string", format: "date-time" },
            lines: { type: "array", minItems: 1, items: { type: "object", required: ["amount"], properties: { amount: { type: "number", exclusiveMinimum: 0 } } } },
            note: { type: "string" },
          },
        },
        now,
      ),
    ).toEqual({ division: 1, invoiceId: "00000000-0000-4000-8000-000000000000", action: "Create", at: "2026-03-01T10:00:00.000Z", lines: [{ amount: 1 }] });
  });
});
