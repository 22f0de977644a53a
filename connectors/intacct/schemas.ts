/**
 * Zod schemas of Intacct records as nodes take and return them, and the small conversions the
 * gateway needs (dates as mm/dd/yyyy or {year,month,day}, amounts as plain decimals).
 */
import { z } from "zod";
import { PermanentError } from "../sdk";
import { SYSTEM } from "./errors";
import { text } from "./xml";

/** ISO calendar date as node inputs carry it. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD")
  .describe("Date as YYYY-MM-DD.");

/** An amount as a number or a plain decimal string ("1250.00", no thousands separators). */
export const amount = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, "use a plain decimal such as 1250.00")])
  .describe("Amount as a number or a plain decimal string (no thousands separators).");

export function toCents(value: number | string): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) throw new PermanentError(`Invalid amount ${JSON.stringify(value)}`, { system: SYSTEM });
  return Math.round(n * 100);
}

/** Amount written with two decimals (Intacct rounds currency to 2 places). */
export function money(value: number | string): string {
  return (toCents(value) / 100).toFixed(2);
}

export function checkIsoDate(value: string, label: string): { y: string; m: string; d: string } {
  const [y, m, d] = value.split("-");
  const t = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const check = new Date(t);
  if (Number.isNaN(t) || check.getUTCMonth() !== Number(m) - 1 || check.getUTCDate() !== Number(d)) {
    throw new PermanentError(`${label} ${value} is not a valid date`, { system: SYSTEM });
  }
  return { y, m, d };
}

/** YYYY-MM-DD to mm/dd/yyyy (generic functions). */
export function usDate(value: string, label = "date"): string {
  const { y, m, d } = checkIsoDate(value, label);
  return `${m}/${d}/${y}`;
}

/** YYYY-MM-DD to {year, month, day} (legacy functions). */
export function legacyDate(value: string, label = "date"): { year: string; month: string; day: string } {
  const { y, m, d } = checkIsoDate(value, label);
  return { year: y, month: m, day: d };
}

/** mm/dd/yyyy[ hh:mm:ss] to YYYY-MM-DD (or "" when empty/unknown). */
export function isoFromUs(value: unknown): string {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(text(value));
  return m ? `${m[3]}-${m[1]}-${m[2]}` : "";
}

/** Dimension values of a line, by their common names (mapped per object to Intacct's field names). */
export const dimensions = z.object({
  locationId: z.string().min(1).optional().describe("Location ID (LOCATIONID), e.g. US-CA."),
  departmentId: z.string().min(1).optional().describe("Department ID, e.g. SALES."),
  projectId: z.string().min(1).optional().describe("Project ID."),
  classId: z.string().min(1).optional().describe("Class ID."),
  customerId: z.string().min(1).optional().describe("Customer ID."),
  vendorId: z.string().min(1).optional().describe("Vendor ID."),
  itemId: z.string().min(1).optional().describe("Item ID."),
  employeeId: z.string().min(1).optional().describe("Employee ID."),
  customDimensions: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, "use the dimension's integration name, e.g. CHANNEL"), z.string().min(1))
    .optional()
    .describe("User-defined dimensions: value ID per dimension (its integration name as listDimensions gives it), e.g. {CHANNEL: \"WEB\"}."),
});
export type Dimensions = z.output<typeof dimensions>;

/**
 * A line's user-defined dimensions as the gateway field GLDIM<NAME> (GLENTRY, APBILLITEM).
 * https://developer.intacct.com/api/platform-services/dimensions/ (UDDs are platform objects)
 */
export function userDimensionFields(custom: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(custom ?? {}).map(([name, value]) => [`GLDIM${name.toUpperCase()}`, value]));
}

/** The same for legacy functions' lines (create_apadjustment...): `customfields/customfield`, as the SDKs write them. */
export function userDimensionCustomFields(custom: Record<string, string> | undefined): { customfield: Array<{ customfieldname: string; customfieldvalue: string }> } | undefined {
  const entries = Object.entries(userDimensionFields(custom));
  return entries.length ? { customfield: entries.map(([customfieldname, customfieldvalue]) => ({ customfieldname, customfieldvalue })) } : undefined;
}

/** The entity a write targets in a multi-entity company, overriding the connection's. */
export const entityId = z
  .string()
  .min(1)
  .max(40)
  .optional()
  .describe("Entity (its location ID, e.g. UK) to write this record in; overrides the connection's entity. Map it from the record with a lookup.");

/** A free-form Intacct record (fields as the gateway returned them, nested objects kept). */
export const record = z.record(z.string(), z.unknown()).describe("Intacct record, field names as in Intacct (RECORDNO, WHENMODIFIED...).");

export const address = z.object({
  line1: z.string(),
  line2: z.string(),
  city: z.string(),
  region: z.string().describe("State or province code, e.g. CA."),
  postalCode: z.string(),
  country: z.string().describe("Country code when known (US), else the country name."),
});

export function addressOf(contact: unknown): z.output<typeof address> | undefined {
  if (!contact || typeof contact !== "object") return undefined;
  const mail = (contact as Record<string, unknown>).MAILADDRESS;
  if (!mail || typeof mail !== "object") return undefined;
  const m = mail as Record<string, unknown>;
  return {
    line1: text(m.ADDRESS1),
    line2: text(m.ADDRESS2),
    city: text(m.CITY),
    region: text(m.STATE),
    postalCode: text(m.ZIP),
    country: text(m.COUNTRYCODE) || text(m.COUNTRY),
  };
}

export const vendorOut = z.object({
  recordNo: z.string(),
  vendorId: z.string(),
  name: z.string(),
  email: z.string(),
  status: z.string(),
  created: z.boolean().describe("True when this run created the vendor."),
});
export type VendorOut = z.output<typeof vendorOut>;

export function vendorFrom(rec: Record<string, unknown>, created: boolean): VendorOut {
  const contact = (rec.DISPLAYCONTACT ?? {}) as Record<string, unknown>;
  return {
    recordNo: text(rec.RECORDNO),
    vendorId: text(rec.VENDORID),
    name: text(rec.NAME),
    email: text(contact.EMAIL1) || text(rec["DISPLAYCONTACT.EMAIL1"]),
    status: text(rec.STATUS),
    created,
  };
}
