/**
 * The one HTTP transport for Adobe Commerce (PaaS and SaaS). Every call goes through
 * `env.http.request` (recorded, redacted) and every failure leaves as a classified error.
 *
 * Glossary
 * - restBase:     `<origin>/rest/<store>` (PaaS) or `<origin>/<tenant>` (SaaS); calls go to `<restBase>/V1/…`.
 * - oauth1:       PaaS integration credentials; each request is signed, nothing is cached.
 * - admin token:  PaaS bearer token from `POST /V1/integration/admin/token` (4 h by default).
 * - IMS token:    SaaS bearer token from Adobe IMS client credentials (24 h, no refresh token).
 * - state:        bearer tokens live in `env.state` (encrypted, shared by all workers), one SDK
 *                 `CredentialCache` per kind: renewals run under `env.state.withLock` so only one
 *                 worker asks for a new token.
 * - GraphQL:      B2B purchase orders are GraphQL only, listed to a signed-in company user: a
 *                 customer token from `generateCustomerToken` (1 h by default), same state and lock.
 *
 * Error body: `{"message":"… %name …","parameters":{…}|[…],"errors":[…],"code":n}`; statuses:
 * NoSuchEntity 404, auth 401, input/state 400, anything else 500.
 * https://developer.adobe.com/commerce/webapi/get-started/gs-web-api-response/
 */
import {
  CredentialCache,
  PermanentError,
  REDACTED,
  errorForStatus,
  redactedExcerpt,
  type ClassifiedError,
  type Redactor,
  parseRetryAfter,
  type ConnectionHealth,
  type ConnectorEnv,
} from "../sdk";
import { detectDeployment, type CommerceConfig, type CommerceSecrets, type DeploymentInfo } from "./config";
import { oauth1Header, type OAuth1Credentials } from "./oauth1";
import { searchCriteriaPairs, toQueryString, type SearchCriteria } from "./search-criteria";

export const SYSTEM = "commerce";

export type CommerceEnv = ConnectorEnv<CommerceConfig, CommerceSecrets>;

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** What this connector keeps in the connection's encrypted state. */
export interface CommerceState {
  ims?: CachedToken;
  admin?: CachedToken;
  /** The B2B company user's customer token (GraphQL). */
  customer?: CachedToken;
  /** I/O Events public keys fetched by path, PEM by path. */
  ioEventsKeys?: Record<string, string>;
}

export interface SearchResult<T> {
  items: T[];
  total_count: number;
  search_criteria?: unknown;
}

/** Customer tokens: 1 h unless the JWT says otherwise (`oauth/access_token_lifetime/customer`). */
const CUSTOMER_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** One GraphQL error as Magento answers it (`extensions.category`: graphql-authorization, graphql-input, ...). */
interface GraphqlError {
  message?: unknown;
  extensions?: { category?: unknown };
}

/** Admin tokens: 4 h unless the JWT says otherwise (`oauth/access_token_lifetime/admin`). */
const ADMIN_TOKEN_LIFETIME_MS = 4 * 60 * 60 * 1000;
const MAX_BODY_EXCERPT = 2000;

/** Fill `%name` / `%1` placeholders from `parameters` (an object or an array). */
export function renderMagentoMessage(message: string, parameters: unknown): string {
  if (!parameters || typeof parameters !== "object") return message;
  const list = Array.isArray(parameters) ? parameters : undefined;
  const named = list ? undefined : (parameters as Record<string, unknown>);
  return message.replace(/%(\w+)/g, (whole, name: string) => {
    let value: unknown;
    if (list && /^\d+$/.test(name)) value = list[Number(name) - 1];
    else if (named) value = name in named ? named[name] : /^\d+$/.test(name) ? Object.values(named)[Number(name) - 1] : undefined;
    if (value === undefined || value === null) return whole;
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  });
}

interface ParsedError {
  message: string;
  code?: string;
}

