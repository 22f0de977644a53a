import { describe, expect, it } from "vitest";
import { NeedsReviewError, PermanentError, RetryableError, memoryStateStore } from "../sdk";
import { escapeXml, stripForbidden } from "./xml";
import { DEMO_COMPANY, START, sandboxKit } from "./testkit";

const kit = sandboxKit();

const labels = (calls: Array<{ label?: string }>) => calls.map((c) => c.label);
/** Request body with the random control ids replaced, for exact comparisons. */
const normalised = (body: string | undefined) =>
  (body ?? "").replace(/<controlid>[^<]*<\/controlid>/, "<controlid>REQ</controlid>").replace(/controlid="[^"]*"/g, 'controlid="FN"');

describe("request envelope", () => {
  it("signs in with getAPISession alone, then sends each call on the session", async () => {
    const { client, env } = kit.client();
    await client.ping();
    expect(labels(env.calls)).toEqual(["Intacct getAPISession", "Intacct test connection"]);
    expect(env.calls[0].method).toBe("POST");
    expect(env.calls[0].url).toBe(`${kit.server.url}/ia/xml/xmlgw.phtml`);
    expect(env.calls[0].requestHeaders["content-type"]).toBe("application/xml; charset=utf-8");
    expect(normalised(env.calls[0].requestBody)).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<request><control><senderid>LEDGERLINE_SANDBOX</senderid><password>[redacted]</password>' +
        "<controlid>REQ</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>" +
        '<operation transaction="false"><authentication><login><userid>xml_gateway</userid><companyid>LEDGERLINE-DEMO</companyid>' +
        '<password>[redacted]</password></login></authentication><content><function controlid="FN"><getAPISession/></function></content></operation></request>',
    );
    expect(normalised(env.calls[1].requestBody)).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<request><control><senderid>LEDGERLINE_SANDBOX</senderid><password>[redacted]</password>' +
        "<controlid>REQ</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control>" +
        '<operation transaction="false"><authentication><sessionid>[redacted]</sessionid></authentication><content><function controlid="FN">' +
        "<readByQuery><object>DEPARTMENT</object><fields>RECORDNO</fields><query></query><pagesize>1</pagesize></readByQuery></function></content></operation></request>",
    );
  });

  it("keeps passwords and session ids out of every recorded call", async () => {
    const { client, env } = kit.client({ secrets: { userPassword: "sandbox-user-pw" } });
    await client.readByQuery("VENDOR", "", { pageSize: 2 });
    const session = await env.state.get<{ sessionId: string }>();
    const log = JSON.stringify(env.calls);
    expect(session?.sessionId).toBeTruthy();
    expect(log).not.toContain(session!.sessionId);
    expect(log).not.toContain("sandbox-user-pw");
    expect(log).not.toContain("sandbox-sender-pw");
  });

  it("strips characters XML 1.0 forbids and escapes the rest", async () => {
    expect(stripForbidden("a\u0000b\u0001c\u0008d\u000Be\u001Ff\uFFFEg\tok\n")).toBe("abcdefg\tok\n");
    expect(escapeXml(`Tom & "Jerry's" <Deli>`)).toBe("Tom &amp; &quot;Jerry&apos;s&quot; &lt;Deli&gt;");
    const { client, env } = kit.client();
    const created = await client.create(
      "VENDOR",
      { VENDORID: "V-CTRL", NAME: "Acme\u0001 \u0008Tools & <Dies>\u001F", DISPLAYCONTACT: { PRINTAS: "Acme Tools" } },
      "test:vendor:ctrl",
      async () => undefined,
    );
    expect(created.recordNo).toMatch(/^\d+$/);
    expect(env.calls.at(-1)?.requestBody).toContain("<NAME>Acme Tools &amp; &lt;Dies&gt;</NAME>");
    const state = await kit.state();
    const vendor = state.companies[DEMO_COMPANY].records.VENDOR.find((v) => v.VENDORID === "V-CTRL");
    expect(vendor?.NAME).toBe("Acme Tools & <Dies>");
  });
});

