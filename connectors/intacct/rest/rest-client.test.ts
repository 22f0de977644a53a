/**
 * The connector's REST transport against the sandbox over HTTP: the token (cached, refreshed,
 * never logged), the same journal entry written on one API and read on the other, errors in the
 * same classes on both transports, Idempotency-Key replays, and the connection's choice of
 * transport (REST only refuses what REST does not cover; both sends it to the XML gateway).
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AlreadyDoneError, NeedsReviewError, PermanentError, RetryableError, memoryStateStore, type AnyNodeDefinition, type ClassifiedError } from "../../sdk";
import { intacct } from "../index";
import { createJournalEntry } from "../nodes/createJournalEntry";
import { reverseApBill } from "../nodes/reverseApBill";
import { REST_DEMO } from "../sandbox/rest/demo";
import { DEMO_COMPANY, type Kit, nodeCtx, START, sandboxKit } from "../testkit";
import { text } from "../xml";
import { IntacctRestClient } from "./client";

const kit = sandboxKit();

const rest = (overrides: Parameters<Kit["client"]>[0] = {}) => kit.client({ ...overrides, config: { transport: "rest", ...overrides.config } });
const xml = (overrides: Parameters<Kit["client"]>[0] = {}) => kit.client(overrides);

async function runNode<N extends AnyNodeDefinition>(node: N, client: unknown, input: unknown, config: unknown = {}, ctx: Parameters<typeof nodeCtx>[1] = {}) {
  const out = await node.run(nodeCtx(client as never, ctx), node.input.parse(input), node.config.parse(config));
  return node.output.parse(out) as z.output<N["output"]>;
}

const entry = (referenceNo: string, debitAccount = "6200") => ({
  date: "2024-06-30",
  description: `Accrual ${referenceNo}`,
  referenceNo,
  lines: [
    { accountNo: debitAccount, type: "debit", amount: "250.10", departmentId: "FIN", locationId: "US-CA", memo: "Services" },
    { accountNo: "2200", type: "credit", amount: "250.10", locationId: "US-CA", memo: "Accrued" },
  ],
});

async function caught(p: Promise<unknown>): Promise<ClassifiedError> {
  try {
    await p;
  } catch (error) {
    return error as ClassifiedError;
  }
  throw new Error("expected a failure");
}

describe("token", () => {
  it("one client-credentials grant serves every call; it is refreshed before it expires; secrets and tokens never reach the run log", async () => {
    const state = memoryStateStore();
    const { client, env } = rest({ state });
    expect(client).toBeInstanceOf(IntacctRestClient);
    await client.readByQuery("VENDOR", "", { fields: ["VENDORID"] });
    await client.read("GLACCOUNT", ["1"]);
    const grants = () => env.calls.filter((c) => c.url.endsWith("/oauth2/token"));
    expect(grants()).toHaveLength(1);
    expect(grants()[0]!.requestBody).toContain("grant_type=client_credentials");
    expect(grants()[0]!.requestBody).toContain(`username=${encodeURIComponent(REST_DEMO.username)}`);

    // A second worker process shares the cached token through the connection state.
    const other = rest({ state });
    await other.client.readByQuery("VENDOR", "", { fields: ["VENDORID"] });
    expect(other.env.calls.filter((c) => c.url.endsWith("/oauth2/token"))).toHaveLength(0);

    kit.clock.now = START + 43_200_000 - 60_000; // inside the renewal margin
    await client.readByQuery("VENDOR", "", { fields: ["VENDORID"] });
    expect(grants()).toHaveLength(2);
    expect(grants()[1]!.requestBody).toContain("grant_type=refresh_token");

    const stored = (await state.get<{ rest: { accessToken: string; refreshToken: string } }>())!.rest;
    const logged = JSON.stringify(env.calls);
    for (const secret of [REST_DEMO.clientSecret, stored.accessToken, stored.refreshToken]) expect(logged).not.toContain(secret);
    expect(logged).toContain("[redacted]");
  });

  it("a refresh token ended by another grant falls back to a new grant; a token the API refuses is replaced once", async () => {
    const { client, env } = rest();
    await client.readByQuery("VENDOR", "", { fields: ["VENDORID"] });
    // Another connection of the same user and company takes a grant: ours can no longer refresh.
    await rest().client.readByQuery("VENDOR", "", { fields: ["VENDORID"] });
    kit.clock.now = START + 43_200_000;
    await client.readByQuery("VENDOR", "", { fields: ["VENDORID"] });
    const grants = env.calls.filter((c) => c.url.endsWith("/oauth2/token")).map((c) => [c.status, /grant_type=(\w+)/.exec(c.requestBody ?? "")![1]]);
    expect(grants).toEqual([[200, "client_credentials"], [401, "refresh_token"], [200, "client_credentials"]]);

    await fetch(`${kit.server.url}/__sandbox/rest-expire-tokens`, { method: "POST" });
    const records = await client.readByQuery("VENDOR", "VENDORID = 'V100'", { fields: ["VENDORID", "NAME"] });
    expect(records).toEqual([{ VENDORID: "V100", NAME: "Regal Services" }]);
  });

  it("a wrong client secret fails for good and asks for a reconnect, without the secret in the message", async () => {
    const { client } = rest({ secrets: { restClientSecret: "wrong-secret-value" } });
    const error = await caught(client.readByQuery("VENDOR", "", {}));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.connectionHealth).toBe("needs_reconnect");
    expect(error.status).toBe(401);
    expect(JSON.stringify(error)).not.toContain("wrong-secret-value");
  });

  it("without a REST client ID or secret the connection is refused with a clear message, before anything is sent", async () => {
    const { client, env } = rest({ config: { restClientId: undefined } });
    const error = await caught(client.readByQuery("VENDOR", "", {}));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe("The Intacct REST API needs the connection's REST client ID and client secret");
    expect(env.calls).toHaveLength(0);
  });

  it("an entity on the connection signs in as user@company|entity; its journal lines without a location take the entity", async () => {
    const { client, env } = rest({ config: { entityId: "US-NY" } });
    const created = await runNode(createJournalEntry, client, {
      ...entry("JE-NY"),
      lines: [
        { accountNo: "6200", type: "debit", amount: "5.00" },
        { accountNo: "2200", type: "credit", amount: "5.00" },
      ],
    });
    expect(env.calls.find((c) => c.url.endsWith("/oauth2/token"))!.requestBody).toContain(`username=${encodeURIComponent(`${REST_DEMO.username}|US-NY`)}`);
    const [full] = await xml().client.read("GLBATCH", [created.recordNo]);
    expect((full!.ENTRIES as { GLENTRY: Array<Record<string, unknown>> }).GLENTRY.map((l) => text(l.LOCATION))).toEqual(["US-NY", "US-NY"]);
  });

  it("a record routed to an entity goes over REST with that entity's token", async () => {
    const { client, env } = rest();
    const created = await runNode(createJournalEntry, client, {
      ...entry("JE-ROUTED"),
      entityId: "US-NY",
      lines: [
        { accountNo: "6200", type: "debit", amount: "7.00" },
        { accountNo: "2200", type: "credit", amount: "7.00" },
      ],
    });
    const [full] = await xml().client.read("GLBATCH", [created.recordNo]);
    expect((full!.ENTRIES as { GLENTRY: Array<Record<string, unknown>> }).GLENTRY.map((l) => text(l.LOCATION))).toEqual(["US-NY", "US-NY"]);
    expect(env.calls.some((c) => c.url.includes("/ia/xml/"))).toBe(false);
  });

  it("test connection signs in over REST", async () => {
    const { client } = rest();
    const result = await intacct.test!(client);
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining(`Signed in to company ${DEMO_COMPANY} over REST; token valid until`) });
  });
});

describe("one ledger", () => {
  it("the same journal entry created over REST and read back over XML", async () => {
    const created = await runNode(createJournalEntry, rest().client, entry("JE-REST-1"));
    expect(created).toMatchObject({ journal: "GJ", referenceNo: "JE-REST-1", state: "Posted", totalDebit: "250.10", totalCredit: "250.10" });
    const gateway = xml().client;
    const [head] = await gateway.readByQuery("GLBATCH", "REFERENCENO = 'JE-REST-1'", { fields: ["RECORDNO", "JOURNAL", "BATCH_DATE", "STATE"] });
    expect(head).toEqual({ RECORDNO: created.recordNo, JOURNAL: "GJ", BATCH_DATE: "06/30/2024", STATE: "Posted" });
    const [full] = await gateway.read("GLBATCH", [created.recordNo]);
    const lines = (full!.ENTRIES as { GLENTRY: Array<Record<string, unknown>> }).GLENTRY;
    expect(lines.map((l) => [text(l.ACCOUNTNO), text(l.TR_TYPE), text(l.TRX_AMOUNT), text(l.DEPARTMENT), text(l.LOCATION), text(l.DESCRIPTION)])).toEqual([
      ["6200", "1", "250.10", "FIN", "US-CA", "Services"],
      ["2200", "-1", "250.10", "", "US-CA", "Accrued"],
    ]);
    // Reading it back through the node's own reconcile on the XML transport finds the same entry.
    const again = await runNode(createJournalEntry, gateway, entry("JE-REST-1"), {}, { attempt: 2, idempotency: { key: "intacct:glbatch:GJ:JE-REST-1", previousOutcomeUnknown: true } });
    expect(again.recordNo).toBe(created.recordNo);
    expect((await kit.state()).companies[DEMO_COMPANY].records.GLBATCH).toHaveLength(1);
  });

  it("and the reverse: created over XML, read back over REST", async () => {
    const created = await runNode(createJournalEntry, xml().client, entry("JE-XML-1"));
    const client = rest().client;
    const [head] = await client.readByQuery("GLBATCH", "JOURNAL = 'GJ' AND REFERENCENO = 'JE-XML-1'", { fields: ["RECORDNO", "BATCHNO", "STATE"] });
    expect(head).toEqual({ RECORDNO: created.recordNo, BATCHNO: created.batchNo, STATE: "Posted" });
    const [full] = await client.read("GLBATCH", [created.recordNo]);
    expect(full).toMatchObject({ JOURNAL: "GJ", BATCH_DATE: "06/30/2024", REFERENCENO: "JE-XML-1" });
    const lines = (full!.ENTRIES as { GLENTRY: Array<Record<string, unknown>> }).GLENTRY;
    expect(lines.map((l) => [l.ACCOUNTNO, l.TR_TYPE, l.TRX_AMOUNT, l.DEPARTMENT])).toEqual([["6200", "1", "250.10", "FIN"], ["2200", "-1", "250.10", undefined]]);
    const calls = rest().env.calls;
    expect(calls.some((c) => c.url.includes("xmlgw"))).toBe(false);
  });
});

describe("errors are classified the same on both transports", () => {
  const both = async (run: (client: unknown) => Promise<unknown>) => ({ viaXml: await caught(run(xml().client)), viaRest: await caught(run(rest().client)) });

  it("a reference to an account that does not exist waits for review, naming it", async () => {
    const { viaXml, viaRest } = await both((c) => runNode(createJournalEntry, c, entry("JE-BAD", "9999")));
    for (const e of [viaXml, viaRest]) {
      expect(e).toBeInstanceOf(NeedsReviewError);
      expect((e as NeedsReviewError).reasonCode).toBe("unknown_reference");
      expect(e.details).toMatchObject({ referenceValue: "9999" });
    }
  });

  it("a closed period fails for good with the same errorno", async () => {
    await fetch(`${kit.server.url}/__sandbox/periods`, { method: "POST", body: JSON.stringify({ period: "2024-06", closed: true }) });
    const { viaXml, viaRest } = await both((c) => runNode(createJournalEntry, c, entry("JE-CLOSED")));
    expect(viaXml).toBeInstanceOf(PermanentError);
    expect(viaRest).toBeInstanceOf(PermanentError);
    expect(viaRest.code).toBe(viaXml.code);
    expect(viaRest.code).toBe("BL03002105");
    expect(viaRest.message).toContain("Periods are closed");
  });

  it("a rate limit is retryable with the Retry-After wait", async () => {
    const viaRestClient = rest().client;
    await viaRestClient.readByQuery("VENDOR", "", { fields: ["VENDORID"] });
    await kit.faults({ queue: ["rateLimit"], retryAfterSeconds: 90 });
    const viaRest = await caught(viaRestClient.readByQuery("VENDOR", "", { fields: ["VENDORID"] }));
    await kit.faults({ queue: ["rateLimit", "rateLimit", "rateLimit", "rateLimit"], retryAfterSeconds: 90 });
    const viaXml = await caught(xml().client.readByQuery("VENDOR", "", { fields: ["VENDORID"] }));
    for (const e of [viaXml, viaRest]) {
      expect(e).toBeInstanceOf(RetryableError);
      expect((e as RetryableError).retryAfterMs).toBe(90_000);
      expect(e.code).toBe("GW-0010");
    }
  });

  it("a server error is retryable; a lost answer to a write is outcome unknown (the engine reads back first)", async () => {
    const client = rest().client;
    await client.readByQuery("VENDOR", "", { fields: ["VENDORID"] });
    await kit.faults({ queue: ["serverError"] });
    const server = await caught(client.readByQuery("VENDOR", "", { fields: ["VENDORID"] }));
    expect(server).toBeInstanceOf(RetryableError);
    expect(server.status).toBe(502);
    await kit.faults({ queue: ["dropAfterWrite"] });
    const lost = await caught(runNode(createJournalEntry, client, entry("JE-LOST")));
    expect(lost).toBeInstanceOf(RetryableError);
    expect((lost as RetryableError).outcomeUnknown).toBe(true);
    await kit.faults({ queue: ["gatewayTimeout"] });
    const timedOut = await caught(runNode(createJournalEntry, client, entry("JE-524")));
    expect(timedOut).toBeInstanceOf(RetryableError);
    expect(timedOut.status).toBe(524);
    expect((timedOut as RetryableError).outcomeUnknown).toBe(true);
    // The engine's retry reconciles by the natural key: the entry is there once, nothing is sent again.
    const retried = await runNode(createJournalEntry, client, entry("JE-LOST"), {}, { attempt: 2 });
    expect(retried.referenceNo).toBe("JE-LOST");
    expect((await kit.state()).companies[DEMO_COMPANY].records.GLBATCH).toHaveLength(2);
  });

  it("a write whose key was used with another request ends as already done with the record read back", async () => {
    const client = rest().client;
    const first = await runNode(createJournalEntry, client, entry("JE-DUP"));
    // Same ledger key, a different body (another description): the API answers 409; the record is read back.
    const key = "intacct:glbatch:GJ:JE-DUP";
    const error = await caught(
      client.create("GLBATCH", { JOURNAL: "GJ", BATCH_DATE: "06/30/2024", BATCH_TITLE: "Changed", REFERENCENO: "JE-DUP", ENTRIES: { GLENTRY: [] } }, key, async () => ({ recordNo: first.recordNo })),
    );
    expect(error).toBeInstanceOf(AlreadyDoneError);
    expect((error as AlreadyDoneError).result).toEqual({ recordNo: first.recordNo });
    // The same request again is answered from the replay cache: no second entry.
    const replay = await rest().client.create(
      "GLBATCH",
      { JOURNAL: "GJ", BATCH_DATE: "06/30/2024", BATCH_TITLE: "Replay", REFERENCENO: "JE-R", ENTRIES: { GLENTRY: [{ ACCOUNTNO: "6200", TR_TYPE: "1", TRX_AMOUNT: "1.00" }, { ACCOUNTNO: "2200", TR_TYPE: "-1", TRX_AMOUNT: "1.00" }] } },
      "intacct:glbatch:GJ:JE-R",
      async () => undefined,
    );
    const replayAgain = await rest().client.create(
      "GLBATCH",
      { JOURNAL: "GJ", BATCH_DATE: "06/30/2024", BATCH_TITLE: "Replay", REFERENCENO: "JE-R", ENTRIES: { GLENTRY: [{ ACCOUNTNO: "6200", TR_TYPE: "1", TRX_AMOUNT: "1.00" }, { ACCOUNTNO: "2200", TR_TYPE: "-1", TRX_AMOUNT: "1.00" }] } },
      "intacct:glbatch:GJ:JE-R",
      async () => undefined,
    );
    expect(replayAgain.recordNo).toBe(replay.recordNo);
    expect((await kit.state()).companies[DEMO_COMPANY].records.GLBATCH).toHaveLength(2);
  });

  it("errors in the top-level body form classify alike", async () => {
    await fetch(`${kit.server.url}/__sandbox/rest-settings`, { method: "POST", body: JSON.stringify({ errorShape: "top-level" }) });
    const e = await caught(runNode(createJournalEntry, rest().client, entry("JE-TOP", "9999")));
    expect(e).toBeInstanceOf(NeedsReviewError);
  });
});

describe("the connection chooses the transport", () => {
  it("REST only: an operation REST does not cover here is refused with a clear message and nothing is sent to the gateway", async () => {
    const { client, env } = rest();
    const res = await fetch(`${kit.server.url}/__sandbox/bills`, { method: "POST", body: JSON.stringify({ vendorId: "V100", billNumber: "B-77", lines: [{ accountNo: "6200", amount: 40 }] }) });
    expect(res.ok).toBe(true);
    // reverseApBill finds the bill over REST (covered), then reverse_bill has no REST form here.
    const error = await caught(runNode(reverseApBill, client, { vendorId: "V100", billNumber: "B-77", date: "2024-06-30" }));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain("Intacct reverse_bill needs the XML gateway");
    expect((await kit.state()).companies[DEMO_COMPANY].records.APBILL!.find((b) => b.RECORDID === "B-77")!.STATE).toBe("Posted");
    const refused = await caught(client.readByQuery("AUDITHISTORY", "", {}));
    expect(refused).toBeInstanceOf(PermanentError);
    expect(refused.message).toContain('needs the XML gateway');
    expect(refused.message).toContain('"both"');
    expect(env.calls.some((c) => c.url.includes("/ia/xml/"))).toBe(false);
  });

  it("both: REST where it covers the object, the XML gateway otherwise", async () => {
    const { client, env } = kit.client({ config: { transport: "both" } });
    await client.readByQuery("VENDOR", "VENDORID = 'V100'", { fields: ["VENDORID"] });
    await client.readByQuery("AUDITHISTORY", "", { fields: ["RECORDNO"] });
    await client.readByQuery("PODOCUMENT", "", { fields: ["RECORDNO"], docparid: "Purchase Order" });
    const routes = env.calls.filter((c) => !c.url.endsWith("/oauth2/token")).map((c) => (c.url.includes("/ia/xml/") ? "xml" : "rest"));
    expect(routes).toEqual(["rest", "xml", "xml", "xml"]); // getAPISession once, then the two XML reads
  });

  it("the schema: transport defaults to the XML gateway; REST and both take the REST client", () => {
    expect(intacct.config.parse({ senderId: "s", companyId: "c", userId: "u" }).transport).toBe("xml");
    expect(() => intacct.config.parse({ senderId: "s", companyId: "c", userId: "u", transport: "soap" })).toThrow();
    expect(intacct.secrets.parse({ restClientSecret: "x" })).toEqual({ senderPassword: "", userPassword: "", restClientSecret: "x" });
  });
});
