/**
 * Sandbox REST routes: the PaaS store under `/rest/<store>/V1` (and `/rest/V1`), the SaaS tenant
 * under `/<tenant>/V1` with a `Store` header, and the IMS token endpoint at `/ims/token/v3`.
 * Wire formats and error bodies follow Magento's (`{message, parameters}`; 404 for missing
 * entities and routes, 401 for auth, 400 for input).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { send } from "../../sdk";
import { DEMO, IMS_TOKEN_LIFETIME_S, notAuthorized, type OAuthVerifier, type TokenStore } from "./auth";
import { cancelOrder } from "./lifecycle";
import { executeGraphql } from "./purchase-orders";
import { applyCriteria, readCriteria, SearchCriteriaError } from "./search";
import type { Rec, SandboxData } from "./seed";

export interface ApiContext {
  data: () => SandboxData;
  oauth: OAuthVerifier;
  tokens: TokenStore;
  log: (entry: { method: string; path: string; auth: string; status: number }) => void;
  /** The clock, and the hook that delivers the order-save event after a change through the API. */
  now?: () => number;
  changed?: (order: Rec) => void;
}

/** Always JSON on the wire (the admin token endpoint answers a bare JSON string). */
const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, JSON.stringify(body), { "content-type": "application/json; charset=utf-8" });

const STORES = new Set(["default", "de_store", "admin", "all"]);

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** POST /ims/token/v3 (form body). */
function imsToken(ctx: ApiContext, body: string, res: ServerResponse, contentType: string | undefined): number {
  if (!contentType?.startsWith("application/x-www-form-urlencoded")) {
    json(res, 400, { error: "invalid_request", error_description: "Content-Type must be application/x-www-form-urlencoded" });
    return 400;
  }
  const form = new URLSearchParams(body);
  if (form.get("grant_type") !== "client_credentials") {
    json(res, 400, { error: "unsupported_grant_type", error_description: "unsupported grant_type" });
    return 400;
  }
  if (form.get("client_id") !== DEMO.imsClientId) {
    json(res, 400, { error: "invalid_client", error_description: "invalid client_id parameter" });
    return 400;
  }
  if (form.get("client_secret") !== DEMO.imsClientSecret) {
    json(res, 401, { error: "invalid_client", error_description: "invalid client_secret parameter" });
    return 401;
  }
  const scopes = (form.get("scope") ?? "").split(",").map((s) => s.trim());
  if (!scopes.includes("commerce.accs")) {
    json(res, 400, { error: "invalid_scope", error_description: "commerce.accs scope is required for Adobe Commerce as a Cloud Service" });
    return 400;
  }
  json(res, 200, { access_token: ctx.tokens.issueIms(), token_type: "bearer", expires_in: IMS_TOKEN_LIFETIME_S });
  return 200;
}

const ENTITY_MISSING = { message: "The entity that was requested doesn't exist. Verify the entity and try again." };
const noSuchEntity = (fieldName: string, fieldValue: string) => ({
  message: "No such entity with %fieldName = %fieldValue",
  parameters: { fieldName, fieldValue },
});

/** The resource routes both deployments share (path relative to /V1). */
/** Company fields PUT /V1/company/{id} may change (company-data-company-interface). */
const COMPANY_FIELDS = [
  "status", "company_name", "legal_name", "company_email", "vat_tax_id", "reseller_id", "comment", "street", "city",
  "country_id", "region", "region_id", "postcode", "telephone", "customer_group_id", "sales_representative_id", "super_user_id",
];

/**
 * PUT /V1/company/{companyId} {company: {...}}: the company saved with the given fields (the
 * repository's save; required fields must stay filled). Answers the saved company.
 * https://developer.adobe.com/commerce/webapi/rest/b2b/company-object/
 */
export function updateCompanyRecord(company: Rec, changes: Rec): { status: number; body: Rec } {
  for (const field of ["company_name", "company_email", "street", "city", "country_id", "postcode", "telephone"]) {
    if (field in changes && (changes[field] === null || changes[field] === "" || (Array.isArray(changes[field]) && (changes[field] as unknown[]).length === 0))) {
      return { status: 400, body: { message: '"%fieldName" is required. Enter and try again.', parameters: { fieldName: field } } };
    }
  }
  if ("street" in changes && !Array.isArray(changes.street)) return { status: 400, body: { message: "Invalid type for value: \"string\". Expected Type: \"string[]\"." } };
  for (const field of COMPANY_FIELDS) if (field in changes) company[field] = changes[field];
  return { status: 200, body: company };
}

