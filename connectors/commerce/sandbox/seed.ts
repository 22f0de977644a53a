/**
 * Sandbox demo data: a B2B store selling office equipment and software licences to customer
 * companies in the USA, Germany and the UK. Records use Magento's REST wire format (snake_case,
 * MySQL-style UTC dates) and are generated deterministically relative to the sandbox clock.
 */

export type Rec = Record<string, unknown>;

export interface SandboxData {
  orders: Rec[];
  invoices: Rec[];
  creditmemos: Rec[];
  customers: Rec[];
  companies: Rec[];
  storeViews: Rec[];
  /** B2B purchase orders (sandbox/purchase-orders.ts; served over GraphQL only). */
  purchaseOrders: Rec[];
  nextIds: { order: number; orderItem: number; invoice: number; creditmemo: number; address: number; purchaseOrder: number };
}

export const magentoDate = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");
export const round2 = (n: number) => Math.round(n * 100) / 100;

interface CountryProfile {
  country: string;
  currency: string;
  taxRate: number;
  region: string;
  regionCode: string;
  city: string;
  postcode: string;
  telephone: string;
}

const PROFILES: Record<string, CountryProfile> = {
  US: { country: "US", currency: "USD", taxRate: 8.25, region: "Texas", regionCode: "TX", city: "Austin", postcode: "78701", telephone: "+1 512 555 0142" },
  DE: { country: "DE", currency: "EUR", taxRate: 19, region: "Bayern", regionCode: "BY", city: "München", postcode: "80331", telephone: "+49 89 5550 1234" },
  GB: { country: "GB", currency: "GBP", taxRate: 20, region: "Greater London", regionCode: "LND", city: "London", postcode: "EC2A 4NE", telephone: "+44 20 7946 0321" },
};

export const PRODUCTS = [
  { sku: "ACC-PRO-12M", name: "Ledger Accounting Pro licence (12 months)", price: 480, type: "virtual", productId: 101 },
  { sku: "USB-HUB-7", name: "7-port USB-C hub", price: 39.9, type: "simple", productId: 102 },
  { sku: "DESK-STD-140", name: "Sit-stand desk 140 cm", price: 329, type: "simple", productId: 103 },
  { sku: "CHAIR-ERG-2", name: "Ergonomic office chair, mk II", price: 249, type: "simple", productId: 104 },
  { sku: "LAPTOP-STAND", name: "Aluminium laptop stand", price: 45.5, type: "simple", productId: 105 },
  { sku: "TONER-BK-XL", name: "Toner cartridge, black, XL", price: 89, type: "simple", productId: 106 },
  { sku: "PAPER-A4-5BOX", name: "A4 copy paper, 5 boxes", price: 27.5, type: "simple", productId: 107 },
  { sku: "SUPPORT-PREM", name: "Premium support plan (annual)", price: 1200, type: "virtual", productId: 108 },
];

interface CompanySeed {
  id: number;
  name: string;
  legal: string;
  email: string;
  status: number;
  vat: string;
  profile: keyof typeof PROFILES;
  street: string;
  code: string;
}

const COMPANIES: CompanySeed[] = [
  { id: 1, name: "Northwind Distribution", legal: "Northwind Distribution LLC", email: "ap@northwind.example", status: 1, vat: "US-84-1234567", profile: "US", street: "500 Congress Ave", code: "NWD" },
  { id: 2, name: "Bergmann Industriebedarf", legal: "Bergmann Industriebedarf GmbH", email: "buchhaltung@bergmann.example", status: 1, vat: "DE811907980", profile: "DE", street: "Leopoldstraße 12", code: "BIB" },
  { id: 3, name: "Harbour & Crane", legal: "Harbour & Crane Ltd", email: "accounts@harbourcrane.example", status: 1, vat: "GB123456789", profile: "GB", street: "1 Finsbury Square", code: "HCL" },
  { id: 4, name: "Pinecrest Office Supply", legal: "Pinecrest Office Supply Inc.", email: "billing@pinecrest.example", status: 3, vat: "US-47-7654321", profile: "US", street: "77 Lamar Blvd", code: "POS" },
];

interface CustomerSeed {
  id: number;
  email: string;
  first: string;
  last: string;
  companyId: number | null;
  job?: string;
  profile: keyof typeof PROFILES;
}

