/** The sandbox on the wire: raw XML requests, as a client written from Intacct's docs sends them. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO } from "./sandbox";
import { DEMO_COMPANY, START, startKit, type Kit } from "./testkit";
import { parseXml } from "./xml";

let kit: Kit;
beforeAll(async () => {
  kit = await startKit({ sessionDurationSeconds: 600 });
});
afterAll(() => kit.close());
beforeEach(async () => {
  await kit.reset();
  kit.clock.now = START;
});

function envelope(auth: string, functions: string, opts: { uniqueid?: string; transaction?: boolean } = {}) {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${DEMO.senderId}</senderid><password>${DEMO.senderPassword}</password>` +
    `<controlid>t1</controlid><uniqueid>${opts.uniqueid ?? "false"}</uniqueid><dtdversion>3.0</dtdversion></control>` +
    `<operation transaction="${opts.transaction ? "true" : "false"}"><authentication>${auth}</authentication><content>${functions}</content></operation></request>`
  );
}
const login = `<login><userid>${DEMO.userId}</userid><companyid>${DEMO.companyId}</companyid><password>${DEMO.userPassword}</password></login>`;

// Parsed gateway XML is navigated freely in these wire-level assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

async function post(body: string): Promise<{ status: number; text: string; doc: Doc }> {
  const res = await fetch(`${kit.server.url}/ia/xml/xmlgw.phtml`, { method: "POST", headers: { "content-type": "application/xml" }, body });
  const text = await res.text();
  return { status: res.status, text, doc: parseXml(text) as Doc };
}

async function session(): Promise<string> {
  const { doc } = await post(envelope(login, `<function controlid="s1"><getAPISession/></function>`));
  return doc.response.operation.result.data.api.sessionid as string;
}

describe("sessions", () => {
  it("issues a sliding session whose timeout is reported on every response", async () => {
    const { doc } = await post(envelope(login, `<function controlid="s1"><getAPISession/></function>`));
    expect(doc.response.operation.authentication).toMatchObject({
      status: "success",
      sessiontimestamp: "2024-06-30T12:00:00+00:00",
      sessiontimeout: "2024-06-30T12:10:00+00:00",
    });
    const sid = doc.response.operation.result.data.api.sessionid as string;
    expect(doc.response.operation.result.data.api.endpoint).toBe(`${kit.server.url}/ia/xml/xmlgw.phtml`);
    kit.clock.now = START + 9 * 60_000;
    const slid = await post(envelope(`<sessionid>${sid}</sessionid>`, `<function controlid="r"><readByQuery><object>CLASS</object><fields>CLASSID</fields><query/></readByQuery></function>`));
    expect(slid.doc.response.operation.authentication.sessiontimeout).toBe("2024-06-30T12:19:00+00:00");
    kit.clock.now = START + 20 * 60_000;
    const expired = await post(envelope(`<sessionid>${sid}</sessionid>`, `<function controlid="r"><readByQuery><object>CLASS</object><fields>CLASSID</fields><query/></readByQuery></function>`));
    expect(expired.status).toBe(200);
    expect(expired.doc.response.control.status).toBe("success");
    expect(expired.doc.response.operation.authentication.status).toBe("failure");
    expect(expired.doc.response.operation.errormessage.error.errorno).toBe("XL03000006");
  });

  it("getAPISession must be alone in its request", async () => {
    const { doc } = await post(
      envelope(login, `<function controlid="s1"><getAPISession/></function><function controlid="r"><readByQuery><object>CLASS</object><query/></readByQuery></function>`),
    );
    expect(doc.response.operation.result[0].status).toBe("failure");
  });

  it("rejects a sender that is not authorized, at the control level", async () => {
    const { doc } = await post(envelope(login, `<function controlid="s1"><getAPISession/></function>`).replace(DEMO.senderPassword, "nope"));
    expect(doc.response.control.status).toBe("failure");
    expect(doc.response.errormessage.error.errorno).toBe("XL03000006");
    expect(doc.response.operation).toBeUndefined();
  });
});

describe("uniqueid and validation", () => {
  const dept = `<function controlid="dept-TAX"><create><DEPARTMENT><DEPARTMENTID>TAX</DEPARTMENTID><TITLE>Tax</TITLE></DEPARTMENT></create></function>`;

  it("uniqueid=true rejects a repeated function controlid; uniqueid=false does not check", async () => {
    const sid = await session();
    const first = await post(envelope(`<sessionid>${sid}</sessionid>`, dept, { uniqueid: "true" }));
    expect(first.doc.response.operation.result).toMatchObject({ status: "success", data: { department: { DEPARTMENTID: "TAX" } } });
    const again = await post(envelope(`<sessionid>${sid}</sessionid>`, dept, { uniqueid: "true" }));
    expect(again.doc.response.operation.result.status).toBe("failure");
    expect(again.doc.response.operation.result.errormessage.error).toMatchObject({
      errorno: "XL03000008",
      description2: "A successful transaction has already been recorded with the control id 'dept-TAX'.",
    });
    const unchecked = await post(envelope(`<sessionid>${sid}</sessionid>`, dept, { uniqueid: "false" }));
    expect(unchecked.doc.response.operation.result.errormessage.error.description2).toBe("Another Department with the given value(s) TAX already exists");
  });

  it("validates GLBATCH like the real gateway", async () => {
    const sid = await session();
    const batch = (entries: string, journal = "<JOURNAL>GJ</JOURNAL>") =>
      `<function controlid="gl"><create><GLBATCH>${journal}<BATCH_DATE>06/30/2024</BATCH_DATE><BATCH_TITLE>t</BATCH_TITLE><ENTRIES>${entries}</ENTRIES></GLBATCH></create></function>`;
    const line = (acct: string, type: string, amt: string, extra = "") => `<GLENTRY><ACCOUNTNO>${acct}</ACCOUNTNO><TR_TYPE>${type}</TR_TYPE><TRX_AMOUNT>${amt}</TRX_AMOUNT>${extra}</GLENTRY>`;
    const error = async (fn: string) => (await post(envelope(`<sessionid>${sid}</sessionid>`, fn))).doc.response.operation.result.errormessage.error;
    expect(await error(batch(line("1000", "1", "10.00") + line("4000", "-1", "9.00")))).toMatchObject({ errorno: "BL03000018" });
    expect(await error(batch(line("1000", "1", "10.00") + line("4000", "-1", "10.00"), ""))).toMatchObject({ errorno: "BL34000061", description2: "Required field Journal is missing." });
    expect(await error(batch(line("9999", "1", "10.00") + line("4000", "-1", "10.00")))).toMatchObject({ errorno: "BL01001973", description2: "Invalid GL Account '9999' specified." });
    expect(await error(batch(line("1000", "1", "10.00", "<LOCATION>MARS</LOCATION>") + line("4000", "-1", "10.00")))).toMatchObject({ description2: "Invalid Location 'MARS' specified." });
    expect(await error(batch(line("1000", "1", "1,000.00") + line("4000", "-1", "1000.00")))).toMatchObject({ errorno: "BL01001973" });
    expect((await kit.state()).companies[DEMO_COMPANY].records.GLBATCH).toHaveLength(0);
  });

  it("answers XL03000003 for characters XML 1.0 forbids and for JSON bodies", async () => {
    const sid = await session();
    const bad = await post(envelope(`<sessionid>${sid}</sessionid>`, `<function controlid="v"><create><CLASS><CLASSID>X1</CLASSID><NAME>a\u0001b</NAME></CLASS></create></function>`));
    expect(bad.doc.response.control.status).toBe("failure");
    expect(bad.doc.response.errormessage.error.errorno).toBe("XL03000003");
    const json = await post(JSON.stringify({ request: {} }));
    expect(json.doc.response.errormessage.error.errorno).toBe("XL03000003");
  });
});

describe("queries", () => {
  const rbq = async (query: string, object = "GLACCOUNT", fields = "ACCOUNTNO") => {
    const sid = await session();
    const { doc } = await post(
      envelope(`<sessionid>${sid}</sessionid>`, `<function controlid="q"><readByQuery><object>${object}</object><fields>${fields}</fields><query>${query}</query><pagesize>100</pagesize></readByQuery></function>`),
    );
    const result = doc.response.operation.result;
    if (result.status !== "success") return result.errormessage.error.description2 as string;
    const rows = result.data[object.toLowerCase()];
    return (Array.isArray(rows) ? rows : rows ? [rows] : []).map((r: Record<string, string>) => r[fields.split(",")[0]]);
  };

  it("supports the documented readByQuery operators", async () => {
    expect(await rbq("ACCOUNTNO &lt; '1300'")).toEqual(["1000", "1200"]);
    expect(await rbq("ACCOUNTNO &gt;= '6700' AND STATUS = 'active'")).toEqual(["6700", "6800", "6810"]);
    expect(await rbq("ACCOUNTNO in ('1000','2000') OR TITLE like '%Freight%'")).toEqual(["1000", "2000", "6200"]);
    expect(await rbq("ACCOUNTNO not in ('1000') AND TITLE not like '%a%' AND ACCOUNTNO &lt;= '2000'")).toEqual(["1400"]); // Inventory
    expect(await rbq("NOT (STATUS = 'active')")).toEqual(["2999"]);
    expect(await rbq("PARENTID IS NULL AND DEPARTMENTID IS NOT NULL", "DEPARTMENT", "DEPARTMENTID")).toHaveLength(5);
    expect(await rbq("NAME = 'Regal Services'", "VENDOR", "VENDORID")).toEqual(["V100"]);
    expect(await rbq("NAME = 'regal services'", "VENDOR", "VENDORID")).toEqual([]); // case-sensitive
    expect(await rbq("NAME = 'Erik\\'s Deli'", "VENDOR", "VENDORID")).toEqual([]);
    expect(await rbq("BOGUS = '1'")).toContain("Query Failed: unknown field BOGUS");
    expect(await rbq("ACCOUNTNO = ")).toContain("Query Failed");
  });

  it("supports query filters, ordering and offsets", async () => {
    const sid = await session();
    const { doc } = await post(
      envelope(
        `<sessionid>${sid}</sessionid>`,
        `<function controlid="q"><query><object>CUSTOMER</object><select><field>CUSTOMERID</field><field>DISPLAYCONTACT.MAILADDRESS.STATE</field></select>` +
          `<filter><or><in><field>DISPLAYCONTACT.MAILADDRESS.STATE</field><value>CA</value><value>TX</value></in><like><field>NAME</field><value>stark%</value></like></or></filter>` +
          `<orderby><order><field>CUSTOMERID</field><descending/></order></orderby><options><caseinsensitive>true</caseinsensitive></options><pagesize>2</pagesize><offset>1</offset></query></function>`,
      ),
    );
    const data = doc.response.operation.result.data;
    expect(data["@totalcount"]).toBe("3");
    expect(data["@offset"]).toBe("1");
    expect(data["@count"]).toBe("2");
    expect(data["@numremaining"]).toBe("0");
    expect(data.CUSTOMER.map((c: { CUSTOMERID: string }) => c.CUSTOMERID)).toEqual(["C300", "C100"]);
  });
});

describe("admin routes", () => {
  it("exposes state read-only, settings and reset", async () => {
    const state = await kit.state();
    expect(Object.keys(state.companies[DEMO_COMPANY].records)).toEqual(
      expect.arrayContaining(["GLACCOUNT", "DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "VENDOR", "CUSTOMER", "SODOCUMENT", "ARINVOICE", "GLBATCH", "APBILL", "APADJUSTMENT", "PODOCUMENT"]),
    );
    const put = await fetch(`${kit.server.url}/__sandbox/state`, { method: "POST" });
    expect(put.status).toBe(404);
    const bad = await fetch(`${kit.server.url}/__sandbox/settings`, { method: "POST", body: JSON.stringify({ concurrencyLimit: "many" }) });
    expect(bad.status).toBe(400);
    const wrongPath = await fetch(`${kit.server.url}/ia/xml/other`, { method: "POST", body: "<x/>" });
    expect(wrongPath.status).toBe(404);
  });
});
