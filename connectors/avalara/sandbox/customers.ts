/**
 * The sandbox's customer and exemption-certificate records (AvaTax's exemption certificate
 * management, ECM), their REST v2 routes, and the certificate a transaction's customer holds.
 *
 * - Customers are keyed per company by `customerCode` (the code a transaction's `customerCode`
 *   names). `POST /companies/{companyId}/customers` takes an array; `PUT .../{customerCode}`
 *   replaces the record; `GET` reads one (or a page, `$top`/`$skip`), `$include=certificates`
 *   adds the certificates linked to it.
 * - Certificates (`POST /companies/{companyId}/certificates`, an array) carry the exemption
 *   number, the exemption reason (`exemptionReason.name`, e.g. RESALE) and the exposure zone
 *   (a US state by name), and are linked to customers by `customers[].customerCode`.
 * - A transaction whose customer holds a valid certificate for the destination state on the
 *   document date is exempt there ("AvaTax will search for this customerCode value and identify
 *   any certificates linked to this customer object").
 * - `GET /companies/{companyId}/taxcodes`: the company's own tax codes (besides the system ones).
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Certificates/
 *
 * ASSUMED: a second customer with a code already used answers 400 DuplicateEntry (the code is in
 * the SDK's ErrorCodeId list; no page shows it for customers).
 */
import { EXEMPTION_REASONS } from "../exemption-reasons";
import type { Principal } from "./auth";
import { requirePrincipal } from "./auth";
import { usStateNames } from "./gazetteer";
import type { Route } from "./routes";
import type { SandboxCompany } from "./seed";
import { AvaTaxFault } from "./wire";

export interface SandboxCustomer {
  id: number;
  companyId: number;
  customerCode: string;
  alternateId: string;
  name: string;
  attnName: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phoneNumber: string;
  faxNumber: string;
  emailAddress: string;
  contactName: string;
  taxpayerIdNumber: string;
  isBill: boolean;
  isShip: boolean;
  createdDate: string;
  modifiedDate: string;
}

export interface SandboxCertificate {
  id: number;
  companyId: number;
  signedDate: string;
  expirationDate: string;
  exemptionNumber: string;
  exemptPercentage: number;
  exemptionReason: { id: number; name: string };
  exposureZone: { id: number; name: string; region: string; country: string };
  valid: boolean;
  status: string;
  customerCodes: string[];
  createdDate: string;
  modifiedDate: string;
}

const TEXT_FIELDS = ["alternateId", "name", "attnName", "line1", "line2", "city", "region", "postalCode", "country", "phoneNumber", "faxNumber", "emailAddress", "contactName", "taxpayerIdNumber"] as const;
const LIMITS: Partial<Record<(typeof TEXT_FIELDS)[number] | "customerCode", number>> = { customerCode: 50, name: 50, line1: 50, line2: 100, city: 50, region: 3, postalCode: 10, country: 2, emailAddress: 50 };

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);

function companyById(principal: Principal, raw: string): SandboxCompany {
  const company = principal.account.companies.find((c) => String(c.id) === raw);
  if (!company) throw new AvaTaxFault(404, "EntityNotFoundError", "Company not found.", { refersTo: "CompanyId", description: `The Company with ID '${raw}' was not found.` });
  return company;
}

function customerOf(company: SandboxCompany, code: string): SandboxCustomer {
  const found = company.customers.find((c) => c.customerCode === code);
  if (!found) throw new AvaTaxFault(404, "EntityNotFoundError", "Customer not found.", { refersTo: "CustomerCode", description: `The Customer with code '${code}' was not found.` });
  return found;
}

function parseArray(text: string, what: string): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(text || "null");
  } catch {
    throw new AvaTaxFault(400, "JsonFormatError", "The request body is not valid JSON.", { target: "HttpRequest" });
  }
  if (!Array.isArray(value) || value.length === 0) throw new AvaTaxFault(400, "ModelRequiredException", `A list of ${what} is required for this API.`);
  return value.map((v) => (v && typeof v === "object" ? (v as Record<string, unknown>) : {}));
}

const str = (value: unknown) => (typeof value === "string" ? value : value === undefined || value === null ? "" : String(value));

