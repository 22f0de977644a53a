/**
 * The Intacct objects the REST API (v1) serves, and how each maps to the XML gateway's object of
 * the same ledger: REST path, XML object name, and every field both ways. The connector uses it to
 * send an XML-shaped operation of a node over REST and hand the node back an XML-shaped record;
 * the sandbox uses it to serve REST over the one store the XML gateway also reads and writes.
 *
 * Glossary
 * - key:   REST's record number, always the XML RECORDNO.
 * - id:    REST's business id: VENDORID, ACCOUNTNO, DEPARTMENTID...; for transactions
 *          (journal entries, bills, invoices, adjustments) the record number, as Sage's examples
 *          show (`{"key": "30565", "id": "30565"}`).
 * - date:  REST `YYYY-MM-DD` <-> XML `MM/DD/YYYY`; timestamp: REST ISO-8601 UTC <-> XML
 *          `MM/DD/YYYY HH:MM:SS`.
 * - lines: owned objects written through their header (`lines` on REST, e.g. ENTRIES/GLENTRY on XML).
 *
 * Paths: intacct-rest.md 2.2 (Sage's OpenAPI). Field names beyond the fact sheet's (glJournal.id,
 * postingDate, state, txnType, txnAmount, glAccount.id, dimensions.*.id, billNumber, vendor.id,
 * dueDate, createdDate) follow the same naming and are ASSUMED; the README lists them.
 */

export type FieldKind = "text" | "date" | "timestamp" | "trType" | "jeState" | "docState" | "status";

export interface FieldMap {
  /** Dotted REST path: "glJournal.id", "dimensions.location.id". */
  rest: string;
  /** Dotted XML path: "JOURNAL", "DISPLAYCONTACT.EMAIL1". */
  xml: string;
  kind?: FieldKind;
  /** Answered, never written (key, totals, audit stamps). */
  readOnly?: boolean;
}

export interface LineMap {
  /** XML collection and item: ENTRIES / GLENTRY. */
  collection: string;
  item: string;
  fields: FieldMap[];
}

export interface RestObject {
  path: string;
  xml: string;
  fields: FieldMap[];
  lines?: LineMap;
  /** XML field REST's `id` is (RECORDNO for transactions). */
  idField: string;
  /** What the sandbox serves and the connector sends over REST. */
  operations: { create: boolean; update: boolean; delete: boolean };
}

const f = (rest: string, xml: string, kind?: FieldKind, readOnly?: boolean): FieldMap => ({ rest, xml, kind, readOnly });

const AUDIT = [f("audit.createdDateTime", "WHENCREATED", "timestamp", true), f("audit.modifiedDateTime", "WHENMODIFIED", "timestamp", true)];

/**
 * The eight standard dimensions on a line. Journal lines (GLENTRY) name location and department
 * LOCATION and DEPARTMENT; bill, invoice and adjustment lines LOCATIONID and DEPARTMENTID.
 */
const lineDimensions = (location: string, department: string): FieldMap[] => [
  f("dimensions.location.id", location),
  f("dimensions.department.id", department),
  f("dimensions.project.id", "PROJECTID"),
  f("dimensions.customer.id", "CUSTOMERID"),
  f("dimensions.vendor.id", "VENDORID"),
  f("dimensions.employee.id", "EMPLOYEEID"),
  f("dimensions.item.id", "ITEMID"),
  f("dimensions.class.id", "CLASSID"),
];
const GL_LINE_DIMENSIONS = lineDimensions("LOCATION", "DEPARTMENT");
const DOC_LINE_DIMENSIONS = lineDimensions("LOCATIONID", "DEPARTMENTID");

const readOnly = (fields: FieldMap[]): FieldMap[] => fields.map((m) => ({ ...m, readOnly: true }));

/** A transaction's record number: both REST's `key` and its `id`. */
const TRANSACTION_KEY = [f("key", "RECORDNO", "text", true), f("id", "RECORDNO", "text", true)];

/** A line list: the line's record number, its own fields, then the standard dimensions (DOC_LINE_DIMENSIONS unless given). */
const lineList = (collection: string, item: string, fields: FieldMap[], dimensions: FieldMap[] = DOC_LINE_DIMENSIONS): LineMap => ({
  collection,
  item,
  fields: [f("key", "RECORDNO", "text", true), ...fields, ...dimensions],
});

