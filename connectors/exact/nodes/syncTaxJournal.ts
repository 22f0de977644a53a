/**
 * Make the general journal hold exactly a document's current tax: the first version is posted as
 * one balanced entry; a later version that changes the tax reverses the entry in force (a
 * `Reversal` entry with the same accounts and negated amounts, its lines naming the entry they
 * reverse) and posts the new one; a void or delete (no lines) only reverses. The audit trail keeps
 * every entry; nothing is edited in place.
 *
 * Every line's Notes carries `tax:<document>|v=<version>` (plus `|reverses=<EntryID>` on a
 * reversal, and `|j=<jurisdiction key>` on a tax line), so the node reads what is in force from
 * Exact itself before posting: a replayed version, or a version with the same tax, posts nothing;
 * a retry after a partial failure posts only what is missing.
 *
 * Closed periods: Exact refuses the posting ("Period is closed"); the node parks the run for
 * review ("period closed"), or, with `closedPeriod: nextOpenPeriod`, posts on the first day of
 * the journal's next open period and says so in the run log.
 * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=GeneralJournalEntryGeneralJournalEntries
 */
import { z } from "zod";
import { NeedsReviewError, PermanentError, isClassified } from "../../sdk";
import type { NewJournalEntry } from "../client";
import type { GeneralJournalEntryLineRecord } from "../schemas";
import { exactNode, isoDate } from "./_factory";

const lineSchema = z.object({
  glAccount: z.string().min(1).describe("GL account code (as mapping tables hold it) or GUID"),
  amount: z.number().describe("Amount in the document currency: positive = debit, negative = credit"),
  costCenter: z.string().optional(),
  costUnit: z.string().optional(),
  description: z.string().max(60).optional(),
  jurisdiction: z.string().max(60).optional().describe("Tax jurisdiction key of the line (kept in its Notes, for reconciliation per jurisdiction)"),
});

const input = z.object({
  division: z.number().int().describe("Division of the source document: the entry is posted there (one of the connection's divisions)"),
  document: z.string().min(1).max(80).describe("The source document's stable id, e.g. its Avalara code EXACT-1001-20260017"),
  version: z.string().min(1).max(120).describe("The source document's version: part of the idempotency key"),
  date: isoDate.describe("Entry date of a new posting or correction (YYYY-MM-DD)"),
  description: z.string().max(60).optional().describe("Default line description"),
  currency: z.string().length(3).optional().describe("Document currency (ISO 4217); default: the division's"),
  exchangeRate: z.number().positive().optional().describe("Rate from the document currency to the division currency; required for a foreign currency"),
  rateDate: isoDate.optional().describe("The date the exchange rate applies to (recorded in the run log and the output)"),
  lines: z.array(lineSchema).describe("The entry the ledger must hold now for this document (balanced); empty when it must hold nothing"),
});

const entryRef = z.object({ entryId: z.string(), entryNumber: z.number().nullable() });
const output = z.object({
  status: z.enum(["posted", "unchanged", "nothing_to_post"]),
  idempotencyKey: z.string(),
  document: z.string(),
  version: z.string(),
  date: z.string().describe("Date of the entries posted by this version (moved when the period was closed)"),
  movedFrom: z.string().nullable().describe("The date asked for, when its period was closed and the entries moved to the next open period"),
  currency: z.string(),
  exchangeRate: z.number(),
  rateDate: z.string().nullable(),
  reversals: z.array(entryRef.extend({ reverses: z.string(), reversesNumber: z.number().nullable() })),
  entry: entryRef.nullable(),
  inForce: z.array(z.object({ glAccount: z.string(), costCenter: z.string().nullable(), amount: z.number() })).describe("Net amount per account now posted for the document"),
});
type Output = z.input<typeof output>;

const cents = (n: number) => Math.round(n * 100);
const marker = (document: string) => `tax:${document}|`;
const lineKey = (gl: string, cc: string | null | undefined, cu: string | null | undefined) => `${gl}|${(cc ?? "").trim()}|${(cu ?? "").trim()}`;

function net(lines: { key: string; cents: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) out.set(l.key, (out.get(l.key) ?? 0) + l.cents);
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}
const sameNet = (a: Map<string, number>, b: Map<string, number>) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

const isPeriodClosed = (error: unknown): boolean =>
  isClassified(error) && error.system === "exact" && /period is closed|periode is afgesloten/i.test(error.message);