describe("sessions", () => {
  it("caches the session in the connection state and shares it between workers", async () => {
    const state = memoryStateStore();
    const a = kit.client({ state });
    const b = kit.client({ state });
    await Promise.all([a.client.ping(), b.client.ping(), a.client.ping()]);
    const logins = [...a.env.calls, ...b.env.calls].filter((c) => c.label === "Intacct getAPISession");
    expect(logins).toHaveLength(1);
    const stored = await state.get<{ expiresAt: number; endpoint: string; reported: boolean }>();
    expect(stored?.expiresAt).toBe(START + 3600_000);
    expect(stored?.reported).toBe(true);
    expect(stored?.endpoint).toBe(`${kit.server.url}/ia/xml/xmlgw.phtml`);
  });

  it("slides with each call's sessiontimeout and renews before it passes", async () => {
    const { client, env } = kit.client();
    await client.ping();
    kit.clock.now = START + 30 * 60_000; // the call slides the timeout to 90 minutes
    await client.readByQuery("CLASS", "");
    kit.clock.now = START + 87 * 60_000; // 3 minutes before the slid timeout: still fine (slides to 147)
    await client.readByQuery("CLASS", "");
    expect(env.calls.filter((c) => c.label === "Intacct getAPISession")).toHaveLength(1);
    kit.clock.now = START + 146 * 60_000; // inside the 2-minute safety margin: renew first
    await client.readByQuery("CLASS", "");
    expect(labels(env.calls).slice(-2)).toEqual(["Intacct getAPISession", "Intacct readByQuery CLASS"]);
  });

  it("gets a new session once when the gateway refuses the cached one, then retries", async () => {
    const { client, env } = kit.client();
    await client.ping();
    await kit.faults({ queue: ["expireAuth"] });
    const rows = await client.readByQuery("DEPARTMENT", "");
    expect(rows).toHaveLength(5);
    expect(labels(env.calls).slice(-3)).toEqual(["Intacct readByQuery DEPARTMENT", "Intacct getAPISession", "Intacct readByQuery DEPARTMENT"]);
    expect(env.calls.at(-3)?.responseBody).toContain("<authentication><status>failure</status>");
  });

  it("renews after the sandbox expires every session", async () => {
    const { client, env } = kit.client();
    await client.ping();
    await fetch(`${kit.server.url}/__sandbox/expire-sessions`, { method: "POST" });
    await client.readByQuery("CLASS", "");
    expect(env.calls.filter((c) => c.label === "Intacct getAPISession")).toHaveLength(2);
  });

  it("wrong user password is permanent and asks for a reconnect", async () => {
    const { client, env } = kit.client({ secrets: { userPassword: "not-the-password" } });
    const error = await client.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe("XL03000006");
    expect((error as PermanentError).connectionHealth).toBe("needs_reconnect");
    expect(JSON.stringify(env.calls)).not.toContain("not-the-password");
  });
});

