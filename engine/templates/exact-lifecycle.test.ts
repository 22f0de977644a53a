/**
 * The Exact invoice -> Avalara -> Exact journal template over an invoice's whole life, end to end:
 * real sandboxes over HTTP, real PostgreSQL, the real executor. Every test checks the sandboxes'
 * own state: the journal's tax per document equals Avalara's current tax for it, every entry
 * balances (document and division currency), reversals name and negate the entry they reverse,
 * and a replay posts nothing new.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonb } from "../../db/client";
import { encryptJson } from "../../db/crypto";
import { registry } from "../registry";
import { connectExactSandbox } from "../demo/seed";
import { executeRun } from "../executor/run";
import { activateFlow, saveVersion } from "../flows";
import { replayRun } from "../runs";
import { createWorkspace, testDb } from "../test/helpers";
import { tick } from "../triggers";
import { instantiateTemplate } from "./index";
import { nodeStatuses, reviewItems, runRecords, sandboxConnection, sandboxPost, sandboxState, startSandboxes, type Sandboxes } from "./test-helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const db = testDb();
let sb: Sandboxes;
let workspaceId: string;
let flowId: string;
let versionId: string;
const division = 1001;
const connections: Record<string, string> = {};

const divisionState = async (): Promise<Rec> => (await sandboxState(sb.urls.exact)).regions.us.divisions.find((d: Rec) => d.code === division);
const codeOf = (invoiceId: string) => `EXACT-${division}-${invoiceId}`;
const entriesOf = async (invoiceId: string): Promise<Rec[]> =>
  (await divisionState()).journalEntries.filter((e: Rec) => e.lines.some((l: Rec) => String(l.Notes ?? "").startsWith(`tax:${codeOf(invoiceId)}|`)));
const avalaraDocs = async (invoiceId: string): Promise<Rec[]> => (await sandboxState(sb.urls.avalara)).documents.filter((d: Rec) => d.code.startsWith(codeOf(invoiceId)));
const cents = (n: number) => Math.round(n * 100);

/** Avalara's current tax for the document: its live versions (a voided one counts 0) and any refund. */
async function avalaraTax(invoiceId: string): Promise<number> {
  return (await avalaraDocs(invoiceId)).filter((d) => d.status !== "Cancelled").reduce((s, d) => s + cents(d.totalTax), 0);
}
/** The journal's tax for the document: minus the sum of its lines off the 4100 offset account. */
async function ledgerTax(invoiceId: string): Promise<number> {
  const lines = (await entriesOf(invoiceId)).flatMap((e) => e.lines).filter((l: Rec) => l.GLAccountCode !== "4100");
  return -lines.reduce((s: number, l: Rec) => s + cents(l.AmountFC), 0);
}
async function ledgerTaxDC(invoiceId: string): Promise<number> {
  const lines = (await entriesOf(invoiceId)).flatMap((e) => e.lines).filter((l: Rec) => l.GLAccountCode !== "4100");
  return -lines.reduce((s: number, l: Rec) => s + cents(l.AmountDC), 0);
}

/** The books' invariants for one document, checked on the sandboxes' state. */
async function expectBooksMatch(invoiceId: string) {
  const entries = await entriesOf(invoiceId);
  expect((await ledgerTax(invoiceId)) + 0).toBe((await avalaraTax(invoiceId)) + 0);
  for (const e of entries) {
    expect(Math.abs(e.lines.reduce((s: number, l: Rec) => s + cents(l.AmountFC), 0)), `entry ${e.EntryNumber} balances`).toBe(0);
    expect(Math.abs(e.lines.reduce((s: number, l: Rec) => s + cents(l.AmountDC), 0)), `entry ${e.EntryNumber} balances in USD`).toBe(0);
  }
  for (const reversal of entries.filter((e) => e.Reversal)) {
    const reversed = /\|reverses=([0-9a-f-]{36})/.exec(reversal.lines[0].Notes)?.[1];
    const original = entries.find((e) => e.EntryID === reversed);
    expect(original, `entry ${reversal.EntryNumber} names the entry it reverses`).toBeDefined();
    expect(reversal.lines[0].Description).toBe(`Reversal of entry ${original!.EntryNumber}`);
    const sorted = (rows: (string | number)[][]) => rows.sort((a, b) => String(a).localeCompare(String(b)));
    expect(sorted(reversal.lines.map((l: Rec) => [l.GLAccountCode, -cents(l.AmountFC), -cents(l.AmountDC)]))).toEqual(
      sorted(original!.lines.map((l: Rec) => [l.GLAccountCode, cents(l.AmountFC), cents(l.AmountDC)])),
    );
    expect(entries.filter((e) => e.Reversal && e.lines[0].Notes.includes(`reverses=${reversed}`))).toHaveLength(1);
  }
  return entries;
}

