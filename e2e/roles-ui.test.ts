/**
 * The UI hides what a role cannot do, in real Chromium (the server refuses it anyway; the role
 * matrix test covers that). A viewer of the demo workspace sees flows, runs, reviews and
 * connections with no Edit, Activate, Save, Run now, Replay, Resolve or connection controls; an
 * operator gets Run now, Replay, Resolve and Test, still without editing or connection secrets.
 */
import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDb, type Db } from "../db/client";
import type { Role } from "../engine/auth/roles";
import { ensureUser, setPassword } from "../engine/auth/users";
import { api, signedInContext } from "./session";
import { launchBrowser } from "./stack";

const COMPILE = 120_000;
let browser: Browser;
let db: Db;
let flowId: string;
let runId: string;
const base = () => inject("baseUrl");

async function member(role: Role): Promise<Page> {
  const email = `${role}.${randomUUID().slice(0, 8)}@ledgerline.test`;
  const password = `${role}-${randomUUID()}`;
  const user = await ensureUser(db.sql, { email, name: `${role} member`, emailVerified: true });
  await setPassword(db, user.id, password);
  const [demo] = await db.sql<{ id: string }[]>`select id::text from workspaces where slug = 'demo'`;
  await db.sql`insert into memberships (workspace_id, user_id, role) values (${demo!.id}, ${user.id}, ${role})`;
  const context = await signedInContext(browser, { viewport: { width: 1440, height: 900 } }, { email, password });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  return page;
}

/** Open a page and wait until the role has arrived (the sidebar shows the workspace). */
async function open(page: Page, path: string, ready: string) {
  await page.goto(`${base()}${path}`, { timeout: COMPILE });
  await page.locator(ready).first().waitFor({ timeout: COMPILE });
  await expect.poll(() => page.getByTestId("workspace-name").textContent(), { timeout: COMPILE }).toBe("Demo Finance Co");
  await page.waitForTimeout(500);
}

beforeAll(async () => {
  browser = await launchBrowser();
  db = createDb(inject("databaseUrl"), { max: 2 });
  const flows = await api<{ id: string; name: string }[]>("flows.list", undefined, "query");
  flowId = flows.find((f) => /Intacct sales transaction/.test(f.name))!.id;
  // A finished run to open (a manual flow run by the owner's token).
  const manual = await api<{ flowId: string }>("flows.create", { name: `Roles UI ${randomUUID().slice(0, 6)}` });
  runId = (await api<{ runId: string }>("flows.runNow", { flowId: manual.flowId, data: { invoice: "INV-1" } })).runId;
  for (let i = 0; i < 120 && (await api<{ run: { status: string } }>("runs.get", { runId }, "query")).run.status !== "succeeded"; i++) await new Promise((r) => setTimeout(r, 500));
});
afterAll(async () => {
  await browser?.close();
  await db?.close();
});

describe("controls by role", () => {
  it("a viewer reads everything and sees no control that would change something", async () => {
    const page = await member("viewer");
    await open(page, "/flows", '[data-testid="flows-table"]');
    const flows = page.getByTestId("flows-table");
    expect(await flows.getByRole("button", { name: /Activate|Deactivate/ }).count()).toBe(0);
    expect(await flows.getByRole("link", { name: "View", exact: true }).count()).toBeGreaterThan(0);
    expect(await flows.getByRole("link", { name: "Edit", exact: true }).count()).toBe(0);
    expect(await page.getByTestId("import-flow").count()).toBe(0);
    expect(await page.getByRole("button", { name: "+ New flow" }).count()).toBe(0);

    await open(page, `/flows/${flowId}`, '[data-testid="flow-node"]');
    await page.getByTestId("read-only").waitFor();
    expect(await page.getByTestId("save-button").count()).toBe(0);
    expect(await page.getByTestId("activate-button").count()).toBe(0);
    await page.getByTestId("tab-dryRun").click();
    expect(await page.getByTestId("run-now").count()).toBe(0);
    expect(await page.getByTestId("dry-run").count()).toBe(0);

    await open(page, `/flows/${flowId}/overview`, "h1");
    expect(await page.getByTestId("run-now").count()).toBe(0);

    await open(page, `/runs/${runId}`, "h1");
    expect(await page.getByRole("button", { name: /Replay/ }).count()).toBe(0);
    await open(page, "/runs", "h1");
    expect(await page.getByRole("button", { name: /Replay/ }).count()).toBe(0);

    await open(page, "/review", "h1");
    expect(await page.getByRole("button", { name: /^(Resolve and replay|Dismiss)$/ }).count()).toBe(0);

    await open(page, "/connections", '[data-testid="connection"]');
    expect(await page.getByRole("button", { name: /^(Test|Edit|Delete|Connect|Reconnect|\+ New connection)$/ }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /local sandbox/ }).count()).toBe(0);

    await open(page, "/templates", "h1");
    expect(await page.getByRole("button", { name: "Use template" }).count()).toBe(0);
    await open(page, "/mappings", "h1");
    expect(await page.getByRole("button", { name: /New mapping table/ }).count()).toBe(0);
    await page.context().close();
  }, 300_000);

  it("an operator runs, replays and tests, but does not edit flows or connections", async () => {
    const page = await member("operator");
    await open(page, `/flows/${flowId}/overview`, '[data-testid="run-now"]');
    await open(page, `/runs/${runId}`, "h1");
    await expect.poll(() => page.getByRole("button", { name: /Replay from start/ }).count()).toBe(1);
    await open(page, `/flows/${flowId}`, '[data-testid="flow-node"]');
    await page.getByTestId("read-only").waitFor();
    expect(await page.getByTestId("save-button").count()).toBe(0);
    await open(page, "/connections", '[data-testid="connection"]');
    await expect.poll(() => page.getByRole("button", { name: "Test" }).count()).toBeGreaterThan(0);
    expect(await page.getByRole("button", { name: /^(Edit|Delete|\+ New connection)$/ }).count()).toBe(0);
    await page.context().close();
  }, 300_000);
});