/** An AR document REST reads but the connector never writes over REST: every field read-only. */
const arDocument = (path: string, xml: string, fields: FieldMap[], lines: LineMap): RestObject => ({
  path,
  xml,
  idField: "RECORDNO",
  fields: [...TRANSACTION_KEY, ...readOnly(fields)],
  lines: { ...lines, fields: readOnly(lines.fields) },
  operations: { create: false, update: false, delete: false },
});

const master = (path: string, xml: string, idField: string, nameField: string, extra: FieldMap[] = [], update = false): RestObject => ({
  path,
  xml,
  idField,
  fields: [f("key", "RECORDNO", "text", true), f("id", idField), f("name", nameField), f("status", "STATUS", "status"), ...extra, ...AUDIT],
  operations: { create: true, update, delete: false },
});

const CONTACT = [
  f("contacts.default.printAs", "DISPLAYCONTACT.PRINTAS"),
  f("contacts.default.companyName", "DISPLAYCONTACT.COMPANYNAME"),
  f("contacts.default.email1", "DISPLAYCONTACT.EMAIL1"),
  f("contacts.default.phone1", "DISPLAYCONTACT.PHONE1"),
  f("contacts.default.mailingAddress.addressLine1", "DISPLAYCONTACT.MAILADDRESS.ADDRESS1"),
  f("contacts.default.mailingAddress.addressLine2", "DISPLAYCONTACT.MAILADDRESS.ADDRESS2"),
  f("contacts.default.mailingAddress.city", "DISPLAYCONTACT.MAILADDRESS.CITY"),
  f("contacts.default.mailingAddress.state", "DISPLAYCONTACT.MAILADDRESS.STATE"),
  f("contacts.default.mailingAddress.postCode", "DISPLAYCONTACT.MAILADDRESS.ZIP"),
  f("contacts.default.mailingAddress.country", "DISPLAYCONTACT.MAILADDRESS.COUNTRY"),
  f("contacts.default.mailingAddress.isoCountryCode", "DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE"),
];

const PARENT = [f("parent.id", "PARENTID")];

