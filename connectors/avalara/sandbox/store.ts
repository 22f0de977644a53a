/**
 * Stored transactions by company + code + type, with AvaTax's rules:
 * - create with the code of a Saved document replaces it; of a Committed one fails with
 *   DocumentCodeConflict; of a Cancelled one fails with GetTaxError "DocStatus is invalid";
 * - Order types are calculated and never stored;
 * - createoradjust creates when absent, replaces a Saved document, adjusts a Committed one;
 * - commit and void change the status; a locked (reported) document cannot change.
 * https://developer.avalara.com/avatax/dev-guide/transactions/
 */
import { randomUUID } from "node:crypto";
import type { Principal } from "./auth";
import { calculate, isStoredType } from "./engine";
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
    if (!existing || existing.transaction.status === "Saved" || existing.transaction.status === "Posted") {
      const tx = this.calculate(principal, company, model, code);
      this.store(principal, company, tx, existing ? "replace" : "create");
      return tx;
    }
    if (existing.transaction.locked) throw this.locked(code);
    if (existing.transaction.status === "Cancelled") throw docStatusError("Saved|Posted|Committed");
    const reason = body.adjustmentReason ?? "Other";
    if (!ADJUSTMENT_REASONS.includes(reason) || reason === "NotAdjusted") {
      throw new AvaTaxFault(400, "InvalidAdjustmentType", `The adjustment reason '${reason}' is not valid.`, { refersTo: "AdjustmentReason" });
    }
    const tx = this.calculate(principal, company, model, code);
    tx.version = existing.transaction.version + 1;
    tx.adjustmentReason = reason;
    if (body.adjustmentDescription) tx.adjustmentDescription = body.adjustmentDescription;
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
    const matches = [...this.state.documents.entries()]
      .filter(([key]) => key.startsWith(`${company.id}|${code.toLowerCase()}|`))
      .map(([, doc]) => doc);
    const doc = documentType
      ? matches.find((d) => d.transaction.type === documentType)
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
    const next = commit ? "Committed" : "Saved";
    if (tx.status !== next) {
      tx.status = next;
      tx.modifiedDate = new Date(this.now()).toISOString();
      this.record(commit ? "commit" : "uncommit", this.company(principal, companyCode), tx);
    }
    return tx;
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
    tx.status = "Cancelled";
    tx.modifiedDate = new Date(this.now()).toISOString();
    this.record(`void:${reason}`, this.company(principal, companyCode), tx);
    return tx;
  }

  lock(principal: Principal, companyCode: string, code: string, documentType?: string): TransactionModel {
    const doc = this.find(principal, companyCode, code, documentType);
    doc.transaction.locked = true;
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
