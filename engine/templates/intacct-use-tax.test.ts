/**
 * Intacct AP bill -> Avalara consumer use tax -> use tax accrual in Intacct, end to end: the
 * Intacct and Avalara sandboxes over HTTP, real PostgreSQL, the real executor and poll. Each
 * assertion reads the sandboxes' own state: the GLBATCHes in Intacct (balanced, per jurisdiction
 * on the mapped accounts, offsets referencing what they offset) against Avalara's own documents.
 */
import { describe, expect, it } from "vitest";
import { executeRun } from "../executor/run";
import { replayRun, resolveReview } from "../runs";
import { tick } from "../triggers";
import { centsOf, latestRunOf, nextSecond, nodeOutput, nodeStatuses, reviewItems, sandboxPost, sandboxState, templateFrame } from "./test-helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const frame = templateFrame({ workspace: "Use tax", systems: ["intacct", "avalara"], templates: { useTax: "intacct-bill-avalara-use-tax" } });
const { db } = frame;

const company = async (): Promise<Rec> => (await sandboxState(frame.sb.urls.intacct)).companies["LEDGERLINE-DEMO"];
const code = (bill: Rec) => `INTACCT-BILL-${bill.RECORDNO}`;
const batchesOf = async (bill: Rec): Promise<Rec[]> => ((await company()).records.GLBATCH as Rec[]).filter((b) => b.REFERENCENO === code(bill));
const entries = (batch: Rec): Rec[] => [batch.ENTRIES.GLENTRY].flat();
/** Signed cents per account over every batch of the bill (debit +, credit -). */
const netByAccount = async (bill: Rec) => {
  const out: Record<string, number> = {};
  for (const e of (await batchesOf(bill)).flatMap(entries)) out[e.ACCOUNTNO] = (out[e.ACCOUNTNO] ?? 0) + Math.round(Number(e.TRX_AMOUNT) * 100) * Number(e.TR_TYPE);
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== 0));
};
const avalaraDoc = async (bill: Rec): Promise<Rec | undefined> =>
  ((await sandboxState(frame.sb.urls.avalara)).documents as Rec[]).find((d) => d.code === code(bill) && d.type === "PurchaseInvoice");
/** Avalara's current use tax for the bill in cents (0 once voided). */
const avalaraCents = async (bill: Rec) => {
  const doc = await avalaraDoc(bill);
  return doc && doc.status !== "Cancelled" ? Math.round(doc.totalTax * 100) : 0;
};
const enter = async (vendorId: string, lines: Rec[]) => sandboxPost(frame.sb.urls.intacct, "/__sandbox/bills", { vendorId, lines });
const latestRun = (bill: Rec) => latestRunOf(db, frame.flows.useTax, `intacct:LEDGERLINE-DEMO:APBILL:${bill.RECORDNO}`);
const runLatest = async (bill: Rec) => {
  const id = await latestRun(bill);
  return { id, status: (await executeRun(db, id)).status };
};

