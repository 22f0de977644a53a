/**
 * The canvas opens readable: every seeded flow at 1440x900 shows node titles at 11 px or more
 * (rendered size: font size times the canvas zoom), starts at its trigger, and a flow wider than
 * the canvas scrolls to its last node. The home page loads with no 404 (favicon). Signed in as the demo owner.
 */
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { api, signedInSuite } from "./session";
import { screenshotDir } from "./stack";

const suite = signedInSuite({ viewport: { width: 1440, height: 900 } }, { screenshots: true });
const base = () => inject("baseUrl");

/** Rendered size in CSS pixels of each node title inside the canvas, left to right. */
function visibleTitleSizes(page: Page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
    return [...document.querySelectorAll<HTMLElement>(".ed-node-title")]
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, px: parseFloat(getComputedStyle(el).fontSize) * (r.height / el.offsetHeight), text: el.textContent };
      })
      .filter((t) => t.right > canvas.left && t.left < canvas.right && t.bottom > canvas.top && t.top < canvas.bottom)
      .sort((a, b) => a.left - b.left);
  });
}

describe("canvas", () => {
  it("opens every seeded flow with legible node titles, from its trigger, and scrolls to the end of a wide one", async () => {
    const flows = await api<{ id: string; name: string }[]>("flows.list", undefined, "query");
    expect(flows.length).toBeGreaterThanOrEqual(4);
    const page = await suite.context.newPage();
    page.setDefaultTimeout(60_000);
    for (const flow of flows) {
      await page.goto(`${base()}/flows/${flow.id}`, { timeout: 120_000 });
      await page.locator('[data-testid="flow-node"]').first().waitFor({ timeout: 120_000 });
      // The opening viewport is set once the nodes are measured.
      await expect.poll(async () => (await visibleTitleSizes(page)).length, { timeout: 30_000 }).toBeGreaterThan(0);
      await page.waitForTimeout(300);
      const sizes = await visibleTitleSizes(page);
      expect(Math.min(...sizes.map((s) => s.px)), flow.name).toBeGreaterThanOrEqual(11);
      // It starts where the flow starts: the trigger is on screen.
      const triggerTitle = await page.evaluate(
        () => [...document.querySelectorAll(".ed-node")].find((n) => n.querySelector(".ed-node-sub")?.textContent?.startsWith("Trigger"))?.querySelector(".ed-node-title")?.textContent,
      );
      expect(triggerTitle, flow.name).toBeTruthy();
      expect(sizes.map((s) => s.text), flow.name).toContain(triggerTitle);
      await page.screenshot({ path: path.join(screenshotDir, `canvas-${flows.indexOf(flow) + 1}.png`) });

      // Wider than the canvas: the wheel scrolls it to the last node, still legible.
      const total = await page.locator('[data-testid="flow-node"]').count();
      if (sizes.length < total) {
        const canvas = (await page.locator('[data-testid="canvas"]').boundingBox())!;
        await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
        const rightmost = () =>
          page.evaluate(() => {
            const c = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
            const right = Math.max(...[...document.querySelectorAll(".ed-node")].map((n) => n.getBoundingClientRect().right));
            return right - c.right;
          });
        for (let i = 0; i < 40 && (await rightmost()) > 0; i++) await page.mouse.wheel(400, 0);
        expect(await rightmost(), flow.name).toBeLessThanOrEqual(0);
        const after = await visibleTitleSizes(page);
        expect(Math.min(...after.map((s) => s.px))).toBeGreaterThanOrEqual(11);
      }
    }
    await page.close();
  }, 600_000);

  it("serves a favicon: the home page loads without a 404", async () => {
    const page = await suite.context.newPage();
    const missing: string[] = [];
    page.on("response", (r) => {
      if (r.status() === 404) missing.push(r.url());
    });
    await page.goto(`${base()}/`, { timeout: 120_000, waitUntil: "networkidle" });
    const icon = await fetch(`${base()}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toMatch(/image/);
    expect(missing).toEqual([]);
    await page.close();
  }, 180_000);
});
