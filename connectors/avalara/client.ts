/**
 * The Avalara client nodes use through `ctx.client`: one method per AvaTax operation, each
 * parsing the response before returning it. All HTTP goes through the transport.
 */
import { z } from "zod";
import { PermanentError, type ConnectorEnv } from "../sdk";
import type { AvalaraConfig, AvalaraSecrets } from "./config";
import { normaliseTransaction } from "./normalize";
import {
  wireFetchResult,
  wirePing,
  wireResolution,
  wireTransaction,
  type Address,
  type TransactionOutput,
  type WirePing,
  type WireResolution,
} from "./schemas";
import { AvaTaxTransport, SYSTEM, encodeCode, isNotFoundError } from "./transport";

/** Ask for lines, jurisdiction details, the summary and addresses. */
export const FULL_INCLUDE = "Lines,Details,Summary,Addresses";

export interface CreateTransactionModel {
  type: string;
  code: string;
  companyCode: string;
  date: string;
  customerCode: string;
  commit: boolean;
  currencyCode?: string;
  discount?: number;
  exemptionNo?: string;
  entityUseCode?: string;
  purchaseOrderNo?: string;
  referenceCode?: string;
  reportingLocationCode?: string;
  description?: string;
  /**
   * Document-level tax override: the tax a vendor already charged on a purchase (TaxAmount), or
   * the original invoice's date for a return (TaxDate: taxed at the rates of that day).
   */
  taxOverride?: { type: "TaxAmount"; taxAmount: number; reason: string } | { type: "TaxDate"; taxDate: string; reason: string };
  addresses: Record<string, Address | undefined>;
  lines: Array<{
    number: string;
    quantity?: number;
    amount: number;
    taxCode?: string;
    itemCode?: string;
    description?: string;
    discounted?: boolean;
    taxIncluded?: boolean;
    exemptionCode?: string;
    ref1?: string;
    ref2?: string;
    revenueAccount?: string;
    addresses?: Record<string, Address | undefined>;
  }>;
}

export type AdjustmentReason =
  | "SourcingIssue"
  | "ReconciledWithGeneralLedger"
  | "ExemptCertApplied"
  | "PriceAdjusted"
  | "ProductReturned"
  | "ProductExchanged"
  | "BadDebt"
  | "Other"
  | "Offline";

export type VoidReasonCode = "Unspecified" | "PostFailed" | "DocDeleted" | "DocVoided" | "AdjustmentCancelled";

export interface DocumentRef {
  companyCode: string;
  code: string;
  documentType: string;
}

export class AvalaraClient {
  readonly transport: AvaTaxTransport;

  constructor(readonly env: ConnectorEnv<AvalaraConfig, AvalaraSecrets>) {
    this.transport = new AvaTaxTransport(env);
  }

  private parse<S extends z.ZodType>(schema: S, value: unknown, label: string): z.output<S> {
    const result = schema.safeParse(value);
    if (!result.success) {
      throw new PermanentError(`Avalara ${label}: unexpected response shape: ${z.prettifyError(result.error)}`, { system: SYSTEM });
    }
    return result.data;
  }

  /**
   * Ping: answers without credentials and never errors; `authenticated` says whether the
   * credentials were accepted.
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Utilities/Ping/
   */
  async ping(): Promise<WirePing> {
    const body = await this.transport.call<unknown>({ method: "GET", path: "/api/v2/utilities/ping", label: "Ping" });
    return this.parse(wirePing, body, "Ping");
  }

  /**
   * Resolve (validate) an address. US and Canada only.
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Addresses/ResolveAddressPost/
   */
  async resolveAddress(addr: Address, textCase: "Upper" | "Mixed"): Promise<WireResolution> {
    const body = await this.transport.call<unknown>({
      method: "POST",
      path: "/api/v2/addresses/resolve",
      body: { ...addr, textCase },
      label: "ResolveAddress",
    });
    return this.parse(wireResolution, body, "ResolveAddress");
  }

