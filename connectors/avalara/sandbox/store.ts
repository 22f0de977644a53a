/**
 * Stored transactions by company + code + type, with AvaTax's rules:
 * - create with the code of a Saved document replaces it; of a Committed one fails with
 *   DocumentCodeConflict; of a Cancelled one fails with GetTaxError "DocStatus is invalid";
 * - Order types are calculated and never stored;
 * - createoradjust creates when absent, replaces a Saved document, adjusts a Committed one;
 * - commit and void change the status; a locked (reported) document cannot change;
 * - adjust keeps the replaced version (status Adjusted) and counts versions from 1;
 * - void: DocVoided and DocDeleted on a committed document -> Cancelled; DocDeleted on an
 *   uncommitted one deletes it; PostFailed -> Saved; AdjustmentCancelled restores the version
 *   before the last adjustment;
 * - uncommit: Committed -> Uncommitted (replaceable and committable again, like Saved);
 * - refund: a ReturnInvoice (committed) negating the committed SalesInvoice, in full, by lines or
 *   by percentage, with the tax exactly as first calculated.
 * https://developer.avalara.com/avatax/dev-guide/transactions/
 */
import { randomUUID } from "node:crypto";
import type { Principal } from "./auth";
import { calculate, DOCUMENT_TYPES, isStoredType } from "./engine";
import type { Gazetteer } from "./gazetteer";
import type { SandboxCompany, SandboxState, StoredDocument } from "./seed";
import { AvaTaxFault, type CreateTransactionModel, type TransactionModel } from "./wire";

export const VOID_REASONS = ["Unspecified", "PostFailed", "DocDeleted", "DocVoided", "AdjustmentCancelled"];
export const ADJUSTMENT_REASONS = [
  "NotAdjusted",
  "SourcingIssue",
  "ReconciledWithGeneralLedger",
  "ExemptCertApplied",
  "PriceAdjusted",
  "ProductReturned",
  "ProductExchanged",
  "BadDebt",
  "Other",
  "Offline",
];

const isUncommitted = (status: string) => status === "Saved" || status === "Posted" || status === "Uncommitted";

const refundError = (_number: number, code: string, message: string) => new AvaTaxFault(400, code, message, { refersTo: "RefundTransactionModel" });

const JURIS_TYPE_NAME: Record<string, string> = { STA: "State", CTY: "County", CIT: "City", STJ: "Special", CNT: "Country" };

/** The summary of refund lines: tax per jurisdiction and tax name, summed from the line details. */
function summariseLines(lines: NonNullable<TransactionModel["lines"]>): NonNullable<TransactionModel["summary"]> {
  const rows = new Map<string, NonNullable<TransactionModel["summary"]>[number]>();
  for (const line of lines) {
    for (const d of line.details ?? []) {
      const id = `${d.country}|${d.region}|${d.jurisType}|${d.jurisCode}|${d.taxName}|${d.rate}`;
      const row = rows.get(id) ?? {
        country: d.country, region: d.region, jurisType: JURIS_TYPE_NAME[d.jurisType] ?? d.jurisType, jurisCode: d.jurisCode, jurisName: d.jurisName,
        taxAuthorityType: d.taxAuthorityTypeId ?? 45, stateAssignedNo: d.stateAssignedNo ?? "", taxType: d.taxType, taxSubType: d.taxSubTypeId ?? "S",
        taxName: d.taxName, rateType: d.rateType ?? "General", rateTypeCode: d.rateTypeCode ?? "G", taxable: 0, rate: d.rate, tax: 0, taxCalculated: 0, nonTaxable: 0, exemption: 0,
      };
      row.tax = Math.round((row.tax + d.tax) * 100) / 100;
      row.taxCalculated = Math.round((row.taxCalculated + d.taxCalculated) * 100) / 100;
      row.taxable = Math.round((row.taxable + d.taxableAmount) * 100) / 100;
      rows.set(id, row);
    }
  }
  return [...rows.values()];
}

const docStatusError = (expected: string) =>
  new AvaTaxFault(400, "GetTaxError", "DocStatus is invalid for this operation.", {
    refersTo: "DocStatus",
    description: `Expected ${expected}`,
  });

export class TransactionStore {
  constructor(
    private readonly state: SandboxState,
    private readonly gazetteer: () => Gazetteer,
    private readonly now: () => number,
  ) {}

