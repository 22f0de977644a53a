/**
 * Keep a tax summary journal entry (GLBATCH) equal to a document's current tax: the first version
 * is posted as one balanced batch; a later version that changes the tax posts an offsetting batch
 * (the same lines with the debit and credit sides swapped, titled "Reversal of batch <RECORDNO>")
 * and the new one; a void or delete only offsets. Intacct has no documented call that reverses a
 * posted GLBATCH on demand, so the correction is an offsetting entry, and nothing is edited.
 *
 * Used for the "summary to a clearing account" option and for use tax accruals. Each batch has
 * REFERENCENO = the document and `v=<version>` (plus `reverses=<RECORDNO>`) in its title, read back
 * before posting: a replay posts nothing. Closed periods as in Post tax through AR.
 * https://developer.intacct.com/api/general-ledger/journal-entries/
 */
import { z } from "zod";
import { NeedsReviewError, PermanentError, isClassified } from "../../sdk";
import { quote, type IntacctClient } from "../client";
import { SYSTEM } from "../errors";
import { isoDate, toCents } from "../schemas";
import { asArray, obj, text } from "../xml";
import { node, writeKey } from "./factory";

const line = z.object({
  accountNo: z.string().min(1).meta({ picker: "glAccounts" }),
  amount: z.number().describe("Positive = debit, negative = credit, in the document currency."),
  memo: z.string().max(1000).optional(),
  locationId: z.string().min(1).optional(),
  departmentId: z.string().min(1).optional(),
  classId: z.string().min(1).optional(),
  customerId: z.string().min(1).optional(),
  vendorId: z.string().min(1).optional(),
});

const input = z.object({
  document: z.string().min(1).max(60),
  version: z.string().min(1).max(120),
  date: isoDate,
  description: z.string().max(80).optional(),
  currency: z.string().length(3).optional(),
  exchangeRate: z.number().positive().optional(),
  rateDate: isoDate.optional(),
  lines: z.array(line).describe("The balanced entry the ledger must hold now; empty when none."),
});
type Line = z.output<typeof line>;

const output = z.object({
  status: z.enum(["posted", "unchanged", "nothing_to_post"]),
  document: z.string(),
  version: z.string(),
  date: z.string(),
  movedFrom: z.string().nullable(),
  reversals: z.array(z.object({ recordNo: z.string(), reverses: z.string() })),
  batch: z.object({ recordNo: z.string() }).nullable(),
});
type Output = z.input<typeof output>;

const usDate = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
const nextMonth = (iso: string) => {
  const [y, m] = iso.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
};
const isPeriodClosed = (error: unknown) => isClassified(error) && error.system === SYSTEM && /periods are closed/i.test(error.message);

type Input = z.output<typeof input>;
type PlannedLine = Line & { cents: number; currency?: string; rate?: string };

