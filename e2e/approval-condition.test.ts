/**
 * The approval condition in the flow editor, real Chromium: on a write node's inspector a person
 * ticks "Require approval when…", types a JSONata condition and sees it evaluated on the sample
 * record (true for a journal over 10,000; a broken expression says what is wrong), saves, and the
 * saved version carries `approval.when`; unticking and saving again clears it.
 */
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, signedInContext } from "./session";
import { launchBrowser } from "./stack";

const COMPILE = 120_000;
let browser: Browser;
let owner: BrowserContext;
const base = () => inject("baseUrl");

beforeAll(async () => {
  browser = await launchBrowser();
  owner = await signedInContext(browser, { viewport: { width: 1440, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
});

type Saved = { definition: { nodes: { id: string; approval?: { when: string } }[] } };

describe("approval condition in the editor", () => {
  it("sets the condition with a live preview on the sample, saves it on the node, and clears it again", async () => {
    const code = randomUUID().slice(0, 8);
    const { flowId } = await api<{ flowId: string }>("flows.create", { name: `Approval condition ${code}` });
    const sample = { number: `JE-${code}`, lines: [{ type: "debit", amount: "12500.00" }, { type: "credit", amount: "12500.00" }] };
    await api("flows.save", {
      flowId,
      note: "journal post",
      definition: {
        schemaVersion: 1,
        nodes: [
          { id: "trigger", type: "core.manualTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: { sample } },
          { id: "post", type: "core.httpPost", typeVersion: 1, position: { x: 300, y: 0 }, config: { url: "https://erp.example.com/journal", keyPath: "number" } },
        ],
        edges: [{ id: "e1", source: "trigger", target: "post" }],
      },
    });

    const page = await owner.newPage();
    await page.goto(`${base()}/flows/${flowId}`, { timeout: COMPILE });
    const post = page.locator('[data-testid="flow-node"][data-node-id="post"]');
    await post.click({ timeout: COMPILE });
    const field = page.locator('[data-testid="config-panel"] [data-testid="approval-field"]');
    await field.getByLabel("Require approval when…").check();
    const condition = field.locator("#approval-post");
    const preview = field.locator('[data-testid="jsonata-preview"]');

    // A journal over 10,000 needs approval: the condition is true on the sample record.
    await condition.fill("$sum(lines[type='debit'].$number(amount)) > 10000");
    await expect.poll(() => preview.innerText(), { timeout: 15_000 }).toMatch(/Preview on sample data\s+true/);
    // A broken expression says what is wrong; a higher threshold is false on the sample.
    await condition.fill("$sum(lines[type='debit'].$number(amount) > ");
    await expect.poll(() => preview.getAttribute("class"), { timeout: 15_000 }).toContain("ed-preview-error");
    expect((await preview.locator(".ed-preview-message").innerText()).length).toBeGreaterThan(5);
    await condition.fill("$sum(lines[type='debit'].$number(amount)) > 50000");
    await expect.poll(() => preview.innerText(), { timeout: 15_000 }).toMatch(/Preview on sample data\s+false/);
    await condition.fill("$sum(lines[type='debit'].$number(amount)) > 10000");
    await expect.poll(() => preview.innerText(), { timeout: 15_000 }).toMatch(/true/);
    await expect.poll(() => post.locator('[data-testid="approval-tag"]').count()).toBe(1);

    await page.locator('[data-testid="save-button"]').click();
    await page.locator('[data-testid="save-note"]').fill("Journals over 10,000 need approval");
    await page.locator('[data-testid="save-confirm"]').click();
    await expect.poll(() => page.locator('[data-testid="notice"]').innerText()).toContain("Saved version 3");
    await expect.poll(() => page.locator('[data-testid="unsaved"]').count()).toBe(0);
    const saved = await api<Saved>("flows.get", { flowId }, "query");
    expect(saved.definition.nodes.find((n) => n.id === "post")!.approval).toEqual({ when: "$sum(lines[type='debit'].$number(amount)) > 10000" });

    // Cleared: every write goes ahead again.
    await field.getByLabel("Require approval when…").uncheck();
    await expect.poll(() => post.locator('[data-testid="approval-tag"]').count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid="unsaved"]').count()).toBe(1);
    await page.keyboard.press("Control+s");
    await expect.poll(() => page.locator('[data-testid="notice"]').innerText()).toContain("Saved version 4");
    const cleared = await api<Saved>("flows.get", { flowId }, "query");
    expect(cleared.definition.nodes.find((n) => n.id === "post")!.approval).toBeUndefined();
  });
});
