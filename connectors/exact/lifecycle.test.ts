/**
 * The Exact sandbox's lifecycle behaviour on the wire, through the connector's client: open
 * invoices deleted over the API (a Delete notification and a sync/Deleted row), processed ones
 * refused; credit notes; journal entries in a foreign currency with AmountDC; reversal entries;
 * closed periods refused with Exact's message, and the period read endpoints.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO } from "./sandbox";
import { admin, connectedClient, resetHarness, sandboxState, startHarness, type Harness } from "./testkit";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(async () => resetHarness(h));

const D = DEMO.usDivision;
const division = () => h.sandbox.world.regions.get("us")!.divisions.get(D)!;
const customer = () => division().accounts.find((a) => a.Name === "Lone Star Components Inc.")!.ID as string;

describe("sales invoices over their life", () => {
  it("deletes an open invoice over the API: Delete notification target gone, a sync/Deleted row with EntityType 13; refuses a processed one", async () => {
    const { client } = await connectedClient(h);
    const open = (await admin(h, "invoices", { invoice: { InvoiceTo: customer(), SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 1 }] } })) as { InvoiceID: string };
    const since = await client.syncTimestamp("2020-01-01", "Deleted");
    const res = await client.transport.api({ method: "DELETE", path: `${D}/salesinvoice/SalesInvoices(guid'${open.InvoiceID}')`, label: "delete" });
    expect(res.status).toBe(204);
    expect(await client.getSalesInvoice(open.InvoiceID)).toBeUndefined();
    const { rows } = await client.syncDeleted(since, 13);
    expect(rows).toEqual([expect.objectContaining({ EntityKey: open.InvoiceID, EntityType: 13 })]);

    const processed = (await admin(h, "invoices", { invoice: { InvoiceTo: customer(), Status: 50, SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 1 }] } })) as { InvoiceID: string };
    const refused = await client.transport.api({ method: "DELETE", path: `${D}/salesinvoice/SalesInvoices(guid'${processed.InvoiceID}')`, label: "delete" }).catch((e) => e);
    expect(refused.message).toContain("Processed invoices cannot be deleted: enter a credit note");
  });

  it("reads an invoice by its key as it is added, changed and deleted (the sandbox's key index), with the filter's other conditions still applied", async () => {
    const { client } = await connectedClient(h);
    const make = async (quantity: number) =>
      ((await admin(h, "invoices", { invoice: { InvoiceTo: customer(), SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: quantity }] } })) as { InvoiceID: string }).InvoiceID;
    const first = await make(1);
    expect((await client.getSalesInvoice(first))!.invoice).toMatchObject({ AmountFC: 4800 });
    // Added after the first read by key: found too, by a key written in upper case as well.
    const second = await make(2);
    expect((await client.getSalesInvoice(second.toUpperCase()))!.invoice).toMatchObject({ InvoiceID: second, AmountFC: 9600 });
    const read = async (filter: string) => {
      const res = await client.transport.api({ method: "GET", path: `${D}/salesinvoice/SalesInvoices`, query: { filter, select: "InvoiceID,AmountFC" }, label: "read" });
      return (res.body as { d: { results: { InvoiceID: string }[] } }).d.results.map((r) => r.InvoiceID);
    };
    expect(await read(`InvoiceID eq guid'${second}' and AmountFC eq 9600`)).toEqual([second]);
    expect(await read(`AmountFC eq 4800 and InvoiceID eq guid'${second}'`)).toEqual([]);
    expect(await read(`InvoiceID eq guid'${first}' or InvoiceID eq guid'${second}'`)).toEqual([first, second].sort());
    await client.transport.api({ method: "DELETE", path: `${D}/salesinvoice/SalesInvoices(guid'${first}')`, label: "delete" });
    expect(await read(`InvoiceID eq guid'${first}'`)).toEqual([]);
    expect(await read(`InvoiceID eq guid'${second}'`)).toEqual([second]);
  });

  it("takes credit notes with negative quantities only, and foreign-currency invoices only with a rate", async () => {
    const note = (await admin(h, "invoices", { invoice: { InvoiceTo: customer(), Type: 8021, SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: -1 }] } })) as { AmountFC: number };
    expect(note.AmountFC).toBe(-4800);
    await expect(admin(h, "invoices", { invoice: { InvoiceTo: customer(), Type: 8021, SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 1 }] } })).rejects.toThrow(/negative quantity/);
    await expect(admin(h, "invoices", { invoice: { InvoiceTo: customer(), Currency: "EUR", SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 1 }] } })).rejects.toThrow(/No exchange rate from EUR to USD/);
    const eur = (await admin(h, "invoices", { invoice: { InvoiceTo: customer(), Currency: "EUR", ExchangeRate: 1.1, SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 1 }] } })) as { InvoiceID: string };
    const { client } = await connectedClient(h);
    const found = await client.getSalesInvoice(eur.InvoiceID);
    expect(found!.invoice).toMatchObject({ Currency: "EUR", AmountFC: 4800, AmountDC: 5280 });
  });
});

describe("journal entries: currency, reversals, closed periods", () => {
  const gl = (code: string) => division().glAccounts.find((g) => g.Code === code)!.ID as string;

  it("posts a EUR entry with its rate and AmountDC, refuses an entry unbalanced in the division currency, and a foreign currency in a journal that does not allow it", async () => {
    const { client } = await connectedClient(h);
    const lines = [
      { glAccount: gl("2230"), amount: -10, amountDC: -10.84, date: "2026-03-05", notes: "tax:X|v=1" },
      { glAccount: gl("4100"), amount: 10, amountDC: 10.84, date: "2026-03-05", notes: "tax:X|v=1" },
    ];
    const posted = await client.createGeneralJournalEntry({ journalCode: "90", currency: "EUR", exchangeRate: 1.0837, lines });
    expect(posted.entry).toMatchObject({ Currency: "EUR", ExchangeRate: 1.0837, Reversal: false });
    expect(posted.lines.map((l) => [l.AmountFC, l.AmountDC])).toEqual([
      [-10, -10.84],
      [10, 10.84],
    ]);
    const unbalanced = await client
      .createGeneralJournalEntry({ journalCode: "90", currency: "EUR", exchangeRate: 1.0837, lines: [{ ...lines[0]!, amountDC: -10.83 }, lines[1]!] })
      .catch((e) => e);
    expect(unbalanced.message).toContain("Entry is not in balance: difference USD 0.01");
    const otherJournal = await client.createGeneralJournalEntry({ journalCode: "91", currency: "EUR", exchangeRate: 1.0837, lines }).catch((e) => e);
    expect(otherJournal.message).toContain("Journal 91 does not allow currency EUR");
  });

  it("posts a reversal entry (Reversal true, negated amounts) and finds a document's lines by their Notes", async () => {
    const { client } = await connectedClient(h);
    const line = (amount: number, notes: string) => [
      { glAccount: gl("2230"), amount: -amount, date: "2026-03-05", notes },
      { glAccount: gl("4100"), amount, date: "2026-03-05", notes },
    ];
    const original = await client.createGeneralJournalEntry({ journalCode: "90", lines: line(48, "tax:DOC-1|v=1") });
    const reversal = await client.createGeneralJournalEntry({ journalCode: "90", reversal: true, lines: line(-48, `tax:DOC-1|v=2|reverses=${original.entry.EntryID}`) });
    expect(reversal.entry.Reversal).toBe(true);
    await client.createGeneralJournalEntry({ journalCode: "90", lines: line(5, "tax:DOC-10|v=1") });
    const found = await client.listJournalLinesByNotes("tax:DOC-1|");
    const byId = (rows: (string | number | null)[][]) => rows.map((r) => r.join(" ")).sort();
    expect(byId(found.map((l) => [l.EntryID, l.AmountFC]))).toEqual(
      byId([
        [original.entry.EntryID, -48],
        [original.entry.EntryID, 48],
        [reversal.entry.EntryID, 48],
        [reversal.entry.EntryID, -48],
      ]),
    );
    const state = await sandboxState(h);
    const entries = state.regions.us.divisions.find((d: { code: number }) => d.code === D).journalEntries;
    expect(entries.map((e: { Reversal: boolean }) => e.Reversal)).toEqual([false, true, false]);
  });

  it("refuses postings into a closed period with Exact's message, shows it in JournalStatusByFinancialPeriod, and names the next open period", async () => {
    const { client } = await connectedClient(h);
    await admin(h, "periods", { year: 2026, period: 3, journal: "90", closed: true });
    await admin(h, "periods", { year: 2026, period: 4, closed: true });
    const lines = [
      { glAccount: gl("2230"), amount: -1, date: "2026-03-31" },
      { glAccount: gl("4100"), amount: 1, date: "2026-03-31" },
    ];
    const refused = await client.createGeneralJournalEntry({ journalCode: "90", lines }).catch((e) => e);
    expect(refused).toMatchObject({ kind: "permanent", status: 400 });
    expect(refused.message).toContain("Period is closed: 2026 - 3");
    // Journal 91 is still open in March; April is closed for every journal.
    await expect(client.createGeneralJournalEntry({ journalCode: "91", lines })).resolves.toBeDefined();
    expect(await client.nextOpenPeriod("90", 2026, 3)).toEqual({ year: 2026, period: 5, startDate: "2026-05-01" });
    const statuses = await client.transport.page({
      path: `${D}/read/financial/JournalStatusByFinancialPeriod`,
      query: { filter: "Journal eq '90' and Year eq 2026 and Period le 5", select: "Journal,Year,Period,Status" },
      label: "statuses",
    });
    expect(statuses.rows.map((r) => [r.Period, r.Status]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [1, 0],
      [2, 0],
      [3, 1],
      [4, 1],
      [5, 0],
    ]);
    await admin(h, "periods", { year: 2026, period: 3, journal: "90", closed: false });
    await expect(client.createGeneralJournalEntry({ journalCode: "90", lines })).resolves.toBeDefined();
  });
});