  company(principal: Principal, companyCode: string | undefined | null, status = 400): SandboxCompany {
    const companies = principal.account.companies;
    const company = companyCode
      ? companies.find((c) => c.companyCode.toLowerCase() === companyCode.toLowerCase())
      : companies.find((c) => c.isDefault);
    if (!company) {
      throw new AvaTaxFault(status, "EntityNotFoundError", "Company not found.", {
        refersTo: "CompanyCode",
        description: `The company with code '${companyCode ?? "(default)"}' was not found.`,
      });
    }
    return company;
  }

  private key = (company: SandboxCompany, code: string, type: string) => `${company.id}|${code.toLowerCase()}|${type}`;

  private calculate(principal: Principal, company: SandboxCompany, model: CreateTransactionModel, code: string): TransactionModel {
    return calculate(
      {
        company,
        gazetteer: this.gazetteer(),
        now: this.now(),
        nextTransactionId: () => this.state.nextTransactionId++,
        nextLineId: () => this.state.nextLineId++,
        userId: principal.user?.id ?? 54000,
      },
      model,
      code,
    );
  }

  private record(operation: string, company: SandboxCompany, tx: TransactionModel) {
    this.state.log.push({
      at: new Date(this.now()).toISOString(),
      operation,
      companyCode: company.companyCode,
      code: tx.code,
      type: tx.type,
      status: tx.status,
    });
  }

  create(principal: Principal, model: CreateTransactionModel): TransactionModel {
    const company = this.company(principal, model?.companyCode);
    const code = model?.code ? String(model.code) : randomUUID();
    const type = model?.type ?? "SalesOrder";
    if (!isStoredType(type)) return this.calculate(principal, company, model, code);
    const existing = this.state.documents.get(this.key(company, code, type));
    if (existing) {
      const status = existing.transaction.status;
      if (existing.transaction.locked) throw this.locked(code);
      if (status === "Committed") {
        throw new AvaTaxFault(400, "DocumentCodeConflict", `A committed transaction with code '${code}' already exists.`, {
          refersTo: "Code",
          description:
            "A committed transaction is considered finalized, and its transaction code is reserved and may not be reused. Use CreateOrAdjustTransaction to change it.",
        });
      }
      if (status === "Cancelled") throw docStatusError("Saved|Posted");
    }
    const tx = this.calculate(principal, company, model, code);
    this.store(principal, company, tx, existing ? "replace" : "create");
    return tx;
  }

  createOrAdjust(
    principal: Principal,
    body: { adjustmentReason?: string; adjustmentDescription?: string; createTransactionModel?: CreateTransactionModel },
  ): TransactionModel {
    const model = body?.createTransactionModel;
    if (!model) throw new AvaTaxFault(400, "ModelRequiredException", "A createTransactionModel is required for this API.");
    const company = this.company(principal, model.companyCode);
    const code = model.code ? String(model.code) : randomUUID();
    const type = model.type ?? "SalesOrder";
    if (!isStoredType(type)) return this.calculate(principal, company, model, code);
    const existing = this.state.documents.get(this.key(company, code, type));
    if (existing?.transaction.locked) throw this.locked(code);
    if (!existing || isUncommitted(existing.transaction.status)) {
      const tx = this.calculate(principal, company, model, code);
      this.store(principal, company, tx, existing ? "replace" : "create");
      return tx;
    }
    if (existing.transaction.status === "Cancelled") throw docStatusError("Saved|Posted|Committed");
    return this.applyAdjustment(principal, company, existing, model, body.adjustmentReason ?? "Other", body.adjustmentDescription);
  }

  /**
   * AdjustTransaction: replace the document with `newTransaction`, keeping the old version as
   * Adjusted. Refused on a locked or Cancelled document.
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/AdjustTransaction/
   */
  adjust(
    principal: Principal,
    companyCode: string,
    code: string,
    documentType: string | undefined,
    body: { adjustmentReason?: string; adjustmentDescription?: string; newTransaction?: CreateTransactionModel },
  ): TransactionModel {
    if (!body?.adjustmentReason) throw new AvaTaxFault(400, "ValueRequiredError", "Field 'adjustmentReason' is required.", { refersTo: "AdjustmentReason" });
    if (!body.newTransaction) throw new AvaTaxFault(400, "ValueRequiredError", "Field 'newTransaction' is required.", { refersTo: "NewTransaction" });
    const doc = this.find(principal, companyCode, code, documentType);
    if (doc.transaction.locked) throw this.locked(code);
    if (doc.transaction.status === "Cancelled") throw docStatusError("Saved|Posted|Committed");
    const model = { ...body.newTransaction, code: doc.transaction.code, type: doc.transaction.type };
    return this.applyAdjustment(principal, this.company(principal, companyCode), doc, model, body.adjustmentReason, body.adjustmentDescription);
  }

