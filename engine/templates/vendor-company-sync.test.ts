/**
 * Intacct vendors <-> Commerce B2B companies, both flows at once, end to end: the sandboxes over
 * HTTP, real PostgreSQL, the real polls and executor. An edit on each side lands once on the
 * other (asserted in the other sandbox's own state), what Ledgerline writes starts no run back,
 * an edit of a field the other side owns is not carried, and a replay writes nothing.
 */
import { describe, expect, it } from "vitest";
import { executeRun } from "../executor/run";
import { replayRun } from "../runs";
import { editIntacct, nextSecond, pollAndRun, sandboxPost, sandboxState, templateFrame } from "./test-helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const frame = templateFrame({
  workspace: "Vendor sync",
  systems: ["commerce", "intacct"],
  templates: { toVendor: "commerce-company-intacct-vendor", toCompany: "intacct-vendor-commerce-company" },
});
const { db, flows } = frame;


const vendor = async (id: string): Promise<Rec> => ((await sandboxState(frame.sb.urls.intacct)).companies["LEDGERLINE-DEMO"].records.VENDOR as Rec[]).find((v) => v.VENDORID === id)!;
const sbCompany = async (id: number): Promise<Rec> => {
  const res = await fetch(`${frame.sb.urls.commerce}/rest/V1/company/${id}`, { headers: { authorization: `Bearer ${await adminToken()}` } });
  return (await res.json()) as Rec;
};
let token: string | undefined;
async function adminToken(): Promise<string> {
  token ??= (await (
    await fetch(`${frame.sb.urls.commerce}/rest/V1/integration/admin/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "finance.admin", password: "Sandbox-Admin-2026!" }) })
  ).json()) as string;
  return token;
}
const editVendor = (changes: Rec) => editIntacct(frame.sb.urls.intacct, "VENDOR", changes);

describe("Intacct vendors <-> Commerce B2B companies", () => {
  it("the first polls only record where everything stands", async () => {
    expect(await pollAndRun(db, flows.toVendor)).toEqual([]);
    expect(await pollAndRun(db, flows.toCompany)).toEqual([]);
  });

  it("an edit in Commerce lands once on the Intacct vendor (the fields Commerce owns), and starts nothing back", async () => {
    const taxBefore = (await vendor("V200")).TAXID;
    await sandboxPost(frame.sb.urls.commerce, "/__sandbox/companies/1/edit", { company_email: "payables@northwind.example", telephone: "+1 512 555 0199" });
    expect(await pollAndRun(db, flows.toVendor)).toEqual(["succeeded"]);
    const v = await vendor("V200");
    expect(v.NAME).toBe("Northwind Distribution");
    expect(v.TAXID ?? "").toBe(taxBefore ?? "");
    expect(v.DISPLAYCONTACT).toMatchObject({
      COMPANYNAME: "Northwind Distribution LLC",
      EMAIL1: "payables@northwind.example",
      PHONE1: "+1 512 555 0199",
      MAILADDRESS: { ADDRESS1: "500 Congress Ave", CITY: "Austin", STATE: "Texas", ZIP: "78701", COUNTRYCODE: "US" },
    });
    // The vendor changed in Intacct, but not in a field Intacct owns: no run back, and nothing more either way.
    await nextSecond();
    expect(await pollAndRun(db, flows.toCompany)).toEqual([]);
    expect(await pollAndRun(db, flows.toVendor)).toEqual([]);
    expect((await sbCompany(1)).company_email).toBe("payables@northwind.example");
  });

  it("an edit of the tax ID in Intacct lands once on the company, and starts nothing back", async () => {
    await editVendor({ VENDORID: "V200", TAXID: "84-7654321" });
    expect(await pollAndRun(db, flows.toCompany)).toEqual(["succeeded"]);
    expect((await sbCompany(1)).vat_tax_id).toBe("84-7654321");
    expect(await pollAndRun(db, flows.toVendor)).toEqual([]);
    expect(await pollAndRun(db, flows.toCompany)).toEqual([]);
  });

  it("an edit in Intacct of a field Commerce owns is not carried; Commerce's next change wins", async () => {
    await nextSecond();
    await editVendor({ VENDORID: "V200", NAME: "Northwind (renamed in Intacct)" });
    expect(await pollAndRun(db, flows.toCompany)).toEqual([]);
    expect((await sbCompany(1)).company_name).toBe("Northwind Distribution");
    await sandboxPost(frame.sb.urls.commerce, "/__sandbox/companies/1/edit", { company_name: "Northwind Distribution Co" });
    expect(await pollAndRun(db, flows.toVendor)).toEqual(["succeeded"]);
    expect((await vendor("V200")).NAME).toBe("Northwind Distribution Co");
  });

  it("a replay of a sync run writes nothing", async () => {
    const [last] = await db.sql<{ id: string }[]>`select id::text from runs where flow_id = ${flows.toVendor} and parent_run_id is null order by created_at desc limit 1`;
    const before = await vendor("V200");
    const replay = await replayRun(db, frame.workspaceId, last!.id, { from: "start", version: "own" });
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    expect((await vendor("V200")).WHENMODIFIED).toBe(before.WHENMODIFIED);
    const [lastBack] = await db.sql<{ id: string }[]>`select id::text from runs where flow_id = ${flows.toCompany} and parent_run_id is null order by created_at desc limit 1`;
    const companyBefore = JSON.stringify(await sbCompany(1));
    const replayBack = await replayRun(db, frame.workspaceId, lastBack!.id, { from: "start", version: "own" });
    expect((await executeRun(db, replayBack)).status).toBe("succeeded");
    expect(JSON.stringify(await sbCompany(1))).toBe(companyBefore);
  });
});
