/**
 * Avalara customers (exemption certificate management): read one, create or update one with only
 * the fields that differ, and a poll of customers whose exemption status changed.
 *
 * A transaction's `customerCode` names the customer record; AvaTax exempts the lines of a
 * customer holding a valid certificate for the destination state. The sync keeps the record's
 * name and address from the ERP, and carries the certificates' outcome (exempt, exemption number,
 * entity/use code) back to the ERP customer.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/
 *
 * Business key of a write: `avalara:<companyCode>:customer:<customerCode>:<changeKey>`.
 */
import { z } from "zod";
import { NeedsReviewError, PermanentError, type TriggerRecord } from "../../sdk";
import { SYSTEM } from "../transport";
import {
  CUSTOMER_FIELDS,
  EXEMPTION_FIELDS,
  avalaraCustomer,
  companyIdOf,
  createCustomer,
  customerChanges,
  customerDigest,
  getCustomer,
  listCustomers,
  updateCustomer,
  type CustomerField,
  type FetchedCustomer,
} from "./customer-record";
import { node } from "./shared";

const companyConfig = z.object({
  companyCode: z.string().min(1).max(50).default("DEFAULT").describe("AvaTax company code the customers belong to.").meta({ picker: "companies" }),
});

const strip = ({ raw: _raw, ...c }: FetchedCustomer) => c;

export const getCustomerNode = node({
  type: "avalara.getCustomer",
  version: 1,
  title: "Get customer (Avalara)",
  description: "Read an Avalara customer by its customer code, with its exemption status from the certificates linked to it.",
  category: "connector",
  icon: "user",
  config: companyConfig.extend({
    whenMissing: z.enum(["review", "empty"]).default("empty").describe("review: park the run; empty: continue with found = false."),
  }),
  input: z.object({ customerCode: z.string().min(1).max(50) }),
  output: z.object({ found: z.boolean(), customer: avalaraCustomer.optional() }),
  effect: { kind: "read" },
  async run(ctx, i, c) {
    const found = await getCustomer(ctx.client, await companyIdOf(ctx.client, c.companyCode), i.customerCode);
    if (found) return { found: true, customer: strip(found) };
    if (c.whenMissing === "review") {
      throw new NeedsReviewError(`Avalara company ${c.companyCode} has no customer ${i.customerCode}`, { system: SYSTEM, reasonCode: "missing_customer", details: { customerCode: i.customerCode } });
    }
    return { found: false };
  },
});

const fields = z.object(Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, z.string().max(100).optional()])) as Record<CustomerField, z.ZodOptional<z.ZodString>>);

const upsertInput = z.object({
  customerCode: z.string().min(1).max(50).describe("The customer code transactions use (the ERP's customer ID)."),
  changeKey: z.string().min(1).max(200).describe("The source's version of this change: one write per version."),
  fields: fields.describe("The values wanted; fields left out are not touched."),
});
type UpsertInput = z.output<typeof upsertInput>;

const upsertOutput = z.object({
  customerCode: z.string(),
  action: z.enum(["created", "updated", "unchanged"]),
  changed: z.array(z.enum(CUSTOMER_FIELDS)).describe("Fields this step wrote (empty: the customer already matched)."),
});

const upsertKey = (i: UpsertInput, c: z.output<typeof companyConfig>) => `avalara:${c.companyCode}:customer:${i.customerCode}:${i.changeKey}`;

export const upsertCustomer = node({
  type: "avalara.upsertCustomer",
  version: 1,
  title: "Create or update customer (Avalara)",
  description: "Create the Avalara customer, or update only the name, address and contact fields that differ. Once per change of the source; nothing is sent when it already matches.",
  category: "connector",
  icon: "user-plus",
  config: companyConfig,
  input: upsertInput,
  output: upsertOutput,
  effect: {
    kind: "write",
    key: upsertKey,
    // After a lost answer: the customer exists and matches means the write went through.
    reconcile: async (ctx, i, c) => {
      const found = await getCustomer(ctx.client, await companyIdOf(ctx.client, c.companyCode), i.customerCode);
      return found && customerChanges(found, i.fields).length === 0 ? { customerCode: i.customerCode, action: "unchanged" as const, changed: [] } : undefined;
    },
    preview: async (ctx, i, c) => {
      const found = await getCustomer(ctx.client, await companyIdOf(ctx.client, c.companyCode), i.customerCode);
      const changed = customerChanges(found, i.fields);
      const action: "created" | "updated" | "unchanged" = !found ? "created" : changed.length ? "updated" : "unchanged";
      return {
        wouldPost: !found
          ? { operation: "CreateCustomers", customerCode: i.customerCode, fields: Object.fromEntries(changed.map((f) => [f, i.fields[f]])) }
          : changed.length
            ? { operation: "UpdateCustomer", customerCode: i.customerCode, changes: changed.map((f) => ({ field: f, from: found[f], to: i.fields[f] })) }
            : { operation: null, customerCode: i.customerCode, reason: "already as wanted" },
        output: { customerCode: i.customerCode, action, changed },
      };
    },
  },
  async run(ctx, i, c) {
    const companyId = await companyIdOf(ctx.client, c.companyCode);
    const found = await getCustomer(ctx.client, companyId, i.customerCode);
    const changed = customerChanges(found, i.fields);
    if (!found) {
      ctx.log.info(`Creating Avalara customer ${i.customerCode}`, { fields: changed });
      await createCustomer(ctx.client, companyId, i.customerCode, i.fields);
      return { customerCode: i.customerCode, action: "created" as const, changed };
    }
    if (changed.length === 0) {
      ctx.log.info(`Avalara customer ${i.customerCode} already matches: nothing to update`);
      return { customerCode: i.customerCode, action: "unchanged" as const, changed };
    }
    ctx.log.info(`Updating Avalara customer ${i.customerCode}`, { changes: changed.map((f) => ({ field: f, from: found[f], to: i.fields[f] })) });
    await updateCustomer(ctx.client, companyId, found, i.fields);
    return { customerCode: i.customerCode, action: "updated" as const, changed };
  },
});

