/**
 * Single sign-on in real Chromium against a real OpenID provider (the `oidc-provider` package,
 * started here): an owner configures SSO for the demo workspace (secret write-only), a person with
 * an allowed e-mail domain signs in through the provider's login and consent pages, arrives in the
 * workspace with the default role (just-in-time membership), and a domain that is not allowed gets
 * a clear message.
 */
import { createServer, type Server } from "node:http";
import { randomUUID } from "node:crypto";
import Provider from "oidc-provider";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../db/free-port";
import { api } from "./session";
import { launchBrowser } from "./stack";

const COMPILE = 120_000;
const DOMAIN = "sso-e2e.test";
let browser: Browser;
let idp: Server;
let issuer: string;

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "ledgerline-e2e",
        client_secret: "e2e-oidc-client-secret",
        redirect_uris: [`${inject("baseUrl")}/api/auth/sso/callback`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // The dev login page signs in whatever login is typed: here, the e-mail.
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub, email: sub, email_verified: true, name: `SSO ${sub.split("@")[0]}` }) };
    },
    cookies: { keys: ["e2e-oidc-cookie-key"] },
  });
  idp = createServer(provider.callback());
  await new Promise<void>((resolve) => idp.listen(port, "127.0.0.1", () => resolve()));
  browser = await launchBrowser();
});
afterAll(async () => {
  await api("sso.remove", undefined).catch(() => undefined);
  await browser?.close();
  await new Promise<void>((resolve) => (idp ? idp.close(() => resolve()) : resolve()));
});

describe("single sign-on", () => {
  it("signs a person in through the workspace's OpenID provider and makes them a member", async () => {
    await api("sso.save", { issuer, clientId: "ledgerline-e2e", clientSecret: "e2e-oidc-client-secret", allowedDomains: [DOMAIN], defaultRole: "operator", enabled: true });
    const saved = await api<{ config: Record<string, unknown> }>("sso.get", undefined, "query");
    expect(saved.config).toMatchObject({ issuer, clientId: "ledgerline-e2e", allowedDomains: [DOMAIN], defaultRole: "operator", hasSecret: true });
    expect(JSON.stringify(saved)).not.toContain("e2e-oidc-client-secret");

    const email = `ana.${randomUUID().slice(0, 6)}@${DOMAIN}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${inject("baseUrl")}/sign-in`, { timeout: COMPILE });
    await page.getByLabel("E-mail").fill(email, { timeout: COMPILE });
    await page.getByRole("button", { name: "Sign in with single sign-on" }).click({ timeout: COMPILE });

    // The provider's own pages.
    await page.waitForURL((url) => url.origin === issuer, { timeout: 30_000 });
    await page.locator('input[name="login"]').fill(email);
    await page.locator('input[name="password"]').fill("anything");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click({ timeout: 30_000 });

    await page.waitForURL(/\/flows$/, { timeout: COMPILE });
    await expect.poll(() => page.getByTestId("workspace-name").textContent(), { timeout: COMPILE }).toBe("Demo Finance Co");
    await expect.poll(() => page.getByTestId("workspace-role").textContent()).toBe("operator");
    const members = await api<{ members: { email: string; role: string }[] }>("members.list", undefined, "query");
    expect(members.members.find((m) => m.email === email)?.role).toBe("operator");
    await context.close();
  });

  it("says so when the e-mail's domain has no single sign-on", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${inject("baseUrl")}/sign-in`, { timeout: COMPILE });
    await page.getByLabel("E-mail").fill("someone@elsewhere.example", { timeout: COMPILE });
    await page.getByRole("button", { name: "Sign in with single sign-on" }).click({ timeout: COMPILE });
    await page.waitForURL(/\/sign-in\?error=/, { timeout: COMPILE });
    await expect.poll(() => page.getByTestId("sign-in-error").textContent(), { timeout: COMPILE }).toContain("No workspace signs in elsewhere.example with single sign-on");
    await context.close();
  });
});
