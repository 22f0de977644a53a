/**
 * The Intacct client of a connection whose transport is "rest" or "both": the same operations the
 * nodes call on IntacctClient (readByQuery, query, read, create, legacyCreate("update"), batch,
 * ping), sent over the REST API when it serves the object (objects.ts), answered in the XML shape
 * the nodes read. What REST does not cover goes to the XML gateway on "both" and is refused with
 * a clear PermanentError on "rest"; the nodes stay the same.
 *
 * Idempotency: creates and updates carry `Idempotency-Key` (the node's ledger key); a 409 for a key
 * already used reads the record back by its natural key (the node's readBack) and ends as
 * AlreadyDone with it, as a repeated controlid does on the XML gateway. The nodes also look the
 * record up by that key before they create it (reconcileFirst), which covers keys REST forgot
 * (replays are kept 48 hours).
 */
import { AlreadyDoneError, NeedsReviewError, PermanentError, stateSlot } from "../../sdk";
import { IntacctClient, type CreatedRecord, type QueryPage, type QuerySpec } from "../client";
import { SYSTEM } from "../errors";
import type { ExecuteOptions, FunctionResult, IntacctEnv, IntacctFunction } from "../transport";
import { legacyQueryToRest, queryFilterToRest, type RestFilters } from "./filters";
import { getPath, leafPaths, restFieldsFor, restObjectFor, restToRecord, setPath, toRestValue, type RestObject } from "./objects";
import { IntacctRestTransport, RestFailure } from "./transport";

type Rec = Record<string, unknown>;

/** REST query pages are at most 4000 rows (2.3). */
const MAX_PAGE = 4000;

/** Query answers name fields flat ("glJournal.id"); records are read nested. */
function unflatten(row: Rec): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(row)) if (v !== null) setPath(out, k, v);
  return out;
}

/** An XML-shaped record a node builds, as the REST body of the same object; undefined when a field has no REST form. */
export function xmlToRestBody(obj: RestObject, record: Rec): Rec | undefined {
  const body: Rec = {};
  const header = { ...record };
  let lines: Rec[] | undefined;
  if (obj.lines) {
    const coll = header[obj.lines.collection] as Rec | undefined;
    delete header[obj.lines.collection];
    if (coll !== undefined) {
      const items = coll[obj.lines.item];
      lines = (Array.isArray(items) ? items : items ? [items] : []) as Rec[];
    }
  }
  const put = (target: Rec, fields: RestObject["fields"], source: Rec): boolean => {
    for (const path of leafPaths(source)) {
      const raw = getPath(source, path);
      if (raw === undefined) continue;
      const m = fields.find((f) => f.xml === path && !f.readOnly);
      if (!m) return false;
      const v = toRestValue(m.kind, raw);
      if (v !== undefined) setPath(target, m.rest, v);
    }
    return true;
  };
  if (!put(body, obj.fields, header)) return undefined;
  if (lines) {
    const out: Rec[] = [];
    for (const l of lines) {
      const line: Rec = {};
      if (!put(line, obj.lines!.fields, l)) return undefined;
      out.push(line);
    }
    body.lines = out;
  }
  return body;
}

export class IntacctRestClient extends IntacctClient {
  readonly rest: IntacctRestTransport;
  /** REST clients of other entities of the same connection (an entity-level token each). */
  private readonly restEntities = new Map<string, IntacctRestClient>();

  constructor(env: IntacctEnv) {
    super(env);
    this.rest = new IntacctRestTransport(env);
  }

  /**
   * A record routed to another entity: the same connection with a token for
   * `userId@companyId|entity` (and, on "both", that entity's gateway session), in its own slot of
   * the connection state, like the XML side's entity clients.
   */
  override forEntity(entityId: string | undefined): IntacctClient {
    if (entityId === undefined || entityId === this.entityId) return this;
    let client = this.restEntities.get(entityId);
    if (!client) {
      client = new IntacctRestClient({ ...this.env, config: { ...this.env.config, entityId }, state: stateSlot(this.env.state, `entity:${entityId}`) });
      this.restEntities.set(entityId, client);
    }
    return client;
  }

  get mode(): "rest" | "both" {
    return this.env.config.transport === "rest" ? "rest" : "both";
  }