  /**
   * Create a transaction (calculate tax; Invoice types are recorded).
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/CreateTransaction/
   */
  async createTransaction(model: CreateTransactionModel): Promise<TransactionOutput> {
    const body = await this.transport.call<unknown>({
      method: "POST",
      path: "/api/v2/transactions/create",
      query: { $include: FULL_INCLUDE },
      body: model,
      label: `CreateTransaction ${model.type} ${model.code}`,
      write: isWrite(model.type),
    });
    return normaliseTransaction(this.parse(wireTransaction, body, "CreateTransaction"), model.companyCode);
  }

  /**
   * Create the transaction, or adjust it when the code already exists: Avalara's recommended
   * retry after a timeout or a lost response.
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/CreateOrAdjustTransaction/
   */
  async createOrAdjustTransaction(
    model: CreateTransactionModel,
    adjustmentReason: AdjustmentReason,
    adjustmentDescription: string,
  ): Promise<TransactionOutput> {
    const body = await this.transport.call<unknown>({
      method: "POST",
      path: "/api/v2/transactions/createoradjust",
      query: { $include: FULL_INCLUDE },
      body: { adjustmentReason, adjustmentDescription, createTransactionModel: model },
      label: `CreateOrAdjustTransaction ${model.type} ${model.code}`,
      write: isWrite(model.type),
    });
    return normaliseTransaction(this.parse(wireTransaction, body, "CreateOrAdjustTransaction"), model.companyCode);
  }

  private docPath(ref: DocumentRef, suffix = "") {
    return `/api/v2/companies/${encodeCode(ref.companyCode)}/transactions/${encodeCode(ref.code)}${suffix}`;
  }

  /**
   * Read a transaction by company, code and type. Undefined when there is none.
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/GetTransactionByCode/
   */
  async getTransactionByCode(ref: DocumentRef): Promise<TransactionOutput | undefined> {
    try {
      const body = await this.transport.call<unknown>({
        method: "GET",
        path: this.docPath(ref),
        query: { documentType: ref.documentType, $include: FULL_INCLUDE },
        label: `GetTransactionByCode ${ref.documentType} ${ref.code}`,
      });
      return normaliseTransaction(this.parse(wireTransaction, body, "GetTransactionByCode"), ref.companyCode);
    } catch (error) {
      if (isNotFoundError(error)) return undefined;
      throw error;
    }
  }

  /**
   * Commit (or uncommit) a transaction so it is reported on returns.
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/CommitTransaction/
   */
  async commitTransaction(ref: DocumentRef, commit = true): Promise<TransactionOutput> {
    const body = await this.transport.call<unknown>({
      method: "POST",
      path: this.docPath(ref, "/commit"),
      query: { documentType: ref.documentType, $include: FULL_INCLUDE },
      body: { commit },
      label: `CommitTransaction ${ref.documentType} ${ref.code}`,
      write: true,
    });
    return normaliseTransaction(this.parse(wireTransaction, body, "CommitTransaction"), ref.companyCode);
  }

  /**
   * Void a transaction: it reads back as Cancelled.
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/VoidTransaction/
   */
  async voidTransaction(ref: DocumentRef, code: VoidReasonCode): Promise<TransactionOutput> {
    const body = await this.transport.call<unknown>({
      method: "POST",
      path: this.docPath(ref, "/void"),
      query: { documentType: ref.documentType, $include: FULL_INCLUDE },
      body: { code },
      label: `VoidTransaction ${ref.documentType} ${ref.code}`,
      write: true,
    });
    return normaliseTransaction(this.parse(wireTransaction, body, "VoidTransaction"), ref.companyCode);
  }

