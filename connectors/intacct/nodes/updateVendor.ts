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
import { node } from "./factory";
import { masterUpdate, type MasterUpdateResult } from "./master-record";
import { readVendor, vendorChanges, VENDOR_FIELDS, type VendorField } from "./vendor-record";

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

const update = masterUpdate({ object: "VENDOR", noun: "vendor", idKey: "vendorId", read: readVendor, changes: vendorChanges });
const out = (r: MasterUpdateResult<VendorField>) => ({ vendorId: r.id, changed: r.changed, whenModified: r.whenModified });

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
      const matched = await update.reconcile(ctx.client, i.vendorId, i.fields);
      return matched && out(matched);
    },
    preview: async (ctx, i) => {
      const { wouldPost, result } = await update.preview(ctx.client, i.vendorId, i.fields);
      return { wouldPost, output: out(result) };
    },
  },
  run: async (ctx, i) => out(await update.run(ctx, i.vendorId, i.fields, keyOf(i))),
});
