/**
 * The wizard's mapping and schedule steps on template flows in a workspace that is not the demo:
 * mapping tables checked against the sandboxes' live lists (real HTTP), the schedule checked
 * and saved as a new flow version. Real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeSchedule, ScheduleError, scheduleCron, setSchedule } from "../flow-schedule";
import { upsertRow } from "../lookups";
import { createWorkspace, testDb } from "../test/helpers";
import { findTemplate, instantiateTemplate, templateParameters } from "./index";
import { checkTemplateMappings, missingMappings } from "./mapping-check";
import { sandboxConnection, startSandboxes, type Sandboxes } from "./test-helpers";

const db = testDb();
let sb: Sandboxes;
let workspaceId: string;

beforeAll(async () => {
  sb = await startSandboxes();
  workspaceId = await createWorkspace(db, "Wizard steps");
  for (const system of ["intacct", "avalara"] as const) await sandboxConnection(db, workspaceId, system, sb.urls[system]);
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

/** The values a person picks in step 2 (here the sandbox company's). */
const picked = (templateId: string) => Object.fromEntries(templateParameters(findTemplate(templateId)!).map((p) => [p.key, p.demo]));

describe("mapping step: the tables against the connected systems' live values", () => {
  it("lists every live Intacct item without a tax code, the live values of each column, and mapped values the systems do not have", async () => {
    const { flowId, tableIds } = await instantiateTemplate(db, workspaceId, "intacct-sales-avalara-gl", { parameters: picked("intacct-sales-avalara-gl") });
    const first = await checkTemplateMappings(db, workspaceId, flowId);
    expect(first.map((t) => [t.name, t.rows])).toEqual([
      ["Tax GL accounts (Intacct)", 0],
      ["Sales tax dimensions (Intacct)", 0],
      ["Avalara tax codes (Intacct items)", 0],
    ]);
    const items = first[2]!;
    expect(items.keySource).toEqual({ system: "intacct", picker: "items", error: null });
    const unmapped = items.unmapped.map((o) => o.value);
    expect(unmapped).toEqual(expect.arrayContaining(["SW-STD", "SW-PRO", "SVC-IMPL", "HW-ROUTER"]));
    expect(items.columns[0]!.options.map((o) => o.value)).toEqual(expect.arrayContaining(["SW052000", "SC150100", "P0000000"]));
    expect(first[0]!.columns[0]!.options.map((o) => o.value)).toEqual(expect.arrayContaining(["2210", "2220", "2230"]));
    expect(first[1]!.columns.map((c) => [c.name, c.source?.picker, c.options.length > 0])).toEqual([
      ["locationId", "locations", true],
      ["departmentId", "departments", true],
      ["classId", "classes", true],
    ]);
    // Jurisdictions and states cannot be listed ahead: the dry run finds them.
    expect(first[0]!.keySource).toBeNull();

    // Map one item; give a jurisdiction an account and a state a location the company does not have.
    await upsertRow(db, workspaceId, tableIds.itemTaxCodes!, { key: "SW-STD", values: { taxCode: "SW052000" } }, undefined);
    await upsertRow(db, workspaceId, tableIds.taxGl!, { key: "US:TX:STA:48", values: { accountNo: "2220" } }, undefined);
    await upsertRow(db, workspaceId, tableIds.taxGl!, { key: "US:WA:STA:53", values: { accountNo: "9999" } }, undefined);
    await upsertRow(db, workspaceId, tableIds.dimensions!, { key: "TX", values: { locationId: "US-ZZ", departmentId: "FIN", classId: "" } }, undefined);
    const second = await checkTemplateMappings(db, workspaceId, flowId);
    expect(second[2]!.unmapped.map((o) => o.value)).toEqual(unmapped.filter((v) => v !== "SW-STD"));
    expect(second[0]!.unknown).toEqual([{ key: "US:WA:STA:53", column: "accountNo", value: "9999", values: { accountNo: "9999" } }]);
    expect(second[1]!.unknown).toEqual([{ key: "TX", column: "locationId", value: "US-ZZ", values: { locationId: "US-ZZ", departmentId: "FIN", classId: "" } }]);
    expect(second[2]!.unknown).toEqual([]);
  });

  it("says which list could not be read instead of failing the whole check", async () => {
    const ws = await createWorkspace(db, "Wizard unreachable");
    // No Intacct connection yet: its lists cannot be read; Avalara's can.
    await sandboxConnection(db, ws, "avalara", sb.urls.avalara);
    const { flowId } = await instantiateTemplate(db, ws, "intacct-sales-avalara-gl", { parameters: picked("intacct-sales-avalara-gl") });
    const checks = await checkTemplateMappings(db, ws, flowId);
    expect(checks[2]!.keySource!.error).toBe("The flow has no intacct connection");
    expect(checks[2]!.columns[0]!.error).toBeNull(); // Avalara's tax codes still load
    expect(checks[0]!.columns[0]!.error).toBeTruthy();
  });

  it("reads the values a dry run could not map from its stop", () => {
    expect(missingMappings({ reasonCode: "lookup_miss", details: { tableId: "t1", missing: ["US:TX:STA:48"] } })).toEqual({ tableId: "t1", keys: ["US:TX:STA:48"] });
    expect(missingMappings({ reasonCode: "missing_tax_code", details: { tableId: "t2", missing: ["item HW-ROUTER", "line 2 (no item)"] } })).toEqual({ tableId: "t2", keys: ["HW-ROUTER"] });
    expect(missingMappings({ reasonCode: "invalid_address", details: { address: {} } })).toBeNull();
  });
});

