/**
 * Post a sales document's tax through the AR subledger and keep it equal to the document's
 * current tax: an AR debit memo (create_aradjustment) against the customer and invoice, one line
 * per jurisdiction on its tax liability account, so the customer's balance and aging include the
 * tax. A later version that changes the tax posts a credit memo reversing the adjustment in force
 * (same lines, negated) and a new debit memo; a reversed or deleted document only reverses. Nothing
 * is edited in place.
 *
 * Each adjustment carries `tax:<document>|v=<version>` in its external ID (plus `|reverses=<RECORDNO>`
 * on a reversal), so what is in force is read from Intacct before posting: a replay posts nothing.
 * Closed periods: Intacct's "Periods are closed" parks the run ("period closed"), or, with
 * `closedPeriod: nextOpenPeriod`, the adjustments are dated on the first day of the next month
 * that accepts them, and the run log says so.
 * https://developer.intacct.com/api/accounts-receivable/ar-adjustments/#create-ar-adjustment-legacy
 */
import { z } from "zod";
import { NeedsReviewError, PermanentError, isClassified } from "../../sdk";
import { quote, type IntacctClient } from "../client";
import { SYSTEM } from "../errors";
import { dimensions, isoDate, legacyDate, money, toCents } from "../schemas";
import { asArray, obj, text } from "../xml";
import { node, writeKey } from "./factory";

const line = dimensions.pick({ locationId: true, departmentId: true, classId: true, projectId: true }).extend({
  accountNo: z.string().min(1).describe("Tax liability GL account of the jurisdiction.").meta({ picker: "glAccounts" }),
  amount: z.number().describe("Tax in the document currency (positive: the customer owes it)."),
  memo: z.string().max(1000).optional(),
});

const input = z.object({
  customerId: z.string().min(1),
  invoiceNumber: z.string().min(1).optional().describe("The AR invoice the tax belongs to (invoiceno)."),
  document: z.string().min(1).max(60).describe("The source document's stable id, e.g. its Avalara code."),
  version: z.string().min(1).max(120).describe("The source document's version: part of the idempotency key."),
  date: isoDate.describe("Date of the adjustment (datecreated)."),
  description: z.string().max(1000).optional(),
  currency: z.string().length(3).optional().describe("Document currency; default: the company's base currency."),
  exchangeRate: z.number().positive().optional().describe("Rate to the base currency (exchrate)."),
  rateDate: isoDate.optional().describe("Date the rate applies to (exchratedate)."),
  lines: z.array(line).describe("The tax the subledger must hold now for this document; empty when none."),
});

const adjustmentRef = z.object({ recordNo: z.string(), adjustmentNumber: z.string(), total: z.string() });
const output = z.object({
  status: z.enum(["posted", "unchanged", "nothing_to_post"]),
  document: z.string(),
  version: z.string(),
  date: z.string(),
  movedFrom: z.string().nullable(),
  currency: z.string().nullable(),
  exchangeRate: z.number().nullable(),
  rateDate: z.string().nullable(),
  reversals: z.array(adjustmentRef.extend({ reverses: z.string() })),
  adjustment: adjustmentRef.nullable(),
  inForce: z.array(z.object({ accountNo: z.string(), amount: z.number() })),
});
type Output = z.input<typeof output>;
type Input = z.output<typeof input>;

const marker = (document: string) => `tax:${document}|`;
const isPeriodClosed = (error: unknown) => isClassified(error) && error.system === SYSTEM && /periods are closed/i.test(error.message);

interface Posted {
  recordNo: string;
  externalId: string;
  currency: string;
  exchangeRate: string;
  lines: { accountNo: string; cents: number; locationId: string; departmentId: string; classId: string; projectId: string; memo: string }[];
}