/** The customer fields of a request body, checked (required fields and AvaTax's lengths). */
function customerFields(body: Record<string, unknown>, index: number): Pick<SandboxCustomer, (typeof TEXT_FIELDS)[number] | "customerCode" | "isBill" | "isShip"> {
  const out = { customerCode: str(body.customerCode).trim(), isBill: body.isBill !== false, isShip: body.isShip !== false } as Pick<SandboxCustomer, (typeof TEXT_FIELDS)[number] | "customerCode" | "isBill" | "isShip">;
  for (const f of TEXT_FIELDS) out[f] = str(body[f]).trim();
  for (const f of ["customerCode", "name", "line1", "country"] as const) {
    if (!out[f]) throw new AvaTaxFault(400, "ValueRequiredError", `Field '${f}' is required.`, { refersTo: `[${index}].${f}` });
  }
  if (!out.postalCode && !(out.city && out.region)) throw new AvaTaxFault(400, "ValueRequiredError", "Field 'postalCode' is required.", { refersTo: `[${index}].postalCode` });
  for (const [f, max] of Object.entries(LIMITS) as Array<[keyof typeof out, number]>) {
    if (String(out[f]).length > max) throw new AvaTaxFault(400, "StringLengthError", `Field '${f}' has an invalid length.`, { refersTo: `[${index}].${f}`, description: `Field '${f}' must be between 0 and ${max} characters.` });
  }
  out.country = out.country.toUpperCase();
  out.region = out.region.toUpperCase();
  return out;
}

export function shapeCertificate(c: SandboxCertificate) {
  const { customerCodes, ...rest } = c;
  return { ...rest, expirationDate: `${c.expirationDate}T00:00:00`, signedDate: `${c.signedDate}T00:00:00`, documentExists: true, isSingleCertificate: true, exposureZoneName: c.exposureZone.name, customers: customerCodes.map((customerCode) => ({ customerCode })) };
}

function shapeCustomer(company: SandboxCompany, c: SandboxCustomer, include: string | null) {
  const wanted = (include ?? "").toLowerCase().split(",").map((s) => s.trim());
  return {
    ...c,
    ...(wanted.includes("certificates") ? { certificates: company.certificates.filter((cert) => cert.customerCodes.includes(c.customerCode)).map(shapeCertificate) } : {}),
  };
}

/**
 * The certificate that exempts `customerCode` in `region` on `date` (YYYY-MM-DD): valid, linked to
 * the customer, its exposure zone that state, signed on or before the date and not expired.
 */
export function activeCertificate(company: SandboxCompany, customerCode: string, region: string, date: string): SandboxCertificate | undefined {
  const day = date.slice(0, 10);
  return company.certificates.find(
    (c) => c.valid && c.customerCodes.includes(customerCode) && c.exposureZone.region === region && c.signedDate <= day && (!c.expirationDate || day <= c.expirationDate),
  );
}

let nextCustomerId = 3_100_001;
let nextCertificateId = 40_001;

const page = <T>(items: T[], url: URL) => {
  const top = Math.min(Number(url.searchParams.get("$top") ?? 1000) || 1000, 1000);
  const skip = Math.max(Number(url.searchParams.get("$skip") ?? 0) || 0, 0);
  const value = items.slice(skip, skip + top);
  const next = skip + top < items.length ? { "@nextLink": `${url.pathname}?$top=${top}&$skip=${skip + top}` } : {};
  return { "@recordsetCount": items.length, value, ...next };
};

