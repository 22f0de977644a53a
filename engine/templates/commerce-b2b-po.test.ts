/**
 * Adobe Commerce B2B purchase order -> Intacct purchase order, end to end: the Commerce and
 * Intacct sandboxes over HTTP (GraphQL and the XML gateway), real PostgreSQL, the real poll and
 * executor. Every assertion reads the sandboxes' own state: Intacct's PODOCUMENT records (lines,
 * totals, state, message) against Commerce's purchase orders.
 */
import { describe, expect, it } from "vitest";
import { dryRunRecentDocuments } from "../dry-run-documents";
import { executeRun } from "../executor/run";
import { replayRun } from "../runs";
import { nodeOutput, pollAndRun, reviewItems, sandboxPost, sandboxState, templateFrame } from "./test-helpers";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const frame = templateFrame({ workspace: "B2B purchase orders", systems: ["commerce", "intacct"], templates: { po: "commerce-b2b-po-intacct-po" } });
const { db } = frame;

const intacctOrders = async (): Promise<Rec[]> => (await sandboxState(frame.sb.urls.intacct)).companies["LEDGERLINE-DEMO"].records.PODOCUMENT;
const orderFor = async (number: string) => (await intacctOrders()).filter((d) => d.PONUMBER === number);
const linesOf = (doc: Rec) => [doc.PODOCUMENTENTRIES.podocumententry].flat().map((l: Rec) => [l.ITEMID, l.QUANTITY, l.PRICE]);
const commercePo = async (number: string): Promise<Rec> => ((await sandboxState(frame.sb.urls.commerce)).purchaseOrders as Rec[]).find((p) => p.number === number)!;
/** Intacct update_potransaction calls the sandbox answered, per DOCID (its WHENMODIFIED moves on each). */
const act = (number: string, action: string, body: Rec = {}) => sandboxPost(frame.sb.urls.commerce, `/__sandbox/purchase-orders/${number}/${action}`, body);

const writesFor = async (documentId: string) => {
  const rows = await db.sql<{ node_id: string; n: number }[]>`
    select nr.node_id, count(*)::int as n from node_runs nr join runs r on r.id = nr.run_id
    where r.flow_id = ${frame.flows.po} and nr.status = 'succeeded' and nr.node_id in ('updatePo', 'closePo') and (nr.output->>'documentId') = ${documentId} and (nr.output->>'changed')::boolean
    group by nr.node_id`;
  return Object.fromEntries(rows.map((r) => [r.node_id, r.n]));
};

