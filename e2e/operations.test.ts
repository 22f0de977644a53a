/**
 * The Alerts and Reconciliation pages in real Chromium, signed in as the demo owner: a Slack
 * channel entered in the page (its webhook URL never shown again) sends a test message to a local
 * receiver; the rule editor saves a rule on that channel; the reconciliation page builds today's
 * report for the demo's Exact flow, draws the chart and exports the documents as CSV.
 */
import { readFile } from "node:fs/promises";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startHttpReceiver, type HttpReceiver } from "../engine/alerts/test-receivers";
import { api, signedInContext } from "./session";
import { launchBrowser } from "./stack";

const COMPILE = 120_000;
let browser: Browser;
let owner: BrowserContext;
let receiver: HttpReceiver;
const base = () => inject("baseUrl");

beforeAll(async () => {
  browser = await launchBrowser();
  owner = await signedInContext(browser, { viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  receiver = await startHttpReceiver();
});
afterAll(async () => {
  await browser?.close();
  await receiver?.close();
});

describe("alerts page", () => {
  it("adds a Slack channel with a write-only URL, sends a test message, and saves a rule on it", async () => {
    const hookUrl = `${receiver.url}/services/T00E2E/B00E2E/e2eSecretPathXYZ123456789`;
    const page = await owner.newPage();
    await page.goto(`${base()}/alerts`, { timeout: COMPILE });
    await page.getByRole("link", { name: "Alerts" }).waitFor({ timeout: COMPILE });
    await page.getByRole("button", { name: "+ Slack incoming webhook" }).click({ timeout: COMPILE });
    const channelForm = page.getByTestId("channel-editor");
    await channelForm.getByLabel("Name").fill("Finance ops Slack");
    await channelForm.getByLabel("Incoming-webhook URL").fill(hookUrl);
    await channelForm.getByRole("button", { name: "Save channel" }).click();
    const channels = page.getByTestId("alert-channels");
    const row = channels.locator("tr", { hasText: "Finance ops Slack" });
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain("webhookUrl set");
    expect(await page.content()).not.toContain("e2eSecretPathXYZ123456789");

    await row.getByRole("button", { name: "Send test" }).click();
    // The message reaches the receiver; the page says so (or shows why not).
    const outcome = page.getByRole("status").filter({ hasText: "Test message sent" }).or(page.locator(".alert-error"));
    await outcome.first().waitFor({ timeout: 60_000 });
    expect(await outcome.first().textContent()).toContain("Test message sent");
    expect(receiver.on("/services/T00E2E/")).toHaveLength(1);
    expect((receiver.on("/services/T00E2E/")[0]!.body as { text: string }).text).toContain("Test alert from Ledgerline");

    await page.getByRole("button", { name: "New rule" }).click();
    const editor = page.getByTestId("rule-editor");
    await editor.getByLabel("Name").fill("Connections down");
    await editor.getByLabel("Watch for").selectOption("connection_failing");
    await editor.getByLabel(/Finance ops Slack/).check();
    await editor.getByRole("button", { name: "Save rule" }).click();
    const rules = page.getByTestId("alert-rules");
    await rules.locator("tr", { hasText: "Connections down" }).waitFor({ timeout: 20_000 });
    expect(await rules.locator("tr", { hasText: "Connections down" }).textContent()).toContain("Finance ops Slack");

    const saved = await api<{ name: string; kind: string; channelIds: string[] }[]>("alerts.rules", undefined, "query");
    const channelList = await api<{ id: string; name: string }[]>("alerts.channels", undefined, "query");
    const slack = channelList.find((c) => c.name === "Finance ops Slack")!;
    expect(saved.find((r) => r.name === "Connections down")).toMatchObject({ kind: "connection_failing", channelIds: [slack.id] });
    expect(JSON.stringify(channelList)).not.toContain("e2eSecretPathXYZ123456789");
    await page.close();
  });
});

describe("reconciliation page", () => {
  it("builds today's report for the demo's Exact flow, draws the chart and exports CSV", async () => {
    const page = await owner.newPage();
    await page.goto(`${base()}/reports`, { timeout: COMPILE });
    await page.getByRole("link", { name: "Reconciliation" }).waitFor({ timeout: COMPILE });
    await page.getByRole("button", { name: "Build report now" }).click({ timeout: COMPILE });
    const summary = page.getByTestId("reconciliation-summary");
    await summary.waitFor({ timeout: 60_000 });
    expect(await summary.textContent()).toContain("Source documents");
    await page.getByTestId("reconciliation-chart").locator("svg.recharts-surface").first().waitFor({ timeout: 20_000 });
    await page.getByTestId("reconciliation-documents").waitFor();

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export CSV" }).click();
    const file = await (await download).path();
    const csv = await readFile(file, "utf8");
    expect(csv.split(/\r?\n/)[0]).toBe("day,document,label,source_version,entries_in_force,posted_tax,avalara_tax,gap,run_id");
    await page.close();
  });
});
