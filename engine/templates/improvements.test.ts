/**
 * Template improvements on a flow made from an earlier version of its template: the changes the
 * newer version makes are shown apart from the person's own edits, and applying them keeps those
 * edits (a conflict is kept as edited unless taken). Real PostgreSQL.
 *
 * The earlier template build is set up by rewriting the flow's first version as that build was
 * (an older adjustment reason, no commit step, an extra step since dropped) and recording version 1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonb } from "../../db/client";
import type { FlowDefinition } from "../flow/schema";
import { saveVersion } from "../flows";
import { createConnection, createWorkspace, testDb } from "../test/helpers";
import { applyTemplateImprovements, templateImprovements } from "./improvements";
import { findTemplate, instantiateTemplate, templateVersion } from "./index";

const db = testDb();
afterAll(async () => {
  await db.close();
});

const values = { offsetAccount: "4190", journalCode: "91", companyCode: "BOOKS-US" };
let workspaceId: string;

beforeAll(async () => {
  workspaceId = await createWorkspace(db, "Improvements");
  await createConnection(db, workspaceId, "exact", "Exact", { region: "us", division: 1001, clientId: "app" }, { clientSecret: "s", webhookSecret: "w" });
  await createConnection(db, workspaceId, "avalara", "Avalara", { environment: "sandbox" }, { accountId: "1", licenseKey: "k" });
});

async function versionDefinition(flowId: string, version: number): Promise<FlowDefinition> {
  const [row] = await db.sql<{ definition: FlowDefinition }[]>`select definition from flow_versions where flow_id = ${flowId} and version = ${version}`;
  return row!.definition;
}
async function latestDefinition(flowId: string): Promise<FlowDefinition> {
  const [row] = await db.sql<{ definition: FlowDefinition }[]>`select definition from flow_versions where flow_id = ${flowId} order by version desc limit 1`;
  return row!.definition;
}

/** A flow as the template's version 1 built it, then edited by a person. */
async function oldFlow(name: string) {
  const { flowId } = await instantiateTemplate(db, workspaceId, "exact-invoice-avalara-journal", { name, parameters: values });
  const current = await versionDefinition(flowId, 1);
  const old: FlowDefinition = {
    ...current,
    nodes: [
      ...current.nodes
        .filter((n) => n.id !== "commitInput" && n.id !== "commit")
        .map((n) => (n.id === "sync" ? { ...n, config: { ...n.config, adjustmentReason: "Other" } } : n.id === "taxGl" ? { ...n, notes: "Old notes" } : n)),
      { id: "legacy", type: "core.mapFields", typeVersion: 1, name: "Legacy summary", config: { fields: [{ target: "x", expression: "1" }] } },
    ],
    edges: [...current.edges.filter((e) => e.target !== "commitInput" && e.target !== "commit"), { id: "legacy-edge", source: "post", target: "legacy", sourceHandle: "out" }],
  } as FlowDefinition;
  await db.sql`update flow_versions set definition = ${jsonb(old)}::text::jsonb where flow_id = ${flowId} and version = 1`;
  await db.sql`update flows set template_version = 1 where id = ${flowId}`;
  // The person's edits: the posting node set to the next open period, the tax step moved, and the
  // GL step's notes rewritten (the template changed those notes too: a conflict).
  const edited = {
    ...old,
    nodes: old.nodes.map((n) =>
      n.id === "post" ? { ...n, config: { ...n.config, closedPeriod: "nextOpenPeriod" } } : n.id === "sync" ? { ...n, position: { x: 9999, y: 42 } } : n.id === "taxGl" ? { ...n, notes: "Our notes" } : n,
    ),
  };
  await saveVersion(db, workspaceId, flowId, edited, "Our edits");
  return flowId;
}

