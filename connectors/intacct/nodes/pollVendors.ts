/**
 * Trigger (poll): vendors whose watched fields changed (the fields this side of a sync owns).
 *
 * Reads vendors modified since the cursor (WHENMODIFIED, overlap window as the other Intacct
 * polls) and keeps a digest of the watched fields per vendor: a vendor starts a run only when
 * that digest changed. A change to other fields (for instance ones a sync wrote from the other
 * system) starts nothing, so a two-way sync cannot loop. The first poll reads every vendor and
 * only records where they stand: runs start with the changes after it.
 * https://developer.intacct.com/api/accounts-payable/vendors/
 */
import { z } from "zod";
import { PermanentError, type TriggerRecord } from "../../sdk";
import { quote } from "../client";
import { SYSTEM } from "../errors";
import { node } from "./factory";
import { advance, isWindow, readFrom, stampText, type Window } from "./poll-window";
import { fieldsDigest, queryVendors, readVendor, vendorRecord, VENDOR_FIELDS } from "./vendor-record";

const config = z.object({
  watchFields: z.array(z.enum(VENDOR_FIELDS)).min(1).default(["taxId"]).describe("Fields whose change starts a run (the fields Intacct owns in the sync)."),
  overlapSeconds: z.number().int().min(0).max(86_400).default(300).describe("Re-read window before the cursor."),
  pageSize: z.number().int().min(1).max(1000).default(500).describe("Vendors per readByQuery/readMore page."),
});

/** The engine resets it when the trigger's settings (the watched fields) change. */
interface Checkpoint extends Window {
  v: 1;
  /** VENDORID -> digest of the watched fields last seen. */
  digests: Record<string, string>;
}

function asCheckpoint(value: unknown): Checkpoint | undefined {
  const cp = value as Partial<Checkpoint> | null | undefined;
  if (!cp || cp.v !== 1 || !cp.digests || typeof cp.digests !== "object" || !isWindow(cp)) return undefined;
  return cp as Checkpoint;
}

export const pollVendors = node({
  type: "intacct.pollVendors",
  version: 1,
  title: "Vendors changed",
  description: "Poll vendors whose watched fields (name, contact, address, tax ID, status) changed since the last poll. Changes to other fields start nothing.",
  category: "trigger",
  config,
  input: z.object({ vendorId: z.string().min(1) }),
  output: vendorRecord.extend({ version: z.string().describe("Digest of the watched fields: one update per version downstream.") }),
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    async poll(ctx, c, raw) {
      const client = ctx.client;
      const checkpoint = asCheckpoint(raw);
      if (!checkpoint) {
        // Baseline: where every vendor stands now; changes after it start runs.
        const all = await queryVendors(client, "", c.pageSize);
        const newest = all.reduce((m, v) => (v.whenModified > m ? v.whenModified : m), stampText(client.env.now()));
        const digests = Object.fromEntries(all.map((v) => [v.vendorId, fieldsDigest(v, c.watchFields)]));
        return { records: [], checkpoint: { v: 1, since: newest, seen: [], digests } satisfies Checkpoint, hasMore: false };
      }
      const from = readFrom(checkpoint, c.overlapSeconds, client.env.now());
      const rows = await queryVendors(client, `WHENMODIFIED >= ${quote(stampText(from))}`, c.pageSize);
      const { next } = advance(checkpoint, rows, (v) => ({ key: v.vendorId, stamp: v.whenModified }), c.overlapSeconds, from);
      const digests = { ...checkpoint.digests };
      const records: TriggerRecord[] = [];
      // Every row read, not only the (vendor, timestamp) pairs not seen yet: two changes within
      // one second share a WHENMODIFIED, and the digest tells them apart.
      for (const row of rows) {
        const digest = fieldsDigest(row, c.watchFields);
        if (digests[row.vendorId] === digest) continue;
        digests[row.vendorId] = digest;
        records.push({ key: `intacct:${client.companyId}:VENDOR:${row.vendorId}`, version: digest, label: `Vendor ${row.vendorId} (${row.name})`, data: { vendorId: row.vendorId } });
      }
      return { records, checkpoint: { v: 1, ...next, digests } satisfies Checkpoint, hasMore: false };
    },
  },
  async run(ctx, i, c) {
    const vendor = await readVendor(ctx.client, i.vendorId);
    if (!vendor) throw new PermanentError(`Intacct has no vendor ${i.vendorId}`, { system: SYSTEM, code: "not_found" });
    return { ...vendor, version: fieldsDigest(vendor, c.watchFields) };
  },
});