const accountId = (name: string) => sb.exact.world.regions.get("us")!.divisions.get(division)!.accounts.find((a) => a.Name === name)!.ID as string;
const invoiceRow = (invoiceId: string) => sb.exact.world.regions.get("us")!.divisions.get(division)!.invoices.find((i) => i.InvoiceID === invoiceId);

async function newInvoice(customer: string, lines: Rec[], extra: Rec = {}) {
  return (await sandboxPost(sb.urls.exact, "/__sandbox/invoices", { invoice: { InvoiceTo: accountId(customer), InvoiceDate: "2026-03-05", SalesInvoiceLines: lines, ...extra } })) as {
    InvoiceID: string;
    InvoiceNumber: number;
  };
}
/** Move the sandbox clock a second, so each change of an invoice has its own Modified. */
const later = () => sandboxPost(sb.urls.exact, "/__sandbox/clock", { advanceMs: 1000 });
async function edit(invoiceId: string, patch: Rec) {
  await later();
  await sandboxPost(sb.urls.exact, `/__sandbox/invoices/${invoiceId}`, { patch });
}
async function remove(invoiceId: string) {
  await later();
  await sandboxPost(sb.urls.exact, `/__sandbox/invoices/${invoiceId}/delete`, {});
}

/** One run for the invoice as a notification of `action` would start it; returns run id and status. */
async function runFor(invoiceId: string, action: "Create" | "Update" | "Delete" = "Update", target = { workspaceId, flowId, versionId }) {
  const row = invoiceRow(invoiceId);
  const version = `${action}:${row ? String(row.Modified) : `gone:${Date.now()}`}`;
  const [run] = await runRecords(db, target, [{ key: `exact:${division}:${invoiceId}`, version, data: { division, invoiceId, action, eventCreatedOn: null } }]);
  return run!;
}

async function replay(runId: string) {
  const child = await replayRun(db, workspaceId, runId, { from: "start", version: "own" });
  return (await executeRun(db, child)).status;
}

