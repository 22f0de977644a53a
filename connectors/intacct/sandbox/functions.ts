/**
 * The gateway functions the sandbox implements, each working on one company's state:
 * readByQuery, readMore, query, read, create (GLBATCH, APBILL, VENDOR, CUSTOMER and the
 * dimensions), create_apadjustment, create_aradjustment, create_potransaction.
 * Postings dated in a closed period are refused with Intacct's "Periods are closed" text.
 *
 * Error numbers: `BL01001973` with a specific description2 is what Intacct answers for most
 * business failures ("Invalid Vendor 'V9' specified."). Codes marked ASSUMED are not published
 * by Intacct; they are consistent within the sandbox.
 */
import { randomBytes } from "node:crypto";
import { asArray, isRecord, obj, text } from "../xml";
import { Refusal, lineUserDimensions, userDimension } from "./dimensions";
import { checkEntityWrite, entityStamp, visible } from "./entities";
import { recordsOf } from "./ledger";
import { QueryError, compare, parseFilter, parseReadByQuery } from "./query";
import {
  OBJECTS,
  auditTimestamp,
  fieldPaths,
  findById,
  header,
  nextCounter,
  nextRecordNo,
  parseUsDate,
  valueAt,
  type Company,
  type Rec,
  type ResultSet,
} from "./store";

export interface ErrorEntry {
  errorno: string;
  description?: string;
  description2?: string;
  correction?: string;
}

export interface FnData {
  attrs: Record<string, string | number>;
  /** [element name, record] in order. */
  records: Array<[string, Rec]>;
}

export type FnOutcome = { ok: true; data?: FnData; key?: string; write: boolean } | { ok: false; errors: ErrorEntry[] };

export interface FnContext {
  company: Company;
  now: number;
  resultSets: Map<string, ResultSet>;
  /** The session's entity in a multi-entity company ("" or undefined: top level). */
  entityId?: string;
}

const BUSINESS = "BL01001973";
/** ASSUMED: query syntax and unknown-field errors. */
const QUERY_ERROR = "DL02000001";
/** ASSUMED: an unbalanced journal entry. */
export const UNBALANCED = "BL03000018";
/** ASSUMED: the number of the closed-period refusal (only its text is published). */
export const PERIOD_CLOSED = "BL03002105";
/** ASSUMED: a foreign-currency line without an exchange rate. */
const NO_RATE = "BL03000050";
/** ASSUMED: unsupported function or object. */
const UNSUPPORTED = "XL03000001";

const fail = (errorno: string, description2: string, correction = "", description = ""): FnOutcome => ({
  ok: false,
  errors: [{ errorno, description, description2, correction }],
});

class Invalid extends Error {
  constructor(readonly errors: ErrorEntry[]) {
    super(errors.map((e) => e.description2).join("; "));
  }
}

function invalid(description2: string, correction = "", errorno = BUSINESS): never {
  throw new Invalid([{ errorno, description: "", description2, correction }]);
}

const TITLES: Record<string, string> = {
  GLACCOUNT: "GL Account",
  DEPARTMENT: "Department",
  LOCATION: "Location",
  CLASS: "Class",
  PROJECT: "Project",
  VENDOR: "Vendor",
  CUSTOMER: "Customer",
  ITEM: "Item",
  EMPLOYEE: "Employee",
  GLJOURNAL: "Journal",
};

/** An active record of a master object, or the Intacct "Invalid X 'v' specified." error. */
function mustExist(company: Company, object: string, id: string): Rec {
  const rec = findById(company, object, id);
  if (!rec || rec.STATUS === "inactive") {
    invalid(`Invalid ${TITLES[object]} '${id}' specified.`, `Use an existing, active ${TITLES[object].toLowerCase()}.`);
  }
  return rec;
}

function str(value: unknown): string {
  return text(value).trim();
}

function required(rec: Rec, field: string, label: string): string {
  const v = str(rec[field]);
  if (!v) invalid(`Required field ${label} is missing.`, `Provide a value for ${field}.`, "BL34000061");
  return v;
}

function amount(value: unknown, label: string): number {
  const s = str(value);
  if (!/^-?\d+(\.\d+)?$/.test(s)) invalid(`${label} '${s}' is not a valid amount.`, "Use digits with an optional decimal point, no thousands separators.");
  return Number(s);
}

function usDateField(rec: Rec, field: string, label: string, requiredField = true): string {
  const v = requiredField ? required(rec, field, label) : str(rec[field]);
  if (v && parseUsDate(v) === undefined) invalid(`${label} '${v}' is not a valid date.`, "Use the format mm/dd/yyyy.");
  return v;
}

function legacyDate(value: unknown, label: string, requiredField = true): string {
  if (value === undefined || value === "") {
    if (requiredField) invalid(`Required field ${label} is missing.`, "Provide year, month and day.", "BL34000061");
    return "";
  }
  const o = obj(value);
  const y = str(o.year);
  const m = str(o.month).padStart(2, "0");
  const d = str(o.day).padStart(2, "0");
  const formatted = `${m}/${d}/${y}`;
  if (parseUsDate(formatted) === undefined) invalid(`${label} ${y}-${m}-${d} is not a valid date.`);
  return formatted;
}

