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
import { text, type XmlObject } from "../xml";
import { CONTACT_ELEMENTS, queryFieldsOf, readElements, updateBody, type FieldElement } from "./master-record";

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

/** Where each field lives on CUSTOMER (the exemption flag: the display contact's, see above). */
const ELEMENTS = {
  name: ["record", "NAME"],
  contactName: ["contact", "CONTACTNAME"],
  taxable: ["contact", "TAXABLE"],
  resaleNo: ["record", "RESALENO"],
  entityUseCode: ["record", ENTITY_USE_CODE_FIELD],
  ...CONTACT_ELEMENTS,
} as const satisfies Record<CustomerField, FieldElement>;

const QUERY_FIELDS = ["RECORDNO", "CUSTOMERID", "TAXABLE", "WHENMODIFIED", ...queryFieldsOf(ELEMENTS)];

const bool = (value: unknown) => (text(value).trim().toLowerCase() === "false" ? "false" : "true");

export function customerOf(row: Record<string, unknown>): CustomerRecord {
  const fields = readElements(row, ELEMENTS);
  return {
    customerId: text(row.CUSTOMERID),
    recordNo: text(row.RECORDNO),
    ...fields,
    country: fields.country || "US",
    taxable: bool(fields.taxable || row.TAXABLE),
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
  const written = (field: CustomerField, value: string) => (field === "taxable" ? (value === "false" ? "false" : "true") : value);
  return { body: updateBody({ CUSTOMERID: current.customerId }, changed, wanted, ELEMENTS, written), changed };
}
