/**
 * Adobe Commerce sandbox: one server that is both a PaaS store (`/rest/<store>/V1`, OAuth 1.0a
 * and admin tokens) and a SaaS tenant (`/<tenant>/V1`, IMS tokens from `/ims/token/v3`), seeded
 * with B2B orders, invoices, credit memos, customers and companies, and that pushes signed order
 * events (Adobe I/O Events and Commerce webhooks) to subscribed URLs.
 *
 * Admin routes (besides the shared /__sandbox/state, /faults, /reset):
 * - GET    /__sandbox/keys                   public keys (I/O Events key paths + PEMs, webhook PEM)
 * - POST   /__sandbox/subscriptions          {url, channel: "ioEvents"|"commerceWebhook", recipientClientId?}
 * - DELETE /__sandbox/subscriptions/<id>
 * - POST   /__sandbox/orders                 {customerId|null, lines:[{sku,qty,price?}], poNumber?} create + deliver events
 * - POST   /__sandbox/orders/<id>/touch      {status?} change an order + deliver events
 * - POST   /__sandbox/orders/<id>/cancel     cancel an order as an admin would (+ its event)
 * - POST   /__sandbox/orders/<id>/invoice    invoice it;  /refund  refund one unit of the first line
 * - POST   /__sandbox/clock                  {advanceMs} move the sandbox clock (token expiry by hand)
 * - POST   /__sandbox/companies/<id>/edit    {company_name?, company_email?, vat_tax_id?, …} edit a B2B company as an admin would
 * - POST   /__sandbox/purchase-orders        {customerId, lines:[{sku,qty,price?}], status?} place a B2B purchase order
 * - POST   /__sandbox/purchase-orders/<number>/approve|reject|cancel|complete|edit  change it as a company user would
 *          (complete places its sales order; edit {lines} replaces the lines of an open one). GraphQL: POST /graphql
 * - GET    /prod/keys/pub-key-<uuid>.pem     the I/O Events public keys, as static.adobeioevents.com serves them
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  delay,
  dropResponse,
  handleAdmin,
  listen,
  nextFault,
  noFaults,
  readBody,
  send,
  type Sandbox,
} from "../../sdk";
import { DEMO, OAuthVerifier, TokenStore } from "./auth";
import { EventHub } from "./events";
import { cancelOrder } from "./lifecycle";
import { PurchaseOrderError, changePurchaseOrder, findPurchaseOrder, placePurchaseOrder, seedPurchaseOrders, type PurchaseOrderAction } from "./purchase-orders";
import { handleApi, updateCompanyRecord } from "./routes";
import { buildOrder, invoiceOrder, magentoDate, refundOrder, seed, type OrderLineInput, type Rec, type SandboxData } from "./seed";

export { DEMO } from "./auth";

export interface CommerceSandbox extends Sandbox {
  /** Current data (tests read it to compare). */
  data(): SandboxData;
  events: EventHub;
}