/** Division-currency amounts that balance exactly: the rounding difference goes on the largest line. */
function amountsDC(amounts: number[], rate: number): number[] {
  const dc = amounts.map((a) => cents(a * rate));
  const diff = dc.reduce((s, v) => s + v, 0);
  if (diff !== 0 && dc.length > 0) {
    let largest = 0;
    dc.forEach((v, i) => (Math.abs(v) > Math.abs(dc[largest]!) ? (largest = i) : undefined));
    dc[largest]! -= diff;
  }
  return dc.map((v) => v / 100);
}

type Input = z.output<typeof input>;
type Client = Parameters<Parameters<typeof exactNode>[0]["run"]>[0]["client"];
/** An entry this version posts, and its lines as a person reads them (GL account codes). */
interface PlannedEntry {
  entry: NewJournalEntry;
  shown: { glAccount: string; costCenter: string | null; costUnit: string | null; amount: number; amountDC: number; description: string | null; jurisdiction: string | null }[];
  reverses: { entryId: string; entryNumber: number | null } | null;
}

/** What the journal holds for the document and the entries this version must post (reads only). */
async function planOf(connection: Client, i: Input, config: { journalCode: string }) {
  // Routed to the document's division (review when the connection does not serve it).
  const client = connection.forDivision(i.division);
  const key = `exact:${i.division}:${i.document}:tax:v:${i.version}`;
  const journalCode = config.journalCode.trim();
  const divisionCurrency = await client.divisionCurrency();
  const currency = (i.currency ?? divisionCurrency ?? "").toUpperCase();
  const foreign = Boolean(divisionCurrency) && currency !== divisionCurrency;
  if (foreign && i.exchangeRate === undefined) {
    throw new NeedsReviewError(`No exchange rate from ${currency} to ${divisionCurrency} for ${i.document}: give the rate and its date`, {
      system: "exact",
      reasonCode: "missing_exchange_rate",
    });
  }
  const rate = foreign ? i.exchangeRate! : 1;

  const wanted = i.lines.filter((l) => cents(l.amount) !== 0);
  const total = wanted.reduce((s, l) => s + cents(l.amount), 0);
  if (total !== 0) throw new PermanentError(`The entry for ${i.document} does not balance (difference ${(total / 100).toFixed(2)}); nothing was posted`, { system: "exact", code: "unbalanced" });
  const accounts = wanted.length ? await client.resolveGLAccounts(wanted.map((l) => l.glAccount)) : new Map();

  // What is in force now, from Exact's own lines.
  const posted = await client.listJournalLinesByNotes(marker(i.document));
  const byEntry = new Map<string, GeneralJournalEntryLineRecord[]>();
  for (const line of posted) byEntry.set(line.EntryID!, [...(byEntry.get(line.EntryID!) ?? []), line]);
  const reversedIds = new Set(posted.map((l) => /\|reverses=([0-9a-f-]{36})/i.exec(l.Notes ?? "")?.[1]?.toLowerCase()).filter((x): x is string => Boolean(x)));
  const live = [...byEntry.entries()].filter(([id, lines]) => !reversedIds.has(id.toLowerCase()) && !/\|reverses=/.test(lines[0]!.Notes ?? ""));
  const inForce = net(posted.map((l) => ({ key: lineKey(l.GLAccountCode ?? l.GLAccount ?? "", l.CostCenter, l.CostUnit), cents: cents(l.AmountFC ?? 0) })));
  const target = net(wanted.map((l) => ({ key: lineKey(accounts.get(l.glAccount)!.Code ?? l.glAccount, l.costCenter, l.costUnit), cents: cents(l.amount) })));
  const liveEntries = await Promise.all(live.map(async ([id]) => (await client.getGeneralJournalEntry(id))!));
  const currencyOk = liveEntries.every((e) => (e.entry.Currency ?? currency) === currency && (!foreign || e.entry.ExchangeRate === rate));
  const summary = (m: Map<string, number>) => [...m].map(([k, v]) => ({ glAccount: k.split("|")[0]!, costCenter: k.split("|")[1] || null, amount: v / 100 }));
  const base: Omit<Output, "status"> = {
    idempotencyKey: key,
    document: i.document,
    version: i.version,
    date: i.date,
    movedFrom: null,
    currency,
    exchangeRate: rate,
    rateDate: i.rateDate ?? (foreign ? i.date : null),
    reversals: [],
    entry: null,
    inForce: summary(inForce),
  };
  const unchanged = sameNet(inForce, target) && currencyOk;

  const planned: PlannedEntry[] = [];
  if (!unchanged) {
    for (const original of liveEntries) {
      const lines = byEntry.get(original.entry.EntryID!)!;
      planned.push({
        reverses: { entryId: original.entry.EntryID!, entryNumber: original.entry.EntryNumber },
        entry: {
          journalCode,
          currency: original.entry.Currency ?? undefined,
          exchangeRate: original.entry.Currency && original.entry.Currency !== divisionCurrency ? (original.entry.ExchangeRate ?? undefined) : undefined,
          reversal: true,
          lines: lines.map((l) => ({
            glAccount: l.GLAccount!,
            amount: -(l.AmountFC ?? 0),
            amountDC: -(l.AmountDC ?? l.AmountFC ?? 0),
            date: i.date,
            description: `Reversal of entry ${original.entry.EntryNumber}`.slice(0, 60),
            costCenter: l.CostCenter?.trim() || undefined,
            costUnit: l.CostUnit?.trim() || undefined,
            notes: `${marker(i.document)}v=${i.version}|reverses=${original.entry.EntryID}${/\|j=[^|]*/.exec(l.Notes ?? "")?.[0] ?? ""}`,
          })),
        },
        shown: lines.map((l) => ({
          glAccount: l.GLAccountCode?.trim() || l.GLAccount!,
          costCenter: l.CostCenter?.trim() || null,
          costUnit: l.CostUnit?.trim() || null,
          amount: -(l.AmountFC ?? 0),
          amountDC: -(l.AmountDC ?? l.AmountFC ?? 0),
          description: `Reversal of entry ${original.entry.EntryNumber}`.slice(0, 60),
          jurisdiction: /\|j=([^|]*)/.exec(l.Notes ?? "")?.[1] ?? null,
        })),
      });
    }
    if (wanted.length) {
      const dc = amountsDC(wanted.map((l) => l.amount), rate);
      planned.push({
        reverses: null,
        entry: {
          journalCode,
          currency: i.currency ? currency : undefined,
          exchangeRate: foreign ? rate : undefined,
          lines: wanted.map((l, n) => ({
            glAccount: accounts.get(l.glAccount)!.ID!,
            amount: cents(l.amount) / 100,
            ...(foreign ? { amountDC: dc[n]! } : {}),
            date: i.date,
            description: l.description ?? i.description,
            costCenter: l.costCenter?.trim() || undefined,
            costUnit: l.costUnit?.trim() || undefined,
            notes: `${marker(i.document)}v=${i.version}${l.jurisdiction ? `|j=${l.jurisdiction}` : ""}`,
          })),
        },
        shown: wanted.map((l, n) => ({
          glAccount: accounts.get(l.glAccount)!.Code?.trim() || l.glAccount,
          costCenter: l.costCenter?.trim() || null,
          costUnit: l.costUnit?.trim() || null,
          amount: cents(l.amount) / 100,
          amountDC: foreign ? dc[n]! : cents(l.amount) / 100,
          description: l.description ?? i.description ?? null,
          jurisdiction: l.jurisdiction ?? null,
        })),
      });
    }
  }
  return { key, journalCode, divisionCurrency, currency, foreign, rate, target, liveEntries, summary, base, unchanged, planned };
}