  /** On "rest", an operation REST does not cover is refused; on "both" it goes to the XML gateway. */
  private xmlOnly<T>(what: string, viaXml: () => Promise<T>): Promise<T> {
    if (this.mode === "rest") {
      return Promise.reject(
        new PermanentError(`Intacct ${what} needs the XML gateway: the REST API does not cover it here. Set the connection's transport to "both".`, {
          system: SYSTEM,
          code: "rest_not_covered",
        }),
      );
    }
    return viaXml();
  }

  private unwrap(error: unknown): never {
    if (error instanceof RestFailure) throw error.classified;
    throw error;
  }

  /** Every page of a REST query (`start = next` until next is null), as XML-shaped records. */
  private async restQuery(obj: RestObject, fields: string[], filters: RestFilters, options: { pageSize?: number; max?: number; start?: number; caseInsensitive?: boolean; orderBy?: QuerySpec["orderBy"]; onePage?: boolean }) {
    const size = Math.min(MAX_PAGE, Math.max(1, options.pageSize ?? 1000));
    const max = options.max ?? Number.POSITIVE_INFINITY;
    const records: Rec[] = [];
    let start: number | null = options.start ?? 1;
    let totalCount = 0;
    const orderBy = options.orderBy?.map((o) => {
      const m = obj.fields.find((f) => f.xml === o.field || f.xml === o.field.toUpperCase());
      return m ? { [m.rest]: o.descending ? "desc" : "asc" } : undefined;
    });
    if (orderBy?.some((o) => o === undefined)) return undefined;
    while (start !== null && records.length < max) {
      const body: Rec = { object: obj.path, fields, ...filters, start, size: Math.min(size, Math.max(1, max - records.length)) };
      if (options.caseInsensitive) body.filterParameters = { caseSensitiveComparison: false };
      if (orderBy?.length) body.orderBy = orderBy;
      const res = await this.rest.request({ method: "POST", path: "/services/core/query", body, label: `query ${obj.path}` }).catch((e) => this.unwrap(e));
      const rows = Array.isArray(res.json["ia::result"]) ? (res.json["ia::result"] as Rec[]) : [];
      const meta = (res.json["ia::meta"] ?? {}) as Rec;
      totalCount = Number(meta.totalCount ?? rows.length);
      records.push(...rows.map((r) => restToRecord(obj, unflatten(r))));
      const next = meta.next;
      start = typeof next === "number" && rows.length > 0 ? next : null;
      if (options.onePage) break;
    }
    return { records, totalCount, more: start !== null };
  }

  private queryFields(obj: RestObject, xmlFields: string[] | undefined): string[] | undefined {
    const fields = restFieldsFor(obj, xmlFields)?.filter((f) => f !== "lines");
    return fields && fields.length ? fields : undefined;
  }

  override async readByQuery(object: string, query: string, options: { fields?: string[]; pageSize?: number; docparid?: string; maxRecords?: number } = {}): Promise<Rec[]> {
    const obj = restObjectFor(object);
    const fields = obj ? this.queryFields(obj, options.fields) : undefined;
    const filters = obj && fields && !options.docparid ? legacyQueryToRest(obj, query) : undefined;
    if (!obj || !fields || !filters) return this.xmlOnly(`readByQuery ${object}`, () => super.readByQuery(object, query, options));
    const out = await this.restQuery(obj, fields, filters, { pageSize: options.pageSize, max: options.maxRecords });
    if (!out) return this.xmlOnly(`readByQuery ${object}`, () => super.readByQuery(object, query, options));
    return out.records;
  }

  override async query(spec: QuerySpec): Promise<QueryPage> {
    const obj = restObjectFor(spec.object);
    const fields = obj ? this.queryFields(obj, spec.select) : undefined;
    const filters = obj && fields && !spec.docparid ? queryFilterToRest(obj, spec.filter) : undefined;
    const out = obj && fields && filters
      ? await this.restQuery(obj, fields, filters, { pageSize: spec.pageSize ?? 100, start: (spec.offset ?? 0) + 1, caseInsensitive: spec.caseInsensitive, orderBy: spec.orderBy, onePage: true })
      : undefined;
    if (!out) return this.xmlOnly(`query ${spec.object}`, () => super.query(spec));
    const offset = spec.offset ?? 0;
    return { records: out.records, totalCount: out.totalCount, offset, numRemaining: Math.max(0, out.totalCount - offset - out.records.length) };
  }