const CUSTOMERS: CustomerSeed[] = [
  { id: 1, email: "olivia.grant@northwind.example", first: "Olivia", last: "Grant", companyId: 1, job: "Purchasing manager", profile: "US" },
  { id: 2, email: "marcus.lee@northwind.example", first: "Marcus", last: "Lee", companyId: 1, job: "Buyer", profile: "US" },
  { id: 3, email: "katrin.vogel@bergmann.example", first: "Katrin", last: "Vogel", companyId: 2, job: "Einkauf", profile: "DE" },
  { id: 4, email: "james.whitfield@harbourcrane.example", first: "James", last: "Whitfield", companyId: 3, job: "Office manager", profile: "GB" },
  { id: 5, email: "ruth.okafor@pinecrest.example", first: "Ruth", last: "Okafor", companyId: 4, job: "Controller", profile: "US" },
  { id: 6, email: "sam.rivera@example.com", first: "Sam", last: "Rivera", companyId: null, profile: "US" },
];

function address(type: "billing" | "shipping", c: CustomerSeed, company: CompanySeed | undefined, id: number, parentId: number): Rec {
  const p = PROFILES[c.profile];
  return {
    entity_id: id,
    parent_id: parentId,
    address_type: type,
    firstname: c.first,
    lastname: c.last,
    company: company?.legal ?? null,
    street: [company?.street ?? "12 Elm Street"],
    city: p.city,
    region: p.region,
    region_code: p.regionCode,
    postcode: p.postcode,
    country_id: p.country,
    telephone: p.telephone,
    email: c.email,
    vat_id: company?.vat ?? null,
    customer_address_id: c.id * 10,
  };
}

export interface OrderLineInput {
  sku: string;
  qty: number;
  price?: number;
}

/** Build an order in Magento's wire format (items, addresses, totals, B2B attributes, PO number). */
export function buildOrder(
  data: SandboxData,
  args: { customerId: number | null; lines: OrderLineInput[]; poNumber?: string | null; at: number; guestEmail?: string; discountPercent?: number },
): Rec {
  const entityId = data.nextIds.order++;
  const cust = args.customerId === null ? undefined : CUSTOMERS.find((c) => c.id === args.customerId);
  const guest: CustomerSeed = cust ?? { id: 0, email: args.guestEmail ?? "guest.buyer@example.com", first: "Guest", last: "Buyer", companyId: null, profile: "US" };
  const company = guest.companyId ? COMPANIES.find((c) => c.id === guest.companyId) : undefined;
  const profile = PROFILES[company?.profile ?? guest.profile];
  const discountPercent = args.discountPercent ?? 0;
  const items = args.lines.map((line) => {
    const product = PRODUCTS.find((p) => p.sku === line.sku);
    const price = line.price ?? product?.price ?? 10;
    const rowTotal = round2(price * line.qty);
    const discount = round2((rowTotal * discountPercent) / 100);
    const tax = round2(((rowTotal - discount) * profile.taxRate) / 100);
    return {
      item_id: data.nextIds.orderItem++,
      order_id: entityId,
      parent_item_id: null,
      sku: line.sku,
      name: product?.name ?? line.sku,
      product_id: product?.productId ?? 999,
      product_type: product?.type ?? "simple",
      qty_ordered: line.qty,
      qty_invoiced: 0,
      qty_refunded: 0,
      price,
      base_price: price,
      price_incl_tax: round2(price * (1 + profile.taxRate / 100)),
      row_total: rowTotal,
      base_row_total: rowTotal,
      row_total_incl_tax: round2(rowTotal + tax),
      tax_amount: tax,
      base_tax_amount: tax,
      tax_percent: profile.taxRate,
      discount_amount: discount,
      created_at: magentoDate(args.at),
      updated_at: magentoDate(args.at),
    };
  });
  const subtotal = round2(items.reduce((s, i) => s + (i.row_total as number), 0));
  const discount = round2(items.reduce((s, i) => s + (i.discount_amount as number), 0));
  const tax = round2(items.reduce((s, i) => s + (i.tax_amount as number), 0));
  const shipping = items.every((i) => i.product_type === "virtual") ? 0 : 15;
  const grand = round2(subtotal - discount + shipping + tax);
  const billing = address("billing", guest, company, data.nextIds.address++, entityId);
  const shippingAddress = address("shipping", guest, company, data.nextIds.address++, entityId);
  const po = args.poNumber ?? null;
  const extension: Rec = {
    shipping_assignments: [
      { shipping: { address: shippingAddress, method: shipping ? "flatrate_flatrate" : null, total: { shipping_amount: shipping } }, items },
    ],
    applied_taxes: [{ code: `${profile.country}-STD`, title: `${profile.country} sales tax`, percent: profile.taxRate, amount: tax, base_amount: tax }],
  };
  if (company) extension.company_order_attributes = { order_id: entityId, company_id: company.id, company_name: company.name };
  return {
    entity_id: entityId,
    increment_id: String(entityId).padStart(9, "0"),
    state: "new",
    status: "pending",
    store_id: 1,
    customer_id: cust ? cust.id : null,
    customer_is_guest: cust ? 0 : 1,
    customer_group_id: cust ? (company ? 2 : 1) : 0,
    customer_email: guest.email,
    customer_firstname: guest.first,
    customer_lastname: guest.last,
    order_currency_code: profile.currency,
    base_currency_code: profile.currency,
    global_currency_code: "USD",
    store_currency_code: profile.currency,
    subtotal,
    base_subtotal: subtotal,
    discount_amount: discount ? -discount : 0,
    shipping_amount: shipping,
    tax_amount: tax,
    grand_total: grand,
    base_grand_total: grand,
    total_paid: 0,
    total_invoiced: 0,
    total_refunded: 0,
    total_qty_ordered: items.reduce((s, i) => s + (i.qty_ordered as number), 0),
    created_at: magentoDate(args.at),
    updated_at: magentoDate(args.at),
    billing_address: billing,
    payment: po
      ? { method: "purchaseorder", po_number: po, amount_ordered: grand, additional_information: ["Purchase Order"] }
      : { method: company ? "companycredit" : "checkmo", po_number: null, amount_ordered: grand, additional_information: [company ? "Payment on Account" : "Check / Money order"] },
    items,
    extension_attributes: extension,
  };
}

