/**
 * The flow editor in real Chromium, driven like a user: drag nodes from the palette, connect
 * them, configure a Map fields expression with its live preview, save versions, see the engine's
 * validation on the node, undo, copy/paste, compare versions, dry run, run now and open the run.
 * A second test loads a 300-node flow, drags a node and pans with the mini map, and prints the
 * frame times of both beside the idle page's floor (the 60 fps figures for the performance notes).
 */
import path from "node:path";
import { mkdir } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, signedInContext } from "./session";
import { launchBrowser, screenshotDir } from "./stack";

let browser: Browser;
let context: BrowserContext;
const base = () => inject("baseUrl");

const trpc = <T>(procedure: string, input: unknown, kind: "query" | "mutation" = "mutation"): Promise<T> => api<T>(procedure, input, kind);

async function openEditor(flowId: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${base()}/flows/${flowId}`, { timeout: 120_000 });
  await page.locator('[data-testid="flow-node"]').first().waitFor({ timeout: 120_000 });
  return page;
}

const nodeEl = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

async function connect(page: Page, sourceId: string, targetId: string, handle = "out") {
  const from = nodeEl(page, sourceId).locator(`.react-flow__handle.source[data-handleid="${handle}"]`);
  const to = nodeEl(page, targetId).locator(".react-flow__handle.target");
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = await signedInContext(browser, { viewport: { width: 1600, height: 1000 } });
  await mkdir(screenshotDir, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

describe("flow editor", () => {
  it("builds, configures, validates, saves, compares, dry-runs and runs a flow", async () => {
    const { flowId } = await trpc<{ flowId: string }>("flows.create", { name: `Editor e2e ${Date.now()}` });
    const page = await openEditor(flowId);
    const nodes = page.locator('[data-testid="flow-node"]');
    await expect.poll(() => nodes.count()).toBe(1);

    // Palette: grouped by system, searchable.
    await expect.poll(() => page.locator(".ed-pgroup-head").allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringMatching(/built-in/i), expect.stringMatching(/sage intacct/i), expect.stringMatching(/avalara/i), expect.stringMatching(/exact online/i), expect.stringMatching(/adobe commerce/i)]),
    );
    await page.getByLabel("Search nodes").fill("map fields");
    await expect.poll(() => page.locator('[data-testid="palette-item"]').count()).toBe(1);

    // Drag "Map fields" onto the canvas to the right of the trigger.
    const trigger = nodeEl(page, "trigger");
    const tBox = (await trigger.boundingBox())!;
    const canvas = page.locator('[data-testid="canvas"]');
    const cBox = (await canvas.boundingBox())!;
    await page.locator('[data-testid="palette-item"][data-node-type="core.mapFields"]').dragTo(canvas, {
      targetPosition: { x: tBox.x - cBox.x + tBox.width + 130, y: tBox.y - cBox.y + tBox.height / 2 },
    });
    await expect.poll(() => nodes.count()).toBe(2);
    const mapId = (await page.locator('[data-testid="flow-node"][data-node-type="core.mapFields"]').getAttribute("data-node-id"))!;
    expect(mapId).toMatch(/^n_[a-z0-9]{6}$/);
    await page.getByLabel("Search nodes").fill("");

    // Connect trigger -> map.
    await connect(page, "trigger", mapId);
    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(1);

    // Sample data on the manual trigger (record -> JSON input).
    await trigger.click();
    const panel = page.locator('[data-testid="config-panel"]');
    await expect(panel.getByText("Manual trigger").first().isVisible()).resolves.toBe(true);
    await panel.locator('[data-field="sample"] textarea').fill(JSON.stringify({ invoice: "INV-1001", amount: 120.5, customer: { name: "Acme BV", region: "NL" } }));

    // Configure the map node: a target field and an expression, previewed on the sample.
    await nodeEl(page, mapId).click();
    await panel.locator('[data-field="fields.0.target"] input').fill("customerName");
    const expr = panel.locator('[data-field="fields.0.expression"] textarea');
    await expr.fill("customer.name");
    await expect.poll(() => panel.locator('[data-testid="jsonata-preview"]').innerText(), { timeout: 15_000 }).toContain("Acme BV");
    await expect.poll(() => page.locator('[data-testid="problems-button"]').innerText(), { timeout: 15_000 }).toContain("No problems");
    await page.screenshot({ path: path.join(screenshotDir, "editor-config-panel.png"), fullPage: true });

    // Save version 2 with a note.
    await page.locator('[data-testid="save-button"]').click();
    await page.locator('[data-testid="save-note"]').fill("Map the customer name");
    await page.locator('[data-testid="save-confirm"]').click();
    await expect.poll(() => page.locator('[data-testid="notice"]').innerText()).toContain("Saved version 2");
    await expect.poll(() => page.locator('[data-testid="unsaved"]').count()).toBe(0);

    // An invalid expression: the engine's problem appears on the node and on the field.
    await expr.click();
    await expr.press("End");
    await expr.pressSequentially(" &");
    const badge = nodeEl(page, mapId).locator('[data-testid="node-problem"]');
    await expect.poll(() => badge.innerText(), { timeout: 15_000 }).toMatch(/invalid expression/i);
    await expect.poll(() => panel.locator('.ed-field-error[data-field="fields.0.expression"]').count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid="activation-blocked"]').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="activate-button"]').isDisabled()).toBe(true);
    await expect.poll(() => panel.locator('[data-testid="jsonata-preview"]').innerText()).toMatch(/expression|end of/i);
    await page.screenshot({ path: path.join(screenshotDir, "editor-validation.png"), fullPage: true });

    // Undo (focus on the canvas): the expression comes back and the badge goes away.
    await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
    await page.keyboard.press("Control+z");
    await nodeEl(page, mapId).click();
    await expect.poll(() => expr.inputValue()).toBe("customer.name");
    await expect.poll(() => badge.count(), { timeout: 15_000 }).toBe(0);

    // Multi-select, copy, paste, then undo the paste.
    await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
    await page.keyboard.press("Control+a");
    await page.keyboard.press("Control+c");
    await page.keyboard.press("Control+v");
    await expect.poll(() => nodes.count()).toBe(4);
    await expect.poll(() => page.locator(".react-flow__edge").count()).toBe(2);
    await page.keyboard.press("Control+z");
    await expect.poll(() => nodes.count()).toBe(2);
    // Redo and undo again via the other shortcut.
    await page.keyboard.press("Control+y");
    await expect.poll(() => nodes.count()).toBe(4);
    await page.keyboard.press("Control+z");
    await expect.poll(() => nodes.count()).toBe(2);

    // A second change, saved with Ctrl+S: version 3.
    await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });
    await nodeEl(page, mapId).click();
    await panel.locator('[data-field="fields.0.target"] input').fill("name");
    await page.keyboard.press("Control+s");
    await expect.poll(() => page.locator('[data-testid="notice"]').innerText()).toContain("Saved version 3");

    // The saved definition follows engine/flow/schema.ts.
    const saved = await trpc<{ definition: { nodes: { id: string; type: string; typeVersion: number; config: unknown; connectionId: unknown }[]; edges: unknown[]; settings: unknown } }>("flows.get", { flowId }, "query");
    expect(saved.definition.nodes).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: mapId, type: "core.mapFields", typeVersion: 1, connectionId: null, config: { fields: [{ target: "name", expression: "customer.name" }], keepInput: false } })]),
    );
    expect(saved.definition.edges).toEqual([{ id: expect.stringMatching(/^e_/), source: "trigger", sourceHandle: "out", target: mapId, targetHandle: "in" }]);

    // Versions: the diff between v2 and v3 names the changed field.
    await page.locator('[data-testid="tab-versions"]').click();
    const diff = page.locator('[data-testid="version-diff"]');
    await expect.poll(() => diff.innerText(), { timeout: 15_000 }).toContain("config.fields.0.target");
    expect(await diff.innerText()).toMatch(/customerName[\s\S]*name/);
    await page.screenshot({ path: path.join(screenshotDir, "editor-version-diff.png"), fullPage: true });

    // Dry run: per-node input/output in the side panel.
    await page.locator('[data-testid="tab-dryRun"]').click();
    await page.locator('[data-testid="dry-run"]').click();
    const result = page.locator('[data-testid="run-result"]');
    await expect.poll(() => result.locator('[data-testid="run-status"]').innerText(), { timeout: 30_000 }).toMatch(/Dry run: stopped before writing/);
    await expect.poll(() => result.locator('[data-testid="node-run"]').count()).toBe(2);

    // Run now with JSON input, then open the run.
    await page.locator('[data-testid="run-input"]').fill(JSON.stringify({ customer: { name: "Globex GmbH" } }));
    await page.locator('[data-testid="run-now"]').click();
    await expect.poll(() => result.locator('[data-testid="run-status"]').innerText(), { timeout: 60_000 }).toBe("Succeeded");
    await expect.poll(() => result.locator('[data-testid="node-run"]').count()).toBe(2);
    await page.screenshot({ path: path.join(screenshotDir, "editor-run.png"), fullPage: true });
    const href = (await page.locator('[data-testid="run-link"]').getAttribute("href"))!;
    const runId = href.split("/").pop()!;
    const run = await trpc<{ run: { status: string }; nodeRuns: { nodeId: string; status: string; output: unknown }[] }>("runs.get", { runId }, "query");
    expect(run.run.status).toBe("succeeded");
    expect(run.nodeRuns.map((n) => n.nodeId)).toEqual(["trigger", mapId]);
    expect(run.nodeRuns[1]!.output).toEqual({ name: "Globex GmbH" });

    await page.locator('[data-testid="run-link"]').click();
    await page.waitForURL(`**/runs/${runId}`, { timeout: 60_000 });
    await expect.poll(() => page.locator("body").innerText(), { timeout: 60_000 }).toMatch(/Map fields/);
    await page.close();
  }, 400_000);

  it("keeps 300 nodes responsive while dragging and panning", async () => {
    const built = process.env.LEDGERLINE_E2E_BUILD === "1";
    const nodes = [{ id: "trigger", type: "core.manualTrigger", typeVersion: 1, name: "Manual trigger", position: { x: 0, y: 0 }, config: {}, connectionId: null }];
    const edges = [];
    for (let i = 1; i < 300; i++) {
      nodes.push({ id: `n${i}`, type: "core.mapFields", typeVersion: 1, name: `Map ${i}`, position: { x: (i % 20) * 300, y: Math.floor(i / 20) * 120 }, config: { fields: [{ target: "x", expression: "$" }] } as never, connectionId: null });
      edges.push({ id: `e${i}`, source: i === 1 ? "trigger" : `n${i - 1}`, sourceHandle: "out", target: `n${i}`, targetHandle: "in" });
    }
    const { flowId } = await trpc<{ flowId: string }>("flows.create", { name: `Big flow ${Date.now()}` });
    await trpc("flows.save", { flowId, definition: { schemaVersion: 1, nodes, edges }, note: "300 nodes" });
    const page = await openEditor(flowId);
    await expect.poll(() => page.locator('[data-testid="flow-node"]').count(), { timeout: 60_000 }).toBeGreaterThan(20);
    // Zoom to 100% around the first rows so nodes are large enough to grab.
    await page.locator(".react-flow__pane").click({ position: { x: 30, y: 30 } });

    const frames = () =>
      page.evaluate(() => {
        const w = window as unknown as { __frames?: number[]; __stop?: boolean };
        w.__frames = [];
        w.__stop = false;
        let last = performance.now();
        const tick = (t: number) => {
          w.__frames!.push(t - last);
          last = t;
          if (!w.__stop) requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
    const stop = () =>
      page.evaluate(() => {
        const w = window as unknown as { __frames?: number[]; __stop?: boolean };
        w.__stop = true;
        const f = w.__frames!.slice(1).sort((a, b) => a - b);
        // A frame that took more than one and a half display intervals missed its vsync: dropped.
        const dropped = f.filter((ms) => ms > 1.5 * (1000 / 60)).length;
        return { count: f.length, dropped, p50: f[Math.floor(f.length * 0.5)] ?? 0, p95: f[Math.floor(f.length * 0.95)] ?? 0, max: f[f.length - 1] ?? 0 };
      });

    // The canvas opens at a readable zoom on the flow's start: take a node well inside it, not one under the side panel.
    const canvasBox = (await page.locator('[data-testid="canvas"]').boundingBox())!;
    const inside = await page.locator('[data-testid="flow-node"]').evaluateAll(
      (els, c) =>
        els
          .filter((el) => {
            const r = el.getBoundingClientRect();
            return r.left > c.x + 20 && r.right < c.x + c.width - 280 && r.top > c.y + 20 && r.bottom < c.y + c.height - 160;
          })
          .map((el) => el.getAttribute("data-node-id")!),
      canvasBox,
    );
    const targetId = inside[Math.min(3, inside.length - 1)]!;
    const target = nodeEl(page, targetId);
    const box = (await target.boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    // What this machine gives a page doing nothing, measured the same way: a loaded machine drops
    // frames by itself, and the editor may drop no more than that while dragging or panning.
    await frames();
    await page.waitForTimeout(1500);
    const idleFrames = await stop();
    // Baseline: the same 60 pointer moves without a button pressed (browser round trips alone).
    const hoverStart = Date.now();
    for (let i = 1; i <= 60; i++) await page.mouse.move(cx + i * 4, cy + i * 2);
    const hoverMs = Date.now() - hoverStart;
    await frames();
    const started = Date.now();
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 60; i++) await page.mouse.move(cx + i * 4, cy + i * 2);
    await page.mouse.up();
    const dragMs = Date.now() - started;
    const dragFrames = await stop();
    const after = (await target.boundingBox())!;

    // The pan drags the mini map's viewport window (the mini map sits in the canvas's bottom-right corner).
    const viewportBefore = await page.evaluate(() => document.querySelector(".react-flow__viewport")!.getAttribute("style"));
    await frames();
    const panStart = Date.now();
    const pane = (await page.locator('[data-testid="canvas"]').boundingBox())!;
    await page.mouse.move(pane.x + pane.width - 60, pane.y + pane.height - 60);
    await page.mouse.down();
    for (let i = 1; i <= 60; i++) await page.mouse.move(pane.x + pane.width - 60 - i * 8, pane.y + pane.height - 60 - i * 4);
    await page.mouse.up();
    const panMs = Date.now() - panStart;
    const panFrames = await stop();

    const panned = await page.evaluate(() => document.querySelector(".react-flow__viewport")!.getAttribute("style")) !== viewportBefore;
    // The mini map draws the nodes in their system's colour (core nodes slate, #64748b) under its veil.
    const miniMapNodePixels = await page.locator('canvas[aria-label="Mini map"]').evaluate((el: HTMLCanvasElement) => {
      const data = el.getContext("2d")!.getImageData(0, 0, el.width, el.height).data;
      let n = 0;
      // Slate under the veil (rgba(240, 240, 240, 0.6)) reads about (184, 190, 200): bluish grey, not the veil's grey.
      for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && data[i + 2]! - data[i]! >= 6) n++;
      return n;
    });
    const load = loadavg()[0];
    const loaded = load > cpus().length;
    console.log(
      `[editor perf] 300 nodes (${built ? "production build" : "dev server"}; load ${load.toFixed(1)} on ${cpus().length} cores${loaded ? ", loaded" : ""}): idle frames p50 ${idleFrames.p50.toFixed(1)} ms, p95 ${idleFrames.p95.toFixed(1)} ms; ` +
        `hover baseline ${hoverMs} ms for 60 moves; drag of 60 moves ${dragMs} ms (${(dragMs / 60).toFixed(1)} ms/move; frames p50 ${dragFrames.p50.toFixed(1)} ms, p95 ${dragFrames.p95.toFixed(1)} ms, max ${dragFrames.max.toFixed(1)} ms, ${dragFrames.dropped} of ${dragFrames.count} dropped); ` +
        `pan of 60 moves ${panMs} ms (${(panMs / 60).toFixed(1)} ms/move; frames p50 ${panFrames.p50.toFixed(1)} ms, p95 ${panFrames.p95.toFixed(1)} ms, ${panFrames.dropped} of ${panFrames.count} dropped); ` +
        `idle ${idleFrames.dropped} of ${idleFrames.count} dropped`,
    );
    // The node moved, the view panned, and the sequence stayed interactive.
    expect(Math.round(after.x - box.x)).toBeGreaterThan(20);
    expect(panned).toBe(true);
    expect(miniMapNodePixels).toBeGreaterThan(100);
    expect(dragMs / 60).toBeLessThan(150);
    expect(panMs / 60).toBeLessThan(150);
    expect(dragFrames.p50).toBeLessThan(34);
    // The 60 fps goal (frame p95 within 16.7 ms in the production build) is read from the figures
    // above, printed beside the idle page's floor and the machine's load: a frame-time bound
    // asserted here would fail on any busy machine, and speed is the benchmarks' to judge.
    await page.close();
  }, 300_000);
});
