/**
 * B2B purchase orders, read over GraphQL (there is no REST resource for them): the typed queries,
 * the raw shape checked on arrival, and the record flows map.
 *
 * What Adobe documents (graphql/schema/b2b/purchase-order/*, read from AdobeDocs/commerce-webapi):
 * - no top-level query: `customer { purchase_orders(filter, currentPage, pageSize) }` lists them
 *   to a signed-in company user; `filter` takes `company_purchase_orders` (the whole company, not
 *   only the user's own), `created_date {from, to}` and `status`; there is no updated_at filter
 *   and no sort, so a poll reads its whole window and compares versions itself;
 * - `customer { purchase_order(uid) }` reads one; a PurchaseOrder has uid, number, status,
 *   created_at, updated_at, created_by, order (the sales order placed from it), quote (the cart:
 *   items with product and prices, cart prices), comments, history_log and available_actions;
 * - statuses seen in the docs: PENDING, APPROVAL_REQUIRED, APPROVED, ORDER_PLACED, CANCELED;
 *   REJECTED, ORDER_IN_PROGRESS, ORDER_FAILED and APPROVED_PENDING_PAYMENT come from the module's
 *   enum and are ASSUMED here; mutations approvePurchaseOrders, rejectPurchaseOrders,
 *   cancelPurchaseOrders, placeOrderForPurchaseOrder (status becomes ORDER_PLACED).
 */
import { z } from "zod";
import { PermanentError } from "../sdk";
import { SYSTEM, type CommerceTransport } from "./transport";

export const PURCHASE_ORDER_STATUSES = [
  "PENDING",
  "APPROVAL_REQUIRED",
  "APPROVED",
  "APPROVED_PENDING_PAYMENT",
  "ORDER_IN_PROGRESS",
  "ORDER_FAILED",
  "ORDER_PLACED",
  "REJECTED",
  "CANCELED",
] as const;
export type PurchaseOrderStatus = (typeof PURCHASE_ORDER_STATUSES)[number];

/**
 * Where a purchase order is in its life, for finance: `open` until it ends; `completed` once its
 * sales order is placed (ORDER_PLACED, the last status a purchase order reaches); `canceled` or
 * `rejected` when it ends without an order.
 */
export function lifecycleOf(status: string): "open" | "completed" | "canceled" | "rejected" {
  if (status === "ORDER_PLACED") return "completed";
  if (status === "CANCELED") return "canceled";
  if (status === "REJECTED") return "rejected";
  return "open";
}

/** Approval as a person reads it: waiting, approved, or rejected (cancelled orders keep where approval stood). */
export function approvalOf(status: string): "pending" | "approved" | "rejected" | "not_required" {
  if (status === "PENDING" || status === "APPROVAL_REQUIRED") return "pending";
  if (status === "REJECTED") return "rejected";
  if (status === "CANCELED") return "not_required";
  return "approved";
}

const FIELDS = `
  uid number status created_at updated_at
  created_by { firstname lastname email }
  order { number }
  quote {
    items { uid quantity product { sku name } prices { price { value currency } row_total { value currency } } }
    prices { subtotal_excluding_tax { value currency } grand_total { value currency } }
  }`;

const COMPANY = "company { id name legal_name email }";

export const LIST_QUERY = `query PurchaseOrders($page: Int!, $pageSize: Int!, $from: String) {
  ${COMPANY}
  customer {
    purchase_orders(currentPage: $page, pageSize: $pageSize, filter: { company_purchase_orders: true, created_date: { from: $from } }) {
      total_count
      page_info { current_page page_size total_pages }
      items { ${FIELDS} }
    }
  }
}`;

export const ONE_QUERY = `query PurchaseOrder($uid: ID!) {
  ${COMPANY}
  customer { purchase_order(uid: $uid) { ${FIELDS} } }
}`;

const moneyValue = z.object({ value: z.coerce.number(), currency: z.string().nullish() }).nullish();

export const rawPurchaseOrder = z.looseObject({
  uid: z.string(),
  number: z.string(),
  status: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  created_by: z.object({ firstname: z.string().nullish(), lastname: z.string().nullish(), email: z.string().nullish() }).nullish(),
  order: z.object({ number: z.string().nullish() }).nullish(),
  quote: z
    .object({
      items: z
        .array(
          z.object({
            uid: z.string().nullish(),
            quantity: z.coerce.number(),
            product: z.object({ sku: z.string(), name: z.string().nullish() }),
            prices: z.object({ price: moneyValue, row_total: moneyValue }).nullish(),
          }),
        )
        .nullish(),
      prices: z.object({ subtotal_excluding_tax: moneyValue, grand_total: moneyValue }).nullish(),
    })
    .nullish(),
});
export type RawPurchaseOrder = z.infer<typeof rawPurchaseOrder>;

const rawCompany = z.object({ id: z.string(), name: z.string().nullish(), legal_name: z.string().nullish(), email: z.string().nullish() }).nullish();

const listAnswer = z.object({
  company: rawCompany,
  customer: z
    .object({
      purchase_orders: z.object({
        total_count: z.number().int().nullish(),
        page_info: z.object({ current_page: z.number().int().nullish(), page_size: z.number().int().nullish(), total_pages: z.number().int().nullish() }).nullish(),
        items: z.array(z.unknown()),
      }),
    })
    .nullish(),
});

const oneAnswer = z.object({ company: rawCompany, customer: z.object({ purchase_order: z.unknown().nullish() }).nullish() });

