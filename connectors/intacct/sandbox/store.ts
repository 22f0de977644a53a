/**
 * In-memory state of the Intacct sandbox: companies, senders, users, sessions, records per
 * object, used function controlids (uniqueid) and open readByQuery result sets.
 */

export type Rec = Record<string, unknown>;

/** Objects the sandbox knows, with their business id field and line collection, if any. */
export const OBJECTS: Record<string, { idField?: string; lines?: { collection: string; item: string } }> = {
  GLACCOUNT: { idField: "ACCOUNTNO" },
  DEPARTMENT: { idField: "DEPARTMENTID" },
  LOCATION: { idField: "LOCATIONID" },
  CLASS: { idField: "CLASSID" },
  PROJECT: { idField: "PROJECTID" },
  VENDOR: { idField: "VENDORID" },
  CUSTOMER: { idField: "CUSTOMERID" },
  ITEM: { idField: "ITEMID" },
  EMPLOYEE: { idField: "EMPLOYEEID" },
  GLJOURNAL: { idField: "SYMBOL" },
  GLBATCH: { lines: { collection: "ENTRIES", item: "GLENTRY" } },
  APBILL: { lines: { collection: "APBILLITEMS", item: "APBILLITEM" } },
  APADJUSTMENT: { lines: { collection: "APADJUSTMENTITEMS", item: "APADJUSTMENTITEM" } },
  ARADJUSTMENT: { lines: { collection: "ARADJUSTMENTITEMS", item: "ARADJUSTMENTITEM" } },
  PODOCUMENT: { lines: { collection: "PODOCUMENTENTRIES", item: "podocumententry" } },
  SODOCUMENT: { lines: { collection: "SODOCUMENTENTRIES", item: "sodocumententry" } },
  ARINVOICE: { lines: { collection: "ARINVOICEITEMS", item: "arinvoiceitem" } },
  /** Audit trail: one row per create, change or delete of a record (OBJECTTYPE, OBJECTKEY, ACCESSMODE, ACCESSTIME). */
  AUDITHISTORY: {},
  /** The ledger rows: every GLBATCH line with its batch's JOURNAL, BATCHNO and BATCH_DATE (read-only view). */
  GLENTRY: {},
};

export interface Company {
  companyId: string;
  /** Sender ids authorized in this company. */
  senders: string[];
  /** `entityId`: a user restricted to entity-level access at that entity (multi-entity companies). */
  users: Record<string, { password: string; entityId?: string }>;
  records: Record<string, Rec[]>;
  nextRecordNo: number;
  counters: Record<string, number>;
  /** Closed accounting periods as YYYY-MM: postings dated in them are refused. */
  closedPeriods?: string[];
  /** Base (company) currency; lines in another currency need a rate. */
  baseCurrency?: string;
  /** User-defined dimensions (platform objects enabled as GL dimensions); their values are records of `objectName`. */
  userDimensions?: UserDimension[];
  /** Multi-entity company: the LOCATIONIDs that are entities (sessions may target one). */
  entities?: string[];
  /** Multi-entity company that refuses transactions entered at the top level. */
  entityRequired?: boolean;
}

export interface UserDimension {
  /** Integration name, upper case (CHANNEL): the object to read its values from. */
  objectName: string;
  objectLabel: string;
  termLabel: string;
}

export interface SandboxState {
  senders: Record<string, { password: string }>;
  companies: Record<string, Company>;
}

export interface Session {
  sessionId: string;
  companyId: string;
  userId: string;
  locationId: string;
  expiresAt: number;
}

export interface ResultSet {
  companyId: string;
  object: string;
  listtype: string;
  remaining: Rec[];
  pageSize: number;
  totalCount: number;
  createdAt: number;
}

/** "MM/DD/YYYY HH:MM:SS" as Intacct prints audit timestamps (no timezone). */
export function auditTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** "MM/DD/YYYY" */
export function usDate(ms: number): string {
  return auditTimestamp(ms).slice(0, 10);
}

/** Parse "MM/DD/YYYY" or "MM/DD/YYYY HH:MM:SS" (as UTC); undefined when it is not one. */
export function parseUsDate(value: string): number | undefined {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [, mo, d, y, h = "0", mi = "0", s = "0"] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(ms);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  return ms;
}

/** ISO 8601 with offset, as in `sessiontimestamp` ("2019-03-28T13:14:34+00:00"). */
export function isoWithOffset(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

export function findById(company: Company, object: string, id: string): Rec | undefined {
  const idField = OBJECTS[object]?.idField;
  if (!idField) return undefined;
  return company.records[object]?.find((r) => r[idField] === id);
}

export function nextRecordNo(company: Company): string {
  return String(company.nextRecordNo++);
}

export function nextCounter(company: Company, name: string): number {
  company.counters[name] = (company.counters[name] ?? 0) + 1;
  return company.counters[name];
}

/** A record without its line collection (readByQuery and query list headers only). */
export function header(object: string, rec: Rec): Rec {
  const lines = OBJECTS[object]?.lines;
  if (!lines) return rec;
  const { [lines.collection]: _omit, ...rest } = rec;
  return rest;
}

/** Value at a dotted path ("SHIPTO.MAILADDRESS.STATE"). */
export function valueAt(rec: Rec, path: string): unknown {
  let cur: unknown = rec;
  for (const part of path.split(".")) {
    if (!cur || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Rec)[part];
  }
  return cur;
}

/** Dotted paths of every scalar field of a record (for field validation). */
export function fieldPaths(rec: Rec, prefix = "", out = new Set<string>()): Set<string> {
  for (const [k, v] of Object.entries(rec)) {
    const path = prefix ? `${prefix}.${k}` : k;
    out.add(path);
    if (v && typeof v === "object" && !Array.isArray(v)) fieldPaths(v as Rec, path, out);
  }
  return out;
}