  override async queryAll(spec: QuerySpec, maxRecords = Number.POSITIVE_INFINITY): Promise<{ records: Rec[]; more: boolean }> {
    const obj = restObjectFor(spec.object);
    const fields = obj ? this.queryFields(obj, spec.select) : undefined;
    const filters = obj && fields && !spec.docparid ? queryFilterToRest(obj, spec.filter) : undefined;
    const out = obj && fields && filters
      ? await this.restQuery(obj, fields, filters, { pageSize: spec.pageSize ?? 1000, start: (spec.offset ?? 0) + 1, max: maxRecords, caseInsensitive: spec.caseInsensitive, orderBy: spec.orderBy })
      : undefined;
    if (!out) return this.xmlOnly(`query ${spec.object}`, () => super.queryAll(spec, maxRecords));
    return { records: out.records, more: out.more };
  }

  /** GET /objects/{path}/{key,key...}, 100 keys per request. */
  override async read(object: string, keys: string[], options: { fields?: string[]; docparid?: string } = {}): Promise<Rec[]> {
    const obj = restObjectFor(object);
    if (!obj || options.docparid) return this.xmlOnly(`read ${object}`, () => super.read(object, keys, options));
    const out: Rec[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      const chunk = keys.slice(i, i + 100);
      try {
        const res = await this.rest.request({ method: "GET", path: `/objects/${obj.path}/${chunk.map(encodeURIComponent).join(",")}`, label: `read ${obj.path}` });
        const result = res.json["ia::result"];
        for (const r of Array.isArray(result) ? result : result ? [result] : []) out.push(restToRecord(obj, r as Rec));
      } catch (error) {
        // Like the gateway's read, a key that does not exist reads as nothing.
        if (error instanceof RestFailure && error.status === 404) continue;
        this.unwrap(error);
      }
    }
    return out;
  }

  /** POST /objects/{path} with Idempotency-Key. */
  override async create<T>(objectName: string, record: Rec, idempotencyKey: string, readBack: () => Promise<T | undefined>): Promise<CreatedRecord> {
    const obj = restObjectFor(objectName);
    const body = obj?.operations.create ? xmlToRestBody(obj, record) : undefined;
    if (!obj || !body) return this.xmlOnly(`create ${objectName}`, () => super.create(objectName, record as never, idempotencyKey, readBack));
    try {
      const res = await this.rest.request({ method: "POST", path: `/objects/${obj.path}`, body, write: true, idempotencyKey, label: `create ${obj.path}` });
      const ref = (res.json["ia::result"] ?? {}) as Rec;
      const recordNo = String(ref.key ?? "");
      return { recordNo, record: { RECORDNO: recordNo, ...(obj.idField !== "RECORDNO" ? { [obj.idField]: String(ref.id ?? "") } : {}) } };
    } catch (error) {
      return this.duplicate(error, `create ${obj.path}`, idempotencyKey, readBack);
    }
  }

  /** A 409 for an Idempotency-Key already used: the write happened before; read it back. */
  private async duplicate<T>(error: unknown, what: string, key: string, readBack: () => Promise<T | undefined>): Promise<never> {
    if (!(error instanceof RestFailure) || error.status !== 409 || error.code !== "conflict") return this.unwrap(error);
    const earlier = await readBack();
    if (earlier === undefined) {
      throw new NeedsReviewError(`Intacct REST says ${what} with Idempotency-Key ${key} already ran, but the record could not be read back`, {
        system: SYSTEM,
        code: error.entries[0]?.errorno,
        reasonCode: "duplicate_not_found",
        details: { idempotencyKey: key },
      });
    }
    throw new AlreadyDoneError(`Intacct already processed ${what} with Idempotency-Key ${key}`, { system: SYSTEM, code: error.entries[0]?.errorno, result: earlier, details: { idempotencyKey: key } });
  }

