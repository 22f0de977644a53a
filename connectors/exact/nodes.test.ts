import { z } from "zod";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AlreadyDoneError, NeedsReviewError, PermanentError, RetryableError, type TriggerContext } from "../sdk";
import type { ExactClient } from "./client";
import { exact } from "./index";
import { createGeneralJournalEntry } from "./nodes/createGeneralJournalEntry";
import { getSalesInvoice } from "./nodes/getSalesInvoice";
import { listCostCenters } from "./nodes/listCostCenters";
import { listCostUnits } from "./nodes/listCostUnits";
import { listGlAccounts } from "./nodes/listGlAccounts";
import { listJournals } from "./nodes/listJournals";
import { listVatCodes } from "./nodes/listVatCodes";
import { salesInvoicePoll } from "./nodes/salesInvoicePoll";
import { DEMO } from "./sandbox";
import { admin, connectedClient, nodeCtx, resetHarness, setFaults, startHarness, T0, type Harness } from "./testkit";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(async () => resetHarness(h));

const D = DEMO.usDivision;
const division = () => h.sandbox.world.regions.get("us")!.divisions.get(D)!;
const invoiceOf = (name: string) => division().invoices.find((i) => i.InvoiceToName === name)!;

describe("connector definition", () => {
  it("declares node types, versions and JSON-schema-convertible configs", () => {
    expect(exact.nodes.map((n) => n.type)).toEqual([
      "exact.salesInvoiceWebhook",
      "exact.salesInvoicePoll",
      "exact.salesInvoiceEvents",
      "exact.salesInvoiceChanges",
      "exact.getSalesInvoice",
      "exact.listGlAccounts",
      "exact.listCostCenters",
      "exact.listCostUnits",
      "exact.listVatCodes",
      "exact.listJournals",
      "exact.createGeneralJournalEntry",
      "exact.syncTaxJournal",
      "exact.createWebhookSubscription",
      "exact.deleteWebhookSubscription",
      "exact.listWebhookSubscriptions",
    ]);
    for (const node of exact.nodes) {
      expect(node.version).toBe(1);
      expect(node.connection).toBe("exact");
      expect(() => z.toJSONSchema(node.config)).not.toThrow();
    }
    const journal = z.toJSONSchema(createGeneralJournalEntry.config) as { properties: Record<string, { picker?: string }> };
    expect(journal.properties.journalCode.picker).toBe("journals");
    expect(exact.sandbox!("http://127.0.0.1:4103")).toEqual({
      name: "Exact Online sandbox (US demo company)",
      config: { region: "US", division: D, clientId: DEMO.clientId, baseUrl: "http://127.0.0.1:4103" },
      secrets: { clientSecret: DEMO.clientSecret, webhookSecret: DEMO.webhookSecret },
    });
    expect(h.sandbox.describe("http://127.0.0.1:4103").join("\n")).toContain(DEMO.clientSecret);
  });

  it("loads every picker", async () => {
    const { client } = await connectedClient(h);
    const pickers = exact.pickers!;
    const gl = await pickers.glAccounts.load(client);
    expect(gl).toContainEqual({ value: "2200", label: "2200 Sales tax payable - Washington" });
    expect(gl.find((o) => o.value === "2299")).toBeUndefined();
    expect(await pickers.costCenters.load(client)).toContainEqual({ value: "100", label: "100 Sales US West" });
    const units = await pickers.costUnits.load(client);
    expect([...units].sort((a, b) => a.value.localeCompare(b.value))).toEqual([
      { value: "LIC", label: "LIC Licences" },
      { value: "SUP", label: "SUP Support" },
      { value: "SVC", label: "SVC Services" },
    ]);
    expect(await pickers.vatCodes.load(client)).toContainEqual({ value: "2", label: "2 VAT high 21%" });
    expect((await pickers.journals.load(client)).map((o) => o.value).sort()).toEqual(["20", "60", "70", "90", "91"]);
  });
});

