/**
 * An Avalara customer as the customer sync reads and writes it: the CustomerModel fields a
 * customer shares with an ERP customer (name, address, contact), and its exemption status from
 * the exemption certificates linked to it (valid, not expired: exempt, the exemption number, the
 * entity/use code of the certificate's exemption reason, the states it covers).
 *
 * Customers belong to a company by its numeric id (`/api/v2/companies/{companyId}/customers`),
 * so the company code is turned into that id first (QueryCompanies).
 * https://developer.avalara.com/api-reference/avatax/rest/v2/models/CustomerModel/
 * https://developer.avalara.com/api-reference/avatax/rest/v2/models/CertificateModel/
 */
import { z } from "zod";
import { PermanentError, changedFields, ownedDigest } from "../../sdk";
import type { AvalaraClient } from "../client";
import { entityUseCodeOf } from "../exemption-reasons";
import { wireFetchResult } from "../schemas";
import { SYSTEM, isNotFoundError } from "../transport";

/** The customer fields the sync keeps (CustomerModel names). */
export const CUSTOMER_FIELDS = ["name", "line1", "line2", "city", "region", "postalCode", "country", "emailAddress", "phoneNumber", "contactName"] as const;
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];
/** What the certificates decide. */
export const EXEMPTION_FIELDS = ["exempt", "exemptionNo", "entityUseCode", "exemptRegions"] as const;
export type ExemptionField = (typeof EXEMPTION_FIELDS)[number];

const wireCertificate = z.looseObject({
  id: z.number().optional(),
  exemptionNumber: z.string().nullish(),
  expirationDate: z.string().nullish(),
  signedDate: z.string().nullish(),
  valid: z.boolean().nullish(),
  status: z.string().nullish(),
  exemptionReason: z.looseObject({ name: z.string().nullish() }).nullish(),
  exposureZone: z.looseObject({ region: z.string().nullish(), name: z.string().nullish() }).nullish(),
});

const wireCustomer = z.looseObject({
  id: z.number().optional(),
  customerCode: z.string(),
  modifiedDate: z.string().nullish(),
  certificates: z.array(wireCertificate).nullish(),
  ...Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, z.string().nullish()])),
});
type WireCustomer = z.output<typeof wireCustomer>;

export const avalaraCustomer = z.object({
  customerCode: z.string(),
  id: z.number().nullable(),
  name: z.string(),
  line1: z.string(),
  line2: z.string(),
  city: z.string(),
  region: z.string(),
  postalCode: z.string(),
  country: z.string(),
  emailAddress: z.string(),
  phoneNumber: z.string(),
  contactName: z.string(),
  exempt: z.string().describe("\"true\" when a valid certificate exempts the customer in some state."),
  exemptionNo: z.string().describe("Exemption number of the first valid certificate."),
  entityUseCode: z.string().describe("Entity/use code of that certificate's exemption reason (G resale, E charitable...)."),
  exemptRegions: z.string().describe("States the valid certificates cover, comma separated."),
  modifiedDate: z.string(),
});
export type AvalaraCustomer = z.output<typeof avalaraCustomer>;

const text = (v: unknown) => (typeof v === "string" ? v : "");

export function customerOf(w: WireCustomer, today: string): AvalaraCustomer {
  const active = (w.certificates ?? []).filter(
    (c) => c.valid !== false && (!c.status || c.status.toUpperCase() === "COMPLETE") && (!c.expirationDate || c.expirationDate.slice(0, 10) >= today) && (!c.signedDate || c.signedDate.slice(0, 10) <= today),
  );
  const first = active[0];
  const base = Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, text(w[f]).trim()])) as Record<CustomerField, string>;
  return {
    ...base,
    customerCode: w.customerCode,
    id: w.id ?? null,
    exempt: active.length ? "true" : "false",
    exemptionNo: text(first?.exemptionNumber).trim(),
    entityUseCode: entityUseCodeOf(first?.exemptionReason?.name),
    exemptRegions: [...new Set(active.map((c) => text(c.exposureZone?.region).toUpperCase()).filter(Boolean))].sort().join(","),
    modifiedDate: text(w.modifiedDate),
  };
}

const today = (client: AvalaraClient) => new Date(client.env.now()).toISOString().slice(0, 10);
const parse = <S extends z.ZodType>(schema: S, value: unknown, label: string): z.output<S> => {
  const r = schema.safeParse(value);
  if (!r.success) throw new PermanentError(`Avalara ${label}: unexpected response shape: ${z.prettifyError(r.error)}`, { system: SYSTEM });
  return r.data;
};

/**
 * The numeric id of a company code (customers live under it).
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Companies/QueryCompanies/
 */
