/**
 * What the purchase order update and close nodes share: reading a Purchasing transaction with its
 * lines (readByQuery on DOCID for the RECORDNO, then `read` for the entries), and the difference
 * between the lines in Intacct and the lines wanted, as `update_potransaction` items.
 * https://developer.intacct.com/api/purchasing/transactions/
 *
 * Lines are matched by position (Intacct's line_num is one-based). A line that is no longer
 * wanted gets quantity 0: the legacy update cannot delete a line.
 */
import { z } from "zod";
import type { IntacctClient } from "../client";
import { quote } from "../client";
import { money, toCents } from "../schemas";
import { asArray, obj, text, type XmlObject } from "../xml";
import type { purchaseOrderLine } from "./createPurchaseOrder";

export type WantedLine = z.output<typeof purchaseOrderLine>;

export interface PurchaseOrderLine {
  lineNo: number;
  itemId: string;
  quantity: string;
  unit: string;
  price: string;
  memo: string;
  locationId: string;
  departmentId: string;
  projectId: string;
  classId: string;
}

export interface PurchaseOrderRecord {
  recordNo: string;
  documentId: string;
  vendorId: string;
  referenceNo: string;
  state: string;
  message: string;
  total: string;
  lines: PurchaseOrderLine[];
}

export const purchaseOrderOutput = z.object({
  recordNo: z.string(),
  documentId: z.string().describe("DOCID, e.g. Purchase Order-PO0001."),
  state: z.string().describe("Pending (open), Closed..."),
  total: z.string(),
  changed: z.boolean().describe("Whether this step changed the purchase order (false: it already read back as wanted)."),
});
export type PurchaseOrderOutput = z.output<typeof purchaseOrderOutput>;

/** Quantity as Intacct reads it back ("2", "2.5"). */
const qty = (value: number | string) => money(value).replace(/\.?0+$/, "");

/** The transaction with its lines, or undefined when there is no such DOCID. */
export async function readPurchaseOrder(client: IntacctClient, transactionType: string, documentId: string): Promise<PurchaseOrderRecord | undefined> {
  const [head] = await client.readByQuery("PODOCUMENT", `DOCID = ${quote(documentId)}`, { fields: ["RECORDNO"], docparid: transactionType, pageSize: 2 });
  if (!head) return undefined;
  const [doc] = await client.read("PODOCUMENT", [text(head.RECORDNO)], { docparid: transactionType });
  if (!doc) return undefined;
  const lines = asArray(obj(doc.PODOCUMENTENTRIES).podocumententry)
    .map(obj)
    .map((l, i) => ({
      lineNo: Number(text(l.LINE_NO)) || i + 1,
      itemId: text(l.ITEMID),
      quantity: text(l.QUANTITY),
      unit: text(l.UNIT),
      price: text(l.PRICE),
      memo: text(l.MEMO),
      locationId: text(l.LOCATION),
      departmentId: text(l.DEPARTMENT),
      projectId: text(l.PROJECTID),
      classId: text(l.CLASSID),
    }))
    .sort((a, b) => a.lineNo - b.lineNo);
  return {
    recordNo: text(doc.RECORDNO),
    documentId: text(doc.DOCID),
    vendorId: text(doc.CUSTVENDID),
    referenceNo: text(doc.PONUMBER),
    state: text(doc.STATE),
    message: text(doc.MESSAGE),
    total: text(doc.TOTAL),
    lines,
  };
}

const sameAmount = (a: string, b: number | string | undefined) => b !== undefined && a !== "" && toCents(a) === toCents(b);

/** The fields of one line that differ from what is wanted (empty when the line is as wanted). */
function lineChanges(current: PurchaseOrderLine, wanted: WantedLine): XmlObject {
  const out: XmlObject = {};
  if (current.itemId !== wanted.itemId) out.itemid = wanted.itemId;
  if (!sameAmount(current.quantity, wanted.quantity)) out.quantity = qty(wanted.quantity);
  if (wanted.unit !== undefined && current.unit !== wanted.unit) out.unit = wanted.unit;
  if (wanted.price !== undefined && !sameAmount(current.price, wanted.price)) out.price = money(wanted.price);
  if ((wanted.memo ?? "") !== current.memo) out.memo = wanted.memo ?? "";
  const dims: Array<[keyof PurchaseOrderLine, string | undefined, string]> = [
    ["locationId", wanted.locationId, "locationid"],
    ["departmentId", wanted.departmentId, "departmentid"],
    ["projectId", wanted.projectId, "projectid"],
    ["classId", wanted.classId, "classid"],
  ];
  for (const [field, value, element] of dims) if ((value ?? "") !== current[field]) out[element] = value ?? "";
  return out;
}

export interface PurchaseOrderDiff {
  /** `update_potransaction` children: changed lines by line_num, new lines. */
  items: XmlObject;
  /** One entry per changed, added or emptied line, for the run log and the dry run. */
  changes: Array<{ lineNo: number; change: "changed" | "added" | "emptied"; fields: XmlObject }>;
}

export function linesDiff(current: PurchaseOrderLine[], wanted: WantedLine[]): PurchaseOrderDiff {
  const update: XmlObject[] = [];
  const add: XmlObject[] = [];
  const changes: PurchaseOrderDiff["changes"] = [];
  wanted.forEach((line, i) => {
    const existing = current[i];
    if (!existing) {
      const fields: XmlObject = {
        itemid: line.itemId,
        quantity: qty(line.quantity),
        unit: line.unit,
        price: line.price === undefined ? undefined : money(line.price),
        locationid: line.locationId,
        departmentid: line.departmentId,
        projectid: line.projectId,
        classid: line.classId,
        memo: line.memo,
      };
      add.push(fields);
      changes.push({ lineNo: current.length + add.length, change: "added", fields });
      return;
    }
    const fields = lineChanges(existing, line);
    if (Object.keys(fields).length === 0) return;
    update.push({ "@line_num": existing.lineNo, ...fields });
    changes.push({ lineNo: existing.lineNo, change: "changed", fields });
  });
  for (const extra of current.slice(wanted.length)) {
    if (sameAmount(extra.quantity, 0)) continue;
    update.push({ "@line_num": extra.lineNo, quantity: "0" });
    changes.push({ lineNo: extra.lineNo, change: "emptied", fields: { quantity: "0" } });
  }
  const items: XmlObject = {};
  if (update.length) items.updatepotransitem = update;
  if (add.length) items.potransitem = add;
  return { items, changes };
}

export function outputOf(po: PurchaseOrderRecord, changed: boolean): PurchaseOrderOutput {
  return { recordNo: po.recordNo, documentId: po.documentId, state: po.state, total: po.total, changed };
}