export const purchaseOrderCompany = z
  .object({
    id: z.string().describe("Company id as REST knows it (/V1/company/{id}), decoded from the GraphQL uid."),
    uid: z.string(),
    name: z.string().nullable(),
    legalName: z.string().nullable(),
    email: z.string().nullable(),
  })
  .describe("The B2B company the purchase order belongs to.");
export type PurchaseOrderCompany = z.infer<typeof purchaseOrderCompany>;

export const purchaseOrder = z.object({
  uid: z.string().describe("GraphQL uid of the purchase order."),
  number: z.string().describe("Purchase order number, e.g. 000000007."),
  status: z.string().describe("PENDING, APPROVAL_REQUIRED, APPROVED, ORDER_PLACED, REJECTED, CANCELED, ..."),
  approval: z.enum(["pending", "approved", "rejected", "not_required"]),
  lifecycle: z.enum(["open", "completed", "canceled", "rejected"]).describe("open until the order is placed (completed), cancelled or rejected."),
  createdAt: z.string().describe("UTC, Magento format YYYY-MM-DD HH:MM:SS."),
  updatedAt: z.string(),
  createdBy: z.object({ name: z.string(), email: z.string().nullable() }),
  orderNumber: z.string().nullable().describe("The sales order placed from it (increment id), once placed."),
  company: purchaseOrderCompany.nullable(),
  currency: z.string().nullable(),
  lines: z.array(z.object({ sku: z.string(), name: z.string().nullable(), quantity: z.number(), price: z.number(), rowTotal: z.number() })),
  totals: z.object({ subtotal: z.number(), grandTotal: z.number() }),
});
export type PurchaseOrder = z.infer<typeof purchaseOrder>;

/** GraphQL uids are base64 of the entity id ("MQ==" is 1); the REST id when it decodes to digits. */
export function idFromUid(uid: string): string {
  const decoded = Buffer.from(uid, "base64").toString("utf8");
  return /^\d+$/.test(decoded) ? decoded : uid;
}

function fail(message: string): never {
  throw new PermanentError(message, { system: SYSTEM, code: "invalid_response" });
}

function companyOf(raw: z.infer<typeof rawCompany>): PurchaseOrderCompany | null {
  if (!raw) return null;
  return { id: idFromUid(raw.id), uid: raw.id, name: raw.name ?? null, legalName: raw.legal_name ?? null, email: raw.email ?? null };
}

export function normalizePurchaseOrder(value: unknown, company: PurchaseOrderCompany | null): PurchaseOrder {
  const parsed = rawPurchaseOrder.safeParse(value);
  if (!parsed.success) fail(`Commerce returned a purchase order this connector cannot read: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const po = parsed.data;
  const items = po.quote?.items ?? [];
  const cents = (n: number) => Math.round(n * 100) / 100;
  const lines = items.map((item) => {
    const price = item.prices?.price?.value ?? 0;
    return {
      sku: item.product.sku,
      name: item.product.name ?? null,
      quantity: item.quantity,
      price,
      rowTotal: item.prices?.row_total?.value ?? cents(price * item.quantity),
    };
  });
  const currency = po.quote?.prices?.grand_total?.currency ?? items[0]?.prices?.price?.currency ?? null;
  const name = [po.created_by?.firstname, po.created_by?.lastname].filter(Boolean).join(" ");
  return {
    uid: po.uid,
    number: po.number,
    status: po.status,
    approval: approvalOf(po.status),
    lifecycle: lifecycleOf(po.status),
    createdAt: po.created_at,
    updatedAt: po.updated_at,
    createdBy: { name, email: po.created_by?.email ?? null },
    orderNumber: po.order?.number ?? null,
    company,
    currency,
    lines,
    totals: {
      subtotal: po.quote?.prices?.subtotal_excluding_tax?.value ?? cents(lines.reduce((s, l) => s + l.rowTotal, 0)),
      grandTotal: po.quote?.prices?.grand_total?.value ?? cents(lines.reduce((s, l) => s + l.rowTotal, 0)),
    },
  };
}

export interface PurchaseOrderPage {
  items: PurchaseOrder[];
  /** The raw GraphQL items (checked), as the run keeps them. */
  raw: unknown[];
  totalCount: number;
  totalPages: number;
  company: PurchaseOrderCompany | null;
}

/** One page of the company's purchase orders created since `createdFrom` (Magento date). */
export async function listPurchaseOrders(transport: CommerceTransport, page: number, pageSize: number, createdFrom: string): Promise<PurchaseOrderPage> {
  const data = await transport.graphql<unknown>(LIST_QUERY, { page, pageSize, from: createdFrom }, `purchase orders page ${page}`);
  const parsed = listAnswer.safeParse(data);
  if (!parsed.success || !parsed.data.customer) fail("Commerce answered the purchase order list without customer.purchase_orders");
  const company = companyOf(parsed.data.company);
  const list = parsed.data.customer.purchase_orders;
  const items = list.items.map((raw) => normalizePurchaseOrder(raw, company));
  const totalCount = list.total_count ?? items.length;
  return { items, raw: list.items, totalCount, totalPages: list.page_info?.total_pages ?? Math.ceil(totalCount / pageSize), company };
}

/** One purchase order by uid, or undefined when the company user cannot see it. */
export async function getPurchaseOrder(transport: CommerceTransport, uid: string): Promise<PurchaseOrder | undefined> {
  const data = await transport.graphql<unknown>(ONE_QUERY, { uid }, `purchase order ${uid}`);
  const parsed = oneAnswer.safeParse(data);
  if (!parsed.success) fail("Commerce answered the purchase order query without customer.purchase_order");
  const raw = parsed.data.customer?.purchase_order;
  return raw ? normalizePurchaseOrder(raw, companyOf(parsed.data.company)) : undefined;
}
