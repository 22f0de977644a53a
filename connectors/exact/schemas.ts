/**
 * Records of Exact Online as the nodes hand them on: Exact's own field names (so the vendor's
 * documentation reads straight onto them), with dates as ISO 8601 strings, padded codes trimmed
 * and numbers as numbers.
 *
 * One declaration per entity (`fields`) gives the zod schema, the normaliser of raw OData rows
 * and the `$select` list, so the three never drift apart.
 * Field reference: https://start.exactonline.nl/docs/HlpRestAPIResources.aspx
 */
import { z } from "zod";
import { bool, num, parseODataDate, str, trimCode } from "./odata";

type FieldKind = "guid" | "string" | "code" | "number" | "date" | "bool";
type Fields = Record<string, FieldKind>;

type KindType<K extends FieldKind> = K extends "bool" ? boolean : K extends "number" ? number | null : string | null;
export type RecordOf<F extends Fields> = { [P in keyof F]: KindType<F[P]> };

const zodFor: Record<FieldKind, () => z.ZodType> = {
  guid: () => z.string().nullable(),
  string: () => z.string().nullable(),
  code: () => z.string().nullable().describe("code, trimmed of Exact's padding"),
  number: () => z.number().nullable(),
  date: () => z.string().nullable().describe("ISO 8601 (UTC)"),
  bool: () => z.boolean(),
};

function recordSchema<F extends Fields>(fields: F) {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, kind] of Object.entries(fields)) shape[name] = zodFor[kind]();
  return z.object(shape) as unknown as z.ZodObject<{ [P in keyof F]: z.ZodType<KindType<F[P]>, KindType<F[P]>> }>;
}

function normalizer<F extends Fields>(fields: F) {
  return (row: Record<string, unknown>): RecordOf<F> => {
    const out: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(fields)) {
      const value = row[name];
      switch (kind) {
        case "guid":
          out[name] = value === null || value === undefined ? null : String(value).toLowerCase();
          break;
        case "code":
          out[name] = trimCode(value);
          break;
        case "number":
          out[name] = num(value);
          break;
        case "date":
          out[name] = parseODataDate(value);
          break;
        case "bool":
          out[name] = bool(value);
          break;
        default:
          out[name] = str(value);
      }
    }
    return out as RecordOf<F>;
  };
}

function entity<F extends Fields>(fields: F) {
  return { fields, schema: recordSchema(fields), normalize: normalizer(fields), select: Object.keys(fields).join(",") };
}

export const SalesInvoice = entity({
  InvoiceID: "guid",
  InvoiceNumber: "number",
  Division: "number",
  Status: "number",
  Type: "number",
  Journal: "code",
  InvoiceTo: "guid",
  InvoiceToName: "string",
  OrderedBy: "guid",
  DeliverTo: "guid",
  DeliveryAddress: "guid",
  InvoiceDate: "date",
  DueDate: "date",
  Currency: "string",
  AmountFC: "number",
  AmountFCExclVat: "number",
  VATAmountFC: "number",
  AmountDC: "number",
  VATAmountDC: "number",
  YourRef: "string",
  Description: "string",
  OrderNumber: "number",
  Created: "date",
  Modified: "date",
});

export const SalesInvoiceLine = entity({
  ID: "guid",
  InvoiceID: "guid",
  LineNumber: "number",
  Item: "guid",
  ItemCode: "code",
  ItemDescription: "string",
  Description: "string",
  Quantity: "number",
  UnitPrice: "number",
  NetPrice: "number",
  Discount: "number",
  AmountFC: "number",
  AmountDC: "number",
  VATAmountFC: "number",
  VATAmountDC: "number",
  VATCode: "code",
  VATPercentage: "number",
  GLAccount: "guid",
  CostCenter: "code",
  CostUnit: "code",
});

export const Account = entity({
  ID: "guid",
  Code: "code",
  Name: "string",
  Email: "string",
  VATNumber: "string",
  AddressLine1: "string",
  AddressLine2: "string",
  AddressLine3: "string",
  Postcode: "string",
  City: "string",
  State: "string",
  Country: "code",
  Status: "code",
  IsSales: "bool",
  Blocked: "bool",
});

export const Address = entity({
  ID: "guid",
  Account: "guid",
  Type: "number",
  Main: "bool",
  AddressLine1: "string",
  AddressLine2: "string",
  AddressLine3: "string",
  Postcode: "string",
  City: "string",
  State: "string",
  Country: "code",
});

