/**
 * Create a GL journal entry (GLBATCH with ENTRIES/GLENTRY).
 * https://developer.intacct.com/api/general-ledger/journal-entries/#create-journal-entry
 *
 * Natural key: journal + REFERENCENO (read back with readByQuery to reconcile a lost response),
 * and the entity when the input routes the entry to one (`entityId`: an entity-level session of
 * the same connection writes it there). User-defined dimensions go on each line as GLDIM<NAME>.
 * An unbalanced entry is rejected before anything is sent.
 */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import type { IntacctClient } from "../client";
import { quote } from "../client";
import { SYSTEM } from "../errors";
import { amount, dimensions, entityId, isoDate, money, toCents, userDimensionFields, usDate } from "../schemas";
import { text } from "../xml";
import { node, reconcileFirst, writeKey } from "./factory";

const config = z.object({
  journal: z.string().min(1).default("GJ").describe("Journal symbol (GJ, ADJ...), unless the input names one.").meta({ picker: "journals" }),
  draft: z.boolean().default(false).describe("Create the entry as a draft instead of posting it."),
  skipZeroLines: z.boolean().default(true).describe("Leave out lines whose amount is 0.00."),
});

const line = dimensions.extend({
  accountNo: z.string().min(1).describe("GL account number (ACCOUNTNO).").meta({ picker: "glAccounts" }),
  type: z.enum(["debit", "credit"]).describe("debit or credit (TR_TYPE 1 / -1)."),
  amount: amount.describe("Line amount; a negative amount flips debit and credit."),
  memo: z.string().max(1000).optional().describe("Line memo (DESCRIPTION)."),
  document: z.string().optional().describe("Document reference on the line (DOCUMENT)."),
});

const input = z.object({
  journal: z.string().min(1).optional().describe("Journal symbol; overrides the node's configured journal."),
  date: isoDate.describe("Posting date (BATCH_DATE) as YYYY-MM-DD."),
  description: z.string().min(1).max(100).describe("Entry description (BATCH_TITLE)."),
  referenceNo: z
    .string()
    .min(1)
    .max(100)
    .describe("Reference number (REFERENCENO), unique per journal: used as the business key and to read the entry back."),
  reverseDate: isoDate.optional().describe("Auto-reverse date (REVERSEDATE)."),
  lines: z.array(line).min(2).describe("Journal lines; debits must equal credits."),
  entityId,
});

const output = z.object({
  recordNo: z.string().describe("RECORDNO of the GLBATCH."),
  journal: z.string(),
  referenceNo: z.string(),
  batchNo: z.string(),
  state: z.string(),
  totalDebit: z.string(),
  totalCredit: z.string(),
  entityId: z.string().optional().describe("The entity the entry was written in, when the input named one."),
});
type Output = z.output<typeof output>;
type Input = z.output<typeof input>;
type Config = z.output<typeof config>;

const journalOf = (i: Input, c: Config) => i.journal ?? c.journal;
const keyOf = (i: Input, c: Config) => `intacct:glbatch:${i.entityId ? `${i.entityId}:` : ""}${journalOf(i, c)}:${i.referenceNo}`;

async function findBatch(client: IntacctClient, journal: string, referenceNo: string): Promise<Output | undefined> {
  const rows = await client.readByQuery("GLBATCH", `JOURNAL = ${quote(journal)} AND REFERENCENO = ${quote(referenceNo)}`, {
    fields: ["RECORDNO", "BATCHNO", "JOURNAL", "REFERENCENO", "STATE"],
    pageSize: 10,
  });
  const r = rows[0];
  if (!r) return undefined;
  const [full] = await client.read("GLBATCH", [text(r.RECORDNO)]);
  let debit = 0;
  let credit = 0;
  const entries = (full?.ENTRIES as { GLENTRY?: unknown } | undefined)?.GLENTRY;
  for (const e of Array.isArray(entries) ? entries : entries ? [entries] : []) {
    const o = e as Record<string, unknown>;
    const cents = toCents(text(o.TRX_AMOUNT) || "0");
    if (text(o.TR_TYPE) === "-1") credit += cents;
    else debit += cents;
  }
  return {
    recordNo: text(r.RECORDNO),
    journal,
    referenceNo,
    batchNo: text(r.BATCHNO),
    state: text(r.STATE),
    totalDebit: (debit / 100).toFixed(2),
    totalCredit: (credit / 100).toFixed(2),
  };
}

/** The user-defined dimensions of a GLENTRY as a preview shows them ({customDimensions: {CHANNEL: "WEB"}}), if any. */
function userDimensionsOf(entry: Record<string, unknown>): { customDimensions?: Record<string, string> } {
  const custom = Object.entries(entry).filter(([k, v]) => k.startsWith("GLDIM") && typeof v === "string");
  return custom.length ? { customDimensions: Object.fromEntries(custom.map(([k, v]) => [k.slice("GLDIM".length), v as string])) } : {};
}

