/**
 * Avalara's exemption reasons (the `exemptionReason.name` of an exemption certificate) and the
 * entity/use code each one translates to. A connector and its sandbox both read this table; it
 * has no imports.
 * https://help.avalara.com/000_Avalara_AvaTax/Exempt_Customers_from_Sales_Tax/Exemption_Reason_Matrices_for_US_and_Canada
 */
export const EXEMPTION_REASONS: ReadonlyArray<{ id: number; name: string; entityUseCode: string }> = [
  { id: 1, name: "FEDERAL GOV", entityUseCode: "A" },
  { id: 2, name: "STATE GOV", entityUseCode: "B" },
  { id: 3, name: "TRIBAL GOVERNMENT", entityUseCode: "C" },
  { id: 4, name: "FOREIGN DIPLOMAT", entityUseCode: "D" },
  { id: 5, name: "CHARITABLE/EXEMPT ORG", entityUseCode: "E" },
  { id: 6, name: "RELIGIOUS ORGANIZATION", entityUseCode: "F" },
  { id: 7, name: "RESALE", entityUseCode: "G" },
  { id: 8, name: "AGRICULTURE", entityUseCode: "H" },
  { id: 9, name: "INDUSTRIAL PROD/MANUFACTURERS", entityUseCode: "I" },
  { id: 10, name: "DIRECT PAY", entityUseCode: "J" },
  { id: 11, name: "DIRECT MAIL", entityUseCode: "K" },
  { id: 12, name: "OTHER/CUSTOM", entityUseCode: "L" },
  { id: 13, name: "EDUCATIONAL ORG", entityUseCode: "M" },
  { id: 14, name: "LOCAL GOVERNMENT", entityUseCode: "N" },
];

/** The entity/use code of an exemption reason name ("" when Avalara's list has no such reason). */
export function entityUseCodeOf(reason: string | undefined | null): string {
  const name = (reason ?? "").trim().toUpperCase();
  return EXEMPTION_REASONS.find((r) => r.name === name)?.entityUseCode ?? "";
}
