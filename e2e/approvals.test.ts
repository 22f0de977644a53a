/**
 * The Approvals page in real Chromium: a journal over the threshold waits with its exact entry,
 * is approved on the page, and the run then posts once (the worker, the Intacct sandbox).
 */
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { api, signedInSuite } from "./session";

const COMPILE = 120_000;
const suite = signedInSuite({ viewport: { width: 1360, height: 860 } }, { db: true });
const base = () => inject("baseUrl");

describe("approvals view", () => {
  it("shows the waiting journal with its exact entry; Approve posts it once", async () => {
    const [conn] = await suite.db.sql<{ id: string }[]>`
      select c.id::text from connections c join workspaces w on w.id = c.workspace_id where w.slug = 'demo' and c.system = 'intacct' limit 1`;
    const ref = `APPR-${randomUUID().slice(0, 8)}`;
    const { flowId } = await api<{ flowId: string }>("flows.create", { name: `Approved accruals ${ref}` });
    await api("flows.save", {
      flowId,
      note: "approval",
      definition: {
        schemaVersion: 1,
        nodes: [
          { id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: {} },
          { id: "post", type: "intacct.createJournalEntry", typeVersion: 1, config: { journal: "GJ" }, connectionId: conn!.id, approval: { when: "$sum(lines[type='debit'].$number(amount)) > 10000" } },
        ],
        edges: [{ id: "e1", source: "trigger", target: "post" }],
      },
    });
    const entry = {
      date: "2024-06-28",
      description: `Accrual ${ref}`,
      referenceNo: ref,
      lines: [
        { accountNo: "6000", type: "debit", amount: "15000.00", departmentId: "SALES" },
        { accountNo: "2000", type: "credit", amount: "15000.00" },
      ],
    };
    const { runId } = await api<{ runId: string }>("flows.runNow", { flowId, data: entry });
    const status = async () => (await suite.db.sql<{ status: string }[]>`select status from runs where id = ${runId}`)[0]?.status;
    await expect.poll(status, { timeout: 60_000 }).toBe("awaiting_approval");

    const page = await suite.context.newPage();
    await page.goto(`${base()}/approvals`, { timeout: COMPILE });
    const table = page.getByTestId("approvals-table");
    await table.waitFor({ timeout: COMPILE });
    const row = table.locator("tr", { hasText: `Approved accruals ${ref}` }).first();
    await row.getByRole("button", { name: "Review" }).click();
    const detail = page.getByTestId("approval-detail");
    await detail.waitFor({ timeout: 30_000 });
    expect(await detail.textContent()).toContain(ref);
    expect(await detail.textContent()).toContain("15000.00");
    await detail.getByRole("button", { name: "Approve" }).click();
    await expect.poll(status, { timeout: 60_000 }).toBe("succeeded");
    const [ledger] = await suite.db.sql`select status from idempotency_ledger where business_key = ${`intacct:glbatch:GJ:${ref}`}`;
    expect(ledger).toEqual({ status: "done" });
    await page.close();
  }, 300_000);
});
