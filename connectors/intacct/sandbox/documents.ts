/**
 * Sales transactions entered "as a user" (`POST /__sandbox/sales-transactions`): what a person
 * does in Order Entry, so a test or the chaos bench can make new documents for the poll to find.
 * Each one is a posted "Sales Invoice" SODOCUMENT with its AR invoice, shaped like the seeded ones,
 * or a "Sales Return" converted from an invoice: CREATEDFROM holds the invoice's DOCID (the value
 * create_sotransaction takes as `createdfrom`), and its AR side is a credit memo adjustment against
 * the customer and the invoice (ARADJUSTMENT with RECORDID = the return's number, DOCNUMBER = the
 * invoice's). A document in another currency carries CURRENCY, BASECURR, EXCHRATE and EXCHRATEDATE
 * (create_sotransaction's currency block) and its AR record the base amounts.
 * ASSUMED: a Sales Return posts to AR as an adjustment (its definition's AR posting), and its lines
 * read back with positive quantities and amounts (the definition, not the sign, makes it a credit).
 * https://developer.intacct.com/api/order-entry/order-entry-transactions/
 */
import { z } from "zod";
import { auditTimestamp, nextCounter, nextRecordNo, usDate, type Company, type Rec } from "./store";

export const salesTransactionInput = z.object({
  customerId: z.string().min(1),
  lines: z.array(z.object({ itemId: z.string().min(1), quantity: z.number().positive(), price: z.number().nonnegative().optional() })).min(1),
  /** Pending (default), Closed or Draft (a draft gets no AR invoice and is not polled). */
  state: z.enum(["Pending", "Closed", "Draft"]).default("Pending"),
  location: z.string().optional(),
  department: z.string().default("SALES"),
  classId: z.string().optional(),
  /** Sales Invoice (default) or Sales Return (a credit: give `createdFrom`). */
  docparid: z.enum(["Sales Invoice", "Sales Return"]).default("Sales Invoice"),
  /** The invoice a Sales Return credits: its DOCNO or DOCID. */
  createdFrom: z.string().min(1).optional(),
  /** Transaction date YYYY-MM-DD (default: today), e.g. in a period that is later closed. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  /** Transaction currency (default: the company's base currency) and its rate to the base. */
  currency: z.string().regex(/^[A-Z]{3}$/).optional(),
  exchangeRate: z.number().positive().optional(),
});
export type SalesTransactionInput = z.input<typeof salesTransactionInput>;

/** Unit prices of the demo items (as the seed uses them). */
const PRICES: Record<string, number> = { "SW-STD": 1200, "SW-PRO": 2400, "SVC-IMPL": 175, "HW-ROUTER": 899.99, "SUP-PAPER": 42.5 };
/** The demo company's location per customer state (else HQ). */
const LOCATION_BY_STATE: Record<string, string> = { CA: "US-CA", NY: "US-NY", TX: "US-TX", WA: "US-WA", IL: "US-IL" };

export class SalesTransactionError extends Error {}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
}

type LineInput = SalesTransactionInput["lines"][number];

/** Priced lines of a sales document (the item's demo price unless one is given). */
function pricedLines(company: Company, input: LineInput[]) {
  const items = company.records.ITEM ?? [];
  const lines = input.map((l, i) => {
    const item = items.find((it) => it.ITEMID === l.itemId);
    if (!item) throw new SalesTransactionError(`no item ${l.itemId}`);
    const price = l.price ?? PRICES[l.itemId] ?? 100;
    return { item, qty: l.quantity, price, amount: Math.round(l.quantity * price * 100) / 100, i };
  });
  const total = lines.reduce((sum, l) => sum + Math.round(l.amount * 100), 0) / 100;
  return { lines, total };
}

type Priced = ReturnType<typeof pricedLines>["lines"];

function soEntries(company: Company, lines: Priced, dims: { location: string; department: string; classId: string }): Rec {
  return {
    sodocumententry: lines.map((l) => ({
      RECORDNO: nextRecordNo(company),
      LINE_NO: String(l.i + 1),
      ITEMID: l.item.ITEMID,
      ITEMNAME: l.item.NAME,
      QUANTITY: String(l.qty),
      UNIT: "Each",
      PRICE: l.price.toFixed(2),
      TOTAL: l.amount.toFixed(2),
      LOCATION: dims.location,
      DEPARTMENT: dims.department,
      CLASSID: dims.classId,
    })),
  };
}

/** The document's total in the base currency (at its exchange rate). */
function baseTotal(so: Rec): string {
  const rate = Number(so.EXCHRATE ?? 1) || 1;
  return (Math.round(Number(so.TOTAL) * rate * 100) / 100).toFixed(2);
}

