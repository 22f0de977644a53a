/**
 * Trigger: AP bills (APBILL) posted, changed or reversed since the checkpoint, read with
 * readByQuery on WHENMODIFIED and followed with readMore (legacy paging, 1-1000 per page).
 * https://developer.intacct.com/api/accounts-payable/bills/#list-bills
 *
 * Cursor: the newest WHENMODIFIED seen, with an overlap window (poll-window.ts). readByQuery has
 * no ordering, so a poll reads its whole result set (every readMore page): stopping part way could
 * leave an older bill behind a cursor that moved past it. A change of the trigger's settings
 * resets the cursor.
 *
 * The node's run reads the whole bill (its lines) and the ship-to address of each line's location
 * (LOCATION SHIPTO, else its primary contact): where the goods are used is where use tax is owed.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { PermanentError, type TriggerRecord } from "../../sdk";
import { quote, type IntacctClient } from "../client";
import { address, addressOf, isoFromUs, record } from "../schemas";
import { asArray, obj, text } from "../xml";
import { node } from "./factory";
import { advance, isWindow, readFrom, stampText, type Window } from "./poll-window";

const config = z.object({
  excludeStates: z.array(z.string()).default(["Draft"]).describe("Skip bills in these states (unposted drafts)."),
  overlapSeconds: z.number().int().min(0).max(86_400).default(300).describe("Re-read window before the cursor."),
  initialLookbackDays: z.number().int().min(0).max(3650).default(7).describe("How far back the first poll reads."),
  pageSize: z.number().int().min(1).max(1000).default(500).describe("Bills per readByQuery/readMore page (1-1000)."),
});
type Config = z.output<typeof config>;

const input = z.object({
  recordNo: z.string().min(1).describe("RECORDNO of the bill."),
  whenModified: z.string().optional(),
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
  state: z.string().describe("Posted, Partially Paid, Paid, Reversed..."),
  currency: z.string(),
  total: z.string(),
  description: z.string(),
  lines: z.array(line),
  record: record.describe("The full bill as Intacct returned it."),
});

interface Checkpoint extends Window {
  v: 1;
  settings: string;
}

function settingsHash(c: Config): string {
  return createHash("sha256").update(JSON.stringify({ o: "APBILL", x: [...c.excludeStates].sort() })).digest("hex").slice(0, 16);
}

function asCheckpoint(value: unknown, c: Config): Checkpoint | undefined {
  const cp = value as Partial<Checkpoint> | null | undefined;
  if (!cp || cp.v !== 1 || cp.settings !== settingsHash(c) || !isWindow(cp)) return undefined;
  return cp as Checkpoint;
}

async function poll(client: IntacctClient, c: Config, raw: unknown) {
  const checkpoint = asCheckpoint(raw, c);
  const from = readFrom(checkpoint, c.overlapSeconds, client.env.now() - c.initialLookbackDays * 86_400_000);
  const conditions = [`WHENMODIFIED >= ${quote(stampText(from))}`];
  if (c.excludeStates.length > 0) conditions.push(`STATE NOT IN (${c.excludeStates.map(quote).join(", ")})`);
  const rows = await client.readByQuery("APBILL", conditions.join(" AND "), {
    fields: ["RECORDNO", "RECORDID", "VENDORID", "STATE", "WHENMODIFIED"],
    pageSize: c.pageSize,
  });
  const { fresh, next } = advance(checkpoint, rows, (r) => ({ key: text(r.RECORDNO), stamp: text(r.WHENMODIFIED) }), c.overlapSeconds, from);
  const records: TriggerRecord[] = fresh.map(({ row, key, stamp }) => ({
    key: `intacct:${client.companyId}:APBILL:${key}`,
    version: stamp,
    label: `Bill ${text(row.RECORDID) || key} (${text(row.VENDORID)})`,
    data: { recordNo: key, whenModified: stamp },
  }));
  const checkpointOut: Checkpoint = { v: 1, settings: settingsHash(c), ...next };
  return { records, checkpoint: checkpointOut, hasMore: false };
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
    rewind: async (_ctx, c, since): Promise<Checkpoint> => ({ v: 1, settings: settingsHash(c), since: stampText(since.getTime() + c.overlapSeconds * 1000), seen: [] }),
  },
  async run(ctx, i) {
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