/** Check dimension references on a line. */
function checkDimensions(company: Company, line: Rec, fields: Record<string, string>): void {
  for (const [field, object] of Object.entries(fields)) {
    const v = str(line[field]);
    if (v) mustExist(company, object, v);
  }
}

/** Fields an object has even before the company holds one of it (queries on them are valid). */
const DECLARED_FIELDS: Record<string, string[]> = {
  GLBATCH: ["BATCHNO", "JOURNAL", "BATCH_DATE", "BATCH_TITLE", "REFERENCENO", "REVERSEDATE", "STATE"],
  ARADJUSTMENT: ["RECORDID", "DOCNUMBER", "CUSTOMERID", "CUSTOMERNAME", "ADJUSTMENTTYPE", "DESCRIPTION", "EXTERNALID", "WHENPOSTED", "BASECURR", "CURRENCY", "EXCHANGE_RATE", "EXCH_RATE_DATE", "STATE", "TRX_TOTALENTERED", "TOTALENTERED", "TOTALDUE"],
  APBILL: ["RECORDID", "DOCNUMBER", "VENDORID", "VENDORNAME", "DESCRIPTION", "WHENPOSTED", "WHENDUE", "CURRENCY", "STATE", "TOTALENTERED", "TOTALDUE"],
  AUDITHISTORY: ["OBJECTTYPE", "OBJECTKEY", "OBJECTDESC", "ACCESSMODE", "ACCESSTIME", "USERID", "SOURCE"],
  VENDOR: ["NAME", "STATUS", "TAXID", "VENDTYPE", "TERMNAME"],
  // The customer's tax exemption (CustomerUpdate: DISPLAYCONTACT.TAXABLE, RESALENO) and the
  // custom field the Avalara exemption sync keeps the entity/use code in.
  CUSTOMER: ["NAME", "STATUS", "TAXID", "TAXABLE", "RESALENO", "AVATAX_ENTITY_USE_CODE", "CUSTTYPE", "TERMNAME", "DISPLAYCONTACT.TAXABLE", "DISPLAYCONTACT.CONTACTNAME"],
  PODOCUMENT: ["DOCID", "DOCNO", "DOCPARID", "STATE", "CUSTVENDID", "CUSTVENDNAME", "PONUMBER", "VENDORDOCNO", "MESSAGE", "WHENDUE", "CURRENCY", "TOTAL"],
};

function objectFields(company: Company, object: string): Set<string> {
  const fields = new Set<string>(["RECORDNO", "WHENCREATED", "WHENMODIFIED", ...(DECLARED_FIELDS[object] ?? [])]);
  for (const r of recordsOf(company, object)) fieldPaths(header(object, r), "", fields);
  const idField = OBJECTS[object]?.idField;
  if (idField) fields.add(idField);
  // User-defined dimensions are fields of the ledger rows and their value objects have ID and NAME.
  if (object === "GLENTRY") for (const d of company.userDimensions ?? []) fields.add(`GLDIM${d.objectName}`);
  if (userDimension(company, object)) for (const f of ["ID", "NAME", "STATUS"]) fields.add(f);
  return fields;
}

function knownObject(company: Company, object: string): boolean {
  return object in OBJECTS || userDimension(company, object) !== undefined;
}

function pick(rec: Rec, fields: string[] | "*"): Rec {
  if (fields === "*") return rec;
  const out: Rec = {};
  for (const f of fields) {
    if (f.includes(".")) {
      // Related fields come back flat under their dotted name's last part chain.
      const parts = f.split(".");
      let cur = out;
      for (const p of parts.slice(0, -1)) {
        cur[p] = isRecord(cur[p]) ? cur[p] : {};
        cur = cur[p] as Rec;
      }
      cur[parts[parts.length - 1]] = valueAt(rec, f) ?? "";
    } else {
      out[f] = rec[f] ?? "";
    }
  }
  return out;
}

function parseFieldList(value: unknown): string[] | "*" {
  const s = str(value);
  if (!s || s === "*") return "*";
  return s.split(",").map((f) => f.trim()).filter(Boolean);
}

function filteredRecords(ctx: FnContext, object: string, docparid: string): Rec[] {
  const all = recordsOf(ctx.company, object).filter((r) => visible(ctx.company, ctx.entityId, object, r));
  return docparid ? all.filter((r) => r.DOCPARID === docparid) : all;
}

// -------------------------------------------------------------------------------------------
// Reads