beforeAll(async () => {
  sb = await startSandboxes();
  workspaceId = await createWorkspace(db, "Lifecycle");
  for (const system of ["exact", "avalara"] as const) connections[system] = await sandboxConnection(db, workspaceId, system, sb.urls[system]);
  await connectExactSandbox(db, workspaceId, connections.exact!, "https://app.ledgerline.example/api/oauth/callback");
  const created = await instantiateTemplate(db, workspaceId, "exact-invoice-avalara-journal", { demo: true });
  expect(created.problems).toEqual([]);
  ({ flowId, versionId } = created);
  await activateFlow(db, workspaceId, flowId);
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

describe("Exact invoice lifecycle: created, edited, deleted, credited", () => {
  it("created: one balanced entry equal to Avalara's tax, committed after posting; a replay posts nothing", async () => {
    const inv = await newInvoice("Lone Star Components Inc.", [
      { ItemCode: "LIC-STD", Quantity: 2 },
      { ItemCode: "SUP-ANN", Quantity: 2 },
    ]);
    const run = await runFor(inv.InvoiceID, "Create");
    expect(run.status).toBe("succeeded");
    const [doc] = await avalaraDocs(inv.InvoiceID);
    expect(doc).toMatchObject({ type: "SalesInvoice", status: "Committed", version: 1, totalTax: 1108.8 });
    const entries = await expectBooksMatch(inv.InvoiceID);
    expect(entries).toHaveLength(1);
    expect(entries[0].lines.map((l: Rec) => [l.GLAccountCode, l.AmountFC, l.CostCenter])).toEqual([
      ["2230", -840, "120"],
      ["2250", -134.4, "120"],
      ["2250", -134.4, "120"],
      ["4100", 1108.8, null],
    ]);
    // Avalara's log: the document was committed only after the journal was posted (commit last).
    const log = (await sandboxState(sb.urls.avalara)).log.filter((l: Rec) => l.code === codeOf(inv.InvoiceID)).map((l: Rec) => `${l.operation} ${l.status}`);
    expect(log).toEqual(["create Saved", "commit Committed"]);
    // Exact calls of the run, from its log: the invoice read once, and then the writes.
    const calls = await db.sql<{ method: string; url: string }[]>`
      select c->>'method' as method, c->>'url' as url from node_runs, jsonb_array_elements(http_calls) c
      where run_id = ${run.runId} and c->>'url' like ${`${sb.urls.exact}%`} and c->>'url' not like '%/oauth2/%'`;
    expect(calls.filter((c) => c.url.includes("/salesinvoice/SalesInvoices"))).toHaveLength(1);
    expect(calls.filter((c) => c.method === "POST").map((c) => new URL(c.url).pathname)).toEqual([`/us/api/v1/${division}/generaljournalentry/GeneralJournalEntries`]);

    expect(await replay(run.runId)).toBe("succeeded");
    expect(await entriesOf(inv.InvoiceID)).toHaveLength(1);
    expect((await avalaraDocs(inv.InvoiceID))[0]).toMatchObject({ version: 1, adjustments: 0 });
  });

  it("edited: Avalara adjusted with its reason as version 2; the entry in force reversed and a new one posted, once", async () => {
    const inv = await newInvoice("Lone Star Components Inc.", [{ ItemCode: "LIC-STD", Quantity: 1 }]);
    expect((await runFor(inv.InvoiceID, "Create")).status).toBe("succeeded");
    const first = await avalaraTax(inv.InvoiceID);

    await edit(inv.InvoiceID, { SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 3 }] });
    const run = await runFor(inv.InvoiceID);
    expect(run.status).toBe("succeeded");
    const [doc] = await avalaraDocs(inv.InvoiceID);
    expect(doc).toMatchObject({ status: "Committed", version: 2, adjustmentReason: "PriceAdjusted", versions: [{ version: 1, status: "Adjusted", totalTax: first / 100 }] });
    expect(doc.adjustmentDescription).toContain("changed");
    expect(cents(doc.totalTax)).toBe(first * 3);
    const entries = await expectBooksMatch(inv.InvoiceID);
    expect(entries.map((e) => e.Reversal)).toEqual([false, true, false]);

    // The same edit delivered again (replay, or webhook and poll both): nothing new anywhere.
    expect(await replay(run.runId)).toBe("succeeded");
    expect(await nodeStatuses(db, run.runId)).toMatchObject({ sync: "succeeded", post: "succeeded", commit: "succeeded" });
    expect(await entriesOf(inv.InvoiceID)).toHaveLength(3);
    expect((await avalaraDocs(inv.InvoiceID))[0]).toMatchObject({ version: 2 });

    // A second edit: reverses entry 3 (the one in force), not entry 1 again.
    await edit(inv.InvoiceID, { SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 2 }] });
    expect((await runFor(inv.InvoiceID)).status).toBe("succeeded");
    expect((await avalaraDocs(inv.InvoiceID))[0]).toMatchObject({ version: 3 });
    expect((await expectBooksMatch(inv.InvoiceID)).map((e) => e.Reversal)).toEqual([false, true, false, true, false]);

    // An edit that leaves the tax as it is (the description): no Avalara version, no entry.
    await edit(inv.InvoiceID, { Description: "renewal 2026" });
    expect((await runFor(inv.InvoiceID)).status).toBe("succeeded");
    expect((await avalaraDocs(inv.InvoiceID))[0]).toMatchObject({ version: 3 });
    expect(await entriesOf(inv.InvoiceID)).toHaveLength(5);
  });

  it("deleted: Avalara voided with DocVoided, the entry in force reversed; the poll finds the deletion in sync/Deleted and posts nothing more", async () => {
    const inv = await newInvoice("Lone Star Components Inc.", [{ ItemCode: "LIC-PRO", Quantity: 1 }]);
    expect((await runFor(inv.InvoiceID, "Create")).status).toBe("succeeded");
    await remove(inv.InvoiceID);
    const deletedRow = (await divisionState()).deleted.find((d: Rec) => d.EntityKey === inv.InvoiceID);
    expect(deletedRow).toMatchObject({ EntityType: 13 });
    const run = await runFor(inv.InvoiceID, "Delete");
    expect(run.status).toBe("succeeded");
    expect((await avalaraDocs(inv.InvoiceID))[0]).toMatchObject({ status: "Cancelled" });
    expect((await sandboxState(sb.urls.avalara)).log.filter((l: Rec) => l.code === codeOf(inv.InvoiceID)).map((l: Rec) => l.operation)).toContain("void:DocVoided");
    const entries = await expectBooksMatch(inv.InvoiceID);
    expect(entries.map((e) => e.Reversal)).toEqual([false, true]);
    expect((await ledgerTax(inv.InvoiceID)) + 0).toBe(0);
    expect(await replay(run.runId)).toBe("succeeded");
    expect(await entriesOf(inv.InvoiceID)).toHaveLength(2);

    // The hourly reconciliation sees the same deletion through sync/Deleted: its run changes nothing.
    const poll = await instantiateTemplate(db, workspaceId, "exact-invoice-avalara-journal-poll", { demo: true });
    expect(poll.problems).toEqual([]);
    await activateFlow(db, workspaceId, poll.flowId);
    expect((await tick(db, poll.flowId)).error).toBeUndefined();
    const polled = await db.sql<{ id: string; record_version: string }[]>`
      select id::text, record_version from runs where flow_id = ${poll.flowId} and record_key = ${`exact:${division}:${inv.InvoiceID}`}`;
    const deletion = polled.find((r) => r.record_version.startsWith("deleted:"));
    expect(deletion).toBeDefined();
    expect((await executeRun(db, deletion!.id)).status).toBe("succeeded");
    expect(await entriesOf(inv.InvoiceID)).toHaveLength(2);
    await expectBooksMatch(inv.InvoiceID);
  });

  it("deleted while locked by a filed return: refunded in full as a ReturnInvoice, the entry reversed", async () => {
    const inv = await newInvoice("Lone Star Components Inc.", [{ ItemCode: "LIC-STD", Quantity: 1 }]);
    expect((await runFor(inv.InvoiceID, "Create")).status).toBe("succeeded");
    await sandboxPost(sb.urls.avalara, "/__sandbox/lock", { companyCode: "DEFAULT", code: codeOf(inv.InvoiceID) });
    await remove(inv.InvoiceID);
    expect((await runFor(inv.InvoiceID, "Delete")).status).toBe("succeeded");
    const docs = await avalaraDocs(inv.InvoiceID);
    expect(docs.map((d) => [d.type, d.status, d.locked])).toEqual([
      ["SalesInvoice", "Committed", true],
      ["ReturnInvoice", "Committed", false],
    ]);
    expect(cents(docs[1]!.totalTax)).toBe(-cents(docs[0]!.totalTax));
    expect(await avalaraTax(inv.InvoiceID)).toBe(0);
    expect((await expectBooksMatch(inv.InvoiceID)).map((e) => e.Reversal)).toEqual([false, true]);
  });

  it("edited while locked: waits for review naming the lock, nothing posted", async () => {
    const inv = await newInvoice("Lone Star Components Inc.", [{ ItemCode: "LIC-STD", Quantity: 1 }]);
    expect((await runFor(inv.InvoiceID, "Create")).status).toBe("succeeded");
    await sandboxPost(sb.urls.avalara, "/__sandbox/lock", { companyCode: "DEFAULT", code: codeOf(inv.InvoiceID) });
    await edit(inv.InvoiceID, { SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 2 }] });
    const run = await runFor(inv.InvoiceID);
    expect(run.status).toBe("needs_review");
    expect((await reviewItems(db, run.runId))[0]).toMatchObject({ node_id: "sync", reason_code: "locked_transaction" });
    expect(await entriesOf(inv.InvoiceID)).toHaveLength(1);
    await expectBooksMatch(inv.InvoiceID);
  });

  it("credited: a credit note is a ReturnInvoice with negative amounts and an entry with the signs reversed", async () => {
    const note = await newInvoice("Lone Star Components Inc.", [{ ItemCode: "LIC-STD", Quantity: -1 }], { Type: 8021 });
    expect((await runFor(note.InvoiceID, "Create")).status).toBe("succeeded");
    const [doc] = await avalaraDocs(note.InvoiceID);
    expect(doc).toMatchObject({ type: "ReturnInvoice", status: "Committed" });
    expect(doc.totalTax).toBeLessThan(0);
    const [entry] = await expectBooksMatch(note.InvoiceID);
    expect(entry.lines.find((l: Rec) => l.GLAccountCode === "2230").AmountFC).toBeGreaterThan(0);
    expect(entry.lines.find((l: Rec) => l.GLAccountCode === "4100").AmountFC).toBeLessThan(0);
    // The credit note deleted again: its ReturnInvoice voided, its entry reversed.
    await remove(note.InvoiceID);
    expect((await runFor(note.InvoiceID, "Delete")).status).toBe("succeeded");
    expect((await avalaraDocs(note.InvoiceID))[0]).toMatchObject({ type: "ReturnInvoice", status: "Cancelled" });
    expect((await expectBooksMatch(note.InvoiceID)).map((e) => e.Reversal)).toEqual([false, true]);
  });
});

