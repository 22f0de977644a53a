/**
 * Source documents, made in the sandboxes through their own APIs while the run goes on: Exact
 * sales invoices (Exact notifies the web app), Intacct sales transactions and Commerce orders (the
 * polls find them), and credit memos on Commerce orders made earlier (invoiced, then one unit
 * refunded). The plan is drawn from the seed: the same seed makes the same documents at the same times.
 *
 * Each document carries the record key its runs have and the business key of its posting in the
 * target system, so the report can find both.
 */
import { seededRandom } from "../../connectors/sdk";
import type { Integration } from "./setup";

export type DocumentKind = "exactInvoice" | "intacctSale" | "commerceOrder" | "commerceCreditMemo";

export interface PlannedDocument {
  i: number;
  kind: DocumentKind;
  integration: Integration;
  /** ms after the start of the chaos phase */
  at: number;
  /** for a credit memo: the planned order it refunds */
  orderOf?: number;
  body: Record<string, unknown>;
}

export interface CreatedDocument {
  plan: PlannedDocument;
  /** The source system's id, as a person would name it. */
  label: string;
  /** runs.record_key of its runs */
  recordKey: string;
  /**
   * How its postings are found in the target sandbox's state: `<kind>|<business key>` as
   * report.ts's postingCounts counts them (the document's postings are the sum over these keys).
   */
  postings: string[];
  createdAt: number;
}

// US customers only: the tax flows are built for the US demo companies. Some always park for a
// named reason: Acme (Irvine 92614, an address Avalara cannot place) and Wayne (Denver, a
// jurisdiction without a tax GL row) in Intacct.
const EXACT_CUSTOMERS = ["Cascade Analytics LLC", "Pacific Ledger Partners", "Hudson Freight Co.", "Lone Star Components Inc.", "Rainier Outdoor Supply", "Golden Gate Dental Group"];
const EXACT_ITEMS = ["LIC-STD", "LIC-PRO", "SVC-IMPL", "SUP-ANN", "TRN-DAY"];
const INTACCT_CUSTOMERS = ["C200", "C300", "C400", "C500", "C200", "C300", "C400", "C100", "C600"];
const INTACCT_ITEMS = ["SW-STD", "SW-PRO", "SVC-IMPL", "HW-ROUTER"];
const COMMERCE_CUSTOMERS: Array<number | null> = [1, 2, 3, 4, 5, 6, null];
const COMMERCE_SKUS = ["ACC-PRO-12M", "USB-HUB-7", "DESK-STD-140", "CHAIR-ERG-2", "LAPTOP-STAND", "TONER-BK-XL", "PAPER-A4-5BOX", "SUPPORT-PREM"];

export function planDocuments(options: { count: number; spreadMs: number; seed: number; exactAccounts: Record<string, string> }): PlannedDocument[] {
  const random = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const lines = <T>(make: () => T) => Array.from({ length: 1 + Math.floor(random() * 3) }, make);
  const plan: PlannedDocument[] = [];
  const orders: number[] = [];
  for (let i = 0; i < options.count; i++) {
    // Evenly spread, with a little jitter, so faults always meet work in flight.
    const at = Math.max(0, Math.round((i / options.count) * options.spreadMs + (random() - 0.5) * 400));
    const r = random();
    if (r < 0.35) {
      plan.push({
        i,
        kind: "exactInvoice",
        integration: "exact",
        at,
        body: { invoice: { InvoiceTo: options.exactAccounts[pick(EXACT_CUSTOMERS)], SalesInvoiceLines: lines(() => ({ ItemCode: pick(EXACT_ITEMS), Quantity: 1 + Math.floor(random() * 4) })) } },
      });
    } else if (r < 0.65) {
      plan.push({ i, kind: "intacctSale", integration: "intacct", at, body: { customerId: pick(INTACCT_CUSTOMERS), lines: lines(() => ({ itemId: pick(INTACCT_ITEMS), quantity: 1 + Math.floor(random() * 5) })) } });
    } else {
      // A credit memo refunds an order planned at least 15 s earlier (its bill is posted by then, mostly).
      const earlier = orders.filter((o) => plan[o]!.at < at - 15_000 && !plan.some((p) => p.orderOf === o));
      if (r > 0.9 && earlier.length > 0) {
        plan.push({ i, kind: "commerceCreditMemo", integration: "commerce", at, orderOf: pick(earlier), body: {} });
      } else {
        orders.push(i);
        plan.push({ i, kind: "commerceOrder", integration: "commerce", at, body: { customerId: pick(COMMERCE_CUSTOMERS), lines: lines(() => ({ sku: pick(COMMERCE_SKUS), qty: 1 + Math.floor(random() * 3) })) } });
      }
    }
  }
  return plan;
}

