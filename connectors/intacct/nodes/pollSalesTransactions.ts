/**
 * Trigger: posted sales transactions (Order Entry SODOCUMENT of one transaction definition) or
 * AR invoices (ARINVOICE) modified since the checkpoint.
 * https://developer.intacct.com/api/order-entry/transactions/ and
 * https://developer.intacct.com/api/accounts-receivable/invoices/
 *
 * Cursor: the newest WHENMODIFIED seen, with an overlap window (poll-window.ts). A poll delivers
 * about a page of new records and says `hasMore`: the engine polls again. A change of the
 * trigger's settings resets the cursor (the engine does).
 *
 * Deletions: a deleted record can no longer be read, so the poll also reads the audit trail
 * (AUDITHISTORY rows with ACCESSMODE Deleted for the object, on a cursor of their own over
 * ACCESSTIME) and delivers each deleted document once, as state "Deleted" with its RECORDNO and
 * document id (OBJECTDESC). Reading the audit trail needs the View permission for custom reports;
 * turn `deletions` off where the user has none.
 * https://developer.intacct.com/api/company-console/audit-trails/
 *
 * Credits: with `creditDocparids` (e.g. "Sales Return"), Order Entry documents of those
 * definitions come through the same poll and cursor (DOCPARID in the list), each with the invoice
 * it credits: CREATEDFROM (the source document's DOCID, what create_sotransaction takes as
 * `createdfrom`) read back for its number and date. Their deletions come from the audit trail too.
 */
import { z } from "zod";
import { PermanentError, type TriggerRecord } from "../../sdk";
import { quote, type IntacctClient, type QueryFilter } from "../client";
import { address, addressOf, isoFromUs, record } from "../schemas";
import { asArray, obj, text } from "../xml";
import { node } from "./factory";
import { readDeletions, type Deletion } from "./audit-deletions";
import { pollModified, rewoundCheckpoint, type Window } from "./poll-window";

const config = z.object({
  object: z.enum(["SODOCUMENT", "ARINVOICE"]).default("SODOCUMENT").describe("Order Entry transactions or AR invoices."),
  docparid: z.string().min(1).default("Sales Invoice").describe("Order Entry transaction definition (SODOCUMENT only)."),
  creditDocparids: z
    .array(z.string().min(1))
    .default([])
    .describe("Order Entry definitions of sales credits, e.g. Sales Return (SODOCUMENT only): delivered too, with the invoice each credits (CREATEDFROM)."),
  excludeStates: z.array(z.string()).default(["Draft"]).describe("Skip records in these states (unposted drafts)."),
  overlapSeconds: z.number().int().min(0).max(86_400).default(300).describe("Re-read window before the cursor."),
  initialLookbackDays: z.number().int().min(0).max(3650).default(7).describe("How far back the first poll reads."),
  pageSize: z.number().int().min(1).max(2000).default(500).describe("Records per query page (1-2000); a poll delivers about one page of new records, the engine polls again for more."),
  deletions: z.boolean().default(true).describe("Also deliver deleted documents, read from the audit trail (needs View permission for custom reports)."),
});
type Config = z.output<typeof config>;

const input = z.object({
  object: z.enum(["SODOCUMENT", "ARINVOICE"]),
  recordNo: z.string().min(1).describe("RECORDNO of the transaction."),
  whenModified: z.string().optional(),
  docparid: z.string().optional(),
  deleted: z.boolean().optional().describe("The document was deleted (read from the audit trail)."),
  documentId: z.string().optional().describe("A deleted document's id (DOCID or invoice number)."),
});

const line = z.object({
  lineNo: z.string(),
  itemId: z.string(),
  description: z.string(),
  quantity: z.string(),
  unitPrice: z.string(),
  amount: z.string(),
  accountNo: z.string(),
  locationId: z.string(),
  departmentId: z.string(),
  classId: z.string(),
  projectId: z.string(),
});

const credited = z.object({
  documentId: z.string().describe("The credited document's DOCID (Sales Invoice-SI-1001)."),
  documentNumber: z.string(),
  date: z.string().describe("Its transaction date YYYY-MM-DD (empty when it can no longer be read)."),
});

const output = z.object({
  object: z.string(),
  recordNo: z.string(),
  docparid: z.string().optional().describe("The Order Entry definition (Sales Invoice, Sales Return…)."),
  isCredit: z.boolean().optional().describe("A sales credit (one of the credit definitions): it takes tax back from the invoice it credits."),
  credits: credited.nullable().optional().describe("The invoice a credit credits (from CREATEDFROM); null otherwise."),
  documentId: z.string().describe("DOCID (Sales Invoice-SI-1001) or the invoice number."),
  documentNumber: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  date: z.string().describe("Transaction date YYYY-MM-DD."),
  whenModified: z.string(),
  state: z.string().describe("Pending, Closed, Reversed..., or Deleted for a deleted document."),
  currency: z.string(),
  total: z.string(),
  shipTo: address.optional(),
  billTo: address.optional(),
  lines: z.array(line),
  record: record.describe("The full record as Intacct returned it."),
});

