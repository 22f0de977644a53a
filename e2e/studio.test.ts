/**
 * The Studio pages in real Chromium: the shell and flows list, templates, a mapping table edited
 * inline and round-tripped through CSV (export, change, import with preview and confirm), a block
 * pasted from a spreadsheet, a sandbox connection created and tested, the runs list and a run's
 * detail after "Run now" over HTTP, and the review queue. Screenshots of every main page.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, signedInContext } from "./session";
import { launchBrowser, screenshotDir } from "./stack";

const COMPILE = 90_000;
let browser: Browser;
let page: Page;
const baseUrl = () => inject("baseUrl");

const trpcQuery = <T>(name: string, input?: unknown) => api<T>(name, input, "query");
const trpcMutation = <T>(name: string, input: unknown) => api<T>(name, input, "mutation");
const shot = (name: string) => page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });

describe("studio pages", () => {
  beforeAll(async () => {
    await mkdir(screenshotDir, { recursive: true });
    browser = await launchBrowser();
    const context = await signedInContext(browser, { viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows the shell and the flows list", async () => {
    await page.goto(`${baseUrl()}/flows`, { timeout: COMPILE });
    await page.getByTestId("flows-table").waitFor({ timeout: COMPILE });
    expect(await page.getByTestId("workspace-name").textContent()).toBe("Demo Finance Co");
    const nav = page.getByRole("navigation");
    for (const label of ["Flows", "Templates", "Mappings", "Connections", "Runs", "Review queue"]) {
      expect(await nav.getByRole("link", { name: label }).count()).toBe(1);
    }
    expect(await page.locator("[data-testid=flows-table] tbody tr").count()).toBeGreaterThanOrEqual(3);
    await page.getByText("Demo User").waitFor();
    await shot("flows");
  });

  it("lists the starter templates", async () => {
    await page.goto(`${baseUrl()}/templates`, { timeout: COMPILE });
    await page.getByTestId("template-card").first().waitFor({ timeout: COMPILE });
    expect(await page.getByTestId("template-card").count()).toBeGreaterThanOrEqual(3);
    await page.getByText("Use template").first().waitFor();
    await shot("templates");
  });

  it("edits a mapping row and round-trips it through CSV", async () => {
    const tables = await trpcQuery<{ id: string; name: string; columns: { name: string; label: string }[]; rowCount: number }[]>("lookups.list");
    const table = tables.find((t) => t.name === "Tax GL accounts (Exact)") ?? tables.find((t) => t.rowCount > 0)!;
    await page.goto(`${baseUrl()}/mappings`, { timeout: COMPILE });
    await page.getByTestId("mappings-table").waitFor({ timeout: COMPILE });
    await shot("mappings");
    await page.getByRole("link", { name: table.name }).click();
    const grid = page.getByTestId("mapping-grid");
    await grid.waitFor({ timeout: COMPILE });
    const firstRow = grid.locator(".grid-row").first();
    await firstRow.waitFor();
    const key = (await firstRow.getAttribute("data-key"))!;
    const col = table.columns[0]!.name;

    // Inline edit: double-click, type, Enter.
    const cell = () => grid.locator(`.grid-row[data-key="${key}"] [data-col="${col}"]`);
    await cell().dblclick();
    const editor = cell().locator("input");
    await editor.fill("E2E-9999");
    await editor.press("Enter");
    await expect.poll(async () => (await cell().textContent())?.trim(), { timeout: 15_000 }).toBe("E2E-9999");
    const afterEdit = await trpcQuery<{ rows: { key: string; values: Record<string, string> }[] }>("lookups.get", { tableId: table.id });
    expect(afterEdit.rows.find((r) => r.key === key)!.values[col]).toBe("E2E-9999");

    // Export: the downloaded file has the edited value.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const file = await download.path();
    const csv = await readFile(file, "utf8");
    expect(csv).toContain("E2E-9999");
    expect(download.suggestedFilename()).toMatch(/\.csv$/);

    // Change it, add a row, import: preview first, nothing written until confirmed.
    const header = csv.split(/\r?\n/)[0]!;
    const extra = [`E2E-NEW`, ...table.columns.map((_c, i) => (i === 0 ? "E2E-NEWVAL" : ""))].join(",");
    const changed = `${csv.replace("E2E-9999", "E2E-8888").trimEnd()}\r\n${extra}\r\n`;
    expect(changed.startsWith(header)).toBe(true);
    const changedPath = path.join(os.tmpdir(), `ledgerline-e2e-${Date.now()}.csv`);
    await writeFile(changedPath, changed);
    await page.getByRole("button", { name: "Import CSV" }).click();
    await page.getByTestId("csv-file").setInputFiles(changedPath);
    const preview = page.getByTestId("import-preview");
    await preview.waitFor();
    await preview.getByText("1 new").waitFor();
    const beforeConfirm = await trpcQuery<{ rows: { key: string; values: Record<string, string> }[] }>("lookups.get", { tableId: table.id });
    expect(beforeConfirm.rows.find((r) => r.key === key)!.values[col]).toBe("E2E-9999");
    await page.screenshot({ path: path.join(screenshotDir, "mapping-import-preview.png") });
    await page.getByTestId("confirm-import").click();
    await page.getByTestId("grid-notice").getByText(/Imported \d+ rows?/).waitFor();
    await expect.poll(async () => (await cell().textContent())?.trim(), { timeout: 15_000 }).toBe("E2E-8888");
    await grid.locator(`.grid-row[data-key="E2E-NEW"]`).waitFor();

    // Paste a block copied from a spreadsheet: whole rows starting at the key column.
    await grid.locator(`.grid-row[data-key="${key}"] [data-col="__key"]`).click();
    const tsv = ["E2E-PASTE-1", "E2E-PASTE-2"].map((k, i) => [k, ...table.columns.map(() => `P${i + 1}`)].join("\t")).join("\n");
    await grid.evaluate((el, text) => {
      const data = new DataTransfer();
      data.setData("text/plain", text);
      el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    }, tsv);
    await page.getByTestId("grid-notice").getByText("Pasted 2 rows").waitFor();
    await grid.locator(`.grid-row[data-key="E2E-PASTE-2"]`).waitFor();

    // Filter and sort.
    await page.getByLabel("Filter rows").fill("E2E-PASTE");
    await expect.poll(() => grid.locator(".grid-row").count()).toBe(2);
    await shot("mapping-table-filtered");
    await page.getByLabel("Filter rows").fill("");
    await shot("mapping-table");
  });

  it("creates a sandbox connection and tests it", async () => {
    await page.goto(`${baseUrl()}/connections`, { timeout: COMPILE });
    const intacct = page.getByTestId("system-intacct");
    await intacct.waitFor({ timeout: COMPILE });
    const before = await intacct.getByTestId("connection").count();
    await intacct.getByRole("button", { name: "Use the local sandbox" }).click();
    await expect.poll(() => intacct.getByTestId("connection").count(), { timeout: 15_000 }).toBe(before + 1);
    const created = intacct.getByTestId("connection").last();
    expect(await created.getAttribute("data-connection-name")).toMatch(/ 2$/);
    await created.getByRole("button", { name: "Test" }).click();
    const result = created.getByTestId("test-result");
    await result.waitFor({ timeout: 30_000 });
    expect(await result.getAttribute("data-ok")).toBe("true");
    await result.getByText("Connection OK").waitFor();
    await result.getByRole("button", { name: /Show \d+ HTTP call/ }).click();
    expect(await result.getByTestId("http-call").count()).toBeGreaterThan(0);
    await created.getByText("OK", { exact: true }).first().waitFor();
    // The edit form never shows a stored secret.
    await created.getByRole("button", { name: "Edit" }).click();
    const secret = page.locator("#secret-senderPassword");
    expect(await secret.inputValue()).toBe("");
    expect(await secret.getAttribute("placeholder")).toContain("•••• set");
    await page.getByRole("button", { name: "Cancel" }).click();
    await shot("connections");
    // Other browser tests use the demo workspace's one Intacct connection: this one goes again.
    const createdName = await created.getAttribute("data-connection-name");
    const connections = await api<{ id: string; name: string }[]>("connections.list", undefined, "query");
    await api("connections.delete", { id: connections.find((c) => c.name === createdName)!.id });
  });

  it("shows a run in the runs list and its detail", async () => {
    const flows = await trpcQuery<{ id: string; name: string }[]>("flows.list");
    const created = await trpcMutation<{ flowId: string }>("flows.create", { name: `E2E manual flow ${Date.now()}` });
    const { runId } = await trpcMutation<{ runId: string }>("flows.runNow", { flowId: created.flowId, data: { invoice: "E2E-1" } });
    // A demo flow too, so the list holds more than one flow (whatever its outcome without a record).
    await trpcMutation<{ runId: string }>("flows.runNow", { flowId: flows[0]!.id }).catch(() => undefined);
    await expect.poll(async () => (await trpcQuery<{ run: { status: string } }>("runs.get", { runId })).run.status, { timeout: 30_000 }).toMatch(/succeeded|failed|needs_review/);

    await page.goto(`${baseUrl()}/runs`, { timeout: COMPILE });
    const table = page.getByTestId("runs-table");
    await table.waitFor({ timeout: COMPILE });
    await table.locator(`tr[data-run-id="${runId}"]`).waitFor();
    await page.getByLabel("Status").selectOption("succeeded");
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain("status=succeeded");
    await table.locator(`tr[data-run-id="${runId}"]`).waitFor();
    await page.getByLabel("Status").selectOption("");
    await shot("runs");

    await table.locator(`tr[data-run-id="${runId}"]`).click();
    await page.waitForURL(`**/runs/${runId}`, { timeout: COMPILE });
    await page.getByTestId("run-graph").locator(".react-flow__node").first().waitFor({ timeout: COMPILE });
    expect(await page.getByTestId("run-graph").locator(".run-node[data-status=succeeded]").count()).toBeGreaterThan(0);
    await page.getByTestId("node-detail").getByRole("tab", { name: /Output/ }).click();
    await page.getByTestId("node-detail").getByText("E2E-1").first().waitFor();
    await page.getByTestId("audit-trail").locator("tbody tr").first().waitFor();
    await shot("run-detail");

    // Replay from the start makes a new run and opens it.
    await page.getByRole("button", { name: "Replay from start" }).click();
    await page.waitForURL((url) => /\/runs\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(runId), { timeout: 30_000 });
    await page.getByText("Replay of").waitFor();
  });

  it("shows a flow's overview", async () => {
    const flows = await trpcQuery<{ id: string; name: string; runs7d: number }[]>("flows.list");
    const flow = flows.find((f) => f.runs7d > 0)!;
    await page.goto(`${baseUrl()}/flows/${flow.id}/overview`, { timeout: COMPILE });
    await page.getByTestId("runs-chart").waitFor({ timeout: COMPILE });
    expect(await page.getByTestId("runs-chart").locator("rect").count()).toBeGreaterThan(0);
    await page.getByTestId("runs-table").waitFor();
    await shot("flow-overview");
  });

  it("parks a run with an unmapped value, maps it beside the table and replays it from the review queue", async () => {
    const tables = await trpcQuery<{ id: string; name: string; columns: { name: string; label: string }[] }[]>("lookups.list");
    const table = tables.find((t) => t.name === "Tax GL accounts (Exact)")!;
    const { flowId } = await trpcMutation<{ flowId: string }>("flows.create", { name: `E2E lookup flow ${Date.now()}` });
    await trpcMutation("flows.save", {
      flowId,
      note: "lookup",
      definition: {
        schemaVersion: 1,
        nodes: [
          { id: "trigger", type: "core.manualTrigger", typeVersion: 1, name: "Manual trigger", position: { x: 0, y: 0 }, config: {} },
          { id: "gl", type: "core.lookup", typeVersion: 1, name: "Tax GL account", position: { x: 280, y: 0 }, config: { tableId: table.id, key: "jurisdiction", target: "gl" } },
        ],
        edges: [{ id: "e1", source: "trigger", sourceHandle: "out", target: "gl", targetHandle: "in" }],
      },
    });
    const { runId } = await trpcMutation<{ runId: string }>("flows.runNow", { flowId, data: { jurisdiction: "E2E:UNMAPPED" } });
    await expect.poll(async () => (await trpcQuery<{ run: { status: string } }>("runs.get", { runId })).run.status, { timeout: 30_000 }).toBe("needs_review");

    // The review queue shows it, grouped by reason; the navigation counts it.
    await page.goto(`${baseUrl()}/review`, { timeout: COMPILE });
    await page.getByRole("heading", { name: "Review queue" }).waitFor({ timeout: COMPILE });
    const queue = page.getByTestId("review-table");
    await queue.waitFor({ timeout: 15_000 });
    await queue.getByText("E2E:UNMAPPED").first().waitFor();
    await page.getByTestId("review-groups").getByText("Missing mapping").waitFor();
    expect(Number(await page.getByTestId("review-count").textContent())).toBeGreaterThan(0);
    await shot("review");

    // Beside the table: map the value, then replay the parked run.
    await page.goto(`${baseUrl()}/mappings/${table.id}`, { timeout: COMPILE });
    const panel = page.getByTestId("unmapped");
    await panel.getByText("E2E:UNMAPPED").waitFor({ timeout: COMPILE });
    await panel.getByRole("button", { name: "Map this value" }).click();
    const inputs = panel.locator("form input");
    for (let i = 0; i < (await inputs.count()); i++) await inputs.nth(i).fill(i === 0 ? "2299" : "100");
    await panel.getByRole("button", { name: "Save mapping" }).click();
    await page.getByTestId("mapping-grid").locator('.grid-row[data-key="E2E:UNMAPPED"]').waitFor();
    await panel.getByRole("button", { name: "Replay 1 parked run" }).click();
    await panel.getByText("1 parked run replayed.").waitFor();
    await shot("mapping-unmapped-replayed");
    await expect
      .poll(async () => {
        const resolved = await trpcQuery<{ runId: string; replayRunId: string | null }[]>("reviews.list", { status: "resolved" });
        const item = resolved.find((r) => r.runId === runId);
        if (!item?.replayRunId) return "none";
        return (await trpcQuery<{ run: { status: string } }>("runs.get", { runId: item.replayRunId })).run.status;
      }, { timeout: 30_000 })
      .toBe("succeeded");

    // The failed run's detail shows the parked step in amber with its error.
    await page.goto(`${baseUrl()}/runs/${runId}`, { timeout: COMPILE });
    await page.getByTestId("run-error").getByText("E2E:UNMAPPED").waitFor({ timeout: COMPILE });
    expect(await page.locator(".run-node[data-status=needs_review]").count()).toBe(1);
    await shot("run-detail-review");
  });
});
