/**
 * What a person does to a posted sales document after the fact, for tests and the demo:
 * reverse a Sales Invoice (its SODOCUMENT and AR invoice read back as Reversed, modified now, so
 * the poll sees it), edit its lines (update_sotransaction: Order Entry deletes the AR invoice and
 * makes a new one with a new RECORDNO), delete it (delete_sotransaction: both records are gone,
 * and the audit trail keeps a Deleted row), and close or reopen an accounting period. A Sales
 * Return goes the same ways with its AR credit memo in place of the invoice (an edit remakes the
 * credit memo, a deletion removes it, a reversal zeroes what it still credits). Also the AR
 * balance per customer (invoices plus AR adjustments still due), which the state view shows.
 * https://developer.intacct.com/api/order-entry/order-entry-transactions/
 *
 * Audit trail (AUDITHISTORY, https://developer.intacct.com/api/company-console/audit-trails/): one
 * row per change with OBJECTTYPE, OBJECTKEY (the RECORDNO), ACCESSMODE (Created, Modified,
 * Deleted), ACCESSTIME (MM/DD/YYYY HH:MM:SS), USERID and SOURCE.
 *
 * ASSUMED: the STATE value "Reversed" on a reversed Order Entry document; Intacct documents the
 * reversal functions (reverse_invoice, datereversed) but not the state text it reads back with.
 * ASSUMED: OBJECTTYPE is the lower-case object name (sodocument, arinvoice), and OBJECTDESC holds
 * the record's description (a transaction's DOCID); only the other fields are documented.
 */
import type { FnContext, FnOutcome } from "./functions";
import { SalesTransactionError, arCreditOf, arInvoiceOf, replaceSalesLines } from "./documents";
import { asArray, obj, text } from "../xml";
import { auditTimestamp, nextRecordNo, type Company, type Rec } from "./store";

export class LifecycleError extends Error {}

export function reverseSalesDocument(company: Company, docNo: string, now: number): Rec {
  const doc = company.records.SODOCUMENT.find((r) => r.DOCNO === docNo || r.DOCID === docNo);
  if (!doc) throw new LifecycleError(`No sales document ${docNo}`);
  if (doc.STATE === "Reversed") throw new LifecycleError(`Sales document ${docNo} is already reversed`);
  if (doc.STATE === "Draft") throw new LifecycleError(`Sales document ${docNo} is a draft: delete it instead`);
  const ts = auditTimestamp(now);
  doc.STATE = "Reversed";
  doc.WHENMODIFIED = ts;
  const invoice = company.records.ARINVOICE.find((r) => r.RECORDID === doc.DOCNO);
  for (const ar of [invoice, creditOf(company, doc)]) {
    if (!ar) continue;
    ar.STATE = "Reversed";
    ar.TOTALDUE = "0.00";
    ar.WHENMODIFIED = ts;
  }
  return { DOCID: doc.DOCID, STATE: doc.STATE, WHENMODIFIED: ts };
}

/** A row of the audit trail, as a person's change in the UI leaves it. */
export function audit(company: Company, objectType: string, key: unknown, description: unknown, mode: "Created" | "Modified" | "Deleted", now: number, source = "ui"): void {
  (company.records.AUDITHISTORY ??= []).push({
    RECORDNO: nextRecordNo(company),
    OBJECTTYPE: objectType,
    OBJECTKEY: String(key),
    OBJECTDESC: String(description ?? ""),
    ACCESSMODE: mode,
    ACCESSTIME: auditTimestamp(now),
    USERID: "sandbox_user",
    SOURCE: source,
    WHENMODIFIED: auditTimestamp(now),
  });
}

/** A Sales Return's AR credit memo (its RECORDID is the return's number). */
function creditOf(company: Company, doc: Rec): Rec | undefined {
  if (doc.DOCPARID !== "Sales Return") return undefined;
  return (company.records.ARADJUSTMENT ?? []).find((r) => r.RECORDID === doc.DOCNO && r.CUSTOMERID === doc.CUSTVENDID);
}