async function post(url: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(30_000) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

type Rec = Record<string, unknown>;

/** Make one planned document in its sandbox. `orders` maps planned order numbers to created Commerce orders. */
export async function createDocument(
  doc: PlannedDocument,
  urls: Record<"exact" | "intacct" | "commerce", string>,
  orders: Map<number, Rec>,
  division: number,
): Promise<CreatedDocument> {
  const createdAt = Date.now();
  switch (doc.kind) {
    case "exactInvoice": {
      const inv = (await post(`${urls.exact}/__sandbox/invoices`, { division, ...doc.body })) as { InvoiceID: string; InvoiceNumber: number };
      return {
        plan: doc,
        label: `Exact invoice ${inv.InvoiceNumber}`,
        recordKey: `exact:${division}:${inv.InvoiceID}`,
        // Journal lines carry tax:<Avalara document code>|v=<version> in Notes (earlier flows: <key>:journal).
        postings: [`tax|tax:EXACT-${division}-${inv.InvoiceID}`, `journal|exact:${division}:${inv.InvoiceID}:journal`],
        createdAt,
      };
    }
    case "intacctSale": {
      const so = (await post(`${urls.intacct}/__sandbox/sales-transactions`, doc.body)) as { RECORDNO: string; DOCNO: string; DOCID: string };
      return {
        plan: doc,
        label: `Intacct ${so.DOCID}`,
        recordKey: `intacct:LEDGERLINE-DEMO:SODOCUMENT:${so.RECORDNO}`,
        // Tax through AR: adjustments with EXTERNALID tax:<Avalara document code>|v=<version> (earlier flows: a GLBATCH).
        postings: [`tax|tax:INTACCT-SO-${so.DOCNO}`, `GLBATCH|INTACCT-SO-${so.DOCNO}`],
        createdAt,
      };
    }
    case "commerceOrder": {
      const { order } = (await post(`${urls.commerce}/__sandbox/orders`, doc.body)) as { order: Rec };
      orders.set(doc.i, order);
      return {
        plan: doc,
        label: `Commerce order ${String(order.increment_id)}`,
        recordKey: `commerce:order:${String(order.entity_id)}`,
        postings: [`APBILL|COM-${String(order.increment_id)}`],
        createdAt,
      };
    }
    case "commerceCreditMemo": {
      const order = orders.get(doc.orderOf!);
      if (!order) throw new Error(`credit memo ${doc.i}: its order ${doc.orderOf} was not created`);
      await post(`${urls.commerce}/__sandbox/orders/${String(order.entity_id)}/invoice`);
      const { document } = (await post(`${urls.commerce}/__sandbox/orders/${String(order.entity_id)}/refund`)) as { document: Rec };
      return {
        plan: doc,
        label: `Commerce credit memo ${String(document.increment_id)} (order ${String(order.increment_id)})`,
        recordKey: `commerce:creditmemo:${String(document.entity_id)}`,
        postings: [`APADJUSTMENT|COM-CM-${String(document.increment_id ?? document.entity_id)}`],
        createdAt,
      };
    }
  }
}
