/**
 * Trigger: AP bills (APBILL) posted, changed or reversed since the checkpoint, read with
 * readByQuery on WHENMODIFIED and followed with readMore (legacy paging, 1-1000 per page).
 * https://developer.intacct.com/api/accounts-payable/bills/#list-bills
 *
 * Cursor: the newest WHENMODIFIED seen, with an overlap window (poll-window.ts). readByQuery has
 * no ordering, so a poll reads its whole result set (every readMore page): stopping part way could
 * leave an older bill behind a cursor that moved past it. A change of the trigger's settings
 * resets the cursor (the engine does).
 *
 * Deletions: a deleted bill can no longer be read; the poll also reads the audit trail
 * (audit-deletions.ts) and delivers each deleted bill once, as state "Deleted" with its RECORDNO.
 *
 * The node's run reads the whole bill (its lines) and the ship-to address of each line's location
 * (LOCATION SHIPTO, else its primary contact): where the goods are used is where use tax is owed.
 */
import { z } from "zod";
import { PermanentError, type TriggerRecord } from "../../sdk";
import { quote, type IntacctClient } from "../client";
import { address, addressOf, isoFromUs, record } from "../schemas";
import { asArray, obj, text } from "../xml";
import { readDeletions } from "./audit-deletions";
import { node } from "./factory";
import { pollModified, rewoundCheckpoint } from "./poll-window";

const config = z.object({
  excludeStates: z.array(z.string()).default(["Draft"]).describe("Skip bills in these states (unposted drafts)."),
  overlapSeconds: z.number().int().min(0).max(86_400).default(300).describe("Re-read window before the cursor."),
  initialLookbackDays: z.number().int().min(0).max(3650).default(7).describe("How far back the first poll reads."),
  pageSize: z.number().int().min(1).max(1000).default(500).describe("Bills per readByQuery/readMore page (1-1000)."),
  deletions: z.boolean().default(true).describe("Also deliver deleted bills, read from the audit trail (needs View permission for custom reports)."),
});
type Config = z.output<typeof config>;

const input = z.object({
  recordNo: z.string().min(1).describe("RECORDNO of the bill."),
  whenModified: z.string().optional(),
  deleted: z.boolean().optional().describe("The bill was deleted (read from the audit trail)."),
  billNumber: z.string().optional().describe("A deleted bill's number, as the audit trail describes it."),
});

const line = z.object({
  lineNo: z.string(),
  accountNo: z.string(),
  amount: z.string(),
  memo: z.string(),
  itemId: z.string(),
  locationId: z.string(),
  departmentId: z.string(),
  classId: z.string(),
  projectId: z.string(),
  shipTo: address.optional().describe("The ship-to address of the line's location (where the goods are used)."),
});

const output = z.object({
  recordNo: z.string(),
  billNumber: z.string().describe("The bill number (RECORDID)."),
  vendorId: z.string(),
  vendorName: z.string(),
  date: z.string().describe("Bill date YYYY-MM-DD."),
  whenModified: z.string(),
  state: z.string().describe("Posted, Partially Paid, Paid, Reversed..., or Deleted for a deleted bill."),
  currency: z.string(),
  total: z.string(),
  description: z.string(),
  lines: z.array(line),
  record: record.describe("The full bill as Intacct returned it."),
});