function salesDocument(company: Company, docNo: string): Rec {
  const doc = company.records.SODOCUMENT.find((r) => r.DOCNO === docNo || r.DOCID === docNo);
  if (!doc) throw new LifecycleError(`No sales document ${docNo}`);
  return doc;
}

/**
 * Edit a sales document's lines. A posted one gets a new AR invoice (the old one is deleted, the
 * new one has a new RECORDNO: find it through the document number). Reversed or paid (Closed)
 * documents cannot be edited.
 */
export function updateSalesDocument(company: Company, docNo: string, body: unknown, now: number, source = "ui"): Rec {
  const doc = salesDocument(company, docNo);
  if (doc.STATE === "Reversed" || doc.STATE === "Closed") throw new LifecycleError(`Sales document ${docNo} is ${String(doc.STATE).toLowerCase()} and cannot be edited`);
  try {
    replaceSalesLines(company, doc, body);
  } catch (error) {
    if (error instanceof SalesTransactionError) throw new LifecycleError(error.message);
    throw error;
  }
  doc.WHENMODIFIED = auditTimestamp(now);
  audit(company, "sodocument", doc.RECORDNO, doc.DOCID, "Modified", now, source);
  const at = company.records.ARINVOICE.findIndex((r) => r.RECORDID === doc.DOCNO);
  if (at >= 0) {
    const [old] = company.records.ARINVOICE.splice(at, 1);
    audit(company, "arinvoice", old!.RECORDNO, old!.RECORDID, "Deleted", now, "system");
    const invoice = arInvoiceOf(company, doc, now);
    company.records.ARINVOICE.push(invoice);
    audit(company, "arinvoice", invoice.RECORDNO, invoice.RECORDID, "Created", now, "system");
  }
  const credit = creditOf(company, doc);
  if (credit) {
    company.records.ARADJUSTMENT = company.records.ARADJUSTMENT.filter((r) => r !== credit);
    audit(company, "aradjustment", credit.RECORDNO, credit.RECORDID, "Deleted", now, "system");
    const remade = arCreditOf(company, doc, String(credit.DOCNUMBER), now);
    company.records.ARADJUSTMENT.push(remade);
    audit(company, "aradjustment", remade.RECORDNO, remade.RECORDID, "Created", now, "system");
  }
  return { DOCID: doc.DOCID, RECORDNO: doc.RECORDNO, TOTAL: doc.TOTAL, WHENMODIFIED: doc.WHENMODIFIED };
}

/** Delete a draft or posted (Pending) sales document and its AR invoice; reversed or paid ones stay. */
export function deleteSalesDocument(company: Company, docNo: string, now: number, source = "ui"): Rec {
  const doc = salesDocument(company, docNo);
  if (doc.STATE === "Reversed" || doc.STATE === "Closed") throw new LifecycleError(`Sales document ${docNo} is ${String(doc.STATE).toLowerCase()} and cannot be deleted`);
  const credit = creditOf(company, doc);
  company.records.SODOCUMENT = company.records.SODOCUMENT.filter((r) => r !== doc);
  audit(company, "sodocument", doc.RECORDNO, doc.DOCID, "Deleted", now, source);
  if (credit) {
    company.records.ARADJUSTMENT = company.records.ARADJUSTMENT.filter((r) => r !== credit);
    audit(company, "aradjustment", credit.RECORDNO, credit.RECORDID, "Deleted", now, "system");
  }
  const invoice = doc.DOCPARID === "Sales Return" ? undefined : company.records.ARINVOICE.find((r) => r.RECORDID === doc.DOCNO);
  if (invoice) {
    company.records.ARINVOICE = company.records.ARINVOICE.filter((r) => r !== invoice);
    audit(company, "arinvoice", invoice.RECORDNO, invoice.RECORDID, "Deleted", now, "system");
  }
  return { DOCID: doc.DOCID, RECORDNO: doc.RECORDNO, deleted: true };
}

