/**
 * Records as nodes hand them downstream: Magento's snake_case REST records flattened into the
 * shape a finance flow maps (customer, B2B company, PO number, currency, totals, lines,
 * addresses), with Magento's own record kept under `raw` for anything not lifted.
 *
 * Raw schemas below check only what the connector relies on ("unknown until parsed"); the rest
 * passes through untouched.
 */
import { z } from "zod";

// ---------------------------------------------------------------------------------------------
// Raw REST records (sales-data-order-interface, sales-data-invoice-interface, …)

const id = z.coerce.number().int();

export const rawOrder = z.looseObject({
  entity_id: id,
  increment_id: z.string().optional(),
  updated_at: z.string().optional(),
  created_at: z.string().optional(),
  items: z.array(z.looseObject({ sku: z.string().optional() })).optional(),
});
export type RawOrder = z.infer<typeof rawOrder> & Record<string, unknown>;

export const rawInvoice = z.looseObject({ entity_id: id, order_id: id, updated_at: z.string().optional() });
export type RawInvoice = z.infer<typeof rawInvoice> & Record<string, unknown>;

export const rawCreditMemo = z.looseObject({ entity_id: id, order_id: id, updated_at: z.string().optional() });
export type RawCreditMemo = z.infer<typeof rawCreditMemo> & Record<string, unknown>;

export const rawCustomer = z.looseObject({ id, email: z.string() });
export type RawCustomer = z.infer<typeof rawCustomer> & Record<string, unknown>;

export const rawCompany = z.looseObject({ id, company_name: z.string().optional() });
export type RawCompany = z.infer<typeof rawCompany> & Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Normalised records

const money = z.number().describe("Amount in the order currency.");
/** Magento stores discounts as negative amounts on totals; these records always carry them as positive amounts. */
const discountMoney = z.number().min(0).describe("Discount as a positive amount in the order currency.");
const rawRecord = z.record(z.string(), z.unknown()).describe("Magento's REST record as returned, for fields not lifted here.");

export const address = z.object({
  type: z.string().nullable().describe("billing or shipping"),
  firstname: z.string().nullable(),
  lastname: z.string().nullable(),
  name: z.string().describe("First and last name joined."),
  company: z.string().nullable(),
  street: z.array(z.string()),
  city: z.string().nullable(),
  region: z.string().nullable(),
  regionCode: z.string().nullable(),
  postcode: z.string().nullable(),
  countryId: z.string().nullable().describe("ISO 3166-1 alpha-2."),
  telephone: z.string().nullable(),
  email: z.string().nullable(),
  vatId: z.string().nullable(),
});
export type Address = z.infer<typeof address>;

export const orderLine = z.object({
  itemId: z.number().nullable(),
  sku: z.string(),
  name: z.string().nullable(),
  productType: z.string().nullable(),
  qtyOrdered: z.number(),
  qtyInvoiced: z.number(),
  qtyRefunded: z.number(),
  price: money.describe("Unit price excluding tax."),
  rowTotal: money.describe("Line total excluding tax, before discount."),
  discountAmount: discountMoney,
  taxAmount: money,
  taxPercent: z.number().nullable(),
  rowTotalInclTax: money.nullable(),
});

export const customerRef = z.object({
  id: z.number().nullable().describe("Customer id; null for guest orders."),
  email: z.string().nullable(),
  firstname: z.string().nullable(),
  lastname: z.string().nullable(),
  name: z.string().describe("First and last name joined (billing name for guests)."),
  isGuest: z.boolean(),
  groupId: z.number().nullable(),
});

export const companyRef = z
  .object({ id: z.number(), name: z.string().nullable() })
  .nullable()
  .describe("B2B company the order was placed for (extension_attributes.company_order_attributes); null outside B2B.");