function poll(client: IntacctClient, c: Config, raw: unknown) {
  const conditions = (from: string) => [
    `WHENMODIFIED >= ${quote(from)}`,
    ...(c.excludeStates.length > 0 ? [`STATE NOT IN (${c.excludeStates.map(quote).join(", ")})`] : []),
  ];
  return pollModified(raw, {
    now: client.env.now(),
    overlapSeconds: c.overlapSeconds,
    initialLookbackDays: c.initialLookbackDays,
    pageSize: c.pageSize,
    // readByQuery has no ordering: one read takes every page of the result (more is never left).
    read: async (from) => ({
      rows: await client.readByQuery("APBILL", conditions(from).join(" AND "), {
        fields: ["RECORDNO", "RECORDID", "VENDORID", "STATE", "WHENMODIFIED"],
        pageSize: c.pageSize,
      }),
      more: false,
    }),
    record: (row, key, stamp) => ({
      key: `intacct:${client.companyId}:APBILL:${key}`,
      version: stamp,
      label: `Bill ${text(row.RECORDID) || key} (${text(row.VENDORID)})`,
      data: { recordNo: key, whenModified: stamp },
    }),
    deletions: c.deletions
      ? async (window, firstFrom) => {
          const read = await readDeletions(client, "APBILL", window, { firstFrom, overlapSeconds: c.overlapSeconds, pageSize: c.pageSize });
          const records: TriggerRecord[] = read.deletions.map((d) => ({
            key: `intacct:${client.companyId}:APBILL:${d.recordNo}`,
            version: `deleted@${d.at}`,
            label: `Bill ${d.description || d.recordNo} (deleted)`,
            data: { recordNo: d.recordNo, whenModified: d.at, deleted: true, billNumber: d.description },
          }));
          return { records, window: read.window };
        }
      : undefined,
  });
}

/** Ship-to address per location ID, read once per bill. */
async function locationAddresses(client: IntacctClient, ids: string[]): Promise<Map<string, z.output<typeof address>>> {
  const out = new Map<string, z.output<typeof address>>();
  if (ids.length === 0) return out;
  const rows = await client.readByQuery("LOCATION", `LOCATIONID IN (${ids.map(quote).join(", ")})`, { pageSize: 100 });
  for (const r of rows) {
    const where = addressOf(r.SHIPTO) ?? addressOf(r.CONTACTINFO);
    if (where && (where.postalCode || where.city)) out.set(text(r.LOCATIONID), where);
  }
  return out;
}

export const pollBills = node({
  type: "intacct.pollBills",
  version: 1,
  title: "New or changed AP bills",
  description: "Poll AP bills posted, changed or reversed since the last poll, with their lines and where each line's location receives goods.",
  category: "trigger",
  config,
  input,
  output,
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    poll: (ctx, c, checkpoint) => poll(ctx.client, c, checkpoint),
    rewind: async (_ctx, c, since) => rewoundCheckpoint(since, c.overlapSeconds),
  },
  async run(ctx, i) {
    if (i.deleted) {
      // Nothing is left to read but its ids.
      return { recordNo: i.recordNo, billNumber: i.billNumber ?? "", vendorId: "", vendorName: "", date: isoFromUs(i.whenModified), whenModified: i.whenModified ?? "", state: "Deleted", currency: "", total: "0.00", description: "", lines: [], record: {} };
    }
    const [bill] = await ctx.client.read("APBILL", [i.recordNo]);
    if (!bill) throw new PermanentError(`Intacct APBILL ${i.recordNo} no longer exists`, { system: "intacct", code: "not_found" });
    const items = asArray(obj(bill.APBILLITEMS).APBILLITEM).map(obj);
    const locations = await locationAddresses(ctx.client, [...new Set(items.map((l) => text(l.LOCATIONID)).filter(Boolean))]);
    return {
      recordNo: text(bill.RECORDNO),
      billNumber: text(bill.RECORDID),
      vendorId: text(bill.VENDORID),
      vendorName: text(bill.VENDORNAME),
      date: isoFromUs(bill.WHENCREATED),
      whenModified: text(bill.WHENMODIFIED),
      state: text(bill.STATE),
      currency: text(bill.CURRENCY),
      total: text(bill.TOTALENTERED),
      description: text(bill.DESCRIPTION),
      lines: items.map((l, n) => ({
        lineNo: text(l.LINE_NO) || String(n + 1),
        accountNo: text(l.ACCOUNTNO),
        amount: text(l.TRX_AMOUNT) || text(l.AMOUNT),
        memo: text(l.ENTRYDESCRIPTION),
        itemId: text(l.ITEMID),
        locationId: text(l.LOCATIONID),
        departmentId: text(l.DEPARTMENTID),
        classId: text(l.CLASSID),
        projectId: text(l.PROJECTID),
        shipTo: locations.get(text(l.LOCATIONID)),
      })),
      record: bill,
    };
  },
});
