/**
 * B2B purchase orders in the sandbox, served the way Adobe Commerce serves them: GraphQL only
 * (`POST /graphql` on PaaS with a `Store` header, `POST /<tenant>/graphql` on SaaS), validated
 * against a schema that follows Magento's (types and field names from the GraphQL reference), to
 * a company user signed in with `generateCustomerToken`. Errors come back in HTTP 200 bodies with
 * `extensions.category` (graphql-authorization, graphql-authentication, graphql-input).
 *
 * Life of a purchase order: placed PENDING (or APPROVAL_REQUIRED when a rule asks for approval)
 * -> approved (APPROVED) or rejected (REJECTED) -> its sales order placed (ORDER_PLACED, the order
 * is a normal sales order in /V1/orders with the PO number as payment.po_number) or cancelled
 * (CANCELED). Every change moves `updated_at` and adds a history_log row.
 *
 * Admin routes (index.ts): POST /__sandbox/purchase-orders {customerId, lines, status?} places one;
 * POST /__sandbox/purchase-orders/<number>/approve|reject|cancel|complete|edit changes it as a
 * company user would (`complete` places its sales order; `edit` {lines} replaces the lines of an
 * open one).
 */
import { buildSchema, graphqlSync, GraphQLError, type GraphQLFormattedError } from "graphql";
import { DEMO, type TokenStore } from "./auth";
import { DEMO_COMPANIES, DEMO_CUSTOMERS, PRODUCTS, buildOrder, magentoDate, round2, type OrderLineInput, type Rec, type SandboxData } from "./seed";

export const SCHEMA = buildSchema(`
  type Query { customer: Customer, company: Company }
  type Mutation {
    generateCustomerToken(email: String!, password: String!): CustomerToken
    approvePurchaseOrders(input: PurchaseOrdersActionInput!): PurchaseOrdersActionOutput
    rejectPurchaseOrders(input: PurchaseOrdersActionInput!): PurchaseOrdersActionOutput
    cancelPurchaseOrders(input: PurchaseOrdersActionInput!): PurchaseOrdersActionOutput
    placeOrderForPurchaseOrder(input: PlaceOrderForPurchaseOrderInput!): PlaceOrderForPurchaseOrderOutput
  }
  type CustomerToken { token: String }
  type Customer {
    firstname: String
    lastname: String
    email: String
    purchase_orders_enabled: Boolean!
    purchase_orders(filter: PurchaseOrdersFilterInput, currentPage: Int = 1, pageSize: Int = 20): PurchaseOrders
    purchase_order(uid: ID!): PurchaseOrder
  }
  input FilterRangeTypeInput { from: String, to: String }
  input PurchaseOrdersFilterInput {
    company_purchase_orders: Boolean
    created_date: FilterRangeTypeInput
    status: PurchaseOrderStatus
    my_approvals: Boolean
    require_my_approval: Boolean
  }
  enum PurchaseOrderStatus { PENDING APPROVAL_REQUIRED APPROVED ORDER_IN_PROGRESS ORDER_PLACED ORDER_FAILED REJECTED CANCELED APPROVED_PENDING_PAYMENT }
  enum PurchaseOrderAction { REJECT CANCEL VALIDATE APPROVE PLACE_ORDER }
  type SearchResultPageInfo { current_page: Int, page_size: Int, total_pages: Int }
  type PurchaseOrders { items: [PurchaseOrder]!, page_info: SearchResultPageInfo, total_count: Int }
  type PurchaseOrder {
    uid: ID!
    number: String!
    status: PurchaseOrderStatus!
    created_at: String
    updated_at: String
    created_by: Customer
    order: CustomerOrder
    quote: Cart
    history_log: [PurchaseOrderHistoryItem]
    available_actions: [PurchaseOrderAction]!
  }
  type PurchaseOrderHistoryItem { uid: ID!, activity: String!, created_at: String, message: String }
  type CustomerOrder { id: ID!, number: String! }
  type Money { value: Float, currency: String }
  type ProductInterface { sku: String, name: String }
  type CartItemPrices { price: Money!, row_total: Money! }
  type CartItemInterface { uid: ID!, quantity: Float!, product: ProductInterface!, prices: CartItemPrices }
  type CartPrices { grand_total: Money, subtotal_excluding_tax: Money }
  type Cart { items: [CartItemInterface], prices: CartPrices }
  type Company { id: ID!, name: String, legal_name: String, email: String }
  input PurchaseOrdersActionInput { purchase_order_uids: [ID!]! }
  enum PurchaseOrderErrorType { NOT_FOUND OPERATION_NOT_APPLICABLE COULD_NOT_SAVE NOT_VALID_DATA UNDEFINED }
  type PurchaseOrderActionError { message: String!, type: PurchaseOrderErrorType! }
  type PurchaseOrdersActionOutput { purchase_orders: [PurchaseOrder!]!, errors: [PurchaseOrderActionError!]! }
  input PlaceOrderForPurchaseOrderInput { purchase_order_uid: ID! }
  type PlaceOrderForPurchaseOrderOutput { order: CustomerOrder! }
`);

