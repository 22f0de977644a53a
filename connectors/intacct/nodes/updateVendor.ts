/**
 * Update a vendor's master data: generic `<update><VENDOR>` keyed by VENDORID with only the fields
 * that differ from what Intacct holds (a field left out stays as it is). Nothing is sent when the
 * vendor already matches, which is also what keeps a two-way sync from echoing: writing a value
 * that is already there changes nothing, so no poll sees a change.
 * https://developer.intacct.com/web-services/functions/#update
 *
 * Business key: `intacct:vendor:<VENDORID>:update:<changeKey>` (the source's version of the change).
 */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import { SYSTEM } from "../errors";
import { node, reconcileFirst, writeKey } from "./factory";
import { readVendor, vendorChanges, VENDOR_FIELDS, type VendorField, type VendorRecord } from "./vendor-record";

const fields = z.object(Object.fromEntries(VENDOR_FIELDS.map((f) => [f, z.string().max(200).optional()])) as Record<VendorField, z.ZodOptional<z.ZodString>>);

const input = z.object({
  vendorId: z.string().min(1).describe("VENDORID of the vendor to update."),
  changeKey: z.string().min(1).max(200).describe("The source's version of this change: one update per version."),
  fields: fields.describe("The values wanted; fields left out are not touched."),
});
type Input = z.output<typeof input>;

const output = z.object({
  vendorId: z.string(),
  changed: z.array(z.enum(VENDOR_FIELDS)).describe("Fields this step changed (empty: the vendor already matched)."),
  whenModified: z.string(),
});

const keyOf = (i: Input) => `intacct:vendor:${i.vendorId}:update:${i.changeKey}`;

async function current(client: Parameters<typeof readVendor>[0], vendorId: string): Promise<VendorRecord> {
  const vendor = await readVendor(client, vendorId);
  if (!vendor) throw new PermanentError(`Intacct has no vendor ${vendorId}`, { system: SYSTEM, code: "not_found" });
  return vendor;
}

export const updateVendor = node({
  type: "intacct.updateVendor",
  version: 1,
  title: "Update vendor",
  description: "Update a vendor's name, contact, address, tax ID or status, sending only the fields that differ. Once per change of the source; nothing is sent when it already matches.",
  category: "connector",
  config: z.object({}),
  input,
  output,
  effect: {
    kind: "write",
    key: keyOf,
    reconcile: async (ctx, i) => {
      const vendor = await readVendor(ctx.client, i.vendorId);
      return vendor && vendorChanges(vendor, i.fields).changed.length === 0 ? { vendorId: vendor.vendorId, changed: [], whenModified: vendor.whenModified } : undefined;
    },
    preview: async (ctx, i) => {
      const vendor = await current(ctx.client, i.vendorId);
      const { changed } = vendorChanges(vendor, i.fields);
      return {
        wouldPost: changed.length
          ? { function: "update", object: "VENDOR", vendorId: vendor.vendorId, changes: changed.map((f) => ({ field: f, from: vendor[f], to: i.fields[f] })) }
          : { function: null, vendorId: vendor.vendorId, reason: "already as wanted" },
        output: { vendorId: vendor.vendorId, changed, whenModified: vendor.whenModified },
      };
    },
  },
  async run(ctx, i) {
    const prior = await reconcileFirst(ctx, async () => {
      const vendor = await readVendor(ctx.client, i.vendorId);
      return vendor && vendorChanges(vendor, i.fields).changed.length === 0 ? { vendorId: vendor.vendorId, changed: [], whenModified: vendor.whenModified } : undefined;
    });
    if (prior) return prior;
    const vendor = await current(ctx.client, i.vendorId);
    const { body, changed } = vendorChanges(vendor, i.fields);
    if (changed.length === 0) {
      ctx.log.info(`Vendor ${vendor.vendorId} already matches: nothing to update`);
      return { vendorId: vendor.vendorId, changed: [], whenModified: vendor.whenModified };
    }
    ctx.log.info(`Updating vendor ${vendor.vendorId}`, { changes: changed.map((f) => ({ field: f, from: vendor[f], to: i.fields[f] })) });
    await ctx.client.legacyCreate("update", { VENDOR: body }, writeKey(ctx, keyOf(i)), async () => {
      const back = await readVendor(ctx.client, i.vendorId);
      return back && vendorChanges(back, i.fields).changed.length === 0 ? back : undefined;
    });
    const back = await current(ctx.client, i.vendorId);
    return { vendorId: back.vendorId, changed, whenModified: back.whenModified };
  },
});
