/**
 * B2B company master data as the sync nodes compare it: the fields a company shares with a vendor,
 * a digest over any subset of them (the fields a side owns), and the difference between a company
 * and the values wanted, as the `PUT /V1/company/{id}` body (the saved company with those fields).
 * https://developer.adobe.com/commerce/webapi/rest/b2b/company-object/
 */
import { changedFields, normalField, ownedDigest } from "../sdk";
import type { Company } from "./schemas";

export const COMPANY_FIELDS = ["name", "legalName", "email", "vatTaxId", "telephone", "street", "city", "region", "postcode", "countryId"] as const;
export type CompanyField = (typeof COMPANY_FIELDS)[number];

/** Normalised field -> Magento's company field. */
export const MAGENTO_FIELD: Record<CompanyField, string> = {
  name: "company_name",
  legalName: "legal_name",
  email: "company_email",
  vatTaxId: "vat_tax_id",
  telephone: "telephone",
  street: "street",
  city: "city",
  region: "region",
  postcode: "postcode",
  countryId: "country_id",
};

export type WantedCompany = Partial<Omit<Record<CompanyField, string>, "street">> & { street?: string[] };

const norm = normalField;

export function companyDigest(company: Company, fields: readonly CompanyField[]): string {
  return ownedDigest(company, fields);
}

/** The fields that differ, and Magento's company record with them applied. */
export function companyChanges(company: Company, wanted: WantedCompany): { changed: CompanyField[]; body: Record<string, unknown> } {
  const changed = changedFields(company, wanted, COMPANY_FIELDS);
  const body: Record<string, unknown> = { ...company.raw };
  for (const f of changed) body[MAGENTO_FIELD[f]] = norm(wanted[f]);
  return { changed, body };
}
