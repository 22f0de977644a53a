/**
 * A dry run in the flow editor, real Chromium: the tax is quoted at Avalara, the journal is shown
 * balanced with one line per tax jurisdiction, and neither sandbox changed.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { api, signedInSuite } from "./session";

const COMPILE = 120_000;
const suite = signedInSuite({ viewport: { width: 1440, height: 900 } }, { db: true });
const base = () => inject("baseUrl");
const urls = () => inject("sandboxUrls") as Record<string, string>;
const state = async (system: string) => JSON.stringify(await (await fetch(`${urls()[system]}/__sandbox/state`)).json());

describe("dry run in the editor", () => {
  it("shows a balanced journal with its jurisdiction lines while the sandboxes stay unchanged", async () => {
    const conns = await suite.db.sql<{ id: string; system: string }[]>`
      select distinct on (c.system) c.id::text, c.system from connections c join workspaces w on w.id = c.workspace_id
      where w.slug = 'demo' and c.system in ('avalara', 'intacct') order by c.system, c.created_at`;
    const conn = Object.fromEntries(conns.map((c) => [c.system, c.id]));
    const money = (e: string) => `$formatNumber(${e}, '0.00')`;
    const code = `DRY-${randomUUID().slice(0, 8)}`;
    const { flowId } = await api<{ flowId: string }>("flows.create", { name: `Tax journal ${code}` });
    await api("flows.save", {
      flowId,
      note: "dry run",
      definition: {
        schemaVersion: 1,
        nodes: [
          { id: "trigger", type: "core.manualTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
          { id: "tax", type: "avalara.createTransaction", typeVersion: 1, position: { x: 260, y: 0 }, config: {}, connectionId: conn.avalara },
          {
            id: "journal",
            type: "core.mapFields",
            typeVersion: 1,
            position: { x: 520, y: 0 },
            config: {
              fields: [
                { target: "date", expression: "$trigger.date" },
                { target: "referenceNo", expression: "$trigger.code" },
                { target: "description", expression: "'Sales and tax ' & $trigger.code" },
                {
                  target: "lines",
                  expression:
                    `$append([{ "accountNo": "1200", "type": "debit", "amount": ${money("totalAmount + $sum(jurisdictions.tax)")} }, { "accountNo": "4000", "type": "credit", "amount": ${money("totalAmount")} }], ` +
                    `jurisdictions[tax != 0].{ "accountNo": "2230", "type": "credit", "amount": ${money("tax")}, "document": key, "locationId": "US-WA" })`,
                },
              ],
            },
          },
          { id: "post", type: "intacct.createJournalEntry", typeVersion: 1, position: { x: 780, y: 0 }, config: { journal: "GJ" }, connectionId: conn.intacct },
        ],
        edges: [
          { id: "e1", source: "trigger", target: "tax" },
          { id: "e2", source: "tax", target: "journal" },
          { id: "e3", source: "journal", target: "post" },
        ],
      },
    });
    const before = await Promise.all([state("avalara"), state("intacct")]);

    const page = await suite.context.newPage();
    await page.goto(`${base()}/flows/${flowId}`, { timeout: COMPILE });
    await page.locator('[data-testid="tab-dryRun"]').click({ timeout: COMPILE });
    const sample = {
      code,
      date: "2024-06-28",
      customerCode: "C400",
      addresses: { shipFrom: { line1: "1 Market St", city: "San Francisco", region: "CA", postalCode: "94105", country: "US" }, shipTo: { line1: "255 S King St", city: "Seattle", region: "WA", postalCode: "98104", country: "US" } },
      lines: [{ number: "1", amount: 1000 }],
    };
    await page.locator('[data-testid="run-input"]').fill(JSON.stringify(sample));
    await page.locator('[data-testid="dry-run"]').click();
    const result = page.locator('[data-testid="run-result"]');
    await expect.poll(() => result.locator('[data-testid="run-status"]').innerText(), { timeout: 60_000 }).toMatch(/Dry run/);
    const posting = result.locator('[data-testid="posting-lines"]');
    await posting.waitFor({ timeout: 30_000 });
    const rows = await posting.locator("tbody tr").allTextContents();
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.filter((r) => r.includes("2230") && r.includes("US:WA:")).length).toBe(rows.length - 2);
    expect(await posting.locator("tfoot").textContent()).toContain("balance 0.00");

    expect(await Promise.all([state("avalara"), state("intacct")])).toEqual(before);
    await page.close();
  }, 300_000);
});
