/**
 * The Commerce client nodes use through `ctx.client`: typed reads over the transport, records
 * normalised for finance flows. Nothing here writes: the company update node PUTs through the
 * transport itself.
 */
import { PermanentError } from "../sdk";
import type { CommerceConfig, DeploymentInfo } from "./config";
import {
  normalizeCompany,
  normalizeCreditMemo,
  normalizeCustomer,
  normalizeInvoice,
  normalizeOrder,
} from "./normalize";
import {
  rawCompany,
  rawCreditMemo,
  rawCustomer,
  rawInvoice,
  rawOrder,
  type Company,
  type CreditMemo,
  type Customer,
  type Invoice,
  type Order,
} from "./schemas";
import { getPurchaseOrder, listPurchaseOrders, type PurchaseOrder, type PurchaseOrderPage } from "./purchase-orders";
import { allOf, type SearchCriteria } from "./search-criteria";
import { SYSTEM, type CommerceTransport } from "./transport";
import type { z } from "zod";

export type SalesEntity = "order" | "invoice" | "creditmemo";

/** List endpoint of each sales entity. */
const LIST_PATH: Record<SalesEntity, string> = { order: "/orders", invoice: "/invoices", creditmemo: "/creditmemos" };

function checkId(value: unknown, what: string): number {
  const n = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n <= 0) {
    throw new PermanentError(`${what} must be a positive whole number (got ${JSON.stringify(value)})`, { system: SYSTEM, code: "invalid_input" });
  }
  return n;
}

function parseRecord<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> & Record<string, unknown> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new PermanentError(`Commerce returned a ${what} this connector cannot read: ${result.error.issues[0]?.message ?? "invalid"}`, {
      system: SYSTEM,
      code: "invalid_response",
    });
  }
  return result.data as z.output<S> & Record<string, unknown>;
}

function isNotFound(error: unknown): boolean {
  return error instanceof PermanentError && error.status === 404;
}

export class CommerceClient {
  readonly transport: CommerceTransport;
  readonly config: CommerceConfig;

  constructor(transport: CommerceTransport, config: CommerceConfig) {
    this.transport = transport;
    this.config = config;
  }

  get deployment(): DeploymentInfo {
    return this.transport.info;
  }

  now(): number {
    return this.transport.now();
  }

  // Orders -------------------------------------------------------------------------------------

  /** https://developer.adobe.com/commerce/webapi/rest/tutorials/orders/order-create-order/ (GET /V1/orders/{id}) */
  async getOrder(orderId: number | string): Promise<Order> {
    const id = checkId(orderId, "orderId");
    const raw = await this.transport.get(`/orders/${id}`, undefined, `get order ${id}`);
    return normalizeOrder(parseRecord(rawOrder, raw, "order"));
  }

  /** The order with this increment id (order number), or undefined. */
  async findOrderByIncrementId(incrementId: string): Promise<Order | undefined> {
    const value = incrementId.trim();
    if (!value) throw new PermanentError("incrementId is empty", { system: SYSTEM, code: "invalid_input" });
    const page = await this.transport.search<unknown>(
      "/orders",
      { filterGroups: allOf({ field: "increment_id", value, conditionType: "eq" }), pageSize: 2, currentPage: 1 },
      `find order ${value}`,
    );
    const first = page.items[0];
    return first === undefined ? undefined : normalizeOrder(parseRecord(rawOrder, first, "order"));
  }

  /** One page of a sales list (orders, invoices, credit memos), raw records. */
  searchSales(entity: SalesEntity, criteria: SearchCriteria) {
    return this.transport.search<Record<string, unknown>>(LIST_PATH[entity], criteria, `search ${entity}s`);
  }

  searchAllSales(entity: SalesEntity, criteria: SearchCriteria, options: Parameters<CommerceTransport["searchAll"]>[2] = {}) {
    return this.transport.searchAll<Record<string, unknown>>(LIST_PATH[entity], criteria, { label: `search ${entity}s`, ...options });
  }

