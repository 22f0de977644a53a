/**
 * Several divisions behind one Exact connection, on the wire: current/Me and system/Divisions as
 * Exact shapes them, per-division limits in each division's X-RateLimit-* headers and 429s, the
 * client routed per division on one token pair, and the sandbox's per-call latency.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NeedsReviewError, RetryableError } from "../sdk";
import { exact } from "./index";
import { DEMO } from "./sandbox";
import { admin, connect, makeEnv, resetHarness, sandboxState, setFaults, startHarness, type Harness } from "./testkit";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(async () => resetHarness(h));

const [EAST, WEST] = [DEMO.usDivision, DEMO.usSecondDivision];

async function connected(divisions?: number[]) {
  const env = makeEnv(h);
  if (divisions) (env.config as { divisions?: number[] }).divisions = divisions;
  await connect(env);
  const token = (await env.state.get<{ accessToken: string }>())!.accessToken;
  return { env, client: exact.createClient(env), token };
}

const get = (token: string, path: string) =>
  fetch(`${h.server.url}/us/api/v1/${path}`, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } });

describe("divisions on the wire", () => {
  it("current/Me names the current division and system/Divisions lists the user's divisions", async () => {
    const { token } = await connected();
    const me = await (await get(token, "current/Me?$select=UserID,CurrentDivision")).json();
    expect(me.d.results[0]).toMatchObject({ CurrentDivision: EAST, __metadata: { type: "Exact.Web.Api.System.Me" } });
    const response = await get(token, `${EAST}/system/Divisions?$select=Code,Description,Current`);
    const rows = (await response.json()).d.results;
    expect(rows.map((r: { Code: number; Current: boolean }) => [r.Code, r.Current])).toEqual([
      [EAST, true],
      [WEST, false],
    ]);
    expect(rows[1].Description).toBe("Ledgerline Demo West Inc.");
    expect(rows[1].__metadata.uri).toBe(`${h.server.url}/us/api/v1/${EAST}/system/Divisions(${WEST})`);
    // Still no access to the licence's third division.
    expect((await get(token, `${DEMO.forbiddenDivision}/financial/Journals?$select=Code`)).status).toBe(403);
  });

  it("sends each division's own minutely limit in its headers and answers 429 in that division only", async () => {
    const { token } = await connected();
    expect(await admin(h, "limits", { division: WEST, minutely: 2 })).toEqual({ division: WEST, limits: { minutely: 2 } });
    const first = await get(token, `${WEST}/financial/Journals?$select=Code`);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-minutely-limit")).toBe("2");
    expect(first.headers.get("x-ratelimit-minutely-remaining")).toBe("1");
    expect(first.headers.get("x-ratelimit-minutely-reset")).toBe(String(h.clock.t + 60_000));
    expect(first.headers.get("x-ratelimit-remaining")).toBe("4999");
    expect((await get(token, `${WEST}/financial/Journals?$select=Code`)).status).toBe(200);
    const refused = await get(token, `${WEST}/financial/Journals?$select=Code`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-ratelimit-minutely-remaining")).toBe("0");
    expect(refused.headers.get("x-ratelimit-remaining")).toBeNull(); // only the limit that was hit
    expect(await refused.json()).toEqual({ error: { code: "", message: { lang: "", value: "Too many requests: minutely API limit reached" } } });
    const east = await get(token, `${EAST}/financial/Journals?$select=Code`);
    expect(east.status).toBe(200);
    expect(east.headers.get("x-ratelimit-minutely-limit")).toBe("100000");
    const state = await sandboxState(h);
    const west = state.regions.us.divisions.find((d: { code: number }) => d.code === WEST);
    expect(Object.values(west.rate)).toEqual([{ minute: 2, day: 2, refused: 1 }]);
    expect(west.limits).toEqual({ minutely: 2 });
  });

  it("refuses a bad limit with Exact's error envelope", async () => {
    const response = await fetch(`${h.server.url}/__sandbox/limits`, { method: "POST", body: JSON.stringify({ division: WEST, minutely: 0 }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "", message: { lang: "", value: "minutely must be a positive integer" } } });
  });

  it("delays each API call by the configured latency", async () => {
    const { token } = await connected();
    await setFaults(h, { latencyMs: 50 });
    const started = performance.now();
    expect((await get(token, `${EAST}/financial/Journals?$select=Code`)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(48);
  });
});

describe("the client per division", () => {
  it("posts a journal entry in the division it is routed to, with the connection's one token pair", async () => {
    const { client, env } = await connected([WEST]);
    expect(client.divisions).toEqual([EAST, WEST]);
    const west = client.forDivision(WEST);
    expect(west.division).toBe(WEST);
    expect(client.forDivision(undefined)).toBe(client);
    const gl = (await west.listGLAccounts()).find((a) => a.Code === "4100")!;
    const entry = await west.createGeneralJournalEntry({
      journalCode: "90",
      lines: [
        { glAccount: gl.ID!, amount: 12.34, date: "2026-03-05", notes: "division-routing" },
        { glAccount: gl.ID!, amount: -12.34, date: "2026-03-05", notes: "division-routing" },
      ],
    });
    expect(entry.lines).toHaveLength(2);
    const state = await sandboxState(h);
    const entriesIn = (code: number) =>
      state.regions.us.divisions.find((d: { code: number }) => d.code === code).journalEntries.filter((e: { lines: { Notes?: string }[] }) => e.lines[0]?.Notes === "division-routing");
    expect(entriesIn(WEST)).toHaveLength(1);
    expect(entriesIn(EAST)).toHaveLength(0);
    expect(env.calls.some((c) => c.url.includes(`/api/v1/${WEST}/generaljournalentry/GeneralJournalEntries`))).toBe(true);
    expect(state.regions.us.tokens.issuedPairs).toBe(1);
  });

  it("sends a division the connection does not list to review", async () => {
    const { client } = await connected();
    expect(() => client.forDivision(WEST)).toThrow(NeedsReviewError);
    expect(() => client.forDivision(WEST)).toThrow(`Division ${WEST} is not served by this Exact connection (it serves ${EAST})`);
  });

  it("keeps the limits per division: a spent division waits, the other one goes on", async () => {
    const { client } = await connected([WEST]);
    await admin(h, "limits", { division: WEST, minutely: 1 });
    const west = client.forDivision(WEST);
    await west.listJournals();
    const waiting = await west.listJournals().catch((e) => e);
    expect(waiting).toBeInstanceOf(RetryableError);
    expect(waiting).toMatchObject({ code: "rate_limit", retryAfterMs: 60_000 });
    expect(waiting.message).toContain(`division ${WEST}`);
    expect((await client.listJournals()).length).toBeGreaterThan(0);
  });
});
