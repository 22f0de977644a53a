/**
 * Template improvements on a flow's overview, real Chromium: a flow made from version 1 of the
 * Exact journal template (its first version rewritten as that build was: an older adjustment
 * reason, no commit step) and then edited by a person shows what version 2 changes, marks the
 * step the person changed too, and applies the rest as a new version keeping the person's edit.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { jsonb } from "../db/client";
import { api, signedInSuite } from "./session";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Definition = { nodes: any[]; edges: any[]; settings: Record<string, unknown> };

const suite = signedInSuite({ viewport: { width: 1440, height: 900 } }, { db: true });
const base = () => inject("baseUrl");

describe("template improvements on the flow overview", () => {
  it("shows the newer template version's changes and applies them, keeping the person's own edit", async () => {
    const name = `Improvements ${randomUUID().slice(0, 8)}`;
    const { flowId } = await api<{ flowId: string }>("templates.use", { templateId: "exact-invoice-avalara-journal", name });
    const [first] = await suite.db.sql<{ definition: Definition }[]>`select definition from flow_versions where flow_id = ${flowId} and version = 1`;
    const current = first!.definition;
    const old: Definition = {
      ...current,
      nodes: current.nodes
        .filter((n) => n.id !== "commitInput" && n.id !== "commit")
        .map((n) => (n.id === "sync" ? { ...n, config: { ...n.config, adjustmentReason: "Other" } } : n.id === "taxGl" ? { ...n, notes: "Old notes" } : n)),
      edges: current.edges.filter((e) => e.target !== "commitInput" && e.target !== "commit"),
    };
    await suite.db.sql`update flow_versions set definition = ${jsonb(old)}::text::jsonb where flow_id = ${flowId} and version = 1`;
    await suite.db.sql`update flows set template_version = 1 where id = ${flowId}`;
    // The person rewrote the notes of the GL step, which the template changed too.
    await api("flows.save", { flowId, note: "Our notes", definition: { ...old, nodes: old.nodes.map((n) => (n.id === "taxGl" ? { ...n, notes: "Our notes" } : n)) } });

    const page = await suite.context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${base()}/flows/${flowId}/overview`, { timeout: 120_000 });
    const card = page.getByTestId("template-improvements");
    await card.waitFor({ timeout: 120_000 });
    expect(await card.locator("h2").textContent()).toBe("Template improvements: version 1 → 2");
    const row = (node: string) => card.locator(`[data-testid="improvement"][data-node="${node}"]`);
    await expect.poll(() => row("sync").textContent(), { timeout: 30_000 }).toContain("config.adjustmentReason");
    expect(await row("commitInput").textContent()).toContain("Added");
    expect(await row("commit").textContent()).toContain("Added");
    expect(await row("taxGl").textContent()).toContain("You changed it too");
    expect(await card.getByTestId("improvement").count()).toBe(4);

    await card.getByRole("button", { name: "Apply as a new version" }).click();
    await expect.poll(() => card.textContent(), { timeout: 30_000 }).toContain("kept as edited: taxGl");

    const flow = await api<{ definition: Definition }>("flows.get", { flowId }, "query");
    const node = (id: string) => flow.definition.nodes.find((n) => n.id === id);
    expect(node("sync").config.adjustmentReason).toBe("PriceAdjusted");
    expect(node("taxGl").notes).toBe("Our notes");
    expect(node("commit")).toBeDefined();
    expect(flow.definition.edges.some((e) => e.source === "commitInput" && e.target === "commit")).toBe(true);

    await page.close();
    await api("flows.delete", { flowId });
  }, 300_000);
});
