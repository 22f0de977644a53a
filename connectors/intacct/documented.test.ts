/**
 * The client against responses shaped exactly like the documented examples (API notes A3-A5,
 * taken from Intacct's docs and the official SDK fixtures), served by a plain HTTP server.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PermanentError, RetryableError, localEnv, memoryStateStore } from "../sdk";
import { intacct } from "./index";

const control = `<control><status>success</status><senderid>testsenderid</senderid><controlid>requestUnitTest</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>`;
const auth = `<authentication><status>success</status><userid>testuser</userid><companyid>testcompany</companyid><locationid></locationid><sessiontimestamp>2015-12-06T15:57:08-08:00</sessiontimestamp></authentication>`;
const wrap = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<response>${control}<operation>${inner}</operation></response>`;
const controlIdOf = (body: string) => /<function controlid="([^"]+)"/.exec(body)?.[1] ?? "";

let server: Server;
let url = "";
const seen: string[] = [];
let refuseNextSession = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      seen.push(body);
      const id = controlIdOf(body);
      const xml = (status: number, text: string) => {
        res.writeHead(status, { "content-type": "text/xml; charset=UTF-8" });
        res.end(text);
      };
      if (body.includes("<userid>bad</userid>")) {
        // PHP SDK fixture: HTTP 401 with an XML body.
        return xml(
          401,
          `<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status><senderid>testsenderid</senderid><controlid>unittest</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><errormessage><error><errorno>XMLGW_JPP0002</errorno><description>Sign-in information is incorrect. Please check your request.</description><description2></description2><correction></correction></error></errormessage></response>`,
        );
      }
      if (body.includes("<getAPISession/>")) {
        // A3: the SDK fixture, endpoint pointed at this server.
        return xml(
          200,
          wrap(`${auth}<result><status>success</status><function>getAPISession</function><controlid>${id}</controlid><data><api><sessionid>fAkESesSiOnId..</sessionid><endpoint>${url}/ia/xml/xmlgw.phtml</endpoint><locationid></locationid></api></data></result>`),
        );
      }
      if (refuseNextSession && body.includes("<sessionid>")) {
        refuseNextSession = false;
        // A3: authentication-level failure shape.
        return xml(
          200,
          wrap(`<authentication><status>failure</status><userid>testuser</userid><companyid>testcompany</companyid></authentication><errormessage><error><errorno>XL03000006</errorno><description></description><description2>Sign-in information is incorrect</description2><correction></correction></error></errormessage>`),
        );
      }
      if (body.includes("<object>DEPARTMENT</object>")) {
        return xml(
          200,
          wrap(`${auth}<result><status>success</status><function>readByQuery</function><controlid>${id}</controlid><data listtype="department" count="0" totalcount="0" numremaining="0" resultId=""/></result>`),
        );
      }
      if (body.includes("<query><object>APBILL</object>")) {
        return xml(
          200,
          wrap(
            `${auth}<result><status>success</status><function>query</function><controlid>${id}</controlid><data listtype="APBILL" totalcount="2" offset="0" count="2" numremaining="0">` +
              `<APBILL><RECORDNO>208</RECORDNO><VENDORNAME>Regal Services</VENDORNAME></APBILL><APBILL><RECORDNO>209</RECORDNO><VENDORNAME>Regal Services</VENDORNAME></APBILL></data></result>`,
          ),
        );
      }
      if (body.includes("<create>")) {
        // transaction="true" with one failed function: the other is aborted with XL03000009.
        const ids = [...body.matchAll(/<function controlid="([^"]+)"/g)].map((m) => m[1]);
        return xml(
          200,
          wrap(
            `${auth}<result><status>aborted</status><function>create</function><controlid>${ids[0]}</controlid><errormessage><error><errorno>XL03000009</errorno><description></description><description2>The entire transaction in this operation has been rolled back due to an error.</description2><correction></correction></error></errormessage></result>` +
              `<result><status>failure</status><function>create</function><controlid>${ids[1]}</controlid><errormessage><error><errorno>BL01001973</errorno><description></description><description2>Another Class with the given value(s) UT01  already exists</description2><correction>Use a unique value instead.</correction></error>` +
              `<error><errorno>BL01001973</errorno><description></description><description2>Could not create class record!</description2><correction></correction></error></errormessage></result>`,
          ),
        );
      }
      // A4: gateway rate limit as a control failure.
      return xml(
        429,
        `<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status><senderid>testsenderid</senderid><controlid>x</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><errormessage><error><errorno>GW-0010</errorno><description>API rate limit exceeded</description><description2></description2><correction></correction></error></errormessage></response>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function client(userId = "testuser", now = 1_700_000_000_000) {
  const env = localEnv(intacct, {
    config: { baseUrl: url, senderId: "testsenderid", companyId: "testcompany", userId },
    secrets: { senderPassword: "pass123!", userPassword: "pass456!" },
    state: memoryStateStore(),
    now: () => now,
  });
  return { env, client: intacct.createClient(env) };
}

describe("documented response shapes", () => {
  it("reads the getAPISession fixture and assumes the configured lifetime when no sessiontimeout is given", async () => {
    const { env, client: c } = client();
    const rows = await c.readByQuery("DEPARTMENT", "");
    expect(rows).toEqual([]);
    const state = await env.state.get<{ sessionId: string; expiresAt: number; reported: boolean; endpoint: string }>();
    expect(state).toMatchObject({ sessionId: "fAkESesSiOnId..", expiresAt: 1_700_000_000_000 + 50 * 60_000, reported: false, endpoint: `${url}/ia/xml/xmlgw.phtml` });
    expect(JSON.stringify(env.calls)).not.toContain("fAkESesSiOnId..");
  });

  it("reads the documented query response", async () => {
    const { client: c } = client();
    const page = await c.query({ object: "APBILL", select: ["RECORDNO", "VENDORNAME"], filter: { field: "VENDORNAME", operator: "equalto", value: "Regal Services" }, pageSize: 100, offset: 0 });
    expect(page).toEqual({
      records: [
        { RECORDNO: "208", VENDORNAME: "Regal Services" },
        { RECORDNO: "209", VENDORNAME: "Regal Services" },
      ],
      totalCount: 2,
      offset: 0,
      numRemaining: 0,
    });
    expect(seen.at(-1)).toContain(
      "<query><object>APBILL</object><select><field>RECORDNO</field><field>VENDORNAME</field></select><filter><equalto><field>VENDORNAME</field><value>Regal Services</value></equalto></filter><pagesize>100</pagesize><offset>0</offset></query>",
    );
  });

  it("renews the session after the documented authentication failure", async () => {
    const { env, client: c } = client();
    await c.readByQuery("DEPARTMENT", "");
    refuseNextSession = true;
    await c.readByQuery("DEPARTMENT", "");
    expect(env.calls.map((x) => x.label)).toEqual([
      "Intacct getAPISession",
      "Intacct readByQuery DEPARTMENT",
      "Intacct readByQuery DEPARTMENT",
      "Intacct getAPISession",
      "Intacct readByQuery DEPARTMENT",
    ]);
  });

  it("maps aborted and failed results of a transaction", async () => {
    const { client: c } = client();
    const results = await c.batch(
      [
        { name: "create", body: { CLASS: { CLASSID: "UT00", NAME: "ok" } } },
        { name: "create", body: { CLASS: { CLASSID: "UT01", NAME: "dup" } } },
      ],
      { write: true, transaction: true },
    );
    expect(results.map((r) => r.status)).toEqual(["aborted", "failure"]);
    expect(results[0].error).toBeInstanceOf(PermanentError);
    expect(results[1].error?.message).toBe(
      "Intacct create CLASS failed: BL01001973 Another Class with the given value(s) UT01  already exists Correction: Use a unique value instead.; BL01001973 Could not create class record!",
    );
  });

  it("HTTP 401 with an XML body is a permanent sign-in failure", async () => {
    const { client: c } = client("bad");
    const error = await c.readByQuery("DEPARTMENT", "").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).status).toBe(401);
    expect((error as PermanentError).code).toBe("XMLGW_JPP0002");
  });

  it("GW-0010 with HTTP 429 is retryable", async () => {
    const { client: c } = client();
    const error = await c.readByQuery("VENDOR", "").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).code).toBe("GW-0010");
  });
});
