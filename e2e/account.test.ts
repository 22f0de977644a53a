/**
 * Account security in real Chromium: a member turns on two-factor from the Account page (the key
 * shown there gives the codes, as an authenticator app would) and the next sign-in asks for a
 * code; an API token made on the API tokens page works as `Authorization: Bearer`, is shown once,
 * and stops working when revoked from the page.
 */
import { randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { totpCode } from "../engine/test/totp";
import { api, signIn } from "./session";
import { launchBrowser } from "./stack";

const COMPILE = 120_000;
let browser: Browser;
const base = () => inject("baseUrl");

/** A new member of the demo workspace with a password (invited, then signed up with the link's token). */
async function newMember(role: string) {
  const email = `member.${randomUUID().slice(0, 6)}@e2e.test`;
  const password = "a-members-password-1";
  const { url } = await api<{ url: string }>("members.invite", { email, role });
  const res = await fetch(`${base()}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base(), "x-ledgerline-invite": url.split("/invite/")[1]! },
    body: JSON.stringify({ email, password, name: "E2E Member" }),
  });
  expect(res.status).toBe(200);
  // Signed up; joining is the link's second step.
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const join = await fetch(`${base()}/api/trpc/members.accept`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base(), cookie },
    body: JSON.stringify({ json: { token: url.split("/invite/")[1]! } }),
  });
  expect(join.status).toBe(200);
  return { email, password };
}

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("account security", () => {
  it("turns on two-factor and asks for the code at the next sign-in", async () => {
    const who = await newMember("editor");
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, who);
    await page.goto(`${base()}/account`, { timeout: COMPILE });
    await expect.poll(() => page.getByTestId("two-factor-status").textContent(), { timeout: COMPILE }).toBe("Off");
    await page.getByLabel("Password", { exact: true }).fill(who.password);
    await page.getByRole("button", { name: "Set up two-factor" }).click();
    const key = (await page.getByTestId("totp-secret").textContent({ timeout: 30_000 }))!.trim();
    expect(key).toMatch(/^[A-Z2-7]+=*$/);
    await page.getByLabel("Code from the app").fill("000000" === totpCode(key) ? "111111" : "000000");
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.getByText("That code is not right").waitFor({ timeout: 30_000 });
    await page.getByLabel("Code from the app").fill(totpCode(key));
    await page.getByRole("button", { name: "Turn on" }).click();
    await expect.poll(() => page.getByTestId("two-factor-status").textContent(), { timeout: 30_000 }).toBe("On");

    await page.getByTestId("sign-out").click();
    await page.waitForURL(/\/sign-in/, { timeout: COMPILE });
    await page.getByLabel("E-mail").fill(who.email, { timeout: COMPILE });
    await page.getByLabel("Password").fill(who.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("totp-form").waitFor({ timeout: 30_000 });
    // Password alone is no session.
    const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    expect((await fetch(`${base()}/api/trpc/flows.list`, { headers: { cookie: cookies } })).status).toBe(401);
    await page.getByLabel("Code").fill(totpCode(key));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL(/\/flows$/, { timeout: COMPILE });
    await expect.poll(() => page.getByTestId("workspace-name").textContent(), { timeout: COMPILE }).toBe("Demo Finance Co");
    await context.close();
  }, 300_000);

  it("creates an API token on the page, uses it, and revokes it", async () => {
    const who = await newMember("operator");
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, who);
    await page.goto(`${base()}/settings/tokens`, { timeout: COMPILE });
    // At most the creator's role is offered.
    await expect.poll(() => page.getByLabel("Role").locator("option").allTextContents(), { timeout: COMPILE }).toEqual(["operator", "viewer"]);
    await page.getByLabel("Name").fill("nightly export");
    await page.getByLabel("Role").selectOption("viewer");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = (await page.getByTestId("new-token").textContent({ timeout: 30_000 }))!.trim();
    expect(token).toMatch(/^llt_/);

    const call = () => fetch(`${base()}/api/trpc/flows.list`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);
    // A token cannot mint tokens.
    const mutate = await fetch(`${base()}/api/trpc/tokens.create`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ json: { name: "escalate", role: "viewer", expiresInDays: null } }),
    });
    expect(mutate.status).toBe(403);
    expect(JSON.stringify(await mutate.json())).toContain("API tokens cannot create tokens");

    await page.reload();
    const row = page.locator("[data-testid=tokens-table] tr", { hasText: "nightly export" });
    await row.waitFor({ timeout: COMPILE });
    expect(await row.textContent()).toContain(token.slice(0, 12));
    expect(await page.content()).not.toContain(token);
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByText("revoked").waitFor({ timeout: 30_000 });
    expect((await call()).status).toBe(401);
    await context.close();
  }, 300_000);
});
