/**
 * The sandbox's tax codes and their taxability per state, plus the simple VAT/GST table used for
 * destinations outside the USA. Deterministic, small, and shaped like AvaTax's definitions.
 */

export interface TaxCodeDefinition {
  taxCode: string;
  description: string;
  /** AvaTax tax code type: P (product), S (service), D (digital), F (freight), N (non-taxable). */
  taxCodeTypeId: string;
}

/**
 * How a tax code is taxed in one state:
 * - `exempt`: no tax at any level (nonTaxable);
 * - `taxablePortion`: share of the amount that is taxable (Texas taxes 80% of data processing);
 * - `stateRate`: a reduced state rate (Illinois groceries: 1%);
 * - `localRates`: whether local jurisdictions apply.
 */
export interface StateTaxability {
  exempt?: boolean;
  taxablePortion?: number;
  stateRate?: number;
  localRates?: boolean;
}

export const taxCodes: TaxCodeDefinition[] = [
  { taxCode: "P0000000", description: "Tangible personal property", taxCodeTypeId: "P" },
  { taxCode: "NT", description: "Non-taxable product or service", taxCodeTypeId: "N" },
  { taxCode: "SW052000", description: "Pre-written software, delivered electronically, business use", taxCodeTypeId: "D" },
  { taxCode: "SW054000", description: "Software as a service (SaaS), remote access, business use", taxCodeTypeId: "D" },
  { taxCode: "D0000000", description: "Digital goods", taxCodeTypeId: "D" },
  { taxCode: "FR020100", description: "Shipping only, common carrier, FOB destination", taxCodeTypeId: "F" },
  { taxCode: "PF050100", description: "Food and food ingredients (groceries)", taxCodeTypeId: "P" },
  { taxCode: "SC150100", description: "Consulting and professional services", taxCodeTypeId: "S" },
];

const EXEMPT: StateTaxability = { exempt: true };
const TAXABLE: StateTaxability = {};

/** Taxability by tax code, then by state. Missing state = taxable at full rates. */
export const taxability: Record<string, Record<string, StateTaxability>> = {
  P0000000: {},
  NT: { WA: EXEMPT, CA: EXEMPT, NY: EXEMPT, TX: EXEMPT, IL: EXEMPT, CO: EXEMPT },
  SW052000: { CA: EXEMPT },
  SW054000: { CA: EXEMPT, IL: EXEMPT, CO: EXEMPT, TX: { taxablePortion: 0.8 }, WA: TAXABLE, NY: TAXABLE },
  D0000000: { CA: EXEMPT, NY: EXEMPT, IL: EXEMPT },
  FR020100: { CA: EXEMPT, IL: EXEMPT, CO: EXEMPT },
  PF050100: { WA: EXEMPT, CA: EXEMPT, NY: EXEMPT, TX: EXEMPT, CO: EXEMPT, IL: { stateRate: 0.01 } },
  SC150100: { WA: EXEMPT, CA: EXEMPT, NY: EXEMPT, TX: EXEMPT, IL: EXEMPT, CO: EXEMPT },
};

/** Non-taxable everywhere, including VAT destinations. */
export const alwaysExempt = new Set(["NT"]);

export interface VatRate {
  country: string;
  name: string;
  rate: number;
  taxName: string;
}

/** Outside the USA: one country-level line at the standard rate; other countries get zero tax. */
export const vatRates: Record<string, VatRate> = {
  CA: { country: "CA", name: "CANADA", rate: 0.05, taxName: "CANADA GST" },
  GB: { country: "GB", name: "UNITED KINGDOM", rate: 0.2, taxName: "GB VAT STANDARD" },
  DE: { country: "DE", name: "GERMANY", rate: 0.19, taxName: "DE VAT STANDARD" },
  NL: { country: "NL", name: "NETHERLANDS", rate: 0.21, taxName: "NL VAT STANDARD" },
  BE: { country: "BE", name: "BELGIUM", rate: 0.21, taxName: "BE VAT STANDARD" },
  FR: { country: "FR", name: "FRANCE", rate: 0.2, taxName: "FR VAT STANDARD" },
  ES: { country: "ES", name: "SPAIN", rate: 0.21, taxName: "ES VAT STANDARD" },
};