export const order = z.object({
  entityId: z.number().describe("Order entity_id (the id in /V1/orders/{id})."),
  incrementId: z.string().describe("Order number shown to people, e.g. 000000042."),
  state: z.string().nullable(),
  status: z.string().nullable(),
  storeId: z.number().nullable(),
  createdAt: z.string().nullable().describe("UTC, Magento format YYYY-MM-DD HH:MM:SS."),
  updatedAt: z.string().nullable(),
  currency: z.string().nullable().describe("order_currency_code"),
  baseCurrency: z.string().nullable(),
  customer: customerRef,
  company: companyRef,
  purchaseOrderNumber: z.string().nullable().describe("PO number when the order was placed from a purchase order (payment.po_number)."),
  paymentMethod: z.string().nullable(),
  totals: z.object({
    subtotal: money,
    discount: discountMoney,
    shipping: money,
    tax: money,
    grandTotal: money,
    baseGrandTotal: money,
    paid: money,
    invoiced: money,
    refunded: money,
  }),
  items: z.array(orderLine).describe("Order lines; child rows of configurable/bundle products (parent_item_id set) are left out."),
  billingAddress: address.nullable(),
  shippingAddress: address.nullable(),
  raw: rawRecord,
});
export type Order = z.infer<typeof order>;

const documentLine = z.object({
  orderItemId: z.number().nullable(),
  sku: z.string().nullable(),
  name: z.string().nullable(),
  qty: z.number(),
  price: money,
  rowTotal: money,
  taxAmount: money,
  discountAmount: discountMoney,
});

export const invoice = z.object({
  entityId: z.number(),
  incrementId: z.string().nullable(),
  orderId: z.number().describe("entity_id of the order."),
  state: z.number().nullable().describe("1 open, 2 paid, 3 canceled"),
  stateLabel: z.enum(["open", "paid", "canceled", "unknown"]),
  currency: z.string().nullable(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  totals: z.object({ subtotal: money, discount: discountMoney, shipping: money, tax: money, grandTotal: money }),
  items: z.array(documentLine),
  raw: rawRecord,
});
export type Invoice = z.infer<typeof invoice>;

export const creditMemo = z.object({
  entityId: z.number(),
  incrementId: z.string().nullable(),
  orderId: z.number(),
  invoiceId: z.number().nullable(),
  state: z.number().nullable().describe("1 open, 2 refunded, 3 canceled"),
  stateLabel: z.enum(["open", "refunded", "canceled", "unknown"]),
  currency: z.string().nullable(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  totals: z.object({
    subtotal: money,
    discount: discountMoney,
    shipping: money,
    tax: money,
    adjustment: money,
    adjustmentPositive: money,
    adjustmentNegative: money,
    grandTotal: money,
  }),
  items: z.array(documentLine),
  raw: rawRecord,
});
export type CreditMemo = z.infer<typeof creditMemo>;

export const customer = z.object({
  id: z.number(),
  email: z.string(),
  firstname: z.string().nullable(),
  lastname: z.string().nullable(),
  name: z.string(),
  groupId: z.number().nullable(),
  storeId: z.number().nullable(),
  websiteId: z.number().nullable(),
  taxvat: z.string().nullable(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  companyId: z.number().nullable().describe("B2B company (extension_attributes.company_attributes.company_id); null when none."),
  jobTitle: z.string().nullable(),
  defaultBillingAddress: address.nullable(),
  raw: rawRecord,
});
export type Customer = z.infer<typeof customer>;

export const companyStatusLabels = ["pending", "approved", "rejected", "blocked", "unknown"] as const;

export const company = z.object({
  id: z.number(),
  name: z.string().nullable(),
  legalName: z.string().nullable(),
  email: z.string().nullable(),
  status: z.number().nullable().describe("0 pending, 1 approved, 2 rejected, 3 blocked"),
  statusLabel: z.enum(companyStatusLabels),
  vatTaxId: z.string().nullable(),
  resellerId: z.string().nullable(),
  street: z.array(z.string()),
  city: z.string().nullable(),
  region: z.string().nullable(),
  postcode: z.string().nullable(),
  countryId: z.string().nullable(),
  telephone: z.string().nullable(),
  customerGroupId: z.number().nullable(),
  salesRepresentativeId: z.number().nullable(),
  superUserId: z.number().nullable(),
  raw: rawRecord,
});
export type Company = z.infer<typeof company>;
