/**
 * "Try it" in the demo workspace, in real Chromium: the home page's first-steps checklist, one
 * click, and within 60 s there are runs and review items (the bad address, the unmapped SKU) made
 * by the real worker from sample documents created in the sandboxes.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, signedInContext } from "./session";
import { launchBrowser } from "./stack";

let browser: Browser;
let context: BrowserContext;
let activated: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await signedInContext(browser, { viewport: { width: 1440, height: 900 } });
});
afterAll(async () => {
  // Leave the demo flows as the other browser tests expect them.
  const flows = await api<{ id: string; name: string }[]>("flows.list", undefined, "query").catch(() => []);
  for (const f of flows.filter((f) => activated.includes(f.name))) await api("flows.deactivate", { flowId: f.id }).catch(() => undefined);
  await browser?.close();
});

describe("Try it", () => {
  it("produces runs and review items within 60 s of one click on the home page", async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${inject("baseUrl")}/`, { timeout: 120_000 });
    await page.getByTestId("first-steps").waitFor({ timeout: 120_000 });
    expect(await page.getByTestId("first-steps").locator("li").count()).toBe(5);
    const reviewsBefore = (await api<{ openReviews: number }>("studio.shell", undefined, "query")).openReviews;

    const clicked = Date.now();
    await page.getByTestId("try-it").click();
    const result = page.getByTestId("try-it-result");
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Created 4 sample documents/);
    activated = (await api<{ id: string; name: string; active: boolean }[]>("flows.list", undefined, "query")).filter((f) => f.active).map((f) => f.name);

    await expect
      .poll(async () => (await api<{ lastRunAt: string | null }[]>("flows.list", undefined, "query")).filter((f) => f.lastRunAt && Date.parse(f.lastRunAt) >= clicked - 1000).length, { timeout: 60_000, interval: 2_000 })
      .toBeGreaterThan(0);
    await expect
      .poll(async () => (await api<{ openReviews: number }>("studio.shell", undefined, "query")).openReviews, { timeout: Math.max(1_000, 60_000 - (Date.now() - clicked)), interval: 2_000 })
      .toBeGreaterThanOrEqual(reviewsBefore + 2);
    await page.close();
  }, 240_000);
});