const uidOf = (id: number) => Buffer.from(String(id)).toString("base64");
const idOf = (uid: unknown) => {
  const decoded = typeof uid === "string" ? Buffer.from(uid, "base64").toString("utf8") : "";
  return /^\d+$/.test(decoded) ? Number(decoded) : undefined;
};

export class PurchaseOrderError extends Error {}

const OPEN = new Set(["PENDING", "APPROVAL_REQUIRED", "APPROVED", "APPROVED_PENDING_PAYMENT", "ORDER_FAILED"]);
const AWAITING = new Set(["PENDING", "APPROVAL_REQUIRED"]);

interface Line {
  sku: string;
  name: string;
  qty: number;
  price: number;
}

function linesFrom(input: unknown): Line[] {
  if (!Array.isArray(input) || input.length === 0) throw new PurchaseOrderError("lines must be [{sku, qty, price?}]");
  return input.map((raw, i) => {
    const l = (raw ?? {}) as Rec;
    const product = PRODUCTS.find((p) => p.sku === l.sku);
    const qty = Number(l.qty);
    if (typeof l.sku !== "string" || !l.sku) throw new PurchaseOrderError(`line ${i + 1}: sku is required`);
    if (!Number.isFinite(qty) || qty <= 0) throw new PurchaseOrderError(`line ${i + 1}: qty must be a positive number`);
    const price = l.price === undefined ? (product?.price ?? 10) : Number(l.price);
    if (!Number.isFinite(price) || price < 0) throw new PurchaseOrderError(`line ${i + 1}: price must be a number of 0 or more`);
    return { sku: l.sku, name: product?.name ?? l.sku, qty, price };
  });
}

function touch(po: Rec, activity: string, now: number): void {
  po.updated_at = magentoDate(now);
  (po.history as Rec[]).push({ uid: uidOf((po.history as Rec[]).length + 1), activity, created_at: po.updated_at, message: null });
}

/** Place a purchase order as a company user does at checkout (placePurchaseOrder). */
export function placePurchaseOrder(data: SandboxData, args: { customerId: unknown; lines: unknown; status?: unknown }, now: number): Rec {
  const customer = DEMO_CUSTOMERS.find((c) => c.id === Number(args.customerId));
  if (!customer?.companyId) throw new PurchaseOrderError(`customer ${String(args.customerId)} is not a company user`);
  const status = args.status === undefined ? "PENDING" : String(args.status);
  if (!AWAITING.has(status)) throw new PurchaseOrderError("status must be PENDING or APPROVAL_REQUIRED");
  const id = data.nextIds.purchaseOrder++;
  const po: Rec = {
    entity_id: id,
    number: String(id).padStart(9, "0"),
    company_id: customer.companyId,
    creator_id: customer.id,
    status,
    currency: DEMO_COMPANIES.find((c) => c.id === customer.companyId)?.profile === "DE" ? "EUR" : "USD",
    created_at: magentoDate(now),
    updated_at: magentoDate(now),
    lines: linesFrom(args.lines),
    order_increment_id: null,
    history: [],
  };
  touch(po, "submit", now);
  data.purchaseOrders.push(po);
  return po;
}

