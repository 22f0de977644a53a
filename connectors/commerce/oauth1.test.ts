import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PermanentError } from "../sdk";
import { hmacSha256Signature, oauth1Header, rfc3986, signatureBaseString, signedQueryPairs, strnatcmp } from "./oauth1";
import { DEMO } from "./sandbox";
import { searchCriteriaPairs, toQueryString, type SearchFilter } from "./search-criteria";
import { makeClient, startHarness, type Harness } from "./testkit";

const creds = { consumerKey: DEMO.consumerKey, consumerSecret: DEMO.consumerSecret, token: DEMO.accessToken, tokenSecret: DEMO.accessTokenSecret };

describe("OAuth 1.0a signing (pure)", () => {
  it("sorts like PHP strnatcmp", () => {
    expect(["img12.png", "img10.png", "img2.png", "img1.png"].sort(strnatcmp)).toEqual(["img1.png", "img2.png", "img10.png", "img12.png"]);
    expect(strnatcmp("a%5B10%5D", "a%5B2%5D")).toBe(1);
    expect(strnatcmp("a%5B2%5D", "a%5B10%5D")).toBe(-1);
    expect(strnatcmp("x01", "x1")).toBe(-1);
    expect(strnatcmp("oauth_nonce", "oauth_nonce")).toBe(0);
    expect(strnatcmp("B", "a")).toBe(-1);
    // Byte order would put [10] first; Magento does not.
    expect(["k%5B10%5D", "k%5B2%5D"].sort()).toEqual(["k%5B10%5D", "k%5B2%5D"]);
    expect(["k%5B10%5D", "k%5B2%5D"].sort(strnatcmp)).toEqual(["k%5B2%5D", "k%5B10%5D"]);
  });

  it("encodes like rawurlencode and reads the query like Magento", () => {
    expect(rfc3986("a b+c~d*e!'()")).toBe("a%20b%2Bc~d%2Ae%21%27%28%29");
    expect(signedQueryPairs("?a%5B0%5D=x+y&b=1=2&oauth_x=3&c=%2B")).toEqual([
      ["a[0]", "x y"],
      ["c", "+"],
    ]);
  });

  it("builds the exact base string: query pairs included, default port dropped, natural order", () => {
    const url = new URL(
      `https://shop.example.com:443/rest/default/V1/orders?${toQueryString(
        searchCriteriaPairs({ filterGroups: [[{ field: "updated_at", value: "2026-01-01 00:00:00", conditionType: "gteq" }]], pageSize: 5 }),
      )}`,
    );
    const base = signatureBaseString("get", url, [
      ["oauth_consumer_key", "ck"],
      ["oauth_nonce", "n1"],
      ["oauth_signature_method", "HMAC-SHA256"],
      ["oauth_timestamp", "1700000000"],
      ["oauth_token", "tk"],
      ["oauth_version", "1.0"],
      ...signedQueryPairs(url.search),
    ]);
    expect(base).toBe(
      "GET&https%3A%2F%2Fshop.example.com%2Frest%2Fdefault%2FV1%2Forders&" +
        "oauth_consumer_key%3Dck%26oauth_nonce%3Dn1%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1700000000%26oauth_token%3Dtk%26oauth_version%3D1.0%26" +
        "searchCriteria%255Bfilter_groups%255D%255B0%255D%255Bfilters%255D%255B0%255D%255Bcondition_type%255D%3Dgteq%26" +
        "searchCriteria%255Bfilter_groups%255D%255B0%255D%255Bfilters%255D%255B0%255D%255Bfield%255D%3Dupdated_at%26" +
        "searchCriteria%255Bfilter_groups%255D%255B0%255D%255Bfilters%255D%255B0%255D%255Bvalue%255D%3D2026-01-01%252000%253A00%253A00%26" +
        "searchCriteria%255BpageSize%255D%3D5",
    );
    expect(hmacSha256Signature(base, "cs", "ts")).toBe(createHmac("sha256", "cs&ts").update(base).digest("base64"));
  });
});