/** The batches the ledger holds for the document and whether this version changes them (reads only). */
async function planOf(client: IntacctClient, i: Input) {
  const wanted = i.lines.filter((l) => toCents(l.amount) !== 0);
  if (wanted.reduce((s, l) => s + toCents(l.amount), 0) !== 0) throw new PermanentError(`The entry for ${i.document} does not balance; nothing was posted`, { system: SYSTEM });
  const found = await client.readByQuery("GLBATCH", `REFERENCENO = ${quote(i.document)}`, { fields: ["RECORDNO"], pageSize: 100 });
  const batches = found.length ? await client.read("GLBATCH", found.map((r) => text(r.RECORDNO))) : [];
  const posted = batches.map((b) => ({
    recordNo: text(b.RECORDNO),
    title: text(b.BATCH_TITLE),
    lines: asArray(obj(b.ENTRIES).GLENTRY)
      .map(obj)
      .map((e) => ({
        accountNo: text(e.ACCOUNTNO),
        cents: toCents(text(e.TRX_AMOUNT)) * Number(text(e.TR_TYPE)),
        memo: text(e.DESCRIPTION),
        locationId: text(e.LOCATION) || undefined,
        departmentId: text(e.DEPARTMENT) || undefined,
        classId: text(e.CLASSID) || undefined,
        customerId: text(e.CUSTOMERID) || undefined,
        vendorId: text(e.VENDORID) || undefined,
        currency: text(e.CURRENCY),
        rate: text(e.EXCHANGE_RATE),
      })),
  }));
  const reversed = new Set(posted.map((p) => /reverses=(\d+)/.exec(p.title)?.[1]).filter(Boolean));
  const live = posted.filter((p) => !/reverses=/.test(p.title) && !reversed.has(p.recordNo));
  const net = (rows: { accountNo: string; cents: number }[]) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(r.accountNo, (m.get(r.accountNo) ?? 0) + r.cents);
    return [...m].filter(([, v]) => v !== 0).sort().join(";");
  };
  const base: Omit<Output, "status"> = { document: i.document, version: i.version, date: i.date, movedFrom: null, reversals: [], batch: null };
  const unchanged = net(posted.flatMap((p) => p.lines)) === net(wanted.map((l) => ({ accountNo: l.accountNo, cents: toCents(l.amount) })));
  /** The batches this version posts: an offsetting one per batch in force, then the new one. */
  const batchesToPost: { title: string; reverses: string | null; lines: PlannedLine[] }[] = unchanged
    ? []
    : [
        ...live.map((original) => ({
          title: `Reversal of batch ${original.recordNo} (tax ${i.document} v=${i.version} reverses=${original.recordNo})`,
          reverses: original.recordNo,
          lines: original.lines.map((l) => ({ ...l, amount: -l.cents / 100, cents: -l.cents, currency: l.currency && l.rate ? l.currency : undefined })),
        })),
        ...(wanted.length
          ? [
              {
                title: `${i.description ?? `Tax ${i.document}`} (tax ${i.document} v=${i.version})`,
                reverses: null,
                lines: wanted.map((l) => ({ ...l, cents: toCents(l.amount), currency: i.currency && i.exchangeRate ? i.currency : undefined, rate: i.exchangeRate ? String(i.exchangeRate) : undefined })),
              },
            ]
          : []),
      ];
  return { wanted, posted, base, unchanged, batchesToPost };
}