function resource(ctx: ApiContext, method: string, path: string, query: URLSearchParams, res: ServerResponse, body = ""): number {
  const data = ctx.data();
  const search = (records: Rec[]) => {
    try {
      json(res, 200, applyCriteria(records, readCriteria(query)));
      return 200;
    } catch (error) {
      if (error instanceof SearchCriteriaError) {
        json(res, 400, { message: error.message });
        return 400;
      }
      throw error;
    }
  };
  const byId = (records: Rec[], id: string, key = "entity_id", missing: object = ENTITY_MISSING) => {
    const found = /^\d+$/.test(id) ? records.find((r) => r[key] === Number(id)) : undefined;
    if (!found) {
      json(res, 404, missing);
      return 404;
    }
    json(res, 200, found);
    return 200;
  };
  let m: RegExpExecArray | null;
  // https://developer.adobe.com/commerce/webapi/rest/ POST /V1/orders/{id}/cancel (answers a boolean)
  if (method === "POST" && (m = /^\/orders\/([^/]+)\/cancel$/.exec(path))) {
    const order = /^\d+$/.test(m[1]!) ? data.orders.find((o) => o.entity_id === Number(m![1])) : undefined;
    if (!order) {
      json(res, 404, ENTITY_MISSING);
      return 404;
    }
    const done = cancelOrder(order, (ctx.now ?? Date.now)());
    if (done) ctx.changed?.(order);
    json(res, 200, done);
    return 200;
  }
  if (method === "PUT" && (m = /^\/company\/([^/]+)$/.exec(path))) {
    const company = /^\d+$/.test(m[1]!) ? data.companies.find((c) => c.id === Number(m![1])) : undefined;
    if (!company) {
      json(res, 404, noSuchEntity("companyId", m[1]!));
      return 404;
    }
    let parsed: { company?: unknown };
    try {
      parsed = JSON.parse(body || "{}") as typeof parsed;
    } catch {
      json(res, 400, { message: "Decoding error: \nSyntax error" });
      return 400;
    }
    const changes = parsed.company;
    if (!changes || typeof changes !== "object" || Array.isArray(changes)) {
      json(res, 400, { message: '"%fieldName" is required. Enter and try again.', parameters: { fieldName: "company" } });
      return 400;
    }
    if ("id" in changes && Number((changes as Rec).id) !== company.id) {
      json(res, 400, { message: "The company ID in the body does not match the one in the URL." });
      return 400;
    }
    const saved = updateCompanyRecord(company, changes as Rec);
    json(res, saved.status, saved.body);
    return saved.status;
  }
  if (method !== "GET") {
    json(res, 404, { message: "Request does not match any route." });
    return 404;
  }
  if (path === "/orders") return search(data.orders);
  if ((m = /^\/orders\/([^/]+)$/.exec(path))) return byId(data.orders, m[1]);
  if (path === "/invoices") return search(data.invoices);
  if ((m = /^\/invoices\/([^/]+)$/.exec(path))) return byId(data.invoices, m[1]);
  if (path === "/creditmemos") return search(data.creditmemos);
  if ((m = /^\/creditmemo\/([^/]+)$/.exec(path))) return byId(data.creditmemos, m[1]);
  if (path === "/customers/search") return search(data.customers);
  if ((m = /^\/customers\/([^/]+)$/.exec(path))) return byId(data.customers, m[1], "id", noSuchEntity("customerId", m[1]));
  if (path === "/company" || path === "/company/") return search(data.companies);
  if ((m = /^\/company\/([^/]+)$/.exec(path))) return byId(data.companies, m[1], "id", noSuchEntity("companyId", m[1]));
  if (path === "/store/storeViews") {
    json(res, 200, data.storeViews);
    return 200;
  }
  json(res, 404, { message: "Request does not match any route." });
  return 404;
}