  /**
   * Adjust a recorded document: it is rebuilt from `model`; the replaced version reads back as
   * Adjusted. Refused (CannotModifyLockedTransaction) once the document is on a filed return.
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/AdjustTransaction/
   */
  async adjustTransaction(ref: DocumentRef, model: CreateTransactionModel, adjustmentReason: AdjustmentReason, adjustmentDescription: string): Promise<TransactionOutput> {
    const body = await this.transport.call<unknown>({
      method: "POST",
      path: this.docPath(ref, "/adjust"),
      query: { documentType: ref.documentType, $include: FULL_INCLUDE },
      body: { adjustmentReason, adjustmentDescription, newTransaction: model },
      label: `AdjustTransaction ${ref.documentType} ${ref.code}`,
      write: true,
    });
    return normaliseTransaction(this.parse(wireTransaction, body, "AdjustTransaction"), ref.companyCode);
  }

  /**
   * Move a committed document back to uncommitted (not allowed once locked).
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/UncommitTransaction/
   */
  async uncommitTransaction(ref: DocumentRef): Promise<TransactionOutput> {
    const body = await this.transport.call<unknown>({
      method: "POST",
      path: this.docPath(ref, "/uncommit"),
      query: { documentType: ref.documentType, $include: FULL_INCLUDE },
      label: `UncommitTransaction ${ref.documentType} ${ref.code}`,
      write: true,
    });
    return normaliseTransaction(this.parse(wireTransaction, body, "UncommitTransaction"), ref.companyCode);
  }

  /**
   * Refund a committed SalesInvoice: a ReturnInvoice with the tax exactly as first calculated.
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/RefundTransaction/
   */
  async refundTransaction(
    ref: DocumentRef,
    refund: { refundTransactionCode: string; refundDate: string; refundType: "Full" | "Partial" | "TaxOnly" | "Percentage"; refundLines?: string[]; refundPercentage?: number; referenceCode?: string },
  ): Promise<TransactionOutput> {
    const body = await this.transport.call<unknown>({
      method: "POST",
      path: this.docPath(ref, "/refund"),
      query: { documentType: ref.documentType, $include: FULL_INCLUDE },
      body: refund,
      label: `RefundTransaction ${ref.documentType} ${ref.code}`,
      write: true,
    });
    return normaliseTransaction(this.parse(wireTransaction, body, "RefundTransaction"), ref.companyCode);
  }

  /**
   * Read one exact version of a document by its transaction id (an Adjusted version included).
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/GetTransactionById/
   */
  async getTransactionById(id: number, companyCode: string): Promise<TransactionOutput> {
    const body = await this.transport.call<unknown>({ method: "GET", path: `/api/v2/transactions/${id}`, query: { $include: FULL_INCLUDE }, label: `GetTransactionById ${id}` });
    return normaliseTransaction(this.parse(wireTransaction, body, "GetTransactionById"), companyCode);
  }

  /**
   * Companies of the account (picker).
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Companies/QueryCompanies/
   */
  async listCompanies(): Promise<Array<{ id: number; companyCode: string; name: string; isDefault: boolean }>> {
    const body = await this.transport.call<unknown>({ method: "GET", path: "/api/v2/companies", query: { $top: "1000" }, label: "QueryCompanies" });
    const schema = wireFetchResult(z.looseObject({ id: z.number(), companyCode: z.string(), name: z.string(), isDefault: z.boolean().catch(false) }));
    return this.parse(schema, body, "QueryCompanies").value;
  }

  /**
   * System tax codes (picker).
   * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Definitions/ListTaxCodes/
   */
  async listTaxCodes(): Promise<Array<{ taxCode: string; description: string }>> {
    const body = await this.transport.call<unknown>({ method: "GET", path: "/api/v2/definitions/taxcodes", query: { $top: "1000" }, label: "ListTaxCodes" });
    const schema = wireFetchResult(z.looseObject({ taxCode: z.string(), description: z.string().nullish().transform((v) => v ?? "") }));
    return this.parse(schema, body, "ListTaxCodes").value;
  }
}

/** Order types are estimates: nothing is written at Avalara. */
const isWrite = (type: string) => type.endsWith("Invoice");
