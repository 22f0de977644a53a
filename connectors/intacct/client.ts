/**
 * The client nodes use (ctx.client): typed operations over the one transport.
 *
 * Glossary
 * - readByQuery/readMore: legacy paging; the first page returns a `resultId`, `readMore` with it
 *   returns the next page until `numremaining` is 0 (pagesize 1-1000).
 * - query: the newer query function; filters as an element tree, offset paging (pagesize 1-2000).
 * - write: a function sent with `uniqueid=true` and a controlid derived from the idempotency key.
 *   When the gateway answers that the controlid was already used, the record is read back by its
 *   natural key and the write ends as AlreadyDone with that record.
 */
import { AlreadyDoneError, NeedsReviewError, PermanentError, stateSlot } from "../sdk";
import { submitWrite } from "./batch";
import { SYSTEM } from "./errors";
import type { FilterOperator } from "./query-language";
import {
  IntacctTransport,
  controlIdFor,
  type ExecuteOptions,
  type FunctionResult,
  type IntacctEnv,
  type IntacctFunction,
} from "./transport";
import { element, text, type XmlObject } from "./xml";

export type { FilterOperator };

export type QueryFilter =
  | { and: QueryFilter[] }
  | { or: QueryFilter[] }
  | { field: string; operator: FilterOperator; value?: string | number; values?: Array<string | number> };

export interface QuerySpec {
  object: string;
  select: string[];
  filter?: QueryFilter;
  orderBy?: Array<{ field: string; descending?: boolean }>;
  docparid?: string;
  caseInsensitive?: boolean;
  /** 1-2000 (documented limit). */
  pageSize?: number;
  offset?: number;
}

export interface QueryPage {
  records: Record<string, unknown>[];
  totalCount: number;
  offset: number;
  numRemaining: number;
}

export interface CreatedRecord {
  recordNo: string;
  /** The child element of `<data>` (RECORDNO plus the business id for master data). */
  record: Record<string, unknown>;
}

/** XML of a `query` filter tree (https://developer.intacct.com/web-services/queries/#filter). */
export function filterXml(filter: QueryFilter): string {
  if ("and" in filter || "or" in filter) {
    const op = "and" in filter ? "and" : "or";
    const parts = "and" in filter ? filter.and : filter.or;
    if (parts.length === 0) throw new PermanentError(`Empty "${op}" filter`, { system: SYSTEM });
    if (parts.length === 1) return filterXml(parts[0]);
    return `<${op}>${parts.map(filterXml).join("")}</${op}>`;
  }
  const field = element("field", filter.field);
  switch (filter.operator) {
    case "isnull":
    case "isnotnull":
      return `<${filter.operator}>${field}</${filter.operator}>`;
    case "in":
    case "notin":
    case "between": {
      const values = filter.values ?? (filter.value === undefined ? [] : [filter.value]);
      if (values.length === 0 || (filter.operator === "between" && values.length !== 2)) {
        throw new PermanentError(`Filter ${filter.operator} on ${filter.field} needs ${filter.operator === "between" ? "two values" : "values"}`, {
          system: SYSTEM,
        });
      }
      return `<${filter.operator}>${field}${values.map((v) => element("value", v)).join("")}</${filter.operator}>`;
    }
    default:
      if (filter.value === undefined) {
        throw new PermanentError(`Filter ${filter.operator} on ${filter.field} needs a value`, { system: SYSTEM });
      }
      return `<${filter.operator}>${field}${element("value", filter.value)}</${filter.operator}>`;
  }
}

/** A quoted readByQuery string literal: single quotes escaped with a backslash ('Erik\'s Deli'). */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function int(value: string | undefined, fallback = 0): number {
  const n = Number.parseInt(value ?? "", 10);
  return Number.isFinite(n) ? n : fallback;
}

export class IntacctClient {
  readonly transport: IntacctTransport;
  /** Clients of other entities of the same connection (one session each). */
  private readonly entities = new Map<string, IntacctClient>();

  constructor(readonly env: IntacctEnv) {
    this.transport = new IntacctTransport(env);
  }

  /** The entity this client's session targets ("" = top level). */
  get entityId(): string {
    return this.env.config.entityId ?? "";
  }

