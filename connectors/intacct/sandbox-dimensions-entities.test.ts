/**
 * The sandbox on the wire for user-defined dimensions and entities: raw XML requests as a client
 * written from Intacct's docs sends them (getDimensions, GLDIM<NAME> line fields, legacy
 * customfields, getAPISession with locationid), and the answers as the gateway gives them.
 */
import { describe, expect, it } from "vitest";
import { DEMO } from "./sandbox";
import { sandboxKit } from "./testkit";
import { parseXml } from "./xml";

const kit = sandboxKit();

function envelope(auth: string, functions: string, uniqueid = "false") {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><request><control><senderid>${DEMO.senderId}</senderid><password>${DEMO.senderPassword}</password>` +
    `<controlid>t1</controlid><uniqueid>${uniqueid}</uniqueid><dtdversion>3.0</dtdversion></control>` +
    `<operation transaction="false"><authentication>${auth}</authentication><content>${functions}</content></operation></request>`
  );
}
const login = (company: string, locationid?: string, userId: string = DEMO.userId) =>
  `<login><userid>${userId}</userid><companyid>${company}</companyid><password>${DEMO.userPassword}</password>${locationid === undefined ? "" : `<locationid>${locationid}</locationid>`}</login>`;

// Parsed gateway XML is navigated freely in these wire-level assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

async function post(body: string): Promise<Doc> {
  const res = await fetch(`${kit.server.url}/ia/xml/xmlgw.phtml`, { method: "POST", headers: { "content-type": "application/xml" }, body });
  expect(res.status).toBe(200);
  return parseXml(await res.text()) as Doc;
}

async function session(company: string, locationid?: string): Promise<string> {
  const doc = await post(envelope(login(company, locationid), `<function controlid="s1"><getAPISession/></function>`));
  expect(doc.response.operation.authentication.status).toBe("success");
  return doc.response.operation.result.data.api.sessionid as string;
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const glbatch = (ref: string, lines: string) =>
  `<create><GLBATCH><JOURNAL>GJ</JOURNAL><BATCH_DATE>06/30/2024</BATCH_DATE><BATCH_TITLE>Channel sales ${ref}</BATCH_TITLE><REFERENCENO>${ref}</REFERENCENO><ENTRIES>${lines}</ENTRIES></GLBATCH></create>`;

describe("user-defined dimensions", () => {
  it("getDimensions lists the standard dimensions and the company's UDDs", async () => {
    const sid = await session(DEMO.companyId);
    const doc = await post(envelope(`<sessionid>${sid}</sessionid>`, `<function controlid="d"><getDimensions/></function>`));
    const result = doc.response.operation.result;
    expect(result).toMatchObject({ status: "success", function: "getDimensions", controlid: "d" });
    const dims = asList(result.data.dimensions.dimension);
    expect(dims.find((d: Doc) => d.objectName === "DEPARTMENT")).toEqual({ objectName: "DEPARTMENT", objectLabel: "Department", termLabel: "Department", userDefinedDimension: "false", enabledInGL: "true" });
    expect(dims.filter((d: Doc) => d.userDefinedDimension === "true")).toEqual([
      { objectName: "CHANNEL", objectLabel: "Channel", termLabel: "Channel", userDefinedDimension: "true", enabledInGL: "true" },
      { objectName: "REGION", objectLabel: "Region", termLabel: "Region", userDefinedDimension: "true", enabledInGL: "true" },
    ]);
    // A UDD's values are records of its object.
    const values = await post(envelope(`<sessionid>${sid}</sessionid>`, `<function controlid="v"><readByQuery><object>CHANNEL</object><fields>ID,NAME,STATUS</fields><query>STATUS = 'active'</query><pagesize>100</pagesize></readByQuery></function>`));
    expect(asList(values.response.operation.result.data.channel).map((r: Doc) => r.ID)).toEqual(["WEB", "RETAIL", "PARTNER"]);
  });

  it("GLENTRY takes GLDIM<NAME> fields, stores them on the ledger rows and reads them back by query", async () => {
    const sid = await session(DEMO.companyId);
    const created = await post(
      envelope(
        `<sessionid>${sid}</sessionid>`,
        `<function controlid="je-1">${glbatch(
          "CH-1",
          `<GLENTRY><ACCOUNTNO>1200</ACCOUNTNO><TR_TYPE>1</TR_TYPE><TRX_AMOUNT>120.00</TRX_AMOUNT><GLDIMCHANNEL>WEB</GLDIMCHANNEL><GLDIMREGION>NA</GLDIMREGION></GLENTRY>` +
            `<GLENTRY><ACCOUNTNO>4000</ACCOUNTNO><TR_TYPE>-1</TR_TYPE><TRX_AMOUNT>120.00</TRX_AMOUNT><GLDIMCHANNEL>WEB</GLDIMCHANNEL></GLENTRY>`,
        )}</function>`,
        "true",
      ),
    );
    expect(created.response.operation.result.status).toBe("success");
    const q = await post(
      envelope(
        `<sessionid>${sid}</sessionid>`,
        `<function controlid="q"><query><object>GLENTRY</object><select><field>ACCOUNTNO</field><field>TR_TYPE</field><field>TRX_AMOUNT</field><field>GLDIMCHANNEL</field><field>GLDIMREGION</field></select>` +
          `<filter><equalto><field>GLDIMCHANNEL</field><value>WEB</value></equalto></filter></query></function>`,
      ),
    );
    expect(q.response.operation.result.data["@totalcount"]).toBe("2");
    expect(asList(q.response.operation.result.data.GLENTRY)).toEqual([
      { ACCOUNTNO: "1200", TR_TYPE: "1", TRX_AMOUNT: "120.00", GLDIMCHANNEL: "WEB", GLDIMREGION: "NA" },
      { ACCOUNTNO: "4000", TR_TYPE: "-1", TRX_AMOUNT: "120.00", GLDIMCHANNEL: "WEB", GLDIMREGION: "" },
    ]);
  });

  it("refuses an unknown or inactive UDD value with Intacct's error shape, and posts nothing", async () => {
    const sid = await session(DEMO.companyId);
    const lines = (channel: string) =>
      `<GLENTRY><ACCOUNTNO>1200</ACCOUNTNO><TR_TYPE>1</TR_TYPE><TRX_AMOUNT>5.00</TRX_AMOUNT><GLDIMCHANNEL>${channel}</GLDIMCHANNEL></GLENTRY>` +
      `<GLENTRY><ACCOUNTNO>4000</ACCOUNTNO><TR_TYPE>-1</TR_TYPE><TRX_AMOUNT>5.00</TRX_AMOUNT></GLENTRY>`;
    for (const channel of ["MAILORDER", "FAX"]) {
      const doc = await post(envelope(`<sessionid>${sid}</sessionid>`, `<function controlid="bad-${channel}">${glbatch(`BAD-${channel}`, lines(channel))}</function>`, "true"));
      const result = doc.response.operation.result;
      expect(result.status).toBe("failure");
      expect(result.errormessage.error).toEqual({
        errorno: "BL01001973",
        description: "",
        description2: `Invalid Channel '${channel}' specified.`,
        correction: "Use an existing, active channel.",
      });
    }
    const unknownField = await post(
      envelope(`<sessionid>${sid}</sessionid>`, `<function controlid="bad-f">${glbatch("BAD-F", lines("WEB").replace(/GLDIMCHANNEL/g, "GLDIMSEGMENT"))}</function>`, "true"),
    );
    expect(unknownField.response.operation.result.errormessage.error.description2).toContain("no user-defined dimension SEGMENT");
    const state = await kit.state();
    expect(state.companies[DEMO.companyId].records.GLBATCH).toEqual([]);
  });

  it("APBILLITEM takes GLDIM fields; legacy AP and AR adjustment lines take them as customfields", async () => {
    const sid = await session(DEMO.companyId);
    const customfields = (v: string) => `<customfields><customfield><customfieldname>GLDIMCHANNEL</customfieldname><customfieldvalue>${v}</customfieldvalue></customfield></customfields>`;
    const doc = await post(
      envelope(
        `<sessionid>${sid}</sessionid>`,
        `<function controlid="bill"><create><APBILL><VENDORID>V100</VENDORID><WHENCREATED>06/30/2024</WHENCREATED><RECORDID>B-CH-1</RECORDID>` +
          `<APBILLITEMS><APBILLITEM><ACCOUNTNO>6000</ACCOUNTNO><TRX_AMOUNT>40.00</TRX_AMOUNT><GLDIMCHANNEL>RETAIL</GLDIMCHANNEL></APBILLITEM></APBILLITEMS></APBILL></create></function>` +
          `<function controlid="apadj"><create_apadjustment><vendorid>V100</vendorid><datecreated><year>2024</year><month>06</month><day>30</day></datecreated><adjustmentno>DM-CH-1</adjustmentno>` +
          `<apadjustmentitems><lineitem><glaccountno>6000</glaccountno><amount>-10.00</amount>${customfields("PARTNER")}</lineitem></apadjustmentitems></create_apadjustment></function>` +
          `<function controlid="aradj"><create_aradjustment><customerid>C100</customerid><datecreated><year>2024</year><month>06</month><day>30</day></datecreated><adjustmentno>AR-CH-1</adjustmentno>` +
          `<aradjustmentitems><lineitem><glaccountno>2200</glaccountno><amount>3.00</amount>${customfields("WEB")}</lineitem></aradjustmentitems></create_aradjustment></function>` +
          `<function controlid="apadj-bad"><create_apadjustment><vendorid>V100</vendorid><datecreated><year>2024</year><month>06</month><day>30</day></datecreated><adjustmentno>DM-CH-2</adjustmentno>` +
          `<apadjustmentitems><lineitem><glaccountno>6000</glaccountno><amount>-10.00</amount>${customfields("TELEX")}</lineitem></apadjustmentitems></create_apadjustment></function>`,
        "true",
      ),
    );
    const results = asList(doc.response.operation.result);
    expect(results.map((r: Doc) => r.status)).toEqual(["success", "success", "success", "failure"]);
    expect(results[3].errormessage.error.description2).toBe("Invalid Channel 'TELEX' specified.");
    const records = (await kit.state()).companies[DEMO.companyId].records;
    expect((records.APBILL[0].APBILLITEMS as Doc).APBILLITEM[0]).toMatchObject({ ACCOUNTNO: "6000", GLDIMCHANNEL: "RETAIL" });
    expect((records.APADJUSTMENT[0].APADJUSTMENTITEMS as Doc).APADJUSTMENTITEM[0]).toMatchObject({ ACCOUNTNO: "6000", AMOUNT: "-10.00", GLDIMCHANNEL: "PARTNER" });
    expect((records.ARADJUSTMENT[0].ARADJUSTMENTITEMS as Doc).ARADJUSTMENTITEM[0]).toMatchObject({ ACCOUNTNO: "2200", TRX_AMOUNT: "3.00", GLDIMCHANNEL: "WEB" });
    expect(records.APADJUSTMENT).toHaveLength(1);
  });
});

describe("entities of a multi-entity company", () => {
  const uk = `<GLENTRY><ACCOUNTNO>1000</ACCOUNTNO><TR_TYPE>1</TR_TYPE><TRX_AMOUNT>75.00</TRX_AMOUNT><LOCATION>UK-LON</LOCATION></GLENTRY>` +
    `<GLENTRY><ACCOUNTNO>4000</ACCOUNTNO><TR_TYPE>-1</TR_TYPE><TRX_AMOUNT>75.00</TRX_AMOUNT><LOCATION>UK-LON</LOCATION></GLENTRY>`;

  it("getAPISession with locationid gives an entity-level session that writes and sees only its entity", async () => {
    const top = await session(DEMO.multiEntityCompanyId);
    // From a top-level session, a new session at the UK entity (getAPISession with <locationid>).
    const switched = await post(envelope(`<sessionid>${top}</sessionid>`, `<function controlid="s2"><getAPISession><locationid>UK</locationid></getAPISession></function>`));
    const api = switched.response.operation.result.data.api;
    expect(api.locationid).toBe("UK");
    expect(api.sessionid).not.toBe(top);
    const ukSession = api.sessionid as string;
    const created = await post(envelope(`<sessionid>${ukSession}</sessionid>`, `<function controlid="uk-1">${glbatch("UK-1", uk)}</function>`, "true"));
    expect(created.response.operation.authentication.locationid).toBe("UK");
    const recordNo = created.response.operation.result.data.glbatch.RECORDNO as string;

    const readAs = async (sid: string) =>
      post(envelope(`<sessionid>${sid}</sessionid>`, `<function controlid="r"><read><object>GLBATCH</object><keys>${recordNo}</keys><fields>RECORDNO,REFERENCENO,MEGAENTITYID,MEGAENTITYNAME</fields></read></function>`));
    expect((await readAs(ukSession)).response.operation.result.data.glbatch).toEqual({ RECORDNO: recordNo, REFERENCENO: "UK-1", MEGAENTITYID: "UK", MEGAENTITYNAME: "Ledgerline Ltd (UK)" });
    const usSession = await session(DEMO.multiEntityCompanyId, "US");
    const fromUs = await readAs(usSession);
    expect(fromUs.response.operation.result.status).toBe("success");
    expect(fromUs.response.operation.result.data).toMatchObject({ "@count": "0" });
    expect(fromUs.response.operation.result.data.glbatch).toBeUndefined();
    // The top level sees every entity's records.
    expect((await readAs(top)).response.operation.result.data.glbatch.MEGAENTITYID).toBe("UK");
    // Locations of another entity are neither listed nor accepted on lines.
    const locs = await post(envelope(`<sessionid>${usSession}</sessionid>`, `<function controlid="l"><readByQuery><object>LOCATION</object><fields>LOCATIONID</fields><query/></readByQuery></function>`));
    expect(asList(locs.response.operation.result.data.location).map((l: Doc) => l.LOCATIONID)).toEqual(["US", "US-CA"]);
    const wrong = await post(envelope(`<sessionid>${usSession}</sessionid>`, `<function controlid="us-1">${glbatch("US-1", uk)}</function>`, "true"));
    expect(wrong.response.operation.result.errormessage.error).toMatchObject({ errorno: "BL01001973", description2: "Invalid Location 'UK-LON' specified." });
  });

  it("refuses transactions at the top level, and sign-in at a location that is not an entity", async () => {
    const top = await session(DEMO.multiEntityCompanyId);
    const doc = await post(envelope(`<sessionid>${top}</sessionid>`, `<function controlid="top-1">${glbatch("TOP-1", uk)}</function>`, "true"));
    expect(doc.response.operation.result.status).toBe("failure");
    expect(doc.response.operation.result.errormessage.error.description2).toBe("Transactions in this company are entered at the entity level; this session is at the top level.");
    const bad = await post(envelope(login(DEMO.multiEntityCompanyId, "US-CA"), `<function controlid="s1"><getAPISession/></function>`));
    expect(bad.response.operation.authentication.status).toBe("failure");
    const state = await kit.state();
    expect(state.companies[DEMO.multiEntityCompanyId].records.GLBATCH).toEqual([]);
  });

  it("a user restricted to entity UK signing in at the top level gets a session at UK, and none at another entity", async () => {
    const getSession = `<function controlid="s1"><getAPISession/></function>`;
    const top = await post(envelope(login(DEMO.multiEntityCompanyId, undefined, DEMO.ukUserId), getSession));
    expect(top.response.operation.authentication).toMatchObject({ status: "success", userid: DEMO.ukUserId, companyid: DEMO.multiEntityCompanyId, locationid: "UK" });
    const api = top.response.operation.result.data.api;
    expect(api.locationid).toBe("UK");
    // The same with an empty locationid, and at UK itself.
    expect((await post(envelope(login(DEMO.multiEntityCompanyId, "", DEMO.ukUserId), getSession))).response.operation.result.data.api.locationid).toBe("UK");
    expect((await post(envelope(login(DEMO.multiEntityCompanyId, "UK", DEMO.ukUserId), getSession))).response.operation.result.data.api.locationid).toBe("UK");
    // Another entity: no sign-in; from the UK session, no switch to the top level or to US.
    const us = await post(envelope(login(DEMO.multiEntityCompanyId, "US", DEMO.ukUserId), getSession));
    expect(us.response.operation.authentication.status).toBe("failure");
    const toTop = await post(envelope(`<sessionid>${api.sessionid}</sessionid>`, `<function controlid="s2"><getAPISession><locationid/></getAPISession></function>`));
    expect(toTop.response.operation.result.data.api).toMatchObject({ sessionid: api.sessionid, locationid: "UK" });
    const toUs = await post(envelope(`<sessionid>${api.sessionid}</sessionid>`, `<function controlid="s3"><getAPISession><locationid>US</locationid></getAPISession></function>`));
    expect(toUs.response.operation.result).toMatchObject({ status: "failure", errormessage: { error: { errorno: "XL03000006", description2: `User '${DEMO.ukUserId}' is restricted to entity 'UK'.` } } });
  });
});