/** GLENTRY lines with the sign in TR_TYPE, and the totals; throws on an unbalanced entry. */
export function glEntries(lines: Input["lines"], skipZero: boolean) {
  let debit = 0;
  let credit = 0;
  const entries = [];
  for (const [i, l] of lines.entries()) {
    const cents = toCents(l.amount);
    if (cents === 0) {
      if (skipZero) continue;
      throw new PermanentError(`Journal line ${i + 1} has a zero amount`, { system: SYSTEM });
    }
    const isDebit = (l.type === "debit") === cents > 0;
    if (isDebit) debit += Math.abs(cents);
    else credit += Math.abs(cents);
    entries.push({
      DOCUMENT: l.document,
      ACCOUNTNO: l.accountNo,
      TR_TYPE: isDebit ? "1" : "-1",
      TRX_AMOUNT: money(Math.abs(cents) / 100),
      LOCATION: l.locationId,
      DEPARTMENT: l.departmentId,
      PROJECTID: l.projectId,
      CUSTOMERID: l.customerId,
      VENDORID: l.vendorId,
      EMPLOYEEID: l.employeeId,
      ITEMID: l.itemId,
      CLASSID: l.classId,
      ...userDimensionFields(l.customDimensions),
      DESCRIPTION: l.memo,
    });
  }
  if (debit !== credit) {
    throw new PermanentError(
      `Journal entry is not balanced: debits ${(debit / 100).toFixed(2)}, credits ${(credit / 100).toFixed(2)} (difference ${((debit - credit) / 100).toFixed(2)})`,
      { system: SYSTEM, code: "unbalanced", details: { totalDebit: debit / 100, totalCredit: credit / 100 } },
    );
  }
  if (entries.length < 2) throw new PermanentError("Journal entry needs at least two non-zero lines", { system: SYSTEM });
  return { entries, debit, credit };
}

export const createJournalEntry = node({
  type: "intacct.createJournalEntry",
  version: 1,
  title: "Create GL journal entry",
  description: "Post a balanced journal entry (GLBATCH) with dimensions on each line. Never posts the same reference twice.",
  category: "connector",
  config,
  input,
  output,
  effect: {
    kind: "write",
    key: keyOf,
    reconcile: (ctx, i, c) => findBatch(ctx.client.forEntity(i.entityId), journalOf(i, c), i.referenceNo),
    // A dry run shows the entry exactly as it would be posted, with its balance; nothing is sent.
    preview: async (_ctx, i, c) => {
      const { entries, debit, credit } = glEntries(i.lines, c.skipZeroLines);
      return {
        wouldPost: {
          object: "GLBATCH",
          journal: journalOf(i, c),
          date: i.date,
          description: i.description,
          referenceNo: i.referenceNo,
          ...(i.entityId ? { entityId: i.entityId } : {}),
          draft: c.draft,
          lines: entries.map((e) => ({
            accountNo: e.ACCOUNTNO,
            type: e.TR_TYPE === "1" ? "debit" : "credit",
            amount: e.TRX_AMOUNT,
            memo: e.DESCRIPTION,
            dimensions: Object.fromEntries(
              Object.entries({ locationId: e.LOCATION, departmentId: e.DEPARTMENT, projectId: e.PROJECTID, customerId: e.CUSTOMERID, vendorId: e.VENDORID, employeeId: e.EMPLOYEEID, itemId: e.ITEMID, classId: e.CLASSID }).filter(([, v]) => v !== undefined),
            ),
            ...userDimensionsOf(e),
            document: e.DOCUMENT,
          })),
          totalDebit: (debit / 100).toFixed(2),
          totalCredit: (credit / 100).toFixed(2),
          balance: ((debit - credit) / 100).toFixed(2),
        },
      };
    },
  },
  async run(ctx, i, c) {
    const journal = journalOf(i, c);
    const client = ctx.client.forEntity(i.entityId);
    const { entries, debit, credit } = glEntries(i.lines, c.skipZeroLines);
    const prior = await reconcileFirst(ctx, () => findBatch(client, journal, i.referenceNo));
    if (prior) return prior;
    const key = writeKey(ctx, keyOf(i, c));
    const created = await client.create(
      "GLBATCH",
      {
        JOURNAL: journal,
        BATCH_DATE: usDate(i.date, "date"),
        REVERSEDATE: i.reverseDate ? usDate(i.reverseDate, "reverseDate") : undefined,
        BATCH_TITLE: i.description,
        REFERENCENO: i.referenceNo,
        STATE: c.draft ? "Draft" : undefined,
        ENTRIES: { GLENTRY: entries },
      },
      key,
      () => findBatch(client, journal, i.referenceNo),
    );
    const [back] = await client.read("GLBATCH", [created.recordNo], { fields: ["RECORDNO", "BATCHNO", "STATE"] });
    return {
      recordNo: created.recordNo,
      journal,
      referenceNo: i.referenceNo,
      batchNo: text(back?.BATCHNO),
      state: text(back?.STATE) || (c.draft ? "Draft" : "Posted"),
      totalDebit: (debit / 100).toFixed(2),
      totalCredit: (credit / 100).toFixed(2),
      ...(i.entityId ? { entityId: i.entityId } : {}),
    };
  },
});
