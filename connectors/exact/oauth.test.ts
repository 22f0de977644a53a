import { request } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NeedsReviewError, PermanentError, RetryableError, memoryStateStore } from "../sdk";
import type { ExactConnectionState } from "./auth";
import { exact } from "./index";
import { DEMO } from "./sandbox";
import { REDIRECT_URI, T0, connect, connectedClient, makeEnv, resetHarness, setFaults, startHarness, tokenCalls, type Harness } from "./testkit";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(async () => resetHarness(h));

describe("authorization code flow", () => {
  it("builds the region's authorize URL", () => {
    const env = makeEnv(h);
    const url = new URL(exact.oauth!.authorizeUrl({ config: env.config, secrets: env.secrets, state: "s-1", redirectUri: REDIRECT_URI }));
    expect(`${url.origin}${url.pathname}`).toBe(`${h.server.url}/us/api/oauth2/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: DEMO.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      state: "s-1",
      force_login: "0",
    });
    const real = exact.oauth!.authorizeUrl({
      config: { region: "UK", division: 1, clientId: "abc" },
      secrets: env.secrets,
      state: "x",
      redirectUri: REDIRECT_URI,
    });
    expect(real.startsWith("https://start.exactonline.co.uk/api/oauth2/auth?client_id=abc&")).toBe(true);
  });

  it("connects end to end: authorize -> code -> exchangeCode -> API call", async () => {
    const env = makeEnv(h);
    await connect(env);
    const state = (await env.state.get<ExactConnectionState>())!;
    expect(state.endpoint).toBe(`${h.server.url}/us`);
    expect(state.accessExpiresAt).toBe(T0 + 600_000);
    expect(state.lastTokenRequestAt).toBe(T0);
    const client = exact.createClient(env);
    const result = await exact.test(client);
    expect(result.ok).toBe(true);
    expect(result.message).toBe(`Connected to Ledgerline Demo Inc. (division ${DEMO.usDivision}, USA) as Dana Fischer`);
    // The token exchange is logged with the tokens masked; the API calls carry no token either.
    const dump = JSON.stringify({ calls: env.calls, logs: env.logs });
    expect(dump).not.toContain(state.accessToken!);
    expect(dump).not.toContain(state.refreshToken!);
    expect(dump).not.toContain(DEMO.clientSecret);
    expect(env.calls.map((c) => c.url)).toEqual([
      `${h.server.url}/us/api/v1/current/Me?$select=UserID%2CFullName%2CEmail%2CCurrentDivision`,
      `${h.server.url}/us/api/v1/${DEMO.usDivision}/system/Divisions?$filter=Code%20eq%20${DEMO.usDivision}&$select=Code%2CDescription%2CCountry%2CCurrency`,
    ]);
    expect(env.calls[0].requestHeaders.authorization).toBe("[redacted]");
  });

  it("refuses a code used twice", async () => {
    const env = makeEnv(h);
    const { code } = await connect(env);
    const again = makeEnv(h);
    const error = await exact.oauth!.exchangeCode(again, { code, redirectUri: REDIRECT_URI }).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain("Authorization code has already been used");
  });

  it("rejects a custom base URL that is not a local sandbox", () => {
    const parsed = exact.config.safeParse({ region: "NL", division: 1, clientId: "x", baseUrl: "https://evil.example.com" });
    expect(parsed.success).toBe(false);
    expect(exact.config.safeParse({ region: "NL", division: 1, clientId: "x", baseUrl: "http://localhost:4103" }).success).toBe(true);
    expect(exact.config.safeParse({ region: "XX", division: 1, clientId: "x" }).success).toBe(false);
  });
});

describe("token refresh", () => {
  it("refreshes 30 s before expiry and persists the rotated pair before use", async () => {
    const { env, client } = await connectedClient(h);
    const first = (await env.state.get<ExactConnectionState>())!;
    h.clock.t = T0 + 575_000;
    await client.me();
    const second = (await env.state.get<ExactConnectionState>())!;
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessExpiresAt).toBe(T0 + 575_000 + 600_000);
    expect(second.lastTokenRequestAt).toBe(T0 + 575_000);
    expect(await tokenCalls(h)).toBe(2);
  });

  it("two clients sharing one state store refresh exactly once", async () => {
    const state = memoryStateStore();
    const a = makeEnv(h, { state });
    await connect(a);
    const b = makeEnv(h, { state });
    const clientA = exact.createClient(a);
    const clientB = exact.createClient(b);
    h.clock.t = T0 + 590_000;
    const [meA, meB] = await Promise.all([clientA.me(), clientB.me()]);
    expect(meA.Email).toBe(DEMO.user.email);
    expect(meB.Email).toBe(DEMO.user.email);
    expect(await tokenCalls(h)).toBe(2); // the code exchange and one refresh
    const refreshes = [...a.logs, ...b.logs].filter((l) => (l.data as { label?: string } | undefined)?.label === "oauth2 token (refresh)");
    expect(refreshes).toHaveLength(1);
  });

  it("never asks for a token within 570 s of the previous request", async () => {
    const { env, client } = await connectedClient(h);
    h.clock.t = T0 + 100_000;
    await setFaults(h, { queue: ["expireAuth"] });
    const error = await client.me().catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.code).toBe("token_interval");
    expect(error.retryAfterMs).toBe(470_000);
    expect(await tokenCalls(h)).toBe(1);
    h.clock.t = T0 + 570_000;
    const me = await client.me();
    expect(me.CurrentDivision).toBe(DEMO.usDivision);
    expect(await tokenCalls(h)).toBe(2);
    expect(env.calls.filter((c) => c.status === 401)).toHaveLength(1);
  });

  it("marks the connection for reconnection when the refresh token was already used", async () => {
    const { env, client } = await connectedClient(h);
    const stale = structuredClone(await env.state.get<ExactConnectionState>());
    h.clock.t = T0 + 580_000;
    await client.me(); // rotates, and uses the new pair
    // A copy of the old state (a restored backup, another installation) tries to refresh.
    const old = makeEnv(h, { state: memoryStateStore(stale) });
    h.clock.t = T0 + 580_000 + 600_000;
    const error = await exact.createClient(old).me().catch((e) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect(error.reasonCode).toBe("reconnect_required");
    expect(error.connectionHealth).toBe("needs_reconnect");
    expect(error.message).toContain("Old refresh token used");
    const marked = (await old.state.get<ExactConnectionState>())!;
    expect(marked.reconnect?.reason).toContain("Old refresh token used");
    // From now on nothing is sent: the run parks until someone reconnects.
    const callsBefore = old.calls.length;
    const again = await exact.createClient(old).me().catch((e) => e);
    expect(again).toBeInstanceOf(NeedsReviewError);
    expect(old.calls.length).toBe(callsBefore);
    // Reconnecting clears the mark.
    await connect(old, "csrf-2");
    expect((await old.state.get<ExactConnectionState>())!.reconnect).toBeUndefined();
    expect((await exact.createClient(old).me()).Email).toBe(DEMO.user.email);
  });

  it("marks the connection for reconnection when the refresh token expired", async () => {
    const { env, client } = await connectedClient(h);
    h.clock.t = T0 + 31 * 86_400_000;
    const error = await client.me().catch((e) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect(error.reasonCode).toBe("reconnect_required");
    expect(error.message).toContain("refresh token expired");
    expect((await env.state.get<ExactConnectionState>())!.reconnect).toBeDefined();
  });

  it("asks to connect when no tokens are stored", async () => {
    const env = makeEnv(h);
    const error = await exact.createClient(env).me().catch((e) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect(error.message).toContain("use Connect");
    expect(env.calls).toHaveLength(0);
    const result = await exact.test(exact.createClient(env));
    expect(result.ok).toBe(false);
  });

  it("stops at the daily token-call limit with a retryable error", async () => {
    const { client } = await connectedClient(h);
    h.sandbox.world.settings.tokenDailyLimit = 1;
    h.clock.t = T0 + 580_000;
    const error = await client.me().catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(Date.parse("2026-03-17T00:00:00Z") - h.clock.t);
  });
});

describe("regions", () => {
  it("keeps tokens to their region", async () => {
    const { env } = await connectedClient(h);
    const token = (await env.state.get<ExactConnectionState>())!.accessToken!;
    const own = await fetch(`${h.server.url}/us/api/v1/current/Me`, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
    expect(own.status).toBe(200);
    const other = await fetch(`${h.server.url}/nl/api/v1/current/Me`, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });
    expect(other.status).toBe(401);
    expect(await other.json()).toEqual({
      error: { code: "", message: { lang: "", value: "Unauthorized: the access token is missing, unknown in this region, or expired" } },
    });
  });

  it("serves each region its own divisions, and refuses a switched region without a call", async () => {
    const { client: nl } = await connectedClient(h, { region: "NL" });
    expect((await exact.test(nl)).message).toBe(`Connected to Ledgerline Demo B.V. (division ${DEMO.divisions.NL}, Netherlands) as Dana Fischer`);
    const { env } = await connectedClient(h, { region: "US" });
    const moved = makeEnv(h, { region: "DE", state: env.state });
    const error = await exact.createClient(moved).me().catch((e) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect(error.message).toContain("tokens are valid in one region only");
    expect(moved.calls).toHaveLength(0);
  });

  it("answers by host name too", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.server.url}/api/v1/current/Me`, { headers: { host: "start.exactonline.de" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(401);
    const unknown = await fetch(`${h.server.url}/xx/api/v1/current/Me`);
    expect(unknown.status).toBe(404);
  });
});