  /** The generic `update` of a vendor or customer becomes PATCH /objects/{path}/{key} (only the fields given). */
  override async legacyCreate<T>(name: string, body: Rec, idempotencyKey: string, readBack: () => Promise<T | undefined>): Promise<string> {
    const [objectName, value] = Object.entries(body)[0] ?? [];
    const obj = name === "update" && objectName && Object.keys(body).length === 1 ? restObjectFor(objectName) : undefined;
    const changes = obj?.operations.update && value && typeof value === "object" && !Array.isArray(value) ? (value as Rec) : undefined;
    const id = changes ? String(changes[obj!.idField] ?? "") : "";
    const { [obj?.idField ?? ""]: _id, ...rest } = changes ?? {};
    const patch = obj && changes && id ? xmlToRestBody(obj, rest) : undefined;
    if (!obj || !patch) return this.xmlOnly(`${name}${objectName ? ` ${objectName}` : ""}`, () => super.legacyCreate(name, body as never, idempotencyKey, readBack));
    const [found] = await this.readByQuery(obj.xml, `${obj.idField} = '${id.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`, { fields: ["RECORDNO"], pageSize: 2 });
    if (!found) {
      throw new NeedsReviewError(`Intacct ${obj.xml} '${id}' does not exist`, { system: SYSTEM, reasonCode: "unknown_reference", details: { referenceType: obj.xml, referenceValue: id } });
    }
    try {
      await this.rest.request({ method: "PATCH", path: `/objects/${obj.path}/${encodeURIComponent(String(found.RECORDNO))}`, body: patch, write: true, idempotencyKey, label: `update ${obj.path}` });
      return "";
    } catch (error) {
      return this.duplicate(error, `update ${obj.path}`, idempotencyKey, readBack);
    }
  }

  /** Other functions (reverse_bill, create_aradjustment...) have no REST form here: XML gateway on "both", refused on "rest". */
  override async write<T>(fn: Omit<IntacctFunction, "controlId">, idempotencyKey: string, readBack: () => Promise<T | undefined>): Promise<FunctionResult> {
    return this.xmlOnly(fn.name, () => super.write(fn, idempotencyKey, readBack));
  }

  /** readByQuery functions of REST objects (the dimension lists) run as REST queries, every page; the others on the gateway ("both"). */
  override async batch(functions: IntacctFunction[], options: ExecuteOptions = {}): Promise<FunctionResult[]> {
    const plans = functions.map((fn) => {
      if (fn.name !== "readByQuery" || typeof fn.body.object !== "string" || fn.body.docparid) return undefined;
      const obj = restObjectFor(fn.body.object);
      const fieldList = typeof fn.body.fields === "string" && fn.body.fields !== "*" ? fn.body.fields.split(",").map((s) => s.trim()) : undefined;
      const fields = obj ? this.queryFields(obj, fieldList) : undefined;
      const filters = obj && fields ? legacyQueryToRest(obj, typeof fn.body.query === "string" ? fn.body.query : "") : undefined;
      return obj && fields && filters ? { obj, fields, filters } : undefined;
    });
    const others = functions.filter((_, i) => !plans[i]);
    if (others.length && this.mode === "rest") return this.xmlOnly(others.map((f) => f.name).join(", "), () => super.batch(functions, options));
    // On "both", what REST does not cover shares one gateway request; the rest are REST queries.
    const viaXml = others.length ? await super.batch(others, options) : [];
    const results: FunctionResult[] = [];
    for (const [i, plan] of plans.entries()) {
      if (!plan) {
        results.push(viaXml.shift()!);
        continue;
      }
      const out = await this.restQuery(plan.obj, plan.fields, plan.filters, {});
      if (!out) return this.xmlOnly(`readByQuery ${plan.obj.xml}`, () => super.batch(functions, options));
      results.push({
        function: "readByQuery",
        controlId: functions[i]!.controlId ?? `rest-${i}`,
        status: "success",
        data: { attrs: { listtype: plan.obj.xml.toLowerCase(), count: String(out.records.length), totalcount: String(out.totalCount), numremaining: "0" }, records: out.records },
        errors: [],
        duplicate: false,
      });
    }
    return results;
  }

  /** Test connection over REST: a token, then the smallest query. */
  override async ping(): Promise<{ companyId: string; sessionExpiresAt: string; endpoint: string }> {
    if (this.mode === "both") await super.ping();
    const t = await this.rest.token();
    await this.rest
      .request({ method: "POST", path: "/services/core/query", body: { object: "company-config/department", fields: ["key"], size: 1 }, label: "test connection" })
      .catch((e) => this.unwrap(e));
    return { companyId: this.companyId, sessionExpiresAt: new Date(t.expiresAt).toISOString(), endpoint: new URL(this.rest.baseUrl).origin };
  }
}