const FIELDS = {
  SODOCUMENT: ["RECORDNO", "DOCID", "CUSTVENDID", "STATE", "WHENMODIFIED"],
  ARINVOICE: ["RECORDNO", "RECORDID", "CUSTOMERID", "STATE", "WHENMODIFIED"],
};

/** The credit definitions that apply (SODOCUMENT only). */
const creditsOf = (c: Config) => (c.object === "SODOCUMENT" ? c.creditDocparids.filter((d) => d !== c.docparid) : []);

/** Deleted documents of the object since the audit cursor, as trigger records of state Deleted. */
async function deletions(client: IntacctClient, c: Config, window: Window | undefined, firstFrom: number) {
  const read = await readDeletions(client, c.object, window, { firstFrom, overlapSeconds: c.overlapSeconds, pageSize: c.pageSize });
  // Editing an Order Entry document deletes its AR invoice and makes a new one under the same
  // number: that is a change of the invoice (delivered as such), not a deletion.
  const remade = new Set<string>();
  const numbers = [...new Set(read.deletions.map((d) => d.description).filter(Boolean))];
  if (c.object === "ARINVOICE" && numbers.length > 0) {
    for (let i = 0; i < numbers.length; i += 100) {
      const rows = await client.readByQuery("ARINVOICE", `RECORDID IN (${numbers.slice(i, i + 100).map(quote).join(", ")})`, { fields: ["RECORDID"], pageSize: 1000 });
      for (const r of rows) remade.add(text(r.RECORDID));
    }
  }
  const definitions = [c.docparid, ...creditsOf(c)];
  const definitionOf = (d: Deletion) => (c.object === "SODOCUMENT" ? definitions.find((p) => d.description.startsWith(`${p}-`)) : undefined);
  const ofThisKind = (d: Deletion) => (c.object !== "SODOCUMENT" || definitionOf(d) !== undefined) && !remade.has(d.description);
  const records: TriggerRecord[] = read.deletions.filter(ofThisKind).map((d) => ({
    key: `intacct:${client.companyId}:${c.object}:${d.recordNo}`,
    version: `deleted@${d.at}`,
    label: `${c.object === "SODOCUMENT" ? d.description : `Invoice ${d.description}`} (deleted)`,
    data: { object: c.object, recordNo: d.recordNo, whenModified: d.at, deleted: true, documentId: d.description, docparid: definitionOf(d) },
  }));
  return { records, window: read.window };
}

function poll(client: IntacctClient, c: Config, raw: unknown) {
  // With credit definitions, one query over all of them (docparid names a single definition).
  const credits = creditsOf(c);
  return pollModified(raw, {
    now: client.env.now(),
    overlapSeconds: c.overlapSeconds,
    initialLookbackDays: c.initialLookbackDays,
    pageSize: c.pageSize,
    read: async (from, offset) => {
      const filters: QueryFilter[] = [{ field: "WHENMODIFIED", operator: "greaterthanorequalto", value: from }];
      if (c.excludeStates.length > 0) filters.push({ field: "STATE", operator: "notin", values: c.excludeStates });
      if (credits.length > 0) filters.push({ field: "DOCPARID", operator: "in", values: [c.docparid, ...credits] });
      const page = await client.query({
        object: c.object,
        select: credits.length > 0 ? [...FIELDS[c.object], "DOCPARID"] : FIELDS[c.object],
        docparid: c.object === "SODOCUMENT" && credits.length === 0 ? c.docparid : undefined,
        filter: { and: filters },
        orderBy: [{ field: "WHENMODIFIED" }, { field: "RECORDNO" }],
        pageSize: c.pageSize,
        offset,
      });
      return { rows: page.records, more: page.numRemaining > 0 };
    },
    record: (r, recordNo, modified) => ({
      key: `intacct:${client.companyId}:${c.object}:${recordNo}`,
      version: modified,
      label: c.object === "SODOCUMENT" ? text(r.DOCID) : `Invoice ${text(r.RECORDID)}`,
      data: { object: c.object, recordNo, whenModified: modified, docparid: c.object === "SODOCUMENT" ? text(r.DOCPARID) || c.docparid : undefined },
    }),
    deletions: c.deletions ? (window, firstFrom) => deletions(client, c, window, firstFrom) : undefined,
  });
}