export function readByQuery(ctx: FnContext, body: Rec): FnOutcome {
  const object = str(body.object).toUpperCase();
  if (!knownObject(ctx.company, object)) return fail(UNSUPPORTED, `Object ${str(body.object)} is not supported by readByQuery.`);
  const pageSize = body.pagesize === undefined ? 100 : Number(str(body.pagesize));
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    return fail(QUERY_ERROR, `pagesize ${str(body.pagesize)} is out of range.`, "Use a page size between 1 and 1000.");
  }
  if (body.query === undefined) return fail("XL03000003", "XML Parse schema error: Element readByQuery is missing query.", "", "XML Parse schema error");
  const known = objectFields(ctx.company, object);
  const fields = parseFieldList(body.fields);
  if (fields !== "*") {
    const bad = fields.find((f) => !known.has(f));
    if (bad) return fail(QUERY_ERROR, `Query Failed: Field '${bad}' is not a field of object ${object}.`, "Check the field names with lookup.");
  }
  let predicate;
  try {
    predicate = parseReadByQuery(str(body.query), (f) => known.has(f));
  } catch (e) {
    return fail(QUERY_ERROR, `Query Failed: ${(e as Error).message} in '${str(body.query)}'.`, "Check the query syntax.");
  }
  const matched = filteredRecords(ctx, object, str(body.docparid))
    .filter(predicate)
    .map((r) => pick(header(object, r), fields));
  const listtype = object.toLowerCase();
  return page(ctx, { companyId: ctx.company.companyId, object, listtype, remaining: matched, pageSize, totalCount: matched.length, createdAt: ctx.now });
}

function page(ctx: FnContext, set: ResultSet, existingId?: string): FnOutcome {
  const chunk = set.remaining.slice(0, set.pageSize);
  const rest = set.remaining.slice(set.pageSize);
  // The same resultId serves every readMore until the result set is exhausted.
  let resultId = existingId ?? "";
  if (rest.length > 0) {
    resultId ||= randomBytes(12).toString("hex");
    ctx.resultSets.set(resultId, { ...set, remaining: rest });
  } else if (existingId) {
    ctx.resultSets.delete(existingId);
  }
  return {
    ok: true,
    write: false,
    data: {
      attrs: { listtype: set.listtype, count: chunk.length, totalcount: set.totalCount, numremaining: rest.length, resultId },
      records: chunk.map((r) => [set.listtype, r]),
    },
  };
}

/** ASSUMED: result sets stay readable for 30 minutes. */
const RESULT_TTL_MS = 30 * 60_000;

export function readMore(ctx: FnContext, body: Rec): FnOutcome {
  const resultId = str(body.resultId);
  if (!resultId) return fail(UNSUPPORTED, "readMore in the sandbox needs a resultId.");
  const set = ctx.resultSets.get(resultId);
  if (!set || set.companyId !== ctx.company.companyId || ctx.now - set.createdAt > RESULT_TTL_MS) {
    ctx.resultSets.delete(resultId);
    return fail(QUERY_ERROR, `Attempting to readMore with an invalid or expired resultId '${resultId}'.`, "Run readByQuery again.");
  }
  return page(ctx, set, resultId);
}

export function query(ctx: FnContext, body: Rec): FnOutcome {
  const object = str(body.object).toUpperCase();
  if (!knownObject(ctx.company, object)) return fail(UNSUPPORTED, `Object ${str(body.object)} is not supported by query.`);
  const known = objectFields(ctx.company, object);
  const select = asArray(obj(body.select).field).map(text);
  if (select.length === 0) return fail("XL03000003", "XML Parse schema error: select needs at least one field.", "", "XML Parse schema error");
  const bad = select.find((f) => !known.has(f));
  if (bad) return fail(QUERY_ERROR, `Query Failed: Field '${bad}' is not a field of object ${object}.`, "Check the field names with lookup.");
  const ci = str(obj(body.options).caseinsensitive) === "true";
  const pageSize = body.pagesize === undefined ? 100 : Number(str(body.pagesize));
  const offset = body.offset === undefined ? 0 : Number(str(body.offset));
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 2000) {
    return fail(QUERY_ERROR, `pagesize ${str(body.pagesize)} is out of range.`, "Use a page size between 1 and 2000.");
  }
  if (!Number.isInteger(offset) || offset < 0) return fail(QUERY_ERROR, `offset ${str(body.offset)} is invalid.`);
  let records = filteredRecords(ctx, object, str(body.docparid));
  try {
    if (body.filter !== undefined && body.filter !== "") {
      const predicate = parseFilter(obj(body.filter), (f) => known.has(f), ci);
      records = records.filter(predicate);
    }
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    return fail(QUERY_ERROR, `Query Failed: ${e.message}.`, "Check the filter.");
  }
  const orders = asArray(obj(body.orderby).order).map((o) => {
    const oo = obj(o);
    return { field: text(oo.field), descending: oo.descending !== undefined };
  });
  for (const o of orders) {
    if (!known.has(o.field)) return fail(QUERY_ERROR, `Query Failed: Field '${o.field}' in orderby is not a field of object ${object}.`);
  }
  if (orders.length > 0) {
    records = [...records].sort((a, b) => {
      for (const o of orders) {
        const c = compare(String(valueAt(a, o.field) ?? ""), String(valueAt(b, o.field) ?? ""), ci);
        if (c !== 0) return o.descending ? -c : c;
      }
      return 0;
    });
  }
  const chunk = records.slice(offset, offset + pageSize);
  return {
    ok: true,
    write: false,
    data: {
      attrs: {
        listtype: object,
        totalcount: records.length,
        offset,
        count: chunk.length,
        numremaining: Math.max(0, records.length - offset - chunk.length),
      },
      records: chunk.map((r) => [object, pick(r, select)]),
    },
  };
}

