/**
 * Intacct sales transaction -> Avalara -> tax through AR over a document's life: an edit in Order
 * Entry (update: a new AR invoice) and a deletion (found in the audit trail), end to end over HTTP
 * against the Intacct and Avalara sandboxes, real PostgreSQL, the real poll and executor. Each
 * assertion reads the sandboxes' own state: AR's tax for the document equals Avalara's current
 * tax, memos balance against the customer, reversals name the memo they reverse, replays post
 * nothing.
 */
import { describe, expect, it } from "vitest";
import { executeRun } from "../executor/run";
import { activateFlow } from "../flows";
import { replayRun } from "../runs";
import { createWorkspace } from "../test/helpers";
import { tick } from "../triggers";
import { instantiateTemplate } from "./index";
import { executeToEnd, intacctSalesFrame, nextSecond, nodeOutput, nodeStatuses, sandboxConnection, sandboxPost, sandboxState } from "./test-helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const { frame, company, memosOf, items, sell, pollAndRun } = intacctSalesFrame("Intacct lifecycle");
const { db } = frame;

/** AR's tax for the document in cents, from Intacct's own adjustments. */
const arTax = async (docNo: string) => (await memosOf(docNo)).flatMap(items).reduce((s, l) => s + Math.round(Number(l.AMOUNT) * 100), 0);
const avalaraDoc = async (docNo: string): Promise<Rec | undefined> =>
  ((await sandboxState(frame.sb.urls.avalara)).documents as Rec[]).find((d) => d.code === `INTACCT-SO-${docNo}` && d.type === "SalesInvoice");
const avalaraTax = async (docNo: string) => {
  const doc = await avalaraDoc(docNo);
  return doc && doc.status !== "Cancelled" ? Math.round(doc.totalTax * 100) : 0;
};

