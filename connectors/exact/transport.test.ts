import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NeedsReviewError, PermanentError, RetryableError } from "../sdk";
import { exact } from "./index";
import { DEMO } from "./sandbox";
import { connectedClient, resetHarness, sandboxState, setFaults, startHarness, type Harness } from "./testkit";
import { ERROR_BUDGET } from "./transport";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
beforeEach(async () => resetHarness(h));

const D = DEMO.usDivision;

describe("OData reads", () => {
  it("follows __next links exactly as given on bulk endpoints", async () => {
    const { env, client } = await connectedClient(h);
    h.sandbox.world.settings.bulkPageSize = 30;
    const accounts = await client.listGLAccounts();
    expect(accounts).toHaveLength(76);
    const urls = env.calls.map((c) => c.url);
    expect(urls).toHaveLength(3);
    expect(urls[0]).toBe(`${h.server.url}/us/api/v1/${D}/bulk/Financial/GLAccounts?$select=ID%2CCode%2CDescription%2CBalanceSide%2CBalanceType%2CType%2CVATCode%2CUseCostcenter%2CUseCostunit%2CIsBlocked`);
    const firstBody = JSON.parse(env.calls[0].responseBody!);
    expect(urls[1]).toBe(firstBody.d.__next);
    expect(urls[1]).toMatch(/&\$skiptoken=guid'[0-9a-f-]{36}'$/);
    // Codes are trimmed, dates normalised, GUIDs lower case.
    const tax = accounts.find((a) => a.Code === "2210")!;
    expect(tax).toMatchObject({ Description: "Sales tax payable - California", BalanceSide: "C", BalanceType: "B", IsBlocked: false });
    expect(accounts.find((a) => a.Code === "2299")!.IsBlocked).toBe(true);
  });

  it("pages standard endpoints by 60 and accepts the bare d[] shape of $top queries", async () => {
    const { env, client } = await connectedClient(h);
    h.sandbox.world.settings.pageSize = 3;
    const centers = await client.listCostCenters();
    expect(centers.map((c) => c.Code).sort()).toEqual(["100", "110", "120", "200", "300", "400", "900", "950"]);
    expect(env.calls).toHaveLength(3);
    expect(centers.find((c) => c.Code === "950")!.EndDate).toBe(new Date(h.clock.t - 300 * 86_400_000).toISOString());
    const none = await client.findGeneralJournalEntryByKey("exact:1:nothing:journal");
    expect(none).toBeUndefined();
    expect(JSON.parse(env.calls[env.calls.length - 1].responseBody!)).toEqual({ d: [] });
  });

  it("trims space-padded codes and converts /Date()/ values", async () => {
    const { client } = await connectedClient(h);
    const vat = await client.listVatCodes();
    expect(vat.map((v) => v.Code)).toEqual(expect.arrayContaining(["0", "1", "2", "3"]));
    const invoices = h.sandbox.world.regions.get("us")!.divisions.get(D)!.invoices;
    const full = await client.getFullSalesInvoice(String(invoices[0].InvoiceID));
    expect(full.account!.Code).toBe("1001");
    expect(full.invoice.InvoiceDate).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000Z$/);
    expect(full.lines[0].VATCode).toBe("0");
  });

  it("reads sync deletions", async () => {
    const { client } = await connectedClient(h);
    const draft = h.sandbox.world.regions.get("us")!.divisions.get(D)!.invoices.find((i) => i.Status === 10)!;
    const token = (await client.tokens.accessToken());
    const del = await fetch(`${h.server.url}/us/api/v1/${D}/salesinvoice/SalesInvoices(guid'${draft.InvoiceID}')`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(del.status).toBe(204);
    const { rows } = await client.syncDeleted("1", 13);
    expect(rows).toEqual([{ EntityKey: draft.InvoiceID, EntityType: 13, DeletedDate: new Date(h.clock.t).toISOString(), Timestamp: expect.any(Number) }]);
  });
});