/** Invoice the whole order (state 2 = paid) and update the order's totals. */
export function invoiceOrder(data: SandboxData, order: Rec, at: number): Rec {
  const id = data.nextIds.invoice++;
  const items = (order.items as Rec[]).map((i) => {
    i.qty_invoiced = i.qty_ordered;
    return {
      entity_id: id * 100 + (i.item_id as number),
      parent_id: id,
      order_item_id: i.item_id,
      sku: i.sku,
      name: i.name,
      product_id: i.product_id,
      qty: i.qty_ordered,
      price: i.price,
      base_price: i.base_price,
      row_total: i.row_total,
      tax_amount: i.tax_amount,
      discount_amount: i.discount_amount,
      price_incl_tax: i.price_incl_tax,
      row_total_incl_tax: i.row_total_incl_tax,
    };
  });
  const invoice: Rec = {
    entity_id: id,
    increment_id: String(id).padStart(9, "0"),
    order_id: order.entity_id,
    store_id: order.store_id,
    state: 2,
    order_currency_code: order.order_currency_code,
    base_currency_code: order.base_currency_code,
    subtotal: order.subtotal,
    discount_amount: order.discount_amount,
    shipping_amount: order.shipping_amount,
    tax_amount: order.tax_amount,
    grand_total: order.grand_total,
    base_grand_total: order.base_grand_total,
    total_qty: order.total_qty_ordered,
    billing_address_id: (order.billing_address as Rec).entity_id,
    created_at: magentoDate(at),
    updated_at: magentoDate(at),
    items,
  };
  order.total_invoiced = order.grand_total;
  order.total_paid = order.grand_total;
  order.state = "processing";
  order.status = "processing";
  order.updated_at = magentoDate(at);
  data.invoices.push(invoice);
  return invoice;
}

/** Refund the first line of an invoiced order (state 2 = refunded). */
export function refundOrder(data: SandboxData, order: Rec, at: number): Rec {
  const id = data.nextIds.creditmemo++;
  const invoice = data.invoices.find((i) => i.order_id === order.entity_id);
  const line = (order.items as Rec[])[0];
  const qty = 1;
  const rowTotal = round2((line.price as number) * qty);
  const tax = round2((rowTotal * (line.tax_percent as number)) / 100);
  line.qty_refunded = qty;
  const grand = round2(rowTotal + tax);
  const memo: Rec = {
    entity_id: id,
    increment_id: String(id).padStart(9, "0"),
    order_id: order.entity_id,
    invoice_id: invoice?.entity_id ?? null,
    store_id: order.store_id,
    state: 2,
    creditmemo_status: 2,
    order_currency_code: order.order_currency_code,
    base_currency_code: order.base_currency_code,
    subtotal: rowTotal,
    discount_amount: 0,
    shipping_amount: 0,
    tax_amount: tax,
    adjustment: 0,
    adjustment_positive: 0,
    adjustment_negative: 0,
    grand_total: grand,
    base_grand_total: grand,
    created_at: magentoDate(at),
    updated_at: magentoDate(at),
    items: [
      {
        entity_id: id * 100 + (line.item_id as number),
        parent_id: id,
        order_item_id: line.item_id,
        sku: line.sku,
        name: line.name,
        qty,
        price: line.price,
        row_total: rowTotal,
        tax_amount: tax,
        discount_amount: 0,
      },
    ],
  };
  order.total_refunded = grand;
  order.updated_at = magentoDate(at);
  data.creditmemos.push(memo);
  return memo;
}

