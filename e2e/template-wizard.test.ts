/**
 * The template wizard in real Chromium, in a fresh workspace that is not the demo: create and
 * test each connection, pick the Avalara company and the Intacct journal from the systems' live
 * pickers (values other than the demo's), create the flow, leave, resume from Templates, and
 * activate. The saved flow carries the picked values and the template version.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { pageCall as call, signedInContext } from "./session";
import { launchBrowser } from "./stack";

let browser: Browser;
let context: BrowserContext;
const base = () => inject("baseUrl");


beforeAll(async () => {
  browser = await launchBrowser();
  context = await signedInContext(browser, { viewport: { width: 1440, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
});

describe("template wizard", () => {
  it("sets up the Intacct tax summary template in a new workspace with every value picked from the connected systems", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${base()}/flows`, { timeout: 120_000 });
    const ws = await call<{ id: string }>(page, "workspaces.create", { name: `Wizard books ${Date.now()}` });
    await call(page, "workspaces.choose", { workspaceId: ws.id });
    await page.evaluate((id) => window.localStorage.setItem("ledgerline.workspace", id), ws.id);

    await page.goto(`${base()}/templates`, { timeout: 120_000 });
    const card = page.getByTestId("template-card").filter({ hasText: "tax summary to a clearing account" });
    await card.getByRole("button", { name: "Use template" }).click();
    await page.getByTestId("wizard-connections").waitFor({ timeout: 120_000 });

    // 1. No connections yet: create one per system, then test each (the next step waits for that).
    const next = page.getByRole("button", { name: "Next: accounts" });
    for (const system of ["Sage Intacct", "Avalara"]) {
      const field = page.locator(".field").filter({ hasText: system }).first();
      await field.getByRole("button", { name: "Create a sandbox connection" }).click();
      await expect.poll(() => field.locator("select").inputValue()).not.toBe("");
      expect(await next.isDisabled()).toBe(true);
      await field.getByRole("button", { name: /^Test / }).click();
      await expect.poll(() => field.locator('[data-testid^="test-"]').textContent()).toMatch(/^Connected: /);
    }
    await next.click();

    // 2. Live pickers: the companies of Avalara and the journals of Intacct.
    await page.getByTestId("wizard-accounts").waitFor();
    const company = page.getByLabel("Avalara company");
    await expect.poll(async () => (await company.locator("option").allTextContents()).join("|")).toContain("LEDGERLINE-WEST");
    const journal = page.getByLabel("GL journal");
    await expect.poll(async () => (await journal.locator("option").allTextContents()).join("|")).toContain("ADJ");
    const create = page.getByRole("button", { name: "Create the flow" });
    expect(await create.isDisabled()).toBe(true);
    await company.selectOption("LEDGERLINE-WEST");
    await journal.selectOption("ADJ");
    await create.click();
    await page.getByTestId("wizard-mappings").waitFor();
    const flowId = new URL(page.url()).searchParams.get("flow")!;
    expect(flowId).toMatch(/^[0-9a-f-]{36}$/);

    // The flow uses the picked values, nothing of the demo books, and records the template version.
    const flow = await call<unknown>(page, "flows.get", { flowId }, ws.id, "query");
    const text = JSON.stringify(flow);
    expect(text).toContain('"companyCode":"LEDGERLINE-WEST"');
    expect(text).toContain('"journal":"ADJ"');
    expect(text).not.toContain('"DEFAULT"');
    expect(text).not.toContain('"TAX"');
    const templates = await call<{ id: string; version: number }[]>(page, "templates.list", undefined, ws.id, "query");
    const state = await call<{ step: string; parameters: Record<string, string> }>(page, "templates.wizardState", { flowId }, ws.id, "query");
    expect(state.step).toBe("mappings");
    expect(state.parameters).toEqual({ companyCode: "LEDGERLINE-WEST", journal: "ADJ" });
    expect(templates.find((t) => t.id === "intacct-sales-avalara-gl-summary")!.version).toBeGreaterThanOrEqual(2);

    // Leave after step 3, then resume from Templates at the step reached.
    await page.getByRole("button", { name: "Next: schedule" }).click();
    await page.getByTestId("wizard-schedule").waitFor();
    await expect.poll(async () => (await call<{ step: string }>(page, "templates.wizardState", { flowId }, ws.id, "query")).step).toBe("schedule");
    await page.goto(`${base()}/templates`);
    await page.getByTestId("wizards-in-progress").getByRole("link", { name: /Resume/ }).click();
    await page.getByTestId("wizard-schedule").waitFor({ timeout: 120_000 });
    await page.getByRole("button", { name: "Next: dry run" }).click();
    await page.getByRole("button", { name: "Next: activate" }).click();
    await page.getByRole("button", { name: "Activate the flow" }).click();
    await page.getByTestId("wizard-done").waitFor();

    const flows = await call<{ id: string; active: boolean }[]>(page, "flows.list", undefined, ws.id, "query");
    expect(flows.find((f) => f.id === flowId)?.active).toBe(true);
    expect(await call<unknown>(page, "templates.wizardState", { flowId }, ws.id, "query")).toBeNull();
    await page.goto(`${base()}/templates`);
    await page.getByTestId("template-card").first().waitFor();
    await expect(page.getByTestId("wizards-in-progress").count()).resolves.toBe(0);

    // Back to the demo workspace for the other tests.
    await page.evaluate(() => window.localStorage.removeItem("ledgerline.workspace"));
    const mine = await call<{ workspaces: { id: string; slug: string }[] }>(page, "workspaces.mine", undefined, undefined, "query");
    const demoId = mine.workspaces.find((w) => w.slug === "demo")?.id;
    if (demoId) await call(page, "workspaces.choose", { workspaceId: demoId });
    await page.close();
  }, 600_000);
});
