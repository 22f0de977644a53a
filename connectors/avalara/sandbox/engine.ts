/**
 * The sandbox's tax engine: turns a CreateTransactionModel into a TransactionModel with lines,
 * per-jurisdiction details and a summary, from the gazetteer's deterministic rate tables.
 *
 * Rules (simplified, but shaped like AvaTax):
 * - destination sourcing: each line is taxed at its shipTo (or singleLocation) address;
 * - US: state + county + city + special districts where the company has nexus; zero tax elsewhere;
 * - tax codes decide exempt / partly taxable / reduced state rate per state (taxCodes.ts);
 * - exemption number, line exemption code, entity use code or a customer certificate for the
 *   destination state make the line exempt (`exemptAmount`);
 * - outside the USA: a single country-level VAT/GST line where the company is registered, else 0;
 * - a document-level `taxOverride` of type TaxDate taxes the document as of that date (a return as
 *   of its original invoice's date: `taxDate` on the document and its lines; `date` stays the
 *   return's). The sandbox's rates do not change over time, so only the dates differ.
 *   https://developer.avalara.com/avatax/handling-return-invoices/
 * - a document-level `taxOverride` of type TaxAmount sets the document's tax to that amount, spread
 *   over the taxed jurisdictions in proportion to what was calculated; `taxCalculated` keeps the
 *   calculation, so consumer use tax owed on a purchase the vendor taxed is taxCalculated - tax.
 *   https://help.avalara.com/Avalara_AvaTax_Update/Consumer_use_tax_scenarios
 */
import {
  findPlace,
  taxStates,
  usStateNames,
  type Gazetteer,
  type Jurisdiction,
  type JurisTypeId,
} from "./gazetteer";
import { activeCertificate } from "./customers";
import type { SandboxCompany } from "./seed";
import { alwaysExempt, taxability, taxCodes, vatRates } from "./taxCodes";
import {
  AvaTaxFault,
  round2,
  round6,
  type AddressInfo,
  type CreateTransactionModel,
  type MessageModel,
  type TransactionAddressModel,
  type TransactionLineDetailModel,
  type TransactionLineModel,
  type TransactionModel,
  type TransactionSummary,
} from "./wire";

export const DOCUMENT_TYPES = [
  "SalesOrder",
  "SalesInvoice",
  "PurchaseOrder",
  "PurchaseInvoice",
  "ReturnOrder",
  "ReturnInvoice",
  "InventoryTransferOrder",
  "InventoryTransferInvoice",
  "ReverseChargeOrder",
  "ReverseChargeInvoice",
] as const;

export const isStoredType = (type: string): boolean => type.endsWith("Invoice");

const JURISDICTION_TYPE: Record<JurisTypeId, string> = {
  STA: "State",
  CTY: "County",
  CIT: "City",
  STJ: "Special",
  CNT: "Country",
};

export interface EngineContext {
  company: SandboxCompany;
  gazetteer: Gazetteer;
  now: number;
  nextTransactionId: () => number;
  nextLineId: () => number;
  userId: number;
}

interface ResolvedDestination {
  country: string;
  region: string;
  jurisdictions: Jurisdiction[];
  /** Why no tax applies at all (no nexus / not registered). */
  noNexus: boolean;
  messages: MessageModel[];
  address: AddressInfo;
}

function incomplete(refersTo: string): AvaTaxFault {
  return new AvaTaxFault(400, "GetTaxError", "An Address is incomplete or invalid.", {
    refersTo,
    description: "Not enough information to determine a jurisdiction: supply a postal code, or a street, city and region.",
  });
}