describe("Commerce B2B purchase order -> Intacct purchase order", () => {
  let placed: Rec;

  it("a dry run of the recent purchase orders shows each order it would create, and writes nothing", async () => {
    const before = JSON.stringify(await intacctOrders());
    const batch = await dryRunRecentDocuments(db, frame.workspaceId, frame.flows.po, { count: 5 });
    const documents = [...batch.documents].sort((a, b) => a.key.localeCompare(b.key));
    expect(documents.map((d) => [d.key, d.status])).toEqual([
      ["commerce:purchaseorder:000000001", "dry_run"],
      ["commerce:purchaseorder:000000002", "dry_run"],
    ]);
    const created = documents.map((d) => d.postings.find((p) => p.nodeId === "createPo")!.wouldPost as Rec);
    expect(created.map((c) => [c.function, c.vendorId, c.referenceNo, c.total])).toEqual([
      ["create_potransaction", "V200", "000000001", "3600.00"],
      ["create_potransaction", "V200", "000000002", "1024.80"],
    ]);
    expect(created[1]!.lines).toEqual([
      { itemId: "HW-ROUTER", quantity: "12", price: "39.90", memo: "USB-HUB-7 7-port USB-C hub" },
      { itemId: "HW-ROUTER", quantity: "12", price: "45.50", memo: "LAPTOP-STAND Aluminium laptop stand" },
    ]);
    expect(JSON.stringify(await intacctOrders())).toBe(before);
    const [ledger] = await db.sql<{ n: number }[]>`select count(*)::int as n from idempotency_ledger where workspace_id = ${frame.workspaceId}`;
    expect(ledger!.n).toBe(0);
  });

  it("creates each purchase order once, open, under the company's vendor with its lines at the Commerce prices", async () => {
    expect(await pollAndRun(db, frame.flows.po)).toEqual(["succeeded", "succeeded"]);
    placed = (await sandboxPost(frame.sb.urls.commerce, "/__sandbox/purchase-orders", { customerId: 2, lines: [{ sku: "CHAIR-ERG-2", qty: 8 }, { sku: "USB-HUB-7", qty: 3, price: 41.25 }] })).purchaseOrder as Rec;
    expect(await pollAndRun(db, frame.flows.po)).toEqual(["succeeded"]);

    const [doc] = await orderFor(placed.number);
    expect(await orderFor(placed.number)).toHaveLength(1);
    expect(doc).toMatchObject({
      DOCPARID: "Purchase Order",
      STATE: "Pending",
      CUSTVENDID: "V200",
      PONUMBER: placed.number,
      MESSAGE: `Commerce purchase order ${placed.number}: PENDING (approval pending)`,
      TOTAL: "2115.75",
    });
    expect(linesOf(doc!)).toEqual([
      ["SUP-PAPER", "8", "249.00"],
      ["HW-ROUTER", "3", "41.25"],
    ]);
    // The seeded approved purchase order too, already carrying its approval.
    const [seeded] = await orderFor("000000002");
    expect(seeded).toMatchObject({ STATE: "Pending", MESSAGE: "Commerce purchase order 000000002: APPROVED (approval approved)", TOTAL: "1024.80" });
    // Nothing to update right after the create.
    expect(await writesFor(doc!.DOCID)).toEqual({});
  });

  it("an approval and a line change each update it once; an unchanged poll runs nothing", async () => {
    const docId = (await orderFor(placed.number))[0]!.DOCID as string;
    await act(placed.number, "approve");
    expect(await pollAndRun(db, frame.flows.po)).toEqual(["succeeded"]);
    expect((await orderFor(placed.number))[0]).toMatchObject({ MESSAGE: `Commerce purchase order ${placed.number}: APPROVED (approval approved)`, STATE: "Pending" });
    expect(await writesFor(docId)).toEqual({ updatePo: 1 });

    await act(placed.number, "edit", { lines: [{ sku: "CHAIR-ERG-2", qty: 10 }, { sku: "USB-HUB-7", qty: 3, price: 41.25 }, { sku: "TONER-BK-XL", qty: 2 }] });
    expect(await pollAndRun(db, frame.flows.po)).toEqual(["succeeded"]);
    const [doc] = await orderFor(placed.number);
    expect(linesOf(doc!)).toEqual([
      ["SUP-PAPER", "10", "249.00"],
      ["HW-ROUTER", "3", "41.25"],
      ["SUP-PAPER", "2", "89.00"],
    ]);
    expect(doc!.TOTAL).toBe("2791.75");
    expect(await writesFor(docId)).toEqual({ updatePo: 2 });
    expect(await pollAndRun(db, frame.flows.po)).toEqual([]);
    expect(await orderFor(placed.number)).toHaveLength(1);
  });

  it("placing its sales order closes it once, naming the order; a replay and the next poll post nothing", async () => {
    const docId = (await orderFor(placed.number))[0]!.DOCID as string;
    await act(placed.number, "complete");
    expect(await pollAndRun(db, frame.flows.po)).toEqual(["succeeded"]);
    const commerce = await commercePo(placed.number);
    expect(commerce.status).toBe("ORDER_PLACED");
    const [doc] = await orderFor(placed.number);
    expect(doc).toMatchObject({ STATE: "Closed", MESSAGE: `Commerce purchase order ${placed.number} completed: sales order ${commerce.order_increment_id}`, TOTAL: "2791.75" });
    expect(await writesFor(docId)).toEqual({ updatePo: 2, closePo: 1 });

    const before = JSON.stringify(await intacctOrders());
    const [last] = await db.sql<{ id: string }[]>`
      select id::text from runs where flow_id = ${frame.flows.po} and record_key = ${`commerce:purchaseorder:${placed.number}`} and parent_run_id is null order by created_at desc limit 1`;
    const replay = await replayRun(db, frame.workspaceId, last!.id, { from: "start", version: "own" });
    expect((await executeRun(db, replay)).status).toBe("succeeded");
    expect(await pollAndRun(db, frame.flows.po)).toEqual([]);
    expect(JSON.stringify(await intacctOrders())).toBe(before);
    expect(await writesFor(docId)).toEqual({ updatePo: 2, closePo: 1 });
  });

  it("a cancelled purchase order is closed once as cancelled; one first seen already cancelled is created, then closed", async () => {
    await act("000000001", "cancel");
    const late = (await sandboxPost(frame.sb.urls.commerce, "/__sandbox/purchase-orders", { customerId: 1, lines: [{ sku: "PAPER-A4-5BOX", qty: 4 }] })).purchaseOrder as Rec;
    await act(late.number, "reject");
    expect(await pollAndRun(db, frame.flows.po)).toEqual(["succeeded", "succeeded"]);
    expect((await orderFor("000000001"))[0]).toMatchObject({ STATE: "Closed", MESSAGE: "Commerce purchase order 000000001 cancelled" });
    const [rejected] = await orderFor(late.number);
    expect(rejected).toMatchObject({ STATE: "Closed", MESSAGE: `Commerce purchase order ${late.number} rejected`, TOTAL: "110.00" });
    expect(await orderFor(late.number)).toHaveLength(1);
  });

  it("a SKU without a mapping row parks the purchase order for review and writes nothing", async () => {
    const before = (await intacctOrders()).length;
    const odd = (await sandboxPost(frame.sb.urls.commerce, "/__sandbox/purchase-orders", { customerId: 1, lines: [{ sku: "GIFT-CARD-50", qty: 1, price: 50 }] })).purchaseOrder as Rec;
    expect(await pollAndRun(db, frame.flows.po)).toEqual(["needs_review"]);
    const [run] = await db.sql<{ id: string }[]>`select id::text from runs where flow_id = ${frame.flows.po} and record_key = ${`commerce:purchaseorder:${odd.number}`}`;
    expect((await reviewItems(db, run!.id))[0]).toMatchObject({ node_id: "items", reason: 'No mapping for "GIFT-CARD-50" in the mapping table' });
    expect(await nodeOutput(db, run!.id, "createPo")).toBeUndefined();
    expect((await intacctOrders()).length).toBe(before);
  });
});