export function read(ctx: FnContext, body: Rec): FnOutcome {
  const object = str(body.object).toUpperCase();
  if (!knownObject(ctx.company, object)) return fail(UNSUPPORTED, `Object ${str(body.object)} is not supported by read.`);
  const keys = str(body.keys).split(",").map((k) => k.trim()).filter(Boolean);
  if (keys.length === 0) return fail("BL34000061", "Required field keys is missing.");
  const fields = parseFieldList(body.fields);
  const known = objectFields(ctx.company, object);
  if (fields !== "*") {
    const bad = fields.find((f) => !known.has(f) && !f.includes("."));
    if (bad) return fail(QUERY_ERROR, `Field '${bad}' is not a field of object ${object}.`);
  }
  const listtype = object.toLowerCase();
  const found = filteredRecords(ctx, object, str(body.docparid)).filter((r) => keys.includes(String(r.RECORDNO)));
  return {
    ok: true,
    write: false,
    data: { attrs: { listtype, count: found.length }, records: found.map((r) => [listtype, pick(r, fields)]) },
  };
}

// -------------------------------------------------------------------------------------------
// Writes

function run(fn: () => FnOutcome): FnOutcome {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Invalid || e instanceof Refusal) return { ok: false, errors: e.errors };
    throw e;
  }
}

function stampNew(ctx: FnContext, rec: Rec): Rec {
  const ts = auditTimestamp(ctx.now);
  return { RECORDNO: nextRecordNo(ctx.company), ...rec, ...entityStamp(ctx.company, ctx.entityId), WHENCREATED: rec.WHENCREATED ?? ts, WHENMODIFIED: ts, CREATEDBY: "xml_gateway" };
}

/** Lines of a transaction: written where the session may (entity), user-defined dimensions checked. */
function checkLines(ctx: FnContext, lines: Rec[], locationField: string): Array<Record<string, string>> {
  checkEntityWrite(ctx.company, ctx.entityId, lines.map((l) => str(l[locationField])));
  return lines.map((l, i) => lineUserDimensions(ctx.company, l, i + 1));
}

const GL_DIMENSIONS = {
  LOCATION: "LOCATION",
  DEPARTMENT: "DEPARTMENT",
  PROJECTID: "PROJECT",
  CLASSID: "CLASS",
  CUSTOMERID: "CUSTOMER",
  VENDORID: "VENDOR",
  ITEMID: "ITEM",
  EMPLOYEEID: "EMPLOYEE",
};

const LINE_DIMENSIONS = {
  LOCATIONID: "LOCATION",
  DEPARTMENTID: "DEPARTMENT",
  PROJECTID: "PROJECT",
  CLASSID: "CLASS",
  CUSTOMERID: "CUSTOMER",
  VENDORID: "VENDOR",
  ITEMID: "ITEM",
  EMPLOYEEID: "EMPLOYEE",
};

const LEGACY_DIMENSIONS = {
  locationid: "LOCATION",
  departmentid: "DEPARTMENT",
  projectid: "PROJECT",
  classid: "CLASS",
  customerid: "CUSTOMER",
  vendorid: "VENDOR",
  itemid: "ITEM",
  employeeid: "EMPLOYEE",
};

function cents(n: number): number {
  return Math.round(n * 100);
}

/** Refuse a posting dated (MM/DD/YYYY) in a closed period, with the text Intacct answers. */
function checkOpenPeriod(company: Company, usDate: string): void {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(usDate);
  if (!m) return;
  if ((company.closedPeriods ?? []).includes(`${m[3]}-${m[1]}`)) {
    invalid(
      `Periods are closed. Your transaction date (${usDate}) is within a period that's been closed. You can add, modify, or delete a transaction only if the date of the transaction is within a period that's open.`,
      "Use a date in an open period, or reopen the period.",
      PERIOD_CLOSED,
    );
  }
}

/** A line in another currency than the base one needs EXCHANGE_RATE or EXCH_RATE_TYPE_ID; returns the rate. */
function lineRate(company: Company, currency: string, rate: unknown, rateType: unknown, label: string): number {
  if (!currency || currency === (company.baseCurrency ?? "USD")) return 1;
  const r = Number(str(rate));
  if (str(rate) && Number.isFinite(r) && r > 0) return r;
  if (str(rateType)) return 1;
  invalid(`${label}: currency ${currency} differs from the base currency ${company.baseCurrency ?? "USD"}, so an exchange rate or rate type is required.`, "Give EXCHANGE_RATE (exchrate) or EXCH_RATE_TYPE_ID (exchratetype).", NO_RATE);
}