  /**
   * The client for one record's entity in a multi-entity company: the same connection with an
   * entity-level session of its own (getAPISession with that locationid), kept in its own slot of
   * the connection state, so sessions of several entities live side by side. Undefined, or the
   * connection's own entity: this client.
   * https://developer.intacct.com/api/company-console/api-sessions/
   */
  forEntity(entityId: string | undefined): IntacctClient {
    if (entityId === undefined || entityId === this.entityId) return this;
    let client = this.entities.get(entityId);
    if (!client) {
      client = new IntacctClient({ ...this.env, config: { ...this.env.config, entityId }, state: stateSlot(this.env.state, `entity:${entityId}`) });
      this.entities.set(entityId, client);
    }
    return client;
  }

  get companyId(): string {
    return this.env.config.companyId;
  }

  /** Several functions in one request; results come back in order, one per function. */
  batch(functions: IntacctFunction[], options: ExecuteOptions = {}): Promise<FunctionResult[]> {
    return this.transport.execute(functions, options);
  }

  /**
   * All records matching a readByQuery query string, following readMore until numremaining is 0.
   * https://developer.intacct.com/web-services/queries/#legacy-query-functions
   */
  async readByQuery(
    object: string,
    query: string,
    options: { fields?: string[]; pageSize?: number; docparid?: string; maxRecords?: number } = {},
  ): Promise<Record<string, unknown>[]> {
    const pageSize = Math.min(1000, Math.max(1, options.pageSize ?? this.env.config.pageSize));
    const max = options.maxRecords ?? Number.POSITIVE_INFINITY;
    const first = await this.transport.one({
      name: "readByQuery",
      body: {
        object,
        fields: options.fields?.length ? options.fields.join(",") : "*",
        query,
        pagesize: pageSize,
        docparid: options.docparid,
        returnFormat: "xml",
      },
    }, { label: `readByQuery ${object}` });
    const records = [...(first.data?.records ?? [])];
    let remaining = int(first.data?.attrs.numremaining);
    const resultId = first.data?.attrs.resultId ?? "";
    while (remaining > 0 && records.length < max) {
      if (!resultId) throw new PermanentError(`Intacct readByQuery ${object} reported more records without a resultId`, { system: SYSTEM });
      // https://developer.intacct.com/web-services/queries/#readmore
      const page = await this.transport.one({ name: "readMore", body: { resultId } }, { label: `readMore ${object}` });
      const got = page.data?.records ?? [];
      records.push(...got);
      remaining = int(page.data?.attrs.numremaining);
      if (got.length === 0) break;
    }
    return records.slice(0, max === Number.POSITIVE_INFINITY ? undefined : max);
  }

  /** One page of the `query` function. https://developer.intacct.com/web-services/queries/ */
  async query(spec: QuerySpec): Promise<QueryPage> {
    const result = await this.transport.one({ name: "query", body: this.queryBody(spec) }, { label: `query ${spec.object}` });
    const attrs = result.data?.attrs ?? {};
    const records = result.data?.records ?? [];
    return {
      records,
      totalCount: int(attrs.totalcount, records.length),
      offset: int(attrs.offset, spec.offset ?? 0),
      numRemaining: int(attrs.numremaining),
    };
  }

  /** Every page of a `query`, by offset, until numremaining is 0 (or maxRecords). */
  async queryAll(spec: QuerySpec, maxRecords = Number.POSITIVE_INFINITY): Promise<{ records: Record<string, unknown>[]; more: boolean }> {
    const pageSize = Math.min(2000, Math.max(1, spec.pageSize ?? 1000));
    const records: Record<string, unknown>[] = [];
    let offset = spec.offset ?? 0;
    for (;;) {
      const page = await this.query({ ...spec, pageSize: Math.min(pageSize, Math.max(1, maxRecords - records.length)), offset });
      records.push(...page.records);
      offset += page.records.length;
      if (page.numRemaining <= 0 || page.records.length === 0) return { records, more: false };
      if (records.length >= maxRecords) return { records, more: true };
    }
  }

  queryBody(spec: QuerySpec): XmlObject {
    if (spec.select.length === 0) throw new PermanentError("query needs at least one field to select", { system: SYSTEM });
    const pageSize = spec.pageSize === undefined ? undefined : Math.min(2000, Math.max(1, spec.pageSize));
    const orderBy = spec.orderBy?.length
      ? spec.orderBy.map((o) => `<order>${element("field", o.field)}${o.descending ? "<descending/>" : "<ascending/>"}</order>`).join("")
      : undefined;
    return {
      object: spec.object,
      select: { field: spec.select },
      docparid: spec.docparid,
      filter: spec.filter ? { "#raw": filterXml(spec.filter) } : undefined,
      orderby: orderBy ? { "#raw": orderBy } : undefined,
      options: spec.caseInsensitive ? { caseinsensitive: "true" } : undefined,
      pagesize: pageSize,
      offset: spec.offset,
    };
  }

