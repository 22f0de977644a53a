/**
 * Order cancellation on the wire: `POST /V1/orders/{id}/cancel` over OAuth 1.0a answers a boolean,
 * sets Magento's cancelled totals and delivers the order-save event; the admin route does the same
 * as a person in the Admin would.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { oauth1Header } from "./oauth1";
import { DEMO } from "./sandbox";
import { admin, startHarness, startReceiver, T0, type Harness } from "./testkit";

let h: Harness;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
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
});

const creds = { consumerKey: DEMO.consumerKey, consumerSecret: DEMO.consumerSecret, token: DEMO.accessToken, tokenSecret: DEMO.accessTokenSecret };
async function cancel(id: number | string) {
  const url = `${h.server.url}/rest/default/V1/orders/${id}/cancel`;
  const res = await fetch(url, { method: "POST", headers: { authorization: oauth1Header(creds, { method: "POST", url }, { timestamp: h.clock.now }), "content-type": "application/json" }, body: "{}" });
  return { status: res.status, body: await res.json() };
}

describe("order cancellation", () => {
  it("cancels an open order over REST (true), counts what was cancelled, delivers the order-save event; a second cancel answers false", async () => {
    const placed = (await admin(h, "POST", "/__sandbox/orders", { customerId: 1, lines: [{ sku: "USB-HUB-7", qty: 2 }] })).json.order;
    const sub = await admin(h, "POST", "/__sandbox/subscriptions", { url: receiver.url, channel: "ioEvents" });
    expect(sub.status).toBe(201);
    h.clock.now = T0 + 60_000;
    expect(await cancel(placed.entity_id)).toEqual({ status: 200, body: true });
    const url = `${h.server.url}/rest/default/V1/orders/${placed.entity_id}`;
    const order = await (await fetch(url, { headers: { authorization: oauth1Header(creds, { method: "GET", url }, { timestamp: h.clock.now }) } })).json();
    expect(order).toMatchObject({ state: "canceled", status: "canceled", total_canceled: placed.grand_total, tax_canceled: placed.tax_amount, updated_at: "2026-11-20 12:01:00" });
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received).toHaveLength(1);
    const event = JSON.parse(receiver.received[0]!.rawBody);
    expect(event.type).toBe("com.adobe.commerce.observer.sales_order_save_commit_after");
    expect(event.data.value).toMatchObject({ entity_id: placed.entity_id, state: "canceled" });
    expect(await cancel(placed.entity_id)).toEqual({ status: 200, body: false });
    expect((await cancel(99999)).status).toBe(404);
  });

  it("refuses to cancel a fully invoiced order (false over REST, 400 on the admin route)", async () => {
    const placed = (await admin(h, "POST", "/__sandbox/orders", { customerId: 1, lines: [{ sku: "USB-HUB-7", qty: 1 }] })).json.order;
    await admin(h, "POST", `/__sandbox/orders/${placed.entity_id}/invoice`, {});
    expect(await cancel(placed.entity_id)).toEqual({ status: 200, body: false });
    expect((await admin(h, "POST", `/__sandbox/orders/${placed.entity_id}/cancel`, {})).status).toBe(400);
  });
});