function resolveDestination(ctx: EngineContext, address: AddressInfo, refersTo: string): ResolvedDestination {
  const country = (address.country ?? "US").trim().toUpperCase();
  const messages: MessageModel[] = [];
  if (country === "US") {
    if (!address.postalCode && !(address.city && address.region)) throw incomplete(refersTo);
    const place = findPlace(ctx.gazetteer, { ...address, country });
    const region = (place?.region ?? address.region ?? "").trim().toUpperCase();
    if (address.region && place && place.region !== address.region.trim().toUpperCase()) {
      throw new AvaTaxFault(400, "InvalidPostalCode", `The postal code ${address.postalCode} is not valid for the region ${address.region}.`, {
        refersTo,
      });
    }
    if (!region || !usStateNames[region]) throw incomplete(refersTo);
    const state = taxStates[region]?.state;
    if (!state || !ctx.company.nexus.includes(region)) {
      const name = usStateNames[region];
      return {
        country,
        region,
        noNexus: true,
        messages,
        address,
        jurisdictions: [{ jurisType: "STA", jurisCode: region, jurisName: name, taxName: `${region} STATE TAX`, rate: 0, signatureCode: "" }],
      };
    }
    if (!place) {
      messages.push({
        summary: "Address not geocoded.",
        details: "The address could not be located; tax was calculated at the state level only.",
        refersTo,
        severity: "Warning",
        source: "Avalara.AvaTax.Services.Address",
      });
    }
    return { country, region, noNexus: false, messages, address, jurisdictions: [state, ...(place?.local ?? [])] };
  }
  const vat = vatRates[country];
  const registered = vat !== undefined && ctx.company.vatCountries.includes(country);
  const region = (address.region ?? "").trim().toUpperCase();
  return {
    country,
    region,
    noNexus: !registered,
    messages,
    address,
    jurisdictions: [
      {
        jurisType: "CNT",
        jurisCode: country,
        jurisName: vat?.name ?? country,
        taxName: vat?.taxName ?? `${country} VAT`,
        rate: registered ? vat.rate : 0,
        signatureCode: "",
      },
    ],
  };
}

const num = (value: unknown, fallback: number): number => (typeof value === "number" && Number.isFinite(value) ? value : fallback);

export function validateModel(model: CreateTransactionModel): void {
  if (!model || typeof model !== "object") throw new AvaTaxFault(400, "ModelRequiredException", "A model is required for this API.");
  if (!Array.isArray(model.lines) || model.lines.length === 0) {
    throw new AvaTaxFault(400, "MissingLine", "A document must have at least one line.", { refersTo: "Lines" });
  }
  if (!model.date || !/^\d{4}-\d{2}-\d{2}/.test(model.date)) {
    throw new AvaTaxFault(400, "ValueRequiredError", "Field 'date' is required.", { refersTo: "Date" });
  }
  if (!model.customerCode) {
    throw new AvaTaxFault(400, "ValueRequiredError", "Field 'customerCode' is required.", { refersTo: "CustomerCode" });
  }
  if (model.code !== undefined && model.code !== null && String(model.code).length > 50) {
    throw new AvaTaxFault(400, "ValueRequiredError", "Field 'code' must be 50 characters or fewer.", { refersTo: "Code" });
  }
  const type = model.type ?? "SalesOrder";
  if (!(DOCUMENT_TYPES as readonly string[]).includes(type)) {
    throw new AvaTaxFault(400, "InvalidDocumentType", `The document type '${type}' is not valid.`, { refersTo: "Type" });
  }
  model.lines.forEach((line, index) => {
    if (typeof line?.amount !== "number" || !Number.isFinite(line.amount)) {
      throw new AvaTaxFault(400, "ValueRequiredError", "Field 'amount' is required.", { refersTo: `Lines[${index}].Amount` });
    }
  });
}