describe("read nodes", () => {
  it("gets a sales invoice by ID or number", async () => {
    const { client } = await connectedClient(h);
    const seeded = invoiceOf("Hudson Freight Co.");
    const byId = await getSalesInvoice.run(nodeCtx(client), getSalesInvoice.input.parse({ invoiceId: seeded.InvoiceID }), {});
    expect(byId.invoice.InvoiceNumber).toBe(seeded.InvoiceNumber);
    expect(byId.billingAddress).toEqual({ line1: "120 Broadway", line2: null, line3: null, city: "New York", region: "NY", postalCode: "10271", country: "US", source: "visit" });
    expect(byId.lines.map((l) => l.ItemCode)).toEqual(["LIC-PRO", "TRN-DAY"]);
    const byNumber = await getSalesInvoice.run(nodeCtx(client), getSalesInvoice.input.parse({ invoiceNumber: seeded.InvoiceNumber }), {});
    expect(byNumber).toEqual(byId);
    await expect(getSalesInvoice.run(nodeCtx(client), { invoiceNumber: 1 }, {})).rejects.toBeInstanceOf(PermanentError);
    expect(getSalesInvoice.input.safeParse({}).success).toBe(false);
  });

  it("lists GL accounts, cost centers, cost units, VAT codes and journals", async () => {
    const { client } = await connectedClient(h);
    const gl = await listGlAccounts.run(nodeCtx(client), {}, listGlAccounts.config.parse({ balanceType: "B" }));
    expect(gl.items.every((a) => a.BalanceType === "B" && !a.IsBlocked)).toBe(true);
    expect(gl.items.map((a) => a.Code)).toContain("2230");
    const cc = await listCostCenters.run(nodeCtx(client), {}, listCostCenters.config.parse({}));
    expect(cc.items.map((c) => c.Code)).not.toContain("950");
    const ccAll = await listCostCenters.run(nodeCtx(client), {}, listCostCenters.config.parse({ includeEnded: true }));
    expect(ccAll.items).toHaveLength(8);
    const cu = await listCostUnits.run(nodeCtx(client), {}, listCostUnits.config.parse({}));
    expect(cu.items.map((c) => c.Code).sort()).toEqual(["LIC", "SUP", "SVC"]);
    const vat = await listVatCodes.run(nodeCtx(client), {}, listVatCodes.config.parse({}));
    expect(vat.items.find((v) => v.Code === "2")).toMatchObject({ Percentage: 0.21, Type: "E", Description: "VAT high 21%" });
    expect(vat.items.find((v) => v.Code === "9")).toBeUndefined();
    const general = await listJournals.run(nodeCtx(client), {}, listJournals.config.parse({ type: 90 }));
    expect(general.items.map((j) => [j.Code, j.AllowVAT])).toEqual([
      ["90", false],
      ["91", true],
    ]);
  });
});