describe("Intacct AP bill -> Avalara consumer use tax -> accrual in Intacct", () => {
  let office: Rec;
  let freight: Rec;

  it("accrues each jurisdiction's use tax on its payable account against use tax expense, equal to Avalara's committed purchase invoice", async () => {
    // Office chairs delivered to San Francisco, a SaaS subscription used in Seattle.
    office = await enter("V100", [
      { accountNo: "6000", amount: 1000, locationId: "US-CA", departmentId: "ADMIN", memo: "Office chairs" },
      { accountNo: "6100", amount: 500, locationId: "US-WA", memo: "Analytics subscription" },
    ]);
    // Freight for the Austin office: Texas has no row of its own, so the table's * row is used (and logged).
    freight = await enter("V300", [{ accountNo: "6000", amount: 400, locationId: "US-TX", memo: "Shelving" }]);
    expect(await tick(db, frame.flows.useTax)).toMatchObject({ created: 2 });
    expect((await runLatest(office)).status).toBe("succeeded");
    const freightRun = await runLatest(freight);
    expect(freightRun.status).toBe("succeeded");

    const doc = await avalaraDoc(office);
    expect(doc).toMatchObject({ status: "Committed", type: "PurchaseInvoice" });
    expect(doc!.totalTax).toBeGreaterThan(0);
    const keys = Object.keys(doc!.taxByJurisdiction).filter((k) => doc!.taxByJurisdiction[k] !== 0);
    expect(keys.some((k) => k.startsWith("US:CA:"))).toBe(true);
    expect(keys.some((k) => k.startsWith("US:WA:"))).toBe(true);

    const [batch] = await batchesOf(office);
    expect(batch).toMatchObject({ JOURNAL: "TAX", REFERENCENO: code(office), STATE: "Posted" });
    const lines = entries(batch!);
    expect(centsOf(lines.map((e) => Number(e.TRX_AMOUNT) * Number(e.TR_TYPE)))).toBe(0);
    // One credit per jurisdiction on its use tax payable account, one debit to use tax expense, at the location taxed there.
    const credits = lines.filter((e) => e.TR_TYPE === "-1");
    expect(credits).toHaveLength(keys.length);
    for (const e of credits) expect([["2300", "US-CA"], ["2330", "US-WA"]]).toContainEqual([e.ACCOUNTNO, e.LOCATION]);
    expect(lines.filter((e) => e.TR_TYPE === "1").every((e) => e.ACCOUNTNO === "6810" && e.VENDORID === "V100")).toBe(true);
    const caTax = Object.entries(doc!.taxByJurisdiction as Record<string, number>).filter(([k]) => k.startsWith("US:CA:")).reduce((s, [, v]) => s + Math.round(v * 100), 0);
    const net = await netByAccount(office);
    expect(net["2300"]).toBe(-caTax);
    expect(-(net["2300"]! + net["2330"]!)).toBe(await avalaraCents(office));
    expect(net["6810"]).toBe(await avalaraCents(office));

    expect(await netByAccount(freight)).toEqual({ "2390": -(await avalaraCents(freight)), "6810": await avalaraCents(freight) });
    const [logs] = await db.sql<{ logs: { message: string }[] }[]>`select logs from node_runs where run_id = ${freightRun.id} and node_id = 'taxGl'`;
    expect(logs!.logs.map((l) => l.message).join("\n")).toMatch(/No row for "US:TX:STA:48": using the mapping table's default row \(\*\)/);
  });

  it("a replay from the start and the next poll post nothing", async () => {
    const before = ((await company()).records.GLBATCH as Rec[]).length;
    const replay = await replayRun(db, frame.workspaceId, await latestRun(office), { from: "start", version: "own" });
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    expect(await nodeStatuses(db, replay)).toMatchObject({ sync: "already_done", post: "already_done" });
    expect(await tick(db, frame.flows.useTax)).toMatchObject({ created: 0 });
    expect(((await company()).records.GLBATCH as Rec[]).length).toBe(before);
  });

  it("an edited bill adjusts the Avalara document and offsets the accrual in force before posting the new one", async () => {
    const [original] = await batchesOf(office);
    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/bills/${office.RECORDNO}/update`, {
      lines: [
        { accountNo: "6000", amount: 1500, locationId: "US-CA", departmentId: "ADMIN", memo: "Office chairs and desks" },
        { accountNo: "6100", amount: 500, locationId: "US-WA", memo: "Analytics subscription" },
      ],
    });
    expect(await tick(db, frame.flows.useTax)).toMatchObject({ created: 1 });
    const edit = await runLatest(office);
    expect(edit.status).toBe("succeeded");
    const doc = await avalaraDoc(office);
    expect(doc).toMatchObject({ status: "Committed", version: 2, adjustmentReason: "PriceAdjusted" });
    const [, offset, replacement] = await batchesOf(office);
    expect(offset!.BATCH_TITLE).toContain(`reverses=${original!.RECORDNO}`);
    expect(entries(offset!).map((e) => [e.ACCOUNTNO, e.TR_TYPE, e.TRX_AMOUNT])).toEqual(entries(original!).map((e) => [e.ACCOUNTNO, String(-Number(e.TR_TYPE)), e.TRX_AMOUNT]));
    expect(centsOf(entries(replacement!).map((e) => Number(e.TRX_AMOUNT) * Number(e.TR_TYPE)))).toBe(0);
    const net = await netByAccount(office);
    expect(-(net["2300"]! + net["2330"]!)).toBe(await avalaraCents(office));
    expect(await nodeOutput(db, edit.id, "post")).toMatchObject({ status: "posted", reversals: [{ reverses: original!.RECORDNO }] });
  });

  it("a reversed bill voids the Avalara document and offsets the accrual: nothing left on either side", async () => {
    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/bills/${freight.RECORDNO}/reverse`, {});
    expect(await tick(db, frame.flows.useTax)).toMatchObject({ created: 1 });
    expect((await runLatest(freight)).status).toBe("succeeded");
    expect(await avalaraDoc(freight)).toMatchObject({ status: "Cancelled" });
    expect(await batchesOf(freight)).toHaveLength(2);
    expect(await netByAccount(freight)).toEqual({});
    expect(await avalaraCents(freight)).toBe(0);
  });

  it("a deleted bill (found in the audit trail) voids the Avalara document and offsets the accrual", async () => {
    const chairs = await enter("V100", [{ accountNo: "6000", amount: 640, locationId: "US-CA", memo: "Meeting chairs" }]);
    await tick(db, frame.flows.useTax);
    expect((await runLatest(chairs)).status).toBe("succeeded");
    expect(await avalaraCents(chairs)).toBeGreaterThan(0);
    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/bills/${chairs.RECORDNO}/delete`, {});
    expect(await tick(db, frame.flows.useTax)).toMatchObject({ created: 1 });
    const deletion = await runLatest(chairs);
    expect(deletion.status).toBe("succeeded");
    expect(await nodeOutput(db, deletion.id, "bill")).toMatchObject({ state: "Deleted", recordNo: chairs.RECORDNO });
    expect(await avalaraDoc(chairs)).toMatchObject({ status: "Cancelled" });
    const [accrual, offset] = await batchesOf(chairs);
    expect(offset!.BATCH_TITLE).toContain(`reverses=${accrual!.RECORDNO}`);
    expect(await netByAccount(chairs)).toEqual({});
  });

  it("without the * row, a jurisdiction with no row parks the run naming it, nothing accrued or committed; resolved, it posts once", async () => {
    await db.sql`delete from lookup_rows where table_id = ${frame.tables.useTax.useTaxGl!} and key = '*'`;
    const shelving = await enter("V300", [{ accountNo: "6000", amount: 250, locationId: "US-TX" }]);
    await tick(db, frame.flows.useTax);
    const parked = await latestRun(shelving);
    expect((await executeRun(db, parked)).status).toBe("needs_review");
    const [item] = await reviewItems(db, parked);
    expect(item).toMatchObject({ node_id: "taxGl", reason_code: "lookup_miss" });
    expect(item!.reason).toContain('"US:TX:STA:48"');
    expect(await avalaraDoc(shelving)).toMatchObject({ status: "Saved" });
    expect(await batchesOf(shelving)).toEqual([]);

    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${frame.workspaceId}, ${frame.tables.useTax.useTaxGl!}, '*', '{"payableAccountNo":"2390","expenseAccountNo":"6810"}'::jsonb)`;
    const [review] = await db.sql<{ id: string }[]>`select id::text from review_items where run_id = ${parked}`;
    const replay = await resolveReview(db, frame.workspaceId, review!.id);
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    expect(await avalaraDoc(shelving)).toMatchObject({ status: "Committed" });
    expect(await netByAccount(shelving)).toEqual({ "2390": -(await avalaraCents(shelving)), "6810": await avalaraCents(shelving) });
  });

  it("a bill the vendor taxed: Avalara gets the vendor's tax as an override and only the shortfall is accrued; none when the vendor charged enough", async () => {
    // Seattle: WA's rates come to about 10%. Northwind charged 90.00 on 800 of desks (enough) and 10.00 on 300 of monitor arms (too little).
    const enough = await enter("V200", [
      { accountNo: "6000", amount: 800, locationId: "US-WA", memo: "Standing desks" },
      { accountNo: "6800", amount: 90, locationId: "US-WA", memo: "Sales tax charged by Northwind" },
    ]);
    const short = await enter("V200", [
      { accountNo: "6000", amount: 300, locationId: "US-WA", memo: "Monitor arms" },
      { accountNo: "6800", amount: 10, locationId: "US-WA", memo: "Sales tax charged by Northwind" },
    ]);
    await tick(db, frame.flows.useTax);
    expect((await runLatest(enough)).status).toBe("succeeded");
    expect(await avalaraDoc(enough)).toMatchObject({ status: "Committed", totalTax: 90, totalAmount: 800 });
    expect((await avalaraDoc(enough))!.totalTaxCalculated).toBeLessThan(90);
    expect(await batchesOf(enough)).toEqual([]);

    expect((await runLatest(short)).status).toBe("succeeded");
    const doc = (await avalaraDoc(short))!;
    expect(doc).toMatchObject({ status: "Committed", totalTax: 10, totalAmount: 300 });
    const shortfall = Math.round(doc.totalTaxCalculated * 100) - 1000;
    expect(shortfall).toBeGreaterThan(0);
    expect(await netByAccount(short)).toEqual({ "2330": -shortfall, "6810": shortfall });

    // AP corrects the vendor's tax on the short bill to the full amount: the accrual in force is offset, nothing new.
    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/bills/${short.RECORDNO}/update`, {
      lines: [
        { accountNo: "6000", amount: 300, locationId: "US-WA", memo: "Monitor arms" },
        { accountNo: "6800", amount: doc.totalTaxCalculated, locationId: "US-WA", memo: "Sales tax charged by Northwind" },
      ],
    });
    await tick(db, frame.flows.useTax);
    expect((await runLatest(short)).status).toBe("succeeded");
    expect(await avalaraDoc(short)).toMatchObject({ status: "Committed", version: 2, totalTax: doc.totalTaxCalculated });
    expect(await batchesOf(short)).toHaveLength(2);
    expect(await netByAccount(short)).toEqual({});
  });

  it("a bill line whose location has no ship-to address waits in review before anything is accrued", async () => {
    const unplaced = await enter("V100", [{ accountNo: "6000", amount: 120, memo: "Toner, no location" }]);
    await tick(db, frame.flows.useTax);
    const runId = await latestRun(unplaced);
    expect((await executeRun(db, runId)).status).toBe("needs_review");
    const [item] = await reviewItems(db, runId);
    expect(item).toMatchObject({ node_id: "sync", reason_code: "invalid_address" });
    expect(await avalaraDoc(unplaced)).toBeUndefined();
    expect(await batchesOf(unplaced)).toEqual([]);
  });
});