describe("errors inside HTTP 200", () => {
  it("a control-level failure (wrong sender password) is permanent", async () => {
    const { client, env } = kit.client({ secrets: { senderPassword: "wrong-sender-pw" } });
    const error = await client.ping().catch((e: unknown) => e);
    expect(env.calls[0].status).toBe(200);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toContain("Incorrect Intacct XML Partner ID or password");
    expect((error as PermanentError).connectionHealth).toBe("needs_reconnect");
  });

  it("a function failure carries errorno, description2 and correction", async () => {
    const { client, env } = kit.client();
    const error = await client.readByQuery("VENDOR", "", { fields: ["NOPE"] }).catch((e: unknown) => e);
    expect(env.calls.at(-1)?.status).toBe(200);
    expect(error).toBeInstanceOf(PermanentError);
    const e = error as PermanentError;
    expect(e.code).toBe("DL02000001");
    expect(e.details).toMatchObject({
      errors: [{ errorno: "DL02000001", description2: "Query Failed: Field 'NOPE' is not a field of object VENDOR.", correction: "Check the field names with lookup." }],
    });
  });

  it("reports aborted functions of a failed transaction and rolls everything back", async () => {
    const { client } = kit.client();
    const results = await client.batch(
      [
        { name: "create", body: { DEPARTMENT: { DEPARTMENTID: "TAX", TITLE: "Tax" } } },
        { name: "create", body: { DEPARTMENT: { DEPARTMENTID: "SALES", TITLE: "Duplicate" } } },
      ],
      { write: true, transaction: true },
    );
    expect(results.map((r) => r.status)).toEqual(["aborted", "failure"]);
    expect(results[0].errors[0].errorno).toBe("XL03000009");
    expect(results[0].error?.code).toBe("XL03000009");
    expect(results[1].error?.message).toContain("Another Department with the given value(s) SALES already exists");
    const state = await kit.state();
    expect(state.companies[DEMO_COMPANY].records.DEPARTMENT.map((d) => d.DEPARTMENTID)).not.toContain("TAX");
  });

  it("maps an unknown reference to review", async () => {
    const { client } = kit.client();
    const error = await client
      .create("APBILL", { VENDORID: "V999", WHENCREATED: "06/30/2024", WHENDUE: "07/30/2024", APBILLITEMS: { APBILLITEM: [{ ACCOUNTNO: "6000", TRX_AMOUNT: "10.00" }] } }, "test:bill:unknown", async () => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NeedsReviewError);
    expect((error as NeedsReviewError).reasonCode).toBe("unknown_reference");
    expect((error as NeedsReviewError).details).toMatchObject({ referenceType: "Vendor", referenceValue: "V999" });
  });
});

describe("rate limits, 5xx and concurrency", () => {
  // The transport sends each request once: the engine's retry policy (backoff, jitter,
  // Retry-After) is the one retry layer, so each fault comes back as one classified error.
  it("a rate limit (GW-0010, HTTP 429) is sent once and comes back retryable with its Retry-After", async () => {
    await kit.settings({ rateLimitRetryAfterSeconds: 7 });
    const { client, env } = kit.client();
    await client.ping();
    await kit.faults({ queue: ["rateLimit"] });
    const sent = env.calls.length;
    const error = await client.readByQuery("CLASS", "").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).code).toBe("GW-0010");
    expect((error as RetryableError).status).toBe(429);
    expect((error as RetryableError).retryAfterMs).toBe(7000);
    expect((error as RetryableError).outcomeUnknown).toBe(false);
    expect(env.calls.slice(sent).map((c) => c.status)).toEqual([429]);
    expect(env.calls.at(-1)?.responseBody).toContain("<errorno>GW-0010</errorno>");
    // The next attempt (the engine's) goes through.
    expect(await client.readByQuery("CLASS", "")).toHaveLength(3);
  });

  it("a 5xx is sent once and comes back retryable; the next attempt succeeds", async () => {
    const { client, env } = kit.client();
    await client.ping();
    await kit.faults({ queue: ["serverError"] });
    const sent = env.calls.length;
    const error = await client.readByQuery("CLASS", "").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).status).toBe(502);
    expect((error as RetryableError).outcomeUnknown).toBe(false);
    expect(await client.readByQuery("CLASS", "")).toHaveLength(3);
    expect(env.calls.slice(sent).map((c) => c.status)).toEqual([502, 200]);
  });

  it("a read answered 524 is retryable with its outcome known (a read changes nothing)", async () => {
    const { client, env } = kit.client();
    await client.ping();
    await kit.faults({ queue: ["gatewayTimeout"] });
    const error = await client.readByQuery("CLASS", "").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).status).toBe(524);
    expect((error as RetryableError).outcomeUnknown).toBe(false);
    expect(await client.readByQuery("CLASS", "")).toHaveLength(3);
    expect(env.calls.slice(-2).map((c) => c.status)).toEqual([524, 200]);
  });

  it("a write answered 524 is outcome unknown and is not retried blindly", async () => {
    const { client, env } = kit.client();
    await client.ping();
    await kit.faults({ queue: ["gatewayTimeout"] });
    const error = await client
      .create("CLASS", { CLASSID: "TAXC", NAME: "Tax" }, "test:class:524", async () => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).outcomeUnknown).toBe(true);
    expect((error as RetryableError).status).toBe(524);
    expect(env.calls.filter((c) => c.label?.startsWith("Intacct create"))).toHaveLength(1);
  });

  it("keeps to the sandbox's 2 concurrent requests per company: 4 reads at once all succeed, none is refused", async () => {
    const { client: warm } = kit.client();
    await warm.ping();
    await kit.faults({ latencyMs: 120 });
    const { client, env } = kit.client();
    await client.ping().catch(() => undefined);
    const started = Date.now();
    const outcomes = await Promise.allSettled([1, 2, 3, 4].map(() => client.readByQuery("CLASS", "")));
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect((outcomes as PromiseFulfilledResult<unknown[]>[]).every((o) => o.value.length === 3)).toBe(true);
    // Two at a time: the four 120 ms requests took two rounds; the gateway refused none (GW-0010).
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(env.calls.filter((c) => c.label === "Intacct readByQuery CLASS").map((c) => c.status)).toEqual([200, 200, 200, 200]);
  });
});