export const syncTaxGlBatch = node({
  type: "intacct.syncTaxGlBatch",
  version: 1,
  title: "Post tax summary entry for a document version (Intacct)",
  description:
    "Keeps a GLBATCH equal to a document's current tax (summary to a clearing account, use tax accruals): a change posts an offsetting batch and the new one. Replays post nothing.",
  category: "connector",
  config: z.object({
    journal: z.string().min(1).default("TAX").describe("GL journal symbol.").meta({ picker: "journals" }),
    closedPeriod: z.enum(["review", "nextOpenPeriod"]).default("review"),
  }),
  input,
  output,
  effect: {
    kind: "write",
    key: (i) => `intacct:glbatch:${i.document}:tax:v:${i.version}`,
    // A dry run reads the batches in force and shows each batch this version would post (offsets
    // first), with lines, dimensions, debit/credit and balance; nothing is sent.
    preview: async (ctx, i, c) => {
      const { wanted, base, unchanged, batchesToPost } = await planOf(ctx.client, i);
      const status = unchanged ? (wanted.length ? ("unchanged" as const) : ("nothing_to_post" as const)) : ("posted" as const);
      const batches = batchesToPost.map((b) => {
        const debit = b.lines.reduce((s, l) => s + Math.max(l.cents, 0), 0);
        const credit = b.lines.reduce((s, l) => s + Math.max(-l.cents, 0), 0);
        return {
          journal: c.journal,
          title: b.title.slice(0, 100),
          referenceNo: i.document,
          reverses: b.reverses,
          currency: b.lines[0]?.currency ?? null,
          lines: b.lines.map((l) => ({
            accountNo: l.accountNo,
            type: l.cents > 0 ? "debit" : "credit",
            amount: (Math.abs(l.cents) / 100).toFixed(2),
            memo: l.memo || undefined,
            dimensions: Object.fromEntries(Object.entries({ locationId: l.locationId, departmentId: l.departmentId, classId: l.classId, customerId: l.customerId, vendorId: l.vendorId }).filter(([, v]) => v)),
          })),
          totalDebit: (debit / 100).toFixed(2),
          totalCredit: (credit / 100).toFixed(2),
          balance: ((debit - credit) / 100).toFixed(2),
        };
      });
      const newBatch = batches.find((b) => !b.reverses);
      return {
        wouldPost: { object: "GLBATCH", outcome: status, document: i.document, version: i.version, date: i.date, currency: i.currency ?? null, batches, total: newBatch?.totalDebit ?? "0.00" },
        output: { ...base, status, reversals: batches.filter((b) => b.reverses).map((b) => ({ recordNo: "", reverses: b.reverses! })), batch: newBatch ? { recordNo: "" } : null },
      };
    },
  },
  async run(ctx, i, c) {
    const client = ctx.client;
    const { wanted, posted, base, unchanged, batchesToPost } = await planOf(client, i);
    if (unchanged) {
      ctx.log.info(wanted.length ? `The ledger already holds this tax for ${i.document}: nothing posted` : `Nothing to post for ${i.document}`);
      return { ...base, status: wanted.length ? ("unchanged" as const) : ("nothing_to_post" as const) };
    }

    let date = i.date;
    let n = posted.length;
    const post = async (title: string, lines: PlannedLine[]) => {
      n += 1;
      const send = (d: string) =>
        client.create(
          "GLBATCH",
          {
            JOURNAL: c.journal,
            BATCH_DATE: usDate(d),
            BATCH_TITLE: title.slice(0, 100),
            REFERENCENO: i.document,
            ENTRIES: {
              GLENTRY: lines.map((l) => ({
                ACCOUNTNO: l.accountNo,
                TR_TYPE: l.cents > 0 ? "1" : "-1",
                TRX_AMOUNT: (Math.abs(l.cents) / 100).toFixed(2),
                ...(l.currency ? { CURRENCY: l.currency, EXCH_RATE_DATE: usDate(i.rateDate ?? i.date), EXCHANGE_RATE: l.rate } : {}),
                LOCATION: l.locationId,
                DEPARTMENT: l.departmentId,
                CUSTOMERID: l.customerId,
                VENDORID: l.vendorId,
                CLASSID: l.classId,
                DESCRIPTION: l.memo,
              })),
            },
          },
          `${writeKey(ctx, `intacct:glbatch:${i.document}:tax:v:${i.version}`)}:${n}`,
          async () => undefined,
        );
      try {
        return (await send(date)).recordNo;
      } catch (error) {
        if (!isPeriodClosed(error)) throw error;
        if (c.closedPeriod === "review") {
          throw new NeedsReviewError(`Period closed: ${date.slice(0, 7)} is closed in Intacct for ${i.document}`, { system: SYSTEM, reasonCode: "period_closed" });
        }
        for (let tries = 0, d = nextMonth(date); tries < 12; tries++, d = nextMonth(d)) {
          try {
            const recordNo = (await send(d)).recordNo;
            ctx.log.warn(`Period closed: ${date.slice(0, 7)} is closed in Intacct; posting on ${d}, the first day of the next open period (flow setting)`);
            base.movedFrom = base.movedFrom ?? i.date;
            date = d;
            base.date = d;
            return recordNo;
          } catch (again) {
            if (!isPeriodClosed(again)) throw again;
          }
        }
        throw new NeedsReviewError(`Period closed: no open period within a year after ${date.slice(0, 7)} for ${i.document}`, { system: SYSTEM, reasonCode: "period_closed" });
      }
    };

    const reversals: Output["reversals"] = [];
    let batch: Output["batch"] = null;
    for (const planned of batchesToPost) {
      const recordNo = await post(planned.title, planned.lines);
      if (planned.reverses) {
        reversals.push({ recordNo, reverses: planned.reverses });
        ctx.log.info(`Offset batch ${planned.reverses} of ${i.document} with batch ${recordNo}`);
      } else batch = { recordNo };
    }
    return { ...base, status: "posted" as const, reversals, batch };
  },
});