/** The AR credit memo a posted Sales Return keeps against the customer and the invoice it credits. */
export function arCreditOf(company: Company, so: Rec, invoiceNo: string, now: number): Rec {
  const entries = [(so.SODOCUMENTENTRIES as Rec).sodocumententry].flat() as Rec[];
  const items = company.records.ITEM ?? [];
  const negative = (v: unknown) => (-Math.abs(Number(v))).toFixed(2);
  return {
    RECORDNO: nextRecordNo(company),
    RECORDID: so.DOCNO,
    DOCNUMBER: invoiceNo,
    CUSTOMERID: so.CUSTVENDID,
    CUSTOMERNAME: so.CUSTVENDNAME,
    ADJUSTMENTTYPE: "Credit Memo",
    DESCRIPTION: `${so.DOCID} (${so.CREATEDFROM})`,
    EXTERNALID: "",
    STATE: "Posted",
    WHENCREATED: so.WHENCREATED,
    WHENPOSTED: so.WHENPOSTED,
    BASECURR: so.BASECURR ?? so.CURRENCY,
    CURRENCY: so.CURRENCY,
    EXCHANGE_RATE: String(so.EXCHRATE ?? 1),
    TRX_TOTALENTERED: negative(so.TOTAL),
    TOTALENTERED: negative(baseTotal(so)),
    TOTALDUE: negative(baseTotal(so)),
    ARADJUSTMENTITEMS: {
      ARADJUSTMENTITEM: entries.map((e) => ({
        RECORDNO: nextRecordNo(company),
        LINE_NO: e.LINE_NO,
        ACCOUNTNO: items.find((it) => it.ITEMID === e.ITEMID)?.GLACCOUNTNO ?? "4000",
        ITEMID: e.ITEMID,
        TRX_AMOUNT: negative(e.TOTAL),
        AMOUNT: negative(Math.round(Number(e.TOTAL) * (Number(so.EXCHRATE ?? 1) || 1) * 100) / 100),
        ENTRYDESCRIPTION: `${e.QUANTITY} x ${e.ITEMID} returned`,
        LOCATIONID: e.LOCATION,
        DEPARTMENTID: e.DEPARTMENT,
        CLASSID: e.CLASSID,
      })),
    },
    WHENMODIFIED: auditTimestamp(now),
  };
}

/** The AR invoice Order Entry keeps for a posted sales document (a new RECORDNO each time it is made). */
export function arInvoiceOf(company: Company, so: Rec, now: number): Rec {
  const entries = [(so.SODOCUMENTENTRIES as Rec).sodocumententry].flat() as Rec[];
  const items = company.records.ITEM ?? [];
  const closed = so.STATE === "Closed";
  return {
    RECORDNO: nextRecordNo(company),
    RECORDID: so.DOCNO,
    DOCNUMBER: so.PONUMBER,
    CUSTOMERID: so.CUSTVENDID,
    CUSTOMERNAME: so.CUSTVENDNAME,
    STATE: closed ? "Paid" : "Posted",
    WHENCREATED: so.WHENCREATED,
    WHENPOSTED: so.WHENPOSTED,
    WHENDUE: usDate(now + 30 * 86_400_000),
    CURRENCY: so.CURRENCY,
    BASECURR: so.BASECURR ?? so.CURRENCY,
    TRX_TOTALENTERED: so.TOTAL,
    TOTALENTERED: baseTotal(so),
    TOTALDUE: closed ? "0.00" : baseTotal(so),
    SHIPTO: so.SHIPTO,
    BILLTO: so.BILLTO,
    ARINVOICEITEMS: {
      arinvoiceitem: entries.map((e) => ({
        RECORDNO: nextRecordNo(company),
        LINE_NO: e.LINE_NO,
        ACCOUNTNO: items.find((it) => it.ITEMID === e.ITEMID)?.GLACCOUNTNO ?? "4000",
        ITEMID: e.ITEMID,
        AMOUNT: e.TOTAL,
        ENTRYDESCRIPTION: `${e.QUANTITY} x ${e.ITEMID}`,
        LOCATIONID: e.LOCATION,
        DEPARTMENTID: e.DEPARTMENT,
        CLASSID: e.CLASSID,
      })),
    },
    WHENMODIFIED: auditTimestamp(now),
  };
}

export const salesLinesInput = z.object({ lines: salesTransactionInput.shape.lines });

/**
 * The lines of a sales document as edited in Order Entry: the new lines replace the old ones (the
 * location, department and class of the first old line are kept) and the totals follow.
 */
