/**
 * Bring an AvaTax document in line with the current version of its source document, leaving it
 * uncommitted so the ledger can be posted before the tax becomes reportable ("commit last").
 *
 * | Source                       | Avalara document now     | Call                                   |
 * | ---------------------------- | ------------------------ | -------------------------------------- |
 * | created or edited            | none                     | CreateTransaction, commit false        |
 * | created or edited            | Saved / Uncommitted      | CreateTransaction (replaces it)        |
 * | edited                       | Committed, same content  | nothing (outcome `unchanged`)          |
 * | edited                       | Committed                | AdjustTransaction with a reason: a new |
 * |                              |                          | version, Saved; the old one Adjusted   |
 * | edited                       | locked or Cancelled      | review (a person decides)              |
 * | voided, cancelled or deleted | Saved / Uncommitted      | VoidTransaction DocDeleted (removed)   |
 * | voided, cancelled or deleted | Committed                | VoidTransaction DocVoided (Cancelled)  |
 * | voided, cancelled or deleted | locked                   | RefundTransaction Full: a committed    |
 * |                              |                          | ReturnInvoice with the same code       |
 * | voided, cancelled or deleted | none or Cancelled        | nothing                                |
 *
 * `jurisdictions` in the output is the tax the ledger must hold for the document afterwards
 * (empty once it is voided, deleted or refunded in full); `commit` names the document to commit
 * once the ledger is posted (null when nothing is left to commit).
 *
 * Idempotency: the key is the document plus the source version, so a replayed edit changes
 * nothing, and a new version always reads the document first, so a retry after a lost answer
 * never makes a second Avalara version.
 * https://developer.avalara.com/avatax/dev-guide/reconciliation/modifying-a-transaction/
 */
import { z } from "zod";
import { DEFAULT_ROW_KEY, NeedsReviewError, PermanentError } from "../../sdk";
import type { AdjustmentReason, AvalaraClient, CreateTransactionModel, DocumentRef } from "../client";
import { companyCode, documentCode, documentType, jurisdictionTax, transactionOutput, type TransactionOutput } from "../schemas";
import { isFinalizedCodeError } from "../transport";
import { buildCreateModel, quoteTypeOf, createInput } from "./createTransaction";
import { documentConfig, documentKey, documentRef, node } from "./shared";

const ADJUSTMENT_REASONS = [
  "PriceAdjusted",
  "ProductReturned",
  "ProductExchanged",
  "SourcingIssue",
  "ReconciledWithGeneralLedger",
  "ExemptCertApplied",
  "BadDebt",
  "Offline",
  "Other",
] as const;

const config = documentConfig.extend({
  taxCodeTableId: z
    .string()
    .uuid()
    .optional()
    .describe("Mapping table from item code to Avalara tax code, for lines sent without one. A row with key * is an explicit default (logged when used).")
    .meta({ picker: "lookupTables" }),
  taxCodeColumn: z.string().min(1).default("taxCode").describe("Column of that table holding the tax code."),
  adjustmentReason: z
    .enum(ADJUSTMENT_REASONS)
    .default("PriceAdjusted")
    .describe("Reason Avalara records on each new version of an edited document."),
});

const input = z.object({
  action: z.enum(["upsert", "delete"]).describe("upsert: the source exists (created or edited); delete: it was voided, cancelled or deleted."),
  version: z.string().min(1).max(120).describe("Version of the source document (modified timestamp, rowversion…): part of the idempotency key."),
  code: documentCode,
  companyCode: companyCode.optional().describe("Overrides the configured company code."),
  type: documentType.optional().describe("Overrides the configured document type (ReturnInvoice for a credit note)."),
  transaction: createInput
    .omit({ code: true, companyCode: true, type: true, commit: true })
    .optional()
    .describe("The document as it is now (required for upsert)."),
  adjustmentDescription: z.string().max(255).optional().describe("Why the document changed, e.g. 'invoice edited in Exact'."),
  refundDate: z.string().regex(/^\d{4}-\d{2}-\d{2}/, "use YYYY-MM-DD").optional().describe("Date of the refund when a locked document is voided (default: today)."),
});

