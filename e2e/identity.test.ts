/**
 * Accounts in real Chromium: signing in through the sign-in page (wrong password first), signing
 * out; a second workspace created and switched to; a member invited by e-mail (received by the
 * test SMTP server) who accepts in a second browser; roles changed, a member removed, the last
 * owner refused when leaving; a password reset by the e-mailed link.
 */
import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readMailbox } from "./mailbox";
import { api, signIn, signedInContext } from "./session";
import { launchBrowser } from "./stack";

const COMPILE = 120_000;
let browser: Browser;
let owner: BrowserContext;
const base = () => inject("baseUrl");

async function mailTo(address: string, subject: RegExp) {
  let found: { text: string } | undefined;
  await expect
    .poll(async () => {
      found = (await readMailbox(inject("mailDir"))).reverse().find((m) => m.to.includes(address) && subject.test(m.subject));
      return Boolean(found);
    }, { timeout: 60_000 })
    .toBe(true);
  return found!;
}

const linkIn = (text: string) => /https?:\/\/\S+/.exec(text)![0];

beforeAll(async () => {
  browser = await launchBrowser();
  owner = await signedInContext(browser, { viewport: { width: 1360, height: 860 } });
});
afterAll(async () => {
  await browser?.close();
});

// Longer than any one step's own timeout (COMPILE), so a step that hangs fails under its own name.
describe("identity", { timeout: 4 * 60_000 }, () => {
  it("sends a signed-out browser to sign-in, refuses a wrong password, signs in and out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base()}/runs`, { timeout: COMPILE });
    await page.waitForURL(/\/sign-in\?next=%2Fruns/, { timeout: COMPILE });
    await page.getByLabel("E-mail").fill(inject("demo").email, { timeout: COMPILE });
    await page.getByLabel("Password").fill("certainly-not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByTestId("sign-in-error").textContent(), { timeout: 20_000 }).toBe("Wrong e-mail or password.");
    await page.getByLabel("Password").fill(inject("demo").password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/runs$/, { timeout: COMPILE });
    await expect.poll(() => page.getByTestId("workspace-name").textContent(), { timeout: COMPILE }).toBe("Demo Finance Co");
    const cookie = (await context.cookies()).find((c) => c.name === "ledgerline.session_token")!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe("Lax");

    await page.getByTestId("sign-out").click();
    await page.waitForURL(/\/sign-in/, { timeout: COMPILE });
    await page.goto(`${base()}/flows`, { timeout: COMPILE });
    await page.waitForURL(/\/sign-in/, { timeout: COMPILE });
    // The old cookie value no longer opens anything.
    const res = await fetch(`${base()}/api/trpc/flows.list`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    expect(res.status).toBe(401);
    await context.close();
  });

  it("creates a second workspace and switches between the two", async () => {
    // A context of its own: the workspace chosen here stays out of the other tests.
    const mine = await signedInContext(browser, { viewport: { width: 1360, height: 860 } });
    const page = await mine.newPage();
    const name = `E2E Second Books ${randomUUID().slice(0, 6)}`;
    await page.goto(`${base()}/workspaces/new`, { timeout: COMPILE });
    await page.getByLabel("Name").fill(name, { timeout: COMPILE });
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.waitForURL(/\/flows$/, { timeout: COMPILE });
    await expect.poll(() => page.getByTestId("workspace-name").textContent(), { timeout: COMPILE }).toBe(name);
    await expect.poll(() => page.getByTestId("workspace-role").textContent()).toBe("owner");
    // The new workspace has none of the demo's flows.
    await expect.poll(() => page.getByText("No flows yet").count(), { timeout: 60_000, message: "the new workspace's flows page says it has none" }).toBe(1);

    const demoId = (await api<{ workspaces: { id: string; name: string }[] }>("workspaces.mine", undefined, "query")).workspaces.find((w) => w.name === "Demo Finance Co")!.id;
    // The page has settled (its queries answered) before the switch, which reloads it.
    await page.waitForLoadState("networkidle");
    await Promise.all([page.waitForEvent("load", { timeout: COMPILE }), page.getByTestId("workspace-switcher").selectOption(demoId)]);
    await expect
      .poll(() => page.getByTestId("workspace-name").textContent(), { timeout: 60_000, message: `after switching to ${demoId}; the page is at ${page.url()}` })
      .toBe("Demo Finance Co");
    await page.getByTestId("flows-table").waitFor({ timeout: COMPILE });
    await expect.poll(() => page.locator("[data-testid=flows-table] tbody tr").count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    await mine.close();
  });

  it("invites a member by e-mail who accepts in a second browser; roles change, members go, the last owner stays", async () => {
    const page = await owner.newPage();
    const email = `new.member.${randomUUID().slice(0, 6)}@e2e.test`;
    await page.goto(`${base()}/settings/members`, { timeout: COMPILE });
    await page.getByLabel("E-mail").fill(email, { timeout: COMPILE });
    await page.getByLabel("Role", { exact: true }).selectOption("editor");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await page.getByTestId("invite-result").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("invite-result").textContent()).toContain(`Invitation e-mailed to ${email}`);

    const mail = await mailTo(email, /invited you to Demo Finance Co/);
    const link = linkIn(mail.text);
    expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);

    const invitee = await browser.newContext();
    const other = await invitee.newPage();
    await other.goto(link, { timeout: COMPILE });
    await other.getByTestId("invite-sign-up").waitFor({ timeout: COMPILE });
    expect(await other.getByTestId("invite-workspace").textContent()).toBe("Demo Finance Co");
    await other.getByLabel("Your name").fill("New Member");
    await other.getByLabel("Choose a password").fill("a-new-members-password");
    await other.getByRole("button", { name: "Create account and join" }).click();
    await other.waitForURL(/\/flows$/, { timeout: COMPILE });
    await expect.poll(() => other.getByTestId("workspace-name").textContent(), { timeout: COMPILE }).toBe("Demo Finance Co");
    await expect.poll(() => other.getByTestId("workspace-role").textContent()).toBe("editor");
    // The link works once.
    const again = await browser.newContext();
    const third = await again.newPage();
    await third.goto(link, { timeout: COMPILE });
    await third.getByText("Invitation not valid").waitFor({ timeout: COMPILE });
    await again.close();

    // The owner sees the member, makes them a viewer, then removes them.
    await page.reload();
    const row = page.locator(`[data-testid=members-table] tr[data-email="${email}"]`);
    await row.waitFor({ timeout: 30_000 });
    await row.getByLabel(`Role of ${email}`).selectOption("viewer");
    await expect.poll(async () => (await api<{ members: { email: string; role: string }[] }>("members.list", undefined, "query")).members.find((m) => m.email === email)?.role).toBe("viewer");
    page.once("dialog", (d) => void d.accept());
    await row.getByRole("button", { name: "Remove" }).click();
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(0);
    // Removed: the member's next call is refused for that workspace.
    await other.reload();
    await expect.poll(() => other.getByTestId("workspace-name").textContent(), { timeout: COMPILE }).toBe("No workspace");
    await invitee.close();

    // The demo owner is the last owner: leaving is refused with the reason.
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Leave workspace" }).click();
    await expect.poll(() => page.getByTestId("members-error").textContent(), { timeout: 30_000 }).toContain("last owner");
    await page.close();
  });

  it("resets a forgotten password by the e-mailed link", async () => {
    // A member of the demo workspace with an account of their own.
    const email = `forgetful.${randomUUID().slice(0, 6)}@e2e.test`;
    const { url } = await api<{ url: string }>("members.invite", { email, role: "viewer" });
    const token = url.split("/invite/")[1]!;
    const signUp = await fetch(`${base()}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base(), "x-ledgerline-invite": token },
      body: JSON.stringify({ email, password: "the-first-password", name: "Forgetful" }),
    });
    expect(signUp.status).toBe(200);

    const context = await browser.newContext();
    const page: Page = await context.newPage();
    await page.goto(`${base()}/sign-in`, { timeout: COMPILE });
    await page.getByRole("link", { name: "Forgot password?" }).click({ timeout: COMPILE });
    await page.waitForURL(/\/forgot-password$/, { timeout: COMPILE });
    await page.getByRole("button", { name: "Send reset link" }).waitFor({ timeout: COMPILE });
    await page.getByLabel("E-mail").fill(email, { timeout: COMPILE });
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByTestId("reset-sent").waitFor({ timeout: 30_000 });

    const mail = await mailTo(email, /Reset your Ledgerline password/);
    await page.goto(linkIn(mail.text), { timeout: COMPILE });
    await page.waitForURL(/\/reset-password\?token=/, { timeout: COMPILE });
    await page.getByLabel("New password").fill("the-second-password", { timeout: COMPILE });
    await page.getByLabel("Repeat it").fill("the-second-password");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.waitForURL(/\/sign-in\?reset=1/, { timeout: COMPILE });

    // The old password is gone, the new one works.
    const old = await fetch(`${base()}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base() },
      body: JSON.stringify({ email, password: "the-first-password" }),
    });
    expect(old.status).toBe(401);
    await signIn(page, { email, password: "the-second-password" });
    await expect.poll(() => page.getByTestId("workspace-name").textContent(), { timeout: COMPILE }).toBe("Demo Finance Co");
    // The link works once.
    await page.goto(linkIn(mail.text), { timeout: COMPILE });
    await page.getByText("Reset link expired").waitFor({ timeout: COMPILE });
    await context.close();
  });
});