function createGlBatch(ctx: FnContext, rec: Rec): [string, Rec] {
  const journal = required(rec, "JOURNAL", "Journal");
  mustExist(ctx.company, "GLJOURNAL", journal);
  const batchDate = usDateField(rec, "BATCH_DATE", "Batch date");
  checkOpenPeriod(ctx.company, batchDate);
  const title = required(rec, "BATCH_TITLE", "Description (BATCH_TITLE)");
  const entries = asArray(obj(rec.ENTRIES).GLENTRY).map(obj);
  if (entries.length < 2) invalid("A journal entry needs at least two lines.", "Add debit and credit lines.", "BL34000061");
  checkLines(ctx, entries, "LOCATION");
  let debit = 0;
  let credit = 0;
  const lines = entries.map((e, i) => {
    const account = required(e, "ACCOUNTNO", `Account number on line ${i + 1}`);
    mustExist(ctx.company, "GLACCOUNT", account);
    const trType = str(e.TR_TYPE);
    if (trType !== "1" && trType !== "-1") invalid(`TR_TYPE '${trType}' on line ${i + 1} must be 1 (debit) or -1 (credit).`);
    const amt = amount(e.TRX_AMOUNT, `Amount on line ${i + 1}`);
    if (amt <= 0) invalid(`Amount on line ${i + 1} must be positive; use TR_TYPE for the sign.`);
    checkDimensions(ctx.company, e, GL_DIMENSIONS);
    const rate = lineRate(ctx.company, str(e.CURRENCY), e.EXCHANGE_RATE, e.EXCH_RATE_TYPE_ID, `Line ${i + 1}`);
    if (trType === "1") debit += cents(amt);
    else credit += cents(amt);
    return { RECORDNO: nextRecordNo(ctx.company), LINE_NO: String(i + 1), ...e, TRX_AMOUNT: amt.toFixed(2), AMOUNT: (cents(amt * rate) / 100).toFixed(2), CURRENCY: str(e.CURRENCY) || (ctx.company.baseCurrency ?? "USD") };
  });
  if (debit !== credit) {
    invalid(
      `The transaction is not balanced: debits ${(debit / 100).toFixed(2)} and credits ${(credit / 100).toFixed(2)}.`,
      "Make the debit lines and the credit lines add up to the same amount.",
      UNBALANCED,
    );
  }
  const batchNo = nextCounter(ctx.company, "GLBATCH");
  const stored = stampNew(ctx, {
    BATCHNO: String(batchNo),
    JOURNAL: journal,
    BATCH_DATE: batchDate,
    BATCH_TITLE: title,
    REFERENCENO: str(rec.REFERENCENO),
    REVERSEDATE: str(rec.REVERSEDATE),
    STATE: str(rec.STATE) || "Posted",
    ENTRIES: { GLENTRY: lines },
  });
  ctx.company.records.GLBATCH.push(stored);
  return ["glbatch", { RECORDNO: stored.RECORDNO }];
}

function createApBill(ctx: FnContext, rec: Rec): [string, Rec] {
  const vendorId = required(rec, "VENDORID", "Vendor ID");
  const vendor = mustExist(ctx.company, "VENDOR", vendorId);
  const created = usDateField(rec, "WHENCREATED", "Date");
  checkOpenPeriod(ctx.company, str(rec.WHENPOSTED) || created);
  const due = usDateField(rec, "WHENDUE", "Due date", false);
  // Like Intacct, a bill without a due date or terms takes the vendor's terms.
  const termName = str(rec.TERMNAME) || str(vendor.TERMNAME);
  if (!due && !termName) invalid("The Date Due field is missing a value.", "Provide WHENDUE or a TERMNAME.", "BL34000061");
  const items = asArray(obj(rec.APBILLITEMS).APBILLITEM).map(obj);
  if (items.length === 0) invalid("A bill needs at least one line.", "Add APBILLITEMS/APBILLITEM.", "BL34000061");
  checkLines(ctx, items, "LOCATIONID");
  let total = 0;
  const lines = items.map((l, i) => {
    const account = required(l, "ACCOUNTNO", `Account on line ${i + 1}`);
    mustExist(ctx.company, "GLACCOUNT", account);
    const amt = amount(l.TRX_AMOUNT, `Amount on line ${i + 1}`);
    checkDimensions(ctx.company, l, LINE_DIMENSIONS);
    total += cents(amt);
    return { RECORDNO: nextRecordNo(ctx.company), LINE_NO: String(i + 1), ...l, TRX_AMOUNT: amt.toFixed(2) };
  });
  const stored = stampNew(ctx, {
    RECORDID: str(rec.RECORDID),
    DOCNUMBER: str(rec.DOCNUMBER),
    VENDORID: vendorId,
    VENDORNAME: vendor.NAME,
    DESCRIPTION: str(rec.DESCRIPTION),
    WHENCREATED: created,
    WHENPOSTED: str(rec.WHENPOSTED) || created,
    WHENDUE: due,
    TERMNAME: termName,
    CURRENCY: str(rec.CURRENCY) || "USD",
    STATE: str(rec.ACTION) === "Draft" ? "Draft" : "Posted",
    TOTALENTERED: (total / 100).toFixed(2),
    TOTALDUE: (total / 100).toFixed(2),
    APBILLITEMS: { APBILLITEM: lines },
  });
  ctx.company.records.APBILL.push(stored);
  return ["apbill", { RECORDNO: stored.RECORDNO }];
}

