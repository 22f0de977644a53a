/**
 * Purchasing after create: `update_potransaction key=<DOCID>`, as the Intacct SDKs send it
 * (PurchasingTransactionUpdate): header fields (referenceno, vendordocno, datedue, message,
 * state), `updatepotransitems` with `updatepotransitem line_num="n"` (one-based, changes that
 * line) and `potransitem` (a new line). `state` Closed closes the transaction; a closed one
 * cannot be edited again (Intacct's UI refuses edits of closed transactions the same way).
 * https://developer.intacct.com/api/purchasing/transactions/#update-purchasing-transaction-legacy
 *
 * ASSUMED: that `state` accepts Closed on update (the SDKs write any `state` value; the function
 * reference lists Draft and Pending for create), and the error texts below; a line's quantity of
 * 0 is how the sandbox lets an update drop what a line ordered (Intacct cannot delete lines here).
 */
import { asArray, obj, text } from "../xml";
import type { FnContext, FnOutcome } from "./functions";
import { auditTimestamp, findById, nextRecordNo, parseUsDate, type Company, type Rec } from "./store";

const BUSINESS = "BL01001973";
const REQUIRED = "BL34000061";
const STATES = new Set(["Draft", "Pending", "Closed"]);
const LINE_DIMENSIONS: Record<string, [string, string]> = {
  locationid: ["LOCATION", "LOCATION"],
  departmentid: ["DEPARTMENT", "DEPARTMENT"],
  projectid: ["PROJECTID", "PROJECT"],
  classid: ["CLASSID", "CLASS"],
};

class Refused extends Error {
  constructor(
    readonly errorno: string,
    message: string,
    readonly correction = "",
  ) {
    super(message);
  }
}

const str = (value: unknown) => text(value).trim();

function quantity(value: unknown, label: string): number {
  const s = str(value);
  if (!/^\d+(\.\d+)?$/.test(s)) throw new Refused(BUSINESS, `${label} '${s}' is not a valid quantity.`, "Use digits with an optional decimal point.");
  return Number(s);
}

function price(value: unknown, label: string): number {
  const s = str(value);
  if (!/^-?\d+(\.\d+)?$/.test(s)) throw new Refused(BUSINESS, `${label} '${s}' is not a valid amount.`, "Use digits with an optional decimal point, no thousands separators.");
  return Number(s);
}

function legacyDate(value: unknown, label: string): string {
  const o = obj(value);
  const formatted = `${str(o.month).padStart(2, "0")}/${str(o.day).padStart(2, "0")}/${str(o.year)}`;
  if (parseUsDate(formatted) === undefined) throw new Refused(BUSINESS, `${label} is not a valid date.`);
  return formatted;
}

function active(company: Company, object: string, id: string, title: string): Rec {
  const rec = findById(company, object, id);
  if (!rec || rec.STATUS === "inactive") throw new Refused(BUSINESS, `Invalid ${title} '${id}' specified.`, `Use an existing, active ${title.toLowerCase()}.`);
  return rec;
}

const cents = (n: number) => Math.round(n * 100);

/** Apply one line's fields (item, quantity, unit, price, memo, dimensions) onto `line`. */
function applyLine(company: Company, line: Rec, fields: Rec, label: string): void {
  if (fields.itemid !== undefined) {
    const item = active(company, "ITEM", str(fields.itemid), "Item");
    line.ITEMID = item.ITEMID;
    line.ITEMNAME = item.NAME;
  }
  if (fields.quantity !== undefined) line.QUANTITY = String(quantity(fields.quantity, `Quantity on ${label}`));
  if (fields.unit !== undefined) line.UNIT = str(fields.unit);
  if (fields.price !== undefined) line.PRICE = price(fields.price, `Price on ${label}`).toFixed(2);
  if (fields.memo !== undefined) line.MEMO = str(fields.memo);
  for (const [field, [stored, object]] of Object.entries(LINE_DIMENSIONS)) {
    if (fields[field] === undefined) continue;
    const id = str(fields[field]);
    if (id) active(company, object, id, object.charAt(0) + object.slice(1).toLowerCase());
    line[stored] = id;
  }
  line.TOTAL = ((cents(Number(line.QUANTITY ?? 0) * Number(line.PRICE ?? 0))) / 100).toFixed(2);
}