describe("Intacct sales invoice edited in Order Entry", () => {
  it("adjusts the Avalara document and reverses the memo in force before posting the new one, against the new AR invoice", async () => {
    // Umbrella Health, Seattle WA: two routers.
    const so = await sell("C400", [{ itemId: "HW-ROUTER", quantity: 2 }]);
    const first = await pollAndRun(so);
    expect(first.status).toBe("succeeded");
    const [memo] = await memosOf(so.DOCNO);
    expect(memo).toMatchObject({ ADJUSTMENTTYPE: "Debit Memo", CUSTOMERID: "C400", DOCNUMBER: so.DOCNO });
    expect(await arTax(so.DOCNO)).toBe(await avalaraTax(so.DOCNO));
    const invoiceBefore = ((await company()).records.ARINVOICE as Rec[]).find((i) => i.RECORDID === so.DOCNO)!;

    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${so.DOCNO}/update`, { lines: [{ itemId: "HW-ROUTER", quantity: 5 }] });
    const invoiceAfter = ((await company()).records.ARINVOICE as Rec[]).find((i) => i.RECORDID === so.DOCNO)!;
    expect(invoiceAfter.RECORDNO).not.toBe(invoiceBefore.RECORDNO);
    const edit = await pollAndRun(so);
    expect(edit.status).toBe("succeeded");

    expect(await avalaraDoc(so.DOCNO)).toMatchObject({ status: "Committed", version: 2, adjustmentReason: "PriceAdjusted" });
    const [original, reversal, replacement] = await memosOf(so.DOCNO);
    expect(reversal).toMatchObject({ ADJUSTMENTTYPE: "Credit Memo", CUSTOMERID: "C400", DOCNUMBER: so.DOCNO });
    expect(String(reversal!.EXTERNALID)).toContain(`reverses=${original!.RECORDNO}`);
    expect(items(reversal!).map((l) => [l.ACCOUNTNO, -Number(l.TRX_AMOUNT)])).toEqual(items(original!).map((l) => [l.ACCOUNTNO, Number(l.TRX_AMOUNT)]));
    expect(replacement).toMatchObject({ ADJUSTMENTTYPE: "Debit Memo", DOCNUMBER: so.DOCNO });
    // Five routers' tax now, in AR and at Avalara alike.
    expect(await arTax(so.DOCNO)).toBe(await avalaraTax(so.DOCNO));
    expect(await avalaraTax(so.DOCNO)).toBeGreaterThan(Math.round(Number(memo!.TOTALENTERED) * 100));

    // A replay of the edit posts nothing.
    const count = (await memosOf(so.DOCNO)).length;
    const replay = await replayRun(db, frame.workspaceId, edit.id, { from: "start", version: "own" });
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    expect(await nodeStatuses(db, replay)).toMatchObject({ sync: "already_done", post: "already_done" });
    expect((await memosOf(so.DOCNO)).length).toBe(count);
  });
});

describe("Intacct sales invoice deleted", () => {
  it("the poll finds the deletion in the audit trail; Avalara voids the document and a credit memo reverses the tax against the customer", async () => {
    // Globex, New York: licences.
    const so = await sell("C200", [{ itemId: "SW-STD", quantity: 2 }]);
    expect((await pollAndRun(so)).status).toBe("succeeded");
    const [memo] = await memosOf(so.DOCNO);
    expect(await arTax(so.DOCNO)).toBeGreaterThan(0);
    const balanceBefore = Math.round(Number((await company()).arBalances.C200) * 100);

    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${so.DOCNO}/delete`, {});
    const deletion = await pollAndRun(so);
    expect(deletion.status).toBe("succeeded");
    expect(await nodeOutput(db, deletion.id, "sale")).toMatchObject({ state: "Deleted", documentNumber: so.DOCNO, customerId: "" });

    expect(await avalaraDoc(so.DOCNO)).toMatchObject({ status: "Cancelled" });
    const [, reversal] = await memosOf(so.DOCNO);
    expect(reversal).toMatchObject({ ADJUSTMENTTYPE: "Credit Memo", CUSTOMERID: "C200", DOCNUMBER: "" });
    expect(String(reversal!.EXTERNALID)).toContain(`reverses=${memo!.RECORDNO}`);
    expect(await arTax(so.DOCNO)).toBe(0);
    expect(await avalaraTax(so.DOCNO)).toBe(0);
    // The customer's balance loses the invoice and its tax.
    const invoiceCents = Math.round(Number(so.TOTAL) * 100);
    expect(Math.round(Number((await company()).arBalances.C200) * 100)).toBe(balanceBefore - invoiceCents - Math.round(Number(memo!.TOTALENTERED) * 100));

    // Replayed, or polled again: nothing more.
    const replay = await replayRun(db, frame.workspaceId, deletion.id, { from: "start", version: "own" });
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    expect(await tick(db, frame.flows.sales)).toMatchObject({ created: 0 });
    expect(await memosOf(so.DOCNO)).toHaveLength(2);
  });

  it("a deleted invoice that never reached Avalara (its address was still in review) ends as skipped, posting nothing", async () => {
    // Acme, Irvine CA: a ZIP Avalara cannot place, so the first run waits in review.
    const so = await sell("C100", [{ itemId: "SW-PRO", quantity: 1 }]);
    expect((await pollAndRun(so)).status).toBe("needs_review");
    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${so.DOCNO}/delete`, {});
    const deletion = await pollAndRun(so);
    expect(deletion.status).toBe("skipped");
    expect(await nodeOutput(db, deletion.id, "sync")).toMatchObject({ outcome: "absent" });
    expect(await avalaraDoc(so.DOCNO)).toBeUndefined();
    expect(await memosOf(so.DOCNO)).toEqual([]);
  });
});

describe("Intacct sales: a mixed scenario of 50 documents reconciles to Avalara to the cent", () => {
  it("40 invoices and 10 returns: created, edited (twice for some), reversed, deleted, credited in full and in part, one closed period, EUR beside USD; AR's tax per tax account and currency equals Avalara's", async () => {
    const customers = ["C200", "C300", "C400", "C500", "C600"];
    const products = ["SW-STD", "SW-PRO", "HW-ROUTER", "SVC-IMPL"];
    /** Documents in the order made, with their currency. */
    const docs: { so: Rec; currency: string; type: "SalesInvoice" | "ReturnInvoice" }[] = [];
    // A closed period: a month well past, closed before its two invoices are polled.
    const past = new Date(Date.now() - 45 * 86_400_000).toISOString();
    const closedPeriod = past.slice(0, 7);
    await sandboxPost(frame.sb.urls.intacct, "/__sandbox/periods", { period: closedPeriod, closed: true });
    const invoices: Rec[] = [];
    for (let n = 0; n < 40; n++) {
      const eur = n % 10 === 9; // 9, 19, 29, 39: EUR in the USD company
      const extra: Rec = { ...(eur ? { currency: "EUR", exchangeRate: 1.0712 } : {}), ...(n === 23 || n === 24 ? { date: `${closedPeriod}-15` } : {}) };
      const so = await sell(customers[n % 5]!, [{ itemId: products[n % 4]!, quantity: 1 + (n % 3) }, ...(n % 2 ? [{ itemId: "HW-ROUTER", quantity: 1 }] : [])], extra);
      invoices.push(so);
      docs.push({ so, currency: eur ? "EUR" : "USD", type: "SalesInvoice" });
    }
    await tick(db, frame.flows.sales);
    const keys = () => docs.map(({ so }) => `intacct:LEDGERLINE-DEMO:SODOCUMENT:${so.RECORDNO}`);
    const parked: string[] = [];
    const runAll = async () => {
      const queued = await db.sql<{ id: string }[]>`
        select id::text from runs where flow_id = ${frame.flows.sales} and status = 'queued' and record_key = any(${keys()}) order by created_at`;
      // Four at a time, as the flow's workers would (each run is a different document).
      for (let i = 0; i < queued.length; i += 4) {
        const batch = queued.slice(i, i + 4);
        const statuses = await Promise.all(batch.map((run) => executeToEnd(db, run.id)));
        statuses.forEach((status, j) => {
          if (status === "needs_review") parked.push(batch[j]!.id);
          else expect(status).toMatch(/succeeded|skipped/);
        });
      }
    };
    await runAll();
    // The closed period's two invoices wait in review with "period closed"; nothing of theirs is in AR.
    expect(parked).toHaveLength(2);
    for (const id of parked) expect((await db.sql<{ reason_code: string }[]>`select reason_code from review_items where run_id = ${id}`)[0]).toMatchObject({ reason_code: "period_closed" });
    for (const so of [invoices[23]!, invoices[24]!]) expect(await memosOf(so.DOCNO)).toEqual([]);

    await nextSecond();
    for (const so of invoices.slice(0, 6)) await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${so.DOCNO}/update`, { lines: [{ itemId: "HW-ROUTER", quantity: 7 }] });
    for (const so of invoices.slice(6, 9)) await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${so.DOCNO}/reverse`, {});
    for (const so of invoices.slice(9, 12)) await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${so.DOCNO}/delete`, {});
    // Returns: in full for 12-16, in part for 17-21 (19 is in EUR).
    const returns: Rec[] = [];
    for (const so of invoices.slice(12, 22)) {
      const lines = [(so.SODOCUMENTENTRIES as Rec).sodocumententry].flat() as Rec[];
      const full = returns.length < 5;
      const ret = await sell(String(so.CUSTVENDID), full ? lines.map((l) => ({ itemId: l.ITEMID, quantity: Number(l.QUANTITY) })) : [{ itemId: lines[0]!.ITEMID, quantity: 1 }], {
        docparid: "Sales Return",
        createdFrom: so.DOCNO,
      });
      returns.push(ret);
      docs.push({ so: ret, currency: String(ret.CURRENCY), type: "ReturnInvoice" });
    }
    await tick(db, frame.flows.sales);
    await runAll();
    // The accountant reopens the period; the parked runs go again and post once.
    await sandboxPost(frame.sb.urls.intacct, "/__sandbox/periods", { period: closedPeriod, closed: false });
    for (const id of parked) {
      const again = await replayRun(db, frame.workspaceId, id, { from: "start", version: "own" });
      expect((await executeRun(db, again)).status).toBe("succeeded");
    }
    await nextSecond();
    for (const so of invoices.slice(0, 3)) await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${so.DOCNO}/update`, { lines: [{ itemId: "SW-STD", quantity: 2 }] });
    // A partial return edited to two of the item, another deleted.
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${returns[5]!.DOCNO}/update`, { lines: [{ itemId: String(([(invoices[17]!.SODOCUMENTENTRIES as Rec).sodocumententry].flat()[0] as Rec).ITEMID), quantity: 2 }] });
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${returns[6]!.DOCNO}/delete`, {});
    await tick(db, frame.flows.sales);
    await runAll();
    expect(docs).toHaveLength(50);

    // Avalara's current tax per jurisdiction and currency, through the workspace's own mapping table, per tax account.
    const [table] = await db.sql<{ id: string }[]>`select id::text from lookup_tables where workspace_id = ${frame.workspaceId} and name = 'Tax GL accounts (Intacct)'`;
    const rows = await db.sql<{ key: string; values: { accountNo: string } }[]>`select key, values from lookup_rows where table_id = ${table!.id}`;
    const accountOf = new Map(rows.map((r) => [r.key, r.values.accountNo]));
    const avalaraDocs = (await sandboxState(frame.sb.urls.avalara)).documents as Rec[];
    const expected: Record<string, number> = {};
    const posted: Record<string, number> = {};
    const memos = ((await company()).records.ARADJUSTMENT as Rec[]).filter((a) => String(a.EXTERNALID).startsWith("tax:INTACCT-SO-"));
    for (const { so, currency, type } of docs) {
      const doc = avalaraDocs.find((d) => d.code === `INTACCT-SO-${so.DOCNO}` && d.type === type);
      if (doc && doc.status !== "Cancelled") {
        for (const [key, tax] of Object.entries(doc.taxByJurisdiction as Record<string, number>)) {
          if (Math.round(tax * 100) === 0) continue;
          const account = accountOf.get(key);
          expect(account, key).toBeDefined();
          expected[`${account} ${currency}`] = (expected[`${account} ${currency}`] ?? 0) + Math.round(tax * 100);
        }
      }
      const mine = memos.filter((m) => String(m.EXTERNALID).startsWith(`tax:INTACCT-SO-${so.DOCNO}|`));
      for (const memo of mine) {
        // Every memo balances (its lines are its total, AR control the other side) and carries the document's currency.
        expect(items(memo).reduce((sum, l) => sum + Math.round(Number(l.TRX_AMOUNT) * 100), 0)).toBe(Math.round(Number(memo.TRX_TOTALENTERED) * 100));
        expect(memo.CURRENCY, so.DOCNO).toBe(currency);
        for (const line of items(memo)) posted[`${line.ACCOUNTNO} ${currency}`] = (posted[`${line.ACCOUNTNO} ${currency}`] ?? 0) + Math.round(Number(line.TRX_AMOUNT) * 100);
      }
      // Per document too: AR holds exactly Avalara's current tax for it.
      const ar = mine.flatMap(items).reduce((sum, l) => sum + Math.round(Number(l.TRX_AMOUNT) * 100), 0);
      expect(ar, so.DOCNO).toBe(doc && doc.status !== "Cancelled" ? Math.round(doc.totalTax * 100) : 0);
    }
    for (const k of Object.keys(posted)) if (posted[k] === 0) delete posted[k];
    expect(Object.keys(expected).some((k) => k.endsWith(" EUR"))).toBe(true);
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(5);
    expect(posted).toEqual(expected);

    // Edited twice: Avalara's third version, and AR's memos: first, reversal, second, reversal, third.
    for (const so of invoices.slice(0, 3)) {
      expect(await avalaraDoc(so.DOCNO), so.DOCNO).toMatchObject({ status: "Committed", version: 3 });
      expect((await memosOf(so.DOCNO)).map((m) => m.ADJUSTMENTTYPE)).toEqual(["Debit Memo", "Credit Memo", "Debit Memo", "Credit Memo", "Debit Memo"]);
    }
    // Reversed and deleted invoices hold nothing anywhere.
    for (const so of invoices.slice(6, 12)) {
      expect(await avalaraDoc(so.DOCNO)).toMatchObject({ status: "Cancelled" });
      expect(await arTax(so.DOCNO)).toBe(0);
    }
    // Full returns take all of their invoice's tax back; partial ones some; each credit memo names the invoice.
    for (const [i, ret] of returns.entries()) {
      const invoice = invoices[12 + i]!;
      const back = memos.filter((m) => String(m.EXTERNALID).startsWith(`tax:INTACCT-SO-${ret.DOCNO}|`));
      if (i === 6) {
        expect(back.reduce((sum, m) => sum + Math.round(Number(m.TRX_TOTALENTERED) * 100), 0)).toBe(0);
        continue;
      }
      // A return of exempt goods (implementation services in some states) has no tax to take back.
      if (back.length > 0) expect(back[0], ret.DOCNO).toMatchObject({ ADJUSTMENTTYPE: "Credit Memo", DOCNUMBER: invoice.DOCNO });
      else expect(Math.round(avalaraDocs.find((d) => d.code === `INTACCT-SO-${ret.DOCNO}` && d.type === "ReturnInvoice")!.totalTax * 100), ret.DOCNO).toBe(0);
      const net = (await arTax(invoice.DOCNO)) + back.flatMap(items).reduce((sum, l) => sum + Math.round(Number(l.TRX_AMOUNT) * 100), 0);
      if (i < 5) expect(net, ret.DOCNO).toBe(0);
      else expect(net, ret.DOCNO).toBeGreaterThanOrEqual(0);
    }
    // The closed period's invoices posted in it once it was open again.
    for (const so of [invoices[23]!, invoices[24]!]) {
      const [memo] = await memosOf(so.DOCNO);
      expect(memo!.WHENCREATED.slice(0, 2)).toBe(closedPeriod.slice(5, 7));
    }
  }, 240_000);
});

describe("Intacct sales -> tax summary to a clearing account, over the document's life", () => {
  it("an edit offsets the batch in force and posts the new one; a return posts its own negative batch; a deletion offsets it; the GL nets to Avalara's current tax", async () => {
    const ws = await createWorkspace(db, "Summary lifecycle");
    for (const system of ["intacct", "avalara"] as const) await sandboxConnection(db, ws, system, frame.sb.urls[system]);
    const created = await instantiateTemplate(db, ws, "intacct-sales-avalara-gl-summary", { demo: true });
    await db.sql`insert into lookup_rows (workspace_id, table_id, key, values) values (${ws}, ${created.tableIds.taxSetup!}, 'clearingAccount', '{"accountNo":"2290"}'::jsonb)`;
    await activateFlow(db, ws, created.flowId);
    await tick(db, created.flowId);
    const so = await sell("C300", [{ itemId: "HW-ROUTER", quantity: 2 }]);
    const run = async () => {
      await tick(db, created.flowId);
      const [row] = await db.sql<{ id: string }[]>`
        select id::text from runs where flow_id = ${created.flowId} and record_key = ${`intacct:LEDGERLINE-DEMO:SODOCUMENT:${so.RECORDNO}`} order by created_at desc limit 1`;
      return (await executeRun(db, row!.id)).status;
    };
    const batches = async (docNo = so.DOCNO): Promise<Rec[]> => ((await company()).records.GLBATCH as Rec[]).filter((b) => b.REFERENCENO === `INTACCT-SO-${docNo}`);
    /** The GL's net tax credit for the document in cents (tax accounts, clearing account left out). */
    const glTax = async (docNo = so.DOCNO) =>
      (await batches(docNo))
        .flatMap((b) => [b.ENTRIES.GLENTRY].flat() as Rec[])
        .filter((e) => e.ACCOUNTNO !== "2290")
        .reduce((s, e) => s - Math.round(Number(e.TRX_AMOUNT) * 100) * Number(e.TR_TYPE), 0);

    expect(await run()).toBe("succeeded");
    expect(await glTax()).toBe(await avalaraTax(so.DOCNO));
    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${so.DOCNO}/update`, { lines: [{ itemId: "HW-ROUTER", quantity: 6 }] });
    expect(await run()).toBe("succeeded");
    const [first, offset] = await batches();
    expect(offset!.BATCH_TITLE).toContain(`reverses=${first!.RECORDNO}`);
    expect(await batches()).toHaveLength(3);
    expect(await glTax()).toBe(await avalaraTax(so.DOCNO));
    // A return of two routers: its own ReturnInvoice and the negative batch (tax accounts debited, the clearing account credited).
    await nextSecond();
    const ret = await sell("C300", [{ itemId: "HW-ROUTER", quantity: 2 }], { docparid: "Sales Return", createdFrom: so.DOCNO });
    await tick(db, created.flowId);
    const [returnRun] = await db.sql<{ id: string }[]>`
      select id::text from runs where flow_id = ${created.flowId} and record_key = ${`intacct:LEDGERLINE-DEMO:SODOCUMENT:${ret.RECORDNO}`} order by created_at desc limit 1`;
    expect((await executeRun(db, returnRun!.id)).status).toBe("succeeded");
    const [negative] = await batches(String(ret.DOCNO));
    const entries = [negative!.ENTRIES.GLENTRY].flat() as Rec[];
    expect(entries.filter((e) => e.ACCOUNTNO === "2290").map((e) => e.TR_TYPE)).toEqual(["-1"]);
    expect(entries.filter((e) => e.ACCOUNTNO !== "2290").every((e) => e.TR_TYPE === "1")).toBe(true);
    expect(entries.reduce((sum, e) => sum + Math.round(Number(e.TRX_AMOUNT) * 100) * Number(e.TR_TYPE), 0)).toBe(0);
    const returnDoc = ((await sandboxState(frame.sb.urls.avalara)).documents as Rec[]).find((d) => d.code === `INTACCT-SO-${ret.DOCNO}` && d.type === "ReturnInvoice");
    expect(returnDoc).toMatchObject({ status: "Committed" });
    expect(await glTax(String(ret.DOCNO))).toBe(Math.round(returnDoc!.totalTax * 100));
    expect((await glTax()) + (await glTax(String(ret.DOCNO)))).toBeGreaterThan(0);
    await nextSecond();
    await sandboxPost(frame.sb.urls.intacct, `/__sandbox/sales-transactions/${so.DOCNO}/delete`, {});
    expect(await run()).toBe("succeeded");
    expect(await batches()).toHaveLength(4);
    expect(await glTax()).toBe(0);
    expect(await avalaraDoc(so.DOCNO)).toMatchObject({ status: "Cancelled" });
  });
});