export const REST_OBJECTS: RestObject[] = [
  {
    path: "general-ledger/journal-entry",
    xml: "GLBATCH",
    idField: "RECORDNO",
    fields: [
      ...TRANSACTION_KEY,
      f("glJournal.id", "JOURNAL"),
      f("postingDate", "BATCH_DATE", "date"),
      f("description", "BATCH_TITLE"),
      f("referenceNumber", "REFERENCENO"),
      f("reversalDate", "REVERSEDATE", "date"),
      f("state", "STATE", "jeState"),
      f("batchNumber", "BATCHNO", "text", true),
      ...AUDIT,
    ],
    lines: lineList(
      "ENTRIES",
      "GLENTRY",
      [
        f("lineNumber", "LINE_NO", "text", true),
        f("glAccount.id", "ACCOUNTNO"),
        f("txnType", "TR_TYPE", "trType"),
        f("txnAmount", "TRX_AMOUNT"),
        f("baseAmount", "AMOUNT", "text", true),
        f("currency.txnCurrency", "CURRENCY"),
        f("currency.exchangeRate", "EXCHANGE_RATE"),
        f("description", "DESCRIPTION"),
        f("documentId", "DOCUMENT"),
      ],
      GL_LINE_DIMENSIONS,
    ),
    operations: { create: true, update: true, delete: true },
  },
  {
    path: "accounts-payable/bill",
    xml: "APBILL",
    idField: "RECORDNO",
    fields: [
      ...TRANSACTION_KEY,
      f("billNumber", "RECORDID"),
      f("referenceNumber", "DOCNUMBER"),
      f("vendor.id", "VENDORID"),
      f("vendor.name", "VENDORNAME", "text", true),
      f("description", "DESCRIPTION"),
      f("createdDate", "WHENCREATED", "date"),
      f("postingDate", "WHENPOSTED", "date"),
      f("dueDate", "WHENDUE", "date"),
      f("term.id", "TERMNAME"),
      f("currency.txnCurrency", "CURRENCY"),
      f("state", "STATE", "docState", true),
      // Written as the XML gateway's ACTION (Draft), read back as STATE.
      f("state", "ACTION", "docState"),
      f("totalTxnAmount", "TOTALENTERED", "text", true),
      f("totalTxnAmountDue", "TOTALDUE", "text", true),
      f("audit.modifiedDateTime", "WHENMODIFIED", "timestamp", true),
    ],
    lines: lineList("APBILLITEMS", "APBILLITEM", [
      f("lineNumber", "LINE_NO", "text", true),
      f("glAccount.id", "ACCOUNTNO"),
      f("txnAmount", "TRX_AMOUNT"),
      f("memo", "ENTRYDESCRIPTION"),
    ]),
    operations: { create: true, update: false, delete: true },
  },
  arDocument(
    "accounts-receivable/invoice",
    "ARINVOICE",
    [
      f("invoiceNumber", "RECORDID"),
      f("customer.id", "CUSTOMERID"),
      f("createdDate", "WHENCREATED", "date"),
      f("dueDate", "WHENDUE", "date"),
      f("state", "STATE", "docState"),
      f("totalTxnAmount", "TOTALENTERED"),
      f("totalTxnAmountDue", "TOTALDUE"),
      f("audit.modifiedDateTime", "WHENMODIFIED", "timestamp"),
    ],
    lineList("ARINVOICEITEMS", "arinvoiceitem", [f("glAccount.id", "ACCOUNTNO"), f("txnAmount", "TRX_AMOUNT")]),
  ),
  arDocument(
    "accounts-receivable/adjustment",
    "ARADJUSTMENT",
    [
      f("adjustmentNumber", "RECORDID"),
      f("customer.id", "CUSTOMERID"),
      f("description", "DESCRIPTION"),
      f("referenceNumber", "DOCNUMBER"),
      f("createdDate", "WHENCREATED", "date"),
      f("state", "STATE", "docState"),
      f("totalTxnAmount", "TOTALENTERED"),
      f("audit.modifiedDateTime", "WHENMODIFIED", "timestamp"),
    ],
    lineList("ARADJUSTMENTITEMS", "ARADJUSTMENTITEM", [f("glAccount.id", "ACCOUNTNO"), f("txnAmount", "TRX_AMOUNT"), f("memo", "ENTRYDESCRIPTION")]),
  ),
  master("general-ledger/account", "GLACCOUNT", "ACCOUNTNO", "TITLE", [
    f("accountType", "ACCOUNTTYPE"),
    f("normalBalance", "NORMALBALANCE"),
    f("closingType", "CLOSINGTYPE"),
  ]),
  master("general-ledger/journal", "GLJOURNAL", "SYMBOL", "TITLE"),
  master("accounts-payable/vendor", "VENDOR", "VENDORID", "NAME", [f("vendorType.id", "VENDTYPE"), f("taxId", "TAXID"), f("term.id", "TERMNAME"), ...CONTACT], true),
  master("accounts-receivable/customer", "CUSTOMER", "CUSTOMERID", "NAME", [f("isTaxable", "TAXABLE"), f("taxId", "TAXID"), f("term.id", "TERMNAME"), ...CONTACT], true),
  master("company-config/department", "DEPARTMENT", "DEPARTMENTID", "TITLE", PARENT),
  master("company-config/location", "LOCATION", "LOCATIONID", "NAME", PARENT),
  master("company-config/class", "CLASS", "CLASSID", "NAME", PARENT),
  master("projects/project", "PROJECT", "PROJECTID", "NAME", [...PARENT, f("projectCategory", "PROJECTCATEGORY")]),
  master("inventory-control/item", "ITEM", "ITEMID", "NAME"),
];

export const BY_PATH = new Map(REST_OBJECTS.map((o) => [o.path, o]));
export const BY_XML = new Map(REST_OBJECTS.map((o) => [o.xml, o]));

/** The REST object of an XML object name, when REST serves it. */
export function restObjectFor(xmlObject: string): RestObject | undefined {
  return BY_XML.get(xmlObject.toUpperCase());
}