describe("template improvements", () => {
  it("shows what the newer template version changes, apart from the person's own edits", async () => {
    expect(templateVersion(findTemplate("exact-invoice-avalara-journal")!)).toBe(2);
    const flowId = await oldFlow("Improvements shown");
    const shown = await templateImprovements(db, workspaceId, flowId);
    expect(shown).toMatchObject({ fromVersion: 1, toVersion: 2, upToDate: false });
    expect(shown!.nodes.map((n) => [n.nodeId, n.kind, n.fields, n.conflict])).toEqual(
      expect.arrayContaining([
        ["sync", "changed", ["config.adjustmentReason"], false],
        ["taxGl", "changed", ["notes"], true],
        ["legacy", "removed", [], false],
        ["commitInput", "added", [], false],
        ["commit", "added", [], false],
      ]),
    );
    expect(shown!.nodes).toHaveLength(5);
    // The person's own change of the posting node is not the template's.
    expect(shown!.nodes.find((n) => n.nodeId === "post")).toBeUndefined();
    expect(shown!.edges).toEqual({ added: ["post:out->commitInput", "commitInput:out->commit"], removed: ["post:out->legacy"] });
  });

  it("applies them as a new version keeping the person's edits; a conflict is kept unless taken", async () => {
    const flowId = await oldFlow("Improvements applied");
    const result = await applyTemplateImprovements(db, workspaceId, flowId);
    expect(result.kept).toEqual(["taxGl"]);
    expect(result.applied.sort()).toEqual(["commit", "commitInput", "legacy", "sync"]);
    const after = await latestDefinition(flowId);
    const node = (id: string) => after.nodes.find((n) => n.id === id);
    expect(node("sync")!.config).toMatchObject({ adjustmentReason: "PriceAdjusted", companyCode: "BOOKS-US" });
    expect(node("sync")!.position).toEqual({ x: 9999, y: 42 });
    expect(node("post")!.config).toMatchObject({ closedPeriod: "nextOpenPeriod", journalCode: "91" });
    expect(node("taxGl")!.notes).toBe("Our notes");
    expect(node("legacy")).toBeUndefined();
    expect(node("commit")).toBeDefined();
    expect(after.edges.some((e) => e.target === "legacy")).toBe(false);
    expect(after.edges.filter((e) => e.target === "commitInput" || e.target === "commit").map((e) => e.source)).toEqual(["post", "commitInput"]);
    // The offset account, used inside an expression, is the flow's own value, not the demo's.
    expect(JSON.stringify(node("journal")!.config)).toContain('\\"4190\\"');
    const [flow] = await db.sql<{ template_version: number }[]>`select template_version from flows where id = ${flowId}`;
    expect(flow!.template_version).toBe(2);
    const [event] = await db.sql<{ data: { applied: string[]; kept: string[] } }[]>`
      select data from audit_events where entity_id = ${flowId} and action = 'template.improvements_applied'`;
    expect(event!.data.kept).toEqual(["taxGl"]);
    await expect(applyTemplateImprovements(db, workspaceId, flowId)).rejects.toThrow(/already on version 2/);
    expect((await templateImprovements(db, workspaceId, flowId))!.upToDate).toBe(true);

    const other = await oldFlow("Improvements taken");
    expect((await applyTemplateImprovements(db, workspaceId, other, { take: ["taxGl"] })).kept).toEqual([]);
    expect((await latestDefinition(other)).nodes.find((n) => n.id === "taxGl")!.notes).not.toBe("Our notes");
  });

  it("a flow not made from a template has none; one whose setup values were not recorded is told so, and nothing changes", async () => {
    const [plain] = await db.sql<{ id: string }[]>`insert into flows (workspace_id, name) values (${workspaceId}, 'Plain') returning id::text`;
    expect(await templateImprovements(db, workspaceId, plain!.id)).toBeNull();
    const flowId = await oldFlow("Improvements unrecorded");
    await db.sql`update flows set template_parameters = null where id = ${flowId}`;
    const before = (await db.sql`select 1 from flow_versions where flow_id = ${flowId}`).length;
    await expect(templateImprovements(db, workspaceId, flowId)).rejects.toThrow(/not recorded/);
    await expect(applyTemplateImprovements(db, workspaceId, flowId)).rejects.toThrow(/not recorded/);
    expect((await db.sql`select 1 from flow_versions where flow_id = ${flowId}`).length).toBe(before);
  });
});