export const syncTaxJournal = exactNode({
  type: "exact.syncTaxJournal",
  version: 1,
  title: "Post tax for a document version (Exact)",
  description:
    "Keeps the general journal equal to a source document's current tax: posts the first entry, and for an edit, void or delete reverses the entry in force and posts the new one. Replays post nothing.",
  category: "connector",
  config: z.object({
    journalCode: z.string().min(1).default("90").describe("General journal to post in (type 90)").meta({ picker: "journals" }),
    closedPeriod: z
      .enum(["review", "nextOpenPeriod"])
      .default("review")
      .describe("When the period is closed: wait for review, or post on the first day of the next open period"),
  }),
  input,
  output,
  effect: {
    kind: "write",
    key: (i) => `exact:${i.division}:${i.document}:tax:v:${i.version}`,
    // A dry run reads the entries in force and shows each entry this version would post (the
    // reversal first), line by line with debit/credit, currency and balance; nothing is sent.
    preview: async (ctx, i, config) => {
      const { key, journalCode, currency, rate, target, summary, base, unchanged, planned } = await planOf(ctx.client, i, config);
      const status = unchanged ? (target.size ? ("unchanged" as const) : ("nothing_to_post" as const)) : ("posted" as const);
      const money = (c: number) => (c / 100).toFixed(2);
      const entries = planned.map((p) => {
        const debit = p.shown.reduce((s, l) => s + Math.max(cents(l.amount), 0), 0);
        const credit = p.shown.reduce((s, l) => s + Math.max(-cents(l.amount), 0), 0);
        return {
          journal: journalCode,
          reversal: Boolean(p.reverses),
          reverses: p.reverses?.entryNumber ?? null,
          currency: p.entry.currency ?? currency,
          exchangeRate: p.entry.exchangeRate ?? rate,
          lines: p.shown.map((l) => ({
            glAccount: l.glAccount,
            // By effect; Exact receives a reversal as negated amounts on the side of the entry it reverses.
            type: l.amount > 0 ? "debit" : "credit",
            amount: money(Math.abs(cents(l.amount))),
            amountDC: money(Math.abs(cents(l.amountDC))),
            description: l.description,
            dimensions: Object.fromEntries(Object.entries({ costCenter: l.costCenter, costUnit: l.costUnit }).filter(([, v]) => v)),
            jurisdiction: l.jurisdiction,
          })),
          totalDebit: money(debit),
          totalCredit: money(credit),
          balance: money(debit - credit),
        };
      });
      const newEntry = entries.find((e) => !e.reversal);
      return {
        wouldPost: { object: "GeneralJournalEntry", outcome: status, document: i.document, version: i.version, date: i.date, currency, inForce: base.inForce, entries, total: newEntry?.totalDebit ?? "0.00" },
        output: {
          ...base,
          status,
          idempotencyKey: key,
          reversals: planned.filter((p) => p.reverses).map((p) => ({ entryId: "", entryNumber: null, reverses: p.reverses!.entryId, reversesNumber: p.reverses!.entryNumber })),
          entry: planned.some((p) => !p.reverses) ? { entryId: "", entryNumber: null } : null,
          inForce: unchanged ? base.inForce : summary(target),
        },
      };
    },
  },
  run: async (ctx, i, config) => {
    const client = ctx.client.forDivision(i.division);
    const { journalCode, currency, foreign, rate, target, liveEntries, summary, base, unchanged, planned } = await planOf(client, i, config);
    if (unchanged) {
      ctx.log.info(target.size ? `The journal already holds this tax for ${i.document}: nothing posted` : `Nothing posted for ${i.document}, and nothing to post`);
      return { ...base, status: target.size ? ("unchanged" as const) : ("nothing_to_post" as const), entry: liveEntries[0] ? { entryId: liveEntries[0].entry.EntryID!, entryNumber: liveEntries[0].entry.EntryNumber } : null };
    }

    let date = i.date;
    const post = async (entry: NewJournalEntry) => {
      const attempt = (d: string) => client.createGeneralJournalEntry({ ...entry, lines: entry.lines.map((l) => ({ ...l, date: d })) });
      try {
        return await attempt(date);
      } catch (error) {
        if (!isPeriodClosed(error)) throw error;
        const [year, month] = date.split("-").map(Number) as [number, number];
        if (config.closedPeriod === "review") {
          throw new NeedsReviewError(`Period closed: ${year}/${month} is closed in journal ${journalCode} for ${i.document}; reopen it, or set the flow to post in the next open period`, {
            system: "exact",
            reasonCode: "period_closed",
            details: { year, period: month, journal: journalCode, document: i.document },
          });
        }
        const next = await client.nextOpenPeriod(journalCode, year, month);
        if (!next) throw new NeedsReviewError(`Period closed: ${year}/${month} is closed and no later period of journal ${journalCode} is open`, { system: "exact", reasonCode: "period_closed" });
        ctx.log.warn(`Period closed: ${year}/${month} is closed in journal ${journalCode}; posting on ${next.startDate}, the first day of the next open period (flow setting)`, {
          closed: { year, period: month },
          postedOn: next.startDate,
        });
        base.movedFrom = base.movedFrom ?? i.date;
        date = next.startDate;
        base.date = date;
        return attempt(date);
      }
    };

    const reversals: Output["reversals"] = [];
    let entry: Output["entry"] = null;
    for (const { entry: planEntry, reverses } of planned) {
      const created = await post(planEntry);
      if (reverses) {
        reversals.push({ entryId: created.entry.EntryID!, entryNumber: created.entry.EntryNumber, reverses: reverses.entryId, reversesNumber: reverses.entryNumber });
        ctx.log.info(`Reversed entry ${reverses.entryNumber} of ${i.document} with entry ${created.entry.EntryNumber}`);
      } else {
        entry = { entryId: created.entry.EntryID!, entryNumber: created.entry.EntryNumber };
        ctx.log.info(
          `Posted entry ${created.entry.EntryNumber} for ${i.document} version ${i.version}` + (foreign ? ` in ${currency} at ${rate} (rate of ${base.rateDate})` : ""),
        );
      }
    }
    return { ...base, status: "posted" as const, reversals, entry, inForce: summary(target) };
  },
});