describe("paging and batching", () => {
  it("follows readMore until numremaining is 0", async () => {
    const { client, env } = kit.client();
    const rows = await client.readByQuery("GLACCOUNT", "", { fields: ["RECORDNO", "ACCOUNTNO"], pageSize: 5 });
    expect(rows).toHaveLength(27);
    expect(new Set(rows.map((r) => r.ACCOUNTNO)).size).toBe(27);
    expect(labels(env.calls)).toEqual([
      "Intacct getAPISession",
      "Intacct readByQuery GLACCOUNT",
      ...Array(5).fill("Intacct readMore GLACCOUNT"),
    ]);
    expect(env.calls[2].requestBody).toMatch(/<readMore><resultId>[0-9a-f]+<\/resultId><\/readMore>/);
  });

  it("pages query by offset", async () => {
    const { client, env } = kit.client();
    const { records, more } = await client.queryAll({ object: "GLACCOUNT", select: ["ACCOUNTNO"], orderBy: [{ field: "ACCOUNTNO" }], pageSize: 10 });
    expect(more).toBe(false);
    expect(records.map((r) => r.ACCOUNTNO).slice(0, 3)).toEqual(["1000", "1200", "1400"]);
    expect(records).toHaveLength(27);
    const offsets = env.calls.slice(1).map((c) => /<offset>(\d+)<\/offset>/.exec(c.requestBody ?? "")?.[1]);
    expect(offsets).toEqual(["0", "10", "20"]);
  });

  it("sends several functions in one request and maps each result back", async () => {
    const { client, env } = kit.client();
    const results = await client.batch([
      { name: "readByQuery", body: { object: "DEPARTMENT", fields: "DEPARTMENTID", query: "", pagesize: 100 } },
      { name: "readByQuery", body: { object: "LOCATION", fields: "LOCATIONID", query: "", pagesize: 100 } },
      { name: "read", body: { object: "VENDOR", keys: "999999", fields: "*" } },
    ]);
    expect(env.calls.filter((c) => c.label !== "Intacct getAPISession")).toHaveLength(1);
    expect(results.map((r) => r.status)).toEqual(["success", "success", "success"]);
    expect(results[0].data?.records.map((r) => r.DEPARTMENTID)).toEqual(["ADMIN", "SALES", "ENG", "OPS", "FIN"]);
    expect(results[1].data?.records).toHaveLength(6);
    expect(results[2].data?.records).toHaveLength(0);
  });
});
