/**
 * A division's chart of accounts and currency from the reference cache, against the sandbox:
 * runs of one connection read them once, another connection reads its own, an account added
 * since is found by a fresh read, and an account blocked since sends the entry to review.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NeedsReviewError } from "../sdk";
import { exact } from "./index";
import { DEMO } from "./sandbox";
import { connect, makeEnv, resetHarness, sandboxState, startHarness, type Env, type Harness } from "./testkit";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(async () => resetHarness(h));

const D = DEMO.usDivision;
const division = () => h.sandbox.world.regions.get("us")!.divisions.get(D)!;

/** A connection of its own (the cache is per connection), and a client per run as the engine makes them. */
async function connection(signedIn?: { env: Env }) {
  const env = makeEnv(h, { state: signedIn?.env.state });
  env.connectionId = randomUUID();
  if (!signedIn) await connect(env);
  const chartReads = () => env.calls.filter((c) => c.url.includes("/bulk/Financial/GLAccounts")).length;
  const divisionReads = () => env.calls.filter((c) => c.url.includes("/system/Divisions")).length;
  return { env, run: () => exact.createClient(env), chartReads, divisionReads };
}

describe("reference data", () => {
  it("runs of one connection read the chart and the currency once; another connection reads its own", async () => {
    const a = await connection();
    for (let i = 0; i < 3; i++) {
      const client = a.run();
      expect(await client.divisionCurrency()).toBe("USD");
      expect([...(await client.resolveGLAccounts(["4100", "2230"])).values()].map((g) => g.Code)).toEqual(["4100", "2230"]);
    }
    expect([a.chartReads(), a.divisionReads()]).toEqual([1, 1]);
    const b = await connection(a); // same Exact user and tokens, another connection
    await b.run().resolveGLAccounts(["4100"]);
    expect(b.chartReads()).toBe(1);
    // A picker a person opens reads the chart now.
    await a.run().listGLAccounts();
    expect(a.chartReads()).toBe(2);
  });

  it("finds an account added in Exact after the chart was kept, by reading the chart again", async () => {
    const a = await connection();
    await a.run().resolveGLAccounts(["4100"]);
    const template = division().glAccounts.find((g) => g.Code === "4100")!;
    division().glAccounts.push({ ...template, ID: randomUUID(), Code: "4199", Description: "Sales - new region" });
    const found = await a.run().resolveGLAccounts(["4199"]);
    expect(found.get("4199")!.Description).toBe("Sales - new region");
    expect(a.chartReads()).toBe(2);
    // Still not there after the fresh read: review, as before.
    const missing = await a.run().resolveGLAccounts(["4198"]).catch((e) => e);
    expect(missing).toBeInstanceOf(NeedsReviewError);
    expect(missing.reasonCode).toBe("unknown_gl_account");
  });

  it("sends an entry to review when an account was blocked in Exact after the chart was kept, and posts nothing", async () => {
    const a = await connection();
    await a.run().resolveGLAccounts(["4100", "2230"]);
    division().glAccounts.find((g) => g.Code === "4100")!.IsBlocked = true;
    const client = a.run();
    const accounts = await client.resolveGLAccounts(["4100", "2230"]);
    expect(a.chartReads()).toBe(1);
    const refused = await client
      .createGeneralJournalEntry({
        journalCode: "90",
        lines: [
          { glAccount: accounts.get("2230")!.ID!, amount: -7.25, date: "2026-03-05" },
          { glAccount: accounts.get("4100")!.ID!, amount: 7.25, date: "2026-03-05" },
        ],
      })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(NeedsReviewError);
    expect(refused).toMatchObject({ reasonCode: "blocked_gl_account" });
    expect(refused.message).toContain("4100");
    expect(a.chartReads()).toBe(2);
    const entries = (await sandboxState(h)).regions.us.divisions.find((d: { code: number }) => d.code === D).journalEntries;
    expect(entries).toEqual([]);
    // The next run sees the fresh chart at once.
    expect(await a.run().resolveGLAccounts(["4100"]).catch((e) => e.reasonCode)).toBe("blocked_gl_account");
  });
});
