/**
 * Probabilistic, seeded fault settings of the sandboxes, over the wire: the same seed gives the
 * same faults, the rates give their shares, injected 429s carry the configured Retry-After,
 * sessions and tokens end every `expireAuthEveryMs`, bad settings are refused; and the Intacct
 * sandbox's sales transactions entered as a user are found by the gateway's own queries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox as createAvalara } from "./avalara/sandbox";
import { DEMO as AVALARA } from "./avalara/sandbox/seed";
import { createSandbox as createCommerce } from "./commerce/sandbox";
import { createSandbox as createExact, DEMO as EXACT } from "./exact/sandbox";
import { createSandbox as createIntacct, DEMO as INTACCT } from "./intacct/sandbox";
import { nextFault, noFaults, type SandboxServer } from "./sdk";

const servers: SandboxServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(sandbox: { listen(port?: number): Promise<SandboxServer> }): Promise<SandboxServer> {
  const server = await sandbox.listen(0);
  servers.push(server);
  return server;
}

const post = (url: string, body: unknown) => fetch(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

describe("fault settings (shared plumbing)", () => {
  it("draws the rates from one number: 20% rate limits, 5% server errors, 2% lost writes, and nothing else", () => {
    const faults = { ...noFaults(), rateLimitRate: 0.2, serverErrorRate: 0.05, dropAfterWriteRate: 0.02, seed: 7 };
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const fault = nextFault(faults, true) ?? "none";
      counts[fault] = (counts[fault] ?? 0) + 1;
    }
    expect(counts.rateLimit! / 20_000).toBeCloseTo(0.2, 1);
    expect(counts.serverError! / 20_000).toBeGreaterThan(0.04);
    expect(counts.serverError! / 20_000).toBeLessThan(0.06);
    expect(counts.dropAfterWrite! / 20_000).toBeGreaterThan(0.014);
    expect(counts.dropAfterWrite! / 20_000).toBeLessThan(0.026);
    expect(Object.keys(counts).sort()).toEqual(["dropAfterWrite", "none", "rateLimit", "serverError"]);
    // Reads never lose their answer.
    const reads = { ...noFaults(), dropAfterWriteRate: 1 };
    expect(nextFault(reads, false)).toBeUndefined();
  });

  it("the same seed gives the same faults over HTTP, and setting the faults again starts the sequence over", async () => {
    const statuses = async (url: string) => {
      const out: number[] = [];
      for (let i = 0; i < 40; i++) {
        const res = await fetch(`${url}/api/v2/companies/DEFAULT/transactions/NO-SUCH-DOC`, { headers: { authorization: `Basic ${Buffer.from(`${AVALARA.accountId}:${AVALARA.licenseKey}`).toString("base64")}` } });
        await res.arrayBuffer();
        out.push(res.status);
      }
      return out;
    };
    const a = await serve(createAvalara());
    const b = await serve(createAvalara());
    const settings = { rateLimitRate: 0.3, serverErrorRate: 0.2, seed: 42, retryAfterSeconds: 1 };
    expect((await post(`${a.url}/__sandbox/faults`, settings)).status).toBe(200);
    expect((await post(`${b.url}/__sandbox/faults`, settings)).status).toBe(200);
    const first = await statuses(a.url);
    expect(await statuses(b.url)).toEqual(first);
    expect(first.filter((s) => s === 429).length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 500).length).toBeGreaterThan(1);
    expect(first.filter((s) => s === 404).length).toBeGreaterThan(10);
    await post(`${a.url}/__sandbox/faults`, settings);
    expect(await statuses(a.url)).toEqual(first);
    const state = (await (await fetch(`${a.url}/__sandbox/state`)).json()) as { faults: Record<string, unknown> };
    expect(state.faults).toMatchObject({ seed: 42, rateLimitRate: 0.3, serverErrorRate: 0.2 });
  });

  it("refuses settings that make no sense, with the reason, and keeps the previous ones", async () => {
    const server = await serve(createCommerce());
    await post(`${server.url}/__sandbox/faults`, { rateLimitRate: 0.1 });
    const cases: Array<[unknown, string]> = [
      [{ rateLimitRate: 1.5 }, "rateLimitRate must be a number from 0 to 1"],
      [{ rateLimitRate: 0.6, serverErrorRate: 0.5 }, "must be at most 1"],
      [{ queue: ["meteorStrike"] }, "queue must be a list of"],
      [{ seed: 1.5 }, "seed must be an integer"],
      [{ expireAuthEveryMs: 0 }, "expireAuthEveryMs must be a number from 1"],
      [[1, 2], "faults must be a JSON object"],
    ];
    for (const [body, message] of cases) {
      const res = await post(`${server.url}/__sandbox/faults`, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(message);
    }
    const state = (await (await fetch(`${server.url}/__sandbox/state`)).json()) as { faults: Record<string, unknown> };
    expect(state.faults).toMatchObject({ rateLimitRate: 0.1, serverErrorRate: 0 });
  });
});

describe("Exact Online sandbox", () => {
  let server: SandboxServer;
  const clock = { t: Date.parse("2026-03-16T09:00:00Z") };
  let access = "";
  let refresh = "";
  const base = () => `${server.url}/us`;
  const me = () => fetch(`${base()}/api/v1/${EXACT.divisions.US}/financial/GLAccounts?$top=1`, { headers: { authorization: `Bearer ${access}`, accept: "application/json" } });

  beforeAll(async () => {
    const sandbox = createExact({ now: () => clock.t });
    sandbox.world.settings.minutelyLimit = 100_000;
    server = await serve(sandbox);
    const redirect = "https://app.ledgerline.example/api/oauth/callback";
    const auth = await fetch(`${base()}/api/oauth2/auth?client_id=${EXACT.clientId}&redirect_uri=${encodeURIComponent(redirect)}&response_type=code&state=s1`, { redirect: "manual" });
    const code = new URL(auth.headers.get("location")!).searchParams.get("code")!;
    const token = await fetch(`${base()}/api/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirect, client_id: EXACT.clientId, client_secret: EXACT.clientSecret }),
    });
    ({ access_token: access, refresh_token: refresh } = (await token.json()) as { access_token: string; refresh_token: string });
  });

  it("answers an injected rate limit with the configured Retry-After and leaves the minute's budget alone", async () => {
    await post(`${server.url}/__sandbox/faults`, { queue: ["rateLimit"], retryAfterSeconds: 2 });
    const limited = await me();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(Number(limited.headers.get("x-ratelimit-minutely-remaining"))).toBeGreaterThan(0);
    expect((await me()).status).toBe(200);
  });

  // Exact refuses a refresh within 570 s of the previous token (and the client never asks earlier),
  // so an Exact token ends at most that often whatever the setting; the chaos bench leaves Exact's on its 10 minutes.
  it("ends the access token every expireAuthEveryMs: the next call gets 401 and a refresh after Exact's interval works", async () => {
    await post(`${server.url}/__sandbox/faults`, { expireAuthEveryMs: 300_000 });
    expect((await me()).status).toBe(200);
    clock.t += 250_000;
    expect((await me()).status).toBe(200);
    clock.t += 60_000;
    const expired = await me();
    expect(expired.status).toBe(401);
    expect((await me()).status).toBe(401);
    clock.t += 270_000;
    const token = await fetch(`${base()}/api/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refresh, client_id: EXACT.clientId, client_secret: EXACT.clientSecret }),
    });
    expect(token.status).toBe(200);
    ({ access_token: access, refresh_token: refresh } = (await token.json()) as { access_token: string; refresh_token: string });
    expect((await me()).status).toBe(200);
  });
});

describe("Sage Intacct sandbox", () => {
  let server: SandboxServer;
  const clock = { t: Date.UTC(2026, 5, 30, 12) };
  const envelope = (auth: string, fn: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${INTACCT.senderId}</senderid><password>${INTACCT.senderPassword}</password>` +
    `<controlid>c-${Math.random()}</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>` +
    `<operation><authentication>${auth}</authentication><content><function controlid="f1">${fn}</function></content></operation></request>`;
  const login = `<login><userid>${INTACCT.userId}</userid><companyid>${INTACCT.companyId}</companyid><password>${INTACCT.userPassword}</password></login>`;
  const gateway = async (auth: string, fn: string) => {
    const res = await fetch(`${server.url}/ia/xml/xmlgw.phtml`, { method: "POST", headers: { "content-type": "application/xml" }, body: envelope(auth, fn) });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const session = async () => /<sessionid>([^<]+)<\/sessionid>/.exec((await gateway(login, "<getAPISession/>")).text)![1]!;

  beforeAll(async () => {
    server = await serve(createIntacct({ now: () => clock.t }));
  });

  it("answers an injected rate limit with the configured Retry-After", async () => {
    await post(`${server.url}/__sandbox/faults`, { queue: ["rateLimit"], retryAfterSeconds: 3 });
    const limited = await gateway(login, "<getAPISession/>");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
  });

  it("ends the session every expireAuthEveryMs, though it is in use (a sliding session would never end)", async () => {
    await post(`${server.url}/__sandbox/faults`, { expireAuthEveryMs: 120_000 });
    const id = await session();
    const read = () => gateway(`<sessionid>${id}</sessionid>`, "<readByQuery><object>CUSTOMER</object><fields>CUSTOMERID</fields><query></query><pagesize>1</pagesize></readByQuery>");
    expect((await read()).text).toContain("<status>success</status>");
    clock.t += 110_000;
    expect((await read()).text).toContain("<status>success</status>");
    clock.t += 11_000;
    const expired = await read();
    expect(expired.text).toContain("Invalid session");
    expect((await read()).text).toContain("Invalid session");
    expect(await session()).not.toBe(id);
  });

  it("a sales transaction entered as a user is a posted Sales Invoice the gateway's queries return, with its AR invoice", async () => {
    await post(`${server.url}/__sandbox/faults`, {});
    const res = await post(`${server.url}/__sandbox/sales-transactions`, { customerId: "C300", lines: [{ itemId: "HW-ROUTER", quantity: 2 }, { itemId: "SVC-IMPL", quantity: 3 }] });
    expect(res.status).toBe(200);
    const so = (await res.json()) as Record<string, string>;
    expect(so).toMatchObject({ DOCPARID: "Sales Invoice", STATE: "Pending", CUSTVENDID: "C300", TOTAL: "2324.98" });
    const id = await session();
    const found = await gateway(
      `<sessionid>${id}</sessionid>`,
      `<readByQuery><object>SODOCUMENT</object><docparid>Sales Invoice</docparid><fields>DOCID,TOTAL,STATE</fields><query>DOCID = '${so.DOCID}'</query><pagesize>10</pagesize></readByQuery>`,
    );
    expect(found.text).toContain(`<DOCID>${so.DOCID}</DOCID>`);
    expect(found.text).toContain("<TOTAL>2324.98</TOTAL>");
    const ar = await gateway(`<sessionid>${id}</sessionid>`, `<readByQuery><object>ARINVOICE</object><fields>RECORDID,TOTALENTERED</fields><query>RECORDID = '${so.DOCNO}'</query><pagesize>10</pagesize></readByQuery>`);
    expect(ar.text).toContain("<TOTALENTERED>2324.98</TOTALENTERED>");
    const bad = await post(`${server.url}/__sandbox/sales-transactions`, { customerId: "C999", lines: [{ itemId: "SW-STD", quantity: 1 }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe("no customer C999");
    const empty = await post(`${server.url}/__sandbox/sales-transactions`, { customerId: "C100", lines: [] });
    expect(empty.status).toBe(400);
  });
});

describe("Adobe Commerce sandbox", () => {
  it("answers an injected rate limit with the configured Retry-After", async () => {
    const server = await serve(createCommerce());
    await post(`${server.url}/__sandbox/faults`, { queue: ["rateLimit"], retryAfterSeconds: 1 });
    const res = await fetch(`${server.url}/rest/default/V1/orders?searchCriteria[pageSize]=1`);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
  });
});