export function updatePoTransaction(ctx: FnContext, body: Rec): FnOutcome {
  try {
    const key = str(body["@key"] ?? body.key);
    if (!key) throw new Refused(REQUIRED, "Required attribute key is missing.", "Give the transaction's DOCID as key.");
    const doc = (ctx.company.records.PODOCUMENT ?? []).find((d) => d.DOCID === key);
    if (!doc) throw new Refused(BUSINESS, `Invalid transaction key '${key}' specified.`, "Use the DOCID of an existing purchasing transaction.");
    if (doc.STATE === "Closed") throw new Refused(BUSINESS, `Transaction ${key} is closed and cannot be edited.`);
    const state = body.state === undefined ? undefined : str(body.state);
    if (state !== undefined && !STATES.has(state)) throw new Refused(BUSINESS, `Invalid state '${state}' specified.`, "Use Draft, Pending or Closed.");

    // Work on copies: a refused update changes nothing.
    const lines = asArray(obj(doc.PODOCUMENTENTRIES).podocumententry).map((l) => ({ ...obj(l) }));
    const changes = obj(body.updatepotransitems);
    for (const [i, raw] of asArray(changes.updatepotransitem).entries()) {
      const fields = obj(raw);
      const n = Number(str(fields["@line_num"]));
      if (!Number.isInteger(n) || n < 1) throw new Refused(REQUIRED, `Required attribute line_num is missing on updatepotransitem ${i + 1}.`);
      const line = lines.find((l) => Number(l.LINE_NO) === n);
      if (!line) throw new Refused(BUSINESS, `Line ${n} does not exist on transaction ${key}.`, "line_num is one-based: the first line is 1.");
      applyLine(ctx.company, line, fields, `line ${n}`);
    }
    for (const raw of asArray(changes.potransitem)) {
      const fields = obj(raw);
      if (!str(fields.itemid)) throw new Refused(REQUIRED, `Required field Item ID on a new line is missing.`);
      if (fields.quantity === undefined) throw new Refused(REQUIRED, `Required field Quantity on a new line is missing.`);
      const line: Rec = { RECORDNO: nextRecordNo(ctx.company), LINE_NO: String(lines.length + 1), UNIT: "Each", PRICE: "0.00", MEMO: "" };
      applyLine(ctx.company, line, fields, `line ${lines.length + 1}`);
      lines.push(line);
    }
    const header: Rec = {};
    if (body.referenceno !== undefined) header.PONUMBER = str(body.referenceno);
    if (body.vendordocno !== undefined) header.VENDORDOCNO = str(body.vendordocno);
    if (body.message !== undefined) header.MESSAGE = str(body.message);
    if (body.datedue !== undefined) header.WHENDUE = legacyDate(body.datedue, "Date due");
    if (state !== undefined) header.STATE = state;

    Object.assign(doc, header);
    doc.PODOCUMENTENTRIES = { podocumententry: lines };
    doc.TOTAL = (lines.reduce((sum, l) => sum + cents(Number(l.TOTAL ?? 0)), 0) / 100).toFixed(2);
    doc.WHENMODIFIED = auditTimestamp(ctx.now);
    if (state === "Closed") doc.WHENCLOSED = auditTimestamp(ctx.now);
    return { ok: true, write: true, key };
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    return { ok: false, errors: [{ errorno: error.errorno, description: "", description2: error.message, correction: error.correction }] };
  }
}

export const PURCHASING_FUNCTIONS: Record<string, { write: boolean; run: (ctx: FnContext, body: Rec) => FnOutcome }> = {
  update_potransaction: { write: true, run: updatePoTransaction },
};