describe("schedule step", () => {
  it("shows the poll schedule, saves an interval or a cron as a new version, and refuses what does not parse", async () => {
    const { flowId } = await instantiateTemplate(db, workspaceId, "intacct-sales-avalara-gl", { name: "Scheduled", parameters: picked("intacct-sales-avalara-gl") });
    const shown = await describeSchedule(db, workspaceId, flowId);
    expect(shown).toMatchObject({ mode: "poll", scheduled: true, cron: "*/15 * * * *", everyMinutes: 15 });
    expect(shown.next).toHaveLength(3);
    expect(new Date(shown.next[0]!).getUTCMinutes() % 15).toBe(0);

    const hourly = await setSchedule(db, workspaceId, flowId, { everyMinutes: 60 });
    expect(hourly).toMatchObject({ cron: "0 * * * *", everyMinutes: 60 });
    expect(hourly.versionId).not.toBe(shown.versionId);
    const [latest] = await db.sql<{ definition: { settings: { schedule: string } }; note: string }[]>`
      select definition, note from flow_versions where flow_id = ${flowId} order by version desc limit 1`;
    expect(latest!.definition.settings.schedule).toBe("0 * * * *");
    expect(latest!.note).toBe("Schedule: 0 * * * * (UTC)");

    const custom = await setSchedule(db, workspaceId, flowId, { cron: "30  6 * * 1-5" });
    expect(custom).toMatchObject({ cron: "30 6 * * 1-5", everyMinutes: null });
    expect(custom.next.every((t) => new Date(t).getUTCHours() === 6 && new Date(t).getUTCMinutes() === 30)).toBe(true);

    const versions = async () => (await db.sql`select 1 from flow_versions where flow_id = ${flowId}`).length;
    const count = await versions();
    await expect(setSchedule(db, workspaceId, flowId, { everyMinutes: 7 })).rejects.toThrow(ScheduleError);
    await expect(setSchedule(db, workspaceId, flowId, { cron: "61 * * * *" })).rejects.toThrow(/does not parse/);
    await expect(setSchedule(db, workspaceId, flowId, { cron: "*/5 * * * * *" })).rejects.toThrow(/five fields/);
    expect(await versions()).toBe(count);
  });

  it("a webhook flow has no schedule to set", async () => {
    const ws = await createWorkspace(db, "Wizard webhook");
    for (const system of ["exact", "avalara"] as const) await sandboxConnection(db, ws, system, sb.urls[system]);
    const { flowId } = await instantiateTemplate(db, ws, "exact-invoice-avalara-journal", { parameters: picked("exact-invoice-avalara-journal") });
    expect(await describeSchedule(db, ws, flowId)).toMatchObject({ mode: "webhook", scheduled: false, cron: null, next: [] });
    await expect(setSchedule(db, ws, flowId, { everyMinutes: 15 })).rejects.toThrow(/starts from a webhook/);
    expect(scheduleCron({ everyMinutes: 1440 })).toBe("0 0 * * *");
    expect(scheduleCron({ everyMinutes: 240 })).toBe("0 */4 * * *");
  });
});
