import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PermanentError, RetryableError, memoryStateStore } from "../sdk";
import { detectDeployment } from "./config";
import { commerce } from "./index";
import { DEMO } from "./sandbox";
import { admin, makeClient, startHarness, T0, type Harness } from "./testkit";
import { renderMagentoMessage } from "./transport";

describe("deployment detection", () => {
  it("tells SaaS from PaaS by the URL and honours the override", () => {
    expect(detectDeployment("https://na1-sandbox.api.commerce.adobe.com/Xy12TenantAb")).toMatchObject({
      deployment: "saas",
      detected: true,
      restBase: "https://na1-sandbox.api.commerce.adobe.com/Xy12TenantAb",
      tenantId: "Xy12TenantAb",
      storeCode: "default",
    });
    expect(detectDeployment("https://na1.api.commerce.adobe.com/T1/V1/orders", "auto", "de_store")).toMatchObject({
      deployment: "saas",
      restBase: "https://na1.api.commerce.adobe.com/T1",
      storeCode: "de_store",
    });
    expect(detectDeployment("https://shop.example.com")).toMatchObject({ deployment: "paas", restBase: "https://shop.example.com/rest/default" });
    expect(detectDeployment("https://shop.example.com/rest/b2b_en/V1")).toMatchObject({
      deployment: "paas",
      restBase: "https://shop.example.com/rest/b2b_en",
      storeCode: "b2b_en",
    });
    expect(detectDeployment("https://example.com/magento/rest", "auto", "nl")).toMatchObject({ restBase: "https://example.com/magento/rest/nl" });
    expect(detectDeployment("http://127.0.0.1:4104/sbxTenant7Q2", "saas")).toMatchObject({
      deployment: "saas",
      detected: false,
      tenantId: "sbxTenant7Q2",
    });
    expect(() => detectDeployment("not a url")).toThrow("is not a URL");
  });

  it("fills Magento message placeholders from objects and arrays", () => {
    expect(renderMagentoMessage("No such entity with %fieldName = %fieldValue", { fieldName: "id", fieldValue: 7 })).toBe("No such entity with id = 7");
    expect(renderMagentoMessage("Invalid product data: %1 and %2", ["a", "b"])).toBe("Invalid product data: a and b");
    expect(renderMagentoMessage("Left %unknown alone", {})).toBe("Left %unknown alone");
  });
});