/** Calculate a transaction. Does not store it. */
export function calculate(ctx: EngineContext, model: CreateTransactionModel, code: string): TransactionModel {
  validateModel(model);
  const type = model.type ?? "SalesOrder";
  const transactionId = isStoredType(type) ? ctx.nextTransactionId() : 0;
  const date = model.date.slice(0, 10);
  const isoDate = `${date}T00:00:00`;
  const taxIsoDate = `${taxDateOverride(model) ?? date}T00:00:00`;
  const messages: MessageModel[] = [];
  const addresses: TransactionAddressModel[] = [];
  const addressId = (info: AddressInfo): number => {
    const key = JSON.stringify([info.line1, info.city, info.region, info.postalCode, info.country]);
    const existing = addresses.find((a) => JSON.stringify([a.line1, a.city, a.region, a.postalCode, a.country]) === key);
    if (existing) return existing.id;
    const id = transactionId * 10 + addresses.length + 1;
    addresses.push({ id, transactionId, boundaryLevel: "Zip5", taxRegionId: 0, ...info, country: info.country ?? "US" });
    return id;
  };

  // Document discount, spread over the lines marked `discounted` in proportion to their amounts.
  const discount = num(model.discount, 0);
  const discountedTotal = model.lines.filter((l) => l.discounted).reduce((s, l) => s + l.amount, 0);
  if (discount !== 0 && discountedTotal === 0) {
    throw new AvaTaxFault(400, "GetTaxError", "A discount was given but no line is marked discounted.", { refersTo: "Discount" });
  }

  let originId = 0;
  let destinationId = 0;
  let firstDestination: ResolvedDestination | undefined;
  const lines: TransactionLineModel[] = model.lines.map((input, index) => {
    const own = input.addresses && Object.keys(input.addresses).length > 0;
    const set = own ? input.addresses! : (model.addresses ?? {});
    const destinationInfo = set.shipTo ?? set.singleLocation;
    const originInfo = set.shipFrom ?? set.singleLocation;
    if (!destinationInfo) {
      throw new AvaTaxFault(400, "MissingAddress", "An address is missing: supply shipTo or singleLocation.", {
        refersTo: own ? `Lines[${index}].Addresses` : "Addresses",
      });
    }
    const destination = resolveDestination(ctx, destinationInfo, own ? `Lines[${index}].Addresses.ShipTo` : "Addresses.ShipTo");
    firstDestination ??= destination;
    for (const m of destination.messages) if (!messages.some((x) => x.summary === m.summary)) messages.push(m);
    const destId = addressId(destinationInfo);
    const origId = originInfo ? addressId(originInfo) : destId;
    if (index === 0) {
      destinationId = destId;
      originId = origId;
    }

    const taxCode = (input.taxCode ?? "").trim() || "P0000000";
    const companyCode = ctx.company.taxCodes.find((t) => t.taxCode === taxCode);
    if (!companyCode && !taxCodes.some((t) => t.taxCode === taxCode)) {
      throw new AvaTaxFault(400, "EntityNotFoundError", `TaxCode '${taxCode}' not found.`, {
        refersTo: `Lines[${index}].TaxCode`,
        description: "The tax code is not a system tax code or one of the company's custom tax codes.",
      });
    }
    const lineId = ctx.nextLineId();
    const quantity = num(input.quantity, 0) || 1;
    const amount = input.amount;
    const discountAmount = input.discounted && discountedTotal !== 0 ? round2((discount * amount) / discountedTotal) : 0;
    const region = destination.region;
    // A certificate linked to the customer record exempts it in the certificate's state.
    const certificate = destination.country === "US" ? activeCertificate(ctx.company, model.customerCode, region, model.date) : undefined;
    const exemptNo = input.exemptionCode || model.exemptionNo || certificate?.exemptionNumber || "";
    const useCode = model.entityUseCode || model.customerUsageType || "";
    const exemptByCertificate = Boolean(exemptNo || useCode);
    const ruleCode = companyCode?.parentTaxCode ?? taxCode;
    const rule = destination.country === "US" ? (taxability[ruleCode]?.[region] ?? {}) : alwaysExempt.has(ruleCode) ? { exempt: true } : {};
    const nonTaxable = Boolean(rule.exempt) || destination.noNexus;

    let base = amount - discountAmount;
    if (input.taxIncluded && !nonTaxable && !exemptByCertificate) {
      const portion = rule.taxablePortion ?? 1;
      const totalRate = destination.jurisdictions.reduce(
        (s, j) => s + (j.jurisType === "STA" && rule.stateRate !== undefined ? rule.stateRate : j.rate),
        0,
      );
      base = round2(base / (1 + totalRate * portion));
    }

    const details: TransactionLineDetailModel[] = destination.jurisdictions.map((j, detailIndex) => {
      let rate = 0;
      let taxable = 0;
      let exempt = 0;
      let nonTaxableAmount = 0;
      let tax = 0;
      if (destination.noNexus || rule.exempt) {
        nonTaxableAmount = base;
      } else if (exemptByCertificate) {
        exempt = base;
      } else {
        rate = j.jurisType === "STA" && rule.stateRate !== undefined ? rule.stateRate : j.rate;
        taxable = round2(base * (rule.taxablePortion ?? 1));
        nonTaxableAmount = round2(base - taxable);
        tax = round2(taxable * rate);
      }
      return {
        id: lineId * 10 + detailIndex,
        transactionLineId: lineId,
        transactionId,
        country: destination.country,
        region: destination.country === "US" ? region : destination.region || destination.country,
        exemptAmount: exempt,
        jurisCode: j.jurisCode,
        jurisName: j.jurisName,
        jurisType: j.jurisType,
        jurisdictionType: JURISDICTION_TYPE[j.jurisType],
        nonTaxableAmount,
        rate: round6(rate),
        tax,
        taxableAmount: taxable,
        taxType: destination.country === "US" ? "Sales" : "Output",
        taxSubTypeId: destination.country === "US" ? "S" : "O",
        taxName: j.taxName,
        taxAuthorityTypeId: 45,
        taxCalculated: tax,
        rateType: "General",
        rateTypeCode: "G",
        signatureCode: j.signatureCode,
        stateAssignedNo: j.stateAssignedNo ?? "",
        unitOfBasis: "PerCurrencyUnit",
        isNonPassThru: false,
        ...(destination.noNexus ? { nonTaxableType: "NexusRule" } : rule.exempt ? { nonTaxableType: "RateRule" } : {}),
      };
    });
    const tax = round2(details.reduce((s, d) => s + d.tax, 0));
    const taxableAmount = details[0]?.taxableAmount ?? 0;
    const lineAmount = input.taxIncluded ? round2(amount - tax) : amount;
    return {
      id: lineId,
      transactionId,
      lineNumber: String(input.number ?? index + 1),
      itemCode: input.itemCode ?? "",
      description: input.description ?? "",
      quantity,
      lineAmount,
      discountAmount,
      exemptAmount: round2(base - taxableAmount),
      exemptCertId: exemptByCertificate && certificate?.exemptionNumber === exemptNo ? certificate.id : 0,
      exemptNo,
      isItemTaxable: !nonTaxable,
      taxCode,
      taxCodeId: companyCode ? 9_100_000 + ctx.company.taxCodes.indexOf(companyCode) : 8000 + taxCodes.findIndex((t) => t.taxCode === taxCode),
      tax,
      taxableAmount,
      taxCalculated: tax,
      taxIncluded: Boolean(input.taxIncluded),
      taxDate: taxIsoDate,
      reportingDate: isoDate,
      sourcing: "Destination",
      ref1: input.ref1 ?? "",
      ref2: input.ref2 ?? "",
      revenueAccount: input.revenueAccount ?? "",
      details,
    };
  });

  applyTaxAmountOverride(model, lines);
  const summary = summarise(lines);
  const sum = (pick: (l: TransactionLineModel) => number) => round2(lines.reduce((s, l) => s + pick(l), 0));
  const totalTax = sum((l) => l.tax);
  const nowIso = new Date(ctx.now).toISOString();
  return {
    id: transactionId,
    code,
    companyId: ctx.company.id,
    date: isoDate,
    taxDate: taxIsoDate,
    status: !isStoredType(type) ? "Temporary" : model.commit ? "Committed" : "Saved",
    type,
    batchCode: model.batchCode ?? "",
    currencyCode: model.currencyCode ?? "USD",
    exchangeRateCurrencyCode: model.currencyCode ?? "USD",
    customerUsageType: model.customerUsageType ?? model.entityUseCode ?? "",
    entityUseCode: model.entityUseCode ?? model.customerUsageType ?? "",
    customerVendorCode: model.customerCode,
    customerCode: model.customerCode,
    exemptNo: model.exemptionNo ?? "",
    reconciled: false,
    locationCode: "",
    reportingLocationCode: model.reportingLocationCode ?? "",
    purchaseOrderNo: model.purchaseOrderNo ?? "",
    referenceCode: model.referenceCode ?? "",
    salespersonCode: "",
    totalAmount: sum((l) => l.lineAmount),
    totalExempt: sum((l) => l.exemptAmount),
    totalDiscount: sum((l) => l.discountAmount),
    totalTax,
    totalTaxable: sum((l) => l.taxableAmount),
    totalTaxCalculated: sum((l) => l.taxCalculated),
    adjustmentReason: "NotAdjusted",
    locked: false,
    region: firstDestination?.region ?? "",
    country: firstDestination?.country ?? "US",
    version: 1,
    softwareVersion: "24.12.0.0",
    originAddressId: originId,
    destinationAddressId: destinationId,
    exchangeRate: 1,
    exchangeRateEffectiveDate: isoDate,
    description: model.description ?? "",
    modifiedDate: nowIso,
    modifiedUserId: ctx.userId,
    lines,
    addresses,
    summary,
    ...(messages.length > 0 ? { messages } : {}),
  };
}