describe("OAuth 1.0a against the sandbox's Magento verifier", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const ordersUrl = () => `${h.server.url}/rest/default/V1/orders`;

  it("signs a plain GET; the call is recorded with the exact URL and a redacted Authorization", async () => {
    const { client, env } = makeClient(h, "oauth1");
    const order = await client.getOrder(3);
    expect(order.incrementId).toBe("000000003");
    expect(env.calls).toHaveLength(1);
    expect(env.calls[0]).toMatchObject({ method: "GET", url: `${h.server.url}/rest/default/V1/orders/3`, status: 200 });
    expect(env.calls[0].requestHeaders).toEqual({ accept: "application/json", authorization: "[redacted]" });
    expect(JSON.stringify(env.calls)).not.toContain(DEMO.consumerSecret);
  });

  it("signs searchCriteria with brackets, spaces and twelve filter groups ([10] after [2])", async () => {
    const { client, env } = makeClient(h, "oauth1");
    const groups: SearchFilter[][] = Array.from({ length: 12 }, (_, i) => [{ field: "entity_id", value: String(i === 11 ? 30 : 1), conditionType: "gteq" }]);
    groups.push([{ field: "created_at", value: "2020-01-01 00:00:00", conditionType: "gt" }]);
    const page = await client.searchSales("order", {
      filterGroups: groups,
      sortOrders: [{ field: "entity_id", direction: "DESC" }],
      pageSize: 4,
      currentPage: 1,
    });
    expect(page.total_count).toBe(7);
    expect(page.items.map((o) => o.entity_id)).toEqual([36, 35, 34, 33]);
    expect(env.calls[0].url).toContain("searchCriteria%5Bfilter_groups%5D%5B10%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=entity_id");
    expect(env.calls[0].url).toContain("%5Bvalue%5D=2020-01-01%2000%3A00%3A00");
  });

  it("refuses a signature sorted in byte order, a tampered query and a tampered signature", async () => {
    const query = toQueryString(
      searchCriteriaPairs({ filterGroups: Array.from({ length: 11 }, () => [{ field: "entity_id", value: "1", conditionType: "gteq" as const }]), pageSize: 1 }),
    );
    const url = `${ordersUrl()}?${query}`;
    const timestamp = h.clock.now;

    // Byte-order signer (the classic mistake).
    const oauth = {
      oauth_consumer_key: DEMO.consumerKey,
      oauth_nonce: "byteorder-nonce-1",
      oauth_signature_method: "HMAC-SHA256",
      oauth_timestamp: String(Math.floor(timestamp / 1000)),
      oauth_token: DEMO.accessToken,
      oauth_version: "1.0",
    };
    const pairs = [...Object.entries(oauth), ...signedQueryPairs(new URL(url).search)].map(([k, v]) => [rfc3986(k), rfc3986(v)]);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const base = `GET&${rfc3986(ordersUrl())}&${rfc3986(pairs.map(([k, v]) => `${k}=${v}`).join("&"))}`;
    const naive = `OAuth ${Object.entries({ ...oauth, oauth_signature: hmacSha256Signature(base, DEMO.consumerSecret, DEMO.accessTokenSecret) })
      .map(([k, v]) => `${k}="${rfc3986(v)}"`)
      .join(",")}`;
    const naiveRes = await fetch(url, { headers: { authorization: naive } });
    expect(naiveRes.status).toBe(401);
    expect(await naiveRes.json()).toEqual({ message: "The signature is invalid. Verify and try again." });

    // The same request signed our way is accepted.
    const good = oauth1Header(creds, { method: "GET", url }, { timestamp, nonce: "natural-nonce-1" });
    const goodRes = await fetch(url, { headers: { authorization: good } });
    expect(goodRes.status).toBe(200);

    // Tampered query: signed for pageSize=1, sent with pageSize=2.
    const signed = oauth1Header(creds, { method: "GET", url }, { timestamp, nonce: "tamper-nonce-1" });
    const tampered = await fetch(url.replace("searchCriteria%5BpageSize%5D=1", "searchCriteria%5BpageSize%5D=2"), { headers: { authorization: signed } });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toEqual({ message: "The signature is invalid. Verify and try again." });

    // Tampered signature.
    const forged = oauth1Header(creds, { method: "GET", url }, { timestamp, nonce: "tamper-nonce-2" }).replace(/oauth_signature="([^"]{4})/, 'oauth_signature="AAAA');
    expect((await fetch(url, { headers: { authorization: forged } })).status).toBe(401);
  });

  it("signs form bodies but never JSON bodies, as Magento does", async () => {
    const url = `${ordersUrl()}/1/comments`;
    const json = JSON.stringify({ statusHistory: { comment: "paid", is_customer_notified: 0 } });
    const jsonAuth = oauth1Header(creds, { method: "POST", url }, { timestamp: h.clock.now });
    const jsonRes = await fetch(url, { method: "POST", headers: { authorization: jsonAuth, "content-type": "application/json" }, body: json });
    // Authenticated (the sandbox has no write routes), so Magento's unknown-route answer.
    expect(jsonRes.status).toBe(404);
    expect(await jsonRes.json()).toEqual({ message: "Request does not match any route." });

    const form = new URLSearchParams({ comment: "paid in full" });
    const unsignedForm = oauth1Header(creds, { method: "POST", url }, { timestamp: h.clock.now });
    const formHeaders = { "content-type": "application/x-www-form-urlencoded" };
    expect((await fetch(url, { method: "POST", headers: { ...formHeaders, authorization: unsignedForm }, body: form.toString() })).status).toBe(401);
    const signedForm = oauth1Header(creds, { method: "POST", url, formBody: form }, { timestamp: h.clock.now });
    expect((await fetch(url, { method: "POST", headers: { ...formHeaders, authorization: signedForm }, body: form.toString() })).status).toBe(404);
  });

  it("refuses a reused nonce (Magento's message, placeholder filled) and marks the connection failing", async () => {
    const url = `${ordersUrl()}/1`;
    const header1 = oauth1Header(creds, { method: "GET", url }, { timestamp: h.clock.now, nonce: "reused-nonce-42" });
    expect((await fetch(url, { headers: { authorization: header1 } })).status).toBe(200);
    const again = await fetch(url, { headers: { authorization: header1 } });
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ message: "The nonce is already being used by the consumer with ID %1", parameters: ["1"] });
  });

  it("classifies bad integration credentials as a failing connection, without leaking secrets", async () => {
    const { client } = makeClient(h, "oauth1", { secrets: { accessTokenSecret: "wrong-secret-wrong-secret-000000" } });
    const error = await client.getOrder(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status: 401, connectionHealth: "failing", system: "commerce" });
    expect((error as Error).message).toContain("The signature is invalid. Verify and try again.");
    expect(JSON.stringify((error as PermanentError).toJSON())).not.toContain("wrong-secret-wrong-secret");
  });

  it("refuses a timestamp more than 600 s in the future", async () => {
    const url = `${ordersUrl()}/1`;
    const header1 = oauth1Header(creds, { method: "GET", url }, { timestamp: h.clock.now + 700_000 });
    const res = await fetch(url, { headers: { authorization: header1 } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: "Incorrect timestamp value in the oauth_timestamp parameter" });
  });

  it("reports missing integration credentials before calling", async () => {
    const { client, env } = makeClient(h, "oauth1", { secrets: { consumerSecret: undefined } });
    await expect(client.getOrder(1)).rejects.toMatchObject({ code: "missing_credentials", connectionHealth: "failing" });
    expect(env.calls).toHaveLength(0);
  });
});