function createMaster(ctx: FnContext, object: string, rec: Rec): [string, Rec] {
  const idField = OBJECTS[object].idField!;
  const nameField = object === "DEPARTMENT" || object === "GLACCOUNT" ? "TITLE" : "NAME";
  required(rec, nameField, `${TITLES[object]} name`);
  let id = str(rec[idField]);
  if (!id) {
    if (object !== "VENDOR" && object !== "CUSTOMER" && object !== "PROJECT") required(rec, idField, `${TITLES[object]} ID`);
    const prefix = object === "VENDOR" ? "V" : object === "CUSTOMER" ? "C" : "P-";
    do id = `${prefix}${nextCounter(ctx.company, object) + 5000}`;
    while (findById(ctx.company, object, id));
  }
  if (findById(ctx.company, object, id)) {
    invalid(`Another ${TITLES[object]} with the given value(s) ${id} already exists`, "Use a unique value instead.");
  }
  if (object === "GLACCOUNT") {
    for (const f of ["ACCOUNTTYPE", "NORMALBALANCE", "CLOSINGTYPE"]) required(rec, f, f);
  }
  if (object === "PROJECT") required(rec, "PROJECTCATEGORY", "Project category");
  const display = obj(rec.DISPLAYCONTACT);
  if ((object === "VENDOR" || object === "CUSTOMER") && rec.DISPLAYCONTACT !== undefined && !str(display.PRINTAS)) {
    invalid("Required field Print As is missing.", "Provide DISPLAYCONTACT/PRINTAS.", "BL34000061");
  }
  const stored = stampNew(ctx, { ...rec, [idField]: id, STATUS: str(rec.STATUS) || "active" });
  ctx.company.records[object].push(stored);
  return [object.toLowerCase(), { RECORDNO: stored.RECORDNO, [idField]: id }];
}

