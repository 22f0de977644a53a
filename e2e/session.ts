/**
 * Signing in for the browser tests: through the real sign-in page, as a person would; and the
 * tests' own tRPC calls with the demo workspace's owner API token.
 */
import { mkdir } from "node:fs/promises";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { createDb, type Db } from "../db/client";
import { launchBrowser, screenshotDir } from "./stack";

const COMPILE = 120_000;

/** Sign in on /sign-in and wait until the app shows the shell. */
export async function signIn(page: Page, who: { email: string; password: string } = inject("demo"), next = "/flows"): Promise<void> {
  await page.goto(`${inject("baseUrl")}/sign-in?next=${encodeURIComponent(next)}`, { timeout: COMPILE });
  await page.getByLabel("E-mail").fill(who.email, { timeout: COMPILE });
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"), { timeout: COMPILE });
}

export const DEMO_WORKSPACE = "Demo Finance Co";

/**
 * A browser context signed in as `who` (the demo owner by default). The demo owner's context acts
 * for the demo workspace whatever an earlier test left as their last choice: the server's default
 * is set back to it and this browser's own choice starts there.
 */
export async function signedInContext(browser: Browser, options: BrowserContextOptions = {}, who?: { email: string; password: string }): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, who);
  if (!who) {
    const mine = await pageCall<{ workspaces: { id: string; name: string }[] }>(page, "workspaces.mine", undefined, undefined, "query");
    const demo = mine.workspaces.find((w) => w.name === DEMO_WORKSPACE);
    if (!demo) throw new Error(`The demo owner is not a member of ${DEMO_WORKSPACE}`);
    await pageCall(page, "workspaces.choose", { workspaceId: demo.id });
    await page.evaluate((id) => window.localStorage.setItem("ledgerline.workspace", id), demo.id);
  }
  await page.close();
  return context;
}

/** A tRPC call as the demo workspace's owner token. */
export async function api<T>(procedure: string, input?: unknown, kind: "query" | "mutation" = "mutation", token = inject("apiToken")): Promise<T> {
  const base = inject("baseUrl");
  const url =
    kind === "query"
      ? `${base}/api/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`}`
      : `${base}/api/trpc/${procedure}`;
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (kind === "mutation") headers["content-type"] = "application/json";
  const res = await fetch(url, kind === "query" ? { headers } : { method: "POST", headers, body: JSON.stringify({ json: input ?? null }) });
  const body = (await res.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!res.ok || !body.result) throw new Error(`${procedure} failed (${res.status}): ${JSON.stringify(body.error)}`);
  return body.result.data.json;
}

/** A tRPC call from the page: the signed-in session, the app's own origin, a chosen workspace. */
export function pageCall<T>(page: Page, procedure: string, input: unknown, workspaceId?: string, kind: "query" | "mutation" = "mutation"): Promise<T> {
  return page.evaluate(
    async ({ procedure, input, workspaceId, kind }) => {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (workspaceId) headers["x-ledgerline-workspace"] = workspaceId;
      const res =
        kind === "query"
          ? await fetch(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers })
          : await fetch(`/api/trpc/${procedure}`, { method: "POST", headers, body: JSON.stringify({ json: input }) });
      const body = await res.json();
      if (!res.ok) throw new Error(`${procedure}: ${res.status} ${JSON.stringify(body.error)}`);
      return body.result.data.json;
    },
    { procedure, input, workspaceId, kind },
  ) as Promise<T>;
}

export interface SignedInSuite {
  browser: Browser;
  /** The demo owner's signed-in context, acting for the demo workspace. */
  context: BrowserContext;
  /** The test database, when asked for. */
  db: Db;
}

/**
 * The usual frame of a browser test file, as hooks of the file: Chromium, the demo owner signed
 * in, and on request the test database and the screenshot folder. Read the fields inside tests.
 */
export function signedInSuite(options: BrowserContextOptions = {}, extras: { db?: boolean; screenshots?: boolean } = {}): SignedInSuite {
  const suite = {} as SignedInSuite;
  beforeAll(async () => {
    if (extras.screenshots) await mkdir(screenshotDir, { recursive: true });
    suite.browser = await launchBrowser();
    suite.context = await signedInContext(suite.browser, options);
    if (extras.db) suite.db = createDb(inject("databaseUrl"), { max: 2 });
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.db?.close();
  });
  return suite;
}