const outcome = z.enum(["created", "replaced", "adjusted", "unchanged", "voided", "deleted", "refunded", "absent"]);
const ref = z.object({ code: z.string(), companyCode: z.string(), documentType: z.string() });

const output = z.object({
  outcome,
  code: z.string(),
  companyCode: z.string(),
  documentType: z.string(),
  status: z.string().describe("Status of the document at Avalara afterwards (Saved, Committed, Cancelled, or Deleted)."),
  version: z.number().describe("Avalara's version of the document (1 until it is adjusted)."),
  totalTax: z.number().describe("The tax the books must hold for the source document now."),
  jurisdictions: z.array(jurisdictionTax).describe("That tax per jurisdiction (empty once voided, deleted or refunded)."),
  document: transactionOutput.nullable(),
  refund: transactionOutput.nullable(),
  commit: ref.nullable().describe("The document to commit once the ledger is posted; null when there is nothing to commit."),
});
type Output = z.input<typeof output>;

type Input = z.output<typeof input>;
type Config = z.output<typeof config>;

const refOf = (i: Input, c: Config): DocumentRef => documentRef({ code: i.code, companyCode: i.companyCode, documentType: i.type }, c);


/**
 * Every line gets a tax code: its own, its item's row in the mapping table, or the table's
 * explicit default row (logged). Anything else parks the run, naming the items: a line sent
 * without a tax code would be taxed as tangible goods without anyone being asked.
 */
async function withTaxCodes(ctx: Ctx, c: Config, lines: NonNullable<Input["transaction"]>["lines"]) {
  const missing: string[] = [];
  const out = [];
  for (const [n, line] of lines.entries()) {
    if (line.taxCode) {
      out.push(line);
      continue;
    }
    const item = line.itemCode ?? "";
    const row = c.taxCodeTableId ? ((item ? await ctx.lookup(c.taxCodeTableId, item) : undefined) ?? undefined) : undefined;
    const value = row?.values[c.taxCodeColumn];
    if (value) {
      out.push({ ...line, taxCode: value });
      continue;
    }
    const fallback = c.taxCodeTableId ? await ctx.lookup(c.taxCodeTableId, DEFAULT_ROW_KEY) : undefined;
    const defaultValue = fallback?.values[c.taxCodeColumn];
    if (defaultValue) {
      ctx.log.info(`Line ${line.number ?? n + 1} (${item || "no item"}) has no tax code row: using the table's default row (*) ${defaultValue}`);
      out.push({ ...line, taxCode: defaultValue });
      continue;
    }
    missing.push(item ? `item ${item}` : `line ${line.number ?? n + 1} (no item)`);
  }
  if (missing.length) {
    throw new NeedsReviewError(`No Avalara tax code for ${[...new Set(missing)].join(", ")}: add them to the tax code mapping table (or a default row *)`, {
      reasonCode: "missing_tax_code",
      details: { missing: [...new Set(missing)], tableId: c.taxCodeTableId ?? null },
    });
  }
  return out;
}

type Ctx = { client: AvalaraClient; log: { info(m: string, d?: unknown): void }; lookup: (tableId: string, key: string) => Promise<{ key: string; values: Record<string, string> } | undefined> };

const UNCOMMITTED = new Set(["Saved", "Posted", "Uncommitted"]);

