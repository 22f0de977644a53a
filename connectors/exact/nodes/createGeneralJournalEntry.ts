/**
 * Post a balanced general journal entry (e.g. the sales tax of one invoice, per jurisdiction on
 * its tax GL account and cost center) exactly once per source invoice.
 *
 * Idempotency: the business key `exact:<division>:<InvoiceID>:journal` goes into every line's
 * Notes; before posting, and when reconciling an attempt whose outcome is unknown, the node reads
 * back the entry whose lines carry that key.
 * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=GeneralJournalEntryGeneralJournalEntries
 */
import { z } from "zod";
import { AlreadyDoneError, NeedsReviewError, PermanentError } from "../../sdk";
import { journalKey, type ExactClient, type JournalEntryWithLines } from "../client";
import { GeneralJournalEntryLine } from "../schemas";
import { exactNode, guidString, isoDate } from "./_factory";

const lineSchema = z.object({
  glAccount: z.string().min(1).describe("GL account code (e.g. 2210, as mapping tables hold it) or its GUID"),
  amount: z.number().describe("Amount in the entry currency: positive = debit, negative = credit"),
  costCenter: z.string().optional().describe("Cost center code"),
  costUnit: z.string().optional().describe("Cost unit code"),
  vatCode: z.string().optional().describe("VAT code (only for journals that allow VAT)"),
  date: isoDate.optional().describe("Entry date of this line (default: the entry's date)"),
  description: z.string().max(60).optional().describe("Line description (default: the entry's description)"),
});

const inputSchema = z.object({
  division: z.number().int().describe("Division of the source invoice (the trigger's output `division`); must be this connection's"),
  invoiceId: guidString.describe("InvoiceID of the source sales invoice: the entry is posted once per invoice"),
  date: isoDate.describe("Entry date (YYYY-MM-DD), usually the invoice date"),
  description: z.string().max(60).optional().describe("Default line description, e.g. 'Sales tax invoice 20240017'"),
  journalCode: z.string().optional().describe("Overrides the node's journal"),
  financialYear: z.number().int().optional().describe("Financial year; Exact derives it from the date when empty"),
  financialPeriod: z.number().int().min(1).max(13).optional().describe("Financial period; Exact derives it from the date when empty"),
  currency: z.string().length(3).optional().describe("Entry currency (ISO 4217); default: the division's"),
  lines: z.array(lineSchema).min(1).describe("Lines; debits (positive) and credits (negative) must add up to zero"),
});

const outputSchema = z.object({
  status: z.enum(["created", "already_posted", "nothing_to_post"]),
  idempotencyKey: z.string(),
  entryId: z.string().nullable(),
  entryNumber: z.number().nullable(),
  journalCode: z.string().nullable(),
  financialYear: z.number().nullable(),
  financialPeriod: z.number().nullable(),
  currency: z.string().nullable(),
  totalDebit: z.number(),
  totalCredit: z.number(),
  lines: z.array(GeneralJournalEntryLine.schema),
});
type Output = z.infer<typeof outputSchema>;
type Input = z.output<typeof inputSchema>;

const cents = (amount: number) => Math.round(amount * 100);

function toOutput(key: string, status: Output["status"], found: JournalEntryWithLines): Output {
  const amounts = found.lines.map((l) => cents(l.AmountFC ?? 0));
  return {
    status,
    idempotencyKey: key,
    entryId: found.entry.EntryID,
    entryNumber: found.entry.EntryNumber,
    journalCode: found.entry.JournalCode,
    financialYear: found.entry.FinancialYear,
    financialPeriod: found.entry.FinancialPeriod,
    currency: found.entry.Currency,
    totalDebit: amounts.filter((a) => a > 0).reduce((s, a) => s + a, 0) / 100,
    totalCredit: -amounts.filter((a) => a < 0).reduce((s, a) => s + a, 0) / 100,
    lines: found.lines,
  };
}

async function readBack(client: ExactClient, key: string): Promise<Output | undefined> {
  const found = await client.findGeneralJournalEntryByKey(key);
  return found ? toOutput(key, "already_posted", found) : undefined;
}

function checkDivision(client: ExactClient, input: Input): void {
  if (input.division !== client.division) {
    throw new PermanentError(
      `The invoice belongs to division ${input.division} but this connection posts to division ${client.division}; use that division's connection`,
      { system: "exact", code: "division_mismatch" },
    );
  }
}