export const GLAccount = entity({
  ID: "guid",
  Code: "code",
  Description: "string",
  BalanceSide: "code",
  BalanceType: "code",
  Type: "number",
  VATCode: "code",
  UseCostcenter: "number",
  UseCostunit: "number",
  IsBlocked: "bool",
});

export const CostCenter = entity({ ID: "guid", Code: "code", Description: "string", EndDate: "date" });
export const CostUnit = entity({ ID: "guid", Code: "code", Description: "string", EndDate: "date" });

export const VATCode = entity({
  ID: "guid",
  Code: "code",
  Description: "string",
  Percentage: "number",
  Type: "code",
  VATTransactionType: "code",
  GLToPay: "guid",
  GLToClaim: "guid",
  IsBlocked: "bool",
});

export const Journal = entity({
  ID: "guid",
  Code: "code",
  Description: "string",
  Type: "number",
  AllowVAT: "bool",
  Currency: "string",
  IsBlocked: "bool",
});

export const GeneralJournalEntry = entity({
  EntryID: "guid",
  EntryNumber: "number",
  JournalCode: "code",
  FinancialYear: "number",
  FinancialPeriod: "number",
  Currency: "string",
  ExchangeRate: "number",
  Reversal: "bool",
  Status: "number",
  Type: "number",
  Created: "date",
});

export const GeneralJournalEntryLine = entity({
  ID: "guid",
  EntryID: "guid",
  GLAccount: "guid",
  GLAccountCode: "code",
  AmountFC: "number",
  AmountDC: "number",
  VATCode: "code",
  Date: "date",
  Description: "string",
  CostCenter: "code",
  CostUnit: "code",
  Notes: "string",
});

export const WebhookSubscription = entity({
  ID: "guid",
  CallbackURL: "string",
  Topic: "string",
  Division: "number",
  Description: "string",
  Created: "date",
});

export const Me = entity({ UserID: "guid", FullName: "string", Email: "string", CurrentDivision: "number" });
export const Division = entity({ Code: "number", Description: "string", Country: "code", Currency: "string" });

export const SyncDeleted = entity({ EntityKey: "guid", EntityType: "number", DeletedDate: "date", Timestamp: "number" });

export type SalesInvoiceRecord = RecordOf<typeof SalesInvoice.fields>;
export type SalesInvoiceLineRecord = RecordOf<typeof SalesInvoiceLine.fields>;
export type AccountRecord = RecordOf<typeof Account.fields>;
export type AddressRecord = RecordOf<typeof Address.fields>;
export type GLAccountRecord = RecordOf<typeof GLAccount.fields>;
export type CostCenterRecord = RecordOf<typeof CostCenter.fields>;
export type CostUnitRecord = RecordOf<typeof CostUnit.fields>;
export type VATCodeRecord = RecordOf<typeof VATCode.fields>;
export type JournalRecord = RecordOf<typeof Journal.fields>;
export type GeneralJournalEntryRecord = RecordOf<typeof GeneralJournalEntry.fields>;
export type GeneralJournalEntryLineRecord = RecordOf<typeof GeneralJournalEntryLine.fields>;
export type WebhookSubscriptionRecord = RecordOf<typeof WebhookSubscription.fields>;

/** Address types on `crm/Addresses`. */
export const ADDRESS_TYPE = { visit: 1, postal: 2, invoice: 3, delivery: 4 } as const;

/** The invoice as the triggers and the "get sales invoice" node hand it on. */
export const fullSalesInvoiceSchema = z.object({
  division: z.number().describe("Exact division (administration) number"),
  invoice: SalesInvoice.schema,
  lines: z.array(SalesInvoiceLine.schema),
  account: Account.schema.nullable().describe("The invoice-to customer account"),
  addresses: z.array(Address.schema).describe("All addresses of the invoice-to account"),
  billingAddress: z
    .object({
      line1: z.string().nullable(),
      line2: z.string().nullable(),
      line3: z.string().nullable(),
      city: z.string().nullable(),
      region: z.string().nullable().describe("State or province code, e.g. WA"),
      postalCode: z.string().nullable(),
      country: z.string().nullable().describe("ISO country code, e.g. US"),
      source: z.enum(["invoice", "visit", "account"]).describe("Which address was picked"),
    })
    .nullable()
    .describe("The address to calculate tax for: the account's main invoice address, else its visit address"),
  idempotencyKey: z.string().describe("exact:<division>:<InvoiceID>:journal, for the journal entry that posts its tax"),
});
export type FullSalesInvoice = z.infer<typeof fullSalesInvoiceSchema>;
