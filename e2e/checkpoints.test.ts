/**
 * Poll checkpoints in real Chromium: the demo's Intacct tax flow, once active, shows its poll's
 * cursor, last and next tick and pages read on its overview; "Reprocess since <date>" moves the
 * cursor back, the worker re-reads the same sales documents, and nothing is run or posted a second
 * time (the Intacct and Avalara sandboxes' own state is unchanged).
 */
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { api, signedInSuite } from "./session";
import { screenshotDir } from "./stack";

const suite = signedInSuite({ viewport: { width: 1440, height: 1000 } }, { screenshots: true });
const base = () => inject("baseUrl");
const TERMINAL = ["succeeded", "failed", "needs_review", "skipped"];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;
async function sandboxes(): Promise<string> {
  const urls = inject("sandboxUrls");
  const intacct = (await (await fetch(`${urls.intacct}/__sandbox/state`)).json()) as Rec;
  const avalara = (await (await fetch(`${urls.avalara}/__sandbox/state`)).json()) as Rec;
  return JSON.stringify({ intacct: intacct.companies, avalara: avalara.documents });
}

describe("poll checkpoints", () => {
  it("shows the checkpoint and reprocesses since a date without a second posting", async () => {
    const flows = await api<{ id: string; name: string }[]>("flows.list", undefined, "query");
    const flow = flows.find((f) => /Intacct sales transaction/.test(f.name))!;
    const runs = async () => (await api<{ runs: { id: string; status: string }[] }>("runs.list", { flowId: flow.id, limit: 200 }, "query")).runs;
    const before = (await runs()).length;
    await api("flows.activate", { flowId: flow.id });
    try {
      // Activation polls at once; the worker runs what the poll found.
      await expect.poll(async () => (await runs()).length, { timeout: 90_000, interval: 1000 }).toBeGreaterThan(before);
      await expect.poll(async () => (await runs()).every((r) => TERMINAL.includes(r.status)), { timeout: 120_000, interval: 1000 }).toBe(true);
      const settled = await runs();
      const posted = await sandboxes();
      const first = await api<{ pagesRead: number; lastPolledAt: string }>("checkpoints.get", { flowId: flow.id }, "query");
      expect(first.pagesRead).toBeGreaterThan(0);

      const page = await suite.context.newPage();
      page.setDefaultTimeout(60_000);
      await page.goto(`${base()}/flows/${flow.id}/overview`, { timeout: 120_000 });
      const card = page.getByTestId("checkpoint-card");
      await card.waitFor({ timeout: 120_000 });
      await expect.poll(() => card.getByTestId("checkpoint-pages").innerText()).toContain(String(first.pagesRead));
      expect(await card.getByTestId("checkpoint-cursor").innerText()).toContain('"since"');
      expect(await card.getByTestId("checkpoint-next").innerText()).not.toMatch(/not scheduled|inactive/);
      expect(await card.getByTestId("checkpoint-last").innerText()).not.toBe("never");

      // Back 40 days: before every seeded sales document.
      const since = new Date(Date.now() - 40 * 86_400_000);
      const p = (n: number) => String(n).padStart(2, "0");
      await page.locator("#reprocess-since").fill(`${since.getFullYear()}-${p(since.getMonth() + 1)}-${p(since.getDate())}T09:00`);
      await page.getByTestId("reprocess-since").click();
      await page.getByTestId("reprocess-done").waitFor();
      // The worker polls again from there: more pages read, the same documents seen again.
      await expect
        .poll(async () => (await api<{ pagesRead: number }>("checkpoints.get", { flowId: flow.id }, "query")).pagesRead, { timeout: 90_000, interval: 1000 })
        .toBeGreaterThan(first.pagesRead);
      await expect.poll(() => card.getByTestId("checkpoint-pages").innerText(), { timeout: 30_000 }).not.toBe(String(first.pagesRead));
      await page.screenshot({ path: path.join(screenshotDir, "checkpoint.png"), fullPage: true });
      // Give any run the re-read might have started time to show, then compare.
      await new Promise((r) => setTimeout(r, 3000));
      expect((await runs()).map((r) => r.id).sort()).toEqual(settled.map((r) => r.id).sort());
      expect(await sandboxes()).toBe(posted);
      await page.close();
    } finally {
      await api("flows.deactivate", { flowId: flow.id });
    }
  }, 400_000);
});
