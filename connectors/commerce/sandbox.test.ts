import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { oauth1Header } from "./oauth1";
import { DEMO } from "./sandbox";
import { allOf } from "./search-criteria";
import { admin, makeClient, startHarness, T0, type Harness } from "./testkit";

describe("Commerce sandbox: searchCriteria, admin routes, describe()", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    h.clock.now = T0;
    await admin(h, "POST", "/__sandbox/reset");
  });

  it("applies condition types, OR inside a group, AND across groups, several sort orders", async () => {
    const { client } = makeClient(h, "oauth1");
    const ids = async (criteria: Parameters<typeof client.searchSales>[1]) => (await client.searchSales("order", criteria)).items.map((o) => o.entity_id);

    expect(await ids({ filterGroups: allOf({ field: "customer_email", value: "%@northwind.example", conditionType: "like" }), sortOrders: [{ field: "entity_id", direction: "ASC" }] })).toEqual(
      [1, 2, 7, 8, 13, 14, 19, 20, 25, 26, 31, 32],
    );
    expect(await ids({ filterGroups: allOf({ field: "customer_id", conditionType: "null" }) })).toEqual([9, 18, 27, 36]);
    expect(await ids({ filterGroups: allOf({ field: "entity_id", value: "3,5,40", conditionType: "in" }) })).toEqual([3, 5]);
    // OR inside one group, AND with a second group.
    expect(
      await ids({
        filterGroups: [
          [
            { field: "order_currency_code", value: "EUR" },
            { field: "order_currency_code", value: "GBP" },
          ],
          [{ field: "entity_id", value: 12, conditionType: "lteq" }],
        ],
      }),
    ).toEqual([3, 4, 10]);
    expect(
      await ids({
        filterGroups: allOf({ field: "entity_id", value: 6, conditionType: "lteq" }),
        sortOrders: [
          { field: "order_currency_code", direction: "DESC" },
          { field: "entity_id", direction: "DESC" },
        ],
      }),
    ).toEqual([6, 5, 2, 1, 4, 3]);
    const { items, total_count, search_criteria } = await client.searchSales("invoice", { filterGroups: allOf({ field: "state", value: 2 }), pageSize: 4, currentPage: 5 });
    expect(total_count).toBe(18);
    expect(items.map((i) => i.entity_id)).toEqual([17, 18]);
    expect(search_criteria).toEqual({
      filter_groups: [{ filters: [{ field: "state", value: "2", condition_type: "eq" }] }],
      page_size: 4,
      current_page: 5,
    });
  });

  it("accepts Magento's camelCase keys and refuses an unknown condition type", async () => {
    const url = `${h.server.url}/rest/default/V1/orders?searchCriteria[filterGroups][0][filters][0][field]=entity_id&searchCriteria[filterGroups][0][filters][0][value]=2&searchCriteria[filterGroups][0][filters][0][conditionType]=lt`;
    const creds = { consumerKey: DEMO.consumerKey, consumerSecret: DEMO.consumerSecret, token: DEMO.accessToken, tokenSecret: DEMO.accessTokenSecret };
    const ok = await fetch(url, { headers: { authorization: oauth1Header(creds, { method: "GET", url }, { timestamp: h.clock.now }) } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { items: Array<{ entity_id: number }> }).items.map((o) => o.entity_id)).toEqual([1]);
    const badUrl = url.replace("=lt", "=around");
    const bad = await fetch(badUrl, { headers: { authorization: oauth1Header(creds, { method: "GET", url: badUrl }, { timestamp: h.clock.now }) } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: "Invalid condition type: around" });
  });

  it("refuses unauthenticated calls, other tenants and admin tokens on the SaaS tenant", async () => {
    const none = await fetch(`${h.server.url}/rest/default/V1/orders/1`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: "The consumer isn't authorized to access %resources.", parameters: { resources: "Magento_Sales::sales" } });
    const other = await fetch(`${h.server.url}/otherTenant/V1/orders/1`, { headers: { authorization: "Bearer x" } });
    expect(other.status).toBe(404);
    const adminToken = await (
      await fetch(`${h.server.url}/rest/V1/integration/admin/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: DEMO.adminUsername, password: DEMO.adminPassword }),
      })
    ).json();
    expect(typeof adminToken).toBe("string");
    const paas = await fetch(`${h.server.url}/rest/V1/orders/1`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(paas.status).toBe(200);
    const saas = await fetch(`${h.server.url}/${DEMO.tenantId}/V1/orders/1`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(saas.status).toBe(401);
    // Admin tokens expire after 4 hours.
    h.clock.now = T0 + 4 * 3_600_000 + 1000;
    expect((await fetch(`${h.server.url}/rest/V1/orders/1`, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(401);
  });

  it("admin routes: state, keys, subscriptions, orders, clock; describe() prints the demo credentials", async () => {
    const state = (await admin(h, "GET", "/__sandbox/state")).json;
    expect(state.counts).toEqual({ orders: 36, invoices: 18, creditmemos: 3, customers: 6, companies: 4, purchaseOrders: 3 });
    const keys = (await admin(h, "GET", "/__sandbox/keys")).json;
    expect(keys.ioEvents).toHaveLength(2);
    expect(keys.commerceWebhook).toContain("BEGIN PUBLIC KEY");
    const pem = await fetch(`${h.server.url}${keys.ioEvents[1].path}`);
    expect(await pem.text()).toBe(keys.ioEvents[1].pem);
    expect((await admin(h, "POST", "/__sandbox/subscriptions", { url: "ftp://x" })).status).toBe(400);
    expect((await admin(h, "POST", "/__sandbox/orders", { lines: [] })).status).toBe(400);
    expect((await admin(h, "POST", "/__sandbox/orders/3/refund", {})).status).toBe(400);
    expect((await admin(h, "POST", "/__sandbox/orders/4/invoice", {})).status).toBe(400);
    const clock = await admin(h, "POST", "/__sandbox/clock", { advanceMs: 3_600_000 });
    expect(clock.json).toEqual({ now: "2026-11-20 13:00:00" });
    const lines = h.sandbox.describe("http://localhost:4104");
    const text = lines.join("\n");
    for (const value of [DEMO.consumerKey, DEMO.consumerSecret, DEMO.accessToken, DEMO.accessTokenSecret, DEMO.adminUsername, DEMO.adminPassword, DEMO.imsClientId, DEMO.imsClientSecret, DEMO.tenantId]) {
      expect(text).toContain(value);
    }
    expect(text).toContain("http://localhost:4104/rest/default/V1/");
  });
});