  normalize(entity: "order", raw: unknown): Order;
  normalize(entity: "invoice", raw: unknown): Invoice;
  normalize(entity: "creditmemo", raw: unknown): CreditMemo;
  normalize(entity: SalesEntity, raw: unknown): Order | Invoice | CreditMemo;
  normalize(entity: SalesEntity, raw: unknown): Order | Invoice | CreditMemo {
    if (entity === "order") return normalizeOrder(parseRecord(rawOrder, raw, "order"));
    if (entity === "invoice") return normalizeInvoice(parseRecord(rawInvoice, raw, "invoice"));
    return normalizeCreditMemo(parseRecord(rawCreditMemo, raw, "credit memo"));
  }

  // Invoices and credit memos ------------------------------------------------------------------

  /** https://developer.adobe.com/commerce/webapi/rest/ (GET /V1/invoices/{id}) */
  async getInvoice(invoiceId: number | string): Promise<Invoice> {
    const id = checkId(invoiceId, "invoiceId");
    const raw = await this.transport.get(`/invoices/${id}`, undefined, `get invoice ${id}`);
    return normalizeInvoice(parseRecord(rawInvoice, raw, "invoice"));
  }

  /** GET /V1/creditmemo/{id} (singular, unlike the list route). https://developer.adobe.com/commerce/webapi/rest/ */
  async getCreditMemo(creditMemoId: number | string): Promise<CreditMemo> {
    const id = checkId(creditMemoId, "creditMemoId");
    const raw = await this.transport.get(`/creditmemo/${id}`, undefined, `get credit memo ${id}`);
    return normalizeCreditMemo(parseRecord(rawCreditMemo, raw, "credit memo"));
  }

  // Customers ----------------------------------------------------------------------------------

  /** https://developer.adobe.com/commerce/webapi/rest/ (GET /V1/customers/search) */
  async searchCustomers(criteria: SearchCriteria): Promise<{ items: Customer[]; totalCount: number }> {
    const page = await this.transport.search<unknown>("/customers/search", criteria, "search customers");
    return { items: page.items.map((c) => normalizeCustomer(parseRecord(rawCustomer, c, "customer"))), totalCount: page.total_count };
  }

  /** GET /V1/customers/{id}; undefined when there is no such customer. */
  async getCustomer(customerId: number | string): Promise<Customer | undefined> {
    const id = checkId(customerId, "customerId");
    try {
      const raw = await this.transport.get(`/customers/${id}`, undefined, `get customer ${id}`);
      return normalizeCustomer(parseRecord(rawCustomer, raw, "customer"));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  // B2B companies ------------------------------------------------------------------------------

  /** https://developer.adobe.com/commerce/webapi/rest/b2b/company-object/ (GET /V1/company/{id}); undefined when missing. */
  async getCompany(companyId: number | string): Promise<Company | undefined> {
    const id = checkId(companyId, "companyId");
    try {
      const raw = await this.transport.get(`/company/${id}`, undefined, `get company ${id}`);
      return normalizeCompany(parseRecord(rawCompany, raw, "company"));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** GET /V1/company/ with searchCriteria. */
  async searchCompanies(criteria: SearchCriteria): Promise<{ items: Company[]; totalCount: number }> {
    const page = await this.transport.search<unknown>("/company/", criteria, "search companies");
    return { items: page.items.map((c) => normalizeCompany(parseRecord(rawCompany, c, "company"))), totalCount: page.total_count };
  }

  // B2B purchase orders (GraphQL, as the company user) --------------------------------------------

  /** One page of the company's purchase orders created since `createdFrom` (Magento date). */
  purchaseOrders(page: number, pageSize: number, createdFrom: string): Promise<PurchaseOrderPage> {
    return listPurchaseOrders(this.transport, page, pageSize, createdFrom);
  }

  /** One purchase order by its GraphQL uid; undefined when the company user cannot see it. */
  purchaseOrder(uid: string): Promise<PurchaseOrder | undefined> {
    return getPurchaseOrder(this.transport, uid);
  }

  // Stores -------------------------------------------------------------------------------------

  /** https://developer.adobe.com/commerce/webapi/rest/ (GET /V1/store/storeViews) */
  async storeViews(): Promise<Array<{ id: number; code: string; name: string }>> {
    const raw = await this.transport.get<unknown>("/store/storeViews", undefined, "store views");
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((s): s is Record<string, unknown> => !!s && typeof s === "object")
      .map((s) => ({ id: Number(s.id), code: String(s.code ?? ""), name: String(s.name ?? s.code ?? "") }));
  }
}