/** Read Magento's error body (or an IMS error body); falls back to the status line. */
export function parseErrorBody(text: string, status: number): ParsedError {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body.message === "string") {
      let message = renderMagentoMessage(body.message, body.parameters);
      if (Array.isArray(body.errors) && body.errors.length > 0) {
        const details = body.errors
          .map((e) => (e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string"
            ? renderMagentoMessage((e as { message: string }).message, (e as { parameters?: unknown }).parameters)
            : undefined))
          .filter((m): m is string => !!m);
        if (details.length) message += ` (${details.join("; ")})`;
      }
      return { message, code: body.code !== undefined && body.code !== 0 ? String(body.code) : undefined };
    }
    if (typeof body.error === "string") {
      // IMS: {"error":"invalid_client","error_description":"…"}
      return { message: typeof body.error_description === "string" ? body.error_description : body.error, code: body.error };
    }
  } catch {
    // not JSON: fall through
  }
  return { message: `HTTP ${status}` };
}

function statusCode(status: number): string {
  if (status === 400) return "bad_request";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  return `http_${status}`;
}

function decodeJwtExpiry(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload.exp === "number" ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const masked = new WeakSet<object>();
const TOKEN_FIELD = /"(access_token|refresh_token|id_token|token)"(\s*:\s*)"[^"]*"/g;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g;

/**
 * The recorded HTTP client logs a response body before the transport can register the token it
 * carries (IMS `access_token`, the admin token's bare JSON string). Until the SDK masks token
 * fields itself, this connection's redactor also masks token fields and JWT-shaped strings.
 */
function maskTokensIn(redactor: Redactor): void {
  if (masked.has(redactor)) return;
  masked.add(redactor);
  const plain = redactor.text.bind(redactor);
  redactor.text = (input: string) => plain(input).replace(TOKEN_FIELD, `"$1"$2"${REDACTED}"`).replace(JWT, REDACTED);
}

export interface RequestOptions {
  query?: Array<[string, string]>;
  body?: unknown;
  label?: string;
}

type TokenKind = "ims" | "admin" | "customer";

export class CommerceTransport {
  readonly info: DeploymentInfo;
  private readonly env: CommerceEnv;
  /** IMS and admin bearer tokens (REST) and the B2B company user's customer token (GraphQL). */
  private readonly tokens: Record<TokenKind, CredentialCache<CachedToken, CommerceState>>;

  constructor(env: CommerceEnv) {
    this.env = env;
    const cache = (kind: TokenKind, issue: () => Promise<CachedToken>) =>
      new CredentialCache<CachedToken, CommerceState>({
        state: env.state,
        pick: (state) => state?.[kind],
        put: (state, token) => ({ ...state, [kind]: token }),
        usable: (token) => token.expiresAt > env.now(),
        secret: (token) => token.token,
        issue,
        adopt: (token) => env.http.redactor.add(token.token),
      });
    this.tokens = {
      ims: cache("ims", () => this.requestImsToken()),
      admin: cache("admin", () => this.requestAdminToken()),
      customer: cache("customer", () => this.requestCustomerToken()),
    };
    try {
      this.info = detectDeployment(env.config.baseUrl, env.config.deployment, env.config.storeCode);
    } catch (error) {
      throw new PermanentError(`Commerce connection: ${(error as Error).message}`, { system: SYSTEM, connectionHealth: "failing" });
    }
    env.http.redactor.add(env.secrets);
    maskTokensIn(env.http.redactor);
  }

  get authMode(): "oauth1" | "adminToken" | "ims" {
    return this.info.deployment === "saas" ? "ims" : this.env.config.paasAuth;
  }

  now(): number {
    return this.env.now();
  }

  private fail(message: string, options: { status?: number; code?: string; body?: string; health?: ConnectionHealth } = {}): never {
    throw new PermanentError(message, {
      system: SYSTEM,
      status: options.status,
      code: options.code,
      body: options.body,
      connectionHealth: options.health,
    });
  }

  private excerpt(text: string): string {
    return redactedExcerpt(this.env.http.redactor, text, MAX_BODY_EXCERPT);
  }

