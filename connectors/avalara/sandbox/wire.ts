/**
 * AvaTax REST v2 wire shapes the sandbox produces (subset of the SDK's models), and the error
 * envelope `{error:{code,message,target,details[]}}`.
 * https://developer.avalara.com/avatax/errors/
 */

export interface AddressInfo {
  line1?: string;
  line2?: string;
  line3?: string;
  city?: string;
  region?: string;
  country?: string;
  postalCode?: string;
  latitude?: number;
  longitude?: number;
  locationCode?: string;
}

export interface LineInput {
  number?: string;
  quantity?: number;
  amount: number;
  taxCode?: string;
  itemCode?: string;
  description?: string;
  discounted?: boolean;
  taxIncluded?: boolean;
  exemptionCode?: string;
  addresses?: Record<string, AddressInfo>;
  ref1?: string;
  ref2?: string;
  revenueAccount?: string;
}

export interface CreateTransactionModel {
  type?: string;
  code?: string;
  companyCode?: string;
  date: string;
  customerCode: string;
  commit?: boolean;
  currencyCode?: string;
  discount?: number;
  exemptionNo?: string;
  entityUseCode?: string;
  customerUsageType?: string;
  addresses?: Record<string, AddressInfo>;
  lines: LineInput[];
  purchaseOrderNo?: string;
  referenceCode?: string;
  reportingLocationCode?: string;
  description?: string;
  batchCode?: string;
  /** Document-level override; the sandbox applies types TaxAmount (the tax a vendor charged on a purchase) and TaxDate (a return's original invoice date). */
  taxOverride?: { type?: string; taxAmount?: number; taxDate?: string; reason?: string };
}

export interface TransactionLineDetailModel {
  id: number;
  transactionLineId: number;
  transactionId: number;
  country: string;
  region: string;
  exemptAmount: number;
  jurisCode: string;
  jurisName: string;
  jurisType: string;
  jurisdictionType: string;
  nonTaxableAmount: number;
  rate: number;
  tax: number;
  taxableAmount: number;
  taxType: string;
  taxSubTypeId: string;
  taxName: string;
  taxAuthorityTypeId: number;
  taxCalculated: number;
  rateType: string;
  rateTypeCode: string;
  signatureCode: string;
  stateAssignedNo: string;
  unitOfBasis: string;
  isNonPassThru: boolean;
  nonTaxableType?: string;
}

export interface TransactionLineModel {
  id: number;
  transactionId: number;
  lineNumber: string;
  itemCode: string;
  description: string;
  quantity: number;
  lineAmount: number;
  discountAmount: number;
  exemptAmount: number;
  exemptCertId: number;
  exemptNo: string;
  isItemTaxable: boolean;
  taxCode: string;
  taxCodeId: number;
  tax: number;
  taxableAmount: number;
  taxCalculated: number;
  taxIncluded: boolean;
  taxDate: string;
  reportingDate: string;
  sourcing: string;
  ref1: string;
  ref2: string;
  revenueAccount: string;
  details: TransactionLineDetailModel[];
}

export interface TransactionSummary {
  country: string;
  region: string;
  jurisType: string;
  jurisCode: string;
  jurisName: string;
  taxAuthorityType: number;
  stateAssignedNo: string;
  taxType: string;
  taxSubType: string;
  taxName: string;
  rateType: string;
  rateTypeCode: string;
  taxable: number;
  rate: number;
  tax: number;
  taxCalculated: number;
  nonTaxable: number;
  exemption: number;
}

export interface TransactionAddressModel extends AddressInfo {
  id: number;
  transactionId: number;
  boundaryLevel: string;
  taxRegionId: number;
}

export interface MessageModel {
  summary: string;
  details: string;
  refersTo: string;
  severity: string;
  source: string;
}