describe("no silent defaults, commit last, closed periods, currency", () => {
  it("an item without a tax code parks the run naming it; a declared default row (*) is used and logged", async () => {
    const [table] = await db.sql<{ id: string }[]>`select id::text from lookup_tables where workspace_id = ${workspaceId} and name = 'Avalara tax codes (Exact items)'`;
    await db.sql`delete from lookup_rows where table_id = ${table!.id} and key = 'TRN-DAY'`;
    const before = (await sandboxState(sb.urls.avalara)).log.length;
    const inv = await newInvoice("Lone Star Components Inc.", [{ ItemCode: "TRN-DAY", Quantity: 1 }]);
    const run = await runFor(inv.InvoiceID, "Create");
    expect(run.status).toBe("needs_review");
    const [item] = await reviewItems(db, run.runId);
    expect(item).toMatchObject({ node_id: "sync", reason_code: "missing_tax_code" });
    expect(item!.reason).toContain("item TRN-DAY");
    expect((await sandboxState(sb.urls.avalara)).log.length).toBe(before);
    expect(await entriesOf(inv.InvoiceID)).toHaveLength(0);

    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${workspaceId}, ${table!.id}, '*', '{"taxCode":"P0000000"}'::jsonb)`;
    const child = await replayRun(db, workspaceId, run.runId, { from: "start", version: "own" });
    expect((await executeRun(db, child)).status).toBe("succeeded");
    const [logs] = await db.sql<{ logs: { message: string }[] }[]>`select logs from node_runs where run_id = ${child} and node_id = 'sync'`;
    expect(logs!.logs.map((l) => l.message).join("\n")).toContain("using the table's default row (*) P0000000");
    await expectBooksMatch(inv.InvoiceID);
    await db.sql`delete from lookup_rows where table_id = ${table!.id} and key = '*'`;
  });

  it("a jurisdiction without a GL account parks the run before anything is posted or committed", async () => {
    // Van Dijk Distributie (Amsterdam): Avalara charges Dutch VAT, which the US tax GL table does not map.
    const inv = await newInvoice("Van Dijk Distributie B.V.", [{ ItemCode: "LIC-STD", Quantity: 1 }]);
    const run = await runFor(inv.InvoiceID, "Create");
    expect(run.status).toBe("needs_review");
    expect((await reviewItems(db, run.runId))[0]).toMatchObject({ node_id: "taxGl", reason_code: "lookup_miss" });
    expect((await avalaraDocs(inv.InvoiceID))[0]).toMatchObject({ status: "Saved" });
    expect(await entriesOf(inv.InvoiceID)).toHaveLength(0);
  });

  it("a failure after posting retries only the commit", async () => {
    const inv = await newInvoice("Lone Star Components Inc.", [{ ItemCode: "LIC-STD", Quantity: 1 }]);
    // The next Avalara call after the journal entry is posted answers 500: that is the commit.
    const entries = sb.exact.world.regions.get("us")!.divisions.get(division)!.entries;
    const push = entries.push.bind(entries);
    entries.push = (...rows) => {
      sb.avalara.faults.queue.push("serverError");
      entries.push = push;
      return push(...rows);
    };
    const run = await runFor(inv.InvoiceID, "Create");
    expect(run.status).toBe("succeeded");
    const attempts = await db.sql<{ node_id: string; attempts: unknown[] }[]>`select node_id, attempts from node_runs where run_id = ${run.runId}`;
    const byNode = Object.fromEntries(attempts.map((a) => [a.node_id, a.attempts.length]));
    expect(byNode).toMatchObject({ sync: 1, post: 1, commit: 2 });
    expect((await avalaraDocs(inv.InvoiceID))[0]).toMatchObject({ status: "Committed" });
    expect(await entriesOf(inv.InvoiceID)).toHaveLength(1);
    await expectBooksMatch(inv.InvoiceID);
  });

  it("closed period: parks with 'period closed', or by the flow setting posts on the first day of the next open period", async () => {
    await sandboxPost(sb.urls.exact, "/__sandbox/periods", { division, year: 2026, period: 2, journal: "90", closed: true });
    const inv = await newInvoice("Lone Star Components Inc.", [{ ItemCode: "LIC-STD", Quantity: 1 }], { InvoiceDate: "2026-02-20" });
    const run = await runFor(inv.InvoiceID, "Create");
    expect(run.status).toBe("needs_review");
    const [item] = await reviewItems(db, run.runId);
    expect(item).toMatchObject({ node_id: "post", reason_code: "period_closed" });
    expect(item!.reason).toMatch(/^Period closed: 2026\/2/);
    expect(await entriesOf(inv.InvoiceID)).toHaveLength(0);
    expect((await avalaraDocs(inv.InvoiceID))[0]).toMatchObject({ status: "Saved" });

    // The flow is set to post in the next open period, and the run is replayed.
    const [current] = await db.sql<{ definition: Rec }[]>`select definition from flow_versions where id = ${versionId}`;
    const definition = structuredClone(current!.definition);
    definition.nodes.find((n: Rec) => n.id === "post").config.closedPeriod = "nextOpenPeriod";
    const saved = await saveVersion(db, workspaceId, flowId, definition);
    const child = await replayRun(db, workspaceId, run.runId, { from: "start", version: "latest" });
    expect((await executeRun(db, child)).status).toBe("succeeded");
    const [entry] = await expectBooksMatch(inv.InvoiceID);
    expect(entry.lines.every((l: Rec) => String(l.Date).includes(String(Date.UTC(2026, 2, 1))))).toBe(true);
    expect(entry).toMatchObject({ FinancialYear: 2026, FinancialPeriod: 3 });
    const [logs] = await db.sql<{ logs: { message: string }[]; output: Rec }[]>`select logs, output from node_runs where run_id = ${child} and node_id = 'post'`;
    expect(logs!.logs.map((l) => l.message).join("\n")).toContain("Period closed: 2026/2 is closed in journal 90; posting on 2026-03-01, the first day of the next open period");
    expect(logs!.output).toMatchObject({ date: "2026-03-01", movedFrom: "2026-02-20" });
    expect((await avalaraDocs(inv.InvoiceID))[0]).toMatchObject({ status: "Committed" });
    versionId = saved.versionId;
    await sandboxPost(sb.urls.exact, "/__sandbox/periods", { division, year: 2026, period: 2, journal: "90", closed: false });
  });

  it("currency: a EUR invoice in the USD division posts in EUR with the exchange rate and balanced USD amounts", async () => {
    const inv = await newInvoice("Lone Star Components Inc.", [{ ItemCode: "SUP-ANN", Quantity: 3 }], { Currency: "EUR", ExchangeRate: 1.0837 });
    const run = await runFor(inv.InvoiceID, "Create");
    expect(run.status).toBe("succeeded");
    const [doc] = await avalaraDocs(inv.InvoiceID);
    const [entry] = await expectBooksMatch(inv.InvoiceID);
    expect(entry).toMatchObject({ Currency: "EUR", ExchangeRate: 1.0837 });
    expect(await ledgerTax(inv.InvoiceID)).toBe(cents(doc.totalTax));
    // Each line in USD is its EUR amount at the rate, to the cent; the entry balances in both.
    const usd = await ledgerTaxDC(inv.InvoiceID);
    expect(Math.abs(usd - Math.round(cents(doc.totalTax) * 1.0837))).toBeLessThanOrEqual(1);
    const [post] = await db.sql<{ output: Rec }[]>`select output from node_runs where run_id = ${run.runId} and node_id = 'post'`;
    expect(post!.output).toMatchObject({ currency: "EUR", exchangeRate: 1.0837, rateDate: "2026-03-05" });
  });
});

describe("reconciliation after a mixed scenario of 50 documents", () => {
  // About 80 runs over HTTP: minutes on a loaded machine, not seconds.
  it("posted tax per jurisdiction and currency equals Avalara's, to the cent", { timeout: 300_000 }, async () => {
    await sandboxPost(sb.urls.exact, "/__sandbox/periods", { division, year: 2026, period: 1, journal: "90", closed: true });
    // The flow posts a closed period's documents in the next open period.
    const [current] = await db.sql<{ definition: Rec }[]>`select definition from flow_versions where id = ${versionId}`;
    if (current!.definition.nodes.find((n: Rec) => n.id === "post").config.closedPeriod !== "nextOpenPeriod") {
      const definition = structuredClone(current!.definition);
      definition.nodes.find((n: Rec) => n.id === "post").config.closedPeriod = "nextOpenPeriod";
      versionId = (await saveVersion(db, workspaceId, flowId, definition)).versionId;
    }
    const customers = ["Lone Star Components Inc.", "Hudson Freight Co.", "Pacific Ledger Partners", "Golden Gate Dental Group"];
    const items = ["LIC-STD", "LIC-PRO", "SUP-ANN", "SVC-IMPL"];
    const pick = (n: number) => ({ customer: customers[n % customers.length]!, item: items[(n * 7) % items.length]! });
    const docs: string[] = [];
    const statuses: string[] = [];
    const create = async (n: number, extra: Rec = {}, quantity = 1 + (n % 3)) => {
      const { customer, item } = pick(n);
      const inv = await newInvoice(customer, [{ ItemCode: item, Quantity: extra.Type === 8021 ? -quantity : quantity }, { ItemCode: "SUP-ANN", Quantity: extra.Type === 8021 ? -1 : 1 }], extra);
      docs.push(inv.InvoiceID);
      statuses.push((await runFor(inv.InvoiceID, "Create")).status);
      return inv.InvoiceID;
    };
    const change = async (id: string, n: number, quantity: number) => {
      await edit(id, { SalesInvoiceLines: [{ ItemCode: pick(n).item, Quantity: quantity }] });
      statuses.push((await runFor(id)).status);
    };

    for (let n = 0; n < 20; n++) await create(n); // 20 created
    for (let n = 20; n < 26; n++) {
      const id = await create(n); // 6 edited twice
      await change(id, n, 4);
      await change(id, n + 1, 2);
    }
    for (let n = 26; n < 32; n++) {
      const id = await create(n); // 6 deleted (voided at Avalara, reversed in the journal)
      await remove(id);
      statuses.push((await runFor(id, "Delete")).status);
    }
    for (let n = 32; n < 38; n++) await create(n, { Type: 8021 }); // 6 credit notes
    for (let n = 38; n < 44; n++) {
      const id = await create(n, { Currency: "EUR", ExchangeRate: 1.0837 }); // 6 in EUR, two of them edited
      if (n < 40) await change(id, n, 3);
    }
    for (let n = 44; n < 50; n++) await create(n, { InvoiceDate: "2026-01-15" }); // 6 in a closed period: posted on 2026-02-01
    expect(docs).toHaveLength(50);
    expect(statuses.every((s) => s === "succeeded"), statuses.join(",")).toBe(true);

    // The ledger, per jurisdiction and currency: minus the tax lines of the 50 documents (reversals included).
    const state = await divisionState();
    const codes = new Set(docs.map(codeOf));
    const ledger = new Map<string, number>();
    for (const entry of state.journalEntries as Rec[]) {
      for (const line of entry.lines as Rec[]) {
        const m = /^tax:([^|]+)\|.*\|j=([^|]+)/.exec(String(line.Notes ?? ""));
        if (!m || !codes.has(m[1]!)) continue;
        const key = `${m[2]} ${entry.Currency}`;
        ledger.set(key, (ledger.get(key) ?? 0) - cents(line.AmountFC));
      }
    }
    // Avalara, per jurisdiction and currency: the current versions of the same documents (voided ones count nothing).
    const avalara = new Map<string, number>();
    for (const doc of (await sandboxState(sb.urls.avalara)).documents as Rec[]) {
      if (!codes.has(doc.code) || doc.status === "Cancelled") continue;
      const currency = invoiceRow(doc.code.slice(`EXACT-${division}-`.length))?.Currency ?? "USD";
      for (const [jurisdiction, tax] of Object.entries(doc.taxByJurisdiction as Record<string, number>)) {
        const key = `${jurisdiction} ${currency}`;
        avalara.set(key, (avalara.get(key) ?? 0) + cents(tax));
      }
    }
    const nonZero = (m: Map<string, number>) => Object.fromEntries([...m].filter(([, v]) => v !== 0).sort(([a], [b]) => a.localeCompare(b)));
    expect(Object.keys(nonZero(avalara)).length).toBeGreaterThan(5);
    expect(Object.keys(nonZero(avalara)).some((k) => k.endsWith(" EUR"))).toBe(true);
    expect(nonZero(ledger)).toEqual(nonZero(avalara));
    for (const id of docs) await expectBooksMatch(id);
    // The closed period's documents were posted on the first day of the next open period.
    const moved = (state.journalEntries as Rec[]).filter((e) => docs.slice(44).some((id) => e.lines[0].Notes.startsWith(`tax:${codeOf(id)}|`)));
    // (Documents without tax, e.g. software in California, have no entry.)
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.map((e) => `${e.FinancialYear}/${e.FinancialPeriod}`)).toEqual(Array(moved.length).fill("2026/2"));
  });
});

describe("a GBP invoice in the UK division", () => {
  it("posts the VAT Avalara computes in GBP, the division's own currency, balanced", async () => {
    const ws = await createWorkspace(db, "Lifecycle UK");
    const demo = registry.connector("exact")!.sandbox!(sb.urls.exact);
    const [row] = await db.sql<{ id: string }[]>`
      insert into connections (workspace_id, system, name, config, secrets_enc)
      values (${ws}, 'exact', 'Exact UK sandbox', ${jsonb({ ...demo.config, region: "UK", division: 4001 })}::text::jsonb, ${encryptJson(demo.secrets)})
      returning id::text`;
    await connectExactSandbox(db, ws, row!.id, "https://app.ledgerline.example/api/oauth/callback");
    await sandboxConnection(db, ws, "avalara", sb.urls.avalara);
    const created = await instantiateTemplate(db, ws, "exact-invoice-avalara-journal", { demo: true });
    expect(created.problems).toEqual([]);
    const uk = sb.exact.world.regions.get("uk")!.divisions.get(4001)!;
    const customer = uk.accounts.find((a) => a.Name === "Thornbury Trading Ltd")!.ID as string;
    const inv = (await sandboxPost(sb.urls.exact, "/__sandbox/invoices", {
      region: "uk",
      division: 4001,
      invoice: { InvoiceTo: customer, InvoiceDate: "2026-03-05", SalesInvoiceLines: [{ ItemCode: "SVC-IMPL", Quantity: 4 }] },
    })) as { InvoiceID: string };
    const target = { workspaceId: ws, flowId: created.flowId, versionId: created.versionId };
    const record = { key: `exact:4001:${inv.InvoiceID}`, version: "1", data: { division: 4001, invoiceId: inv.InvoiceID, action: "Create", eventCreatedOn: null } };
    const [first] = await runRecords(db, target, [record]);
    // The US tax GL table has no row for British VAT yet: the run says which jurisdiction to map.
    expect(first!.status).toBe("needs_review");
    const [item] = await reviewItems(db, first!.runId);
    const missing = (item!.details as { missing: string[] }).missing;
    expect(missing.every((k) => k.startsWith("GB:"))).toBe(true);
    for (const key of missing) {
      await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${ws}, ${created.tableIds.taxGl!}, ${key}, '{"glAccount":"2240"}'::jsonb)`;
    }
    const child = await replayRun(db, ws, first!.runId, { from: "start", version: "own" });
    expect((await executeRun(db, child)).status).toBe("succeeded");
    const ukState = (await sandboxState(sb.urls.exact)).regions.uk.divisions.find((d: Rec) => d.code === 4001);
    const entries = (ukState.journalEntries as Rec[]).filter((e) => e.lines.some((l: Rec) => String(l.Notes).startsWith(`tax:EXACT-4001-${inv.InvoiceID}|`)));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ Currency: "GBP", ExchangeRate: 1 });
    const doc = (await sandboxState(sb.urls.avalara)).documents.find((d: Rec) => d.code === `EXACT-4001-${inv.InvoiceID}`);
    expect(doc).toMatchObject({ status: "Committed" });
    expect(doc.totalTax).toBeGreaterThan(0);
    const taxLines = entries[0]!.lines.filter((l: Rec) => l.GLAccountCode !== "4100");
    expect(-taxLines.reduce((s: number, l: Rec) => s + cents(l.AmountFC), 0)).toBe(cents(doc.totalTax));
    expect(entries[0]!.lines.reduce((s: number, l: Rec) => s + cents(l.AmountDC), 0) + 0).toBe(0);
  });
});
