/**
 * Intacct customers <-> Avalara customers (exemptions), both flows at once, end to end: the
 * sandboxes over HTTP, real PostgreSQL, the real polls and executor. Intacct's customers land
 * at Avalara once; a certificate collected at Avalara lands on the Intacct customer once; neither
 * write starts a run back; an exempt customer's invoice is taxed 0 by Avalara; a replay writes
 * nothing; the dry run shows the change without writing.
 */
import { describe, expect, it } from "vitest";
import { executeRun } from "../executor/run";
import { replayRun } from "../runs";
import { editIntacct, nextSecond, pollAndRun, sandboxState, templateFrame } from "./test-helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const frame = templateFrame({
  workspace: "Customer sync",
  systems: ["avalara", "intacct"],
  templates: { toAvalara: "intacct-customer-avalara-customer", toIntacct: "avalara-exemption-intacct-customer" },
});
const { db, flows } = frame;
const COMPANY_ID = 7654321;
const auth = `Basic ${Buffer.from("2000134479:A1B2C3D4E5F60718").toString("base64")}`;


const intacctCustomer = async (id: string): Promise<Rec> => ((await sandboxState(frame.sb.urls.intacct)).companies["LEDGERLINE-DEMO"].records.CUSTOMER as Rec[]).find((c) => c.CUSTOMERID === id)!;
const avalaraCustomers = () => frame.sb.avalara.state().accounts[0]!.companies[0]!.customers;
async function avalara(method: string, path: string, body?: unknown): Promise<Rec> {
  const res = await fetch(`${frame.sb.urls.avalara}${path}`, { method, headers: { authorization: auth, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await res.json()) as Rec;
}
const editCustomer = (changes: Rec) => editIntacct(frame.sb.urls.intacct, "CUSTOMER", changes);

describe("Intacct customers <-> Avalara exemptions", () => {
  it("the first poll sends every Intacct customer to Avalara once; the exemption poll only records", async () => {
    expect(await pollAndRun(db, flows.toIntacct)).toEqual([]);
    const first = await pollAndRun(db, flows.toAvalara);
    expect(first.length).toBe(6);
    expect(first.every((s) => s === "succeeded")).toBe(true);
    expect(avalaraCustomers().find((c) => c.customerCode === "C300")).toMatchObject({ name: "Initech LLC", line1: "1100 Congress Ave", city: "Austin", region: "TX", postalCode: "78701", country: "US" });
    expect(await pollAndRun(db, flows.toAvalara)).toEqual([]);
    // Creating customers changes no exemption: nothing back.
    expect(await pollAndRun(db, flows.toIntacct)).toEqual([]);
  });

  it("a certificate collected at Avalara lands once on the Intacct customer, and starts nothing back", async () => {
    await nextSecond();
    const created = await avalara("POST", `/api/v2/companies/${COMPANY_ID}/certificates`, [
      { signedDate: "2025-01-01", expirationDate: "2030-12-31", exemptionNumber: "TX-RESALE-9001", exemptionReason: { name: "RESALE" }, exposureZone: { name: "Texas" }, customers: [{ customerCode: "C300" }] },
    ]);
    expect(created[0].id).toBeGreaterThan(0);
    expect(await pollAndRun(db, flows.toIntacct)).toEqual(["succeeded"]);
    const c = await intacctCustomer("C300");
    expect(c.DISPLAYCONTACT.TAXABLE).toBe("false");
    expect(c.RESALENO).toBe("TX-RESALE-9001");
    expect(c.AVATAX_ENTITY_USE_CODE).toBe("G");
    await nextSecond();
    expect(await pollAndRun(db, flows.toAvalara)).toEqual([]);
    expect(await pollAndRun(db, flows.toIntacct)).toEqual([]);
  });

  it("an Intacct edit of a field Intacct owns lands once at Avalara; its exemption is kept", async () => {
    await editCustomer({ CUSTOMERID: "C300", NAME: "Initech Holdings LLC" });
    expect(await pollAndRun(db, flows.toAvalara)).toEqual(["succeeded"]);
    expect(avalaraCustomers().find((c) => c.customerCode === "C300")!.name).toBe("Initech Holdings LLC");
    const read = await avalara("GET", `/api/v2/companies/${COMPANY_ID}/customers/C300?$include=certificates`);
    expect(read.certificates).toHaveLength(1);
    expect(await pollAndRun(db, flows.toIntacct)).toEqual([]);
    expect(await pollAndRun(db, flows.toAvalara)).toEqual([]);
  });

  it("an Intacct edit of a field Avalara owns is not carried; Avalara's next change wins", async () => {
    await nextSecond();
    await editCustomer({ CUSTOMERID: "C300", RESALENO: "TYPED-BY-HAND" });
    expect(await pollAndRun(db, flows.toAvalara)).toEqual([]);
    await avalara("POST", `/api/v2/companies/${COMPANY_ID}/certificates`, [
      { signedDate: "2025-02-01", exemptionNumber: "NY-C300", exemptionReason: { name: "RESALE" }, exposureZone: { name: "New York" }, customers: [{ customerCode: "C300" }] },
    ]);
    expect(await pollAndRun(db, flows.toIntacct)).toEqual(["succeeded"]);
    expect((await intacctCustomer("C300")).RESALENO).toBe("TX-RESALE-9001");
  });

  it("the exempt customer's invoice is taxed 0 by Avalara in Texas (customerCode = CUSTOMERID)", async () => {
    const tx = await avalara("POST", "/api/v2/transactions/create?$include=Summary", {
      type: "SalesOrder", code: "Q-C300", date: "2026-03-01", customerCode: "C300",
      addresses: { singleLocation: { line1: "1100 Congress Ave", city: "Austin", region: "TX", postalCode: "78701", country: "US" } },
      lines: [{ number: "1", amount: 1000, taxCode: "P0000000" }],
    });
    expect(tx).toMatchObject({ totalTax: 0, totalExempt: 1000 });
    const other = await avalara("POST", "/api/v2/transactions/create", {
      type: "SalesOrder", code: "Q-C100", date: "2026-03-01", customerCode: "C100",
      addresses: { singleLocation: { line1: "1100 Congress Ave", city: "Austin", region: "TX", postalCode: "78701", country: "US" } },
      lines: [{ number: "1", amount: 1000, taxCode: "P0000000" }],
    });
    expect(other.totalTax).toBeGreaterThan(0);
  });

  it("a replay of a sync run writes nothing", async () => {
    const [last] = await db.sql<{ id: string }[]>`select id::text from runs where flow_id = ${flows.toAvalara} and parent_run_id is null and status = 'succeeded' order by created_at desc limit 1`;
    const before = JSON.stringify(avalaraCustomers());
    const replay = await replayRun(db, frame.workspaceId, last!.id, { from: "start", version: "own" });
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    expect(JSON.stringify(avalaraCustomers())).toBe(before);
    const [back] = await db.sql<{ id: string }[]>`select id::text from runs where flow_id = ${flows.toIntacct} and parent_run_id is null order by created_at desc limit 1`;
    const stamp = (await intacctCustomer("C300")).WHENMODIFIED;
    const replayBack = await replayRun(db, frame.workspaceId, back!.id, { from: "start", version: "own" });
    expect((await executeRun(db, replayBack)).status).toBe("succeeded");
    expect((await intacctCustomer("C300")).WHENMODIFIED).toBe(stamp);
  });
});