describe("create general journal entry", () => {
  const taxInput = (invoiceId: string, overrides: Record<string, unknown> = {}) =>
    createGeneralJournalEntry.input.parse({
      division: D,
      invoiceId,
      date: "2026-03-16",
      description: "Sales tax invoice 26100004",
      lines: [
        { glAccount: "1100", amount: 138.6, description: "Sales tax receivable" },
        { glAccount: "2220", amount: -88.75, costCenter: "110", costUnit: "LIC" },
        { glAccount: "2250", amount: -49.85, costCenter: "110" },
        { glAccount: "2240", amount: 0 },
      ],
      ...overrides,
    });
  const config = createGeneralJournalEntry.config.parse({});

  it("posts a balanced entry once, with GL codes resolved to GUIDs and the key on every line", async () => {
    const { env, client } = await connectedClient(h);
    const invoice = invoiceOf("Hudson Freight Co.");
    const id = String(invoice.InvoiceID);
    const input = taxInput(id);
    const effect = createGeneralJournalEntry.effect;
    if (effect.kind !== "write") throw new Error("must be a write node");
    const key = effect.key(input, config);
    expect(key).toBe(`exact:${D}:${id}:journal`);
    const out = await createGeneralJournalEntry.run(nodeCtx(client), input, config);
    expect(out).toMatchObject({ status: "created", idempotencyKey: key, journalCode: "90", financialYear: 2026, financialPeriod: 3, currency: "USD", totalDebit: 138.6, totalCredit: 138.6 });
    expect(out.lines.map((l) => [l.GLAccountCode, l.AmountFC, l.CostCenter, l.CostUnit, l.Notes, l.Description, l.Date])).toEqual([
      ["1100", 138.6, null, null, key, "Sales tax receivable", "2026-03-16T00:00:00.000Z"],
      ["2220", -88.75, "110", "LIC", key, "Sales tax invoice 26100004", "2026-03-16T00:00:00.000Z"],
      ["2250", -49.85, "110", null, key, "Sales tax invoice 26100004", "2026-03-16T00:00:00.000Z"],
    ]);
    const post = env.calls.find((c) => c.method === "POST")!;
    const gl = (code: string) => division().glAccounts.find((a) => a.Code === code)!.ID;
    expect(JSON.parse(post.requestBody!)).toEqual({
      JournalCode: "90",
      GeneralJournalEntryLines: [
        { GLAccount: gl("1100"), AmountFC: 138.6, Date: "2026-03-16", Description: "Sales tax receivable", Notes: key },
        { GLAccount: gl("2220"), AmountFC: -88.75, Date: "2026-03-16", Description: "Sales tax invoice 26100004", CostCenter: "110", CostUnit: "LIC", Notes: key },
        { GLAccount: gl("2250"), AmountFC: -49.85, Date: "2026-03-16", Description: "Sales tax invoice 26100004", CostCenter: "110", Notes: key },
      ],
    });
    expect(post.requestHeaders.prefer).toBe("return=representation");

    // A second run (replay, duplicate delivery) posts nothing and hands back the same entry.
    const again = await createGeneralJournalEntry.run(nodeCtx(client), input, config).catch((e) => e);
    expect(again).toBeInstanceOf(AlreadyDoneError);
    expect(again.result).toEqual({ ...out, status: "already_posted" });
    expect(await effect.reconcile!(nodeCtx(client), input, config)).toEqual({ ...out, status: "already_posted" });
    expect(division().entries).toHaveLength(1);
  });

  it("accepts GL account GUIDs as well as codes", async () => {
    const { client } = await connectedClient(h);
    const gl = (code: string) => String(division().glAccounts.find((a) => a.Code === code)!.ID);
    const input = taxInput(String(invoiceOf("Lone Star Components Inc.").InvoiceID), {
      lines: [
        { glAccount: gl("1100").toUpperCase(), amount: 82.5 },
        { glAccount: "2230", amount: -82.5, costCenter: "120" },
      ],
    });
    const out = await createGeneralJournalEntry.run(nodeCtx(client), input, config);
    expect(out.lines.map((l) => l.GLAccountCode)).toEqual(["1100", "2230"]);
  });

  it("rejects an unbalanced entry before sending anything", async () => {
    const { env, client } = await connectedClient(h);
    const input = taxInput(String(invoiceOf("Lone Star Components Inc.").InvoiceID), {
      lines: [
        { glAccount: "1100", amount: 100 },
        { glAccount: "2230", amount: -99.99 },
      ],
    });
    const calls = env.calls.length;
    const error = await createGeneralJournalEntry.run(nodeCtx(client), input, config).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe("unbalanced");
    expect(error.message).toBe("The journal entry does not balance: debits and credits differ by 0.01; nothing was posted");
    expect(env.calls.length).toBe(calls);
  });

  it("parks the run for review when a mapping names an unknown or blocked account, cost center or journal", async () => {
    const { env, client } = await connectedClient(h);
    const id = String(invoiceOf("Lone Star Components Inc.").InvoiceID);
    const run = (lines: unknown[], extra: Record<string, unknown> = {}) =>
      createGeneralJournalEntry.run(nodeCtx(client), taxInput(id, { lines, ...extra }), config).catch((e) => e);
    const unknown = await run([{ glAccount: "1100", amount: 5 }, { glAccount: "2777", amount: -5 }]);
    expect(unknown).toBeInstanceOf(NeedsReviewError);
    expect(unknown.reasonCode).toBe("unknown_gl_account");
    expect(unknown.message).toBe(`GL account(s) not found in Exact division ${D}: 2777`);
    const blocked = await run([{ glAccount: "1100", amount: 5 }, { glAccount: "2299", amount: -5 }]);
    expect(blocked.reasonCode).toBe("blocked_gl_account");
    const cc = await run([{ glAccount: "1100", amount: 5 }, { glAccount: "2230", amount: -5, costCenter: "777" }]);
    expect(cc.reasonCode).toBe("unknown_cost_center");
    const mandatory = await run([{ glAccount: "1100", amount: 5 }, { glAccount: "4010", amount: -5 }]);
    expect(mandatory.reasonCode).toBe("missing_cost_center");
    const journal = await run([{ glAccount: "1100", amount: 5 }, { glAccount: "2230", amount: -5 }], { journalCode: "99" });
    expect(journal.reasonCode).toBe("unknown_journal");
    const vat = await run([{ glAccount: "1100", amount: 5 }, { glAccount: "2300", amount: -5, vatCode: "2" }]);
    expect(vat).toBeInstanceOf(PermanentError);
    expect(vat.code).toBe("vat_not_allowed");
    expect(env.calls.filter((c) => c.method === "POST")).toHaveLength(0);
    expect(division().entries).toHaveLength(0);
  });

  it("refuses an invoice from another division and posts nothing for an all-zero entry", async () => {
    const { client } = await connectedClient(h);
    const id = String(invoiceOf("Lone Star Components Inc.").InvoiceID);
    const other = await createGeneralJournalEntry.run(nodeCtx(client), taxInput(id, { division: 2001 }), config).catch((e) => e);
    expect(other).toBeInstanceOf(PermanentError);
    expect(other.code).toBe("division_mismatch");
    const zero = await createGeneralJournalEntry.run(nodeCtx(client), taxInput(id, { lines: [{ glAccount: "1100", amount: 0 }, { glAccount: "2230", amount: 0 }] }), config);
    expect(zero).toMatchObject({ status: "nothing_to_post", entryId: null, lines: [] });
  });

  it("reconciles a write whose response was lost instead of posting twice", async () => {
    const { client } = await connectedClient(h);
    const input = taxInput(String(invoiceOf("Pacific Ledger Partners").InvoiceID), {
      lines: [
        { glAccount: "1100", amount: 1278 },
        { glAccount: "2210", amount: -1278, costCenter: "100" },
      ],
    });
    const ctx = nodeCtx(client);
    const effect = createGeneralJournalEntry.effect;
    if (effect.kind !== "write") throw new Error("must be a write node");
    expect(await effect.reconcile!(ctx, input, config)).toBeUndefined();
    // Reads go through; the POST is applied and its response lost.
    await setFaults(h, { dropAfterWriteRate: 1 });
    const lost = await createGeneralJournalEntry.run(ctx, input, config).catch((e) => e);
    expect(lost).toBeInstanceOf(RetryableError);
    expect(lost.outcomeUnknown).toBe(true);
    await setFaults(h, {});
    const found = await effect.reconcile!(nodeCtx(client, { idempotency: { key: effect.key(input, config), previousOutcomeUnknown: true } }), input, config);
    expect(found).toMatchObject({ status: "already_posted", totalDebit: 1278, totalCredit: 1278 });
    expect(division().entries).toHaveLength(1);
  });
});