async function postedAdjustments(client: IntacctClient, customerId: string, document: string): Promise<Posted[]> {
  const found = await client.readByQuery("ARADJUSTMENT", `CUSTOMERID = ${quote(customerId)} AND EXTERNALID like ${quote(`${marker(document)}%`)}`, {
    fields: ["RECORDNO"],
    pageSize: 100,
  });
  if (found.length === 0) return [];
  // readByQuery answers headers only; read gives the lines.
  const rows = await client.read("ARADJUSTMENT", found.map((r) => text(r.RECORDNO)));
  return rows.map((r) => ({
    recordNo: text(r.RECORDNO),
    externalId: text(r.EXTERNALID),
    currency: text(r.CURRENCY),
    exchangeRate: text(r.EXCHANGE_RATE),
    lines: asArray(obj(r.ARADJUSTMENTITEMS).ARADJUSTMENTITEM)
      .map(obj)
      .map((l) => ({
        accountNo: text(l.ACCOUNTNO),
        cents: toCents(text(l.TRX_AMOUNT) || text(l.AMOUNT)),
        locationId: text(l.LOCATIONID),
        departmentId: text(l.DEPARTMENTID),
        classId: text(l.CLASSID),
        projectId: text(l.PROJECTID),
        memo: text(l.ENTRYDESCRIPTION),
      })),
  }));
}