  private applyAdjustment(
    principal: Principal,
    company: SandboxCompany,
    existing: StoredDocument,
    model: CreateTransactionModel,
    reason: string,
    description: string | undefined,
  ): TransactionModel {
    if (!ADJUSTMENT_REASONS.includes(reason) || reason === "NotAdjusted") {
      throw new AvaTaxFault(400, "InvalidAdjustmentType", `The adjustment reason '${reason}' is not valid.`, { refersTo: "AdjustmentReason" });
    }
    if (reason === "Other" && !description) {
      // Assumed: AvaTax's UI asks for a description with "Other"; the API rule is unconfirmed.
      throw new AvaTaxFault(400, "ValueRequiredError", "An adjustment description is required when the reason is Other.", { refersTo: "AdjustmentDescription" });
    }
    const tx = this.calculate(principal, company, model, existing.transaction.code);
    tx.version = existing.transaction.version + 1;
    tx.adjustmentReason = reason;
    if (description) tx.adjustmentDescription = description;
    existing.history.push({ ...existing.transaction, status: "Adjusted" });
    existing.transaction = tx;
    this.record("adjust", company, tx);
    return tx;
  }

  private store(principal: Principal, company: SandboxCompany, tx: TransactionModel, operation: string) {
    const key = this.key(company, tx.code, tx.type);
    const existing = this.state.documents.get(key);
    const doc: StoredDocument = { accountId: principal.account.accountId, transaction: tx, history: existing?.history ?? [] };
    this.state.documents.set(key, doc);
    this.record(operation, company, tx);
  }

  private locked(code: string) {
    return new AvaTaxFault(400, "CannotModifyLockedTransaction", `The transaction '${code}' is locked: it has been reported on a tax return.`, {
      refersTo: "Code",
    });
  }

  find(principal: Principal, companyCode: string, code: string, documentType?: string): StoredDocument {
    const company = this.company(principal, companyCode, 404);
    // One lookup per document type, not a walk over every stored document (a backfill stores thousands).
    const matches = (documentType ? [documentType] : DOCUMENT_TYPES)
      .map((type) => this.state.documents.get(this.key(company, code, type)))
      .filter((d): d is StoredDocument => d !== undefined);
    const doc = documentType
      ? matches[0]
      : matches.length === 1
        ? matches[0]
        : matches.find((d) => d.transaction.type === "SalesInvoice");
    if (!doc) {
      throw new AvaTaxFault(404, "EntityNotFoundError", "Document not found.", {
        refersTo: "TransactionCode",
        description: `The Transaction with code '${code}' was not found.`,
      });
    }
    return doc;
  }

  commit(principal: Principal, companyCode: string, code: string, documentType: string | undefined, commit: boolean): TransactionModel {
    const doc = this.find(principal, companyCode, code, documentType);
    const tx = doc.transaction;
    if (tx.locked) throw this.locked(code);
    if (tx.status === "Cancelled" || tx.status === "Adjusted") throw docStatusError("Saved|Posted|Committed");
    if (!commit && tx.status === "Uncommitted") return tx;
    const next = commit ? "Committed" : "Saved";
    if (tx.status !== next) {
      tx.status = next;
      tx.modifiedDate = new Date(this.now()).toISOString();
      this.record(commit ? "commit" : "uncommit", this.company(principal, companyCode), tx);
    }
    return tx;
  }

  /**
   * UncommitTransaction: a committed document goes back to Uncommitted.
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/UncommitTransaction/
   */
  uncommit(principal: Principal, companyCode: string, code: string, documentType: string | undefined): TransactionModel {
    const doc = this.find(principal, companyCode, code, documentType);
    const tx = doc.transaction;
    if (tx.locked) throw this.locked(code);
    if (tx.status !== "Committed") {
      throw new AvaTaxFault(400, "DocumentNotCommitted", `The transaction '${code}' is not committed.`, { refersTo: "DocStatus" });
    }
    tx.status = "Uncommitted";
    tx.modifiedDate = new Date(this.now()).toISOString();
    this.record("uncommit", this.company(principal, companyCode), tx);
    return tx;
  }