export function createSandbox(options: { now?: () => number } = {}): CommerceSandbox {
  const baseNow = options.now ?? Date.now;
  let offsetMs = 0;
  const now = () => baseNow() + offsetMs;
  const seeded = () => {
    const d = seed(now());
    seedPurchaseOrders(d, now());
    return d;
  };
  let data = seeded();
  let oauth = new OAuthVerifier(now);
  let tokens = new TokenStore(now);
  const events = new EventHub(now);
  const faults = noFaults();
  let requests: Array<{ method: string; path: string; auth: string; status: number }> = [];

  const inspect = () => ({
    system: "commerce",
    paas: { restBase: "/rest/default/V1", adminToken: "/rest/V1/integration/admin/token" },
    saas: { restBase: `/${DEMO.tenantId}/V1`, imsToken: "/ims/token/v3" },
    clock: magentoDate(now()),
    counts: {
      orders: data.orders.length,
      invoices: data.invoices.length,
      creditmemos: data.creditmemos.length,
      customers: data.customers.length,
      companies: data.companies.length,
      purchaseOrders: data.purchaseOrders.length,
    },
    purchaseOrders: data.purchaseOrders,
    orders: data.orders.map((o) => ({ entity_id: o.entity_id, increment_id: o.increment_id, status: o.status, updated_at: o.updated_at })),
    tokens: tokens.stats(),
    noncesUsed: oauth.nonces.size,
    subscriptions: events.subscriptions,
    deliveries: events.deliveries.slice(-50),
    requests: requests.slice(-100),
    faults,
  });

  const reset = () => {
    offsetMs = 0;
    data = seeded();
    oauth = new OAuthVerifier(now);
    tokens = new TokenStore(now);
    events.subscriptions = [];
    events.deliveries = [];
    requests = [];
  };

  const parse = (text: string): Rec | undefined => {
    if (!text) return {};
    try {
      const v = JSON.parse(text) as unknown;
      return v && typeof v === "object" && !Array.isArray(v) ? (v as Rec) : undefined;
    } catch {
      return undefined;
    }
  };

  async function sandboxRoute(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/__sandbox/keys") return send(res, 200, events.publicKeys());
    const body = parse(await readBody(req));
    if (!body) return send(res, 400, { error: "body must be a JSON object" });
    if (method === "POST" && path === "/__sandbox/subscriptions") {
      const sub = events.subscribe(body);
      return typeof sub === "string" ? send(res, 400, { error: sub }) : send(res, 201, sub);
    }
    let m: RegExpExecArray | null;
    if (method === "DELETE" && (m = /^\/__sandbox\/subscriptions\/([\w-]+)$/.exec(path))) {
      const before = events.subscriptions.length;
      events.subscriptions = events.subscriptions.filter((s) => s.id !== m![1]);
      return send(res, before === events.subscriptions.length ? 404 : 200, { ok: before !== events.subscriptions.length });
    }
    if (method === "POST" && path === "/__sandbox/clock") {
      const advance = Number(body.advanceMs ?? 0);
      if (!Number.isFinite(advance)) return send(res, 400, { error: "advanceMs must be a number" });
      offsetMs += advance;
      return send(res, 200, { now: magentoDate(now()) });
    }
    if (method === "POST" && (m = /^\/__sandbox\/companies\/(\d+)\/edit$/.exec(path))) {
      const company = data.companies.find((c) => c.id === Number(m![1]));
      if (!company) return send(res, 404, { error: `no company ${m[1]}` });
      const saved = updateCompanyRecord(company, body);
      return send(res, saved.status === 200 ? 200 : 400, saved.status === 200 ? { company } : { error: saved.body.message });
    }
    if (method === "POST" && path === "/__sandbox/purchase-orders") {
      try {
        return send(res, 201, { purchaseOrder: placePurchaseOrder(data, { customerId: body.customerId, lines: body.lines, status: body.status }, now()) });
      } catch (error) {
        if (error instanceof PurchaseOrderError) return send(res, 400, { error: error.message });
        throw error;
      }
    }
    if (method === "POST" && (m = /^\/__sandbox\/purchase-orders\/(\w+)\/(approve|reject|cancel|complete|edit)$/.exec(path))) {
      const po = findPurchaseOrder(data, m[1]!);
      if (!po) return send(res, 404, { error: `no purchase order ${m[1]}` });
      try {
        const order = changePurchaseOrder(data, po, m[2] as PurchaseOrderAction, now(), body);
        const deliveries = order ? await events.publish(order) : [];
        return send(res, 200, { purchaseOrder: po, order: order ?? null, deliveries });
      } catch (error) {
        if (error instanceof PurchaseOrderError) return send(res, 400, { error: error.message });
        throw error;
      }
    }
    if (method === "POST" && path === "/__sandbox/orders") {
      const lines = body.lines;
      if (!Array.isArray(lines) || lines.length === 0 || !lines.every((l) => l && typeof (l as Rec).sku === "string" && Number((l as Rec).qty) > 0)) {
        return send(res, 400, { error: "lines must be [{sku, qty, price?}]" });
      }
      const customerId = body.customerId === null || body.customerId === undefined ? null : Number(body.customerId);
      if (customerId !== null && !data.customers.some((c) => c.id === customerId)) return send(res, 400, { error: `no customer ${customerId}` });
      const order = buildOrder(data, {
        customerId,
        lines: lines as OrderLineInput[],
        poNumber: typeof body.poNumber === "string" ? body.poNumber : null,
        at: now(),
      });
      data.orders.push(order);
      const deliveries = await events.publish(order);
      return send(res, 201, { order, deliveries });
    }
    if (method === "POST" && (m = /^\/__sandbox\/orders\/(\d+)\/cancel$/.exec(path))) {
      const order = data.orders.find((o) => o.entity_id === Number(m![1]));
      if (!order) return send(res, 404, { error: `no order ${m[1]}` });
      if (!cancelOrder(order, now())) return send(res, 400, { error: `order ${m[1]} cannot be cancelled (state ${String(order.state)})` });
      const deliveries = await events.publish(order);
      return send(res, 200, { order, deliveries });
    }
    if (method === "POST" && (m = /^\/__sandbox\/orders\/(\d+)\/(touch|invoice|refund)$/.exec(path))) {
      const order = data.orders.find((o) => o.entity_id === Number(m![1]));
      if (!order) return send(res, 404, { error: `no order ${m[1]}` });
      let document: Rec | undefined;
      if (m[2] === "touch") {
        if (typeof body.status === "string") {
          order.status = body.status;
          order.state = body.status === "canceled" ? "canceled" : body.status === "complete" ? "complete" : order.state;
        }
        order.updated_at = magentoDate(now());
      } else if (m[2] === "invoice") {
        if (data.invoices.some((i) => i.order_id === order.entity_id)) return send(res, 400, { error: "order already invoiced" });
        document = invoiceOrder(data, order, now());
      } else {
        if (!data.invoices.some((i) => i.order_id === order.entity_id)) return send(res, 400, { error: "order has no invoice to refund" });
        document = refundOrder(data, order, now());
      }
      const deliveries = await events.publish(order);
      return send(res, 200, { order, document, deliveries });
    }
    return send(res, 404, { error: `no sandbox route ${method} ${path}` });
  }

  const apiContext = () => ({
    data: () => data,
    oauth,
    tokens,
    log: (e: { method: string; path: string; auth: string; status: number }) => requests.push(e),
    now,
    changed: (order: Rec) => void events.publish(order),
  });

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      if (await handleAdmin(req, res, { faults, inspect, reset })) return;
      const url = new URL(req.url ?? "/", "http://sandbox");
      if (url.pathname.startsWith("/__sandbox/")) return await sandboxRoute(req, res, url.pathname);
      if (req.method === "GET" && url.pathname.startsWith("/prod/keys/")) {
        const pem = events.keyByPath(url.pathname);
        return pem ? send(res, 200, pem, { "content-type": "application/x-pem-file" }) : send(res, 404, "Not Found");
      }
      const body = await readBody(req);
      if (faults.latencyMs > 0) await delay(faults.latencyMs);
      const fault = nextFault(faults, req.method !== "GET");
      if (fault === "rateLimit") {
        requests.push({ method: req.method ?? "GET", path: url.pathname, auth: "-", status: 429 });
        return send(res, 429, { message: "Too Many Requests", trace: null }, { "retry-after": String(faults.retryAfterSeconds ?? 2) });
      }
      if (fault === "serverError") {
        requests.push({ method: req.method ?? "GET", path: url.pathname, auth: "-", status: 500 });
        return send(res, 500, { message: "Internal Error. Details are available in Magento log file. Report ID: webapi-6f1c2a9e0b3d4" });
      }
      if (fault === "expireAuth") tokens.expireAll();
      if (fault === "dropAfterWrite") {
        handleApi(apiContext(), req, {
          // Apply, then lose the answer.
          writeHead: () => undefined,
          end: () => dropResponse(res),
        } as unknown as ServerResponse, body);
        return;
      }
      handleApi(apiContext(), req, res, body);
    } catch (error) {
      if (!res.headersSent) send(res, 500, { message: `Internal Error: ${(error as Error).message}` });
    }
  };

  return {
    system: "commerce",
    handler: (req, res) => void handler(req, res),
    faults,
    data: () => data,
    events,
    describe: (baseUrl: string) => [
      `Adobe Commerce sandbox at ${baseUrl}`,
      `  PaaS store:  ${baseUrl}/rest/default/V1/…  (OAuth 1.0a HMAC-SHA256, or admin token)`,
      `    consumer key ${DEMO.consumerKey}  consumer secret ${DEMO.consumerSecret}`,
      `    access token ${DEMO.accessToken}  token secret ${DEMO.accessTokenSecret}`,
      `    admin user ${DEMO.adminUsername} / ${DEMO.adminPassword}  (POST ${baseUrl}/rest/V1/integration/admin/token; ${DEMO.twoFactorAdminUsername} has 2FA enforced)`,
      `  SaaS tenant: ${baseUrl}/${DEMO.tenantId}/V1/…  (Store header; IMS token from ${baseUrl}/ims/token/v3)`,
      `    IMS client id ${DEMO.imsClientId}  client secret ${DEMO.imsClientSecret}  org ${DEMO.imsOrgId}  tenant ${DEMO.tenantId}`,
      `  Events: GET ${baseUrl}/__sandbox/keys (public keys), POST ${baseUrl}/__sandbox/subscriptions {url, channel},`,
      `          POST ${baseUrl}/__sandbox/orders or /__sandbox/orders/<id>/touch to deliver signed order events`,
      `  Inspect: GET ${baseUrl}/__sandbox/state   Faults: POST ${baseUrl}/__sandbox/faults   Reset: POST ${baseUrl}/__sandbox/reset`,
    ],
    listen: (port = 0, host = "127.0.0.1") => listen((req, res) => void handler(req, res), port, host),
  };
}