/** Answer one API request; returns the status sent (for the request log). */
export function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, body: string): number {
  const rawUrl = req.url ?? "/";
  const url = new URL(rawUrl, "http://sandbox");
  const method = req.method ?? "GET";
  const segments = url.pathname.split("/").filter(Boolean);
  const authorization = header(req, "authorization");
  const authKind = authorization?.split(" ")[0] ?? "none";
  const done = (status: number) => {
    ctx.log({ method, path: url.pathname, auth: authKind, status });
    return status;
  };

  if (method === "POST" && url.pathname === "/ims/token/v3") return done(imsToken(ctx, body, res, header(req, "content-type")));

  // GraphQL: PaaS at /graphql, SaaS at /<tenant>/graphql; customer tokens, errors in HTTP 200 bodies.
  if (url.pathname === "/graphql" || url.pathname === `/${DEMO.tenantId}/graphql`) {
    if (method !== "POST") {
      json(res, 405, { errors: [{ message: "Use POST for GraphQL here.", extensions: { category: "graphql" } }] });
      return done(405);
    }
    const store = header(req, "store") ?? "default";
    if (!STORES.has(store)) {
      json(res, 200, { errors: [{ message: "Requested store is not found", extensions: { category: "graphql-no-such-entity" } }] });
      return done(200);
    }
    const token = authKind.toLowerCase() === "bearer" ? authorization!.slice(7).trim() : undefined;
    const answer = executeGraphql({ data: ctx.data, tokens: ctx.tokens, now: ctx.now ?? Date.now, token }, body);
    json(res, answer.status, answer.body);
    return done(answer.status);
  }

  // PaaS: /rest/V1/… or /rest/<store>/V1/…
  if (segments[0] === "rest") {
    const hasStore = segments[1] !== "V1";
    const store = hasStore ? segments[1] : "default";
    const v1At = hasStore ? 2 : 1;
    if (segments[v1At] !== "V1" || !store) {
      json(res, 404, { message: "Request does not match any route." });
      return done(404);
    }
    const path = `/${segments.slice(v1At + 1).join("/")}${url.pathname.endsWith("/") && segments.length > v1At + 1 ? "/" : ""}`;
    if (!STORES.has(store)) {
      json(res, 400, { message: "The store that was requested wasn't found. Verify the store and try again." });
      return done(400);
    }
    if (method === "POST" && path === "/integration/admin/token") {
      let creds: { username?: unknown; password?: unknown } = {};
      try {
        creds = JSON.parse(body || "{}") as typeof creds;
      } catch {
        json(res, 400, { message: "Decoding error: \nSyntax error" });
        return done(400);
      }
      if (creds.username === DEMO.twoFactorAdminUsername && creds.password === DEMO.adminPassword) {
        json(res, 401, { message: "Please use the 2fa provider-specific endpoints to obtain a token.", parameters: { active_providers: ["google"] } });
        return done(401);
      }
      if (creds.username !== DEMO.adminUsername || creds.password !== DEMO.adminPassword) {
        json(res, 401, { message: "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later." });
        return done(401);
      }
      json(res, 200, ctx.tokens.issueAdmin());
      return done(200);
    }
    if (method === "GET" && store === "all") {
      json(res, 400, { message: "Cannot perform GET operation with store code 'all'" });
      return done(400);
    }
    if (authKind.toLowerCase() === "bearer") {
      if (!ctx.tokens.valid(authorization!.slice(7).trim(), "admin")) {
        const failure = notAuthorized("Magento_Sales::sales");
        json(res, failure.status, failure.body);
        return done(failure.status);
      }
    } else {
      const failure = ctx.oauth.verify({
        method,
        host: header(req, "host") ?? "127.0.0.1",
        rawUrl,
        authorization,
        contentType: header(req, "content-type"),
        body,
      });
      if (failure) {
        json(res, failure.status, failure.body);
        return done(failure.status);
      }
    }
    return done(resource(ctx, method, path, url.searchParams, res, body));
  }

  // SaaS: /<tenant>/V1/… with a Store header and an IMS bearer token.
  if (segments[1] === "V1") {
    if (segments[0] !== DEMO.tenantId) {
      json(res, 404, { error_code: "404001", message: "Tenant not found" });
      return done(404);
    }
    const token = authKind.toLowerCase() === "bearer" ? authorization!.slice(7).trim() : "";
    if (!token || !ctx.tokens.valid(token, "ims")) {
      json(res, 401, { error_code: "401013", message: "Oauth token is not valid" });
      return done(401);
    }
    const store = header(req, "store") ?? "default";
    if (!STORES.has(store)) {
      json(res, 400, { message: "The store that was requested wasn't found. Verify the store and try again." });
      return done(400);
    }
    const path = `/${segments.slice(2).join("/")}${url.pathname.endsWith("/") && segments.length > 2 ? "/" : ""}`;
    return done(resource(ctx, method, path, url.searchParams, res, body));
  }

  json(res, 404, { message: "Request does not match any route." });
  return done(404);
}
