/**
 * The security headers in a real Chromium: every page carries the policy (CSP with
 * frame-ancestors 'none', a per-request script nonce, nosniff, referrer policy) and still works
 * under it: no CSP violation is reported while a signed-in user opens the main pages and the flow
 * editor. API answers carry the
 * headers too, and a page refuses to be framed.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, signedInContext } from "./session";
import { launchBrowser } from "./stack";

const COMPILE = 120_000;
let browser: Browser;
let context: BrowserContext;
const violations: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await signedInContext(browser);
  // Report every violation the page sees (the console message is not always emitted).
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
}, 240_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe("security headers", () => {
  it("pages work under the policy: no CSP violations on the main pages and the editor", async () => {
    const flows = await api<{ id: string }[]>("flows.list", undefined, "query");
    const page = await context.newPage();
    page.on("console", (m) => {
      if (/Content Security Policy|CSP violation/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
    });
    for (const path of ["/flows", "/connections", "/mappings", "/runs", "/review", "/templates", `/flows/${flows[0]!.id}`]) {
      const response = await page.goto(`${inject("baseUrl")}${path}`, { timeout: COMPILE, waitUntil: "networkidle" });
      expect(response!.status(), path).toBeLessThan(400);
      // One policy, with this page's script nonce.
      const policies = (await response!.headersArray()).filter((h) => h.name.toLowerCase() === "content-security-policy").map((h) => h.value);
      expect(policies.join(" | "), path).toContain("frame-ancestors 'none'");
      expect(policies.join(" | "), path).toContain("object-src 'none'");
      expect(policies.join(" | "), path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
      expect(response!.headers()["x-content-type-options"], path).toBe("nosniff");
      expect(response!.headers()["referrer-policy"], path).toBe("same-origin");
      // The app rendered (React hydrated and asked the API for data).
      await page.locator("main").first().waitFor({ timeout: COMPILE });
    }
    expect(violations).toEqual([]);
    // A mutation from the app's own page passes the same-origin check (CSRF) with the session cookie.
    const connections = await api<{ id: string; system: string }[]>("connections.list", undefined, "query");
    const avalara = connections.find((c) => c.system === "avalara")!;
    const status = await page.evaluate(async (id) => {
      const res = await fetch("/api/trpc/connections.test", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: { id } }) });
      return res.status;
    }, avalara.id);
    expect(status).toBe(200);
    await page.close();
  });

  it("API answers carry the headers too, and a page cannot be framed by another site", async () => {
    const health = await fetch(`${inject("baseUrl")}/api/health`);
    expect(health.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(health.headers.get("x-content-type-options")).toBe("nosniff");

    const page = await context.newPage();
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (/frame-ancestors|Refused to (display|frame)/i.test(m.text())) blocked.push(m.text());
    });
    await page.setContent(`<iframe id="f" src="${inject("baseUrl")}/flows"></iframe>`);
    await expect.poll(() => blocked.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await page.close();
  });

  it("moving a connection asks for its credentials again, and the server refuses a save without them", async () => {
    const page = await context.newPage();
    await page.goto(`${inject("baseUrl")}/connections`, { timeout: COMPILE });
    const row = page.locator('[data-testid="connection"]', { hasText: "Avalara" }).first();
    await row.getByRole("button", { name: "Edit" }).click();
    await expect.poll(() => page.locator("#config-baseUrl").inputValue()).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const original = await page.locator("#config-baseUrl").inputValue();
    await page.locator("#config-baseUrl").fill("http://localhost:9/");
    await page.getByTestId("credentials-again").waitFor();
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => page.locator(".alert-error").first().textContent()).toMatch(/changes where the credentials are sent: enter the credentials again/);
    // Nothing was saved: the connection still points at the sandbox.
    const connections = await api<{ system: string; config: { baseUrl?: string } }[]>("connections.list", undefined, "query");
    expect(connections.filter((c) => c.system === "avalara").map((c) => c.config.baseUrl)).toContain(original);
    await page.close();
  });
});