describe("errors", () => {
  it("turns the error envelope into a permanent error with Exact's message", async () => {
    const { client } = await connectedClient(h);
    const error = await client.transport
      .page({ path: `${D}/financial/GLAccounts`, query: { filter: "Nonsense eq 1" }, label: "bad filter" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.status).toBe(400);
    expect(error.message).toBe(`Exact Online GET ${D}/financial/glaccounts was rejected (400): No property 'Nonsense' exists in type`);
    expect(error.body).toBe(`{"error":{"code":"","message":{"lang":"","value":"No property 'Nonsense' exists in type"}}}`);
  });

  it("asks for review when the division is not accessible", async () => {
    const { client } = await connectedClient(h, { division: DEMO.forbiddenDivision });
    const error = await client.listJournals().catch((e) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect(error.reasonCode).toBe("division_forbidden");
    expect(error.message).toContain("Forbidden - WrongDivision");
    const result = await exact.test(client);
    expect(result.ok).toBe(false);
    expect(result.message).toContain(`refused division ${DEMO.forbiddenDivision}`);
  });

  it("stops calling an endpoint before Exact's 10-errors-per-hour block", async () => {
    const { env, client } = await connectedClient(h);
    const bad = () => client.transport.page({ path: `${D}/financial/Journals`, query: { filter: "Nope eq 1" }, label: "bad" }).catch((e) => e);
    for (let i = 0; i < ERROR_BUDGET; i++) expect(await bad()).toBeInstanceOf(PermanentError);
    const sent = env.calls.length;
    const paused = await bad();
    expect(paused).toBeInstanceOf(RetryableError);
    expect(paused.code).toBe("error_budget");
    expect(paused.retryAfterMs).toBe(3_600_000);
    expect(env.calls.length).toBe(sent);
    const state = await sandboxState(h);
    expect(Object.values(state.regions.us.errorResponses)).toEqual([ERROR_BUDGET]);
    // Other endpoints keep working.
    expect((await client.listCostUnits()).length).toBe(3);
  });

  it("classifies 5xx as retryable, and as outcome-unknown for writes", async () => {
    const { client } = await connectedClient(h);
    await setFaults(h, { queue: ["serverError"] });
    const read = await client.listJournals().catch((e) => e);
    expect(read).toBeInstanceOf(RetryableError);
    expect(read.status).toBe(503);
    expect(read.outcomeUnknown).toBe(false);
    await setFaults(h, { queue: ["serverError"] });
    const write = await client.createWebhookSubscription("http://127.0.0.1:9/none", "SalesInvoices").catch((e) => e);
    expect(write).toBeInstanceOf(RetryableError);
    expect(write.outcomeUnknown).toBe(true);
  });

  it("reports a lost response after a write as outcome unknown", async () => {
    const { client } = await connectedClient(h);
    const gl = (await client.listGLAccounts()).filter((a) => a.Code === "1100" || a.Code === "4000");
    await setFaults(h, { queue: ["dropAfterWrite"] });
    const error = await client
      .createGeneralJournalEntry({
        journalCode: "90",
        lines: [
          { glAccount: gl[0].ID!, amount: 10, date: "2026-03-16" },
          { glAccount: gl[1].ID!, amount: -10, date: "2026-03-16" },
        ],
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.outcomeUnknown).toBe(true);
    expect(h.sandbox.world.regions.get("us")!.divisions.get(D)!.entries).toHaveLength(1);
  });
});

describe("rate limits", () => {
  it("throttles before the minutely limit instead of hitting it", async () => {
    const { env, client } = await connectedClient(h);
    h.sandbox.world.settings.minutelyLimit = 5;
    for (let i = 0; i < 5; i++) await client.listJournals(); // remaining 4 ... 0
    const sent = env.calls.length;
    const error = await client.listJournals().catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.code).toBe("rate_limit");
    expect(error.message).toContain(`minutely limit used up for division ${D}`);
    expect(error.retryAfterMs).toBe(60_000);
    expect(env.calls.length).toBe(sent);
    // After the reset the calls flow again.
    h.clock.t += 60_000;
    expect((await client.listJournals()).length).toBe(6);
  });

  it("waits for the reset named in the headers on a 429", async () => {
    const { client } = await connectedClient(h);
    await client.listJournals();
    h.clock.t += 20_000;
    await setFaults(h, { queue: ["rateLimit"] });
    const error = await client.listJournals().catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.status).toBe(429);
    expect(error.code).toBe("rate_limit_minutely");
    expect(error.retryAfterMs).toBe(40_000);
  });

  it("waits for the daily reset when the daily limit is spent", async () => {
    const { client } = await connectedClient(h);
    h.sandbox.world.settings.dailyLimit = 1;
    await client.listJournals();
    const error = await client.listJournals().catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.code).toBe("rate_limit");
    expect(error.message).toContain("daily limit used up");
    expect(error.retryAfterMs).toBe(Date.parse("2026-03-17T00:00:00Z") - h.clock.t);
  });
});