export function replaceSalesLines(company: Company, so: Rec, raw: unknown): void {
  const parsed = salesLinesInput.safeParse(raw);
  if (!parsed.success) throw new SalesTransactionError(issues(parsed.error));
  const { lines, total } = pricedLines(company, parsed.data.lines);
  const first = ([(so.SODOCUMENTENTRIES as Rec).sodocumententry].flat()[0] ?? {}) as Rec;
  so.SODOCUMENTENTRIES = soEntries(company, lines, { location: String(first.LOCATION ?? "US"), department: String(first.DEPARTMENT ?? "SALES"), classId: String(first.CLASSID ?? "SW") });
  so.SUBTOTAL = total.toFixed(2);
  so.TOTAL = total.toFixed(2);
}

export function createSalesTransaction(company: Company, raw: unknown, now: number): Rec {
  const parsed = salesTransactionInput.safeParse(raw);
  if (!parsed.success) throw new SalesTransactionError(issues(parsed.error));
  const input = parsed.data;
  const customer = company.records.CUSTOMER?.find((c) => c.CUSTOMERID === input.customerId);
  if (!customer) throw new SalesTransactionError(`no customer ${input.customerId}`);
  const contact = customer.DISPLAYCONTACT as Rec;
  const state = String((contact.MAILADDRESS as Rec | undefined)?.STATE ?? "");
  const location = input.location ?? LOCATION_BY_STATE[state] ?? "US";
  const { lines, total } = pricedLines(company, input.lines);
  const isReturn = input.docparid === "Sales Return";
  let credited: Rec | undefined;
  if (isReturn) {
    if (!input.createdFrom) throw new SalesTransactionError("a Sales Return needs createdFrom: the invoice it credits");
    credited = company.records.SODOCUMENT?.find((r) => r.DOCPARID === "Sales Invoice" && (r.DOCNO === input.createdFrom || r.DOCID === input.createdFrom));
    if (!credited) throw new SalesTransactionError(`no Sales Invoice ${input.createdFrom} to credit`);
    if (credited.CUSTVENDID !== input.customerId) throw new SalesTransactionError(`Sales Invoice ${input.createdFrom} belongs to ${String(credited.CUSTVENDID)}, not ${input.customerId}`);
    if (credited.STATE === "Draft" || credited.STATE === "Reversed") throw new SalesTransactionError(`Sales Invoice ${input.createdFrom} is ${String(credited.STATE).toLowerCase()}: nothing to credit`);
  }
  const baseCurrency = company.baseCurrency ?? "USD";
  const currency = input.currency ?? (credited ? String(credited.CURRENCY) : baseCurrency);
  const rate = input.exchangeRate ?? (credited && credited.CURRENCY === currency ? Number(credited.EXCHRATE ?? 1) : currency === baseCurrency ? 1 : undefined);
  if (rate === undefined) throw new SalesTransactionError(`currency ${currency} differs from the base currency ${baseCurrency}: give exchangeRate`);
  const docNo = isReturn ? `SR-${3000 + nextCounter(company, "SR")}` : `SI-${2000 + nextCounter(company, "SO")}`;
  const ts = auditTimestamp(now);
  const day = input.date ? Date.parse(`${input.date}T12:00:00Z`) : now;
  const classId = input.classId ?? (lines.some((l) => String(l.item.ITEMID).startsWith("HW")) ? "HW" : lines.every((l) => l.item.ITEMID === "SVC-IMPL") ? "SVC" : "SW");
  const so: Rec = {
    RECORDNO: nextRecordNo(company),
    DOCID: `${input.docparid}-${docNo}`,
    DOCNO: docNo,
    DOCPARID: input.docparid,
    STATE: input.state,
    WHENCREATED: usDate(day),
    WHENPOSTED: usDate(day),
    CUSTVENDID: input.customerId,
    CUSTVENDNAME: customer.NAME,
    PONUMBER: credited ? String(credited.PONUMBER) : `PO-${input.customerId}-${docNo.slice(3)}`,
    CREATEDFROM: credited ? String(credited.DOCID) : "",
    BASECURR: baseCurrency,
    CURRENCY: currency,
    EXCHRATE: String(rate),
    EXCHRATEDATE: usDate(day),
    SUBTOTAL: total.toFixed(2),
    TOTAL: total.toFixed(2),
    SHIPTO: credited ? credited.SHIPTO : contact,
    BILLTO: credited ? credited.BILLTO : contact,
    SODOCUMENTENTRIES: soEntries(company, lines, { location, department: input.department, classId }),
    WHENMODIFIED: ts,
    CREATEDBY: "sandbox_user",
  };
  (company.records.SODOCUMENT ??= []).push(so);
  if (input.state !== "Draft") {
    if (credited) (company.records.ARADJUSTMENT ??= []).push(arCreditOf(company, so, String(credited.DOCNO), now));
    else (company.records.ARINVOICE ??= []).push(arInvoiceOf(company, so, now));
  }
  return so;
}

