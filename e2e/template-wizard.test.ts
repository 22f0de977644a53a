/**
 * The template wizard in real Chromium, in a fresh workspace that is not the demo: create and
 * test each connection, pick the Avalara company and the Intacct journal from the systems' live
 * pickers (values other than the demo's), create the flow, map the live Intacct item it needs,
 * leave, resume from Templates, set the schedule (a bad cron refused), dry-run the most recent
 * sales invoice and map, there, each value it names until it shows the balanced TAX batch, with
 * nothing posted in Intacct or Avalara, then activate. The saved flow carries the picked values,
 * the schedule and the template version.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { pageCall as call, signedInContext } from "./session";
import { launchBrowser } from "./stack";

let browser: Browser;
let context: BrowserContext;
const base = () => inject("baseUrl");
const urls = () => inject("sandboxUrls") as Record<string, string>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sandbox = async (system: string): Promise<any> => (await fetch(`${urls()[system]}/__sandbox/state`)).json();


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
      await expect.poll(() => field.locator("select").inputValue(), { timeout: 30_000 }).not.toBe("");
      expect(await next.isDisabled()).toBe(true);
      await field.getByRole("button", { name: /^Test / }).click();
      await expect.poll(() => field.locator('[data-testid^="test-"]').textContent(), { timeout: 30_000 }).toMatch(/^Connected: /);
    }
    await next.click();

    // 2. Live pickers: the companies of Avalara and the journals of Intacct.
    await page.getByTestId("wizard-accounts").waitFor();
    const company = page.getByLabel("Avalara company");
    await expect.poll(async () => (await company.locator("option").allTextContents()).join("|"), { timeout: 30_000 }).toContain("LEDGERLINE-WEST");
    const journal = page.getByLabel("GL journal");
    await expect.poll(async () => (await journal.locator("option").allTextContents()).join("|"), { timeout: 30_000 }).toContain("ADJ");
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

    // 3. The mapping tables against the live values: every Intacct item is listed without a tax code.
    await page.getByTestId("mapping-check").waitFor();
    const items = page.locator('[data-table="Avalara tax codes (Intacct items)"]');
    const itemRow = (key: string) => items.locator(`[data-testid="map-row"][data-key="${key}"]`);
    await itemRow("HW-ROUTER").waitFor();
    expect(await items.getByTestId("map-row").count()).toBeGreaterThanOrEqual(5);
    await itemRow("HW-ROUTER").locator("select").selectOption("P0000000");
    await itemRow("HW-ROUTER").getByRole("button", { name: "Map" }).click();
    await itemRow("HW-ROUTER").waitFor({ state: "detached" });
    await itemRow("SW-STD").waitFor();
    // Jurisdictions cannot be listed ahead: the table says the dry run will name them.
    await expect.poll(() => page.locator('[data-table="Tax GL accounts (Intacct)"]').textContent(), { timeout: 30_000 }).toContain("the dry run (step 5) names any");

    // Leave after step 3, then resume from Templates at the step reached.
    await page.getByRole("button", { name: "Next: schedule" }).click();
    await page.getByTestId("wizard-schedule").waitFor();
    await expect.poll(async () => (await call<{ step: string }>(page, "templates.wizardState", { flowId }, ws.id, "query")).step, { timeout: 30_000 }).toBe("schedule");
    await page.goto(`${base()}/templates`);
    await page.getByTestId("wizards-in-progress").getByRole("link", { name: /Resume/ }).click();
    await page.getByTestId("wizard-schedule").waitFor({ timeout: 120_000 });

    // 4. Schedule: the template's 15 minutes; a cron that does not parse is refused, an interval saved.
    await expect.poll(() => page.getByTestId("current-cron").textContent(), { timeout: 30_000 }).toBe("*/15 * * * *");
    await page.getByLabel("Poll").selectOption("cron");
    await page.getByLabel(/^Cron expression/).fill("61 * * * *");
    await page.getByRole("button", { name: "Save the schedule" }).click();
    await expect.poll(() => page.getByTestId("schedule-form").textContent(), { timeout: 30_000 }).toContain("does not parse");
    await page.getByLabel("Poll").selectOption("60");
    await page.getByRole("button", { name: "Save the schedule" }).click();
    await page.getByTestId("schedule-saved").waitFor();
    await expect.poll(() => page.getByTestId("current-cron").textContent(), { timeout: 30_000 }).toBe("0 * * * *");
    await page.getByRole("button", { name: "Next: dry run" }).click();

    // 5. A new sales invoice in Intacct (Umbrella, Seattle WA; one router) is the most recent document.
    const created = (await (await fetch(`${urls().intacct}/__sandbox/sales-transactions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customerId: "C400", lines: [{ itemId: "HW-ROUTER", quantity: 1 }] }),
    })).json()) as { DOCNO: string };
    const code = `INTACCT-SO-${created.DOCNO}`;
    const posted = async () => ({
      batches: ((await sandbox("intacct")).companies["LEDGERLINE-DEMO"].records.GLBATCH as { REFERENCENO: string }[]).filter((b) => b.REFERENCENO === code).length,
      avalara: ((await sandbox("avalara")).documents as { code: string }[]).filter((d) => d.code === code).length,
    });
    await page.getByTestId("wizard-dryRun").waitFor();
    const activateNext = page.getByRole("button", { name: "Next: activate" });
    expect(await activateNext.isDisabled()).toBe(true);
    await page.getByLabel("Recent documents").selectOption("1");
    const documentCard = page.locator(`[data-testid="dry-run-document"][data-label$="${created.DOCNO}"]`);
    // Each dry run stops at the first value without a row and names it; map it there and dry-run again.
    const choices: Record<string, string> = { "GL account": "2230", Location: "US-WA", Department: "FIN", Class: "HW" };
    const stops: string[] = [];
    let lastRun: string | null = null;
    for (let round = 0; round < 4; round++) {
      await page.getByRole("button", { name: /^Dry run( again)?$/ }).click();
      // The card of this round's dry run (each dry run is a run of its own).
      // A dry run reads Intacct and quotes at Avalara: wait as long as a person would.
      await expect.poll(async () => ((await documentCard.count()) ? documentCard.getAttribute("data-run") : null), { timeout: 60_000 }).not.toBe(lastRun);
      await expect.poll(() => documentCard.getAttribute("data-run"), { timeout: 60_000 }).not.toBeNull();
      lastRun = await documentCard.getAttribute("data-run");
      const missing = documentCard.getByTestId("dry-run-missing");
      if ((await missing.count()) === 0) break;
      await missing.getByTestId("map-row").first().waitFor();
      const text = (await missing.textContent()) ?? "";
      stops.push(/Map (?:it|them) in (.+?), then/.exec(text)?.[1] ?? text);
      const keys = await missing.getByTestId("map-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key")!));
      for (const key of keys) {
        const row = missing.locator(`[data-testid="map-row"][data-key="${key}"]`);
        for (const field of await row.locator(".field").all()) {
          const label = ((await field.locator("label").textContent()) ?? "").trim();
          await field.locator("select").selectOption(key === "clearingAccount" ? "2100" : choices[label]!);
        }
        await row.getByRole("button", { name: "Map" }).click();
        await row.waitFor({ state: "detached" });
      }
    }
    expect(stops).toEqual(["Tax GL accounts (Intacct)", "Sales tax dimensions (Intacct)", "Tax posting setup (Intacct)"]);
    // The balanced TAX batch it would post: Washington's taxes credited to 2230, their sum debited to the clearing account.
    await expect.poll(() => documentCard.locator(".badge").first().textContent(), { timeout: 30_000 }).toBe("Would go through");
    const batch = documentCard.locator('[data-testid="dry-run-posting"][data-node="post"]');
    const table = batch.getByTestId("posting-lines");
    await expect.poll(() => table.locator("caption").textContent(), { timeout: 30_000 }).toMatch(/^ADJ batch: /);
    const rows = await table.locator("tbody tr").allTextContents();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.slice(0, -1).every((r) => r.startsWith("2230") && r.includes("locationId: US-WA"))).toBe(true);
    expect(rows[rows.length - 1]).toMatch(/^2100/);
    const [label, debit, credit] = await table.getByTestId("posting-total").locator("td").allTextContents();
    expect(label).toContain("balance 0.00");
    expect(debit).toBe(credit);
    expect(Number(debit)).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId("dry-run-totals").textContent(), { timeout: 30_000 }).toContain(debit!);
    // Nothing was posted anywhere for the document.
    expect(await posted()).toEqual({ batches: 0, avalara: 0 });

    // 6. Activate.
    await activateNext.click();
    await page.getByRole("button", { name: "Activate the flow" }).click();
    await page.getByTestId("wizard-done").waitFor();
    const flowAfter = JSON.stringify(await call<unknown>(page, "flows.get", { flowId }, ws.id, "query"));
    expect(flowAfter).toContain('"schedule":"0 * * * *"');

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

  it("sets up the Exact template in a new workspace: Connect signs in at Exact and comes back to the wizard, values from Exact's pickers", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${base()}/flows`, { timeout: 120_000 });
    const ws = await call<{ id: string }>(page, "workspaces.create", { name: `Exact books ${Date.now()}` });
    await call(page, "workspaces.choose", { workspaceId: ws.id });
    await page.evaluate((id) => window.localStorage.setItem("ledgerline.workspace", id), ws.id);
    try {
      await page.goto(`${base()}/templates`, { timeout: 120_000 });
      await page.getByTestId("template-card").filter({ hasText: "Exact invoice → Avalara → journal in Exact" }).getByRole("button", { name: "Use template" }).click();
      await page.getByTestId("wizard-connections").waitFor({ timeout: 120_000 });
      const field = (system: string) => page.locator(".field").filter({ hasText: system }).first();
      for (const system of ["Exact Online", "Avalara"]) {
        await field(system).getByRole("button", { name: "Create a sandbox connection" }).click();
        await expect.poll(() => field(system).locator("select").inputValue(), { timeout: 30_000 }).not.toBe("");
      }
      // Not signed in at Exact yet: the test fails; Connect goes to Exact's sign-in and comes back here.
      await field("Exact Online").getByRole("button", { name: "Connect Exact Online" }).click();
      await page.waitForURL(/\/templates\/exact-invoice-avalara-journal\?oauth=connected/, { timeout: 60_000 });
      await page.getByTestId("oauth-exact").waitFor({ timeout: 120_000 });
      for (const system of ["Exact Online", "Avalara"]) {
        expect(await field(system).locator("select").inputValue()).not.toBe("");
        await field(system).getByRole("button", { name: /^Test / }).click();
        await expect.poll(() => field(system).locator('[data-testid^="test-"]').textContent(), { timeout: 30_000 }).toMatch(/^Connected: /);
      }
      await page.getByRole("button", { name: "Next: accounts" }).click();

      // 2. Every value from Exact's and Avalara's live lists.
      await page.getByTestId("wizard-accounts").waitFor();
      const picked: Record<string, string> = {};
      for (const label of ["Offset GL account", "General journal", "Avalara company"]) {
        const select = page.getByLabel(label);
        await expect.poll(() => select.locator("option").count(), { timeout: 30_000 }).toBeGreaterThan(1);
        picked[label] = (await select.locator("option").nth(1).getAttribute("value"))!;
        await select.selectOption(picked[label]!);
      }
      await page.getByRole("button", { name: "Create the flow" }).click();
      await page.getByTestId("wizard-mappings").waitFor();
      const flowId = new URL(page.url()).searchParams.get("flow")!;
      const text = JSON.stringify(await call<unknown>(page, "flows.get", { flowId }, ws.id, "query"));
      expect(text).toContain(`"journalCode":"${picked["General journal"]}"`);
      expect(text).toContain(`"companyCode":"${picked["Avalara company"]}"`);
      expect(text).toContain(`\\"${picked["Offset GL account"]}\\"`);

      // 3. The GL column offers Exact's accounts; 4. a webhook flow has no schedule; 5. no recent documents to list.
      const taxGl = page.locator('[data-table="Tax GL accounts (Exact)"]');
      await expect.poll(() => taxGl.textContent(), { timeout: 30_000 }).toContain("0 rows");
      await page.getByRole("button", { name: "Next: schedule" }).click();
      await page.getByTestId("no-schedule").waitFor();
      await page.getByRole("button", { name: "Next: dry run" }).click();
      await page.getByTestId("dry-run-unlisted").waitFor();
      await page.getByRole("button", { name: "Next: activate" }).click();
      await page.getByRole("button", { name: "Activate the flow" }).click();
      await page.getByTestId("wizard-done").waitFor();
    } finally {
      await page.evaluate(() => window.localStorage.removeItem("ledgerline.workspace"));
      const mine = await call<{ workspaces: { id: string; slug: string }[] }>(page, "workspaces.mine", undefined, undefined, "query");
      const demoId = mine.workspaces.find((w) => w.slug === "demo")?.id;
      if (demoId) await call(page, "workspaces.choose", { workspaceId: demoId });
      await page.close();
    }
  }, 600_000);
});
