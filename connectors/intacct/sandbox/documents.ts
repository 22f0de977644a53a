/**
 * Sales transactions entered "as a user" (`POST /__sandbox/sales-transactions`): what a person
 * does in Order Entry, so a test or the chaos bench can make new documents for the poll to find.
 * Each one is a posted "Sales Invoice" SODOCUMENT with its AR invoice, shaped like the seeded ones.
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
    TOTALENTERED: so.TOTAL,
    TOTALDUE: closed ? "0.00" : so.TOTAL,
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
  const docNo = `SI-${2000 + nextCounter(company, "SO")}`;
  const ts = auditTimestamp(now);
  const classId = input.classId ?? (lines.some((l) => String(l.item.ITEMID).startsWith("HW")) ? "HW" : lines.every((l) => l.item.ITEMID === "SVC-IMPL") ? "SVC" : "SW");
  const so: Rec = {
    RECORDNO: nextRecordNo(company),
    DOCID: `Sales Invoice-${docNo}`,
    DOCNO: docNo,
    DOCPARID: "Sales Invoice",
    STATE: input.state,
    WHENCREATED: usDate(now),
    WHENPOSTED: usDate(now),
    CUSTVENDID: input.customerId,
    CUSTVENDNAME: customer.NAME,
    PONUMBER: `PO-${input.customerId}-${docNo.slice(3)}`,
    CURRENCY: "USD",
    SUBTOTAL: total.toFixed(2),
    TOTAL: total.toFixed(2),
    SHIPTO: contact,
    BILLTO: contact,
    SODOCUMENTENTRIES: soEntries(company, lines, { location, department: input.department, classId }),
    WHENMODIFIED: ts,
    CREATEDBY: "sandbox_user",
  };
  (company.records.SODOCUMENT ??= []).push(so);
  if (input.state !== "Draft") (company.records.ARINVOICE ??= []).push(arInvoiceOf(company, so, now));
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
