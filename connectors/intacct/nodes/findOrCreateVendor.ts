/**
 * Find a vendor by vendor ID or e-mail, and create it when there is none.
 * https://developer.intacct.com/api/accounts-payable/vendors/
 *
 * Matching: the vendor ID first (exact), then the display contact's e-mail (case-insensitive).
 * Two vendors with the same e-mail park the run for review instead of guessing.
 */
import { z } from "zod";
import { NeedsReviewError, PermanentError } from "../../sdk";
import type { IntacctClient } from "../client";
import { quote } from "../client";
import { SYSTEM } from "../errors";
import { vendorFrom, vendorOut, type VendorOut } from "../schemas";
import { node, writeKey } from "./factory";

const config = z.object({
  createIfMissing: z.boolean().default(true).describe("Create the vendor when no match is found (else the run parks for review)."),
  vendorType: z.string().optional().describe("Vendor type (VENDTYPE) for new vendors."),
  termName: z.string().optional().describe("Payment terms (TERMNAME) for new vendors, e.g. Net 30."),
});

const input = z.object({
  vendorId: z.string().min(1).max(20).optional().describe("Vendor ID to match or to give a new vendor (empty: Intacct numbers it)."),
  email: z.string().email().optional().describe("E-mail to match on the vendor's display contact (EMAIL1)."),
  name: z.string().min(1).max(100).describe("Vendor name for a new vendor."),
  phone: z.string().optional(),
  address: z
    .object({
      line1: z.string().optional(),
      line2: z.string().optional(),
      city: z.string().optional(),
      region: z.string().optional().describe("State / province code."),
      postalCode: z.string().optional(),
      country: z.string().optional().describe("Country name, e.g. United States."),
    })
    .optional(),
});
type Input = z.output<typeof input>;

const FIELDS = ["RECORDNO", "VENDORID", "NAME", "STATUS", "DISPLAYCONTACT.EMAIL1"];

function businessKey(i: Input): string {
  if (i.vendorId) return `intacct:vendor:${i.vendorId}`;
  if (i.email) return `intacct:vendor:email:${i.email.toLowerCase()}`;
  throw new PermanentError("Give a vendorId or an email to match the vendor", { system: SYSTEM });
}

export async function findVendor(client: IntacctClient, i: { vendorId?: string; email?: string }): Promise<VendorOut | undefined> {
  if (i.vendorId) {
    const rows = await client.readByQuery("VENDOR", `VENDORID = ${quote(i.vendorId)}`, { fields: FIELDS, pageSize: 10 });
    if (rows[0]) return vendorFrom(rows[0], false);
  }
  if (i.email) {
    const page = await client.query({
      object: "VENDOR",
      select: FIELDS,
      filter: { field: "DISPLAYCONTACT.EMAIL1", operator: "equalto", value: i.email },
      caseInsensitive: true,
      pageSize: 10,
    });
    if (page.records.length > 1) {
      throw new NeedsReviewError(`${page.records.length} Intacct vendors share the e-mail ${i.email}`, {
        system: SYSTEM,
        reasonCode: "ambiguous_match",
        details: { vendorIds: page.records.map((r) => vendorFrom(r, false).vendorId) },
      });
    }
    if (page.records[0]) return vendorFrom(page.records[0], false);
  }
  return undefined;
}

export const findOrCreateVendor = node({
  type: "intacct.findOrCreateVendor",
  version: 1,
  title: "Find or create vendor",
  description: "Match an Intacct vendor by vendor ID or e-mail; create it when missing.",
  category: "connector",
  config,
  input,
  output: vendorOut,
  effect: {
    kind: "write",
    key: (i) => businessKey(i),
    reconcile: async (ctx, i) => {
      const found = await findVendor(ctx.client, i);
      return found ? { ...found, created: true } : undefined;
    },
    // A dry run looks the vendor up for real and, when it is missing, shows it as to be created.
    preview: async (ctx, i, c) => {
      const found = await findVendor(ctx.client, i);
      if (found) return { wouldPost: { vendor: found, wouldCreate: false }, output: found };
      if (!c.createIfMissing) {
        throw new NeedsReviewError(`No Intacct vendor matches ${i.vendorId ?? i.email}`, { system: SYSTEM, reasonCode: "vendor_not_found", details: { vendorId: i.vendorId, email: i.email } });
      }
      const vendor = { recordNo: "", vendorId: i.vendorId ?? "(numbered by Intacct)", name: i.name, email: i.email ?? "", status: "active", created: true };
      return { wouldPost: { object: "VENDOR", wouldCreate: true, vendor: { ...vendor, vendorType: c.vendorType, termName: c.termName, address: i.address ?? null } }, output: vendor };
    },
  },
  async run(ctx, i, c) {
    const key = businessKey(i);
    const found = await findVendor(ctx.client, i);
    if (found) return found;
    if (!c.createIfMissing) {
      throw new NeedsReviewError(`No Intacct vendor matches ${i.vendorId ?? i.email}`, {
        system: SYSTEM,
        reasonCode: "vendor_not_found",
        details: { vendorId: i.vendorId, email: i.email },
      });
    }
    const a = i.address;
    const created = await ctx.client.create(
      "VENDOR",
      {
        VENDORID: i.vendorId,
        NAME: i.name,
        VENDTYPE: c.vendorType,
        TERMNAME: c.termName,
        STATUS: "active",
        DISPLAYCONTACT: {
          PRINTAS: i.name,
          COMPANYNAME: i.name,
          EMAIL1: i.email,
          PHONE1: i.phone,
          MAILADDRESS: a
            ? { ADDRESS1: a.line1, ADDRESS2: a.line2, CITY: a.city, STATE: a.region, ZIP: a.postalCode, COUNTRY: a.country }
            : undefined,
        },
      },
      writeKey(ctx, key),
      async () => {
        const again = await findVendor(ctx.client, i);
        return again ? { ...again, created: true } : undefined;
      },
    );
    return {
      recordNo: created.recordNo,
      vendorId: String(created.record.VENDORID ?? i.vendorId ?? ""),
      name: i.name,
      email: i.email ?? "",
      status: "active",
      created: true,
    };
  },
});
