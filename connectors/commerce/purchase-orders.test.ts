/**
 * B2B purchase orders over GraphQL against the sandbox (real HTTP, PaaS and SaaS): the poll
 * trigger signs in as the company user, reads the company's purchase orders with header, lines,
 * company and approval, and starts one run per version; the GraphQL wire and its errors.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PermanentError, type TriggerContext } from "../sdk";
import type { CommerceClient } from "./client";
import { purchaseOrdersUpdated } from "./nodes/purchaseOrdersUpdated";
import { DEMO } from "./sandbox";
import { admin, makeClient, startHarness, T0, type Harness, type Mode } from "./testkit";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(async () => {
  h.clock.now = T0;
  await admin(h, "POST", "/__sandbox/reset", {});
});

const buyer = { config: { b2bBuyerEmail: DEMO.b2bBuyerEmail }, secrets: { b2bBuyerPassword: DEMO.b2bBuyerPassword } };

function triggerCtx(client: CommerceClient): TriggerContext<CommerceClient> {
  const noop = () => undefined;
  return { client, log: { info: noop, warn: noop, error: noop }, signal: new AbortController().signal, workspaceId: "w", flowId: "f", nodeId: "n" };
}

const poll = (client: CommerceClient, checkpoint: unknown, config: Record<string, unknown> = {}) =>
  purchaseOrdersUpdated.trigger!.poll!(triggerCtx(client), purchaseOrdersUpdated.config.parse(config), checkpoint);

describe("commerce.purchaseOrdersUpdated", () => {
  for (const mode of ["oauth1", "saas"] as Mode[]) {
    it(`${mode}: reads the company's purchase orders with lines, company and approval, then one run per change`, async () => {
      const { client, env } = makeClient(h, mode, buyer);
      const first = await poll(client, null);
      // Northwind's two purchase orders; Bergmann's is not visible to Northwind's user.
      expect(first.records.map((r) => r.key).sort()).toEqual(["commerce:purchaseorder:000000001", "commerce:purchaseorder:000000002"]);
      const approved = first.records.find((r) => r.key.endsWith("000000002"))!.data as { purchaseOrder: Record<string, unknown> };
      expect(approved.purchaseOrder).toMatchObject({
        number: "000000002",
        status: "APPROVED",
        approval: "approved",
        lifecycle: "open",
        createdBy: { name: "Marcus Lee", email: "marcus.lee@northwind.example" },
        company: { id: "1", name: "Northwind Distribution", legalName: "Northwind Distribution LLC", email: "ap@northwind.example" },
        currency: "USD",
        lines: [
          { sku: "USB-HUB-7", name: "7-port USB-C hub", quantity: 12, price: 39.9, rowTotal: 478.8 },
          { sku: "LAPTOP-STAND", name: "Aluminium laptop stand", quantity: 12, price: 45.5, rowTotal: 546 },
        ],
        totals: { subtotal: 1024.8, grandTotal: 1024.8 },
        orderNumber: null,
      });
      const graphql = env.calls.filter((c) => c.url.endsWith("/graphql"));
      expect(graphql[0]!.requestBody).toContain("generateCustomerToken");
      expect(graphql[0]!.requestBody).not.toContain(DEMO.b2bBuyerPassword);

      expect((await poll(client, first.checkpoint)).records).toEqual([]);

      await admin(h, "POST", "/__sandbox/purchase-orders/000000001/approve", {});
      await admin(h, "POST", "/__sandbox/purchase-orders/000000002/complete", {});
      const second = await poll(client, first.checkpoint);
      expect(second.records.map((r) => [r.key, (r.data as { purchaseOrder: { status: string } }).purchaseOrder.status]).sort()).toEqual([
        ["commerce:purchaseorder:000000001", "APPROVED"],
        ["commerce:purchaseorder:000000002", "ORDER_PLACED"],
      ]);
      const placed = second.records.find((r) => r.key.endsWith("000000002"))!.data as { purchaseOrder: { lifecycle: string; orderNumber: string } };
      expect(placed.purchaseOrder.lifecycle).toBe("completed");
      // The placed sales order is an ordinary order carrying the PO number.
      const orders = (await admin(h, "GET", "/__sandbox/state")).json.orders as Array<{ increment_id: string }>;
      expect(orders.some((o) => o.increment_id === placed.purchaseOrder.orderNumber)).toBe(true);

      // An edit in the same second is still a new version (the lines are part of it).
      await admin(h, "POST", "/__sandbox/purchase-orders/000000001/edit", { lines: [{ sku: "ACC-PRO-12M", qty: 6 }] });
      const third = await poll(client, second.checkpoint);
      expect(third.records.map((r) => r.key)).toEqual(["commerce:purchaseorder:000000001"]);
      expect((await poll(client, third.checkpoint)).records).toEqual([]);
      // Only one customer token for all of it.
      expect(env.calls.filter((c) => c.requestBody?.includes("generateCustomerToken"))).toHaveLength(1);
    });
  }

  it("pages are capped per poll and the next poll continues where it stopped", async () => {
    for (let i = 0; i < 4; i++) await admin(h, "POST", "/__sandbox/purchase-orders", { customerId: 1, lines: [{ sku: "TONER-BK-XL", qty: i + 1 }] });
    const { client } = makeClient(h, "oauth1", buyer);
    const first = await poll(client, null, { pageSize: 2, maxPagesPerPoll: 2 });
    expect(first.hasMore).toBe(true);
    const second = await poll(client, first.checkpoint, { pageSize: 2, maxPagesPerPoll: 2 });
    expect(second.hasMore).toBe(false);
    expect(new Set([...first.records, ...second.records].map((r) => r.key)).size).toBe(6);
    expect((await poll(client, second.checkpoint, { pageSize: 2, maxPagesPerPoll: 2 })).records).toEqual([]);
  });

  it("an expired customer token is renewed once; a wrong password fails with a clear error and the connection marked failing", async () => {
    const { client, env } = makeClient(h, "oauth1", buyer);
    const first = await poll(client, null);
    h.clock.now += 2 * 60 * 60 * 1000;
    await admin(h, "POST", "/__sandbox/purchase-orders/000000001/reject", {});
    const after = await poll(client, first.checkpoint);
    expect(after.records.map((r) => r.key)).toEqual(["commerce:purchaseorder:000000001"]);
    expect(env.calls.filter((c) => c.requestBody?.includes("generateCustomerToken"))).toHaveLength(2);

    const wrong = makeClient(h, "oauth1", { config: buyer.config, secrets: { b2bBuyerPassword: "not-it" } });
    const error = await poll(wrong.client, null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toMatch(/The account sign-in was incorrect/);
    expect((error as PermanentError).connectionHealth).toBe("failing");
    const missing = await poll(makeClient(h, "oauth1").client, null).catch((e: unknown) => e);
    expect((missing as PermanentError).message).toMatch(/company user's e-mail/);
  });

  it("the sandbox's GraphQL refuses a query without a customer token and an invalid field, as Magento does", async () => {
    const post = (body: unknown, token?: string) =>
      fetch(`${h.server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) }).then(
        async (r) => ({ status: r.status, json: (await r.json()) as { data?: unknown; errors?: Array<{ message: string; extensions: { category: string } }> } }),
      );
    const anonymous = await post({ query: "{ customer { purchase_orders { total_count } } }" });
    expect(anonymous.status).toBe(200);
    expect(anonymous.json.errors?.[0]).toMatchObject({ message: "The current customer isn't authorized.", extensions: { category: "graphql-authorization" } });
    const token = await post({ query: `mutation { generateCustomerToken(email: "${DEMO.b2bBuyerEmail}", password: "${DEMO.b2bBuyerPassword}") { token } }` });
    const t = (token.json.data as { generateCustomerToken: { token: string } }).generateCustomerToken.token;
    const bad = await post({ query: "{ customer { purchase_orders { items { nope } } } }" }, t);
    expect(bad.json.errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
    const cancel = await post({ query: 'mutation { cancelPurchaseOrders(input: { purchase_order_uids: ["MQ=="] }) { purchase_orders { number status } errors { message type } } }' }, t);
    expect(cancel.json.data).toEqual({ cancelPurchaseOrders: { purchase_orders: [{ number: "000000001", status: "CANCELED" }], errors: [] } });
    const again = await post({ query: 'mutation { cancelPurchaseOrders(input: { purchase_order_uids: ["MQ=="] }) { purchase_orders { number } errors { message type } } }' }, t);
    expect(again.json.data).toEqual({
      cancelPurchaseOrders: { purchase_orders: [], errors: [{ message: "Purchase order 000000001 cannot be cancelled (status CANCELED).", type: "OPERATION_NOT_APPLICABLE" }] },
    });
  });
});
