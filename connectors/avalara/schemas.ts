/**
 * Zod schemas of Avalara records: what nodes accept (explicit, documented shapes that templates
 * map into with JSONata) and the normalised outputs downstream nodes read (tax per jurisdiction
 * for journal entries). Remote responses are parsed with the loose `wire*` schemas first.
 */
import { z } from "zod";

// ---------------------------------------------------------------------------------------------
// Shared

export const DOCUMENT_TYPES = [
  "SalesOrder",
  "SalesInvoice",
  "PurchaseOrder",
  "PurchaseInvoice",
  "ReturnOrder",
  "ReturnInvoice",
  "InventoryTransferOrder",
  "InventoryTransferInvoice",
  "ReverseChargeOrder",
  "ReverseChargeInvoice",
] as const;
export const documentType = z
  .enum(DOCUMENT_TYPES)
  .describe("AvaTax document type. '…Invoice' types are recorded at Avalara; '…Order' types are estimates and are not saved.");
export type DocumentType = z.infer<typeof documentType>;

/** Invoice types are permanent documents at Avalara; Order types are never stored. */
export const isPermanentType = (type: string): boolean => type.endsWith("Invoice");

/** A number, or a numeric string (ERP exports often carry amounts as text). */
export const amount = z
  .union([z.number(), z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/, "must be a number")])
  .describe("Number or numeric string, e.g. 1200 or \"1200.00\".");
export const toNumber = (value: number | string): number => (typeof value === "number" ? value : Number(value.trim()));

export const companyCode = z.string().min(1).max(50);
export const documentCode = z
  .string()
  .min(1)
  .max(50)
  .describe("Document code: the idempotency key, derived from the source document (e.g. 'EXACT-INV-20240017'). Max 50 characters.");

export const address = z
  .object({
    line1: z.string().max(50).optional().describe("Street line, e.g. '255 S King St'."),
    line2: z.string().max(100).optional(),
    line3: z.string().max(100).optional(),
    city: z.string().max(50).optional(),
    region: z.string().max(3).optional().describe("State or province code, e.g. 'WA'."),
    country: z.string().min(2).max(2).optional().describe("ISO 3166 two-letter country code (default US)."),
    postalCode: z.string().max(11).optional().describe("ZIP or postal code, e.g. '98104' or '98104-2845'."),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
    locationCode: z.string().max(50).optional().describe("Company location code instead of a street address."),
  })
  .describe("An address. Give at least a postal code, or a street line with city and region.");
export type Address = z.infer<typeof address>;

export const addresses = z
  .object({
    singleLocation: address.optional().describe("Use when the sale happens at one place (over the counter)."),
    shipFrom: address.optional().describe("Origin: where the goods ship from."),
    shipTo: address.optional().describe("Destination: where the customer receives the goods. Decides the tax."),
    pointOfOrderOrigin: address.optional(),
    pointOfOrderAcceptance: address.optional(),
    billTo: address.optional(),
  })
  .refine((a) => Boolean(a.singleLocation || a.shipTo), { message: "give shipTo (with shipFrom) or singleLocation" });

// ---------------------------------------------------------------------------------------------
// Normalised outputs

export const jurisdictionTax = z.object({
  key: z.string().describe("Stable key for mapping tables: '<country>:<region>:<jurisTypeId>:<jurisCode>', e.g. 'US:WA:STA:53'."),
  country: z.string(),
  region: z.string(),
  jurisType: z.string().describe("State, County, City, Special or Country."),
  jurisTypeId: z.string().describe("STA, CTY, CIT, STJ or CNT."),
  jurisName: z.string(),
  jurisCode: z.string(),
  taxName: z.string().describe("e.g. 'WA STATE TAX'."),
  taxType: z.string(),
  rate: z.number(),
  tax: z.number(),
  taxCalculated: z
    .number()
    .optional()
    .describe("The tax AvaTax calculated; differs from `tax` when a tax override (e.g. the tax a vendor charged) set `tax`."),
  taxable: z.number(),
  nonTaxable: z.number(),
  exemption: z.number(),
});
export type JurisdictionTax = z.infer<typeof jurisdictionTax>;

export const lineDetail = jurisdictionTax.omit({ nonTaxable: true, exemption: true }).extend({
  nonTaxable: z.number(),
  exempt: z.number(),
});

export const transactionLine = z.object({
  lineNumber: z.string(),
  itemCode: z.string(),
  description: z.string(),
  taxCode: z.string(),
  quantity: z.number(),
  amount: z.number(),
  discount: z.number(),
  taxable: z.number(),
  exempt: z.number(),
  tax: z.number(),
  details: z.array(lineDetail),
});

