/**
 * User-defined dimensions (UDDs) in the sandbox: platform objects enabled as GL dimensions.
 * - `getDimensions` lists the standard dimensions and the UDDs of the company
 *   (https://developer.intacct.com/api/platform-services/dimensions/#list-dimensions):
 *   `<dimensions><dimension><objectName/><objectLabel/><termLabel/><userDefinedDimension/>
 *   <enabledInGL/></dimension>…`.
 * - A UDD's values are records of its object (readByQuery/query/read with `object` = its
 *   objectName), each with RECORDNO, ID, NAME and STATUS.
 * - On lines a UDD is the field `GLDIM<objectName>` (GLDIMCHANNEL) holding the value's ID: an
 *   element of GLENTRY and APBILLITEM (generic create), and a `customfields/customfield` with
 *   `customfieldname`/`customfieldvalue` in the legacy create_apadjustment/create_aradjustment
 *   lines (how the SDKs write custom fields there). It is stored on the ledger row as
 *   `GLDIM<objectName>` and reads back by query.
 *
 * ASSUMED: the value record fields (ID, NAME) and the error wording for an unknown UDD field;
 * the unknown-value error follows Intacct's "Invalid <Dimension> 'v' specified.".
 */
import { asArray, obj, text } from "../xml";
import type { FnContext, FnOutcome } from "./functions";
import type { Company, Rec, UserDimension } from "./store";

export const UDD_FIELD_PREFIX = "GLDIM";

/** A refusal of the whole function with Intacct's error entries (the caller answers it as a failure). */
export class Refusal extends Error {
  constructor(readonly errors: Array<{ errorno: string; description: string; description2: string; correction: string }>) {
    super(errors.map((e) => e.description2).join("; "));
  }
}

export function refuse(description2: string, correction = "", errorno = "BL01001973"): never {
  throw new Refusal([{ errorno, description: "", description2, correction }]);
}

const STANDARD: Array<[string, string]> = [
  ["DEPARTMENT", "Department"],
  ["LOCATION", "Location"],
  ["PROJECT", "Project"],
  ["CUSTOMER", "Customer"],
  ["VENDOR", "Vendor"],
  ["EMPLOYEE", "Employee"],
  ["ITEM", "Item"],
  ["CLASS", "Class"],
];

export function userDimension(company: Company, objectName: string): UserDimension | undefined {
  return (company.userDimensions ?? []).find((d) => d.objectName === objectName.toUpperCase());
}

/** getDimensions: one `<dimension>` per standard dimension and per UDD. */
export function getDimensions(company: Company): Rec {
  const dimension = [
    ...STANDARD.map(([objectName, label]) => ({ objectName, objectLabel: label, termLabel: label, userDefinedDimension: "false", enabledInGL: "true" })),
    ...(company.userDimensions ?? []).map((d) => ({
      objectName: d.objectName,
      objectLabel: d.objectLabel,
      termLabel: d.termLabel,
      userDefinedDimension: "true",
      enabledInGL: "true",
    })),
  ];
  return { dimension };
}

/** The UDD fields a line carries: GLDIM* elements, and for legacy lines their customfields entries. */
function rawUserDimensions(line: Rec): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(line)) {
    if (k.toUpperCase().startsWith(UDD_FIELD_PREFIX)) out.push([k.toUpperCase(), text(v).trim()]);
  }
  for (const f of asArray(obj(line.customfields).customfield).map(obj)) {
    const name = text(f.customfieldname).trim().toUpperCase();
    if (name.startsWith(UDD_FIELD_PREFIX)) out.push([name, text(f.customfieldvalue).trim()]);
  }
  return out;
}

/**
 * The UDD values of a line, checked against the company: the field must name a UDD and the value
 * an active record of it. Returns them keyed by field (GLDIMCHANNEL) for the stored ledger row.
 */
export function lineUserDimensions(company: Company, line: Rec, lineNo: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, value] of rawUserDimensions(line)) {
    const udd = userDimension(company, field.slice(UDD_FIELD_PREFIX.length));
    if (!udd) refuse(`Invalid field ${field} on line ${lineNo}: the company has no user-defined dimension ${field.slice(UDD_FIELD_PREFIX.length)}.`, "Check the dimension's integration name with getDimensions.");
    if (!value) continue;
    const rec = (company.records[udd.objectName] ?? []).find((r) => r.ID === value);
    if (!rec || rec.STATUS === "inactive") refuse(`Invalid ${udd.objectLabel} '${value}' specified.`, `Use an existing, active ${udd.objectLabel.toLowerCase()}.`);
    out[field] = value;
  }
  return out;
}

export const DIMENSION_FUNCTIONS: Record<string, { write: boolean; run: (ctx: FnContext, body: Rec) => FnOutcome }> = {
  getDimensions: { write: false, run: (ctx) => ({ ok: true, write: false, data: { attrs: {}, records: [["dimensions", getDimensions(ctx.company)]] } }) },
};
