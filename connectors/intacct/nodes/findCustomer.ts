/**
 * Find a customer by customer ID, e-mail or exact name, with its address for tax calculation.
 * https://developer.intacct.com/api/accounts-receivable/customers/
 */
import { z } from "zod";
import { NeedsReviewError, PermanentError } from "../../sdk";
import type { QueryFilter } from "../client";
import { SYSTEM } from "../errors";
import { address, addressOf } from "../schemas";
import { obj, text } from "../xml";
import { node } from "./factory";

const config = z.object({
  whenMissing: z
    .enum(["review", "empty"])
    .default("review")
    .describe("review: park the run for a person; empty: continue with found = false."),
});

const input = z.object({
  customerId: z.string().min(1).optional().describe("Customer ID (CUSTOMERID)."),
  email: z.string().email().optional().describe("E-mail on the customer's display contact."),
  name: z.string().min(1).optional().describe("Exact customer name."),
});

const customer = z.object({
  recordNo: z.string(),
  customerId: z.string(),
  name: z.string(),
  email: z.string(),
  status: z.string(),
  taxable: z.boolean(),
  address: address.optional().describe("Display contact's mailing address."),
});

const output = z.object({ found: z.boolean(), customer: customer.optional() });

const FIELDS = [
  "RECORDNO",
  "CUSTOMERID",
  "NAME",
  "STATUS",
  "TAXABLE",
  "DISPLAYCONTACT.EMAIL1",
  "DISPLAYCONTACT.MAILADDRESS.ADDRESS1",
  "DISPLAYCONTACT.MAILADDRESS.ADDRESS2",
  "DISPLAYCONTACT.MAILADDRESS.CITY",
  "DISPLAYCONTACT.MAILADDRESS.STATE",
  "DISPLAYCONTACT.MAILADDRESS.ZIP",
  "DISPLAYCONTACT.MAILADDRESS.COUNTRY",
  "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE",
];

export const findCustomer = node({
  type: "intacct.findCustomer",
  version: 1,
  title: "Find customer",
  description: "Find an Intacct customer by ID, e-mail or name, with its mailing address.",
  category: "connector",
  config,
  input,
  output,
  effect: { kind: "read" },
  async run(ctx, i, c) {
    let filter: QueryFilter;
    if (i.customerId) filter = { field: "CUSTOMERID", operator: "equalto", value: i.customerId };
    else if (i.email) filter = { field: "DISPLAYCONTACT.EMAIL1", operator: "equalto", value: i.email };
    else if (i.name) filter = { field: "NAME", operator: "equalto", value: i.name };
    else throw new PermanentError("Give a customerId, email or name to find the customer", { system: SYSTEM });
    const page = await ctx.client.query({ object: "CUSTOMER", select: FIELDS, filter, caseInsensitive: !i.customerId, pageSize: 10 });
    if (page.records.length > 1) {
      throw new NeedsReviewError(`${page.records.length} Intacct customers match ${i.email ?? i.name}`, {
        system: SYSTEM,
        reasonCode: "ambiguous_match",
        details: { customerIds: page.records.map((r) => text(r.CUSTOMERID)) },
      });
    }
    const r = page.records[0];
    if (!r) {
      if (c.whenMissing === "empty") return { found: false };
      throw new NeedsReviewError(`No Intacct customer matches ${i.customerId ?? i.email ?? i.name}`, {
        system: SYSTEM,
        reasonCode: "customer_not_found",
        details: { ...i },
      });
    }
    const contact = obj(r.DISPLAYCONTACT);
    return {
      found: true,
      customer: {
        recordNo: text(r.RECORDNO),
        customerId: text(r.CUSTOMERID),
        name: text(r.NAME),
        email: text(contact.EMAIL1),
        status: text(r.STATUS),
        taxable: text(r.TAXABLE) !== "false",
        address: addressOf(contact),
      },
    };
  },
});