// -------------------------------------------------------------------------------------------------
// Values

type Rec = Record<string, unknown>;

function isRec(v: unknown): v is Rec {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

export function getPath(rec: Rec, path: string): unknown {
  let cur: unknown = rec;
  for (const part of path.split(".")) {
    if (!isRec(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export function setPath(rec: Rec, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur = rec;
  for (const part of parts.slice(0, -1)) {
    if (!isRec(cur[part])) cur[part] = {};
    cur = cur[part] as Rec;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Every dotted leaf path of a JSON body ("glJournal.id"), arrays excluded. */
export function leafPaths(rec: Rec, prefix = "", out: string[] = []): string[] {
  for (const [k, v] of Object.entries(rec)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isRec(v)) leafPaths(v, path, out);
    else out.push(path);
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** REST -> XML value; undefined when the REST value is not one the field takes. */
export function toXmlValue(kind: FieldKind | undefined, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = typeof value === "string" ? value : typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
  if (s === undefined) return undefined;
  switch (kind) {
    case "date": {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
      return m ? `${m[2]}/${m[3]}/${m[1]}` : undefined;
    }
    case "timestamp": {
      const ms = Date.parse(s);
      if (Number.isNaN(ms)) return undefined;
      const d = new Date(ms);
      return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    }
    case "trType":
      return s === "debit" ? "1" : s === "credit" ? "-1" : undefined;
    case "jeState":
      return s === "draft" ? "Draft" : s === "posted" ? "Posted" : undefined;
    case "docState":
      return s.charAt(0).toUpperCase() + s.slice(1);
    case "status":
      return s === "active" || s === "inactive" ? s : undefined;
    default:
      return s;
  }
}

/** XML -> REST value (empty XML values are left out). */
export function toRestValue(kind: FieldKind | undefined, value: unknown): string | undefined {
  if (value === null || value === undefined || isRec(value) || Array.isArray(value)) return undefined;
  const s = String(value);
  if (s === "") return undefined;
  switch (kind) {
    case "date": {
      const m = /^(\d{2})\/(\d{2})\/(\d{4})/.exec(s);
      return m ? `${m[3]}-${m[1]}-${m[2]}` : s;
    }
    case "timestamp": {
      const m = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(s);
      return m ? `${m[3]}-${m[1]}-${m[2]}T${m[4] ?? "00"}:${m[5] ?? "00"}:${m[6] ?? "00"}Z` : s;
    }
    case "trType":
      return s === "-1" ? "credit" : "debit";
    case "jeState":
    case "docState":
      return s.toLowerCase();
    default:
      return s;
  }
}

function asList(v: unknown): Rec[] {
  if (Array.isArray(v)) return v.filter(isRec);
  return isRec(v) ? [v] : [];
}

/** One record in the other shape: each field read at its XML (toRest) or REST (toXml) path, converted, set at the other; empty values left out. */
function convertFields(maps: FieldMap[], from: Rec, direction: "toRest" | "toXml"): Rec {
  const out: Rec = {};
  for (const m of maps) {
    const v = direction === "toRest" ? toRestValue(m.kind, getPath(from, m.xml)) : toXmlValue(m.kind, getPath(from, m.rest));
    if (v !== undefined) setPath(out, direction === "toRest" ? m.rest : m.xml, v);
  }
  return out;
}

/** A stored (XML-shaped) record as REST answers it; `fields` limits it to those REST paths. */
export function recordToRest(obj: RestObject, rec: Rec, fields?: string[]): Rec {
  const wanted = fields ? new Set(fields) : undefined;
  const out = convertFields(wanted ? obj.fields.filter((m) => wanted.has(m.rest)) : obj.fields, rec, "toRest");
  if (obj.lines && (!wanted || wanted.has("lines"))) {
    const lines = asList(getPath(rec, `${obj.lines.collection}.${obj.lines.item}`));
    out.lines = lines.map((l) => convertFields(obj.lines!.fields, l, "toRest"));
  }
  if (!wanted || wanted.has("href")) out.href = `/objects/${obj.path}/${String(rec.RECORDNO ?? "")}`;
  return out;
}

/** A REST record (as answered) back in the XML shape the nodes read. */
export function restToRecord(obj: RestObject, rest: Rec): Rec {
  const out = convertFields(obj.fields, rest, "toXml");
  if (obj.lines && Array.isArray(rest.lines)) {
    const items = rest.lines.filter(isRec).map((l) => convertFields(obj.lines!.fields, l, "toXml"));
    out[obj.lines.collection] = { [obj.lines.item]: items };
  }
  return out;
}

export interface BodyProblem {
  /** JSON pointer of the field ("/newDate", "/lines/0/glAccount/id"). */
  target: string;
  message: string;
}

/**
 * A REST create or update body in the XML shape the store's functions take, with every field
 * REST does not know reported (Sage answers `/newDate is not a valid field`, REST-1043).
 */
export function restBodyToRecord(obj: RestObject, body: Rec): { record: Rec; problems: BodyProblem[]; lineOps: Array<{ key?: string; op: "add" | "update" | "delete"; record: Rec }> } {
  const problems: BodyProblem[] = [];
  const writable = new Map(obj.fields.filter((m) => !m.readOnly).map((m) => [m.rest, m]));
  const record: Rec = {};
  for (const path of leafPaths(Object.fromEntries(Object.entries(body).filter(([k]) => k !== "lines")))) {
    if (path === "key" || path === "id" && obj.idField === "RECORDNO") continue;
    const m = writable.get(path);
    const value = getPath(body, path);
    if (!m) {
      problems.push({ target: `/${path.replace(/\./g, "/")}`, message: `/${path.replace(/\./g, "/")} is not a valid field` });
      continue;
    }
    const v = toXmlValue(m.kind, value);
    if (v === undefined && value !== null) {
      problems.push({ target: `/${path.replace(/\./g, "/")}`, message: `/${path.replace(/\./g, "/")} has an invalid value` });
      continue;
    }
    setPath(record, m.xml, v ?? "");
  }
  const lineOps: Array<{ key?: string; op: "add" | "update" | "delete"; record: Rec }> = [];
  if (body.lines !== undefined) {
    if (!obj.lines || !Array.isArray(body.lines)) {
      problems.push({ target: "/lines", message: "/lines is not a valid field" });
    } else {
      const lineFields = new Map(obj.lines.fields.filter((m) => !m.readOnly).map((m) => [m.rest, m]));
      body.lines.forEach((raw, i) => {
        if (!isRec(raw)) {
          problems.push({ target: `/lines/${i}`, message: `/lines/${i} must be an object` });
          return;
        }
        const key = raw.key === undefined ? undefined : String(raw.key);
        const op = raw["ia::operation"] === "delete" ? "delete" : key ? "update" : "add";
        const line: Rec = {};
        for (const path of leafPaths(raw)) {
          if (path === "key" || path === "ia::operation") continue;
          const m = lineFields.get(path);
          const target = `/lines/${i}/${path.replace(/\./g, "/")}`;
          if (!m) {
            problems.push({ target, message: `${target} is not a valid field` });
            continue;
          }
          const v = toXmlValue(m.kind, getPath(raw, path));
          if (v === undefined) problems.push({ target, message: `${target} has an invalid value` });
          else setPath(line, m.xml, v);
        }
        lineOps.push({ key, op, record: line });
      });
    }
  }
  return { record, problems, lineOps };
}

/** REST field paths of XML field names; undefined when one of them has no REST field. */
export function restFieldsFor(obj: RestObject, xmlFields: string[] | undefined): string[] | undefined {
  if (!xmlFields || xmlFields.length === 0 || (xmlFields.length === 1 && xmlFields[0] === "*")) {
    return [...obj.fields.map((m) => m.rest), ...(obj.lines ? ["lines"] : [])];
  }
  const out: string[] = [];
  for (const x of xmlFields) {
    const m = obj.fields.find((fm) => fm.xml === x.toUpperCase() || fm.xml === x);
    if (!m) return undefined;
    out.push(m.rest);
  }
  return [...new Set(out)];
}

export function restFieldFor(obj: RestObject, xmlField: string): FieldMap | undefined {
  return obj.fields.find((fm) => fm.xml === xmlField || fm.xml === xmlField.toUpperCase());
}