function lifecycleFunction(run: (ctx: FnContext, key: string, body: Rec) => Rec): (ctx: FnContext, body: Rec) => FnOutcome {
  return (ctx, body) => {
    const key = text(body["@key"] ?? body.key).trim();
    if (!key) return { ok: false, errors: [{ errorno: "BL34000061", description2: "Required attribute key is missing.", correction: "Give the record's key (a transaction's DOCID, a bill's RECORDNO)." }] };
    try {
      run(ctx, key, body);
      return { ok: true, write: true, key };
    } catch (error) {
      if (!(error instanceof LifecycleError)) throw error;
      return { ok: false, errors: [{ errorno: "BL01001973", description2: error.message, correction: "" }] };
    }
  };
}

/**
 * Delete a draft or posted bill (delete_bill key=<RECORDNO>); paid and reversed bills stay.
 * https://developer.intacct.com/api/accounts-payable/bills/#delete-bill-legacy
 */
export function deleteBill(company: Company, recordNo: string, now: number, source = "ui"): Rec {
  const bill = (company.records.APBILL ?? []).find((b) => String(b.RECORDNO) === recordNo);
  if (!bill) throw new LifecycleError(`No bill ${recordNo}`);
  if (bill.STATE === "Paid" || bill.STATE === "Reversed") throw new LifecycleError(`Bill ${recordNo} is ${String(bill.STATE).toLowerCase()} and cannot be deleted`);
  company.records.APBILL = company.records.APBILL.filter((b) => b !== bill);
  audit(company, "apbill", bill.RECORDNO, bill.RECORDID, "Deleted", now, source);
  return { RECORDNO: bill.RECORDNO, RECORDID: bill.RECORDID, deleted: true };
}

/**
 * update_sotransaction key=<DOCID>, delete_sotransaction key=<DOCID> and delete_bill key=<RECORDNO>. The sandbox's update
 * takes the full new line set in `updatesotransitems/sotransitem{itemid, quantity, price}` (the
 * real function also edits single lines by line_num).
 */
export const SALES_LIFECYCLE_FUNCTIONS: Record<string, { write: boolean; run: (ctx: FnContext, body: Rec) => FnOutcome }> = {
  update_sotransaction: {
    write: true,
    run: lifecycleFunction((ctx, key, body) => {
      const lines = asArray(obj(body.updatesotransitems).sotransitem).map(obj).map((l) => ({
        itemId: text(l.itemid),
        quantity: Number(text(l.quantity)),
        ...(text(l.price) ? { price: Number(text(l.price)) } : {}),
      }));
      return updateSalesDocument(ctx.company, key, { lines }, ctx.now, "api");
    }),
  },
  delete_sotransaction: { write: true, run: lifecycleFunction((ctx, key) => deleteSalesDocument(ctx.company, key, ctx.now, "api")) },
  delete_bill: { write: true, run: lifecycleFunction((ctx, key) => deleteBill(ctx.company, key, ctx.now, "api")) },
};

export function setPeriod(company: Company, period: string, closed: boolean): string[] {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new LifecycleError("period must be YYYY-MM");
  const periods = new Set(company.closedPeriods ?? []);
  if (closed) periods.add(period);
  else periods.delete(period);
  company.closedPeriods = [...periods].sort();
  return company.closedPeriods;
}

/** Open AR per customer: invoices' and AR adjustments' TOTALDUE (base currency). */
export function arBalances(company: Company): Record<string, string> {
  const out: Record<string, number> = {};
  for (const r of [...company.records.ARINVOICE, ...(company.records.ARADJUSTMENT ?? [])]) {
    if (r.STATE === "Draft") continue;
    const id = String(r.CUSTOMERID);
    out[id] = (out[id] ?? 0) + Math.round(Number(r.TOTALDUE ?? 0) * 100);
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, (v / 100).toFixed(2)]));
}