  private oauthCredentials(): OAuth1Credentials {
    const s = this.env.secrets;
    const missing = (["consumerKey", "consumerSecret", "accessToken", "accessTokenSecret"] as const).filter((k) => !s[k]);
    if (missing.length) {
      this.fail(`Commerce OAuth 1.0a integration needs ${missing.join(", ")} (System > Integrations > the integration's credentials)`, {
        code: "missing_credentials",
        health: "failing",
      });
    }
    return { consumerKey: s.consumerKey!, consumerSecret: s.consumerSecret!, token: s.accessToken!, tokenSecret: s.accessTokenSecret! };
  }

  private url(path: string, query?: Array<[string, string]>): string {
    const qs = query && query.length ? `?${toQueryString(query)}` : "";
    return `${this.info.restBase}/V1${path}${qs}`;
  }

  // ---------------------------------------------------------------------------------------------
  // Bearer tokens (admin, IMS): cached in env.state, renewed under the cross-process lock.

  private get bearerKind(): "ims" | "admin" {
    return this.authMode === "ims" ? "ims" : "admin";
  }

  /**
   * Adobe IMS client-credentials token.
   * https://developer.adobe.com/commerce/webapi/rest/authentication/server-to-server/
   */
  private async requestImsToken(): Promise<CachedToken> {
    const { imsClientId, imsTokenUrl, imsScopes } = this.env.config;
    const secret = this.env.secrets.imsClientSecret;
    if (!imsClientId || !secret) {
      this.fail("Commerce SaaS needs the IMS client id (config) and client secret (secrets) of an OAuth Server-to-Server credential", {
        code: "missing_credentials",
        health: "failing",
      });
    }
    if (!imsScopes.split(",").map((s) => s.trim()).includes("commerce.accs")) {
      this.fail("IMS scopes must include commerce.accs", { code: "invalid_scope", health: "failing" });
    }
    const body = new URLSearchParams({ grant_type: "client_credentials", client_id: imsClientId, client_secret: secret, scope: imsScopes });
    const res = await this.env.http.request({
      method: "POST",
      url: imsTokenUrl,
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
      label: "IMS token",
    });
    if (res.status === 429 || res.status >= 500) throw this.statusError(res.status, res.text, res.headers, "POST", "IMS token", false);
    if (res.status !== 200) {
      const parsed = parseErrorBody(res.text, res.status);
      this.fail(`Adobe IMS refused the client credentials: ${parsed.message}`, {
        status: res.status,
        code: parsed.code ?? statusCode(res.status),
        body: this.excerpt(res.text),
        health: "failing",
      });
    }
    let token: { access_token?: unknown; expires_in?: unknown };
    try {
      token = JSON.parse(res.text) as typeof token;
    } catch {
      this.fail("Adobe IMS answered with something that is not JSON; check the IMS token URL", { status: 200, code: "invalid_response", body: this.excerpt(res.text) });
    }
    if (typeof token.access_token !== "string" || !token.access_token) {
      this.fail("Adobe IMS answered without an access_token", { status: 200, code: "invalid_response", health: "failing" });
    }
    this.env.http.redactor.add(token.access_token);
    const lifetimeMs = (typeof token.expires_in === "number" ? token.expires_in : Number(token.expires_in ?? 86_399)) * 1000;
    // Renew a little before IMS says it expires: 5 minutes, or a tenth of very short lifetimes.
    const margin = Math.min(5 * 60 * 1000, lifetimeMs / 10);
    return { token: token.access_token, expiresAt: this.env.now() + lifetimeMs - margin };
  }

