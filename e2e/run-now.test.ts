/**
 * "Run now" asks for the record, in real Chromium: the Intacct tax flow's trigger lists recent
 * sales documents live from the Intacct sandbox; a record the trigger would not accept is named
 * field by field and starts nothing; a picked document starts a run that the worker executes.
 */
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { api, signedInSuite } from "./session";
import { screenshotDir } from "./stack";

const suite = signedInSuite({ viewport: { width: 1440, height: 900 } }, { screenshots: true });
const base = () => inject("baseUrl");

describe("run now", () => {
  it("runs a recent source document picked from the trigger's source, after refusing an incomplete record", async () => {
    const flows = await api<{ id: string; name: string }[]>("flows.list", undefined, "query");
    const flow = flows.find((f) => /Intacct sales transaction/.test(f.name))!;
    const runsBefore = await api<{ runs: unknown[] }>("runs.list", { flowId: flow.id }, "query");
    const page = await suite.context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${base()}/flows/${flow.id}/overview`, { timeout: 120_000 });
    await page.getByTestId("run-now").click({ timeout: 120_000 });
    await page.getByTestId("run-now-form").waitFor();

    // The form comes from the trigger's input schema, with sample values; an empty record number is refused.
    const recordNo = page.locator('[data-field="recordNo"] input');
    expect(await recordNo.inputValue()).toBe("");
    expect(await page.locator('[data-field="object"] select').inputValue()).toBe("SODOCUMENT");
    await page.getByTestId("run-now-start").click();
    await expect.poll(() => page.getByTestId("run-now-issues").innerText()).toContain("recordNo");

    // Pick a real document from the Intacct sandbox.
    await page.getByTestId("run-now-load-recent").click();
    const first = page.locator('[data-testid="run-now-recent"] li').first();
    await first.waitFor();
    const label = await first.innerText();
    expect(label).toMatch(/SI-\d+/);
    await first.locator("input").check();
    await expect.poll(() => recordNo.inputValue()).toMatch(/^\d+$/);
    const picked = await recordNo.inputValue();
    await page.screenshot({ path: path.join(screenshotDir, "run-now.png") });
    await page.getByTestId("run-now-start").click();
    await page.getByTestId("run-now-started").waitFor();
    const href = (await page.getByTestId("run-now-follow").getAttribute("href"))!;
    const runId = href.split("/").pop()!;
    const run = await api<{ run: { status: string; triggerKind?: string }; nodeRuns: { nodeId: string; input: unknown }[] }>("runs.get", { runId }, "query");
    expect(run.run.status).toBeTruthy();
    const runsAfter = await api<{ runs: unknown[] }>("runs.list", { flowId: flow.id }, "query");
    expect(runsAfter.runs.length).toBe(runsBefore.runs.length + 1);
    // The worker runs it from the picked record: the trigger node starts with its record number.
    await expect
      .poll(async () => (await api<{ nodeRuns: { nodeId: string; input: unknown }[] }>("runs.get", { runId }, "query")).nodeRuns.find((n) => n.nodeId === "sale")?.input, { timeout: 60_000 })
      .toMatchObject({ recordNo: picked });
    await page.close();
  }, 300_000);
});