  /** Records by RECORDNO, 100 keys per function, all in one request. https://developer.intacct.com/web-services/functions/#read */
  async read(object: string, keys: string[], options: { fields?: string[]; docparid?: string } = {}): Promise<Record<string, unknown>[]> {
    if (keys.length === 0) return [];
    const fns: IntacctFunction[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      fns.push({
        name: "read",
        body: {
          object,
          keys: keys.slice(i, i + 100).join(","),
          fields: options.fields?.length ? options.fields.join(",") : "*",
          returnFormat: "xml",
          docparid: options.docparid,
        },
      });
    }
    const results = await this.transport.execute(fns, { label: `read ${object}` });
    const out: Record<string, unknown>[] = [];
    for (const r of results) {
      if (r.status !== "success") throw r.error;
      out.push(...(r.data?.records ?? []));
    }
    return out;
  }

  /**
   * Run one write function with `uniqueid=true`. A repeated controlid means the write happened
   * before: `readBack` fetches what was written and the call ends as AlreadyDone with it.
   */
  async write<T>(
    fn: Omit<IntacctFunction, "controlId">,
    idempotencyKey: string,
    readBack: () => Promise<T | undefined>,
  ): Promise<FunctionResult> {
    const controlId = controlIdFor(idempotencyKey);
    // Writes of this connection arriving together share a request (batch.ts); each keeps its controlid.
    const c = this.env.config;
    const result = await submitWrite({
      identity: [this.env.connectionId, c.baseUrl, c.senderId, c.companyId, c.userId, c.entityId ?? ""].join("|"),
      transport: this.transport,
      fn: { ...fn, controlId },
      label: `${fn.name} ${Object.keys(fn.body)[0] ?? ""}`.trim(),
      settings: { maxFunctions: c.writeBatchSize, windowMs: c.writeBatchWindowMs },
      signal: this.env.signal,
      log: (message, data) => this.env.log.info(message, data),
    });
    if (result.status === "success") return result;
    if (result.duplicate) {
      const earlier = await readBack();
      if (earlier === undefined) {
        throw new NeedsReviewError(
          `Intacct says ${fn.name} with controlid ${controlId} already ran, but the record could not be read back`,
          { system: SYSTEM, code: result.errors[0]?.errorno, reasonCode: "duplicate_not_found", details: { controlId, errors: result.errors } },
        );
      }
      throw new AlreadyDoneError(`Intacct already processed ${fn.name} with controlid ${controlId}`, {
        system: SYSTEM,
        code: result.errors[0]?.errorno,
        result: earlier,
        details: { controlId },
      });
    }
    throw result.error;
  }

  /** Generic create of one object. https://developer.intacct.com/web-services/functions/#create */
  async create<T>(objectName: string, record: XmlObject, idempotencyKey: string, readBack: () => Promise<T | undefined>): Promise<CreatedRecord> {
    const result = await this.write({ name: "create", body: { [objectName]: record } }, idempotencyKey, readBack);
    const created = result.data?.records[0] ?? {};
    return { recordNo: text(created.RECORDNO), record: created };
  }

  /** Legacy create function (create_potransaction, create_apadjustment...): returns its `<key>`. */
  async legacyCreate<T>(name: string, body: XmlObject, idempotencyKey: string, readBack: () => Promise<T | undefined>): Promise<string> {
    const result = await this.write({ name, body }, idempotencyKey, readBack);
    return result.key ?? "";
  }

  /** Test connection: a session opens and the company answers a small read. */
  async ping(): Promise<{ companyId: string; sessionExpiresAt: string; endpoint: string }> {
    const session = await this.transport.session();
    await this.transport.one(
      { name: "readByQuery", body: { object: "DEPARTMENT", fields: "RECORDNO", query: "", pagesize: 1 } },
      { label: "test connection" },
    );
    return {
      companyId: this.companyId,
      sessionExpiresAt: new Date(session.expiresAt).toISOString(),
      endpoint: new URL(session.endpoint).origin,
    };
  }
}

