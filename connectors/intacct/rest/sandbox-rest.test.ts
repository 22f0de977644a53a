/**
 * Wire-level tests of the sandbox's REST API: each request and answer as intacct-rest.md shapes
 * them (token grants, envelopes, query service, CRUD semantics, status codes, error bodies, rate
 * limits, Idempotency-Key, entity header), and the one ledger it shares with the XML gateway.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REST_DEMO } from "../sandbox/rest/demo";
import { DEMO_COMPANY, START, startKit, type Kit } from "../testkit";

let kit: Kit;
let base: string;
beforeAll(async () => {
  kit = await startKit();
  base = `${kit.server.url}/ia/api/v1`;
});
afterAll(() => kit.close());
beforeEach(async () => {
  await kit.reset();
  kit.clock.now = START;
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field in the assertions
type Json = Record<string, any>;

async function tokenRequest(fields: Record<string, string>, init: { json?: boolean; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${base}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": init.json ? "application/json" : "application/x-www-form-urlencoded", ...init.headers },
    body: init.json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
}

const clientCredentials = (extra: Record<string, string> = {}) =>
  tokenRequest({ grant_type: "client_credentials", client_id: REST_DEMO.clientId, client_secret: REST_DEMO.clientSecret, username: REST_DEMO.username, ...extra });

async function token(username = REST_DEMO.username): Promise<string> {
  const { body } = await clientCredentials({ username });
  return body.access_token as string;
}

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, bearer?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer ?? (await token())}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json, headers: res.headers };
}

const journalEntry = (referenceNumber = "REST-JE-1") => ({
  glJournal: { id: "GJ" },
  postingDate: "2024-06-30",
  description: "Accrual over REST",
  referenceNumber,
  lines: [
    { glAccount: { id: "6200" }, txnType: "debit", txnAmount: "125.40", description: "Expense", dimensions: { department: { id: "FIN" }, location: { id: "US-CA" } } },
    { glAccount: { id: "2200" }, txnType: "credit", txnAmount: "125.40", description: "Accrued" },
  ],
});

async function xml(body: string): Promise<string> {
  const res = await fetch(`${kit.server.url}/ia/xml/xmlgw.phtml`, { method: "POST", headers: { "content-type": "application/xml" }, body });
  return res.text();
}

const xmlRequest = (fn: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>LEDGERLINE_SANDBOX</senderid><password>sandbox-sender-pw</password><controlid>t</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>` +
  `<operation><authentication><login><userid>xml_gateway</userid><companyid>LEDGERLINE-DEMO</companyid><password>sandbox-user-pw</password></login></authentication><content><function controlid="f1">${fn}</function></content></operation></request>`;

describe("OAuth 2.0 token endpoint", () => {
  it("client credentials: form or JSON body, a JWT with the company, user and entity, 12 h, a refresh token", async () => {
    const form = await clientCredentials();
    expect(form.status).toBe(200);
    expect(form.headers.get("cache-control")).toBe("no-store");
    expect(Object.keys(form.body).sort()).toEqual(["access_token", "expires_in", "refresh_token", "token_type"]);
    expect(form.body).toMatchObject({ token_type: "Bearer", expires_in: 43200 });
    const claims = JSON.parse(Buffer.from(String(form.body.access_token).split(".")[1]!, "base64url").toString());
    expect(claims).toMatchObject({ cnyId: "LEDGERLINE-DEMO", userId: "xml_gateway", entityId: "", clientId: REST_DEMO.clientId, iss: "https://api.intacct.com" });
    expect(claims.exp - claims.iat).toBe(43200);

    const json = await tokenRequest({ grant_type: "client_credentials", client_id: REST_DEMO.clientId, client_secret: REST_DEMO.clientSecret, username: `${REST_DEMO.username}|US-CA` }, { json: true });
    expect(json.status).toBe(200);
    expect(JSON.parse(Buffer.from(String(json.body.access_token).split(".")[1]!, "base64url").toString()).entityId).toBe("US-CA");
  });

  it("client authentication as HTTP Basic is accepted; a wrong secret is invalid_client (401)", async () => {
    const basic = Buffer.from(`${REST_DEMO.clientId}:${REST_DEMO.clientSecret}`).toString("base64");
    const ok = await tokenRequest({ grant_type: "client_credentials", username: REST_DEMO.username }, { headers: { authorization: `Basic ${basic}` } });
    expect(ok.status).toBe(200);
    const bad = await clientCredentials({ client_secret: "not-the-secret" });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ error: "invalid_client", error_description: expect.stringContaining("Client authentication failed") });
    expect(JSON.stringify(bad.body)).not.toContain(REST_DEMO.clientSecret);
  });

  it("the documented GW errors: bad grant_type, missing client_id, empty username, no tenant, repeated client_id", async () => {
    const grant = await tokenRequest({ grant_type: "password", client_id: REST_DEMO.clientId, client_secret: REST_DEMO.clientSecret });
    expect(grant.status).toBe(400);
    expect(grant.body["ia::result"]["ia::error"]).toMatchObject({ code: "GW-0032" });
    expect((await tokenRequest({ grant_type: "client_credentials" })).body["ia::result"]["ia::error"].code).toBe("GW-0037");
    expect((await clientCredentials({ username: "" })).body["ia::result"]["ia::error"].code).toBe("GW-0036");
    expect((await clientCredentials({ username: "xml_gateway" })).body["ia::result"]["ia::error"].code).toBe("GW-0012");
    const repeated = await fetch(`${base}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_id=${REST_DEMO.clientId}&client_id=x&client_secret=${REST_DEMO.clientSecret}&username=${encodeURIComponent(REST_DEMO.username)}`,
    });
    expect(((await repeated.json()) as Json)["ia::result"]["ia::error"].code).toBe("GW-0038");
  });

  it("unknown company, user or entity: invalid_grant 'The provided credentials are invalid'", async () => {
    for (const username of ["xml_gateway@NO-SUCH-CO", "nobody@LEDGERLINE-DEMO", "xml_gateway@LEDGERLINE-DEMO|NO-ENTITY"]) {
      const res = await clientCredentials({ username });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: "invalid_grant", error_description: "The provided credentials are invalid" });
    }
  });

  it("refresh rotates the refresh token; the old one and one ended by a newer grant answer 401 tokenInvalid REST-2102", async () => {
    const first = await clientCredentials();
    const refresh = (rt: string) => tokenRequest({ grant_type: "refresh_token", refresh_token: rt, client_id: REST_DEMO.clientId, client_secret: REST_DEMO.clientSecret });
    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    const reused = await refresh(first.body.refresh_token);
    expect(reused.status).toBe(401);
    expect(reused.body["ia::result"]["ia::error"]).toMatchObject({ code: "tokenInvalid", errorId: "REST-2102", additionalInfo: { messageId: "IA.TOKEN_IS_INVALID" } });
    // A new grant for the same client, user and company ends the previous refresh token.
    await clientCredentials();
    expect((await refresh(second.body.refresh_token)).status).toBe(401);
  });

  it("authorization code: authorize redirects with code and state; the code is exchanged once; offline_access gives a refresh token", async () => {
    const redirect = "https://app.example/callback";
    const res = await fetch(`${base}/oauth2/authorize?response_type=code&client_id=${REST_DEMO.clientId}&redirect_uri=${encodeURIComponent(redirect)}&state=s-42&scope=offline_access`, { redirect: "manual" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(redirect);
    expect(location.searchParams.get("state")).toBe("s-42");
    const code = location.searchParams.get("code")!;
    const exchange = { grant_type: "authorization_code", code, redirect_uri: redirect, client_id: REST_DEMO.clientId, client_secret: REST_DEMO.clientSecret };
    const granted = await tokenRequest(exchange);
    expect(granted.status).toBe(200);
    expect(granted.body.refresh_token).toEqual(expect.any(String));
    expect((await tokenRequest(exchange)).body).toMatchObject({ error: "invalid_grant" });
  });

  it("API calls: no Bearer is GW-0034, an unknown or expired token is GW-0031 (401)", async () => {
    const noBearer = await fetch(`${base}/objects/general-ledger/account`, { headers: { authorization: "Basic abc" } });
    expect(noBearer.status).toBe(401);
    expect(((await noBearer.json()) as Json)["ia::result"]["ia::error"].code).toBe("GW-0034");
    expect((await api("GET", "/objects/general-ledger/account", undefined, {}, "not.a.token")).body["ia::result"]["ia::error"].code).toBe("GW-0031");
    const t = await token();
    kit.clock.now = START + 43_200_000 + 1000;
    const expired = await api("GET", "/objects/general-ledger/account", undefined, {}, t);
    expect(expired.status).toBe(401);
    expect(expired.body["ia::result"]["ia::error"].code).toBe("GW-0031");
  });
});

describe("objects: create, read, update, delete", () => {
  it("POST a journal entry: 201 with key, id and href; GET answers it; the XML gateway reads the same GLBATCH", async () => {
    const created = await api("POST", "/objects/general-ledger/journal-entry", journalEntry());
    expect(created.status).toBe(201);
    const key = created.body["ia::result"].key as string;
    expect(created.body).toEqual({ "ia::result": { key, id: key, href: `/objects/general-ledger/journal-entry/${key}` }, "ia::meta": { totalCount: 1, totalSuccess: 1, totalError: 0 } });

    const read = await api("GET", `/objects/general-ledger/journal-entry/${key}`);
    expect(read.status).toBe(200);
    expect(read.body["ia::result"]).toMatchObject({
      key,
      glJournal: { id: "GJ" },
      postingDate: "2024-06-30",
      referenceNumber: "REST-JE-1",
      state: "posted",
      lines: [
        { glAccount: { id: "6200" }, txnType: "debit", txnAmount: "125.40", dimensions: { department: { id: "FIN" }, location: { id: "US-CA" } } },
        { glAccount: { id: "2200" }, txnType: "credit", txnAmount: "125.40" },
      ],
    });

    const gateway = await xml(xmlRequest(`<read><object>GLBATCH</object><keys>${key}</keys><fields>*</fields></read>`));
    expect(gateway).toContain(`<RECORDNO>${key}</RECORDNO>`);
    expect(gateway).toContain("<REFERENCENO>REST-JE-1</REFERENCENO>");
    expect(gateway).toContain("<BATCH_DATE>06/30/2024</BATCH_DATE>");
    expect(gateway).toMatch(/<ACCOUNTNO>6200<\/ACCOUNTNO>[\s\S]*<TR_TYPE>1<\/TR_TYPE>[\s\S]*<TRX_AMOUNT>125.40<\/TRX_AMOUNT>/);
    const stored = (await kit.state()).companies[DEMO_COMPANY].records.GLBATCH!.find((b) => b.RECORDNO === key)!;
    expect(stored).toMatchObject({ JOURNAL: "GJ", STATE: "Posted", CREATEDBY: "rest_api" });
  });

  it("a GLBATCH created on the XML gateway is read over REST", async () => {
    const out = await xml(
      xmlRequest(
        `<create><GLBATCH><JOURNAL>GJ</JOURNAL><BATCH_DATE>06/15/2024</BATCH_DATE><BATCH_TITLE>From XML</BATCH_TITLE><REFERENCENO>XML-1</REFERENCENO><ENTRIES>` +
          `<GLENTRY><ACCOUNTNO>6200</ACCOUNTNO><TR_TYPE>1</TR_TYPE><TRX_AMOUNT>10.05</TRX_AMOUNT></GLENTRY><GLENTRY><ACCOUNTNO>2200</ACCOUNTNO><TR_TYPE>-1</TR_TYPE><TRX_AMOUNT>10.05</TRX_AMOUNT></GLENTRY></ENTRIES></GLBATCH></create>`,
      ),
    );
    const key = /<RECORDNO>(\d+)<\/RECORDNO>/.exec(out)![1]!;
    const read = await api("GET", `/objects/general-ledger/journal-entry/${key}`);
    expect(read.body["ia::result"]).toMatchObject({ referenceNumber: "XML-1", postingDate: "2024-06-15", description: "From XML", lines: [{ txnType: "debit", txnAmount: "10.05" }, { txnType: "credit", txnAmount: "10.05" }] });
  });

  it("a comma list of keys reads a batch; a key that does not exist is 404 notFound", async () => {
    const a = (await api("POST", "/objects/general-ledger/journal-entry", journalEntry("A"))).body["ia::result"].key;
    const b = (await api("POST", "/objects/general-ledger/journal-entry", journalEntry("B"))).body["ia::result"].key;
    const both = await api("GET", `/objects/general-ledger/journal-entry/${a},${b}`);
    expect(both.body["ia::result"].map((r: Json) => r.referenceNumber)).toEqual(["A", "B"]);
    const missing = await api("GET", "/objects/general-ledger/journal-entry/999999");
    expect(missing.status).toBe(404);
    expect(missing.body["ia::result"]["ia::error"]).toMatchObject({ code: "notFound" });
  });

  it("GET of a collection lists key, id and href only, 100 a page", async () => {
    const list = await api("GET", "/objects/accounts-payable/vendor");
    expect(list.status).toBe(200);
    expect(Object.keys(list.body["ia::result"][0]).sort()).toEqual(["href", "id", "key"]);
    expect(list.body["ia::result"][0].href).toBe(`/objects/accounts-payable/vendor/${list.body["ia::result"][0].key}`);
    expect(list.body["ia::meta"]).toMatchObject({ start: 1, pageSize: 100, next: null, previous: null });
  });

  it("an unknown field is 400 with the field's pointer; state other than draft is refused; a missing postingDate too", async () => {
    const bad = await api("POST", "/objects/general-ledger/journal-entry", { ...journalEntry(), newDate: "2024-01-01" });
    expect(bad.status).toBe(400);
    expect(bad.body["ia::result"]["ia::error"]).toMatchObject({ code: "invalidRequest", errorId: "REST-1064", details: [{ code: "invalidRequest", errorId: "REST-1043", target: "/newDate", message: "/newDate is not a valid field" }] });
    expect(bad.body["ia::meta"]).toEqual({ totalCount: 1, totalSuccess: 0, totalError: 1 });
    expect((await api("POST", "/objects/general-ledger/journal-entry", { ...journalEntry(), state: "posted" })).status).toBe(400);
    const { postingDate: _p, ...noDate } = journalEntry();
    expect((await api("POST", "/objects/general-ledger/journal-entry", noDate)).body["ia::result"]["ia::error"].details[0].target).toBe("/postingDate");
  });

  it("business failures are 422 with the gateway's error numbers: unbalanced, closed period, unknown account", async () => {
    const unbalanced = journalEntry();
    unbalanced.lines[1]!.txnAmount = "125.39";
    const u = await api("POST", "/objects/general-ledger/journal-entry", unbalanced);
    expect(u.status).toBe(422);
    expect(u.body["ia::result"]["ia::error"]).toMatchObject({ code: "operationFailed", errorId: "BL03000018", message: expect.stringContaining("not balanced: debits 125.40 and credits 125.39") });

    await fetch(`${kit.server.url}/__sandbox/periods`, { method: "POST", body: JSON.stringify({ period: "2024-06", closed: true }) });
    const closed = await api("POST", "/objects/general-ledger/journal-entry", journalEntry());
    expect(closed.status).toBe(422);
    expect(closed.body["ia::result"]["ia::error"].errorId).toBe("BL03002105");
    await fetch(`${kit.server.url}/__sandbox/periods`, { method: "POST", body: JSON.stringify({ period: "2024-06", closed: false }) });

    const unknown = journalEntry();
    unknown.lines[0]!.glAccount.id = "9999";
    const n = await api("POST", "/objects/general-ledger/journal-entry", unknown);
    expect(n.status).toBe(422);
    expect(n.body["ia::result"]["ia::error"].message).toMatch(/Invalid (GL )?Account '9999'/i);
    expect((await kit.state()).companies[DEMO_COMPANY].records.GLBATCH).toHaveLength(0);
  });

  it("the error body's top-level form when the sandbox is set to it", async () => {
    await fetch(`${kit.server.url}/__sandbox/rest-settings`, { method: "POST", body: JSON.stringify({ errorShape: "top-level" }) });
    const res = await api("GET", "/objects/general-ledger/journal-entry/424242");
    expect(res.body["ia::error"]).toMatchObject({ code: "notFound" });
    expect(res.body["ia::result"]).toBeUndefined();
  });

  it("PATCH owned lines in one atomic call: add without key, update with key, delete with ia::operation; 200 with the reference", async () => {
    const key = (await api("POST", "/objects/general-ledger/journal-entry", journalEntry())).body["ia::result"].key;
    const lines = (await api("GET", `/objects/general-ledger/journal-entry/${key}`)).body["ia::result"].lines as Json[];
    const patched = await api("PATCH", `/objects/general-ledger/journal-entry/${key}`, {
      description: "Accrual, split",
      lines: [
        { key: lines[0]!.key, txnAmount: "100.00" },
        { key: lines[1]!.key, "ia::operation": "delete" },
        { glAccount: { id: "2200" }, txnType: "credit", txnAmount: "60.00" },
        { glAccount: { id: "2290" }, txnType: "credit", txnAmount: "40.00" },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.body["ia::result"]).toEqual({ key, id: key, href: `/objects/general-ledger/journal-entry/${key}` });
    const after = (await api("GET", `/objects/general-ledger/journal-entry/${key}`)).body["ia::result"];
    expect(after.description).toBe("Accrual, split");
    expect(after.lines.map((l: Json) => [l.glAccount.id, l.txnType, l.txnAmount])).toEqual([["6200", "debit", "100.00"], ["2200", "credit", "60.00"], ["2290", "credit", "40.00"]]);
    expect(after.lines[0].key).toBe(lines[0]!.key);

    // An unbalanced result changes nothing (atomic).
    const refused = await api("PATCH", `/objects/general-ledger/journal-entry/${key}`, { lines: [{ key: lines[0]!.key, txnAmount: "99.00" }] });
    expect(refused.status).toBe(422);
    expect((await api("GET", `/objects/general-ledger/journal-entry/${key}`)).body["ia::result"].lines[0].txnAmount).toBe("100.00");
  });

  it("PATCH a vendor changes only the fields given; the XML gateway reads the change", async () => {
    const [row] = (await api("POST", "/services/core/query", { object: "accounts-payable/vendor", fields: ["key", "id"], filters: [{ $eq: { id: "V100" } }] })).body["ia::result"];
    const res = await api("PATCH", `/objects/accounts-payable/vendor/${row.key}`, { contacts: { default: { email1: "ap@northwind.example" } } });
    expect(res.status).toBe(200);
    const gateway = await xml(xmlRequest(`<readByQuery><object>VENDOR</object><fields>VENDORID,NAME,DISPLAYCONTACT.EMAIL1</fields><query>VENDORID = 'V100'</query><pagesize>1</pagesize></readByQuery>`));
    expect(gateway).toContain("<EMAIL1>ap@northwind.example</EMAIL1>");
    expect((await api("PATCH", `/objects/accounts-payable/vendor/${row.key}`, { id: "V999" })).status).toBe(400);
  });

  it("DELETE answers 204 without a body and the audit trail records the deletion; again is 404", async () => {
    const key = (await api("POST", "/objects/general-ledger/journal-entry", journalEntry())).body["ia::result"].key;
    const res = await fetch(`${base}/objects/general-ledger/journal-entry/${key}`, { method: "DELETE", headers: { authorization: `Bearer ${await token()}` } });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const records = (await kit.state()).companies[DEMO_COMPANY].records;
    expect(records.GLBATCH).toHaveLength(0);
    expect(records.AUDITHISTORY!.at(-1)).toMatchObject({ OBJECTTYPE: "glbatch", OBJECTKEY: key, ACCESSMODE: "Deleted", SOURCE: "rest" });
    expect((await api("DELETE", `/objects/general-ledger/journal-entry/${key}`)).status).toBe(404);
  });

  it("a batch (JSON array) answers 207 with each record's ia::status", async () => {
    const bad = journalEntry("BATCH-2");
    bad.lines[0]!.glAccount.id = "9999";
    const res = await api("POST", "/objects/general-ledger/journal-entry", [journalEntry("BATCH-1"), bad]);
    expect(res.status).toBe(207);
    expect(res.body["ia::meta"]).toEqual({ totalCount: 2, totalSuccess: 1, totalError: 1 });
    expect(res.body["ia::result"][0]).toMatchObject({ "ia::status": 201, key: expect.any(String) });
    expect(res.body["ia::result"][1]).toMatchObject({ "ia::status": 422, "ia::error": { code: "operationFailed" } });
  });

  it("an AP bill created over REST is an APBILL on the gateway, vendor and lines included", async () => {
    const res = await api("POST", "/objects/accounts-payable/bill", {
      billNumber: "B-1",
      vendor: { id: "V100" },
      createdDate: "2024-06-30",
      dueDate: "2024-07-30",
      lines: [{ glAccount: { id: "6200" }, txnAmount: "10.00", memo: "Paper", dimensions: { department: { id: "FIN" } } }],
    });
    expect(res.status).toBe(201);
    const gateway = await xml(xmlRequest(`<read><object>APBILL</object><keys>${res.body["ia::result"].key}</keys><fields>*</fields></read>`));
    expect(gateway).toContain("<RECORDID>B-1</RECORDID>");
    expect(gateway).toContain("<VENDORID>V100</VENDORID>");
    expect(gateway).toContain("<TOTALENTERED>10.00</TOTALENTERED>");
    expect(gateway).toContain("<DEPARTMENTID>FIN</DEPARTMENTID>");
  });

  it("what the sandbox does not serve answers 405 (AR invoice create, bill PATCH) and an unknown object 404", async () => {
    expect((await api("POST", "/objects/accounts-receivable/invoice", { customer: { id: "C100" } })).status).toBe(405);
    expect((await api("POST", "/objects/no-such/thing", {})).status).toBe(404);
  });
});

describe("query service", () => {
  it("object, fields, filters, filterExpression, orderBy, start and size; integer next and previous", async () => {
    const q = (body: Json) => api("POST", "/services/core/query", body);
    const all = await q({ object: "general-ledger/account", fields: ["id", "name"], orderBy: [{ id: "asc" }], size: 2 });
    expect(all.status).toBe(200);
    expect(all.body["ia::result"]).toHaveLength(2);
    expect(Object.keys(all.body["ia::result"][0]).sort()).toEqual(["id", "name"]);
    const total = all.body["ia::meta"].totalCount as number;
    expect(all.body["ia::meta"]).toEqual({ totalCount: total, start: 1, pageSize: 2, next: 3, previous: null });
    const second = await q({ object: "general-ledger/account", fields: ["id"], orderBy: [{ id: "asc" }], start: 3, size: 2 });
    expect(second.body["ia::meta"]).toMatchObject({ start: 3, previous: 1 });
    expect(second.body["ia::result"][0].id > all.body["ia::result"][1].id).toBe(true);

    const filtered = await q({
      object: "general-ledger/account",
      fields: ["id"],
      filters: [{ $eq: { id: "6200" } }, { $eq: { id: "2200" } }, { $startsWith: { id: "12" } }],
      filterExpression: "(1 or 2) or 3",
      orderBy: [{ id: "desc" }],
    });
    expect(filtered.body["ia::result"].map((r: Json) => r.id)).toEqual(["6200", "2200", "1200"]);
    const inList = await q({ object: "general-ledger/account", fields: ["id"], filters: [{ $in: { id: ["6200", "2200"] } }], orderBy: [{ id: "asc" }] });
    expect(inList.body["ia::result"]).toEqual([{ id: "2200" }, { id: "6200" }]);
  });

  it("dot notation reaches a referenced object; dates filter in their REST form", async () => {
    await api("POST", "/objects/general-ledger/journal-entry", journalEntry("Q-1"));
    const res = await api("POST", "/services/core/query", {
      object: "general-ledger/journal-entry",
      fields: ["key", "glJournal.id", "referenceNumber"],
      filters: [{ $eq: { "glJournal.id": "GJ" } }, { $gte: { postingDate: "2024-06-01" } }],
    });
    expect(res.body["ia::result"]).toEqual([{ key: expect.any(String), "glJournal.id": "GJ", referenceNumber: "Q-1" }]);
  });

  it("refuses *, an unknown field, size over 4000 and top-level includePrivate (400)", async () => {
    const q = (body: Json) => api("POST", "/services/core/query", body);
    expect((await q({ object: "general-ledger/account", fields: ["*"] })).status).toBe(400);
    expect((await q({ object: "general-ledger/account", fields: ["nope"] })).body["ia::result"]["ia::error"].details[0].message).toContain("nope is not a valid field");
    expect((await q({ object: "general-ledger/account", fields: ["id"], size: 4001 })).status).toBe(400);
    const top = await q({ object: "general-ledger/account", fields: ["id"], includePrivate: true });
    expect(top.status).toBe(400);
    expect((await q({ object: "general-ledger/account", fields: ["id"], filterParameters: { includePrivate: true } })).status).toBe(200);
  });

  it("case-insensitive comparison with filterParameters.caseSensitiveComparison false", async () => {
    const q = (cs: boolean) => api("POST", "/services/core/query", { object: "accounts-payable/vendor", fields: ["id"], filters: [{ $eq: { id: "v100" } }], filterParameters: { caseSensitiveComparison: cs } });
    expect((await q(true)).body["ia::result"]).toEqual([]);
    expect((await q(false)).body["ia::result"]).toEqual([{ id: "V100" }]);
  });
});

describe("limits, idempotency, entity", () => {
  it("a rate limit is 429 GW-0010 with Retry-After and the X-IA-Throttle headers", async () => {
    const t = await token();
    await kit.faults({ queue: ["rateLimit"], retryAfterSeconds: 7 });
    const res = await api("GET", "/objects/general-ledger/account", undefined, {}, t);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.headers.get("x-ia-throttle-limit-remaining")).toBe("0");
    expect(res.headers.get("x-ia-throttle-limit-retryafter")).toBe("7");
    expect(res.body["ia::result"]["ia::error"]).toMatchObject({ code: "GW-0010" });
  });

  it("server faults: 502 GW-0001 and nothing applied; a gateway timeout applies the write, then answers 524; a lost answer applies it and closes the socket", async () => {
    const t = await token();
    await kit.faults({ queue: ["serverError"] });
    const failed = await api("POST", "/objects/general-ledger/journal-entry", journalEntry("F-1"), {}, t);
    expect(failed.status).toBe(502);
    expect(failed.body["ia::result"]["ia::error"].code).toBe("GW-0001");
    await kit.faults({ queue: ["gatewayTimeout"] });
    const timedOut = await fetch(`${base}/objects/general-ledger/journal-entry`, { method: "POST", headers: { authorization: `Bearer ${t}`, "content-type": "application/json" }, body: JSON.stringify(journalEntry("F-2")) });
    expect(timedOut.status).toBe(524);
    expect(timedOut.headers.get("content-type")).toContain("text/html");
    await kit.faults({ queue: ["dropAfterWrite"] });
    await expect(api("POST", "/objects/general-ledger/journal-entry", journalEntry("F-3"), {}, t)).rejects.toThrow();
    expect((await kit.state()).companies[DEMO_COMPANY].records.GLBATCH!.map((b) => b.REFERENCENO)).toEqual(["F-2", "F-3"]);
  });

  it("Idempotency-Key: a replay answers the first 201 with x-ia-idempotency-cached-date and posts nothing; another body is 409", async () => {
    const headers = { "idempotency-key": "intacct:glbatch:GJ:REST-JE-1" };
    const first = await api("POST", "/objects/general-ledger/journal-entry", journalEntry(), headers);
    expect(first.status).toBe(201);
    expect(first.headers.get("x-ia-idempotency-cached-date")).toBeNull();
    kit.clock.now += 3600_000;
    const replay = await api("POST", "/objects/general-ledger/journal-entry", journalEntry(), headers);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get("x-ia-idempotency-cached-date")).toBe(new Date(START).toISOString());
    const other = await api("POST", "/objects/general-ledger/journal-entry", journalEntry("REST-JE-2"), headers);
    expect(other.status).toBe(409);
    expect(other.body["ia::result"]["ia::error"].code).toBe("conflict");
    expect((await kit.state()).companies[DEMO_COMPANY].records.GLBATCH).toHaveLength(1);
  });

  it("entity: the header (or the token's entity) must be an entity; lines without a location take it; a misspelt header is ignored", async () => {
    const unknown = await api("POST", "/objects/general-ledger/journal-entry", journalEntry(), { "x-ia-api-param-entity": "NOPE" });
    expect(unknown.status).toBe(400);
    const created = await api("POST", "/objects/general-ledger/journal-entry", journalEntry("ENT-1"), { "x-ia-api-param-entity": "US-NY" });
    const read = (await api("GET", `/objects/general-ledger/journal-entry/${created.body["ia::result"].key}`)).body["ia::result"];
    expect(read.lines.map((l: Json) => l.dimensions?.location?.id)).toEqual(["US-CA", "US-NY"]);
    const scoped = await token(`${REST_DEMO.username}|US-NY`);
    const viaToken = await api("POST", "/objects/general-ledger/journal-entry", journalEntry("ENT-2"), {}, scoped);
    expect((await api("GET", `/objects/general-ledger/journal-entry/${viaToken.body["ia::result"].key}`)).body["ia::result"].lines[1].dimensions.location.id).toBe("US-NY");
    const ignored = await api("POST", "/objects/general-ledger/journal-entry", journalEntry("ENT-3"), { "sage-param-entity": "US-NY" });
    expect((await api("GET", `/objects/general-ledger/journal-entry/${ignored.body["ia::result"].key}`)).body["ia::result"].lines[1].dimensions).toBeUndefined();
  });

  it("GET /services/core/session/id gives an XML gateway session for the token's user", async () => {
    const res = await api("GET", "/services/core/session/id");
    expect(res.status).toBe(200);
    const { sessionId, expiresIn } = res.body["ia::result"];
    expect(expiresIn).toBe(3600);
    const body =
      `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>LEDGERLINE_SANDBOX</senderid><password>sandbox-sender-pw</password><controlid>t</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>` +
      `<operation><authentication><sessionid>${sessionId}</sessionid></authentication><content><function controlid="f"><readByQuery><object>GLJOURNAL</object><fields>SYMBOL</fields><query></query><pagesize>1</pagesize></readByQuery></function></content></operation></request>`;
    expect(await xml(body)).toContain("<status>success</status>");
  });

  it("an XML body sent to REST is GW-0014", async () => {
    const res = await fetch(`${base}/objects/general-ledger/journal-entry`, { method: "POST", headers: { authorization: `Bearer ${await token()}`, "content-type": "application/xml" }, body: "<request/>" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json)["ia::result"]["ia::error"].code).toBe("GW-0014");
  });
});