/** TaxDate override: the date whose rates apply (checked as AvaTax does: a date and a reason). */
function taxDateOverride(model: CreateTransactionModel): string | undefined {
  const override = model.taxOverride;
  if (!override || override.type !== "TaxDate") return undefined;
  const day = typeof override.taxDate === "string" ? override.taxDate.slice(0, 10) : "";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) {
    throw new AvaTaxFault(400, "ValueRequiredError", "Field 'taxDate' is required for a tax date override.", { refersTo: "TaxOverride.TaxDate" });
  }
  if (!override.reason) throw new AvaTaxFault(400, "ValueRequiredError", "Field 'reason' is required for a tax override.", { refersTo: "TaxOverride.Reason" });
  return day;
}

/**
 * TaxAmount override: the calculated tax stays in taxCalculated; `tax` becomes the override,
 * shared by the details in proportion to their calculated tax (the last taxed detail takes the
 * rounding remainder, so the shares add up to the cent).
 */
function applyTaxAmountOverride(model: CreateTransactionModel, lines: TransactionLineModel[]): void {
  const override = model.taxOverride;
  if (!override || override.type !== "TaxAmount") return;
  const target = Math.round((typeof override.taxAmount === "number" ? override.taxAmount : 0) * 100);
  if (target < 0) throw new AvaTaxFault(400, "InvalidTaxOverride", "A tax amount override cannot be negative.", { refersTo: "TaxOverride.TaxAmount" });
  if (!override.reason) throw new AvaTaxFault(400, "ValueRequiredError", "Field 'reason' is required for a tax override.", { refersTo: "TaxOverride.Reason" });
  const details = lines.flatMap((l) => l.details);
  const calculated = details.reduce((s, d) => s + Math.round(d.taxCalculated * 100), 0);
  const taxed = details.filter((d) => d.taxCalculated !== 0);
  let left = target;
  for (const d of details) d.tax = 0;
  taxed.forEach((d, i) => {
    const share = i === taxed.length - 1 ? left : Math.round((Math.round(d.taxCalculated * 100) * target) / calculated);
    d.tax = share / 100;
    left -= share;
  });
  if (taxed.length === 0 && details[0]) details[0].tax = target / 100;
  for (const line of lines) {
    line.tax = round2(line.details.reduce((s, d) => s + d.tax, 0));
    line.taxCalculated = round2(line.details.reduce((s, d) => s + d.taxCalculated, 0));
  }
}

