/**
 * The sandbox's Sage Intacct REST API (v1) under `/ia/api/v1`, over the same store the XML gateway
 * reads and writes: a journal entry created here is read back on the gateway, and the other way.
 * Writes go through the gateway's own create/update functions, so both APIs refuse the same things
 * (unbalanced entries, closed periods, unknown accounts and vendors) with the same error numbers.
 *
 * Routes (intacct-rest.md 1-4):
 * - `GET /oauth2/authorize`, `POST /oauth2/token`                              (oauth.ts)
 * - `POST /services/core/query`                                                (query.ts)
 * - `GET /services/core/session/id`: an XML gateway session for the token's user
 * - `GET|POST /objects/{path}`, `GET|PATCH|DELETE /objects/{path}/{key[,key]}` (objects.ts map)
 * - admin: `POST /__sandbox/rest-settings {errorShape?, tokenLifetimeSeconds?}`,
 *   `POST /__sandbox/rest-expire-tokens` (every access token ends).
 *
 * Shared with the gateway: the faults queue ("rateLimit" -> 429 GW-0010 with Retry-After and the
 * X-IA-Throttle headers; "serverError" -> 502 GW-0001; "dropAfterWrite" -> applied, no answer;
 * "expireAuth" -> the presented token ends; "gatewayTimeout" -> applied, then 524) and the
 * per-company concurrency limit.
 *
 * Idempotency-Key (POST, PATCH; 3.6): a replay within 48 h answers the first status and body with
 * `x-ia-idempotency-cached-date`; the same key with another request answers 409.
 * Entity (4.2): `X-IA-API-Param-Entity` (else the token's entity) must be an entity (a location
 * of the company); lines created at an entity without a location take it.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { delay, dropResponse, nextFault, readBody, send, type FaultSettings } from "../../../sdk";
import { RATE_LIMIT_ERRORNO } from "../../errors";
import { BY_PATH, REST_OBJECTS, recordToRest, restBodyToRecord, type RestObject } from "../../rest/objects";
import { FUNCTIONS, PERIOD_CLOSED, type FnOutcome } from "../functions";
import type { GatewaySettings } from "../gateway";
import { LifecycleError, audit, deleteBill } from "../lifecycle";
import { MASTER_DATA_FUNCTIONS } from "../master-data";
import { auditTimestamp, nextRecordNo, type Company, type Rec, type ResultSet, type SandboxState, type Session } from "../store";
import { REST_BASE_PATH } from "./demo";
import { errorBody, fromStoreErrors, invalidRequest, methodNotAllowed, notFound, sendError, type ErrorShape, type RestError } from "./errors";
import { OAuthServer, type Grant } from "./oauth";
import { runQuery } from "./query";

export { REST_BASE_PATH, REST_DEMO } from "./demo";

export interface RestDeps {
  state: () => SandboxState;
  setCompany: (company: Company) => void;
  sessions: Map<string, Session>;
  resultSets: Map<string, ResultSet>;
  inflight: Map<string, number>;
  faults: FaultSettings;
  settings: GatewaySettings;
  now: () => number;
}

export interface RestSettings {
  errorShape: ErrorShape;
  tokenLifetimeSeconds: number;
}

const IDEMPOTENCY_REPLAY_MS = 48 * 3600_000;
const MAX_BATCH = 500;

interface CachedAnswer {
  fingerprint: string;
  status: number;
  body: unknown;
  at: number;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The request changed the store (for dropAfterWrite). */
  wrote?: boolean;
}

const ok = (status: number, body?: unknown, wrote = false): Answer => ({ status, body, wrote });
const fail = (e: RestError, shape: ErrorShape): Answer => ({ status: e.status, body: errorBody(e, shape), headers: e.headers });

const GW_RATE_LIMIT: RestError = { status: 429, code: RATE_LIMIT_ERRORNO, errorId: RATE_LIMIT_ERRORNO, message: "Rate limit exceeded. Retry after the time given in Retry-After." };