export interface TransactionModel {
  id: number;
  code: string;
  companyId: number;
  date: string;
  taxDate: string;
  status: "Saved" | "Posted" | "Committed" | "Cancelled" | "Adjusted" | "Temporary" | "Uncommitted";
  type: string;
  batchCode: string;
  currencyCode: string;
  exchangeRateCurrencyCode: string;
  customerUsageType: string;
  entityUseCode: string;
  customerVendorCode: string;
  customerCode: string;
  exemptNo: string;
  reconciled: boolean;
  locationCode: string;
  reportingLocationCode: string;
  purchaseOrderNo: string;
  referenceCode: string;
  salespersonCode: string;
  totalAmount: number;
  totalExempt: number;
  totalDiscount: number;
  totalTax: number;
  totalTaxable: number;
  totalTaxCalculated: number;
  adjustmentReason: string;
  adjustmentDescription?: string;
  locked: boolean;
  region: string;
  country: string;
  version: number;
  softwareVersion: string;
  originAddressId: number;
  destinationAddressId: number;
  exchangeRate: number;
  exchangeRateEffectiveDate: string;
  description: string;
  modifiedDate: string;
  modifiedUserId: number;
  lines?: TransactionLineModel[];
  addresses?: TransactionAddressModel[];
  summary?: TransactionSummary[];
  messages?: MessageModel[];
}

export interface ErrorDetail {
  code: string;
  number: number;
  message: string;
  description: string;
  faultCode: string;
  helpLink: string;
  refersTo?: string;
  severity: string;
}

export interface ErrorEnvelope {
  error: { code: string; message: string; target: string; details: ErrorDetail[] };
}

/** Error numbers from the SDK's ErrorCodeId enum. */
const ERROR_NUMBERS: Record<string, number> = {
  EntityNotFoundError: 4,
  ValueRequiredError: 5,
  AuthenticationException: 30,
  AuthorizationException: 31,
  AuthenticationIncomplete: 34,
  InvalidAdjustmentType: 99,
  ModelRequiredException: 38,
  JsonFormatError: 47,
  TransactionAlreadyCancelled: 198,
  GetTaxError: 300,
  AddressConflictException: 301,
  DocumentCodeConflict: 303,
  MissingAddress: 304,
  InvalidAddress: 309,
  MissingLine: 311,
  InvalidPostalCode: 317,
  DocumentNotCommitted: 313,
  InvalidDocumentStatusForRefund: 700,
  RefundTypeAndPercentageMismatch: 701,
  InvalidDocumentTypeForRefund: 702,
  RefundTypeAndLineMismatch: 703,
  RefundLinesRequired: 704,
  InvalidRefundType: 705,
  RefundPercentageForTaxOnly: 706,
  RefundPercentageOutOfRange: 708,
  RefundPercentageMissing: 709,
  CannotModifyLockedTransaction: 1100,
  TransactionIsCommitted: 1313,
  InvalidDocumentType: 1310,
  RequestLimitExceeded: 1715,
  ServerConfiguration: 1,
};

export class AvaTaxFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { description?: string; refersTo?: string; target?: string; detailCode?: string; detailMessage?: string } = {},
  ) {
    super(message);
  }

  envelope(): ErrorEnvelope {
    const detailCode = this.extra.detailCode ?? this.code;
    return {
      error: {
        code: this.code,
        message: this.message,
        target: this.extra.target ?? (this.status === 401 ? "HttpRequestHeaders" : "IncorrectData"),
        details: [
          {
            code: detailCode,
            number: ERROR_NUMBERS[detailCode] ?? 0,
            message: this.extra.detailMessage ?? this.message,
            description: this.extra.description ?? this.message,
            faultCode: this.status >= 500 ? "Server" : "Client",
            helpLink: `http://developer.avalara.com/avatax/errors/${detailCode}`,
            ...(this.extra.refersTo ? { refersTo: this.extra.refersTo } : {}),
            severity: this.status === 401 ? "Exception" : "Error",
          },
        ],
      },
    };
  }
}

/** Half away from zero at cents, tolerant of binary noise (1.005 -> 1.01). */
export const round2 = (value: number): number => (Math.sign(value) * Math.round(Math.abs(value) * 100 + 1e-7)) / 100 || 0;
export const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;