export async function companyIdOf(client: AvalaraClient, companyCode: string): Promise<number> {
  const body = await client.transport.call<unknown>({ method: "GET", path: "/api/v2/companies", query: { $top: "1000" }, label: "QueryCompanies" });
  const list = parse(wireFetchResult(z.looseObject({ id: z.number(), companyCode: z.string() })), body, "QueryCompanies").value;
  const found = list.find((c) => c.companyCode.toLowerCase() === companyCode.toLowerCase());
  if (!found) throw new PermanentError(`Avalara has no company ${companyCode} in this account`, { system: SYSTEM, code: "EntityNotFoundError" });
  return found.id;
}

const customerPath = (companyId: number, code?: string) => `/api/v2/companies/${companyId}/customers${code === undefined ? "" : `/${encodeURIComponent(code)}`}`;

/**
 * One customer with its certificates; undefined when Avalara has none with that code.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/GetCustomer/
 */
export async function getCustomer(client: AvalaraClient, companyId: number, customerCode: string): Promise<FetchedCustomer | undefined> {
  try {
    const body = await client.transport.call<unknown>({ method: "GET", path: customerPath(companyId, customerCode), query: { $include: "certificates" }, label: `GetCustomer ${customerCode}` });
    const wire = parse(wireCustomer, body, "GetCustomer");
    return { ...customerOf(wire, today(client)), raw: wire };
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw error;
  }
}

/**
 * Every customer of the company with its certificates, page by page ($top/$skip, 1,000 at most a page).
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/QueryCustomers/
 */
export async function listCustomers(client: AvalaraClient, companyId: number, pageSize = 1000, maxPages = 50): Promise<AvalaraCustomer[]> {
  const out: AvalaraCustomer[] = [];
  for (let page = 0; page < maxPages; page++) {
    const body = await client.transport.call<unknown>({
      method: "GET",
      path: customerPath(companyId),
      query: { $include: "certificates", $top: String(pageSize), $skip: String(page * pageSize) },
      label: "QueryCustomers",
    });
    const result = parse(wireFetchResult(wireCustomer), body, "QueryCustomers");
    out.push(...result.value.map((w) => customerOf(w, today(client))));
    if (result.value.length < pageSize || out.length >= (result["@recordsetCount"] ?? Number.POSITIVE_INFINITY)) break;
  }
  return out;
}

export type WantedCustomer = Partial<Record<CustomerField, string>>;
/** A customer read back with its CustomerModel as Avalara answered it (sent back on update). */
export type FetchedCustomer = AvalaraCustomer & { raw: Record<string, unknown> };

/** The CustomerModel sent on create/update: Avalara's record (without what it computes) with the wanted fields applied. */
function model(customerCode: string, current: FetchedCustomer | undefined, wanted: WantedCustomer) {
  const { certificates: _c, id: _i, modifiedDate: _m, createdDate: _cr, ...kept } = current?.raw ?? {};
  const fields = Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, (wanted[f] ?? current?.[f] ?? "").trim()]));
  return { ...kept, customerCode, ...fields, country: String(fields.country || "US").toUpperCase(), region: String(fields.region).toUpperCase() };
}

/** The wanted fields that differ from what Avalara holds (all given ones for a new customer). */
export const customerChanges = (current: AvalaraCustomer | undefined, wanted: WantedCustomer): CustomerField[] =>
  current ? changedFields(current, wanted, CUSTOMER_FIELDS) : CUSTOMER_FIELDS.filter((f) => wanted[f] !== undefined);

/**
 * Create one customer (CreateCustomers takes a list).
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/CreateCustomers/
 */
export async function createCustomer(client: AvalaraClient, companyId: number, customerCode: string, wanted: WantedCustomer): Promise<void> {
  await client.transport.call<unknown>({ method: "POST", path: customerPath(companyId), body: [model(customerCode, undefined, wanted)], label: `CreateCustomers ${customerCode}`, write: true });
}

/**
 * Replace a customer with its record and the wanted fields applied (UpdateCustomer replaces the
 * whole record, so the fields the sync does not own are sent as they are).
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/UpdateCustomer/
 */
export async function updateCustomer(client: AvalaraClient, companyId: number, current: FetchedCustomer, wanted: WantedCustomer): Promise<void> {
  await client.transport.call<unknown>({
    method: "PUT",
    path: customerPath(companyId, current.customerCode),
    body: model(current.customerCode, current, wanted),
    label: `UpdateCustomer ${current.customerCode}`,
    write: true,
  });
}

/** Digest of the given fields of a customer (the ones a side owns). */
export const customerDigest = (c: AvalaraCustomer, fields: readonly (CustomerField | ExemptionField)[]) => ownedDigest(c, fields);