const pollConfig = companyConfig.extend({
  watchFields: z
    .array(z.enum([...EXEMPTION_FIELDS, ...CUSTOMER_FIELDS]))
    .min(1)
    .default([...EXEMPTION_FIELDS])
    .describe("Fields whose change starts a run (the fields Avalara owns in the sync: the exemption status)."),
  maxPages: z.number().int().min(1).max(200).default(50).describe("Pages of 1,000 customers read per poll."),
});
type PollConfig = z.output<typeof pollConfig>;

const checkpointSchema = z.object({ v: z.literal(1), settings: z.string(), digests: z.record(z.string(), z.string()) });
type Checkpoint = z.infer<typeof checkpointSchema>;
const settingsOf = (c: PollConfig) => JSON.stringify([c.companyCode.toLowerCase(), [...c.watchFields].sort()]);

/**
 * Trigger (poll): customers whose watched fields changed. AvaTax has no change feed for the
 * certificates linked to a customer, so each poll reads the customers with their certificates
 * (every page) and compares a digest of the watched fields with the one it last saw. A change to
 * other fields (the name and address another flow writes) starts nothing, so a two-way sync
 * cannot loop; nor does a new customer without an exemption. The first poll only records where
 * every customer stands.
 */
export const customersChanged = node({
  type: "avalara.customersChanged",
  version: 1,
  title: "Customer exemptions changed (Avalara)",
  description: "Polls Avalara customers and starts one run per customer whose exemption status (certificates: exempt, exemption number, entity/use code, states) changed. Other changes start nothing.",
  category: "trigger",
  icon: "refresh-cw",
  config: pollConfig,
  input: z.object({ customerCode: z.string().min(1).max(50) }),
  output: avalaraCustomer.extend({ version: z.string().describe("Digest of the watched fields: one update per version downstream.") }),
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    async poll(ctx, c, raw) {
      const parsed = checkpointSchema.safeParse(raw);
      const settings = settingsOf(c);
      const customers = await listCustomers(ctx.client, await companyIdOf(ctx.client, c.companyCode), 1000, c.maxPages);
      const now = customers.map((cu) => ({ cu, digest: customerDigest(cu, c.watchFields) }));
      if (!parsed.success || parsed.data.settings !== settings) {
        return { records: [], checkpoint: { v: 1, settings, digests: Object.fromEntries(now.map(({ cu, digest }) => [cu.customerCode, digest])) } satisfies Checkpoint, hasMore: false };
      }
      const digests = { ...parsed.data.digests };
      const records: TriggerRecord[] = [];
      for (const { cu, digest } of now) {
        if (digests[cu.customerCode] === digest) continue;
        const firstSeen = digests[cu.customerCode] === undefined;
        digests[cu.customerCode] = digest;
        // A customer first seen without an exemption (one the other flow just created) has nothing to carry.
        if (firstSeen && cu.exempt !== "true") continue;
        records.push({ key: `avalara:${c.companyCode}:customer:${cu.customerCode}`, version: digest, label: `Customer ${cu.customerCode} (${cu.name})`, data: { customerCode: cu.customerCode } });
      }
      return { records, checkpoint: { v: 1, settings, digests } satisfies Checkpoint, hasMore: false };
    },
  },
  async run(ctx, i, c) {
    const found = await getCustomer(ctx.client, await companyIdOf(ctx.client, c.companyCode), i.customerCode);
    if (!found) throw new PermanentError(`Avalara company ${c.companyCode} has no customer ${i.customerCode}`, { system: SYSTEM, code: "EntityNotFoundError" });
    return { ...strip(found), version: customerDigest(found, c.watchFields) };
  },
});