describe("Commerce transport against the sandbox", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    h.clock.now = T0;
    await admin(h, "POST", "/__sandbox/reset");
  });

  it("SaaS: one IMS token for all workers of a connection, sent with Store and x-api-key", async () => {
    const state = memoryStateStore();
    const a = makeClient(h, "saas", { state });
    const b = makeClient(h, "saas", { state });
    await Promise.all([a.client.getOrder(1), b.client.getOrder(2)]);
    const tokenCalls = [...a.env.calls, ...b.env.calls].filter((c) => c.label === "IMS token");
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]).toMatchObject({
      method: "POST",
      url: `${h.server.url}/ims/token/v3`,
      status: 200,
      requestBody:
        "grant_type=client_credentials&client_id=sandbox-commerce-client&client_secret=[redacted]&scope=openid%2CAdobeID%2Cemail%2Cprofile%2Cadditional_info.roles%2Cadditional_info.projectedProductContext%2Ccommerce.accs",
    });
    expect(tokenCalls[0].responseBody).toBe('{"access_token":"[redacted]","token_type":"bearer","expires_in":86399}');
    const orderCall = a.env.calls.find((c) => c.label === "get order 1")!;
    expect(orderCall).toMatchObject({ method: "GET", url: `${h.server.url}/${DEMO.tenantId}/V1/orders/1`, status: 200 });
    expect(orderCall.requestHeaders).toEqual({
      accept: "application/json",
      authorization: "[redacted]",
      Store: "default",
      "x-api-key": "[redacted]",
      "x-gw-ims-org-id": DEMO.imsOrgId,
    });
    const saved = (await state.get<{ ims: { expiresAt: number } }>())!;
    expect(saved.ims.expiresAt).toBe(T0 + 86_399_000 - 300_000);
  });

  it("SaaS: renews the IMS token once when the API answers 401", async () => {
    const { client, env } = makeClient(h, "saas");
    await client.getOrder(1);
    await admin(h, "POST", "/__sandbox/faults", { queue: ["expireAuth"] });
    const order = await client.getOrder(5);
    expect(order.entityId).toBe(5);
    expect(env.calls.map((c) => `${c.label} ${c.status}`)).toEqual([
      "IMS token 200",
      "get order 1 200",
      "get order 5 401",
      "IMS token 200",
      "get order 5 200",
    ]);
  });

  it("SaaS: renews shortly before expires_in without waiting for a 401", async () => {
    const { client, env } = makeClient(h, "saas");
    await client.getOrder(1);
    h.clock.now = T0 + 86_399_000 - 299_000;
    await client.getOrder(1);
    expect(env.calls.map((c) => `${c.label} ${c.status}`)).toEqual(["IMS token 200", "get order 1 200", "IMS token 200", "get order 1 200"]);
  });

  it("SaaS: wrong client secret or missing scope fail the connection", async () => {
    const bad = makeClient(h, "saas", { secrets: { imsClientSecret: "nope-nope-nope" } });
    await expect(bad.client.getOrder(1)).rejects.toMatchObject({
      kind: "permanent",
      status: 401,
      code: "invalid_client",
      connectionHealth: "failing",
    });
    const noScope = makeClient(h, "saas", { config: { imsScopes: "openid,AdobeID" } });
    await expect(noScope.client.getOrder(1)).rejects.toMatchObject({ code: "invalid_scope", connectionHealth: "failing" });
    expect(noScope.env.calls).toHaveLength(0);
  });

  it("PaaS admin token: fetched once, renewed on 401, wrong password fails the connection", async () => {
    const { client, env } = makeClient(h, "adminToken");
    await client.getOrder(1);
    await client.getOrder(2);
    await admin(h, "POST", "/__sandbox/faults", { queue: ["expireAuth"] });
    await client.getOrder(3);
    expect(env.calls.map((c) => `${c.method} ${c.url.replace(h.server.url, "")} ${c.status}`)).toEqual([
      "POST /rest/default/V1/integration/admin/token 200",
      "GET /rest/default/V1/orders/1 200",
      "GET /rest/default/V1/orders/2 200",
      "GET /rest/default/V1/orders/3 401",
      "POST /rest/default/V1/integration/admin/token 200",
      "GET /rest/default/V1/orders/3 200",
    ]);
    expect(env.calls[0].requestBody).toBe('{"username":"finance.admin","password":"[redacted]"}');
    expect(env.calls[0].responseBody).toBe('"[redacted]"');
    const wrong = makeClient(h, "adminToken", { secrets: { adminPassword: "not-the-password" } });
    const error = await wrong.client.getOrder(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status: 401, connectionHealth: "failing" });
    expect((error as Error).message).toContain("The account sign-in was incorrect");
  });

  it("PaaS admin token: two-factor enforcement is reported as such; a lost token response is retryable", async () => {
    const tfa = makeClient(h, "adminToken", { config: { adminUsername: DEMO.twoFactorAdminUsername } });
    const error = await tfa.client.getOrder(1).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "permanent", code: "two_factor_required", connectionHealth: "failing", status: 401 });
    expect((error as Error).message).toContain("Please use the 2fa provider-specific endpoints to obtain a token.");

    const { client, env } = makeClient(h, "adminToken");
    await admin(h, "POST", "/__sandbox/faults", { queue: ["dropAfterWrite"] });
    const lost = await client.getOrder(1).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(RetryableError);
    expect(lost).toMatchObject({ outcomeUnknown: true });
    expect((await client.getOrder(1)).entityId).toBe(1);
    expect(env.calls.map((c) => `${c.label} ${c.status ?? "lost"}`)).toEqual(["admin token lost", "admin token 200", "get order 1 200"]);
  });

  it("429 with Retry-After and 5xx are retryable; 404 and 400 permanent with Magento's message", async () => {
    const { client } = makeClient(h, "oauth1");
    await admin(h, "POST", "/__sandbox/faults", { queue: ["rateLimit", "serverError"] });
    const limited = await client.getOrder(1).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryableError);
    expect(limited).toMatchObject({ status: 429, retryAfterMs: 2000, code: "rate_limited", outcomeUnknown: false });
    const broken = await client.getOrder(1).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(RetryableError);
    expect(broken).toMatchObject({ status: 500, outcomeUnknown: false });
    expect((broken as Error).message).toContain("Internal Error. Details are available in Magento log file");

    const missing = await client.transport.get("/customers/99").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PermanentError);
    expect(missing).toMatchObject({ status: 404, code: "not_found", connectionHealth: undefined });
    expect((missing as Error).message).toBe("Commerce GET /customers/99 failed (404): No such entity with customerId = 99");
    await expect(client.getOrder(999)).rejects.toMatchObject({ status: 404, code: "not_found" });

    const all = makeClient(h, "oauth1", { config: { baseUrl: `${h.server.url}/rest/all` } });
    const scope = await all.client.getOrder(1).catch((e: unknown) => e);
    expect(scope).toMatchObject({ kind: "permanent", status: 400, code: "bad_request" });
    expect((scope as Error).message).toContain("Cannot perform GET operation with store code 'all'");
    await expect(client.getOrder(-1)).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("pages to the end and stops on total_count (the sandbox repeats the last page past the end)", async () => {
    const { client, env } = makeClient(h, "oauth1", { config: { pageSize: 5 } });
    const all = await client.searchAllSales("order", { sortOrders: [{ field: "entity_id", direction: "ASC" }] });
    expect(all).toMatchObject({ totalCount: 36, pages: 8, complete: true });
    expect(all.items.map((o) => o.entity_id)).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
    expect(env.calls).toHaveLength(8);
    expect(env.calls[7].url).toContain("searchCriteria%5BpageSize%5D=5&searchCriteria%5BcurrentPage%5D=8");
    const capped = await client.searchAllSales("order", {}, { maxPages: 2 });
    expect(capped).toMatchObject({ pages: 2, complete: false, nextPage: 3 });
    expect(capped.items).toHaveLength(10);
  });

  it("adds the configured latency", async () => {
    const { client, env } = makeClient(h, "oauth1");
    await admin(h, "POST", "/__sandbox/faults", { latencyMs: 40 });
    await client.getOrder(1);
    expect(env.calls[0].durationMs).toBeGreaterThanOrEqual(35);
  });

  it("test connection reports the deployment for each auth mode and fails cleanly", async () => {
    for (const mode of ["oauth1", "adminToken", "saas"] as const) {
      const { client } = makeClient(h, mode);
      const result = await commerce.test(client);
      expect(result.ok).toBe(true);
      expect(result.details).toMatchObject({ deployment: mode === "saas" ? "saas" : "paas", orders: 36 });
    }
    const { client } = makeClient(h, "oauth1");
    expect((await commerce.test(client)).message).toBe(
      "Connected to Adobe Commerce / Magento 2 (PaaS, store view default); 36 orders visible (oauth1 auth)",
    );
    const bad = makeClient(h, "saas", { secrets: { imsClientSecret: "bad-secret-value" } });
    const failed = await commerce.test(bad.client);
    expect(failed.ok).toBe(false);
    expect(failed.message).toContain("Adobe IMS refused the client credentials");
  });
});
