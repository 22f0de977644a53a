/**
 * Flow export and import in real Chromium, as a person would: export the demo's Intacct tax flow
 * from its version history, create a second workspace with connections of its own, import the
 * file there choosing the Intacct connection to use, and open the imported flow on the canvas.
 * The file names connections by system and name and carries none of their secrets.
 */
import path from "node:path";
import { readFile } from "node:fs/promises";
import { describe, expect, inject, it } from "vitest";
import { api, pageCall as call, signedInSuite } from "./session";
import { screenshotDir } from "./stack";

const suite = signedInSuite({ viewport: { width: 1440, height: 900 }, acceptDownloads: true }, { screenshots: true });
const base = () => inject("baseUrl");

describe("flow export and import", () => {
  it("exports a demo flow and imports it into another workspace on the connections chosen there", async () => {
    const flows = await api<{ id: string; name: string }[]>("flows.list", undefined, "query");
    const source = flows.find((f) => /Intacct sales transaction/.test(f.name))!;
    expect(source).toBeTruthy();
    const page = await suite.context.newPage();
    page.setDefaultTimeout(60_000);

    // Export from the version history.
    await page.goto(`${base()}/flows/${source.id}`, { timeout: 120_000 });
    await page.locator('[data-testid="flow-node"]').first().waitFor({ timeout: 120_000 });
    await page.getByTestId("tab-versions").click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-version").first().click()]);
    expect(download.suggestedFilename()).toMatch(/^intacct-sales-transaction.*-v1\.ledgerline-flow\.json$/);
    const file = path.join(screenshotDir, download.suggestedFilename());
    await download.saveAs(file);
    const text = await readFile(file, "utf8");
    const doc = JSON.parse(text) as { format: string; connections: { ref: string; system: string; name: string }[]; mappingTables: { ref: string; name: string }[] };
    expect(doc.format).toBe("ledgerline.flow");
    expect(doc.connections.map((c) => c.system).sort()).toEqual(["avalara", "intacct"]);
    // The sandboxes' demo secrets and the demo workspace's connection ids stay behind.
    for (const secret of ["sandbox-user-pw", "sandbox-sender-pw", "A1B2C3D4E5F60718"]) expect(text).not.toContain(secret);
    const demoConnections = await api<{ id: string }[]>("connections.list", undefined, "query");
    for (const c of demoConnections) expect(text).not.toContain(c.id);

    // A second workspace with two Intacct connections (none named like the demo's) and one Avalara.
    const target = await call<{ id: string }>(page, "workspaces.create", { name: `Import target ${Date.now()}` });
    const staging = await call<{ id: string }>(page, "connections.createSandbox", { system: "intacct", name: "Intacct staging" }, target.id);
    await call(page, "connections.createSandbox", { system: "intacct", name: "Intacct production" }, target.id);
    const avalara = await call<{ id: string }>(page, "connections.createSandbox", { system: "avalara" }, target.id);
    for (const t of doc.mappingTables) {
      await call(page, "lookups.createTable", { name: t.name, kind: "custom", columns: [{ name: "value", label: "Value" }] }, target.id);
    }
    await call(page, "workspaces.choose", { workspaceId: target.id });
    await page.evaluate((id) => window.localStorage.setItem("ledgerline.workspace", id), target.id);

    await page.goto(`${base()}/flows`, { timeout: 120_000 });
    await page.getByTestId("import-flow").click();
    // Not a flow export: a clear message, nothing saved.
    await page.locator("#import-text").fill("{ this is not json");
    await page.getByTestId("import-next").click();
    await expect.poll(() => page.getByRole("dialog").innerText()).toContain("The file is not JSON");

    await page.locator("#import-file").setInputFiles(file);
    await expect.poll(() => page.locator("#import-text").inputValue()).toContain('"ledgerline.flow"');
    await page.getByTestId("import-next").click();
    await page.getByTestId("import-choices").waitFor();
    const intacctRef = doc.connections.find((c) => c.system === "intacct")!.ref;
    const avalaraRef = doc.connections.find((c) => c.system === "avalara")!.ref;
    // Avalara has the same name here and is suggested; Intacct must be chosen.
    await expect.poll(() => page.locator(`[data-testid="import-connection"][data-ref="${avalaraRef}"] select`).inputValue()).toBe(avalara.id);
    expect(await page.locator(`[data-testid="import-connection"][data-ref="${intacctRef}"] select`).inputValue()).toBe("");
    expect(await page.getByTestId("import-confirm").isDisabled()).toBe(true);
    await page.locator(`[data-testid="import-connection"][data-ref="${intacctRef}"] select`).selectOption({ label: "Intacct staging" });
    await page.locator("#import-name").fill("Intacct tax GL (imported)");
    await page.screenshot({ path: path.join(screenshotDir, "flow-import.png") });
    await page.getByTestId("import-confirm").click();

    await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/, { timeout: 120_000 });
    await page.locator('[data-testid="flow-node"]').first().waitFor({ timeout: 120_000 });
    await expect.poll(() => page.getByTestId("problems-button").innerText()).toMatch(/No problems/);
    await page.screenshot({ path: path.join(screenshotDir, "flow-imported.png") });
    const flowId = page.url().split("/").pop()!;
    const imported = await call<{ flow: { name: string }; definition: { nodes: { type: string; connectionId?: string | null }[] }; problems: unknown[] }>(
      page,
      "flows.get",
      { flowId },
      target.id,
      "query",
    );
    expect(imported.flow.name).toBe("Intacct tax GL (imported)");
    expect(imported.problems).toEqual([]);
    const used = imported.definition.nodes.filter((n) => n.connectionId);
    expect(used.filter((n) => n.type.startsWith("intacct.")).every((n) => n.connectionId === staging.id)).toBe(true);
    expect(used.filter((n) => n.type.startsWith("avalara.")).every((n) => n.connectionId === avalara.id)).toBe(true);
    // The demo workspace is as it was.
    expect((await api<unknown[]>("flows.list", undefined, "query")).length).toBe(flows.length);
    await page.evaluate(() => window.localStorage.removeItem("ledgerline.workspace"));
    const demo = await call<{ workspaces: { id: string; slug: string }[] }>(page, "workspaces.mine", undefined, undefined, "query");
    const demoId = demo.workspaces.find((w) => w.slug === "demo")?.id;
    if (demoId) await call(page, "workspaces.choose", { workspaceId: demoId });
    await page.close();
  }, 400_000);
});
