/**
 * What a person does to a posted sales document after the fact, for tests and the demo:
 * reverse a Sales Invoice (its SODOCUMENT and AR invoice read back as Reversed, modified now, so
 * the poll sees it), and close or reopen an accounting period. Also the AR balance per customer
 * (invoices plus AR adjustments still due), which the state view shows.
 *
 * ASSUMED: the STATE value "Reversed" on a reversed Order Entry document; Intacct documents the
 * reversal functions (reverse_invoice, datereversed) but not the state text it reads back with.
 */
import { auditTimestamp, type Company, type Rec } from "./store";

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
  if (invoice) {
    invoice.STATE = "Reversed";
    invoice.TOTALDUE = "0.00";
    invoice.WHENMODIFIED = ts;
  }
  return { DOCID: doc.DOCID, STATE: doc.STATE, WHENMODIFIED: ts };
}

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
