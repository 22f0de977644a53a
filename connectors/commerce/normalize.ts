/**
 * Magento REST records -> the normalised records of schemas.ts. Lenient on purpose: Magento
 * sends numbers as numbers or strings depending on version and extensions, and omits nulls.
 */
import type { Address, Company, CreditMemo, Customer, Invoice, Order } from "./schemas";
import { companyStatusLabels } from "./schemas";

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);
const numOrNull = (v: unknown): number | null => {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
};
const num = (v: unknown): number => numOrNull(v) ?? 0;
const joinName = (...parts: Array<string | null>) => parts.filter((p) => p && p.trim()).join(" ");

export function normalizeAddress(raw: unknown): Address | null {
  const a = obj(raw);
  if (!a) return null;
  const firstname = str(a.firstname);
  const lastname = str(a.lastname);
  return {
    type: str(a.address_type),
    firstname,
    lastname,
    name: joinName(firstname, lastname),
    company: str(a.company),
    street: Array.isArray(a.street) ? a.street.map((s) => String(s)) : typeof a.street === "string" ? [a.street] : [],
    city: str(a.city),
    region: typeof a.region === "string" ? a.region : str(obj(a.region)?.region),
    regionCode: str(a.region_code) ?? str(obj(a.region)?.region_code),
    postcode: str(a.postcode),
    countryId: str(a.country_id),
    telephone: str(a.telephone),
    email: str(a.email),
    vatId: str(a.vat_id),
  };
}

export function normalizeOrder(raw: Obj): Order {
  const ext = obj(raw.extension_attributes) ?? {};
  const companyAttrs = obj(ext.company_order_attributes);
  const payment = obj(raw.payment);
  const billing = normalizeAddress(raw.billing_address);
  const assignments = Array.isArray(ext.shipping_assignments) ? ext.shipping_assignments : [];
  const shipping = normalizeAddress(obj(obj(obj(assignments[0])?.shipping)?.address));
  const firstname = str(raw.customer_firstname);
  const lastname = str(raw.customer_lastname);
  const isGuest = raw.customer_is_guest === 1 || raw.customer_is_guest === true || raw.customer_is_guest === "1";
  const items = (Array.isArray(raw.items) ? raw.items : [])
    .map(obj)
    .filter((i): i is Obj => !!i && (i.parent_item_id === undefined || i.parent_item_id === null));
  const companyId = numOrNull(companyAttrs?.company_id);
  return {
    entityId: num(raw.entity_id),
    incrementId: str(raw.increment_id) ?? String(raw.entity_id),
    state: str(raw.state),
    status: str(raw.status),
    storeId: numOrNull(raw.store_id),
    createdAt: str(raw.created_at),
    updatedAt: str(raw.updated_at),
    currency: str(raw.order_currency_code),
    baseCurrency: str(raw.base_currency_code),
    customer: {
      id: isGuest ? null : numOrNull(raw.customer_id),
      email: str(raw.customer_email),
      firstname,
      lastname,
      name: joinName(firstname, lastname) || billing?.name || "",
      isGuest,
      groupId: numOrNull(raw.customer_group_id),
    },
    company: companyId === null ? null : { id: companyId, name: str(companyAttrs?.company_name) },
    purchaseOrderNumber: str(payment?.po_number) || null,
    paymentMethod: str(payment?.method),
    totals: {
      subtotal: num(raw.subtotal),
      discount: Math.abs(num(raw.discount_amount)),
      shipping: num(raw.shipping_amount),
      tax: num(raw.tax_amount),
      grandTotal: num(raw.grand_total),
      baseGrandTotal: num(raw.base_grand_total),
      paid: num(raw.total_paid),
      invoiced: num(raw.total_invoiced),
      refunded: num(raw.total_refunded),
    },
    items: items.map((i) => ({
      itemId: numOrNull(i.item_id),
      sku: str(i.sku) ?? "",
      name: str(i.name),
      productType: str(i.product_type),
      qtyOrdered: num(i.qty_ordered),
      qtyInvoiced: num(i.qty_invoiced),
      qtyRefunded: num(i.qty_refunded),
      price: num(i.price),
      rowTotal: num(i.row_total),
      discountAmount: Math.abs(num(i.discount_amount)),
      taxAmount: num(i.tax_amount),
      taxPercent: numOrNull(i.tax_percent),
      rowTotalInclTax: numOrNull(i.row_total_incl_tax),
    })),
    billingAddress: billing,
    shippingAddress: shipping,
    raw,
  };
}

