/**
 * Trigger: posted sales transactions (Order Entry SODOCUMENT of one transaction definition) or
 * AR invoices (ARINVOICE) modified since the checkpoint.
 * https://developer.intacct.com/api/order-entry/transactions/ and
 * https://developer.intacct.com/api/accounts-receivable/invoices/
 *
 * Cursor: the newest WHENMODIFIED seen. Each poll re-reads an overlap window before it (clock
 * skew, records committed late with an older timestamp) and drops the (RECORDNO, WHENMODIFIED)
 * pairs already delivered. WHENMODIFIED has no timezone; the cursor only ever compares values
 * written by Intacct itself. A change of the trigger's settings resets the cursor.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { PermanentError, type TriggerRecord } from "../../sdk";
import type { IntacctClient, QueryFilter } from "../client";
import { address, addressOf, isoFromUs, record } from "../schemas";
import { asArray, obj, text } from "../xml";
import { node } from "./factory";

const config = z.object({
  object: z.enum(["SODOCUMENT", "ARINVOICE"]).default("SODOCUMENT").describe("Order Entry transactions or AR invoices."),
  docparid: z.string().min(1).default("Sales Invoice").describe("Order Entry transaction definition (SODOCUMENT only)."),
  excludeStates: z.array(z.string()).default(["Draft"]).describe("Skip records in these states (unposted drafts)."),
  overlapSeconds: z.number().int().min(0).max(86_400).default(300).describe("Re-read window before the cursor."),
  initialLookbackDays: z.number().int().min(0).max(3650).default(7).describe("How far back the first poll reads."),
  pageSize: z.number().int().min(1).max(2000).default(500).describe("Records per query page (1-2000)."),
  maxPagesPerPoll: z.number().int().min(1).max(100).default(10).describe("Pages read per poll before yielding."),
});
type Config = z.output<typeof config>;

const input = z.object({
  object: z.enum(["SODOCUMENT", "ARINVOICE"]),
  recordNo: z.string().min(1).describe("RECORDNO of the transaction."),
  whenModified: z.string().optional(),
  docparid: z.string().optional(),
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

const output = z.object({
  object: z.string(),
  recordNo: z.string(),
  documentId: z.string().describe("DOCID (Sales Invoice-SI-1001) or the invoice number."),
  documentNumber: z.string(),
  customerId: z.string(),
  customerName: z.string(),
  date: z.string().describe("Transaction date YYYY-MM-DD."),
  whenModified: z.string(),
  state: z.string(),
  currency: z.string(),
  total: z.string(),
  shipTo: address.optional(),
  billTo: address.optional(),
  lines: z.array(line),
  record: record.describe("The full record as Intacct returned it."),
});

interface Checkpoint {
  v: 1;
  settings: string;
  since: string;
  seen: string[];
}

const FIELDS = {
  SODOCUMENT: ["RECORDNO", "DOCID", "CUSTVENDID", "STATE", "WHENMODIFIED"],
  ARINVOICE: ["RECORDNO", "RECORDID", "CUSTOMERID", "STATE", "WHENMODIFIED"],
};

/** "MM/DD/YYYY HH:MM:SS" <-> a sortable number (no timezone involved). */
function stampMs(value: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?/.exec(value);
  if (!m) return Number.NaN;
  return Date.UTC(+m[3], +m[1] - 1, +m[2], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
}
function stampText(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

function settingsHash(c: Config): string {
  const relevant = { o: c.object, d: c.object === "SODOCUMENT" ? c.docparid : "", x: [...c.excludeStates].sort() };
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex").slice(0, 16);
}

function asCheckpoint(value: unknown, c: Config): Checkpoint | undefined {
  const cp = value as Partial<Checkpoint> | null | undefined;
  if (!cp || cp.v !== 1 || cp.settings !== settingsHash(c) || typeof cp.since !== "string" || !Array.isArray(cp.seen)) return undefined;
  if (Number.isNaN(stampMs(cp.since))) return undefined;
  return cp as Checkpoint;
}

async function poll(client: IntacctClient, c: Config, raw: unknown) {
  const checkpoint = asCheckpoint(raw, c);
  const from = checkpoint
    ? stampMs(checkpoint.since) - c.overlapSeconds * 1000
    : client.env.now() - c.initialLookbackDays * 86_400_000;
  const filters: QueryFilter[] = [{ field: "WHENMODIFIED", operator: "greaterthanorequalto", value: stampText(from) }];
  if (c.excludeStates.length > 0) filters.push({ field: "STATE", operator: "notin", values: c.excludeStates });
  const { records: rows, more } = await client.queryAll(
    {
      object: c.object,
      select: FIELDS[c.object],
      docparid: c.object === "SODOCUMENT" ? c.docparid : undefined,
      filter: { and: filters },
      orderBy: [{ field: "WHENMODIFIED" }, { field: "RECORDNO" }],
      pageSize: c.pageSize,
    },
    c.pageSize * c.maxPagesPerPoll,
  );
  const seen = new Set(checkpoint?.seen ?? []);
  let newest = checkpoint ? stampMs(checkpoint.since) : Number.NEGATIVE_INFINITY;
  const records: TriggerRecord[] = [];
  const delivered: Array<{ id: string; ms: number }> = (checkpoint?.seen ?? []).map((id) => ({ id, ms: stampMs(id.split("@")[1] ?? "") }));
  for (const r of rows) {
    const recordNo = text(r.RECORDNO);
    const modified = text(r.WHENMODIFIED);
    const ms = stampMs(modified);
    if (!recordNo || Number.isNaN(ms)) continue;
    const id = `${recordNo}@${modified}`;
    newest = Math.max(newest, ms);
    if (seen.has(id)) continue;
    seen.add(id);
    delivered.push({ id, ms });
    const label = c.object === "SODOCUMENT" ? text(r.DOCID) : `Invoice ${text(r.RECORDID)}`;
    records.push({
      key: `intacct:${client.companyId}:${c.object}:${recordNo}`,
      version: modified,
      label,
      data: { object: c.object, recordNo, whenModified: modified, docparid: c.object === "SODOCUMENT" ? c.docparid : undefined },
    });
  }
  const since = Number.isFinite(newest) ? stampText(newest) : checkpoint?.since ?? stampText(from);
  const windowStart = stampMs(since) - c.overlapSeconds * 1000;
  const next: Checkpoint = {
    v: 1,
    settings: settingsHash(c),
    since,
    seen: delivered.filter((d) => d.ms >= windowStart).map((d) => d.id),
  };
  return { records, checkpoint: next, hasMore: more };
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
    rewind: async (_ctx, c, since): Promise<Checkpoint> => ({ v: 1, settings: settingsHash(c), since: stampText(since.getTime() + c.overlapSeconds * 1000), seen: [] }),
  },
  async run(ctx, i) {
    const [rec] = await ctx.client.read(i.object, [i.recordNo], { docparid: i.object === "SODOCUMENT" ? i.docparid : undefined });
    if (!rec) {
      throw new PermanentError(`Intacct ${i.object} ${i.recordNo} no longer exists`, { system: "intacct", code: "not_found" });
    }
    return toOutput(i.object, rec);
  },
});