export function createRestApi(deps: RestDeps) {
  const defaults = (): RestSettings => ({ errorShape: "nested", tokenLifetimeSeconds: 43_200 });
  const settings = defaults();
  const oauth = new OAuthServer({ state: deps.state, now: deps.now, tokenLifetimeSeconds: () => settings.tokenLifetimeSeconds, shape: () => settings.errorShape });
  const idempotency = new Map<string, CachedAnswer>();

  const reset = () => {
    oauth.reset();
    idempotency.clear();
    Object.assign(settings, defaults());
  };

  const inspect = () => ({ settings, ...oauth.inspect(), idempotencyKeys: idempotency.size });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname;
    if (req.method === "POST" && path === "/__sandbox/rest-settings") {
      let patch: Partial<RestSettings>;
      try {
        patch = JSON.parse((await readBody(req)) || "{}") as Partial<RestSettings>;
      } catch {
        send(res, 400, { error: "rest-settings must be JSON" });
        return true;
      }
      if (patch.errorShape !== undefined && patch.errorShape !== "nested" && patch.errorShape !== "top-level") {
        send(res, 400, { error: "errorShape must be nested or top-level" });
        return true;
      }
      if (patch.tokenLifetimeSeconds !== undefined && (!Number.isInteger(patch.tokenLifetimeSeconds) || patch.tokenLifetimeSeconds < 1)) {
        send(res, 400, { error: "tokenLifetimeSeconds must be a positive integer" });
        return true;
      }
      Object.assign(settings, patch.errorShape ? { errorShape: patch.errorShape } : {}, patch.tokenLifetimeSeconds ? { tokenLifetimeSeconds: patch.tokenLifetimeSeconds } : {});
      send(res, 200, settings);
      return true;
    }
    if (req.method === "POST" && path === "/__sandbox/rest-expire-tokens") {
      send(res, 200, { expired: oauth.expireAccessTokens() });
      return true;
    }
    if (path !== REST_BASE_PATH && !path.startsWith(`${REST_BASE_PATH}/`)) return false;
    const sub = path.slice(REST_BASE_PATH.length);
    const shape = settings.errorShape;
    const raw = await readBody(req);

    if (sub === "/oauth2/authorize" && req.method === "GET") {
      oauth.authorize(url, res);
      return true;
    }
    if (sub === "/oauth2/token") {
      if (req.method !== "POST") sendError(res, methodNotAllowed(req.method ?? "", "POST"), shape);
      else oauth.token(req, raw, res);
      return true;
    }
    if (raw.trimStart().startsWith("<")) {
      sendError(res, { status: 400, code: "GW-0014", errorId: "GW-0014", message: "The REST API takes JSON; XML requests go to the XML gateway (/ia/xml/xmlgw.phtml)." }, shape);
      return true;
    }

    const isWrite = req.method !== "GET";
    const fault = nextFault(deps.faults, isWrite, undefined, deps.now());
    if (fault === "rateLimit") {
      sendError(res, { ...GW_RATE_LIMIT, headers: throttleHeaders(deps.faults.retryAfterSeconds ?? deps.settings.rateLimitRetryAfterSeconds ?? 1) }, shape);
      return true;
    }
    if (fault === "serverError") {
      sendError(res, { status: 502, code: "GW-0001", errorId: "GW-0001", message: "The service is temporarily unavailable." }, shape);
      return true;
    }
    const auth = oauth.authenticate(req.headers.authorization);
    if ("status" in auth) {
      sendError(res, auth, shape);
      return true;
    }
    if (fault === "expireAuth") {
      oauth.expireAccessTokens();
      sendError(res, { status: 401, code: "GW-0031", errorId: "GW-0031", message: "Invalid token: the access token has expired." }, shape);
      return true;
    }
    const company = deps.state().companies[auth.companyId];
    if (!company) {
      sendError(res, { status: 401, code: "GW-0011", errorId: "GW-0011", message: "Invalid request: the token's company does not exist." }, shape);
      return true;
    }
    const entityHeader = req.headers["x-ia-api-param-entity"];
    const entityId = (Array.isArray(entityHeader) ? entityHeader[0] : entityHeader)?.trim() || auth.entityId;
    if (entityId && !(company.records.LOCATION ?? []).some((l) => l.LOCATIONID === entityId)) {
      sendError(res, invalidRequest(`Entity '${entityId}' is not an entity of company ${company.companyId}`, [{ code: "invalidRequest", errorId: "REST-1043", target: "X-IA-API-Param-Entity", message: `${entityId} is not a valid entity` }]), shape);
      return true;
    }

    const running = deps.inflight.get(company.companyId) ?? 0;
    if (running >= deps.settings.concurrencyLimit) {
      sendError(res, { ...GW_RATE_LIMIT, message: "Too many concurrent requests for this company.", headers: throttleHeaders(deps.settings.rateLimitRetryAfterSeconds ?? 1) }, shape);
      return true;
    }
    deps.inflight.set(company.companyId, running + 1);
    try {
      if (deps.faults.latencyMs > 0) await delay(deps.faults.latencyMs);
      const keyHeader = req.headers["idempotency-key"];
      const idemKey = typeof keyHeader === "string" && keyHeader ? keyHeader : undefined;
      let answer: Answer;
      if (idemKey && (req.method === "POST" || req.method === "PATCH") && sub.startsWith("/objects/")) {
        if (idemKey.length > 256) {
          answer = fail(invalidRequest("Idempotency-Key is longer than 256 characters"), shape);
        } else {
          const scope = `${company.companyId}|${auth.userId}|${idemKey}`;
          const fingerprint = createHash("sha256").update(`${req.method} ${sub}\n${raw}`).digest("hex");
          const cached = idempotency.get(scope);
          if (cached && deps.now() - cached.at < IDEMPOTENCY_REPLAY_MS) {
            answer =
              cached.fingerprint === fingerprint
                ? { status: cached.status, body: cached.body, headers: { "x-ia-idempotency-cached-date": new Date(cached.at).toISOString() } }
                : fail({ status: 409, code: "conflict", errorId: "REST-1120", message: `Idempotency-Key '${idemKey}' was already used with a different request.` }, shape);
          } else {
            answer = route(req.method ?? "GET", sub, url, raw, { company, auth, entityId, shape });
            // Final answers are kept; throttling and server failures may be retried with the same key.
            if (answer.status < 500 && answer.status !== 429 && answer.status !== 401) {
              idempotency.set(scope, { fingerprint, status: answer.status, body: answer.body, at: deps.now() });
            }
          }
        }
      } else {
        answer = route(req.method ?? "GET", sub, url, raw, { company, auth, entityId, shape });
      }
      if (fault === "dropAfterWrite" && isWrite) {
        dropResponse(res);
        return true;
      }
      // The gateway's "gatewayTimeout": the request was applied, the edge answers 524 (HTML).
      if ((fault as string) === "gatewayTimeout") {
        send(res, 524, "<!DOCTYPE html><html><head><title>524</title></head><body><h1>A timeout occurred</h1></body></html>", { "content-type": "text/html" });
        return true;
      }
      if (answer.body === undefined) {
        res.writeHead(answer.status, answer.headers ?? {});
        res.end();
      } else send(res, answer.status, answer.body as object, answer.headers);
    } finally {
      deps.inflight.set(company.companyId, (deps.inflight.get(company.companyId) ?? 1) - 1);
    }
    return true;
  }

  interface Call {
    company: Company;
    auth: Grant;
    entityId: string;
    shape: ErrorShape;
  }

  function route(method: string, sub: string, url: URL, raw: string, call: Call): Answer {
    const { shape } = call;
    let body: unknown;
    if (method === "POST" || method === "PATCH") {
      try {
        body = raw.trim() ? JSON.parse(raw) : undefined;
      } catch {
        return fail(invalidRequest("The request body is not valid JSON"), shape);
      }
      if (body === undefined) return fail(invalidRequest("The request body is empty"), shape);
    }
    if (sub === "/services/core/query") {
      if (method !== "POST") return fail(methodNotAllowed(method, "POST"), shape);
      const out = runQuery(call.company, body);
      return "code" in out ? fail(out, shape) : ok(out.status, out.body);
    }
    if (sub === "/services/core/session/id") {
      if (method !== "GET") return fail(methodNotAllowed(method, "GET"), shape);
      // ASSUMED envelope: the fact sheet gives the fields {sessionId, expiresIn}; answered in ia::result like every REST answer.
      const seconds = deps.settings.sessionDurationSeconds;
      const session: Session = { sessionId: `${randomBytes(24).toString("base64url")}..`, companyId: call.company.companyId, userId: call.auth.userId, locationId: call.entityId, expiresAt: deps.now() + seconds * 1000 };
      deps.sessions.set(session.sessionId, session);
      return ok(200, { "ia::result": { sessionId: session.sessionId, expiresIn: seconds }, "ia::meta": { totalCount: 1 } });
    }
    if (!sub.startsWith("/objects/")) return fail(notFound(`Resource ${sub}`), shape);
    const rest = decodeURIComponent(sub.slice("/objects/".length));
    const obj = REST_OBJECTS.filter((o) => rest === o.path || rest.startsWith(`${o.path}/`)).sort((a, b) => b.path.length - a.path.length)[0];
    if (!obj) return fail(notFound(`Object ${rest}`), shape);
    const keys = rest === obj.path ? undefined : rest.slice(obj.path.length + 1);
    if (keys === undefined) {
      if (method === "GET") return list(obj, call.company, url);
      if (method === "POST") return Array.isArray(body) ? batchCreate(obj, body, call, url) : create(obj, body, call);
      return fail(methodNotAllowed(method, "GET, POST"), shape);
    }
    if (method === "GET") return read(obj, call.company, keys, shape);
    if (method === "PATCH") return update(obj, keys, body, call);
    if (method === "DELETE") return remove(obj, keys, call);
    return fail(methodNotAllowed(method, "GET, PATCH, DELETE"), shape);
  }

  function list(obj: RestObject, company: Company, url: URL): Answer {
    const all = company.records[obj.xml] ?? [];
    const start = Math.max(1, Number(url.searchParams.get("start") ?? 1) || 1);
    const page = all.slice(start - 1, start - 1 + 100);
    return ok(200, {
      "ia::result": page.map((r) => ({ key: String(r.RECORDNO), id: String(r[obj.idField] ?? r.RECORDNO), href: `/objects/${obj.path}/${String(r.RECORDNO)}` })),
      "ia::meta": { totalCount: all.length, start, pageSize: 100, next: start - 1 + 100 < all.length ? start + 100 : null, previous: start > 1 ? Math.max(1, start - 100) : null },
    });
  }

  function find(obj: RestObject, company: Company, key: string): Rec | undefined {
    return (company.records[obj.xml] ?? []).find((r) => String(r.RECORDNO) === key);
  }

  function read(obj: RestObject, company: Company, keys: string, shape: ErrorShape): Answer {
    const list = keys.split(",").map((k) => k.trim()).filter(Boolean);
    const found = list.map((k) => find(obj, company, k));
    if (list.length === 1) {
      return found[0] ? ok(200, { "ia::result": recordToRest(obj, found[0]), "ia::meta": { totalCount: 1 } }) : fail(notFound(`${obj.path} ${list[0]}`), shape);
    }
    const records = found.filter((r): r is Rec => !!r).map((r) => recordToRest(obj, r));
    return ok(200, { "ia::result": records, "ia::meta": { totalCount: records.length } });
  }

  /** A REST create body checked and turned into the gateway's create function body. */
  function createBody(obj: RestObject, body: unknown, call: Call): { xml: Rec } | { error: RestError } {
    if (!body || typeof body !== "object" || Array.isArray(body)) return { error: invalidRequest("The request body must be a JSON object") };
    if (!obj.operations.create) return { error: methodNotAllowed("POST", "GET") };
    const { record, problems, lineOps } = restBodyToRecord(obj, body as Rec);
    if (problems.length) return { error: invalidRequest("Payload contains errors", problems.map((p) => ({ code: "invalidRequest", errorId: "REST-1043", ...p }))) };
    if (obj.xml === "GLBATCH") {
      const state = (body as Rec).state;
      if (state !== undefined && state !== "draft") return { error: invalidRequest("state may be left out (posted) or set to draft", [{ code: "invalidRequest", errorId: "REST-1043", target: "/state", message: "/state must be draft when given" }]) };
      for (const field of ["glJournal.id", "postingDate"]) {
        const [a, b] = field.split(".");
        const v = b ? ((body as Rec)[a!] as Rec | undefined)?.[b] : (body as Rec)[a!];
        if (v === undefined || v === "") return { error: invalidRequest("Payload contains errors", [{ code: "invalidRequest", errorId: "REST-1046", target: `/${field.replace(".", "/")}`, message: `/${field.replace(".", "/")} is required` }]) };
      }
    }
    if (obj.lines) {
      const items = lineOps.map((l) => l.record);
      if (call.entityId) {
        const locField = obj.lines.fields.find((m) => m.rest === "dimensions.location.id")!.xml;
        for (const l of items) if (!l[locField]) l[locField] = call.entityId;
      }
      record[obj.lines.collection] = { [obj.lines.item]: items };
    }
    if (obj.xml === "APBILL" && !record.WHENPOSTED && record.WHENCREATED) record.WHENPOSTED = record.WHENCREATED;
    return { xml: record };
  }

  function created(obj: RestObject, company: Company, outcome: FnOutcome): { key: string; id: string; href: string } {
    const rec = outcome.ok ? (outcome.data?.records[0]?.[1] ?? {}) : {};
    const key = String(rec.RECORDNO ?? "");
    const stored = find(obj, company, key);
    // Like the gateway's create, no audit row; the creator shows who wrote it.
    if (stored) stored.CREATEDBY = "rest_api";
    return { key, id: String(stored?.[obj.idField] ?? key), href: `/objects/${obj.path}/${key}` };
  }

  function create(obj: RestObject, body: unknown, call: Call): Answer {
    const built = createBody(obj, body, call);
    if ("error" in built) return fail(built.error, call.shape);
    const outcome = FUNCTIONS.create!.run({ company: call.company, now: deps.now(), resultSets: deps.resultSets }, { [obj.xml]: built.xml });
    if (!outcome.ok) return fail(fromStoreErrors(outcome.errors), call.shape);
    return ok(201, { "ia::result": created(obj, call.company, outcome), "ia::meta": { totalCount: 1, totalSuccess: 1, totalError: 0 } }, true);
  }

  /** A JSON array (at most 500): non-atomic unless `X-IA-API-Param-Transaction: true`; 207 with each item's ia::status. */
  function batchCreate(obj: RestObject, items: unknown[], call: Call, _url: URL): Answer {
    if (items.length > MAX_BATCH) return fail({ status: 429, code: "batchSizeExceeded", errorId: "REST-1101", message: `A batch holds at most ${MAX_BATCH} records; this one has ${items.length}.` }, call.shape);
    const results: Rec[] = [];
    let success = 0;
    for (const item of items) {
      const built = createBody(obj, item, call);
      if ("error" in built) {
        results.push({ "ia::status": built.error.status, ...(errorBody(built.error, "top-level") as Rec) });
        continue;
      }
      const outcome = FUNCTIONS.create!.run({ company: call.company, now: deps.now(), resultSets: deps.resultSets }, { [obj.xml]: built.xml });
      if (!outcome.ok) {
        const e = fromStoreErrors(outcome.errors);
        results.push({ "ia::status": e.status, ...(errorBody(e, "top-level") as Rec) });
      } else {
        success++;
        results.push({ "ia::status": 201, ...created(obj, call.company, outcome) });
      }
    }
    return ok(207, { "ia::result": results, "ia::meta": { totalCount: items.length, totalSuccess: success, totalError: items.length - success } }, success > 0);
  }

  function update(obj: RestObject, key: string, body: unknown, call: Call): Answer {
    const { shape, company } = call;
    if (!body || typeof body !== "object" || Array.isArray(body)) return fail(invalidRequest("The request body must be a JSON object"), shape);
    if (!obj.operations.update) return fail(methodNotAllowed("PATCH", "GET"), shape);
    const stored = find(obj, company, key);
    if (!stored) return fail(notFound(`${obj.path} ${key}`), shape);
    const { record, problems, lineOps } = restBodyToRecord(obj, body as Rec);
    if (problems.length) return fail(invalidRequest("Payload contains errors", problems.map((p) => ({ code: "invalidRequest", errorId: "REST-1043", ...p }))), shape);
    const ref = { key, id: String(stored[obj.idField] ?? key), href: `/objects/${obj.path}/${key}` };
    if (obj.xml === "VENDOR" || obj.xml === "CUSTOMER") {
      if (record[obj.idField] !== undefined && record[obj.idField] !== stored[obj.idField]) {
        return fail(invalidRequest("Payload contains errors", [{ code: "invalidRequest", errorId: "REST-1043", target: "/id", message: "/id cannot be changed" }]), shape);
      }
      const outcome = MASTER_DATA_FUNCTIONS.update!.run({ company, now: deps.now(), resultSets: deps.resultSets }, { [obj.xml]: { ...record, [obj.idField]: stored[obj.idField] } });
      if (!outcome.ok) return fail(fromStoreErrors(outcome.errors), shape);
      stored.MODIFIEDBY = "rest_api";
      return ok(200, { "ia::result": ref, "ia::meta": { totalCount: 1, totalSuccess: 1, totalError: 0 } }, true);
    }
    // Journal entry: header fields and owned lines in one atomic call (add without key, update with
    // key, "ia::operation": "delete" with key), checked by the gateway's own create on a copy.
    const lines = structuredClone(((stored.ENTRIES as Rec | undefined)?.GLENTRY as Rec[] | undefined) ?? []);
    for (const op of lineOps) {
      if (op.op === "add") {
        lines.push({ ...op.record });
        continue;
      }
      const i = lines.findIndex((l) => String(l.RECORDNO) === op.key);
      if (i < 0) return fail(notFound(`${obj.path} line ${op.key}`), shape);
      if (op.op === "delete") lines.splice(i, 1);
      else lines[i] = { ...lines[i], ...op.record };
    }
    const merged: Rec = { ...stored, ...record, ENTRIES: { GLENTRY: lines.map(({ AMOUNT: _a, ...l }) => l) } };
    const copy = structuredClone(company);
    const check = FUNCTIONS.create!.run({ company: copy, now: deps.now(), resultSets: deps.resultSets }, { GLBATCH: { ...merged, STATE: stored.STATE } });
    if (!check.ok) return fail(fromStoreErrors(check.errors), shape);
    const checked = copy.records.GLBATCH.at(-1)!;
    const checkedLines = ((checked.ENTRIES as Rec).GLENTRY as Rec[]).map((l, i) => ({ ...l, RECORDNO: lines[i]?.RECORDNO ?? nextRecordNo(company), LINE_NO: String(i + 1) }));
    Object.assign(stored, record, { ENTRIES: { GLENTRY: checkedLines }, WHENMODIFIED: auditTimestamp(deps.now()), MODIFIEDBY: "rest_api" });
    return ok(200, { "ia::result": ref, "ia::meta": { totalCount: 1, totalSuccess: 1, totalError: 0 } }, true);
  }

  function remove(obj: RestObject, key: string, call: Call): Answer {
    const { shape, company } = call;
    if (!obj.operations.delete) return fail(methodNotAllowed("DELETE", "GET"), shape);
    const stored = find(obj, company, key);
    if (!stored) return fail(notFound(`${obj.path} ${key}`), shape);
    if (obj.xml === "APBILL") {
      try {
        deleteBill(company, key, deps.now(), "rest");
      } catch (error) {
        if (error instanceof LifecycleError) return fail({ status: 422, code: "operationFailed", errorId: "BL01001973", message: error.message }, shape);
        throw error;
      }
      return ok(204, undefined, true);
    }
    const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(String(stored.BATCH_DATE ?? ""));
    if (m && (company.closedPeriods ?? []).includes(`${m[3]}-${m[1]}`)) {
      return fail({ status: 422, code: "operationFailed", errorId: PERIOD_CLOSED, message: `Periods are closed. The entry's date (${String(stored.BATCH_DATE)}) is within a period that's been closed.`, details: [{ code: "operationFailed", errorId: PERIOD_CLOSED, message: "Reopen the period to delete the entry." }] }, shape);
    }
    company.records[obj.xml] = company.records[obj.xml]!.filter((r) => r !== stored);
    audit(company, obj.xml.toLowerCase(), key, stored.BATCHNO, "Deleted", deps.now(), "rest");
    return ok(204, undefined, true);
  }

  return { handle, reset, inspect, settings, objects: [...BY_PATH.keys()] };
}

function throttleHeaders(retryAfterSeconds: number): Record<string, string> {
  // Spellings after intacct-rest.md 3.4 (X-IA-Throttle-*; unverified), plus the standard Retry-After.
  return {
    "retry-after": String(retryAfterSeconds),
    "x-ia-throttle-limit": "100",
    "x-ia-throttle-limit-remaining": "0",
    "x-ia-throttle-limit-retryafter": String(retryAfterSeconds),
  };
}