function summarise(lines: TransactionLineModel[]): TransactionSummary[] {
  const rows = new Map<string, TransactionSummary>();
  for (const line of lines) {
    for (const d of line.details) {
      const key = [d.country, d.region, d.jurisType, d.jurisCode, d.taxName, d.rate, d.taxType].join("|");
      let row = rows.get(key);
      if (!row) {
        row = {
          country: d.country,
          region: d.region,
          jurisType: d.jurisdictionType,
          jurisCode: d.jurisCode,
          jurisName: d.jurisName,
          taxAuthorityType: d.taxAuthorityTypeId,
          stateAssignedNo: d.stateAssignedNo,
          taxType: d.taxType,
          taxSubType: d.taxSubTypeId,
          taxName: d.taxName,
          rateType: d.rateType,
          rateTypeCode: d.rateTypeCode,
          taxable: 0,
          rate: d.rate,
          tax: 0,
          taxCalculated: 0,
          nonTaxable: 0,
          exemption: 0,
        };
        rows.set(key, row);
      }
      row.taxable = round2(row.taxable + d.taxableAmount);
      row.tax = round2(row.tax + d.tax);
      row.taxCalculated = round2(row.taxCalculated + d.taxCalculated);
      row.nonTaxable = round2(row.nonTaxable + d.nonTaxableAmount);
      row.exemption = round2(row.exemption + d.exemptAmount);
    }
  }
  return [...rows.values()];
}
