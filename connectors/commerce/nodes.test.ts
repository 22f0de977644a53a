import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NeedsReviewError, PermanentError, WebhookRejected, type TriggerContext, type WebhookRequest } from "../sdk";
import type { CommerceClient } from "./client";
import { commerce } from "./index";
import { getCompany } from "./nodes/getCompany";
import { getCreditMemo } from "./nodes/getCreditMemo";
import { getInvoice } from "./nodes/getInvoice";
import { getOrder } from "./nodes/getOrder";
import { orderEvent } from "./nodes/orderEvent";
import { parseStartFrom, salesDocumentsUpdated } from "./nodes/salesDocumentsUpdated";
import { searchCustomers } from "./nodes/searchCustomers";
import { DEMO } from "./sandbox";
import { signRsaSha256 } from "./sandbox/events";
import { admin, makeClient, startHarness, startReceiver, T0, type Captured, type Harness } from "./testkit";

function triggerCtx(client: CommerceClient): TriggerContext<CommerceClient> & { logs: string[] } {
  const logs: string[] = [];
  const push = (m: string) => void logs.push(m);
  return { client, log: { info: push, warn: push, error: push }, signal: new AbortController().signal, workspaceId: "w", flowId: "f", nodeId: "n", logs };
}

describe("Commerce nodes against the sandbox", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    h.clock.now = T0;
    await admin(h, "POST", "/__sandbox/reset");
  });

  it("commerce.getOrder: a B2B order placed from a PO, by id and by order number", async () => {
    const { ctx, env } = makeClient(h, "oauth1");
    const config = getOrder.config.parse({});
    const byId = getOrder.output.parse(await getOrder.run(ctx, getOrder.input.parse({ orderId: 3 }), config));
    expect(byId).toMatchObject({
      entityId: 3,
      incrementId: "000000003",
      status: "pending",
      currency: "EUR",
      customer: { id: 3, email: "katrin.vogel@bergmann.example", name: "Katrin Vogel", isGuest: false, groupId: 2 },
      company: { id: 2, name: "Bergmann Industriebedarf" },
      purchaseOrderNumber: "PO-BIB-4503",
      paymentMethod: "purchaseorder",
      totals: { subtotal: 996, discount: 0, shipping: 15, tax: 189.24, grandTotal: 1200.24, baseGrandTotal: 1200.24, paid: 0, invoiced: 0, refunded: 0 },
      billingAddress: { type: "billing", name: "Katrin Vogel", company: "Bergmann Industriebedarf GmbH", street: ["Leopoldstraße 12"], countryId: "DE", vatId: "DE811907980" },
      shippingAddress: { type: "shipping", city: "München", postcode: "80331" },
    });
    expect(byId.items).toEqual([
      {
        itemId: 6,
        sku: "CHAIR-ERG-2",
        name: "Ergonomic office chair, mk II",
        productType: "simple",
        qtyOrdered: 4,
        qtyInvoiced: 0,
        qtyRefunded: 0,
        price: 249,
        rowTotal: 996,
        discountAmount: 0,
        taxAmount: 189.24,
        taxPercent: 19,
        rowTotalInclTax: 1185.24,
      },
    ]);
    const byNumber = await getOrder.run(ctx, getOrder.input.parse({ incrementId: "000000003" }), config);
    expect(byNumber.entityId).toBe(3);
    expect(env.calls[1].url).toBe(
      `${h.server.url}/rest/default/V1/orders?searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=increment_id&searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bvalue%5D=000000003&searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bcondition_type%5D=eq&searchCriteria%5BpageSize%5D=2&searchCriteria%5BcurrentPage%5D=1`,
    );
    await expect(getOrder.run(ctx, getOrder.input.parse({ incrementId: "999999999" }), config)).rejects.toMatchObject({ code: "not_found" });
    expect(getOrder.input.safeParse({}).success).toBe(false);

    // Magento's negative discount_amount arrives as a positive discount; totals add up.
    const discounted = await getOrder.run(ctx, { orderId: 5 }, config);
    expect(h.sandbox.data().orders[4].discount_amount).toBeLessThan(0);
    expect(discounted.totals.discount).toBeGreaterThan(0);
    const t = discounted.totals;
    expect(Math.round((t.subtotal - t.discount + t.shipping + t.tax) * 100) / 100).toBe(t.grandTotal);
    expect(discounted.items.reduce((sum, i) => sum + i.discountAmount, 0)).toBeCloseTo(t.discount, 2);

    const guest = await getOrder.run(ctx, { orderId: 9 }, config);
    expect(guest).toMatchObject({ customer: { id: null, isGuest: true, email: "guest.buyer@example.com" }, company: null, purchaseOrderNumber: null, currency: "USD" });
  });

  it("commerce.getInvoice and commerce.getCreditMemo return the document with its order", async () => {
    const { ctx, env } = makeClient(h, "saas");
    const inv = getInvoice.output.parse(await getInvoice.run(ctx, getInvoice.input.parse({ invoiceId: "1" }), getInvoice.config.parse({})));
    expect(inv.invoice).toMatchObject({ entityId: 1, incrementId: "000000001", orderId: 2, state: 2, stateLabel: "paid", currency: "USD" });
    expect(inv.invoice.totals.grandTotal).toBe(inv.order!.totals.grandTotal);
    expect(inv.invoice.items.map((i) => i.sku)).toEqual(inv.order!.items.map((i) => i.sku));
    expect(inv.order).toMatchObject({ entityId: 2, status: "processing", company: { id: 1, name: "Northwind Distribution" } });
    expect(env.calls.filter((c) => c.label !== "IMS token").map((c) => c.url.replace(h.server.url, ""))).toEqual([
      `/${DEMO.tenantId}/V1/invoices/1`,
      `/${DEMO.tenantId}/V1/orders/2`,
    ]);

    const memo = getCreditMemo.output.parse(await getCreditMemo.run(ctx, { creditMemoId: 1 }, getCreditMemo.config.parse({})));
    expect(memo.creditMemo).toMatchObject({ entityId: 1, orderId: 10, stateLabel: "refunded", invoiceId: 5, items: [{ qty: 1 }] });
    expect(memo.order!.totals.refunded).toBe(memo.creditMemo.totals.grandTotal);
    const noOrder = await getCreditMemo.run(ctx, { creditMemoId: 1 }, { includeOrder: false });
    expect(noOrder.order).toBeNull();
    await expect(getCreditMemo.run(ctx, { creditMemoId: 77 }, { includeOrder: false })).rejects.toBeInstanceOf(PermanentError);
  });

  it("commerce.searchCustomers finds by email or id, and parks a miss for review when asked", async () => {
    const { ctx } = makeClient(h, "oauth1");
    const cfg = searchCustomers.config.parse({});
    const byEmail = searchCustomers.output.parse(await searchCustomers.run(ctx, { email: "Marcus.Lee@northwind.example" }, cfg));
    expect(byEmail).toMatchObject({ found: true, count: 1, customer: { id: 2, name: "Marcus Lee", companyId: 1, jobTitle: "Buyer", defaultBillingAddress: { countryId: "US", regionCode: "TX" } } });
    const byId = await searchCustomers.run(ctx, { customerId: 6 }, cfg);
    expect(byId.customer).toMatchObject({ id: 6, email: "sam.rivera@example.com", companyId: null });
    expect(await searchCustomers.run(ctx, { customerId: 99 }, cfg)).toMatchObject({ found: false, count: 0, customer: null });
    expect(await searchCustomers.run(ctx, { email: "olivia.grant@northwind.example" }, { websiteId: 2, whenMissing: "returnEmpty" })).toMatchObject({ found: false });
    await expect(searchCustomers.run(ctx, { email: "nobody@example.com" }, { whenMissing: "needsReview" })).rejects.toBeInstanceOf(NeedsReviewError);
    expect(searchCustomers.input.safeParse({ email: "not-an-email" }).success).toBe(false);
  });

  it("commerce.getCompany reads a B2B company by id or name", async () => {
    const { ctx } = makeClient(h, "adminToken");
    const cfg = getCompany.config.parse({});
    const byId = getCompany.output.parse(await getCompany.run(ctx, { companyId: 3 }, cfg));
    expect(byId.company).toMatchObject({ id: 3, name: "Harbour & Crane", legalName: "Harbour & Crane Ltd", vatTaxId: "GB123456789", statusLabel: "approved", countryId: "GB", superUserId: 4 });
    const byName = await getCompany.run(ctx, { name: "pinecrest office supply" }, cfg);
    expect(byName.company).toMatchObject({ id: 4, statusLabel: "blocked" });
    expect(await getCompany.run(ctx, { companyId: 40 }, cfg)).toEqual({ found: false, company: null });
    await expect(getCompany.run(ctx, { companyId: 40 }, { whenMissing: "needsReview" })).rejects.toMatchObject({ reasonCode: "company_not_found" });
  });

  it("pickers list store views and companies; every node config converts to JSON Schema", async () => {
    const { client } = makeClient(h, "oauth1");
    expect(await commerce.pickers!.storeViews.load(client)).toEqual([
      { value: "default", label: "Default Store View (default)" },
      { value: "de_store", label: "Deutsch (de_store)" },
    ]);
    expect((await commerce.pickers!.companies.load(client)).map((o) => o.label)).toEqual([
      "Bergmann Industriebedarf",
      "Harbour & Crane",
      "Northwind Distribution",
      "Pinecrest Office Supply",
    ]);
    const { z } = await import("zod");
    for (const node of commerce.nodes) {
      expect(node.type.startsWith("commerce.")).toBe(true);
      expect(() => z.toJSONSchema(node.config)).not.toThrow();
    }
    expect(() => z.toJSONSchema(commerce.config as never)).not.toThrow();
    const sandboxConn = commerce.sandbox!(h.server.url);
    const env = (await import("../sdk")).localEnv(commerce, { ...sandboxConn, now: () => h.clock.now });
    expect((await commerce.test(commerce.createClient(env))).ok).toBe(true);
  });

  it("commerce.salesDocumentsUpdated polls orders, invoices and credit memos with overlap, dedupe and caps", async () => {
    const { client, ctx: nodeCtx, env } = makeClient(h, "oauth1", { config: { pageSize: 10 } });
    const tctx = triggerCtx(client);
    const cfg = salesDocumentsUpdated.config.parse({ entities: ["order", "invoice", "creditmemo"], startFrom: "2026-11-01", maxPagesPerPoll: 10 });
    const first = await salesDocumentsUpdated.trigger!.poll!(tctx, cfg, null);
    const orders = first.records.filter((r) => r.key.startsWith("commerce:order:"));
    expect(orders).toHaveLength(36);
    expect(first.records.filter((r) => r.key.startsWith("commerce:invoice:"))).toHaveLength(18);
    expect(first.records.filter((r) => r.key.startsWith("commerce:creditmemo:"))).toHaveLength(3);
    expect(first.hasMore).toBe(false);
    const order3 = orders.find((r) => r.key === "commerce:order:3")!;
    expect(order3).toMatchObject({ version: h.sandbox.data().orders[2].updated_at, label: "Order 000000003" });
    const versions = orders.map((r) => r.version);
    expect([...versions].sort()).toEqual(versions);

    // Nothing new: nothing handed over twice, even though the overlap re-reads the newest ones.
    const second = await salesDocumentsUpdated.trigger!.poll!(tctx, cfg, first.checkpoint);
    expect(second.records).toEqual([]);

    // Two orders changed in the same second, one invoiced: exactly those come, once.
    h.clock.now = T0 + 60_000;
    await admin(h, "POST", "/__sandbox/orders/5/touch", { status: "complete" });
    await admin(h, "POST", "/__sandbox/orders/7/touch", {});
    await admin(h, "POST", "/__sandbox/orders/7/invoice", {});
    const third = await salesDocumentsUpdated.trigger!.poll!(tctx, cfg, second.checkpoint);
    expect(third.records.map((r) => `${r.key}@${r.version}`)).toEqual([
      "commerce:order:5@2026-11-20 12:01:00",
      "commerce:order:7@2026-11-20 12:01:00",
      "commerce:invoice:19@2026-11-20 12:01:00",
    ]);
    const fourth = await salesDocumentsUpdated.trigger!.poll!(tctx, cfg, third.checkpoint);
    expect(fourth.records).toEqual([]);
    const lastOrderCall = env.calls.filter((c) => c.url.includes("/V1/orders?")).pop()!;
    expect(decodeURIComponent(lastOrderCall.url)).toContain("searchCriteria[filter_groups][0][filters][0][value]=2026-11-20 11:59:00");

    // The run hands the invoice over with its order.
    const invoiceRecord = third.records[2];
    const out = salesDocumentsUpdated.output.parse(await salesDocumentsUpdated.run(nodeCtx, salesDocumentsUpdated.input.parse(invoiceRecord.data), cfg));
    expect(out).toMatchObject({ entity: "invoice", entityId: 19, invoice: { orderId: 7, stateLabel: "paid" }, order: { entityId: 7, status: "processing" }, creditMemo: null });
    // A manual run with only a key reads the document.
    const manual = await salesDocumentsUpdated.run(nodeCtx, { entity: "creditmemo", entityId: 2 }, cfg);
    expect(manual).toMatchObject({ entity: "creditmemo", creditMemo: { entityId: 2, orderId: 20 }, order: { entityId: 20 } });
  });

  it("reads startFrom as UTC unless it names a zone", () => {
    expect(parseStartFrom("2026-01-31")).toBe(Date.parse("2026-01-31T00:00:00Z"));
    expect(parseStartFrom("2026-01-31 08:30")).toBe(Date.parse("2026-01-31T08:30:00Z"));
    expect(parseStartFrom("2026-01-31T08:30:15+01:00")).toBe(Date.parse("2026-01-31T07:30:15Z"));
    expect(() => parseStartFrom("2026-02-30x")).toThrow("is not a date");
    expect(salesDocumentsUpdated.config.safeParse({ startFrom: "yesterday" }).success).toBe(false);
  });

  it("commerce.salesDocumentsUpdated caps pages per poll, filters statuses and resets on new settings", async () => {
    const { client } = makeClient(h, "oauth1", { config: { pageSize: 5 } });
    const tctx = triggerCtx(client);
    const cfg = salesDocumentsUpdated.config.parse({ entities: ["order"], lookbackHours: 100, maxPagesPerPoll: 2 });
    const seen: string[] = [];
    let checkpoint: unknown = null;
    let polls = 0;
    for (;;) {
      const r = await salesDocumentsUpdated.trigger!.poll!(tctx, cfg, checkpoint);
      polls++;
      seen.push(...r.records.map((x) => x.key));
      checkpoint = r.checkpoint;
      if (!r.hasMore) break;
      // At most two pages of five; keyset paging and the overlap re-read a few records, dropped as seen.
      expect(r.records.length).toBeGreaterThanOrEqual(5);
      expect(r.records.length).toBeLessThanOrEqual(10);
    }
    expect(polls).toBeGreaterThanOrEqual(4);
    expect(polls).toBeLessThanOrEqual(8);
    expect(new Set(seen).size).toBe(36);
    expect(seen).toHaveLength(36);

    const statusCfg = salesDocumentsUpdated.config.parse({ entities: ["order"], lookbackHours: 100, orderStatuses: ["pending"], maxPagesPerPoll: 10 });
    const reset = await salesDocumentsUpdated.trigger!.poll!(tctx, statusCfg, checkpoint);
    expect(tctx.logs).toContain("Trigger settings changed: polling starts again from the configured start");
    const pendingIds = h.sandbox.data().orders.filter((o) => o.status === "pending").map((o) => `commerce:order:${o.entity_id}`);
    expect(reset.records.map((r) => r.key)).toEqual(pendingIds);
    expect(pendingIds.length).toBe(18);

    // Lookback only: orders of the last 10 hours.
    const recent = await salesDocumentsUpdated.trigger!.poll!(tctx, salesDocumentsUpdated.config.parse({ lookbackHours: 10, maxPagesPerPoll: 10 }), null);
    expect(recent.records.every((r) => r.version >= "2026-11-20 02:00:00")).toBe(true);
    expect(recent.records.length).toBeGreaterThan(0);
    expect(recent.records.length).toBeLessThan(10);
  });
});