export function findPurchaseOrder(data: SandboxData, numberOrId: string): Rec | undefined {
  return data.purchaseOrders.find((po) => po.number === numberOrId || String(po.entity_id) === numberOrId || po.number === numberOrId.padStart(9, "0"));
}

export type PurchaseOrderAction = "approve" | "reject" | "cancel" | "complete" | "edit";

/** One change by a company user; returns the sales order placed, for `complete`. */
export function changePurchaseOrder(data: SandboxData, po: Rec, action: PurchaseOrderAction, now: number, body: Rec = {}): Rec | undefined {
  const status = String(po.status);
  const refuse = (what: string) => {
    throw new PurchaseOrderError(`Purchase order ${String(po.number)} cannot be ${what} (status ${status}).`);
  };
  if (action === "approve") {
    if (!AWAITING.has(status)) refuse("approved");
    po.status = "APPROVED";
    touch(po, "approve", now);
  } else if (action === "reject") {
    if (!AWAITING.has(status)) refuse("rejected");
    po.status = "REJECTED";
    touch(po, "reject", now);
  } else if (action === "cancel") {
    if (!OPEN.has(status)) refuse("cancelled");
    po.status = "CANCELED";
    touch(po, "cancel", now);
  } else if (action === "edit") {
    if (!OPEN.has(status)) refuse("edited");
    po.lines = linesFrom(body.lines);
    touch(po, "edit", now);
  } else {
    if (status !== "APPROVED") refuse("placed as an order");
    const order = buildOrder(data, {
      customerId: Number(po.creator_id),
      lines: (po.lines as Line[]).map((l): OrderLineInput => ({ sku: l.sku, qty: l.qty, price: l.price })),
      poNumber: String(po.number),
      at: now,
    });
    data.orders.push(order);
    po.status = "ORDER_PLACED";
    po.order_increment_id = order.increment_id;
    po.order_entity_id = order.entity_id;
    touch(po, "place_order", now);
    return order;
  }
  return undefined;
}

/** Demo: two open purchase orders of Northwind Distribution, one of Bergmann (another company's user cannot see it). */
export function seedPurchaseOrders(data: SandboxData, now: number): void {
  const hour = 3_600_000;
  placePurchaseOrder(data, { customerId: 2, lines: [{ sku: "ACC-PRO-12M", qty: 5 }, { sku: "SUPPORT-PREM", qty: 1 }] }, now - 30 * hour);
  const approved = placePurchaseOrder(data, { customerId: 2, lines: [{ sku: "USB-HUB-7", qty: 12 }, { sku: "LAPTOP-STAND", qty: 12 }], status: "APPROVAL_REQUIRED" }, now - 20 * hour);
  changePurchaseOrder(data, approved, "approve", now - 19 * hour);
  placePurchaseOrder(data, { customerId: 3, lines: [{ sku: "DESK-STD-140", qty: 4 }] }, now - 10 * hour);
}

// ---------------------------------------------------------------------------------------------
// GraphQL

const money = (value: number, currency: unknown) => ({ value: round2(value), currency });