function net(lines: { accountNo: string; cents: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) out.set(l.accountNo, (out.get(l.accountNo) ?? 0) + l.cents);
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

function nextMonth(date: string): string {
  const [y, m] = date.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}

/** What AR holds now for the document and what this version must make it hold (reads only). */
async function planOf(client: IntacctClient, i: Input) {
  const wanted = i.lines.filter((l) => toCents(l.amount) !== 0);
  const posted = await postedAdjustments(client, i.customerId, i.document);
  const reversedNos = new Set(posted.map((p) => /\|reverses=(\d+)/.exec(p.externalId)?.[1]).filter((x): x is string => Boolean(x)));
  const live = posted.filter((p) => !/\|reverses=/.test(p.externalId) && !reversedNos.has(p.recordNo));
  const inForce = net(posted.flatMap((p) => p.lines));
  const target = net(wanted.map((l) => ({ accountNo: l.accountNo, cents: toCents(l.amount) })));
  const sameCurrency = live.every((p) => !i.currency || p.currency === i.currency);
  const base: Omit<Output, "status"> = {
    document: i.document,
    version: i.version,
    date: i.date,
    movedFrom: null,
    currency: i.currency ?? null,
    exchangeRate: i.exchangeRate ?? null,
    rateDate: i.rateDate ?? null,
    reversals: [],
    adjustment: null,
    inForce: [...inForce].map(([accountNo, v]) => ({ accountNo, amount: v / 100 })),
  };
  const unchanged = inForce.size === target.size && [...inForce].every(([k, v]) => target.get(k) === v) && sameCurrency;
  const newLines: Posted["lines"] = wanted.map((l) => ({ accountNo: l.accountNo, cents: toCents(l.amount), locationId: l.locationId ?? "", departmentId: l.departmentId ?? "", classId: l.classId ?? "", projectId: l.projectId ?? "", memo: l.memo ?? "" }));
  if (!unchanged && new Set(wanted.map((l) => Math.sign(toCents(l.amount)))).size > 1) {
    throw new PermanentError(`The tax lines of ${i.document} mix positive and negative amounts; an AR adjustment takes one sign`, { system: SYSTEM });
  }
  return { wanted, newLines, posted, live, target, base, unchanged };
}

const memoKind = (lines: Posted["lines"]) => (lines.reduce((s, l) => s + l.cents, 0) >= 0 ? "Debit Memo" : "Credit Memo");
const adjustmentNumberOf = (document: string, n: number) => `TAX-${document}-${n}`.slice(0, 100);

/** An adjustment as the dry run shows it: its lines with their dimensions, and the total. */
function rendered(lines: Posted["lines"]) {
  return {
    kind: memoKind(lines),
    lines: lines.map((l) => ({
      accountNo: l.accountNo,
      amount: money(l.cents / 100),
      memo: l.memo || undefined,
      dimensions: Object.fromEntries(Object.entries({ locationId: l.locationId, departmentId: l.departmentId, classId: l.classId, projectId: l.projectId }).filter(([, v]) => v)),
    })),
    total: money(lines.reduce((s, l) => s + l.cents, 0) / 100),
  };
}

export const syncTaxAdjustment = node({
  type: "intacct.syncTaxAdjustment",
  version: 1,
  title: "Post tax through AR for a document version (Intacct)",
  description:
    "Keeps a customer's AR equal to a sales document's current tax: an AR debit memo against the customer and invoice with the tax on each jurisdiction's liability account; an edit, reversal or deletion reverses the memo in force (credit memo) and posts the new one. Replays post nothing.",
  category: "connector",
  config: z.object({
    closedPeriod: z.enum(["review", "nextOpenPeriod"]).default("review").describe("When the period is closed: wait for review, or post in the next open period."),
  }),
  input,
  output,
  effect: {
    kind: "write",
    key: (i) => `intacct:aradjustment:${i.document}:tax:v:${i.version}`,
    // A dry run reads what AR holds for the document and shows the credit memos that would reverse
    // it and the memo that would be posted, line by line; nothing is sent.
    preview: async (ctx, i) => {
      const { newLines, posted, live, target, base, unchanged } = await planOf(ctx.client, i);
      const status = unchanged ? (target.size ? ("unchanged" as const) : ("nothing_to_post" as const)) : ("posted" as const);
      let n = posted.length;
      const reversals = unchanged
        ? []
        : live.map((original) => ({
            reverses: original.recordNo,
            adjustmentNumber: adjustmentNumberOf(i.document, ++n),
            externalId: `${marker(i.document)}v=${i.version}|reverses=${original.recordNo}`,
            currency: original.currency || null,
            ...rendered(original.lines.map((l) => ({ ...l, cents: -l.cents }))),
          }));
      const adjustment =
        unchanged || newLines.length === 0
          ? null
          : { adjustmentNumber: adjustmentNumberOf(i.document, ++n), externalId: `${marker(i.document)}v=${i.version}`, description: i.description ?? `Sales tax ${i.document}`, currency: i.currency ?? null, ...rendered(newLines) };
      const change = [...reversals, ...(adjustment ? [adjustment] : [])].reduce((s, a) => s + toCents(a.total), 0);
      return {
        wouldPost: {
          object: "ARADJUSTMENT",
          outcome: status,
          customerId: i.customerId,
          invoiceNumber: i.invoiceNumber ?? null,
          document: i.document,
          version: i.version,
          date: i.date,
          currency: i.currency ?? null,
          inForce: base.inForce,
          reversals,
          adjustment,
          /** What the customer's balance changes by. */
          total: money(change / 100),
        },
        output: {
          ...base,
          status,
          reversals: reversals.map((r) => ({ recordNo: "", adjustmentNumber: r.adjustmentNumber, total: r.total, reverses: r.reverses })),
          adjustment: adjustment ? { recordNo: "", adjustmentNumber: adjustment.adjustmentNumber, total: adjustment.total } : null,
          inForce: unchanged ? base.inForce : [...target].map(([accountNo, v]) => ({ accountNo, amount: v / 100 })),
        },
      };
    },
  },
  async run(ctx, i, c) {
    const client = ctx.client;
    const { wanted, newLines, posted, live, target, base, unchanged } = await planOf(client, i);
    if (unchanged) {
      ctx.log.info(target.size ? `AR already holds this tax for ${i.document}: nothing posted` : `No tax to post for ${i.document}`);
      return { ...base, status: target.size ? ("unchanged" as const) : ("nothing_to_post" as const) };
    }

    let date = i.date;
    let n = posted.length;
    const post = async (lines: Posted["lines"], externalId: string, description: string, currency: { currency?: string; rate?: number }) => {
      n += 1;
      const adjustmentNumber = adjustmentNumberOf(i.document, n);
      const send = (d: string) =>
        client.legacyCreate(
          "create_aradjustment",
          {
            customerid: i.customerId,
            datecreated: legacyDate(d, "date"),
            adjustmentno: adjustmentNumber,
            invoiceno: i.invoiceNumber,
            description,
            externalid: externalId,
            ...(currency.currency ? { currency: currency.currency } : {}),
            ...(currency.currency && currency.rate ? { exchratedate: legacyDate(i.rateDate ?? i.date, "rateDate"), exchrate: String(currency.rate) } : {}),
            aradjustmentitems: {
              lineitem: lines.map((l) => ({
                glaccountno: l.accountNo,
                amount: money(l.cents / 100),
                memo: l.memo || undefined,
                locationid: l.locationId || undefined,
                departmentid: l.departmentId || undefined,
                projectid: l.projectId || undefined,
                classid: l.classId || undefined,
              })),
            },
          },
          writeKey(ctx, `intacct:aradjustment:${i.document}:tax:v:${i.version}`) + `:${n}`,
          async () => undefined,
        );
      let recordNo: string;
      try {
        recordNo = await send(date);
      } catch (error) {
        if (!isPeriodClosed(error)) throw error;
        if (c.closedPeriod === "review") {
          throw new NeedsReviewError(`Period closed: ${date.slice(0, 7)} is closed in Intacct for ${i.document}; reopen it, or set the flow to post in the next open period`, {
            system: SYSTEM,
            reasonCode: "period_closed",
            details: { period: date.slice(0, 7), document: i.document },
          });
        }
        let moved: string | undefined;
        for (let tries = 0, d = nextMonth(date); tries < 12 && !moved; tries++, d = nextMonth(d)) {
          try {
            recordNo = await send(d);
            moved = d;
          } catch (again) {
            if (!isPeriodClosed(again)) throw again;
          }
        }
        if (!moved) throw new NeedsReviewError(`Period closed: no open period within a year after ${date.slice(0, 7)} for ${i.document}`, { system: SYSTEM, reasonCode: "period_closed" });
        ctx.log.warn(`Period closed: ${date.slice(0, 7)} is closed in Intacct; posting on ${moved}, the first day of the next open period (flow setting)`);
        base.movedFrom = base.movedFrom ?? i.date;
        date = moved;
        base.date = moved;
        recordNo = recordNo!;
      }
      return { recordNo, adjustmentNumber, total: money(lines.reduce((s, l) => s + l.cents, 0) / 100) };
    };

    const reversals: Output["reversals"] = [];
    for (const original of live) {
      const reversal = await post(
        original.lines.map((l) => ({ ...l, cents: -l.cents })),
        `${marker(i.document)}v=${i.version}|reverses=${original.recordNo}`,
        `Reversal of AR adjustment ${original.recordNo} (tax ${i.document})`,
        { currency: original.currency || undefined, rate: Number(original.exchangeRate) || undefined },
      );
      reversals.push({ ...reversal, reverses: original.recordNo });
      ctx.log.info(`Reversed AR adjustment ${original.recordNo} of ${i.document} with credit memo ${reversal.recordNo}`);
    }
    let adjustment: Output["adjustment"] = null;
    if (wanted.length) {
      adjustment = await post(
        newLines,
        `${marker(i.document)}v=${i.version}`,
        i.description ?? `Sales tax ${i.document}`,
        { currency: i.currency, rate: i.exchangeRate },
      );
      ctx.log.info(`Posted AR ${toCents(wanted[0]!.amount) > 0 ? "debit" : "credit"} memo ${adjustment.recordNo} for ${i.document} version ${i.version}`);
    }
    return { ...base, status: "posted" as const, reversals, adjustment, inForce: [...target].map(([accountNo, v]) => ({ accountNo, amount: v / 100 })) };
  },
});