export const createGeneralJournalEntry = exactNode({
  type: "exact.createGeneralJournalEntry",
  version: 1,
  title: "Create general journal entry",
  description:
    "Posts a balanced general journal entry for a source invoice (GL accounts by code or GUID, cost center, cost unit, VAT code). " +
    "Posted once per invoice: a second attempt returns the entry already in Exact.",
  category: "connector",
  config: z.object({
    journalCode: z.string().min(1).default("90").describe("General journal to post in (type 90)").meta({ picker: "journals" }),
  }),
  input: inputSchema,
  output: outputSchema,
  effect: {
    kind: "write",
    key: (input) => journalKey(input.division, input.invoiceId),
    reconcile: async (ctx, input) => readBack(ctx.client, journalKey(input.division, input.invoiceId)),
  },
  run: async (ctx, input, config) => {
    const client = ctx.client;
    checkDivision(client, input);
    const key = journalKey(input.division, input.invoiceId);
    const journalCode = (input.journalCode ?? config.journalCode).trim();

    // 1. Balance, before anything is sent.
    for (const [i, line] of input.lines.entries()) {
      if (!Number.isFinite(line.amount)) throw new PermanentError(`Line ${i + 1}: amount is not a number`, { system: "exact", code: "invalid_input" });
    }
    const lines = input.lines.filter((l) => cents(l.amount) !== 0);
    const total = lines.reduce((sum, l) => sum + cents(l.amount), 0);
    if (total !== 0) {
      throw new PermanentError(
        `The journal entry does not balance: debits and credits differ by ${(total / 100).toFixed(2)}; nothing was posted`,
        { system: "exact", code: "unbalanced", details: { difference: total / 100 } },
      );
    }
    if (lines.length === 0) {
      ctx.log.info("Every line is zero: nothing to post", { key });
      return { status: "nothing_to_post" as const, idempotencyKey: key, entryId: null, entryNumber: null, journalCode, financialYear: null, financialPeriod: null, currency: input.currency ?? null, totalDebit: 0, totalCredit: 0, lines: [] };
    }

    // 2. Posted before (by an earlier attempt, a replay, or another flow)?
    const existing = await readBack(client, key);
    if (existing) throw new AlreadyDoneError(`Journal entry ${existing.entryNumber} already carries ${key}`, { system: "exact", result: existing });

    // 3. Mapping checks: journal, GL accounts, cost centers and units must exist and be usable.
    const journals = await client.listJournals();
    const journal = journals.find((j) => j.Code === journalCode);
    if (!journal || journal.IsBlocked) {
      throw new NeedsReviewError(`Journal ${journalCode} ${journal ? "is blocked" : "does not exist"} in Exact division ${client.division}`, {
        system: "exact",
        reasonCode: "unknown_journal",
      });
    }
    if (lines.some((l) => l.vatCode) && !journal.AllowVAT) {
      throw new PermanentError(`Journal ${journalCode} does not allow VAT, so lines cannot carry a VAT code`, { system: "exact", code: "vat_not_allowed" });
    }
    const accounts = await client.resolveGLAccounts(lines.map((l) => l.glAccount));
    const usedCenters = [...new Set(lines.map((l) => l.costCenter?.trim()).filter((c): c is string => Boolean(c)))];
    const usedUnits = [...new Set(lines.map((l) => l.costUnit?.trim()).filter((c): c is string => Boolean(c)))];
    if (usedCenters.length) {
      const known = new Set((await client.listCostCenters()).map((c) => c.Code));
      const missing = usedCenters.filter((c) => !known.has(c));
      if (missing.length) {
        throw new NeedsReviewError(`Cost center(s) not found in Exact division ${client.division}: ${missing.join(", ")}`, {
          system: "exact",
          reasonCode: "unknown_cost_center",
          details: { missing },
        });
      }
    }
    if (usedUnits.length) {
      const known = new Set((await client.listCostUnits()).map((c) => c.Code));
      const missing = usedUnits.filter((c) => !known.has(c));
      if (missing.length) {
        throw new NeedsReviewError(`Cost unit(s) not found in Exact division ${client.division}: ${missing.join(", ")}`, {
          system: "exact",
          reasonCode: "unknown_cost_unit",
          details: { missing },
        });
      }
    }
    for (const line of lines) {
      const account = accounts.get(line.glAccount)!;
      if (account.UseCostcenter === 1 && !line.costCenter) {
        throw new NeedsReviewError(`GL account ${account.Code} requires a cost center`, { system: "exact", reasonCode: "missing_cost_center" });
      }
      if (account.UseCostunit === 1 && !line.costUnit) {
        throw new NeedsReviewError(`GL account ${account.Code} requires a cost unit`, { system: "exact", reasonCode: "missing_cost_unit" });
      }
    }

    // 4. Post.
    const created = await client.createGeneralJournalEntry({
      journalCode,
      financialYear: input.financialYear,
      financialPeriod: input.financialPeriod,
      currency: input.currency,
      lines: lines.map((l) => ({
        glAccount: accounts.get(l.glAccount)!.ID!,
        amount: cents(l.amount) / 100,
        date: l.date ?? input.date,
        description: l.description ?? input.description,
        costCenter: l.costCenter?.trim(),
        costUnit: l.costUnit?.trim(),
        vatCode: l.vatCode?.trim(),
        notes: key,
      })),
    });
    ctx.log.info(`Posted journal entry ${created.entry.EntryNumber} in journal ${journalCode}`, { key });
    return toOutput(key, "created", created);
  },
});