function view(data: SandboxData, po: Rec): Rec {
  const lines = po.lines as Line[];
  const subtotal = round2(lines.reduce((s, l) => s + round2(l.price * l.qty), 0));
  const creator = DEMO_CUSTOMERS.find((c) => c.id === po.creator_id);
  const status = String(po.status);
  const actions = AWAITING.has(status) ? ["APPROVE", "REJECT", "CANCEL"] : status === "APPROVED" ? ["PLACE_ORDER", "CANCEL"] : [];
  return {
    uid: uidOf(Number(po.entity_id)),
    number: po.number,
    status,
    created_at: po.created_at,
    updated_at: po.updated_at,
    created_by: creator ? { firstname: creator.first, lastname: creator.last, email: creator.email, purchase_orders_enabled: true } : null,
    order: po.order_increment_id ? { id: uidOf(Number(po.order_entity_id)), number: po.order_increment_id } : null,
    quote: {
      items: lines.map((l, i) => ({
        uid: uidOf(Number(po.entity_id) * 100 + i + 1),
        quantity: l.qty,
        product: { sku: l.sku, name: l.name },
        prices: { price: money(l.price, po.currency), row_total: money(l.price * l.qty, po.currency) },
      })),
      prices: { subtotal_excluding_tax: money(subtotal, po.currency), grand_total: money(subtotal, po.currency) },
    },
    history_log: po.history,
    available_actions: actions,
  };
}

const NOT_AUTHORIZED = () => new GraphQLError("The current customer isn't authorized.", { extensions: { category: "graphql-authorization" } });

export interface GraphqlContext {
  data: () => SandboxData;
  tokens: TokenStore;
  now: () => number;
  /** Bearer token sent, if any. */
  token?: string;
}

function signedIn(ctx: GraphqlContext) {
  const customerId = ctx.token ? ctx.tokens.customerOf(ctx.token) : undefined;
  const customer = DEMO_CUSTOMERS.find((c) => c.id === customerId);
  if (!customer) throw NOT_AUTHORIZED();
  return customer;
}

function visible(ctx: GraphqlContext, companyId: number | null) {
  return ctx.data().purchaseOrders.filter((po) => po.company_id === companyId);
}

function action(ctx: GraphqlContext, kind: PurchaseOrderAction, uids: unknown[]) {
  const customer = signedIn(ctx);
  const done: Rec[] = [];
  const errors: Rec[] = [];
  for (const uid of uids) {
    const po = visible(ctx, customer.companyId).find((p) => p.entity_id === idOf(uid));
    if (!po) {
      errors.push({ message: `Purchase order with ID "${String(uid)}" not found.`, type: "NOT_FOUND" });
      continue;
    }
    try {
      changePurchaseOrder(ctx.data(), po, kind, ctx.now());
      done.push(view(ctx.data(), po));
    } catch (error) {
      if (!(error instanceof PurchaseOrderError)) throw error;
      errors.push({ message: error.message, type: "OPERATION_NOT_APPLICABLE" });
    }
  }
  return { purchase_orders: done, errors };
}

