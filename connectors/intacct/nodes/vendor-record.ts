/**
 * A vendor as the master-data sync nodes read and write it: the fields of VENDOR and its display
 * contact that a B2B company also has, one flat record, and a digest of any subset of them (the
 * fields a side owns), which is how the vendor poll tells a change that matters from one that does
 * not. https://developer.intacct.com/api/accounts-payable/vendors/
 */
import { z } from "zod";
import { changedFields, ownedDigest } from "../../sdk";
import { quote, type IntacctClient } from "../client";
import { text, type XmlObject } from "../xml";
import { CONTACT_ELEMENTS, queryFieldsOf, readElements, updateBody, type FieldElement } from "./master-record";

export const VENDOR_FIELDS = ["name", "legalName", "email", "phone", "taxId", "status", "line1", "line2", "city", "region", "postalCode", "country"] as const;
export type VendorField = (typeof VENDOR_FIELDS)[number];

export const vendorRecord = z.object({
  vendorId: z.string(),
  recordNo: z.string(),
  name: z.string().describe("NAME"),
  legalName: z.string().describe("DISPLAYCONTACT.COMPANYNAME"),
  email: z.string().describe("DISPLAYCONTACT.EMAIL1"),
  phone: z.string().describe("DISPLAYCONTACT.PHONE1"),
  taxId: z.string().describe("TAXID"),
  status: z.string().describe("active or inactive"),
  line1: z.string(),
  line2: z.string(),
  city: z.string(),
  region: z.string().describe("MAILADDRESS.STATE"),
  postalCode: z.string().describe("MAILADDRESS.ZIP"),
  country: z.string().describe("MAILADDRESS.COUNTRYCODE (ISO 3166-1 alpha-2)"),
  whenModified: z.string(),
});
export type VendorRecord = z.output<typeof vendorRecord>;

/** Where each field lives on VENDOR. */
const ELEMENTS = {
  name: ["record", "NAME"],
  legalName: ["contact", "COMPANYNAME"],
  taxId: ["record", "TAXID"],
  status: ["record", "STATUS"],
  ...CONTACT_ELEMENTS,
} as const satisfies Record<VendorField, FieldElement>;

const QUERY_FIELDS = ["RECORDNO", "VENDORID", "WHENMODIFIED", ...queryFieldsOf(ELEMENTS)];

export function vendorOf(row: Record<string, unknown>): VendorRecord {
  return { vendorId: text(row.VENDORID), recordNo: text(row.RECORDNO), ...readElements(row, ELEMENTS), whenModified: text(row.WHENMODIFIED) };
}

/** Vendors matching a readByQuery condition ("" for all), every page. */
export async function queryVendors(client: IntacctClient, condition: string, pageSize = 500): Promise<VendorRecord[]> {
  const rows = await client.readByQuery("VENDOR", condition, { fields: QUERY_FIELDS, pageSize });
  return rows.map(vendorOf);
}

export async function readVendor(client: IntacctClient, vendorId: string): Promise<VendorRecord | undefined> {
  const [vendor] = await queryVendors(client, `VENDORID = ${quote(vendorId)}`, 2);
  return vendor;
}

/** A short digest of the given fields (the ones a side of the sync owns). */
export function fieldsDigest(vendor: VendorRecord, fields: readonly VendorField[]): string {
  return ownedDigest(vendor, fields);
}

/** `<update><VENDOR>` children for the wanted fields that differ (undefined values are left alone). */
export function vendorChanges(current: VendorRecord, wanted: Partial<Record<VendorField, string>>): { body: XmlObject; changed: VendorField[] } {
  const changed = changedFields(current, wanted, VENDOR_FIELDS);
  return { body: updateBody({ VENDORID: current.vendorId }, changed, wanted, ELEMENTS), changed };
}
