/**
 * Turn AvaTax's TransactionModel into the normalised shape downstream nodes read: totals, tax
 * per jurisdiction (from `summary`, or aggregated from `lines[].details` when the summary was not
 * returned), and lines with their jurisdiction details.
 */
import type { JurisdictionTax, TransactionOutput, WireTransaction } from "./schemas";

const TYPE_NAME: Record<string, string> = { STA: "State", CTY: "County", CIT: "City", STJ: "Special", CNT: "Country" };
const TYPE_ID: Record<string, string> = Object.fromEntries(Object.entries(TYPE_NAME).map(([id, name]) => [name, id]));

/** Accept either vocabulary (details use STA/CTY…, the summary uses State/County…). */
function jurisTypes(value: string): { jurisType: string; jurisTypeId: string } {
  if (TYPE_NAME[value]) return { jurisType: TYPE_NAME[value], jurisTypeId: value };
  if (TYPE_ID[value]) return { jurisType: value, jurisTypeId: TYPE_ID[value] };
  return { jurisType: value, jurisTypeId: value };
}

const cents = (value: number) => Math.round(value * 100) / 100;
const key = (country: string, region: string, typeId: string, code: string) => `${country}:${region}:${typeId}:${code}`;

export function normaliseTransaction(tx: WireTransaction, companyCode: string): TransactionOutput {
  const lines = (tx.lines ?? []).map((line) => ({
    lineNumber: line.lineNumber,
    itemCode: line.itemCode,
    description: line.description,
    taxCode: line.taxCode,
    quantity: line.quantity,
    amount: line.lineAmount,
    discount: line.discountAmount,
    taxable: line.taxableAmount,
    exempt: line.exemptAmount,
    tax: line.tax,
    details: (line.details ?? []).map((d) => {
      const types = jurisTypes(d.jurisType || d.jurisdictionType);
      return {
        key: key(d.country, d.region, types.jurisTypeId, d.jurisCode),
        country: d.country,
        region: d.region,
        ...types,
        jurisName: d.jurisName,
        jurisCode: d.jurisCode,
        taxName: d.taxName,
        taxType: d.taxType,
        rate: d.rate,
        tax: d.tax,
        taxCalculated: d.taxCalculated ?? d.tax,
        taxable: d.taxableAmount,
        nonTaxable: d.nonTaxableAmount,
        exempt: d.exemptAmount,
      };
    }),
  }));

  let jurisdictions: JurisdictionTax[];
  if (tx.summary && tx.summary.length > 0) {
    jurisdictions = tx.summary.map((row) => {
      const types = jurisTypes(row.jurisType);
      return {
        key: key(row.country, row.region, types.jurisTypeId, row.jurisCode),
        country: row.country,
        region: row.region,
        ...types,
        jurisName: row.jurisName,
        jurisCode: row.jurisCode,
        taxName: row.taxName,
        taxType: row.taxType,
        rate: row.rate,
        tax: row.tax,
        taxCalculated: row.taxCalculated ?? row.tax,
        taxable: row.taxable,
        nonTaxable: row.nonTaxable,
        exemption: row.exemption,
      };
    });
  } else {
    const rows = new Map<string, JurisdictionTax>();
    for (const line of lines) {
      for (const d of line.details) {
        const id = `${d.key}|${d.taxName}|${d.rate}`;
        const row = rows.get(id) ?? { ...d, tax: 0, taxCalculated: 0, taxable: 0, nonTaxable: 0, exemption: 0 };
        row.tax = cents(row.tax + d.tax);
        row.taxCalculated = cents((row.taxCalculated ?? 0) + (d.taxCalculated ?? d.tax));
        row.taxable = cents(row.taxable + d.taxable);
        row.nonTaxable = cents(row.nonTaxable + d.nonTaxable);
        row.exemption = cents(row.exemption + d.exempt);
        rows.set(id, row);
      }
    }
    jurisdictions = [...rows.values()].map((row) => {
      const { exempt: _exempt, ...rest } = row as JurisdictionTax & { exempt?: number };
      return rest;
    });
  }

  return {
    id: tx.id,
    code: tx.code,
    companyCode,
    type: tx.type,
    status: tx.status,
    date: tx.date.slice(0, 10),
    ...(tx.taxDate ? { taxDate: tx.taxDate.slice(0, 10) } : {}),
    customerCode: tx.customerCode,
    currencyCode: tx.currencyCode,
    totalAmount: tx.totalAmount,
    totalTax: tx.totalTax,
    totalTaxCalculated: tx.totalTaxCalculated ?? tx.totalTax,
    totalTaxable: tx.totalTaxable,
    totalExempt: tx.totalExempt,
    totalDiscount: tx.totalDiscount,
    version: tx.version,
    locked: tx.locked,
    adjustmentReason: tx.adjustmentReason,
    jurisdictions,
    lines,
    messages: (tx.messages ?? []).map((m) => ({ summary: m.summary, details: m.details, refersTo: m.refersTo, severity: m.severity })),
  };
}
