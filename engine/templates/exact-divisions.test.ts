/**
 * One Exact connection serving two divisions, end to end through the Exact invoice -> Avalara ->
 * journal template: each record is routed to its own division (the record's `division`), with
 * one token pair for the connection, and each journal entry lands in its own division's ledger
 * in the sandbox. A record of a division the connection does not serve waits for review.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO } from "../../connectors/exact/sandbox/demo";
import { connectExactSandbox } from "../demo/seed";
import { activateFlow } from "../flows";
import { createWorkspace, testDb } from "../test/helpers";
import { instantiateTemplate } from "./index";
import { reviewItems, runRecords, sandboxConnection, sandboxPost, sandboxState, startSandboxes, type Sandboxes } from "./test-helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const db = testDb();
let sb: Sandboxes;
let workspaceId: string;
let target: { workspaceId: string; flowId: string; versionId: string };
const [EAST, WEST] = [DEMO.usDivision, DEMO.usSecondDivision];

const divisionState = async (code: number): Promise<Rec> => (await sandboxState(sb.urls.exact)).regions.us.divisions.find((d: Rec) => d.code === code);
const accountIn = (code: number, name: string) => sb.exact.world.regions.get("us")!.divisions.get(code)!.accounts.find((a) => a.Name === name)!.ID as string;
const entriesFor = async (code: number, invoiceId: string): Promise<Rec[]> =>
  (await divisionState(code)).journalEntries.filter((e: Rec) => e.lines.some((l: Rec) => String(l.Notes ?? "").includes(invoiceId)));

async function invoiceIn(code: number) {
  return (await sandboxPost(sb.urls.exact, "/__sandbox/invoices", {
    division: code,
    invoice: { InvoiceTo: accountIn(code, "Lone Star Components Inc."), InvoiceDate: "2026-03-05", SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 2 }] },
  })) as { InvoiceID: string; Division: number };
}

beforeAll(async () => {
  sb = await startSandboxes();
  workspaceId = await createWorkspace(db, "Divisions");
  const exact = await sandboxConnection(db, workspaceId, "exact", sb.urls.exact);
  const avalara = await sandboxConnection(db, workspaceId, "avalara", sb.urls.avalara);
  // The connection's current division stays 1001; it also serves 1002.
  await db.sql`update connections set config = config || ${JSON.stringify({ divisions: [WEST] })}::text::jsonb where id = ${exact}`;
  void avalara;
  await connectExactSandbox(db, workspaceId, exact, "https://app.ledgerline.example/api/oauth/callback");
  const created = await instantiateTemplate(db, workspaceId, "exact-invoice-avalara-journal", { demo: true });
  expect(created.problems).toEqual([]);
  target = { workspaceId, flowId: created.flowId, versionId: created.versionId };
  await activateFlow(db, workspaceId, created.flowId);
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

describe("an Exact connection serving two divisions", () => {
  it("posts each record's journal entry in its own division's ledger", async () => {
    const east = await invoiceIn(EAST);
    const west = await invoiceIn(WEST);
    expect(west.Division).toBe(WEST);
    const runs = await runRecords(db, target, [
      { key: `exact:${EAST}:${east.InvoiceID}`, version: "Create:1", data: { division: EAST, invoiceId: east.InvoiceID, action: "Create", eventCreatedOn: null } },
      { key: `exact:${WEST}:${west.InvoiceID}`, version: "Create:1", data: { division: WEST, invoiceId: west.InvoiceID, action: "Create", eventCreatedOn: null } },
    ]);
    expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded"]);

    const eastEntries = await entriesFor(EAST, east.InvoiceID);
    const westEntries = await entriesFor(WEST, west.InvoiceID);
    expect(eastEntries).toHaveLength(1);
    expect(westEntries).toHaveLength(1);
    // Neither entry is in the other division's ledger.
    expect(await entriesFor(WEST, east.InvoiceID)).toEqual([]);
    expect(await entriesFor(EAST, west.InvoiceID)).toEqual([]);
    for (const entry of [...eastEntries, ...westEntries]) {
      expect(entry.lines.reduce((s: number, l: Rec) => s + Math.round(l.AmountFC * 100), 0)).toBe(0);
      expect(entry.lines.some((l: Rec) => l.GLAccountCode === "4100" && l.AmountFC > 0)).toBe(true);
    }
    expect(eastEntries[0].Division).toBe(EAST);
    expect(westEntries[0].Division).toBe(WEST);

    // Each division's calls were counted against its own budget, on one token pair.
    const state = await sandboxState(sb.urls.exact);
    const rate = (code: number) => Object.values(state.regions.us.divisions.find((d: Rec) => d.code === code).rate as Record<string, { minute: number }>)[0]!.minute;
    expect(rate(EAST)).toBeGreaterThan(3);
    expect(rate(WEST)).toBeGreaterThan(3);
    expect(state.regions.us.tokens.issuedPairs).toBe(1);

    // A replay of the west record posts nothing new.
    const again = await runRecords(db, target, [
      { key: `exact:${WEST}:${west.InvoiceID}`, version: "Create:2", data: { division: WEST, invoiceId: west.InvoiceID, action: "Create", eventCreatedOn: null } },
    ]);
    expect(again.map((r) => r.status)).toEqual(["succeeded"]);
    expect(await entriesFor(WEST, west.InvoiceID)).toHaveLength(1);
  });

  it("sends a record of a division the connection does not serve to review, posting nothing", async () => {
    const runs = await runRecords(db, target, [
      { key: `exact:${DEMO.forbiddenDivision}:x`, version: "1", data: { division: DEMO.forbiddenDivision, invoiceId: "6b1e1f0a-8f55-4c2e-9a3f-0c2a1d3e4f50", action: "Create", eventCreatedOn: null } },
    ]);
    expect(runs.map((r) => r.status)).toEqual(["needs_review"]);
    const items = await reviewItems(db, runs[0]!.runId);
    expect(JSON.stringify(items)).toContain("division_not_served");
  });
});