export const customerRoutes = (now: () => number): Route[] => [
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/QueryCustomers/
    method: "GET",
    pattern: /^\/api\/v2\/companies\/(\d+)\/customers$/,
    write: false,
    handle: ({ state, req, url }, [companyId]) => {
      const company = companyById(requirePrincipal(state, req), companyId);
      const include = url.searchParams.get("$include");
      return { status: 200, body: page(company.customers.map((c) => shapeCustomer(company, c, include)), url) };
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/GetCustomer/
    method: "GET",
    pattern: /^\/api\/v2\/companies\/(\d+)\/customers\/([^/]+)$/,
    write: false,
    handle: ({ state, req, url }, [companyId, code]) => {
      const company = companyById(requirePrincipal(state, req), companyId);
      return { status: 200, body: shapeCustomer(company, customerOf(company, decodeURIComponent(code)), url.searchParams.get("$include")) };
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/CreateCustomers/
    method: "POST",
    pattern: /^\/api\/v2\/companies\/(\d+)\/customers$/,
    write: true,
    handle: ({ state, req, body }, [companyId]) => {
      const company = companyById(requirePrincipal(state, req), companyId);
      const wanted = parseArray(body, "customers").map(customerFields);
      // Check all first: a refused request creates nothing.
      const codes = new Set<string>();
      for (const w of wanted) {
        if (codes.has(w.customerCode) || company.customers.some((c) => c.customerCode === w.customerCode)) {
          throw new AvaTaxFault(400, "DuplicateEntry", `A customer with code '${w.customerCode}' already exists.`, { refersTo: "CustomerCode" });
        }
        codes.add(w.customerCode);
      }
      const at = iso(now());
      const created = wanted.map((w) => ({ id: nextCustomerId++, companyId: company.id, ...w, createdDate: at, modifiedDate: at }));
      company.customers.push(...created);
      return { status: 201, body: created.map((c) => shapeCustomer(company, c, null)) };
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/UpdateCustomer/
    method: "PUT",
    pattern: /^\/api\/v2\/companies\/(\d+)\/customers\/([^/]+)$/,
    write: true,
    handle: ({ state, req, body }, [companyId, code]) => {
      const company = companyById(requirePrincipal(state, req), companyId);
      const existing = customerOf(company, decodeURIComponent(code));
      let parsed: unknown;
      try {
        parsed = JSON.parse(body || "null");
      } catch {
        throw new AvaTaxFault(400, "JsonFormatError", "The request body is not valid JSON.", { target: "HttpRequest" });
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new AvaTaxFault(400, "ModelRequiredException", "A model is required for this API.");
      const fields = customerFields({ customerCode: existing.customerCode, ...(parsed as Record<string, unknown>) }, 0);
      if (fields.customerCode !== existing.customerCode) {
        throw new AvaTaxFault(400, "InvalidParameterValue", "The customerCode in the body must match the URL.", { refersTo: "CustomerCode" });
      }
      Object.assign(existing, fields, { modifiedDate: iso(now()) });
      return { status: 200, body: shapeCustomer(company, existing, null) };
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Customers/ListCertificatesForCustomer/
    method: "GET",
    pattern: /^\/api\/v2\/companies\/(\d+)\/customers\/([^/]+)\/certificates$/,
    write: false,
    handle: ({ state, req, url }, [companyId, code]) => {
      const company = companyById(requirePrincipal(state, req), companyId);
      const customer = customerOf(company, decodeURIComponent(code));
      return { status: 200, body: page(company.certificates.filter((c) => c.customerCodes.includes(customer.customerCode)).map(shapeCertificate), url) };
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Certificates/CreateCertificates/
    method: "POST",
    pattern: /^\/api\/v2\/companies\/(\d+)\/certificates$/,
    write: true,
    handle: ({ state, req, body }, [companyId]) => {
      const company = companyById(requirePrincipal(state, req), companyId);
      const planned = parseArray(body, "certificates").map((c, index) => {
        const signedDate = str(c.signedDate).slice(0, 10);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(signedDate)) throw new AvaTaxFault(400, "ValueRequiredError", "Field 'signedDate' is required.", { refersTo: `[${index}].signedDate` });
        const reasonName = str((c.exemptionReason as { name?: unknown } | undefined)?.name).trim().toUpperCase();
        const reason = EXEMPTION_REASONS.find((r) => r.name === reasonName);
        if (!reason) throw new AvaTaxFault(400, "InvalidExemptionReason", `Exemption reason '${reasonName}' is not valid.`, { refersTo: `[${index}].exemptionReason` });
        const zoneName = str((c.exposureZone as { name?: unknown } | undefined)?.name).trim();
        const region = Object.entries(usStateNames).find(([, name]) => name.toLowerCase() === zoneName.toLowerCase())?.[0];
        if (!region) throw new AvaTaxFault(400, "InvalidExposureZone", `Exposure zone '${zoneName}' is not valid.`, { refersTo: `[${index}].exposureZone` });
        const customers = Array.isArray(c.customers) ? c.customers.map((x) => str((x as { customerCode?: unknown })?.customerCode)) : [];
        for (const code of customers) customerOf(company, code);
        return {
          signedDate,
          expirationDate: str(c.expirationDate).slice(0, 10) || "9999-12-31",
          exemptionNumber: str(c.exemptionNumber).trim(),
          exemptPercentage: typeof c.exemptPercentage === "number" ? c.exemptPercentage : 0,
          exemptionReason: { id: reason.id, name: reason.name },
          exposureZone: { id: 100 + Object.keys(usStateNames).indexOf(region), name: usStateNames[region]!, region, country: "US" },
          customerCodes: customers,
        };
      });
      const at = iso(now());
      const created = planned.map((p) => ({ id: nextCertificateId++, companyId: company.id, ...p, valid: true, status: "COMPLETE", createdDate: at, modifiedDate: at }));
      company.certificates.push(...created);
      return { status: 201, body: created.map(shapeCertificate) };
    },
  },
  {
    // https://developer.avalara.com/api-reference/avatax/rest/v2/methods/CompanyTaxCodes/QueryTaxCodes/ (company's own)
    method: "GET",
    pattern: /^\/api\/v2\/companies\/(\d+)\/taxcodes$/,
    write: false,
    handle: ({ state, req, url }, [companyId]) => {
      const company = companyById(requirePrincipal(state, req), companyId);
      const value = company.taxCodes.map((t, i) => ({
        id: 9_100_000 + i,
        companyId: company.id,
        taxCode: t.taxCode,
        taxCodeTypeId: t.taxCodeTypeId,
        description: t.description,
        parentTaxCode: t.parentTaxCode,
        isPhysical: t.taxCodeTypeId === "P",
        isActive: true,
        isSSTCertified: false,
      }));
      return { status: 200, body: page(value, url) };
    },
  },
];