describe("reconciliation poll trigger", () => {
  const ctxOf = (client: ExactClient): TriggerContext<ExactClient> => ({
    client,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    signal: new AbortController().signal,
    workspaceId: "w",
    flowId: "f",
    nodeId: "poll",
  });

  it("emits one record per changed invoice, moves the cursor, and catches later invoices", async () => {
    const { env, client } = await connectedClient(h);
    const poll = salesInvoicePoll.trigger!.poll!;
    const since = new Date(T0 - 45 * 86_400_000).toISOString().slice(0, 10);
    const config = salesInvoicePoll.config.parse({ startFrom: since });
    const first = await poll(ctxOf(client), config, null);
    const expected = division().invoices.filter((i) => Number(/\d+/.exec(String(i.Modified))![0]) >= Date.parse(since));
    expect(first.records.map((r) => r.label).sort()).toEqual(expected.map((i) => `Invoice ${i.InvoiceNumber}`).sort());
    expect(first.records).toHaveLength(6);
    expect(first.hasMore).toBe(false);
    const sample = first.records.find((r) => r.label === `Invoice ${invoiceOf("Hudson Freight Co.").InvoiceNumber}`)!;
    expect(sample.key).toBe(`exact:${D}:${invoiceOf("Hudson Freight Co.").InvoiceID}`);
    expect(sample.version).toBe(new Date(Number(/\d+/.exec(String(invoiceOf("Hudson Freight Co.").Modified))![0])).toISOString());
    expect(env.calls.map((c) => decodeURIComponent(c.url).replace(h.server.url, ""))).toEqual([
      `/us/api/v1/${D}/read/sync/Sync/SyncTimestamp?modified=datetime'${since}T00:00:00'&endPoint='SalesInvoice/SalesInvoices'`,
      expect.stringMatching(new RegExp(`^/us/api/v1/${D}/sync/SalesInvoice/SalesInvoices\\?\\$filter=Timestamp gt \\d+L&\\$select=Timestamp,InvoiceID,`)),
    ]);

    // Nothing new: no records, same cursor.
    const idle = await poll(ctxOf(client), config, first.checkpoint);
    expect(idle.records).toEqual([]);
    expect(idle.checkpoint).toEqual(first.checkpoint);

    // An invoice created while webhooks were down shows up on the next poll, fully readable.
    h.clock.t += 3_600_000;
    const created = await admin(h, "invoices", {
      invoice: { InvoiceTo: division().accounts.find((a) => a.Name === "Rainier Outdoor Supply")!.ID, SalesInvoiceLines: [{ ItemCode: "SUP-ANN", Quantity: 1 }] },
    });
    const next = await poll(ctxOf(client), config, first.checkpoint);
    expect(next.records.map((r) => r.key)).toEqual([`exact:${D}:${created.InvoiceID}`]);
    const full = await salesInvoicePoll.run(nodeCtx(client), salesInvoicePoll.input.parse(next.records[0].data), config);
    expect(full.billingAddress).toMatchObject({ line1: "1102 A St", city: "Tacoma", region: "WA", postalCode: "98402" });
    expect(BigInt((next.checkpoint as { timestamp: string }).timestamp)).toBeGreaterThan(BigInt((first.checkpoint as { timestamp: string }).timestamp));
  });

  it("pages through the sync endpoint without splitting an invoice into two versions", async () => {
    const { client } = await connectedClient(h);
    h.sandbox.world.settings.bulkPageSize = 3;
    const poll = salesInvoicePoll.trigger!.poll!;
    const config = salesInvoicePoll.config.parse({ startFrom: "2025-01-01" });
    const seen = new Map<string, Set<string>>();
    let checkpoint: unknown = null;
    let pages = 0;
    for (;;) {
      const result = await poll(ctxOf(client), config, checkpoint);
      pages += 1;
      for (const r of result.records) seen.set(r.key, (seen.get(r.key) ?? new Set()).add(r.version));
      checkpoint = result.checkpoint;
      if (!result.hasMore) break;
    }
    expect(pages).toBeGreaterThan(3);
    expect(seen.size).toBe(division().invoices.length);
    for (const versions of seen.values()) expect(versions.size).toBe(1);
  });

  it("filters by status and resets the cursor when the start date changes", async () => {
    const { client } = await connectedClient(h);
    const poll = salesInvoicePoll.trigger!.poll!;
    const drafts = await poll(ctxOf(client), salesInvoicePoll.config.parse({ startFrom: "2025-01-01", statuses: [10] }), null);
    expect(drafts.records.map((r) => r.label)).toEqual([`Invoice ${invoiceOf("Golden Gate Dental Group").InvoiceNumber}`]);
    const late = await poll(ctxOf(client), salesInvoicePoll.config.parse({ startFrom: "2025-01-01" }), { ...(drafts.checkpoint as object), startFrom: "2026-03-01" });
    expect(late.records).toHaveLength(division().invoices.length);
    // Without a start date the first poll starts today: nothing historical is replayed.
    const today = await poll(ctxOf(client), salesInvoicePoll.config.parse({}), null);
    expect(today.records).toEqual([]);
  });
});
