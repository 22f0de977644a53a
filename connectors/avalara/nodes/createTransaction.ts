/**
 * Calculate tax: create an AvaTax transaction for a source document (invoice, bill, return) and
 * return the tax per jurisdiction for the journal entry.
 *
 * Idempotency: the document code is the business key. Re-running with the code of a Saved
 * document replaces it; with the code of a Committed or Cancelled document AvaTax refuses, and the
 * node reads the document back (AlreadyDone) instead of failing. After a timeout or a lost
 * response it sends CreateOrAdjustTransaction, as Avalara recommends, so exactly one document
 * exists whatever happened to the first attempt.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/CreateTransaction/
 */
import { z } from "zod";
import { AlreadyDoneError } from "../../sdk";
import type { AvalaraClient, CreateTransactionModel } from "../client";
import {
  addresses,
  amount,
  companyCode,
  documentCode,
  documentType,
  isPermanentType,
  toNumber,
  transactionOutput,
  type TransactionOutput,
} from "../schemas";
import { isFinalizedCodeError } from "../transport";
import { documentConfig, documentKey, documentRef, node } from "./shared";

export const createConfig = documentConfig.extend({
  commit: z
    .boolean()
    .default(false)
    .describe("Commit the document (reported on tax returns). Leave off for drafts; committed codes can only be adjusted."),
});

const line = z.object({
  number: z.union([z.string().min(1).max(50), z.number()]).optional().describe("Line number; defaults to the position (1, 2, …)."),
  quantity: amount.optional().describe("Quantity (positive, even for returns). Defaults to 1."),
  amount: amount.describe("Line amount (quantity × price, after line discounts). Negative for returns."),
  taxCode: z
    .string()
    .max(25)
    .optional()
    .describe("AvaTax tax code, e.g. P0000000 (general), NT (non-taxable), SW054000 (SaaS).")
    .meta({ picker: "taxCodes" }),
  itemCode: z.string().max(50).optional().describe("Item code / SKU."),
  description: z.string().max(2096).optional(),
  discounted: z.boolean().optional().describe("Whether the document-level discount applies to this line."),
  taxIncluded: z.boolean().optional().describe("Whether the amount already includes tax."),
  exemptionCode: z.string().max(25).optional().describe("Exemption certificate number for this line."),
  ref1: z.string().max(250).optional(),
  ref2: z.string().max(250).optional(),
  revenueAccount: z.string().max(50).optional().describe("GL revenue account, for reporting."),
  addresses: addresses.optional().describe("Line-level addresses (replace the document's for this line)."),
});

export const createInput = z.object({
  code: documentCode,
  companyCode: companyCode.optional().describe("Overrides the configured company code."),
  type: documentType.optional().describe("Overrides the configured document type."),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}/, "use YYYY-MM-DD")
    .describe("Document date, YYYY-MM-DD (a full ISO timestamp is accepted; its date part is used)."),
  customerCode: z.string().min(1).max(50).describe("Customer (or vendor, for purchases) code; case-sensitive at Avalara."),
  currencyCode: z.string().regex(/^[A-Z]{3}$/, "ISO 4217 code").optional().describe("ISO 4217 currency, e.g. USD."),
  commit: z.boolean().optional().describe("Overrides the configured commit flag."),
  exemptionNo: z.string().max(25).optional().describe("Exemption certificate number: makes the whole document exempt."),
  entityUseCode: z.string().max(25).optional().describe("Entity use code (e.g. G resale, E charitable)."),
  discount: amount.optional().describe("Document discount, spread over the lines marked discounted."),
  purchaseOrderNo: z.string().max(50).optional(),
  referenceCode: z.string().max(1024).optional().describe("Free reference, e.g. the source invoice number."),
  reportingLocationCode: z.string().max(50).optional(),
  description: z.string().max(2048).optional(),
  taxOverride: z
    .discriminatedUnion("type", [
      z
        .object({
          type: z.literal("TaxAmount").describe("TaxAmount: the document's tax is this amount (AvaTax still reports what it calculated)."),
          taxAmount: amount.describe("For a purchase: the sales tax the vendor charged. Never negative."),
          reason: z.string().min(1).max(255).describe("Why, as Avalara records it."),
        })
        .refine((o) => toNumber(o.taxAmount) >= 0, { message: "a tax amount override is never negative" }),
      z.object({
        type: z.literal("TaxDate").describe("TaxDate: tax at the rates of this date (a return: the original invoice's date)."),
        taxDate: z.string().regex(/^\d{4}-\d{2}-\d{2}/, "use YYYY-MM-DD").describe("The date whose rates apply, YYYY-MM-DD."),
        reason: z.string().min(1).max(255).describe("Why, as Avalara records it."),
      }),
    ])
    .optional()
    .describe(
      "TaxAmount: consumer use tax on a purchase the vendor taxed (the vendor's tax; the use tax owed is then taxCalculated - tax). TaxDate: a return taxed as of its original invoice's date.",
    ),
  addresses: addresses.describe("Document addresses: shipFrom + shipTo, or singleLocation."),
  lines: z.array(line).min(1).max(15_000).describe("Invoice lines."),
});

type Input = z.output<typeof createInput>;
type Config = z.output<typeof createConfig>;

const refOf = (i: Input, c: Config) => documentRef({ code: i.code, companyCode: i.companyCode, documentType: i.type }, c);

