/**
 * Update a customer: generic `<update><CUSTOMER>` keyed by CUSTOMERID with only the fields that
 * differ from what Intacct holds (a field left out stays as it is). Nothing is sent when the
 * customer already matches, which is also what keeps a two-way sync from echoing.
 * https://developer.intacct.com/web-services/functions/#update
 *
 * Business key: `intacct:customer:<CUSTOMERID>:update:<changeKey>` (the source's version of the change).
 */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import { SYSTEM } from "../errors";
import { CUSTOMER_FIELDS, customerChanges, readCustomer, type CustomerField, type CustomerRecord } from "./customer-record";
import { node, reconcileFirst, writeKey } from "./factory";

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

async function current(client: Parameters<typeof readCustomer>[0], customerId: string): Promise<CustomerRecord> {
  const customer = await readCustomer(client, customerId);
  if (!customer) throw new PermanentError(`Intacct has no customer ${customerId}`, { system: SYSTEM, code: "not_found" });
  return customer;
}

const matched = async (client: Parameters<typeof readCustomer>[0], i: Input) => {
  const customer = await readCustomer(client, i.customerId);
  return customer && customerChanges(customer, i.fields).changed.length === 0 ? { customerId: customer.customerId, changed: [], whenModified: customer.whenModified } : undefined;
};

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
    reconcile: async (ctx, i) => matched(ctx.client, i),
    preview: async (ctx, i) => {
      const customer = await current(ctx.client, i.customerId);
      const { changed } = customerChanges(customer, i.fields);
      return {
        wouldPost: changed.length
          ? { function: "update", object: "CUSTOMER", customerId: customer.customerId, changes: changed.map((f) => ({ field: f, from: customer[f], to: i.fields[f] })) }
          : { function: null, customerId: customer.customerId, reason: "already as wanted" },
        output: { customerId: customer.customerId, changed, whenModified: customer.whenModified },
      };
    },
  },
  async run(ctx, i) {
    const prior = await reconcileFirst(ctx, () => matched(ctx.client, i));
    if (prior) return prior;
    const customer = await current(ctx.client, i.customerId);
    const { body, changed } = customerChanges(customer, i.fields);
    if (changed.length === 0) {
      ctx.log.info(`Customer ${customer.customerId} already matches: nothing to update`);
      return { customerId: customer.customerId, changed: [], whenModified: customer.whenModified };
    }
    ctx.log.info(`Updating customer ${customer.customerId}`, { changes: changed.map((f) => ({ field: f, from: customer[f], to: i.fields[f] })) });
    await ctx.client.legacyCreate("update", { CUSTOMER: body }, writeKey(ctx, keyOf(i)), async () => {
      const back = await readCustomer(ctx.client, i.customerId);
      return back && customerChanges(back, i.fields).changed.length === 0 ? back : undefined;
    });
    const back = await current(ctx.client, i.customerId);
    return { customerId: back.customerId, changed, whenModified: back.whenModified };
  },
});
