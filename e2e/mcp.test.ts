/**
 * Agents over MCP against the running product (Next.js, the worker, the sandboxes): the SDK's
 * client reads Intacct GL accounts through /api/mcp with the demo workspace's token; an admin
 * exposes the journal tool with an approval rule on Settings > Agents in real Chromium, and the
 * agent's tool list follows. The demo workspace's settings are put back afterwards.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, describe, expect, inject, it } from "vitest";
import { api, signedInSuite } from "./session";

const suite = signedInSuite({ viewport: { width: 1440, height: 900 } });
const base = () => inject("baseUrl");
type Settings = { settings: Record<string, unknown> };
let original: Settings["settings"] | undefined;

async function agent(): Promise<Client> {
  const client = new Client({ name: "e2e-agent", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base()}/api/mcp`), { requestInit: { headers: { authorization: `Bearer ${inject("apiToken")}` } } }));
  return client;
}

afterAll(async () => {
  if (original) await api("mcp.update", original);
});

describe("agents (MCP)", () => {
  it("reads GL accounts through /api/mcp, and lists the journal tool once an admin exposes it on Settings > Agents", async () => {
    original = (await api<Settings>("mcp.settings", undefined, "query")).settings;
    const client = await agent();
    const before = (await client.listTools()).tools.map((t) => t.name);
    expect(before).toContain("intacct_list_glAccounts");
    expect(before).not.toContain("intacct_createJournalEntry");
    // Other browser tests add Intacct connections to the demo workspace: name the seeded one.
    const accounts = await client.callTool({ name: "intacct_list_glAccounts", arguments: { connection: "Intacct sandbox (demo company)", limit: 500 } });
    expect(accounts.isError, `the tool answered: ${JSON.stringify(accounts.content).slice(0, 500)}`).toBeFalsy();
    const values = ((accounts.structuredContent as { result: { options: { value: string }[] } }).result.options).map((o) => o.value);
    expect(values).toEqual(expect.arrayContaining(["4000", "6200"]));

    const page = await suite.context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${base()}/settings/mcp`, { timeout: 120_000 });
    await page.getByLabel("Expose intacct_createJournalEntry").check({ timeout: 120_000 });
    await page.getByLabel("Approval rule of intacct_createJournalEntry").fill("$sum(lines[type='debit'].$number(amount)) > 10000");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved: agents see the new tool list").waitFor();

    const after = (await client.listTools()).tools;
    expect(after.map((t) => t.name)).toContain("intacct_createJournalEntry");
    const saved = await api<Settings>("mcp.settings", undefined, "query");
    expect((saved.settings.approvals as Record<string, string>).intacct_createJournalEntry).toContain("> 10000");
    const dry = await client.callTool({
      name: "intacct_createJournalEntry",
      arguments: {
        requestId: `e2e-dry-${Date.now()}`,
        connection: "Intacct sandbox (demo company)",
        dryRun: true,
        input: { date: "2026-11-30", description: "e2e dry run", referenceNo: "E2E-MCP-DRY", lines: [{ accountNo: "6200", type: "debit", amount: "12.00" }, { accountNo: "2000", type: "credit", amount: "12.00" }] },
      },
    });
    expect((dry.structuredContent as { status: string } | undefined)?.status, `the tool answered: ${JSON.stringify(dry.content).slice(0, 500)}`).toBe("dry_run");
    await client.close();
  });
});