describe("commerce.orderEvent: signed events delivered over HTTP", () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let keys: { ioEvents: Array<{ path: string; pem: string }>; commerceWebhook: string };
  beforeAll(async () => {
    h = await startHarness();
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });
  beforeEach(async () => {
    h.clock.now = T0;
    receiver.received.length = 0;
    await admin(h, "POST", "/__sandbox/reset");
    keys = (await admin(h, "GET", "/__sandbox/keys")).json;
  });

  const toReq = (c: Captured): WebhookRequest => ({ method: c.method, headers: c.headers, rawBody: c.rawBody, query: c.query });

  function eventClient(config: Record<string, unknown> = {}) {
    return makeClient(h, "oauth1", {
      config: { ioEventsPublicKeys: keys.ioEvents.map((k) => k.pem), webhookPublicKey: keys.commerceWebhook, ...config },
    });
  }

  async function deliver(channel: "ioEvents" | "commerceWebhook", recipientClientId?: string): Promise<Captured> {
    const sub = await admin(h, "POST", "/__sandbox/subscriptions", { url: receiver.url, channel, recipientClientId });
    expect(sub.status).toBe(201);
    h.clock.now = T0 + 5 * 60_000;
    const touched = await admin(h, "POST", "/__sandbox/orders/8/touch", { status: "complete" });
    expect(touched.json.deliveries).toMatchObject([{ status: 200, orderId: 8, channel }]);
    await admin(h, "DELETE", `/__sandbox/subscriptions/${sub.json.id}`);
    expect(receiver.received).toHaveLength(1);
    return receiver.received[0];
  }

  it("answers the I/O Events challenge", async () => {
    const { client } = eventClient();
    const cfg = orderEvent.config.parse({});
    const result = await orderEvent.trigger!.webhook!(triggerCtx(client), { method: "GET", headers: {}, rawBody: "", query: { challenge: "8ec8d794-e0ab-42df-9017-e3dada8e84f7" } }, cfg);
    expect(result).toMatchObject({ status: 200, body: { challenge: "8ec8d794-e0ab-42df-9017-e3dada8e84f7" }, records: [] });
    await expect(orderEvent.trigger!.webhook!(triggerCtx(client), { method: "GET", headers: {}, rawBody: "", query: {} }, cfg)).rejects.toBeInstanceOf(WebhookRejected);
  });

  it("accepts a signed I/O event, and the run reads the full order", async () => {
    const captured = await deliver("ioEvents");
    expect(captured.headers["x-adobe-public-key1-path"]).toBe(keys.ioEvents[0].path);
    const { client, ctx } = eventClient();
    const result = await orderEvent.trigger!.webhook!(triggerCtx(client), toReq(captured), orderEvent.config.parse({}));
    const body = JSON.parse(captured.rawBody);
    expect(result.eventId).toBe(body.id);
    expect(result.records).toEqual([
      {
        key: "commerce:order:8",
        version: "2026-11-20 12:05:00",
        label: "Order 000000008",
        data: expect.objectContaining({ source: "ioEvents", orderId: 8, incrementId: "000000008", eventType: "com.adobe.commerce.observer.sales_order_save_commit_after" }),
      },
    ]);
    const out = orderEvent.output.parse(await orderEvent.run(ctx, orderEvent.input.parse(result.records[0].data), orderEvent.config.parse({})));
    expect(out.order).toMatchObject({ entityId: 8, status: "complete", company: { id: 1 }, items: expect.any(Array) });
  });

  it("fetches the I/O Events key by the delivery's path when none is configured", async () => {
    const captured = await deliver("ioEvents");
    const { client, env } = makeClient(h, "oauth1", { config: { ioEventsPublicKeys: [] } });
    const result = await orderEvent.trigger!.webhook!(triggerCtx(client), toReq(captured), orderEvent.config.parse({}));
    expect(result.records).toHaveLength(1);
    expect(env.calls.map((c) => `${c.method} ${c.url}`)).toEqual([`GET ${h.server.url}${keys.ioEvents[0].path}`]);
  });

  it("rejects forged, unsigned, wrongly keyed and misaddressed I/O events", async () => {
    const captured = await deliver("ioEvents");
    const cfg = orderEvent.config.parse({});
    const { client } = eventClient();
    const reject = (req: WebhookRequest, c = client) => expect(orderEvent.trigger!.webhook!(triggerCtx(c), req, cfg)).rejects.toBeInstanceOf(WebhookRejected);

    await reject({ ...toReq(captured), rawBody: captured.rawBody.replace('"status":"complete"', '"status":"canceled"') });
    const unsigned = { ...captured.headers };
    delete unsigned["x-adobe-digital-signature-1"];
    delete unsigned["x-adobe-digital-signature-2"];
    await reject({ ...toReq(captured), headers: unsigned });

    const other = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    // Wrong key configured and the key host does not serve the named keys.
    const wrongKey = makeClient(h, "oauth1", { config: { ioEventsPublicKeys: [other.publicKey], ioEventsKeyHost: new URL(receiver.url).origin } });
    await reject(toReq(captured), wrongKey.client);
    // Signed by someone else's key, with that key's path pointing at the real key host.
    const forgedSig = signRsaSha256(captured.rawBody, other.privateKey);
    await reject({ ...toReq(captured), headers: { ...captured.headers, "x-adobe-digital-signature-1": forgedSig, "x-adobe-digital-signature-2": forgedSig } }, makeClient(h, "oauth1").client);

    const wrongRecipient = makeClient(h, "oauth1", { config: { ioEventsPublicKeys: keys.ioEvents.map((k) => k.pem), imsClientId: "another-client" } });
    await expect(orderEvent.trigger!.webhook!(triggerCtx(wrongRecipient.client), toReq(captured), cfg)).rejects.toThrow("addressed to another client id");
    await expect(orderEvent.trigger!.webhook!(triggerCtx(client), toReq(captured), orderEvent.config.parse({ channel: "commerceWebhook" }))).rejects.toBeInstanceOf(WebhookRejected);
    const noSignature: WebhookRequest = { method: "POST", headers: { "content-type": "application/json" }, rawBody: captured.rawBody, query: {} };
    await expect(orderEvent.trigger!.webhook!(triggerCtx(client), noSignature, cfg)).rejects.toThrow("unsigned delivery");
  });

  it("ignores I/O events of other types but acknowledges them", async () => {
    const captured = await deliver("ioEvents");
    const { client } = eventClient();
    const result = await orderEvent.trigger!.webhook!(triggerCtx(client), toReq(captured), orderEvent.config.parse({ eventNames: ["observer.catalog_product_save_after"] }));
    expect(result.records).toEqual([]);
  });

  it("accepts a Commerce webhook signed with the store key (base64 body or raw body) and answers with an operation", async () => {
    const captured = await deliver("commerceWebhook");
    const { client } = eventClient();
    const cfg = orderEvent.config.parse({});
    const result = await orderEvent.trigger!.webhook!(triggerCtx(client), toReq(captured), cfg);
    expect(result).toMatchObject({ status: 200, body: { op: "success" }, records: [{ key: "commerce:order:8", version: "2026-11-20 12:05:00", data: { source: "commerceWebhook", eventType: "observer.sales_order_save_after" } }] });
    const rawSigned = signRsaSha256(captured.rawBody, h.sandbox.events.webhookKey.privateKey);
    const again = await orderEvent.trigger!.webhook!(triggerCtx(client), { ...toReq(captured), headers: { ...captured.headers, "x-adobe-commerce-webhook-signature": rawSigned } }, cfg);
    expect(again.records).toHaveLength(1);

    await expect(orderEvent.trigger!.webhook!(triggerCtx(client), { ...toReq(captured), rawBody: captured.rawBody.replace('"entity_id":8', '"entity_id":9') }, cfg)).rejects.toBeInstanceOf(WebhookRejected);
    const noKey = makeClient(h, "oauth1");
    await expect(orderEvent.trigger!.webhook!(triggerCtx(noKey.client), toReq(captured), cfg)).rejects.toThrow("no webhook public key configured");
    const wrong = makeClient(h, "oauth1", { config: { webhookPublicKey: keys.ioEvents[0].pem } });
    await expect(orderEvent.trigger!.webhook!(triggerCtx(wrong.client), toReq(captured), cfg)).rejects.toThrow("does not verify");
  });

  it("new orders created in the sandbox reach subscribers and the run sees their PO number", async () => {
    await admin(h, "POST", "/__sandbox/subscriptions", { url: receiver.url, channel: "ioEvents" });
    const created = await admin(h, "POST", "/__sandbox/orders", { customerId: 4, lines: [{ sku: "SUPPORT-PREM", qty: 1 }], poNumber: "PO-HCL-9001" });
    expect(created.status).toBe(201);
    const { client, ctx } = eventClient();
    const result = await orderEvent.trigger!.webhook!(triggerCtx(client), toReq(receiver.received[0]), orderEvent.config.parse({}));
    const out = await orderEvent.run(ctx, orderEvent.input.parse(result.records[0].data), orderEvent.config.parse({}));
    expect(out.order).toMatchObject({
      entityId: 37,
      purchaseOrderNumber: "PO-HCL-9001",
      currency: "GBP",
      company: { id: 3, name: "Harbour & Crane" },
      totals: { subtotal: 1200, shipping: 0, tax: 240, grandTotal: 1440 },
    });
  });
});