  /**
   * Admin bearer token (PaaS).
   * https://developer.adobe.com/commerce/webapi/get-started/authentication/gs-authentication-token/
   */
  private async requestAdminToken(): Promise<CachedToken> {
    const username = this.env.config.adminUsername;
    const password = this.env.secrets.adminPassword;
    if (!username || !password) {
      this.fail("Commerce admin-token auth needs the admin user name (config) and password (secrets)", { code: "missing_credentials", health: "failing" });
    }
    const res = await this.env.http.request({
      method: "POST",
      url: `${this.info.restBase}/V1/integration/admin/token`,
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ username, password }),
      label: "admin token",
    });
    if (res.status === 429 || res.status >= 500) throw this.statusError(res.status, res.text, res.headers, "POST", "admin token", false);
    if (res.status !== 200) {
      const parsed = parseErrorBody(res.text, res.status);
      const twoFactor = /2fa|two.?factor/i.test(parsed.message);
      this.fail(
        twoFactor
          ? `Commerce requires two-factor authentication for admin tokens: ${parsed.message} Use an OAuth 1.0a integration instead.`
          : `Commerce refused the admin sign-in: ${parsed.message}`,
        { status: res.status, code: twoFactor ? "two_factor_required" : (parsed.code ?? statusCode(res.status)), body: this.excerpt(res.text), health: "failing" },
      );
    }
    let token: unknown;
    try {
      token = JSON.parse(res.text);
    } catch {
      token = undefined;
    }
    if (typeof token !== "string" || !token) {
      this.fail("Commerce admin token endpoint did not answer with a token string", { status: 200, code: "invalid_response", body: this.excerpt(res.text) });
    }
    this.env.http.redactor.add(token);
    const now = this.env.now();
    const exp = decodeJwtExpiry(token);
    const expiresAt = (exp ?? now + ADMIN_TOKEN_LIFETIME_MS) - 60_000;
    return { token, expiresAt: Math.max(expiresAt, now + 1000) };
  }

  // ---------------------------------------------------------------------------------------------
  // GraphQL (B2B purchase orders): a company user's customer token, cached like the bearer tokens.

  /** https://developer.adobe.com/commerce/webapi/graphql/schema/customer/mutations/generate-token/ */
  private async requestCustomerToken(): Promise<CachedToken> {
    const email = this.env.config.b2bBuyerEmail;
    const password = this.env.secrets.b2bBuyerPassword;
    if (!email || !password) {
      this.fail("B2B purchase orders need a company user's e-mail (config b2bBuyerEmail) and password (secrets b2bBuyerPassword)", {
        code: "missing_credentials",
        health: "failing",
      });
    }
    const data = await this.graphqlOnce<{ generateCustomerToken?: { token?: unknown } }>(
      "mutation Token($email: String!, $password: String!) { generateCustomerToken(email: $email, password: $password) { token } }",
      { email, password },
      "customer token",
      undefined,
    );
    const token = data.generateCustomerToken?.token;
    if (typeof token !== "string" || !token) this.fail("Commerce answered generateCustomerToken without a token", { code: "invalid_response" });
    this.env.http.redactor.add(token);
    const now = this.env.now();
    const expiresAt = (decodeJwtExpiry(token) ?? now + CUSTOMER_TOKEN_LIFETIME_MS) - 60_000;
    return { token, expiresAt: Math.max(expiresAt, now + 1000) };
  }

  /** One GraphQL POST; `bearer` undefined for the token mutation itself. */
  private async graphqlOnce<T>(query: string, variables: Record<string, unknown>, label: string, bearer: string | undefined): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json", "content-type": "application/json", Store: this.info.storeCode };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const res = await this.env.http.request({ method: "POST", url: this.info.graphqlUrl, headers, body: JSON.stringify({ query, variables }), label });
    if (res.status === 429 || res.status >= 500) throw this.statusError(res.status, res.text, res.headers, "POST", label, false);
    let parsed: { data?: unknown; errors?: GraphqlError[] };
    try {
      parsed = JSON.parse(res.text) as typeof parsed;
    } catch {
      this.fail(`Commerce answered ${label} with a body that is not JSON; check the instance URL (${this.info.graphqlUrl})`, {
        status: res.status,
        code: "invalid_response",
        body: this.excerpt(res.text),
      });
    }
    const errors = Array.isArray(parsed.errors) ? parsed.errors : [];
    if (errors.length > 0) {
      const first = errors[0]!;
      const category = typeof first.extensions?.category === "string" ? first.extensions.category : "graphql";
      const message = typeof first.message === "string" ? first.message : "GraphQL error";
      throw new PermanentError(`Commerce GraphQL ${label}: ${message}`, {
        system: SYSTEM,
        status: res.status,
        code: category,
        body: this.excerpt(res.text),
        connectionHealth: category === "graphql-authorization" || category === "graphql-authentication" ? "failing" : undefined,
      });
    }
    if (res.status !== 200 || !parsed.data || typeof parsed.data !== "object") {
      this.fail(`Commerce GraphQL ${label} failed (${res.status})`, { status: res.status, code: statusCode(res.status), body: this.excerpt(res.text) });
    }
    return parsed.data as T;
  }

  /**
   * A GraphQL query as the B2B company user. An expired or revoked customer token
   * (graphql-authorization) is renewed once.
   * https://developer.adobe.com/commerce/webapi/graphql/usage/
   */
  async graphql<T>(query: string, variables: Record<string, unknown>, label: string): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { token } = await this.tokens.customer.get();
      try {
        return await this.graphqlOnce<T>(query, variables, label, token);
      } catch (error) {
        if (attempt === 1 && error instanceof PermanentError && error.code === "graphql-authorization") {
          this.env.log.info(`Commerce refused the customer token on ${label}; renewing it`);
          await this.tokens.customer.invalidate(token);
          continue;
        }
        throw error;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  /**
   * The classified error of a failed answer, on the SDK's status ladder. Commerce's own: any 5xx
   * of a write may have been applied; 401 and 403 mark the connection failing, with a hint for
   * the connection's kind of sign-in.
   */
  private statusError(status: number, text: string, headers: Headers, method: string, label: string, write: boolean): ClassifiedError {
    const parsed = parseErrorBody(text, status);
    const retryAfterMs = parseRetryAfter(headers.get("retry-after"), this.env.now());
    return errorForStatus({
      system: SYSTEM,
      status,
      code: parsed.code ?? statusCode(status),
      body: this.excerpt(text),
      retryAfterMs,
      write,
      authHealth: "failing",
      message: (step) => {
        if (step === "rate_limited") {
          return `Commerce rate limit on ${label}: ${parsed.message}${retryAfterMs !== undefined ? ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)` : ""}`;
        }
        if (step === "transient") return `Commerce ${method} ${label} failed with ${status}: ${parsed.message}`;
        if (step === "auth") return `Commerce refused ${label} (${status}): ${parsed.message}; ${this.authHint()}`;
        return `Commerce ${label} failed (${status}): ${parsed.message}`;
      },
    });
  }

  private authHint(): string {
    return this.authMode === "oauth1"
      ? "check the integration's consumer key/secret and access token/secret, and that the integration is active with access to this resource"
      : this.authMode === "ims"
        ? "check the IMS credential, its commerce.accs scope and the tenant id"
        : "check the admin user's role and password";
  }

  /** One REST call under `<restBase>/V1`; renews a bearer token once on 401. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const label = options.label ?? `${method} ${path}`;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = { accept: "application/json" };
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      if (body !== undefined) headers["content-type"] = "application/json";
      let bearer: string | undefined;
      const mode = this.authMode;
      if (mode === "oauth1") {
        headers.authorization = oauth1Header(this.oauthCredentials(), { method, url }, { timestamp: this.env.now() });
      } else {
        bearer = (await this.tokens[this.bearerKind].get()).token;
        headers.authorization = `Bearer ${bearer}`;
      }
      if (mode === "ims") {
        headers.Store = this.info.storeCode;
        if (this.env.config.imsClientId) headers["x-api-key"] = this.env.config.imsClientId;
        if (this.env.config.imsOrgId) headers["x-gw-ims-org-id"] = this.env.config.imsOrgId;
      }
      const res = await this.env.http.request({ method, url, headers, body, label });
      if (res.status === 401 && bearer && attempt === 1) {
        // Expired or revoked bearer token: renew once, then give up.
        this.env.log.info(`Commerce answered 401 to ${label}; renewing the ${mode === "ims" ? "IMS" : "admin"} token`);
        await this.tokens[this.bearerKind].invalidate(bearer);
        continue;
      }
      return this.interpret<T>(res.status, res.text, res.headers, method, label);
    }
  }

  private interpret<T>(status: number, text: string, headers: Headers, method: string, label: string): T {
    if (status >= 200 && status < 300) {
      if (text === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        this.fail(`Commerce answered ${label} with a body that is not JSON; check the instance URL (${this.info.restBase})`, {
          status,
          code: "invalid_response",
          body: this.excerpt(text),
        });
      }
    }
    throw this.statusError(status, text, headers, method, label, method !== "GET");
  }

  get<T = unknown>(path: string, query?: Array<[string, string]>, label?: string): Promise<T> {
    return this.request<T>("GET", path, { query, label });
  }

  /**
   * One page of a searchCriteria list.
   * https://developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches/
   */
  async search<T>(path: string, criteria: SearchCriteria, label?: string): Promise<SearchResult<T>> {
    const page = await this.get<SearchResult<T>>(path, searchCriteriaPairs(criteria), label);
    if (!page || !Array.isArray(page.items)) {
      // Magento omits `items` when nothing matches on some versions.
      return { items: [], total_count: typeof page?.total_count === "number" ? page.total_count : 0, search_criteria: page?.search_criteria };
    }
    return page;
  }

  /**
   * Every page from `currentPage` on, up to `maxPages`. Stops on `total_count`, never on an empty
   * page alone: an out-of-range page returns the last page again on older Magento versions.
   */
  async searchAll<T>(
    path: string,
    criteria: SearchCriteria,
    options: { maxPages?: number; label?: string; onPage?: (items: T[], page: number) => boolean | void } = {},
  ): Promise<{ items: T[]; totalCount: number; pages: number; complete: boolean; nextPage?: number }> {
    const pageSize = criteria.pageSize ?? this.env.config.pageSize;
    const maxPages = options.maxPages ?? 1000;
    const items: T[] = [];
    let page = criteria.currentPage ?? 1;
    let pages = 0;
    let totalCount = 0;
    for (;;) {
      const result = await this.search<T>(path, { ...criteria, pageSize, currentPage: page }, options.label);
      totalCount = result.total_count;
      pages++;
      items.push(...result.items);
      const stop = options.onPage?.(result.items, page) === false;
      const done = result.items.length === 0 || page * pageSize >= totalCount;
      if (done) return { items, totalCount, pages, complete: true };
      if (stop || pages >= maxPages) return { items, totalCount, pages, complete: false, nextPage: page + 1 };
      page++;
    }
  }

  /**
   * An Adobe I/O Events public key by the relative path the delivery names
   * (`x-adobe-public-key1-path`), cached in the connection state.
   * https://developer.adobe.com/events/docs/guides/#security-considerations
   */
  async ioEventsPublicKey(path: string): Promise<string | undefined> {
    if (!/^\/[A-Za-z0-9/_.-]+\.pem$/.test(path) || path.includes("..")) return undefined;
    const cached = (await this.env.state.get<CommerceState>())?.ioEventsKeys?.[path];
    if (cached) return cached;
    const host = this.env.config.ioEventsKeyHost.replace(/\/+$/, "");
    const res = await this.env.http.request({ method: "GET", url: `${host}${path}`, label: "I/O Events public key" });
    if (res.status !== 200 || !res.text.includes("BEGIN PUBLIC KEY")) return undefined;
    await this.env.state.withLock(async () => {
      const current = (await this.env.state.get<CommerceState>()) ?? {};
      await this.env.state.set<CommerceState>({ ...current, ioEventsKeys: { ...current.ioEventsKeys, [path]: res.text } });
    });
    return res.text;
  }
}