// -------------------------------------------------------------------------------------------
// AP bills entered by a person in Accounts Payable (`POST /__sandbox/bills`).

const billLine = z.object({
  accountNo: z.string().min(1),
  amount: z.number(),
  memo: z.string().optional(),
  locationId: z.string().optional(),
  departmentId: z.string().optional(),
  itemId: z.string().optional(),
});

export const billInput = z.object({
  vendorId: z.string().min(1),
  billNumber: z.string().min(1).optional(),
  description: z.string().optional(),
  /** Posted (default) or Draft (not polled). */
  state: z.enum(["Posted", "Draft"]).default("Posted"),
  lines: z.array(billLine).min(1),
});
export type BillInput = z.input<typeof billInput>;

function billItems(company: Company, lines: z.output<typeof billLine>[]): { items: Rec[]; total: number } {
  const has = (object: string, field: string, id: string) => (company.records[object] ?? []).some((r) => r[field] === id && r.STATUS !== "inactive");
  let cents = 0;
  const items = lines.map((l, i) => {
    if (!has("GLACCOUNT", "ACCOUNTNO", l.accountNo)) throw new SalesTransactionError(`no GL account ${l.accountNo}`);
    if (l.locationId && !has("LOCATION", "LOCATIONID", l.locationId)) throw new SalesTransactionError(`no location ${l.locationId}`);
    if (l.departmentId && !has("DEPARTMENT", "DEPARTMENTID", l.departmentId)) throw new SalesTransactionError(`no department ${l.departmentId}`);
    if (l.itemId && !has("ITEM", "ITEMID", l.itemId)) throw new SalesTransactionError(`no item ${l.itemId}`);
    cents += Math.round(l.amount * 100);
    return {
      RECORDNO: nextRecordNo(company),
      LINE_NO: String(i + 1),
      ACCOUNTNO: l.accountNo,
      TRX_AMOUNT: l.amount.toFixed(2),
      ENTRYDESCRIPTION: l.memo ?? "",
      LOCATIONID: l.locationId ?? "",
      DEPARTMENTID: l.departmentId ?? "",
      ITEMID: l.itemId ?? "",
    };
  });
  return { items, total: cents / 100 };
}

export function enterBill(company: Company, raw: unknown, now: number): Rec {
  const parsed = billInput.safeParse(raw);
  if (!parsed.success) throw new SalesTransactionError(issues(parsed.error));
  const input = parsed.data;
  const vendor = company.records.VENDOR?.find((v) => v.VENDORID === input.vendorId && v.STATUS !== "inactive");
  if (!vendor) throw new SalesTransactionError(`no vendor ${input.vendorId}`);
  const { items, total } = billItems(company, input.lines);
  const bill: Rec = {
    RECORDNO: nextRecordNo(company),
    RECORDID: input.billNumber ?? `VB-${5000 + nextCounter(company, "BILL")}`,
    DOCNUMBER: "",
    VENDORID: input.vendorId,
    VENDORNAME: vendor.NAME,
    DESCRIPTION: input.description ?? "",
    WHENCREATED: usDate(now),
    WHENPOSTED: usDate(now),
    WHENDUE: usDate(now + 30 * 86_400_000),
    TERMNAME: vendor.TERMNAME ?? "Net 30",
    CURRENCY: "USD",
    STATE: input.state,
    TOTALENTERED: total.toFixed(2),
    TOTALDUE: total.toFixed(2),
    APBILLITEMS: { APBILLITEM: items },
    WHENMODIFIED: auditTimestamp(now),
    CREATEDBY: "sandbox_user",
  };
  (company.records.APBILL ??= []).push(bill);
  return bill;
}

/** A bill's lines changed in Accounts Payable (same RECORDNO, modified now). Paid or reversed bills cannot change. */
export function editBill(company: Company, recordNo: string, raw: unknown, now: number): Rec {
  const bill = company.records.APBILL?.find((b) => String(b.RECORDNO) === recordNo);
  if (!bill) throw new SalesTransactionError(`no bill ${recordNo}`);
  if (bill.STATE === "Reversed" || bill.STATE === "Paid") throw new SalesTransactionError(`bill ${recordNo} is ${String(bill.STATE).toLowerCase()} and cannot be edited`);
  const parsed = z.object({ lines: billInput.shape.lines }).safeParse(raw);
  if (!parsed.success) throw new SalesTransactionError(issues(parsed.error));
  const { items, total } = billItems(company, parsed.data.lines);
  bill.APBILLITEMS = { APBILLITEM: items };
  bill.TOTALENTERED = total.toFixed(2);
  bill.TOTALDUE = total.toFixed(2);
  bill.WHENMODIFIED = auditTimestamp(now);
  return bill;
}