export const message = z.object({
  summary: z.string(),
  details: z.string().optional(),
  refersTo: z.string().optional(),
  severity: z.string().optional(),
});

export const transactionOutput = z.object({
  id: z.number().describe("AvaTax transaction id (0 for Order types, which are not saved)."),
  code: z.string(),
  companyCode: z.string(),
  type: z.string(),
  status: z.string().describe("Temporary, Saved, Committed, Cancelled, Adjusted…"),
  date: z.string().describe("Document date, YYYY-MM-DD."),
  taxDate: z.string().optional().describe("Date whose rates were used, YYYY-MM-DD (a return's original invoice date when overridden)."),
  customerCode: z.string(),
  currencyCode: z.string(),
  totalAmount: z.number(),
  totalTax: z.number(),
  totalTaxCalculated: z.number().optional().describe("The tax AvaTax calculated (equal to totalTax unless a tax override set it)."),
  totalTaxable: z.number(),
  totalExempt: z.number(),
  totalDiscount: z.number(),
  version: z.number(),
  locked: z.boolean(),
  adjustmentReason: z.string(),
  jurisdictions: z.array(jurisdictionTax).describe("Tax per jurisdiction (from the summary): post each on its tax GL account."),
  lines: z.array(transactionLine),
  messages: z.array(message),
});
export type TransactionOutput = z.infer<typeof transactionOutput>;

// ---------------------------------------------------------------------------------------------
// Wire (AvaTax responses), parsed loosely: unknown fields pass, known ones are checked.

const n = z.number().catch(0);
const s = z.string().nullish().transform((v) => v ?? "");

export const wireDetail = z.looseObject({
  country: s,
  region: s,
  jurisType: s,
  jurisdictionType: s,
  jurisCode: s,
  jurisName: s,
  taxName: s,
  taxType: s,
  rate: n,
  tax: n,
  taxCalculated: n.optional(),
  taxableAmount: n,
  nonTaxableAmount: n,
  exemptAmount: n,
});

export const wireLine = z.looseObject({
  lineNumber: s,
  itemCode: s,
  description: s,
  taxCode: s,
  quantity: n,
  lineAmount: n,
  discountAmount: n,
  exemptAmount: n,
  taxableAmount: n,
  tax: n,
  details: z.array(wireDetail).nullish(),
});

export const wireSummary = z.looseObject({
  country: s,
  region: s,
  jurisType: s,
  jurisCode: s,
  jurisName: s,
  taxName: s,
  taxType: s,
  rate: n,
  tax: n,
  taxCalculated: n.optional(),
  taxable: n,
  nonTaxable: n,
  exemption: n,
});

export const wireMessage = z.looseObject({ summary: s, details: s.optional(), refersTo: s.optional(), severity: s.optional() });

export const wireTransaction = z.looseObject({
  id: z.number(),
  code: z.string(),
  companyId: n.optional(),
  type: s,
  status: s,
  date: s,
  taxDate: s,
  customerCode: s,
  currencyCode: s,
  totalAmount: n,
  totalTax: n,
  totalTaxCalculated: n.optional(),
  totalTaxable: n,
  totalExempt: n,
  totalDiscount: n,
  version: n,
  locked: z.boolean().catch(false),
  adjustmentReason: s,
  lines: z.array(wireLine).nullish(),
  summary: z.array(wireSummary).nullish(),
  messages: z.array(wireMessage).nullish(),
});
export type WireTransaction = z.infer<typeof wireTransaction>;

export const wirePing = z.looseObject({
  version: s,
  authenticated: z.boolean().catch(false),
  authenticationType: s,
  authenticatedUserName: s.optional(),
  authenticatedAccountId: z.number().nullish(),
  authenticatedCompanyId: z.number().nullish(),
});
export type WirePing = z.infer<typeof wirePing>;

export const wireResolution = z.looseObject({
  address: z.looseObject({}).nullish(),
  validatedAddresses: z
    .array(
      z.looseObject({
        addressType: s,
        line1: s,
        line2: s,
        line3: s,
        city: s,
        region: s,
        country: s,
        postalCode: s,
        latitude: z.number().nullish(),
        longitude: z.number().nullish(),
      }),
    )
    .nullish(),
  coordinates: z.looseObject({ latitude: z.number(), longitude: z.number() }).nullish(),
  resolutionQuality: s,
  taxAuthorities: z
    .array(z.looseObject({ jurisdictionName: s, jurisdictionType: s, signatureCode: s.optional() }))
    .nullish(),
  messages: z.array(wireMessage).nullish(),
});
export type WireResolution = z.infer<typeof wireResolution>;

export const wireFetchResult = <T extends z.ZodType>(item: T) =>
  z.looseObject({ "@recordsetCount": z.number().optional(), value: z.array(item) });