/** Same lines, date and customer: an edit that does not change the tax (e.g. printing the invoice). */
function sameContent(current: TransactionOutput, model: CreateTransactionModel): boolean {
  if (current.date.slice(0, 10) !== model.date || current.customerCode !== model.customerCode) return false;
  if (current.lines.length !== model.lines.length) return false;
  const cents = (n: number) => Math.round(n * 100);
  // A changed tax override (the vendor's tax on a purchase) is a change even with the same lines.
  const overridden = model.taxOverride?.type === "TaxAmount" ? cents(model.taxOverride.taxAmount) : cents(current.totalTaxCalculated ?? current.totalTax);
  if (overridden !== cents(current.totalTax)) return false;
  // A return's tax date (its original invoice's) moved: a change.
  if (model.taxOverride?.type === "TaxDate" && current.taxDate && current.taxDate.slice(0, 10) !== model.taxOverride.taxDate) return false;
  return model.lines.every((line) => {
    const other = current.lines.find((l) => l.lineNumber === line.number);
    return (
      other !== undefined &&
      cents(other.amount) === cents(line.amount) &&
      (line.quantity ?? 1) === other.quantity &&
      (line.taxCode ?? "") === other.taxCode &&
      (line.itemCode ?? "") === other.itemCode
    );
  });
}

function result(o: Output["outcome"], r: DocumentRef, doc: TransactionOutput | undefined, extra: Partial<Output> = {}): Output {
  const live = doc && doc.status !== "Cancelled" ? doc : undefined;
  return {
    outcome: o,
    code: r.code,
    companyCode: r.companyCode,
    documentType: r.documentType,
    status: doc?.status ?? "Deleted",
    version: doc?.version ?? 0,
    totalTax: live?.totalTax ?? 0,
    jurisdictions: live?.jurisdictions ?? [],
    document: doc ?? null,
    refund: null,
    commit: live && live.status !== "Committed" ? r : null,
    ...extra,
  };
}

async function upsert(ctx: Ctx, i: Input, c: Config, r: DocumentRef, current: TransactionOutput | undefined): Promise<Output> {
  if (!i.transaction) throw new PermanentError(`Avalara document ${r.code}: the document is required to create or change it`);
  const lines = await withTaxCodes(ctx, c, i.transaction.lines);
  const model = buildCreateModel({ ...i.transaction, lines, code: r.code, companyCode: r.companyCode, type: r.documentType as Input["type"], commit: false }, { ...c, commit: false });
  if (current?.locked) {
    throw new NeedsReviewError(
      `Avalara document ${r.code} is locked (reported on a filed return) and cannot be adjusted: record the difference as a new document in AvaTax`,
      { reasonCode: "locked_transaction", details: { code: r.code, totalTax: current.totalTax } },
    );
  }
  if (current?.status === "Cancelled") {
    throw new NeedsReviewError(`Avalara document ${r.code} was voided, but the source document still exists: unvoid it in AvaTax or void the source`, {
      reasonCode: "document_voided",
      details: { code: r.code },
    });
  }
  if (!current || UNCOMMITTED.has(current.status)) {
    try {
      const created = await ctx.client.createTransaction(model);
      return result(current ? "replaced" : "created", r, created);
    } catch (error) {
      // Committed meanwhile (another run): adjust below from what is there now.
      if (!isFinalizedCodeError(error)) throw error;
      current = await ctx.client.getTransactionByCode(r);
      if (!current || current.status !== "Committed") throw error;
    }
  }
  if (sameContent(current, model)) {
    ctx.log.info(`Avalara document ${r.code} already has this content (version ${current.version}): not adjusted`);
    return result("unchanged", r, current);
  }
  const reason: AdjustmentReason = c.adjustmentReason;
  const description = i.adjustmentDescription ?? `source document changed (version ${i.version})`;
  const adjusted = await ctx.client.adjustTransaction(r, model, reason, description);
  ctx.log.info(`Avalara document ${r.code} adjusted (${reason}): version ${adjusted.version}, tax ${current.totalTax} -> ${adjusted.totalTax}`);
  return result("adjusted", r, adjusted);
}

