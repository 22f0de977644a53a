/**
 * Update a customer: generic `<update><CUSTOMER>` keyed by CUSTOMERID with only the fields that
 * differ from what Intacct holds (a field left out stays as it is). Nothing is sent when the
 * customer already matches, which is also what keeps a two-way sync from echoing.
 * https://developer.intacct.com/web-services/functions/#update
 *
 * Business key: `intacct:customer:<CUSTOMERID>:update:<changeKey>` (the source's version of the change).
 */
import { z } from "zod";
import { CUSTOMER_FIELDS, customerChanges, readCustomer, type CustomerField } from "./customer-record";
import { node } from "./factory";
import { masterUpdate, type MasterUpdateResult } from "./master-record";

const fields = z.object(Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, z.string().max(200).optional()])) as Record<CustomerField, z.ZodOptional<z.ZodString>>);

const input = z.object({
  customerId: z.string().min(1).describe("CUSTOMERID of the customer to update."),
  changeKey: z.string().min(1).max(200).describe("The source's version of this change: one update per version."),
  fields: fields.describe("The values wanted (taxable: \"true\" or \"false\"); fields left out are not touched."),
});
type Input = z.output<typeof input>;

const output = z.object({
  customerId: z.string(),
  changed: z.array(z.enum(CUSTOMER_FIELDS)).describe("Fields this step changed (empty: the customer already matched)."),
  whenModified: z.string(),
});

const keyOf = (i: Input) => `intacct:customer:${i.customerId}:update:${i.changeKey}`;

const update = masterUpdate({ object: "CUSTOMER", noun: "customer", idKey: "customerId", read: readCustomer, changes: customerChanges });
const out = (r: MasterUpdateResult<CustomerField>) => ({ customerId: r.id, changed: r.changed, whenModified: r.whenModified });

export const updateCustomer = node({
  type: "intacct.updateCustomer",
  version: 1,
  title: "Update customer",
  description: "Update a customer's name, contact, address or tax exemption (taxable, resale number, entity/use code), sending only the fields that differ. Once per change of the source.",
  category: "connector",
  config: z.object({}),
  input,
  output,
  effect: {
    kind: "write",
    key: keyOf,
    reconcile: async (ctx, i) => {
      const matched = await update.reconcile(ctx.client, i.customerId, i.fields);
      return matched && out(matched);
    },
    preview: async (ctx, i) => {
      const { wouldPost, result } = await update.preview(ctx.client, i.customerId, i.fields);
      return { wouldPost, output: out(result) };
    },
  },
  run: async (ctx, i) => out(await update.run(ctx, i.customerId, i.fields, keyOf(i))),
});