/** What the trigger answers for a deleted document: nothing is left to read but its ids. */
function deletedOutput(i: z.output<typeof input>, c: Config) {
  const documentId = i.documentId ?? "";
  const prefix = `${i.docparid ?? "Sales Invoice"}-`;
  return {
    object: i.object,
    recordNo: i.recordNo,
    ...(i.object === "SODOCUMENT" ? { docparid: i.docparid ?? c.docparid, isCredit: creditsOf(c).includes(i.docparid ?? ""), credits: null } : {}),
    documentId,
    documentNumber: i.object === "SODOCUMENT" && documentId.startsWith(prefix) ? documentId.slice(prefix.length) : documentId,
    customerId: "",
    customerName: "",
    date: isoFromUs(i.whenModified),
    whenModified: i.whenModified ?? "",
    state: "Deleted",
    currency: "",
    total: "0.00",
    lines: [],
    record: {},
  };
}

/**
 * The invoice a credit credits: CREATEDFROM names its DOCID; its number and date are read back
 * (a credited invoice deleted since keeps its number, with no date).
 */
async function creditedBy(client: IntacctClient, c: Config, rec: Record<string, unknown>): Promise<z.output<typeof credited> | null> {
  const documentId = text(rec.CREATEDFROM);
  if (!documentId) return null;
  const [source] = await client.readByQuery("SODOCUMENT", `DOCID = ${quote(documentId)}`, { fields: ["DOCID", "DOCNO", "WHENCREATED"], pageSize: 1, docparid: documentId.startsWith(`${c.docparid}-`) ? c.docparid : undefined });
  const prefix = documentId.startsWith(`${c.docparid}-`) ? `${c.docparid}-` : "";
  return {
    documentId,
    documentNumber: source ? text(source.DOCNO) : documentId.slice(prefix.length),
    date: source ? isoFromUs(source.WHENCREATED) : "",
  };
}

function toOutput(object: "SODOCUMENT" | "ARINVOICE", rec: Record<string, unknown>) {
  const isSo = object === "SODOCUMENT";
  const linesRaw = isSo ? obj(rec.SODOCUMENTENTRIES).sodocumententry : obj(rec.ARINVOICEITEMS).arinvoiceitem;
  const lines = asArray(linesRaw).map((x) => {
    const l = obj(x);
    return {
      lineNo: text(l.LINE_NO),
      itemId: text(l.ITEMID),
      description: text(l.ITEMNAME) || text(l.ENTRYDESCRIPTION) || text(l.MEMO),
      quantity: text(l.QUANTITY) || "1",
      unitPrice: text(l.PRICE) || text(l.AMOUNT),
      amount: text(l.TOTAL) || text(l.AMOUNT),
      accountNo: text(l.ACCOUNTNO),
      locationId: text(l.LOCATION) || text(l.LOCATIONID),
      departmentId: text(l.DEPARTMENT) || text(l.DEPARTMENTID),
      classId: text(l.CLASSID),
      projectId: text(l.PROJECTID),
    };
  });
  return {
    object,
    recordNo: text(rec.RECORDNO),
    documentId: isSo ? text(rec.DOCID) : text(rec.RECORDID),
    documentNumber: isSo ? text(rec.DOCNO) : text(rec.RECORDID),
    customerId: isSo ? text(rec.CUSTVENDID) : text(rec.CUSTOMERID),
    customerName: isSo ? text(rec.CUSTVENDNAME) : text(rec.CUSTOMERNAME),
    date: isoFromUs(rec.WHENCREATED),
    whenModified: text(rec.WHENMODIFIED),
    state: text(rec.STATE),
    currency: text(rec.CURRENCY),
    total: isSo ? text(rec.TOTAL) : text(rec.TOTALENTERED),
    shipTo: addressOf(rec.SHIPTO),
    billTo: addressOf(rec.BILLTO),
    lines,
    record: rec,
  };
}

export const pollSalesTransactions = node({
  type: "intacct.pollSalesTransactions",
  version: 1,
  title: "New or changed sales transactions",
  description: "Poll posted Order Entry sales transactions or AR invoices modified since the last poll.",
  category: "trigger",
  config,
  input,
  output,
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    poll: (ctx, c, checkpoint) => poll(ctx.client, c, checkpoint),
    // Re-read from `since` (WHENMODIFIED is compared as the poll compares it, without a zone).
    rewind: async (_ctx, c, since) => rewoundCheckpoint(since, c.overlapSeconds),
  },
  async run(ctx, i, c) {
    if (i.deleted) return deletedOutput(i, c);
    const [rec] = await ctx.client.read(i.object, [i.recordNo], { docparid: i.object === "SODOCUMENT" ? i.docparid : undefined });
    if (!rec) {
      throw new PermanentError(`Intacct ${i.object} ${i.recordNo} no longer exists`, { system: "intacct", code: "not_found" });
    }
    const out = toOutput(i.object, rec);
    if (i.object !== "SODOCUMENT" || creditsOf(c).length === 0) return out;
    const docparid = text(rec.DOCPARID) || i.docparid || c.docparid;
    const isCredit = creditsOf(c).includes(docparid);
    return { ...out, docparid, isCredit, credits: isCredit ? await creditedBy(ctx.client, c, rec) : null };
  },
});
