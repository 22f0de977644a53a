/**
 * Trigger (poll): customers whose watched fields changed (the fields this side of a sync owns).
 *
 * Reads customers modified since the cursor (WHENMODIFIED, the overlap window the other Intacct
 * polls share) and keeps a digest of the watched fields per customer: a customer starts a run only
 * when that digest changed. A change to other fields (the exemption a sync wrote from Avalara)
 * starts nothing, so a two-way sync cannot loop. The first poll reads every customer and, by
 * config, delivers each one (so the other system gets them all) or only records where they stand.
 * https://developer.intacct.com/api/accounts-receivable/customers/
 */
import { z } from "zod";
import { PermanentError, type TriggerRecord } from "../../sdk";
import { quote } from "../client";
import { SYSTEM } from "../errors";
import { CUSTOMER_FIELDS, customerDigest, customerRecord, queryCustomers, readCustomer } from "./customer-record";
import { node } from "./factory";
import { advance, isWindow, readFrom, settingsKey, stampText, type Window } from "./poll-window";

const config = z.object({
  watchFields: z
    .array(z.enum(CUSTOMER_FIELDS))
    .min(1)
    .default(["name", "email", "phone", "contactName", "line1", "line2", "city", "region", "postalCode", "country"])
    .describe("Fields whose change starts a run (the fields Intacct owns in the sync)."),
  firstPoll: z.enum(["deliver", "baseline"]).default("deliver").describe("deliver: the first poll starts a run per customer; baseline: it only records where they stand."),
  overlapSeconds: z.number().int().min(0).max(86_400).default(300).describe("Re-read window before the cursor."),
  pageSize: z.number().int().min(1).max(1000).default(500).describe("Customers per readByQuery/readMore page."),
});
type Config = z.output<typeof config>;

interface Checkpoint extends Window {
  v: 1;
  settings: string;
  /** CUSTOMERID -> digest of the watched fields last seen. */
  digests: Record<string, string>;
}

const settingsHash = (c: Config) => settingsKey({ o: "CUSTOMER", f: [...c.watchFields].sort() });

function asCheckpoint(value: unknown, c: Config): Checkpoint | undefined {
  const cp = value as Partial<Checkpoint> | null | undefined;
  if (!cp || cp.v !== 1 || cp.settings !== settingsHash(c) || !cp.digests || typeof cp.digests !== "object" || !isWindow(cp)) return undefined;
  return cp as Checkpoint;
}

export const pollCustomers = node({
  type: "intacct.pollCustomers",
  version: 1,
  title: "Customers changed",
  description: "Poll customers whose watched fields (name, contact, address, tax exemption) changed since the last poll. Changes to other fields start nothing.",
  category: "trigger",
  config,
  input: z.object({ customerId: z.string().min(1) }),
  output: customerRecord.extend({ version: z.string().describe("Digest of the watched fields: one update per version downstream.") }),
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    async poll(ctx, c, raw) {
      const client = ctx.client;
      const checkpoint = asCheckpoint(raw, c);
      const record = (id: string, name: string, digest: string): TriggerRecord => ({
        key: `intacct:${client.companyId}:CUSTOMER:${id}`,
        version: digest,
        label: `Customer ${id} (${name})`,
        data: { customerId: id },
      });
      if (!checkpoint) {
        const all = await queryCustomers(client, "", c.pageSize);
        const newest = all.reduce((m, v) => (v.whenModified > m ? v.whenModified : m), stampText(client.env.now()));
        const digests = Object.fromEntries(all.map((v) => [v.customerId, customerDigest(v, c.watchFields)]));
        const records = c.firstPoll === "deliver" ? all.map((v) => record(v.customerId, v.name, digests[v.customerId]!)) : [];
        return { records, checkpoint: { v: 1, settings: settingsHash(c), since: newest, seen: [], digests } satisfies Checkpoint, hasMore: false };
      }
      const from = readFrom(checkpoint, c.overlapSeconds, client.env.now());
      const rows = await queryCustomers(client, `WHENMODIFIED >= ${quote(stampText(from))}`, c.pageSize);
      const { next } = advance(checkpoint, rows, (v) => ({ key: v.customerId, stamp: v.whenModified }), c.overlapSeconds, from);
      const digests = { ...checkpoint.digests };
      const records: TriggerRecord[] = [];
      // Every row read: two changes within one second share a WHENMODIFIED, the digest tells them apart.
      for (const row of rows) {
        const digest = customerDigest(row, c.watchFields);
        if (digests[row.customerId] === digest) continue;
        digests[row.customerId] = digest;
        records.push(record(row.customerId, row.name, digest));
      }
      return { records, checkpoint: { v: 1, settings: settingsHash(c), ...next, digests } satisfies Checkpoint, hasMore: false };
    },
  },
  async run(ctx, i, c) {
    const customer = await readCustomer(ctx.client, i.customerId);
    if (!customer) throw new PermanentError(`Intacct has no customer ${i.customerId}`, { system: SYSTEM, code: "not_found" });
    return { ...customer, version: customerDigest(customer, c.watchFields) };
  },
});