async function remove(ctx: Ctx, i: Input, r: DocumentRef, current: TransactionOutput | undefined): Promise<Output> {
  if (!current) return result("absent", r, undefined);
  if (current.status === "Cancelled") return result("voided", r, current);
  if (current.locked) {
    // A ReturnInvoice may reuse the invoice's code (another document type): the pair stays findable.
    const refundRef: DocumentRef = { companyCode: r.companyCode, code: r.code, documentType: "ReturnInvoice" };
    const refund =
      (await ctx.client.getTransactionByCode(refundRef)) ??
      (await ctx.client.refundTransaction(r, {
        refundTransactionCode: refundRef.code,
        refundDate: (i.refundDate ?? new Date().toISOString()).slice(0, 10),
        refundType: "Full",
        referenceCode: `void of ${r.code}`,
      }));
    ctx.log.info(`Avalara document ${r.code} is locked: refunded in full as ${refundRef.code} instead of voided`);
    // The locked original and its full refund net to zero.
    return { ...result("refunded", r, current), totalTax: 0, jurisdictions: [], refund, commit: refund.status === "Committed" ? null : refundRef };
  }
  if (UNCOMMITTED.has(current.status)) {
    const voided = await ctx.client.voidTransaction(r, "DocDeleted");
    ctx.log.info(`Avalara document ${r.code} was never committed: deleted (DocDeleted)`);
    return { ...result("deleted", r, undefined), document: voided };
  }
  const voided = await ctx.client.voidTransaction(r, "DocVoided");
  ctx.log.info(`Avalara document ${r.code} voided (DocVoided)`);
  return result("voided", r, voided);
}

export const syncDocument = node({
  type: "avalara.syncDocument",
  version: 1,
  title: "Sync document (Avalara)",
  description:
    "Keep an AvaTax document equal to its source over the source's life: create, replace or adjust it (uncommitted, with a reason) on an edit; void, delete or refund it on a void or delete. Commit it after posting with Commit transaction.",
  category: "connector",
  icon: "refresh-cw",
  config,
  input,
  output,
  effect: {
    kind: "write",
    key: (i, c) => `${documentKey(refOf(i, c))}:v:${i.version}`,
    // A dry run reads the document, quotes the tax for real as the Order type (never stored) and
    // answers what the books would hold; a delete answers no tax left. Nothing changes at Avalara.
    preview: async (ctx, i, c) => {
      const r = refOf(i, c);
      const current = await ctx.client.getTransactionByCode(r);
      if (i.action === "delete") {
        const o: Output = { ...result(current ? (UNCOMMITTED.has(current.status) ? "deleted" : "voided") : "absent", r, current), totalTax: 0, jurisdictions: [], commit: null };
        return { wouldPost: { action: current ? (UNCOMMITTED.has(current.status) ? "DocDeleted" : "DocVoided") : "nothing", document: r }, output: o };
      }
      if (!i.transaction) throw new PermanentError(`Avalara document ${r.code}: the document is required to create or change it`);
      const lines = await withTaxCodes(ctx, c, i.transaction.lines);
      const model = buildCreateModel({ ...i.transaction, lines, code: r.code, companyCode: r.companyCode, type: r.documentType as Input["type"], commit: false }, { ...c, commit: false });
      const quote = await ctx.client.createTransaction({ ...model, type: quoteTypeOf(model.type) });
      const o = !current ? "created" : sameContent(current, model) ? "unchanged" : UNCOMMITTED.has(current.status) ? "replaced" : "adjusted";
      return { wouldPost: { ...model, quotedAs: quoteTypeOf(model.type), outcome: o }, output: { ...result(o, r, { ...quote, code: r.code, type: r.documentType, status: "Saved" }), commit: null } };
    },
  },
  async run(ctx, i, c) {
    let r = refOf(i, c);
    let current = await ctx.client.getTransactionByCode(r);
    if (!current && i.action === "delete" && !i.type && r.documentType === "SalesInvoice") {
      // A deleted source no longer says whether it was an invoice or a credit note.
      const asReturn = { ...r, documentType: "ReturnInvoice" };
      const found = await ctx.client.getTransactionByCode(asReturn);
      if (found) [r, current] = [asReturn, found];
    }
    return i.action === "upsert" ? upsert(ctx, i, c, r, current) : remove(ctx, i, r, current);
  },
});
