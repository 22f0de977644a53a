/**
 * User-defined dimensions and entity routing through the nodes, over real HTTP against the
 * sandbox: journal, bill and adjustment lines carrying a UDD read back from the sandbox's ledger;
 * the UDDs listed beside the standard dimensions and as pickers; a record routed to entity UK of
 * the multi-entity company is written there, visible in the UK session and not in the US one; a
 * session Intacct opens at another entity than the one asked for is refused before anything is
 * sent with it.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PermanentError, type AnyNodeDefinition } from "../sdk";
import type { IntacctClient } from "./client";
import { intacct } from "./index";
import { createApAdjustment } from "./nodes/createApAdjustment";
import { createApBill } from "./nodes/createApBill";
import { createJournalEntry } from "./nodes/createJournalEntry";
import { listDimensions } from "./nodes/listDimensions";
import { DEMO } from "./sandbox";
import { DEMO_COMPANY, nodeCtx, sandboxKit } from "./testkit";

const kit = sandboxKit();

async function runNode<N extends AnyNodeDefinition>(node: N, input: unknown, client: IntacctClient, config: unknown = {}) {
  const out = await node.run(nodeCtx(client), node.input.parse(input), node.config.parse(config));
  return node.output.parse(out) as z.output<N["output"]>;
}

const ledger = async (company: string) => (await kit.state()).companies[company].records;

describe("user-defined dimensions", () => {
  it("listDimensions lists the company's UDDs and their active values beside the standard dimensions; pickers list them", async () => {
    const { client, env } = kit.client();
    const out = await runNode(listDimensions, {}, client);
    expect(Object.keys(out.dimensions)).toEqual(["DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "GLACCOUNT"]);
    expect(out.userDimensions.map((d) => [d.objectName, d.label, d.field, d.values.map((v) => v.id)])).toEqual([
      ["CHANNEL", "Channel", "GLDIMCHANNEL", ["WEB", "RETAIL", "PARTNER"]],
      ["REGION", "Region", "GLDIMREGION", ["NA", "EMEA", "APAC"]],
    ]);
    // getDimensions rides with the standard lists; the UDD values take one more request.
    expect(env.calls.filter((c) => c.label !== "Intacct getAPISession").map((c) => c.label)).toEqual([
      "Intacct readByQuery DEPARTMENT, LOCATION, CLASS, PROJECT, GLACCOUNT, getDimensions",
      "Intacct readByQuery CHANNEL, REGION",
    ]);
    expect(await intacct.pickers!.userDimensions.load(client)).toEqual([
      { value: "CHANNEL", label: "Channel" },
      { value: "REGION", label: "Region" },
    ]);
    expect(await intacct.pickers!.userDimensionValues.load(client, "CHANNEL")).toEqual([
      { value: "WEB", label: "WEB - Web store" },
      { value: "RETAIL", label: "RETAIL - Retail stores" },
      { value: "PARTNER", label: "PARTNER - Partner resellers" },
    ]);
    await expect(intacct.pickers!.userDimensionValues.load(client, "SEGMENT")).rejects.toThrow("no user-defined dimension SEGMENT");
  });

  it("journal lines carrying a user-defined dimension are written as GLDIM<NAME> and read back from the sandbox's ledger", async () => {
    const { client, env } = kit.client();
    const out = await runNode(
      createJournalEntry,
      {
        date: "2024-06-30",
        description: "Web and retail sales, June",
        referenceNo: "CH-2024-06",
        lines: [
          { accountNo: "1200", type: "debit", amount: "1500.00", customDimensions: { CHANNEL: "WEB", REGION: "NA" } },
          { accountNo: "1200", type: "debit", amount: "250.25", customDimensions: { CHANNEL: "RETAIL" } },
          { accountNo: "4000", type: "credit", amount: "1500.00", customDimensions: { CHANNEL: "WEB", REGION: "NA" } },
          { accountNo: "4000", type: "credit", amount: "250.25", customDimensions: { CHANNEL: "RETAIL" } },
        ],
      },
      client,
    );
    expect(out).toMatchObject({ totalDebit: "1750.25", totalCredit: "1750.25", state: "Posted" });
    const create = env.calls.find((c) => c.label === "Intacct create GLBATCH")!;
    expect(create.requestBody).toContain("<GLDIMCHANNEL>WEB</GLDIMCHANNEL><GLDIMREGION>NA</GLDIMREGION>");
    // The ledger rows, read back with the query function on GLENTRY.
    const page = await client.query({
      object: "GLENTRY",
      select: ["ACCOUNTNO", "TR_TYPE", "TRX_AMOUNT", "GLDIMCHANNEL", "GLDIMREGION"],
      filter: { field: "REFERENCENO", operator: "equalto", value: "CH-2024-06" },
    });
    expect(page.records).toEqual([
      { ACCOUNTNO: "1200", TR_TYPE: "1", TRX_AMOUNT: "1500.00", GLDIMCHANNEL: "WEB", GLDIMREGION: "NA" },
      { ACCOUNTNO: "1200", TR_TYPE: "1", TRX_AMOUNT: "250.25", GLDIMCHANNEL: "RETAIL", GLDIMREGION: "" },
      { ACCOUNTNO: "4000", TR_TYPE: "-1", TRX_AMOUNT: "1500.00", GLDIMCHANNEL: "WEB", GLDIMREGION: "NA" },
      { ACCOUNTNO: "4000", TR_TYPE: "-1", TRX_AMOUNT: "250.25", GLDIMCHANNEL: "RETAIL", GLDIMREGION: "" },
    ]);
    const web = await client.query({ object: "GLENTRY", select: ["TRX_AMOUNT"], filter: { field: "GLDIMCHANNEL", operator: "equalto", value: "WEB" } });
    expect(web.records.map((r) => r.TRX_AMOUNT)).toEqual(["1500.00", "1500.00"]);
  });

  it("bill and AP adjustment lines carry them too; an unknown value is refused and nothing is posted", async () => {
    const { client } = kit.client();
    await runNode(createApBill, { vendorId: "V100", billNumber: "B-CH-7", date: "2024-06-30", lines: [{ accountNo: "6000", amount: "80.00", customDimensions: { CHANNEL: "PARTNER" } }] }, client);
    await runNode(
      createApAdjustment,
      { vendorId: "V100", adjustmentNumber: "DM-CH-7", date: "2024-06-30", billNumber: "B-CH-7", lines: [{ accountNo: "6000", amount: "-20.00", customDimensions: { CHANNEL: "PARTNER" } }] },
      client,
    );
    const records = await ledger(DEMO_COMPANY);
    expect((records.APBILL[0].APBILLITEMS as { APBILLITEM: unknown[] }).APBILLITEM[0]).toMatchObject({ ACCOUNTNO: "6000", TRX_AMOUNT: "80.00", GLDIMCHANNEL: "PARTNER" });
    expect((records.APADJUSTMENT[0].APADJUSTMENTITEMS as { APADJUSTMENTITEM: unknown[] }).APADJUSTMENTITEM[0]).toMatchObject({ AMOUNT: "-20.00", GLDIMCHANNEL: "PARTNER" });
    const refused = runNode(
      createJournalEntry,
      { date: "2024-06-30", description: "Mail order", referenceNo: "CH-BAD", lines: [{ accountNo: "1200", type: "debit", amount: 5, customDimensions: { CHANNEL: "MAILORDER" } }, { accountNo: "4000", type: "credit", amount: 5 }] },
      client,
    );
    await expect(refused).rejects.toThrow("Invalid Channel 'MAILORDER' specified.");
    expect((await ledger(DEMO_COMPANY)).GLBATCH).toEqual([]);
  });
});

describe("a record routed to its entity", () => {
  const entry = (referenceNo: string, entityId?: string) => ({
    date: "2024-06-30",
    description: `UK sales ${referenceNo}`,
    referenceNo,
    entityId,
    lines: [
      { accountNo: "1000", type: "debit", amount: "99.99", locationId: "UK-LON", customDimensions: { REGION: "EMEA" } },
      { accountNo: "4000", type: "credit", amount: "99.99", locationId: "UK-LON", customDimensions: { REGION: "EMEA" } },
    ],
  });

  it("is written into entity UK, visible in the UK session and not in the US one; one session per entity", async () => {
    // The connection signs in at the top level of the multi-entity company; the record names its entity.
    const { client, env } = kit.client({ config: { companyId: DEMO.multiEntityCompanyId } });
    const out = await runNode(createJournalEntry, entry("UK-0001", "UK"), client);
    expect(out).toMatchObject({ entityId: "UK", totalDebit: "99.99", state: "Posted" });
    const [batch] = (await ledger(DEMO.multiEntityCompanyId)).GLBATCH;
    expect(batch).toMatchObject({ RECORDNO: out.recordNo, REFERENCENO: "UK-0001", MEGAENTITYID: "UK", MEGAENTITYNAME: "Ledgerline Ltd (UK)" });
    // The sign-in named the entity.
    const login = env.calls.find((c) => c.label === "Intacct getAPISession")!;
    expect(login.requestBody).toContain("<locationid>UK</locationid>");

    const find = (c: IntacctClient) => c.readByQuery("GLBATCH", "REFERENCENO = 'UK-0001'", { fields: ["RECORDNO", "MEGAENTITYID"] });
    expect(await find(client.forEntity("UK"))).toEqual([{ RECORDNO: out.recordNo, MEGAENTITYID: "UK" }]);
    expect(await find(client.forEntity("US"))).toEqual([]);
    expect(await client.forEntity("US").read("GLBATCH", [out.recordNo])).toEqual([]);

    // A second UK record reuses the UK session; the sandbox holds one session per entity.
    await runNode(createJournalEntry, entry("UK-0002", "UK"), client);
    expect(env.calls.filter((c) => c.label === "Intacct getAPISession")).toHaveLength(2); // UK, then US
    const sessions = (await kit.state()).sessions as Array<{ companyId: string; locationId?: string }>;
    expect(sessions.map((s) => s.locationId).sort()).toEqual(["UK", "US"]);
  });

  it("without an entity the top-level session is refused; the idempotency key names the entity", async () => {
    const { client } = kit.client({ config: { companyId: DEMO.multiEntityCompanyId } });
    const err = await runNode(createJournalEntry, entry("TOP-1"), client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain("entered at the entity level");
    expect(createJournalEntry.effect.kind === "write" && createJournalEntry.effect.key(createJournalEntry.input.parse(entry("UK-9", "UK")), createJournalEntry.config.parse({}))).toBe("intacct:glbatch:UK:GJ:UK-9");
    expect(createJournalEntry.effect.kind === "write" && createJournalEntry.effect.key(createJournalEntry.input.parse(entry("UK-9")), createJournalEntry.config.parse({}))).toBe("intacct:glbatch:GJ:UK-9");
    expect((await ledger(DEMO.multiEntityCompanyId)).GLBATCH).toEqual([]);
  });

  it("a session opened at another entity than the one asked for is refused and never used: nothing is written", async () => {
    // A user restricted to entity UK: asked for the top level, Intacct opens the session at UK.
    const { client, env } = kit.client({ config: { companyId: DEMO.multiEntityCompanyId, userId: DEMO.ukUserId } });
    const err = await runNode(createJournalEntry, entry("TOP-2"), client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: "wrong_entity", message: 'Intacct opened a session at entity "UK" instead of "top level"' });
    // Only the sign-in went out; the session was neither kept nor used, and the UK ledger has nothing.
    expect(env.calls.map((c) => c.label)).toEqual(["Intacct getAPISession"]);
    expect(await env.state.get()).toBeUndefined();
    expect((await ledger(DEMO.multiEntityCompanyId)).GLBATCH).toEqual([]);
    await expect(client.ping()).rejects.toMatchObject({ code: "wrong_entity" });

    // Asked for the entity it is restricted to, the same user signs in and writes there.
    const out = await runNode(createJournalEntry, entry("UK-3", "UK"), client);
    expect(out).toMatchObject({ entityId: "UK", state: "Posted" });
    expect((await ledger(DEMO.multiEntityCompanyId)).GLBATCH.map((b) => [b.REFERENCENO, b.MEGAENTITYID])).toEqual([["UK-3", "UK"]]);
  });
});
