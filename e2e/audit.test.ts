/**
 * The Audit page in real Chromium: a change made with an API token appears with the token, the
 * action and what changed; filters narrow it. A viewer has no Audit section and the server refuses
 * the trail and every change they try.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { ensureUser, setPassword } from "../engine/auth/users";
import { api, signedInContext, signedInSuite } from "./session";

const COMPILE = 120_000;
const suite = signedInSuite({ viewport: { width: 1360, height: 860 } }, { db: true });
const base = () => inject("baseUrl");

describe("audit", () => {
  it("lists a change with who made it and what changed, and filters by entity and action", async () => {
    const name = `Audited ${randomUUID().slice(0, 6)}`;
    const created = await api<{ flowId: string }>("flows.create", { name });
    await api("flows.update", { flowId: created.flowId, name: `${name} renamed` });

    const page = await suite.context.newPage();
    await page.goto(`${base()}/audit`, { timeout: COMPILE });
    await page.getByRole("link", { name: "Audit" }).waitFor({ timeout: COMPILE });
    const table = page.getByTestId("audit-table");
    await table.waitFor({ timeout: COMPILE });
    const row = table.locator("tr", { hasText: "flow.updated" }).first();
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toContain(`"${name}" → "${name} renamed"`);
    expect(await row.textContent()).toContain("token");

    await page.getByLabel("Action").selectOption("flow.created");
    await expect.poll(async () => (await table.locator("tbody tr").allTextContents()).every((t) => t.includes("flow.created")), { timeout: 20_000 }).toBe(true);
    await page.getByLabel("Entity id").fill(created.flowId);
    await expect.poll(() => table.locator("tbody tr").count(), { timeout: 20_000 }).toBe(1);
    await page.close();
  }, 300_000);

  it("a viewer sees no Audit section, and the server refuses the trail and their changes", async () => {
    const email = `viewer.${randomUUID().slice(0, 8)}@ledgerline.test`;
    const password = `viewer-${randomUUID()}`;
    const user = await ensureUser(suite.db.sql, { email, name: "Vera Viewer", emailVerified: true });
    await setPassword(suite.db, user.id, password);
    const [demo] = await suite.db.sql<{ id: string }[]>`select id::text from workspaces where slug = 'demo'`;
    await suite.db.sql`insert into memberships (workspace_id, user_id, role) values (${demo!.id}, ${user.id}, 'viewer')`;
    await suite.db.sql`update users set last_workspace_id = ${demo!.id} where id = ${user.id}`;

    const viewer = await signedInContext(suite.browser, { viewport: { width: 1360, height: 860 } }, { email, password });
    const page = await viewer.newPage();
    await page.goto(`${base()}/runs`, { timeout: COMPILE });
    await page.getByRole("link", { name: "Runs" }).waitFor({ timeout: COMPILE });
    await expect.poll(() => page.getByTestId("workspace-name").textContent(), { timeout: COMPILE }).toBe("Demo Finance Co");
    expect(await page.getByRole("link", { name: "Audit" }).count()).toBe(0);

    await page.goto(`${base()}/audit`, { timeout: COMPILE });
    await expect.poll(() => page.locator(".alert-error").textContent(), { timeout: COMPILE }).toContain("needs the admin role");

    // The browser's own session, not the test's token: the server refuses a change.
    const [flow] = await suite.db.sql<{ id: string }[]>`select id::text from flows where workspace_id = ${demo!.id} limit 1`;
    const status = await page.evaluate(async ({ flowId, workspaceId }) => {
      const res = await fetch("/api/trpc/flows.activate", { method: "POST", headers: { "content-type": "application/json", "x-ledgerline-workspace": workspaceId }, body: JSON.stringify({ json: { flowId } }) });
      return res.status;
    }, { flowId: flow!.id, workspaceId: demo!.id });
    expect(status).toBe(403);
    await viewer.close();
  }, 300_000);
});