function customerRecord(c: CustomerSeed, now: number): Rec {
  const company = c.companyId ? COMPANIES.find((x) => x.id === c.companyId) : undefined;
  const p = PROFILES[c.profile];
  return {
    id: c.id,
    group_id: company ? 2 : 1,
    default_billing: String(c.id * 10),
    default_shipping: String(c.id * 10),
    created_at: magentoDate(now - 400 * 86_400_000 + c.id * 86_400_000),
    updated_at: magentoDate(now - 30 * 86_400_000 + c.id * 3_600_000),
    created_in: "Default Store View",
    email: c.email,
    firstname: c.first,
    lastname: c.last,
    taxvat: company?.vat ?? null,
    store_id: 1,
    website_id: 1,
    addresses: [
      {
        id: c.id * 10,
        customer_id: c.id,
        region: { region_code: p.regionCode, region: p.region, region_id: 0 },
        country_id: p.country,
        street: [company?.street ?? "12 Elm Street"],
        company: company?.legal,
        telephone: p.telephone,
        postcode: p.postcode,
        city: p.city,
        firstname: c.first,
        lastname: c.last,
        default_shipping: true,
        default_billing: true,
      },
    ],
    disable_auto_group_change: 0,
    extension_attributes: {
      company_attributes: company
        ? { customer_id: c.id, company_id: company.id, status: 1, job_title: c.job ?? null, telephone: p.telephone }
        : { customer_id: c.id, company_id: 0, status: 1 },
      is_subscribed: false,
    },
  };
}

function companyRecord(c: CompanySeed): Rec {
  const p = PROFILES[c.profile];
  const superUser = CUSTOMERS.find((x) => x.companyId === c.id);
  return {
    id: c.id,
    status: c.status,
    company_name: c.name,
    legal_name: c.legal,
    company_email: c.email,
    vat_tax_id: c.vat,
    reseller_id: `RS-${c.code}`,
    comment: "",
    street: [c.street],
    city: p.city,
    country_id: p.country,
    region: p.region,
    region_id: 0,
    postcode: p.postcode,
    telephone: p.telephone,
    customer_group_id: 2,
    sales_representative_id: 1,
    reject_reason: null,
    rejected_at: null,
    super_user_id: superUser?.id ?? 0,
    extension_attributes: { applicable_payment_method: 0, use_config_settings: 1 },
  };
}

/** 36 orders over the last three days, half invoiced, some refunded, B2B orders placed from POs. */
export function seed(now: number): SandboxData {
  const data: SandboxData = {
    orders: [],
    invoices: [],
    creditmemos: [],
    customers: CUSTOMERS.map((c) => customerRecord(c, now)),
    companies: COMPANIES.map(companyRecord),
    storeViews: [
      { id: 0, code: "admin", name: "Admin", website_id: 0, store_group_id: 0, is_active: 1 },
      { id: 1, code: "default", name: "Default Store View", website_id: 1, store_group_id: 1, is_active: 1 },
      { id: 2, code: "de_store", name: "Deutsch", website_id: 1, store_group_id: 1, is_active: 1 },
    ],
    purchaseOrders: [],
    nextIds: { order: 1, orderItem: 1, invoice: 1, creditmemo: 1, address: 1, purchaseOrder: 1 },
  };
  const hour = 3_600_000;
  const start = now - 72 * hour;
  for (let i = 1; i <= 36; i++) {
    const customerId = i % 9 === 0 ? null : CUSTOMERS[(i - 1) % CUSTOMERS.length].id;
    const lines: OrderLineInput[] = [];
    const count = 1 + (i % 3);
    for (let l = 0; l < count; l++) lines.push({ sku: PRODUCTS[(i + l * 3) % PRODUCTS.length].sku, qty: 1 + ((i + l) % 4) });
    const cust = CUSTOMERS.find((c) => c.id === customerId);
    const company = cust?.companyId ? COMPANIES.find((c) => c.id === cust.companyId) : undefined;
    const poNumber = company && i % 3 === 0 ? `PO-${company.code}-${4500 + i}` : null;
    // Orders 11 and 12 are placed in the same second (equal updated_at) on purpose.
    const at = start + (i === 12 ? 11 : i) * 1.5 * hour;
    const order = buildOrder(data, { customerId, lines, poNumber, at, discountPercent: i % 5 === 0 ? 10 : 0 });
    data.orders.push(order);
    if (i % 2 === 0) invoiceOrder(data, order, at + 20 * 60_000);
    if (i % 10 === 0) refundOrder(data, order, at + 26 * 60 * 60_000 > now ? now - 60_000 : at + 26 * 60 * 60_000);
  }
  return data;
}

export const DEMO_CUSTOMERS = CUSTOMERS;
export const DEMO_COMPANIES = COMPANIES;