function documentLines(raw: Obj) {
  return (Array.isArray(raw.items) ? raw.items : [])
    .map(obj)
    .filter((i): i is Obj => !!i)
    .map((i) => ({
      orderItemId: numOrNull(i.order_item_id),
      sku: str(i.sku),
      name: str(i.name),
      qty: num(i.qty),
      price: num(i.price),
      rowTotal: num(i.row_total),
      taxAmount: num(i.tax_amount),
      discountAmount: Math.abs(num(i.discount_amount)),
    }));
}

export function normalizeInvoice(raw: Obj): Invoice {
  const state = numOrNull(raw.state);
  return {
    entityId: num(raw.entity_id),
    incrementId: str(raw.increment_id),
    orderId: num(raw.order_id),
    state,
    stateLabel: state === 1 ? "open" : state === 2 ? "paid" : state === 3 ? "canceled" : "unknown",
    currency: str(raw.order_currency_code),
    createdAt: str(raw.created_at),
    updatedAt: str(raw.updated_at),
    totals: {
      subtotal: num(raw.subtotal),
      discount: Math.abs(num(raw.discount_amount)),
      shipping: num(raw.shipping_amount),
      tax: num(raw.tax_amount),
      grandTotal: num(raw.grand_total),
    },
    items: documentLines(raw),
    raw,
  };
}

export function normalizeCreditMemo(raw: Obj): CreditMemo {
  const state = numOrNull(raw.state);
  return {
    entityId: num(raw.entity_id),
    incrementId: str(raw.increment_id),
    orderId: num(raw.order_id),
    invoiceId: numOrNull(raw.invoice_id),
    state,
    stateLabel: state === 1 ? "open" : state === 2 ? "refunded" : state === 3 ? "canceled" : "unknown",
    currency: str(raw.order_currency_code),
    createdAt: str(raw.created_at),
    updatedAt: str(raw.updated_at),
    totals: {
      subtotal: num(raw.subtotal),
      discount: Math.abs(num(raw.discount_amount)),
      shipping: num(raw.shipping_amount),
      tax: num(raw.tax_amount),
      adjustment: num(raw.adjustment),
      adjustmentPositive: num(raw.adjustment_positive),
      adjustmentNegative: num(raw.adjustment_negative),
      grandTotal: num(raw.grand_total),
    },
    items: documentLines(raw),
    raw,
  };
}

export function normalizeCustomer(raw: Obj): Customer {
  const ext = obj(raw.extension_attributes) ?? {};
  const companyAttrs = obj(ext.company_attributes);
  const firstname = str(raw.firstname);
  const lastname = str(raw.lastname);
  const addresses = Array.isArray(raw.addresses) ? raw.addresses.map(obj).filter((a): a is Obj => !!a) : [];
  const billingId = str(raw.default_billing);
  const billing =
    addresses.find((a) => a.default_billing === true || (billingId !== null && str(a.id) === billingId)) ?? addresses[0];
  const companyId = numOrNull(companyAttrs?.company_id);
  return {
    id: num(raw.id),
    email: str(raw.email) ?? "",
    firstname,
    lastname,
    name: joinName(firstname, lastname),
    groupId: numOrNull(raw.group_id),
    storeId: numOrNull(raw.store_id),
    websiteId: numOrNull(raw.website_id),
    taxvat: str(raw.taxvat),
    createdAt: str(raw.created_at),
    updatedAt: str(raw.updated_at),
    // company_id 0 means "not in a company" in Magento's B2B customer attributes.
    companyId: companyId ? companyId : null,
    jobTitle: str(companyAttrs?.job_title),
    defaultBillingAddress: billing ? normalizeAddress({ address_type: "billing", ...billing }) : null,
    raw,
  };
}

export function normalizeCompany(raw: Obj): Company {
  const status = numOrNull(raw.status);
  return {
    id: num(raw.id),
    name: str(raw.company_name),
    legalName: str(raw.legal_name),
    email: str(raw.company_email),
    status,
    statusLabel: status !== null && status >= 0 && status <= 3 ? companyStatusLabels[status] : "unknown",
    vatTaxId: str(raw.vat_tax_id),
    resellerId: str(raw.reseller_id),
    street: Array.isArray(raw.street) ? raw.street.map((s) => String(s)) : [],
    city: str(raw.city),
    region: str(raw.region),
    postcode: str(raw.postcode),
    countryId: str(raw.country_id),
    telephone: str(raw.telephone),
    customerGroupId: numOrNull(raw.customer_group_id),
    salesRepresentativeId: numOrNull(raw.sales_representative_id),
    superUserId: numOrNull(raw.super_user_id),
    raw,
  };
}
