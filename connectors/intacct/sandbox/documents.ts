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

export function createSalesTransaction(company: Company, raw: unknown, now: number): Rec {
  const parsed = salesTransactionInput.safeParse(raw);
  if (!parsed.success) throw new SalesTransactionError(parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  const input = parsed.data;
  const customer = company.records.CUSTOMER?.find((c) => c.CUSTOMERID === input.customerId);
  if (!customer) throw new SalesTransactionError(`no customer ${input.customerId}`);
  const items = company.records.ITEM ?? [];
  const contact = customer.DISPLAYCONTACT as Rec;
  const state = String((contact.MAILADDRESS as Rec | undefined)?.STATE ?? "");
  const location = input.location ?? LOCATION_BY_STATE[state] ?? "US";
  const lines = input.lines.map((l, i) => {
    const item = items.find((it) => it.ITEMID === l.itemId);
    if (!item) throw new SalesTransactionError(`no item ${l.itemId}`);
    const price = l.price ?? PRICES[l.itemId] ?? 100;
    return { item, qty: l.quantity, price, amount: Math.round(l.quantity * price * 100) / 100, i };
  });
  const total = lines.reduce((sum, l) => sum + Math.round(l.amount * 100), 0) / 100;
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
    SODOCUMENTENTRIES: {
      sodocumententry: lines.map((l) => ({
        RECORDNO: nextRecordNo(company),
        LINE_NO: String(l.i + 1),
        ITEMID: l.item.ITEMID,
        ITEMNAME: l.item.NAME,
        QUANTITY: String(l.qty),
        UNIT: "Each",
        PRICE: l.price.toFixed(2),
        TOTAL: l.amount.toFixed(2),
        LOCATION: location,
        DEPARTMENT: input.department,
        CLASSID: classId,
      })),
    },
    WHENMODIFIED: ts,
    CREATEDBY: "sandbox_user",
  };
  (company.records.SODOCUMENT ??= []).push(so);
  if (input.state !== "Draft") {
    (company.records.ARINVOICE ??= []).push({
      RECORDNO: nextRecordNo(company),
      RECORDID: docNo,
      DOCNUMBER: so.PONUMBER,
      CUSTOMERID: input.customerId,
      CUSTOMERNAME: customer.NAME,
      STATE: input.state === "Closed" ? "Paid" : "Posted",
      WHENCREATED: usDate(now),
      WHENPOSTED: usDate(now),
      WHENDUE: usDate(now + 30 * 86_400_000),
      CURRENCY: "USD",
      TOTALENTERED: total.toFixed(2),
      TOTALDUE: input.state === "Closed" ? "0.00" : total.toFixed(2),
      SHIPTO: contact,
      BILLTO: contact,
      ARINVOICEITEMS: {
        arinvoiceitem: lines.map((l) => ({
          RECORDNO: nextRecordNo(company),
          LINE_NO: String(l.i + 1),
          ACCOUNTNO: l.item.GLACCOUNTNO ?? "4000",
          ITEMID: l.item.ITEMID,
          AMOUNT: l.amount.toFixed(2),
          ENTRYDESCRIPTION: `${l.qty} x ${l.item.ITEMID}`,
          LOCATIONID: location,
          DEPARTMENTID: input.department,
          CLASSID: classId,
        })),
      },
      WHENMODIFIED: ts,
    });
  }
  return so;
}