  /**
   * RefundTransaction: a ReturnInvoice for a committed SalesInvoice, with the tax as originally
   * calculated (negated). Created committed (assumed: the refund model has no commit flag).
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/RefundTransaction/
   */
  refund(
    principal: Principal,
    companyCode: string,
    code: string,
    documentType: string | undefined,
    body: { refundTransactionCode?: string; refundDate?: string; refundType?: string; refundPercentage?: number; refundLines?: string[]; referenceCode?: string },
  ): TransactionModel {
    if (!body?.refundDate) throw new AvaTaxFault(400, "ValueRequiredError", "Field 'refundDate' is required.", { refersTo: "RefundDate" });
    const refundType = body.refundType ?? "Full";
    if (!["Full", "Partial", "TaxOnly", "Percentage"].includes(refundType)) throw refundError(705, "InvalidRefundType", `Refund type '${refundType}' is not valid.`);
    const doc = this.find(principal, companyCode, code, documentType);
    const original = doc.transaction;
    if (original.type !== "SalesInvoice") throw refundError(702, "InvalidDocumentTypeForRefund", "Only a SalesInvoice can be refunded.");
    if (original.status !== "Committed") throw refundError(700, "InvalidDocumentStatusForRefund", "Only a committed transaction can be refunded.");
    let share = 1;
    let lines = original.lines ?? [];
    if (refundType === "Percentage") {
      if (body.refundPercentage === undefined) throw refundError(709, "RefundPercentageMissing", "A refund percentage is required.");
      if (body.refundPercentage < 0 || body.refundPercentage > 100) throw refundError(708, "RefundPercentageOutOfRange", "The refund percentage must be between 0 and 100.");
      share = body.refundPercentage / 100;
    } else if (body.refundPercentage !== undefined) {
      throw refundError(refundType === "TaxOnly" ? 706 : 701, refundType === "TaxOnly" ? "RefundPercentageForTaxOnly" : "RefundTypeAndPercentageMismatch", "A percentage is only allowed with refund type Percentage.");
    }
    if (refundType === "Partial") {
      if (!body.refundLines?.length) throw refundError(704, "RefundLinesRequired", "Refund lines are required for a partial refund.");
      lines = lines.filter((l) => body.refundLines!.includes(l.lineNumber));
      if (lines.length !== body.refundLines.length) throw refundError(703, "RefundTypeAndLineMismatch", "A refund line does not exist on the transaction.");
    } else if (body.refundLines?.length) {
      throw refundError(703, "RefundTypeAndLineMismatch", "Refund lines are only allowed with refund type Partial.");
    }
    const company = this.company(principal, companyCode);
    const returnCode = body.refundTransactionCode ?? original.code;
    const key = this.key(company, returnCode, "ReturnInvoice");
    if (this.state.documents.has(key)) {
      throw new AvaTaxFault(400, "DocumentCodeConflict", `A ReturnInvoice with code '${returnCode}' already exists.`, { refersTo: "Code" });
    }
    const neg = (n: number) => -Math.round(n * share * 100) / 100;
    const taxOnly = refundType === "TaxOnly";
    const refundLines = structuredClone(lines).map((l) => ({
      ...l,
      id: this.state.nextLineId++,
      lineAmount: taxOnly ? 0 : neg(l.lineAmount),
      taxableAmount: taxOnly ? 0 : neg(l.taxableAmount),
      tax: neg(l.tax),
      taxCalculated: neg(l.taxCalculated),
      details: (l.details ?? []).map((d) => ({ ...d, tax: neg(d.tax), taxCalculated: neg(d.taxCalculated), taxableAmount: taxOnly ? 0 : neg(d.taxableAmount) })),
    }));
    const id = this.state.nextTransactionId++;
    const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b * 100, 0)) / 100;
    const tx: TransactionModel = {
      ...structuredClone(original),
      id,
      code: returnCode,
      type: "ReturnInvoice",
      status: "Committed",
      date: `${body.refundDate.slice(0, 10)}T00:00:00`,
      taxDate: original.taxDate,
      referenceCode: body.referenceCode ?? original.referenceCode,
      version: 1,
      locked: false,
      adjustmentReason: "NotAdjusted",
      lines: refundLines,
      summary: summariseLines(refundLines),
      totalAmount: sum(refundLines.map((l) => l.lineAmount)),
      totalTaxable: sum(refundLines.map((l) => l.taxableAmount)),
      totalTax: sum(refundLines.map((l) => l.tax)),
      totalTaxCalculated: sum(refundLines.map((l) => l.taxCalculated)),
      modifiedDate: new Date(this.now()).toISOString(),
    };
    delete tx.adjustmentDescription;
    this.state.documents.set(key, { accountId: principal.account.accountId, transaction: tx, history: [], refundOf: { code: original.code, type: original.type, refundType } });
    this.record(`refund:${refundType}`, company, tx);
    return tx;
  }

  /** GetTransactionById: one exact version (the current one or an Adjusted one). */
  byId(principal: Principal, id: number): TransactionModel {
    const companies = new Set(principal.account.companies.map((c) => c.id));
    for (const doc of this.state.documents.values()) {
      if (!companies.has(doc.transaction.companyId)) continue;
      if (doc.transaction.id === id) return doc.transaction;
      const old = doc.history.find((h) => h.id === id);
      if (old) return old;
    }
    throw new AvaTaxFault(404, "EntityNotFoundError", "Document not found.", { refersTo: "Id", description: `The Transaction with id '${id}' was not found.` });
  }

  void(principal: Principal, companyCode: string, code: string, documentType: string | undefined, reason: string | undefined): TransactionModel {
    if (!reason || !VOID_REASONS.includes(reason)) {
      throw new AvaTaxFault(400, "ValueRequiredError", `A valid void reason code is required (${VOID_REASONS.join(", ")}).`, {
        refersTo: "Code",
      });
    }
    const doc = this.find(principal, companyCode, code, documentType);
    const tx = doc.transaction;
    if (tx.locked) throw this.locked(code);
    if (tx.status === "Cancelled") {
      throw new AvaTaxFault(400, "TransactionAlreadyCancelled", `The transaction '${code}' has already been cancelled.`, {
        refersTo: "Code",
      });
    }
    const company = this.company(principal, companyCode);
    if (reason === "AdjustmentCancelled") {
      const previous = doc.history.pop();
      if (!previous) throw new AvaTaxFault(400, "InvalidAdjustmentType", `The transaction '${code}' has no adjustment to cancel.`, { refersTo: "Code" });
      doc.transaction = { ...previous, status: tx.status === "Committed" ? "Committed" : "Saved", modifiedDate: new Date(this.now()).toISOString() };
      this.record(`void:${reason}`, company, doc.transaction);
      return doc.transaction;
    }
    if (reason === "PostFailed") {
      tx.status = "Saved";
    } else if (reason === "DocDeleted" && isUncommitted(tx.status)) {
      // An uncommitted document voided as deleted is removed; the answer shows it Cancelled.
      this.state.documents.delete(this.key(company, tx.code, tx.type));
      tx.status = "Cancelled";
      this.record(`void:${reason}:deleted`, company, tx);
      return tx;
    } else {
      tx.status = "Cancelled";
    }
    tx.modifiedDate = new Date(this.now()).toISOString();
    this.record(`void:${reason}`, company, tx);
    return tx;
  }

  /** LockTransaction (simulates a filed return): `isLocked` false unlocks again. */
  lock(principal: Principal, companyCode: string, code: string, documentType?: string, isLocked = true): TransactionModel {
    const doc = this.find(principal, companyCode, code, documentType);
    doc.transaction.locked = isLocked;
    this.record(isLocked ? "lock" : "unlock", this.company(principal, companyCode), doc.transaction);
    return doc.transaction;
  }
}

/** `$include` handling: what parts of a TransactionModel to return. If omitted: Summary,Addresses. */
export function shapeTransaction(tx: TransactionModel, include: string | null): TransactionModel {
  const tokens = new Set(
    (include ?? "Summary,Addresses")
      .split(",")
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
  const summaryOnly = tokens.has("summaryonly");
  const linesOnly = tokens.has("linesonly");
  const wantLines = !summaryOnly && (tokens.has("lines") || tokens.has("details") || tokens.has("summary") || linesOnly);
  const wantDetails = !linesOnly && !summaryOnly && (tokens.has("details") || tokens.has("summary"));
  const wantSummary = (tokens.has("summary") || summaryOnly) && !linesOnly;
  const out: TransactionModel = structuredClone(tx);
  if (!wantLines) delete out.lines;
  else if (!wantDetails) out.lines = out.lines?.map((l) => ({ ...l, details: [] }));
  if (!wantSummary) delete out.summary;
  if (!tokens.has("addresses") || summaryOnly || linesOnly) delete out.addresses;
  return out;
}