function rootValue(ctx: GraphqlContext) {
  return {
    company: () => {
      const customer = signedIn(ctx);
      const company = DEMO_COMPANIES.find((c) => c.id === customer.companyId);
      return company ? { id: uidOf(company.id), name: company.name, legal_name: company.legal, email: company.email } : null;
    },
    customer: () => {
      const customer = signedIn(ctx);
      return {
        firstname: customer.first,
        lastname: customer.last,
        email: customer.email,
        purchase_orders_enabled: customer.companyId !== null,
        purchase_orders: (args: { filter?: { company_purchase_orders?: boolean; created_date?: { from?: string; to?: string }; status?: string }; currentPage: number; pageSize: number }) => {
          if (args.currentPage < 1) throw new GraphQLError("currentPage value must be greater than 0.", { extensions: { category: "graphql-input" } });
          if (args.pageSize < 1) throw new GraphQLError("pageSize value must be greater than 0.", { extensions: { category: "graphql-input" } });
          const f = args.filter ?? {};
          const list = visible(ctx, customer.companyId)
            .filter((po) => f.company_purchase_orders || po.creator_id === customer.id)
            .filter((po) => !f.status || po.status === f.status)
            .filter((po) => !f.created_date?.from || String(po.created_at) >= f.created_date.from)
            .filter((po) => !f.created_date?.to || String(po.created_at) <= f.created_date.to)
            .sort((a, b) => Number(b.entity_id) - Number(a.entity_id));
          const start = (args.currentPage - 1) * args.pageSize;
          return {
            items: list.slice(start, start + args.pageSize).map((po) => view(ctx.data(), po)),
            total_count: list.length,
            page_info: { current_page: args.currentPage, page_size: args.pageSize, total_pages: Math.ceil(list.length / args.pageSize) },
          };
        },
        purchase_order: (args: { uid: string }) => {
          const po = visible(ctx, customer.companyId).find((p) => p.entity_id === idOf(args.uid));
          if (!po) throw new GraphQLError(`Purchase order with ID "${args.uid}" not found.`, { extensions: { category: "graphql-no-such-entity" } });
          return view(ctx.data(), po);
        },
      };
    },
    generateCustomerToken: (args: { email: string; password: string }) => {
      const customer = DEMO_CUSTOMERS.find((c) => c.email === args.email);
      if (!customer || args.password !== DEMO.b2bBuyerPassword) {
        throw new GraphQLError("The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.", {
          extensions: { category: "graphql-authentication" },
        });
      }
      return { token: ctx.tokens.issueCustomer(customer.id) };
    },
    approvePurchaseOrders: (args: { input: { purchase_order_uids: unknown[] } }) => action(ctx, "approve", args.input.purchase_order_uids),
    rejectPurchaseOrders: (args: { input: { purchase_order_uids: unknown[] } }) => action(ctx, "reject", args.input.purchase_order_uids),
    cancelPurchaseOrders: (args: { input: { purchase_order_uids: unknown[] } }) => action(ctx, "cancel", args.input.purchase_order_uids),
    placeOrderForPurchaseOrder: (args: { input: { purchase_order_uid: string } }) => {
      const customer = signedIn(ctx);
      const po = visible(ctx, customer.companyId).find((p) => p.entity_id === idOf(args.input.purchase_order_uid));
      if (!po) throw new GraphQLError(`Purchase order with ID "${args.input.purchase_order_uid}" not found.`, { extensions: { category: "graphql-no-such-entity" } });
      try {
        const order = changePurchaseOrder(ctx.data(), po, "complete", ctx.now())!;
        return { order: { id: uidOf(Number(order.entity_id)), number: order.increment_id } };
      } catch (error) {
        if (error instanceof PurchaseOrderError) throw new GraphQLError(error.message, { extensions: { category: "graphql-input" } });
        throw error;
      }
    },
  };
}

/** Answer one GraphQL POST body; always HTTP 200 unless the body is not a GraphQL request. */
export function executeGraphql(ctx: GraphqlContext, body: string): { status: number; body: { data?: unknown; errors?: GraphQLFormattedError[] } } {
  let request: { query?: unknown; variables?: unknown; operationName?: unknown };
  try {
    request = JSON.parse(body || "{}") as typeof request;
  } catch {
    return { status: 400, body: { errors: [{ message: "Unable to parse the request.", extensions: { category: "graphql" } }] } };
  }
  if (typeof request.query !== "string" || !request.query.trim()) {
    return { status: 200, body: { errors: [{ message: "Syntax Error: Unexpected <EOF>", extensions: { category: "graphql" } }] } };
  }
  const result = graphqlSync({
    schema: SCHEMA,
    source: request.query,
    rootValue: rootValue(ctx),
    variableValues: request.variables && typeof request.variables === "object" ? (request.variables as Record<string, unknown>) : undefined,
    operationName: typeof request.operationName === "string" ? request.operationName : undefined,
  });
  const errors = result.errors?.map((e) => {
    const formatted = e.toJSON();
    return { ...formatted, extensions: { category: "graphql", ...formatted.extensions } };
  });
  return { status: 200, body: errors ? { ...(result.data === undefined ? {} : { data: result.data }), errors } : { data: result.data } };
}