export function buildCreateModel(i: Input, c: Config): CreateTransactionModel {
  const ref = refOf(i, c);
  return {
    type: ref.documentType,
    code: ref.code,
    companyCode: ref.companyCode,
    date: i.date.slice(0, 10),
    customerCode: i.customerCode,
    commit: isPermanentType(ref.documentType) ? (i.commit ?? c.commit) : false,
    ...(i.currencyCode ? { currencyCode: i.currencyCode } : {}),
    ...(i.discount !== undefined ? { discount: toNumber(i.discount) } : {}),
    ...(i.exemptionNo ? { exemptionNo: i.exemptionNo } : {}),
    ...(i.entityUseCode ? { entityUseCode: i.entityUseCode } : {}),
    ...(i.purchaseOrderNo ? { purchaseOrderNo: i.purchaseOrderNo } : {}),
    ...(i.referenceCode ? { referenceCode: i.referenceCode } : {}),
    ...(i.reportingLocationCode ? { reportingLocationCode: i.reportingLocationCode } : {}),
    ...(i.description ? { description: i.description } : {}),
    ...(i.taxOverride?.type === "TaxAmount" ? { taxOverride: { type: "TaxAmount" as const, taxAmount: toNumber(i.taxOverride.taxAmount), reason: i.taxOverride.reason } } : {}),
    ...(i.taxOverride?.type === "TaxDate" ? { taxOverride: { type: "TaxDate" as const, taxDate: i.taxOverride.taxDate.slice(0, 10), reason: i.taxOverride.reason } } : {}),
    addresses: i.addresses,
    lines: i.lines.map((l, index) => ({
      number: String(l.number ?? index + 1),
      ...(l.quantity !== undefined ? { quantity: toNumber(l.quantity) } : {}),
      amount: toNumber(l.amount),
      ...(l.taxCode ? { taxCode: l.taxCode } : {}),
      ...(l.itemCode ? { itemCode: l.itemCode } : {}),
      ...(l.description ? { description: l.description } : {}),
      ...(l.discounted !== undefined ? { discounted: l.discounted } : {}),
      ...(l.taxIncluded !== undefined ? { taxIncluded: l.taxIncluded } : {}),
      ...(l.exemptionCode ? { exemptionCode: l.exemptionCode } : {}),
      ...(l.ref1 ? { ref1: l.ref1 } : {}),
      ...(l.ref2 ? { ref2: l.ref2 } : {}),
      ...(l.revenueAccount ? { revenueAccount: l.revenueAccount } : {}),
      ...(l.addresses ? { addresses: l.addresses } : {}),
    })),
  };
}

/** The document type Avalara does not store that quotes like `type` (SalesInvoice -> SalesOrder). */
export function quoteTypeOf(type: string): string {
  return type.endsWith("Invoice") ? `${type.slice(0, -"Invoice".length)}Order` : type;
}

/** Read the document back; Order types are never stored, so there is nothing to read. */
async function readBack(client: AvalaraClient, i: Input, c: Config): Promise<TransactionOutput | undefined> {
  const ref = refOf(i, c);
  if (!isPermanentType(ref.documentType)) return undefined;
  return client.getTransactionByCode(ref);
}

export const createTransaction = node({
  type: "avalara.createTransaction",
  version: 1,
  title: "Calculate tax (Avalara)",
  description:
    "Create an AvaTax transaction for a source document and return its tax per jurisdiction. The document code is the idempotency key.",
  category: "connector",
  icon: "calculator",
  config: createConfig,
  input: createInput,
  output: transactionOutput,
  effect: {
    kind: "write",
    key: (i, c) => documentKey(refOf(i, c)),
    // An earlier attempt may have created the document: read it back by code.
    reconcile: async (ctx, i, c) => {
      const found = await readBack(ctx.client, i, c);
      if (!found) return undefined;
      // A commit was asked for but the document is still Saved: let the write run again.
      const wantCommit = isPermanentType(refOf(i, c).documentType) && (i.commit ?? c.commit);
      if (wantCommit && found.status === "Saved") return undefined;
      return found;
    },
    // A dry run quotes the tax for real as the matching Order type, which Avalara never stores.
    preview: async (ctx, i, c) => {
      const model = { ...buildCreateModel(i, c), type: quoteTypeOf(refOf(i, c).documentType), commit: false };
      const quote = await ctx.client.createTransaction(model);
      return { wouldPost: { ...model, type: refOf(i, c).documentType, quotedAs: model.type }, output: quote };
    },
  },
  async run(ctx, i, c) {
    const model = buildCreateModel(i, c);
    let result: TransactionOutput;
    if (ctx.idempotency?.previousOutcomeUnknown && isPermanentType(model.type)) {
      ctx.log.info(`Earlier attempt for ${model.code} ended without an answer: using CreateOrAdjustTransaction`);
      result = await ctx.client.createOrAdjustTransaction(model, "Other", `Ledgerline retry after an unknown outcome (run ${ctx.runId})`);
    } else {
      try {
        result = await ctx.client.createTransaction(model);
      } catch (error) {
        if (!isFinalizedCodeError(error)) throw error;
        const existing = await readBack(ctx.client, i, c);
        if (!existing) throw error;
        ctx.log.warn(`Document ${model.code} is already ${existing.status} at Avalara: continuing with it`, {
          status: existing.status,
          totalTax: existing.totalTax,
        });
        throw new AlreadyDoneError(`Avalara document ${model.code} already exists with status ${existing.status}`, {
          system: error.system,
          status: error.status,
          code: error.code,
          body: error.body,
          details: error.details,
          result: existing,
          cause: error,
        });
      }
    }
    for (const m of result.messages) ctx.log.warn(`Avalara: ${m.summary}`, m);
    return result;
  },
});