const CREATABLE = new Set(["GLBATCH", "APBILL", "VENDOR", "CUSTOMER", "DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "GLACCOUNT"]);

export function create(ctx: FnContext, body: Rec): FnOutcome {
  return run(() => {
    const created: Array<[string, Rec]> = [];
    const objects = Object.entries(body).filter(([k]) => !k.startsWith("@"));
    if (objects.length === 0) invalid("create needs at least one object.", "", "XL03000003");
    for (const [name, value] of objects) {
      const object = name.toUpperCase();
      if (!CREATABLE.has(object)) invalid(`Object ${name} cannot be created with create in this company.`, "", UNSUPPORTED);
      for (const rec of asArray(value).map(obj)) {
        if (object === "GLBATCH") created.push(createGlBatch(ctx, rec));
        else if (object === "APBILL") created.push(createApBill(ctx, rec));
        else created.push(createMaster(ctx, object, rec));
      }
    }
    return { ok: true, write: true, data: { attrs: { listtype: "objects", count: created.length }, records: created } };
  });
}

export function createApAdjustment(ctx: FnContext, body: Rec): FnOutcome {
  return run(() => {
    const vendorId = required(body, "vendorid", "Vendor ID");
    const vendor = mustExist(ctx.company, "VENDOR", vendorId);
    const created = legacyDate(body.datecreated, "Date created");
    const posted = legacyDate(body.dateposted, "Date posted", false);
    checkOpenPeriod(ctx.company, posted || created);
    const items = asArray(obj(body.apadjustmentitems).lineitem).map(obj);
    if (items.length === 0) invalid("Adjustment lines, must have at least 1.", "Add apadjustmentitems/lineitem.", "BL34000061");
    const userDims = checkLines(ctx, items, "locationid");
    let total = 0;
    let sign = 0;
    const lines = items.map((l, i) => {
      const account = str(l.glaccountno);
      if (!account && !str(l.accountlabel)) invalid(`GL account number on line ${i + 1} is missing.`, "Provide glaccountno or accountlabel.", "BL34000061");
      if (account) mustExist(ctx.company, "GLACCOUNT", account);
      if (str(l.offsetglaccountno)) mustExist(ctx.company, "GLACCOUNT", str(l.offsetglaccountno));
      const amt = amount(l.amount, `Amount on line ${i + 1}`);
      const s = Math.sign(amt);
      if (sign !== 0 && s !== 0 && s !== sign) invalid("Amounts must be all positive or all negative, not mixed.");
      if (s !== 0) sign = s;
      checkDimensions(ctx.company, l, LEGACY_DIMENSIONS);
      total += cents(amt);
      return {
        RECORDNO: nextRecordNo(ctx.company),
        LINE_NO: String(i + 1),
        ACCOUNTNO: account,
        OFFSETACCOUNTNO: str(l.offsetglaccountno),
        AMOUNT: amt.toFixed(2),
        ENTRYDESCRIPTION: str(l.memo),
        LOCATIONID: str(l.locationid),
        DEPARTMENTID: str(l.departmentid),
        PROJECTID: str(l.projectid),
        CLASSID: str(l.classid),
        CUSTOMERID: str(l.customerid),
        ITEMID: str(l.itemid),
        ...userDims[i],
      };
    });
    const stored = stampNew(ctx, {
      RECORDID: str(body.adjustmentno),
      DOCNUMBER: str(body.billno),
      VENDORID: vendorId,
      VENDORNAME: vendor.NAME,
      DESCRIPTION: str(body.description),
      EXTERNALID: str(body.externalid),
      WHENCREATED: created,
      WHENPOSTED: posted || created,
      CURRENCY: str(body.currency) || "USD",
      STATE: str(body.action) === "Draft" ? "Draft" : "Posted",
      TOTALENTERED: (total / 100).toFixed(2),
      APADJUSTMENTITEMS: { APADJUSTMENTITEM: lines },
    });
    ctx.company.records.APADJUSTMENT.push(stored);
    return { ok: true, write: true, key: String(stored.RECORDNO) };
  });
}

/**
 * create_aradjustment: a debit memo (positive lines: the customer owes more) or a credit memo
 * (negative lines) in the AR subledger, against the customer and optionally one invoice. Each line
 * credits (debit memo) or debits (credit memo) its GL account; the AR control account takes the
 * other side, so the customer's balance and aging include it.
 * https://developer.intacct.com/api/accounts-receivable/ar-adjustments/#create-ar-adjustment-legacy
 */
export function createArAdjustment(ctx: FnContext, body: Rec): FnOutcome {
  return run(() => {
    const customerId = required(body, "customerid", "Customer ID");
    const customer = mustExist(ctx.company, "CUSTOMER", customerId);
    const created = legacyDate(body.datecreated, "Date created");
    const posted = legacyDate(body.dateposted, "Date posted", false);
    checkOpenPeriod(ctx.company, posted || created);
    const invoiceNo = str(body.invoiceno);
    if (invoiceNo && !ctx.company.records.ARINVOICE.some((r) => r.RECORDID === invoiceNo && r.CUSTOMERID === customerId)) {
      invalid(`Invalid invoice number '${invoiceNo}' for customer '${customerId}'.`, "Give an invoice of this customer.");
    }
    const adjustmentNo = str(body.adjustmentno);
    if (adjustmentNo && ctx.company.records.ARADJUSTMENT.some((r) => r.RECORDID === adjustmentNo && r.CUSTOMERID === customerId)) {
      invalid(`Adjustment number '${adjustmentNo}' already exists for customer '${customerId}'.`, "Use another adjustment number.");
    }
    const currency = str(body.currency) || (ctx.company.baseCurrency ?? "USD");
    const rate = lineRate(ctx.company, currency, body.exchrate, body.exchratetype, "Adjustment");
    const rateDate = body.exchratedate ? legacyDate(body.exchratedate, "Exchange rate date", false) : "";
    const items = asArray(obj(body.aradjustmentitems).lineitem).map(obj);
    if (items.length === 0) invalid("Adjustment lines, must have at least 1.", "Add aradjustmentitems/lineitem.", "BL34000061");
    const userDims = checkLines(ctx, items, "locationid");
    let total = 0;
    let sign = 0;
    const lines = items.map((l, i) => {
      const account = str(l.glaccountno);
      if (!account && !str(l.accountlabel)) invalid(`GL account number on line ${i + 1} is missing.`, "Provide glaccountno or accountlabel.", "BL34000061");
      if (account) mustExist(ctx.company, "GLACCOUNT", account);
      const amt = amount(l.amount, `Amount on line ${i + 1}`);
      const s = Math.sign(amt);
      if (sign !== 0 && s !== 0 && s !== sign) invalid("Amounts must be all positive or all negative, not mixed.");
      if (s !== 0) sign = s;
      checkDimensions(ctx.company, l, LEGACY_DIMENSIONS);
      total += cents(amt);
      return {
        RECORDNO: nextRecordNo(ctx.company),
        LINE_NO: String(i + 1),
        ACCOUNTNO: account,
        TRX_AMOUNT: amt.toFixed(2),
        AMOUNT: (cents(amt * rate) / 100).toFixed(2),
        ENTRYDESCRIPTION: str(l.memo),
        LOCATIONID: str(l.locationid),
        DEPARTMENTID: str(l.departmentid),
        PROJECTID: str(l.projectid),
        CLASSID: str(l.classid),
        ITEMID: str(l.itemid),
        ...userDims[i],
      };
    });
    const base = lines.reduce((sum, l) => sum + cents(Number(l.AMOUNT)), 0);
    const stored = stampNew(ctx, {
      RECORDID: adjustmentNo,
      DOCNUMBER: invoiceNo,
      CUSTOMERID: customerId,
      CUSTOMERNAME: customer.NAME,
      ADJUSTMENTTYPE: sign < 0 ? "Credit Memo" : "Debit Memo",
      DESCRIPTION: str(body.description),
      EXTERNALID: str(body.externalid),
      WHENCREATED: created,
      WHENPOSTED: posted || created,
      BASECURR: ctx.company.baseCurrency ?? "USD",
      CURRENCY: currency,
      EXCHANGE_RATE: String(rate),
      EXCH_RATE_DATE: rateDate,
      STATE: str(body.action) === "Draft" ? "Draft" : "Posted",
      TRX_TOTALENTERED: (total / 100).toFixed(2),
      TOTALENTERED: (base / 100).toFixed(2),
      TOTALDUE: (base / 100).toFixed(2),
      ARADJUSTMENTITEMS: { ARADJUSTMENTITEM: lines },
    });
    ctx.company.records.ARADJUSTMENT.push(stored);
    return { ok: true, write: true, key: String(stored.RECORDNO) };
  });
}

/**
 * reverse_bill key=<RECORDNO>: a posted bill reads back Reversed, nothing left due, dated on
 * `datereversed` (which must be in an open period). A paid or already reversed bill is refused.
 * https://developer.intacct.com/api/accounts-payable/bills/#reverse-bill-legacy
 */
export function reverseBill(ctx: FnContext, body: Rec): FnOutcome {
  return run(() => {
    const key = str(body["@key"] ?? body.key);
    if (!key) invalid("Required attribute key is missing.", "Give the bill's RECORDNO as key.", "BL34000061");
    const bill = ctx.company.records.APBILL.find((r) => String(r.RECORDNO) === key);
    if (!bill) invalid(`Invalid bill key '${key}' specified.`);
    const reversed = legacyDate(body.datereversed, "Date reversed");
    checkOpenPeriod(ctx.company, reversed);
    if (bill!.STATE === "Reversed") invalid(`Bill ${key} is already reversed.`);
    if (bill!.STATE === "Paid") invalid(`Bill ${key} is paid: void the payment first.`);
    bill!.STATE = "Reversed";
    bill!.WHENREVERSED = reversed;
    bill!.REVERSALDESCRIPTION = str(body.description);
    bill!.TOTALDUE = "0.00";
    bill!.WHENMODIFIED = auditTimestamp(ctx.now);
    return { ok: true, write: true, key };
  });
}

/** Transaction definitions of Purchasing in the demo company. */
const PO_DEFINITIONS = new Set(["Purchase Order", "Purchase Requisition", "Vendor Invoice"]);

export function createPoTransaction(ctx: FnContext, body: Rec): FnOutcome {
  return run(() => {
    const type = required(body, "transactiontype", "Transaction type");
    if (!PO_DEFINITIONS.has(type)) invalid(`Invalid transaction definition '${type}' specified.`, "Use an existing Purchasing transaction definition.");
    const vendorId = required(body, "vendorid", "Vendor ID");
    const vendor = mustExist(ctx.company, "VENDOR", vendorId);
    const created = legacyDate(body.datecreated, "Date created");
    const due = legacyDate(body.datedue, "Date due", false);
    const items = asArray(obj(body.potransitems).potransitem).map(obj);
    if (items.length === 0) invalid("A purchasing transaction needs at least one line.", "Add potransitems/potransitem.", "BL34000061");
    let total = 0;
    const lines = items.map((l, i) => {
      const itemId = str(l.itemid);
      if (!itemId) invalid(`Required field Item ID on line ${i + 1} is missing.`, "", "BL34000061");
      const item = mustExist(ctx.company, "ITEM", itemId);
      const qty = amount(l.quantity, `Quantity on line ${i + 1}`);
      const price = l.price === undefined ? 0 : amount(l.price, `Price on line ${i + 1}`);
      checkDimensions(ctx.company, l, LEGACY_DIMENSIONS);
      const lineTotal = cents(qty * price);
      total += lineTotal;
      return {
        RECORDNO: nextRecordNo(ctx.company),
        LINE_NO: String(i + 1),
        ITEMID: itemId,
        ITEMNAME: item.NAME,
        QUANTITY: String(qty),
        UNIT: str(l.unit) || "Each",
        PRICE: price.toFixed(2),
        TOTAL: (lineTotal / 100).toFixed(2),
        MEMO: str(l.memo),
        LOCATION: str(l.locationid),
        DEPARTMENT: str(l.departmentid),
        PROJECTID: str(l.projectid),
        CLASSID: str(l.classid),
      };
    });
    const docNo = str(body.documentno) || `PO${String(nextCounter(ctx.company, "PO")).padStart(4, "0")}`;
    const docId = `${type}-${docNo}`;
    if ((ctx.company.records.PODOCUMENT ?? []).some((d) => d.DOCID === docId)) {
      invalid(`Another Document with the given value(s) ${docId} already exists`, "Use a unique document number.");
    }
    const stored = stampNew(ctx, {
      DOCID: docId,
      DOCNO: docNo,
      DOCPARID: type,
      STATE: str(body.state) === "Draft" ? "Draft" : "Pending",
      CUSTVENDID: vendorId,
      CUSTVENDNAME: vendor.NAME,
      PONUMBER: str(body.referenceno),
      VENDORDOCNO: str(body.vendordocno),
      MESSAGE: str(body.message),
      WHENCREATED: created,
      WHENDUE: due,
      CURRENCY: str(body.currency) || "USD",
      TOTAL: (total / 100).toFixed(2),
      PODOCUMENTENTRIES: { podocumententry: lines },
    });
    ctx.company.records.PODOCUMENT.push(stored);
    return { ok: true, write: true, key: docId };
  });
}

export const FUNCTIONS: Record<string, { write: boolean; run: (ctx: FnContext, body: Rec) => FnOutcome }> = {
  readByQuery: { write: false, run: readByQuery },
  readMore: { write: false, run: readMore },
  query: { write: false, run: query },
  read: { write: false, run: read },
  create: { write: true, run: create },
  create_apadjustment: { write: true, run: createApAdjustment },
  create_aradjustment: { write: true, run: createArAdjustment },
  reverse_bill: { write: true, run: reverseBill },
  create_potransaction: { write: true, run: createPoTransaction },
};
