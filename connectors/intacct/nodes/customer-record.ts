/**
 * A customer as the customer sync nodes read and write it: CUSTOMER's name, display contact and
 * mailing address, and its tax exemption (the display contact's TAXABLE flag, RESALENO for the
 * exemption or resale number, and the entity/use code in a customer custom field), one flat
 * record. The SDK writes TAXABLE inside DISPLAYCONTACT (CustomerUpdate); a record read without it
 * there falls back to CUSTOMER.TAXABLE.
 * https://developer.intacct.com/api/accounts-receivable/customers/
 *
 * The entity/use code has no standard CUSTOMER field: it is kept in the custom field
 * AVATAX_ENTITY_USE_CODE (create it on CUSTOMER in Intacct; custom fields go in as plain elements).
 */
import { z } from "zod";
import { changedFields, ownedDigest } from "../../sdk";
import { quote, type IntacctClient } from "../client";
import { obj, text, type XmlObject } from "../xml";

export const ENTITY_USE_CODE_FIELD = "AVATAX_ENTITY_USE_CODE";

export const CUSTOMER_FIELDS = ["name", "email", "phone", "contactName", "line1", "line2", "city", "region", "postalCode", "country", "taxable", "resaleNo", "entityUseCode"] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

export const customerRecord = z.object({
  customerId: z.string(),
  recordNo: z.string(),
  name: z.string().describe("NAME"),
  email: z.string().describe("DISPLAYCONTACT.EMAIL1"),
  phone: z.string().describe("DISPLAYCONTACT.PHONE1"),
  contactName: z.string().describe("DISPLAYCONTACT.CONTACTNAME"),
  line1: z.string(),
  line2: z.string(),
  city: z.string(),
  region: z.string().describe("MAILADDRESS.STATE"),
  postalCode: z.string().describe("MAILADDRESS.ZIP"),
  country: z.string().describe("MAILADDRESS.COUNTRYCODE"),
  taxable: z.string().describe("\"true\" or \"false\" (DISPLAYCONTACT.TAXABLE)"),
  resaleNo: z.string().describe("RESALENO: the exemption certificate number"),
  entityUseCode: z.string().describe(`${ENTITY_USE_CODE_FIELD} (custom field)`),
  whenModified: z.string(),
});
export type CustomerRecord = z.output<typeof customerRecord>;

const QUERY_FIELDS = [
  "RECORDNO",
  "CUSTOMERID",
  "NAME",
  "TAXABLE",
  "RESALENO",
  ENTITY_USE_CODE_FIELD,
  "WHENMODIFIED",
  "DISPLAYCONTACT.CONTACTNAME",
  "DISPLAYCONTACT.EMAIL1",
  "DISPLAYCONTACT.PHONE1",
  "DISPLAYCONTACT.TAXABLE",
  "DISPLAYCONTACT.MAILADDRESS.ADDRESS1",
  "DISPLAYCONTACT.MAILADDRESS.ADDRESS2",
  "DISPLAYCONTACT.MAILADDRESS.CITY",
  "DISPLAYCONTACT.MAILADDRESS.STATE",
  "DISPLAYCONTACT.MAILADDRESS.ZIP",
  "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE",
];

const bool = (value: unknown) => (text(value).trim().toLowerCase() === "false" ? "false" : "true");

export function customerOf(row: Record<string, unknown>): CustomerRecord {
  const contact = obj(row.DISPLAYCONTACT);
  const mail = obj(contact.MAILADDRESS);
  return {
    customerId: text(row.CUSTOMERID),
    recordNo: text(row.RECORDNO),
    name: text(row.NAME),
    email: text(contact.EMAIL1),
    phone: text(contact.PHONE1),
    contactName: text(contact.CONTACTNAME),
    line1: text(mail.ADDRESS1),
    line2: text(mail.ADDRESS2),
    city: text(mail.CITY),
    region: text(mail.STATE),
    postalCode: text(mail.ZIP),
    country: text(mail.COUNTRYCODE) || "US",
    taxable: bool(text(contact.TAXABLE) ? contact.TAXABLE : row.TAXABLE),
    resaleNo: text(row.RESALENO),
    entityUseCode: text(row[ENTITY_USE_CODE_FIELD]),
    whenModified: text(row.WHENMODIFIED),
  };
}

/** Customers matching a readByQuery condition ("" for all), every page. */
export async function queryCustomers(client: IntacctClient, condition: string, pageSize = 500): Promise<CustomerRecord[]> {
  const rows = await client.readByQuery("CUSTOMER", condition, { fields: QUERY_FIELDS, pageSize });
  return rows.map(customerOf);
}

export async function readCustomer(client: IntacctClient, customerId: string): Promise<CustomerRecord | undefined> {
  const [customer] = await queryCustomers(client, `CUSTOMERID = ${quote(customerId)}`, 2);
  return customer;
}

export const customerDigest = (c: CustomerRecord, fields: readonly CustomerField[]) => ownedDigest(c, fields);

/** `<update><CUSTOMER>` children for the wanted fields that differ (undefined values are left alone). */
export function customerChanges(current: CustomerRecord, wanted: Partial<Record<CustomerField, string>>): { body: XmlObject; changed: CustomerField[] } {
  const changed = changedFields(current, wanted, CUSTOMER_FIELDS);
  const body: XmlObject = { CUSTOMERID: current.customerId };
  const contact: XmlObject = {};
  const mail: XmlObject = {};
  const set: Record<CustomerField, (v: string) => void> = {
    name: (v) => (body.NAME = v),
    resaleNo: (v) => (body.RESALENO = v),
    entityUseCode: (v) => (body[ENTITY_USE_CODE_FIELD] = v),
    taxable: (v) => (contact.TAXABLE = v === "false" ? "false" : "true"),
    email: (v) => (contact.EMAIL1 = v),
    phone: (v) => (contact.PHONE1 = v),
    contactName: (v) => (contact.CONTACTNAME = v),
    line1: (v) => (mail.ADDRESS1 = v),
    line2: (v) => (mail.ADDRESS2 = v),
    city: (v) => (mail.CITY = v),
    region: (v) => (mail.STATE = v),
    postalCode: (v) => (mail.ZIP = v),
    country: (v) => (mail.COUNTRYCODE = v),
  };
  for (const f of changed) set[f](wanted[f]!.trim());
  if (Object.keys(mail).length) contact.MAILADDRESS = mail;
  if (Object.keys(contact).length) body.DISPLAYCONTACT = contact;
  return { body, changed };
}
