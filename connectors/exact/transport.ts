/**
 * The one transport for Exact Online: every HTTP call of the connector goes through here, and
 * every failure leaves here as a classified error (system "exact", status, code, redacted body).
 *
 * Glossary
 * - endpoint:     the regional base URL (https://start.exactonline.nl, or the sandbox's /nl).
 * - endpoint key: `<division>/<service>/<Entity>`, the unit Exact counts error responses by.
 * - error budget: Exact blocks an app key for an hour after 10 error responses (400, 401, 403,
 *                 404) per endpoint per hour; this transport stops calling an endpoint at 8.
 * - envelope:     `{"error":{"code":"","message":{"lang":"","value":"…"}}}`, Exact's error body,
 *                 which may also arrive inside an HTTP 200.
 * https://support.exactonline.com/community/s/knowledge-base#All-All-DNO-Content-respcodeserrorhandling
 */
import type { ConnectorEnv } from "../sdk";
import { HttpClient, NeedsReviewError, PermanentError, RetryableError, errorForStatus, parseRetryAfter, redactedExcerpt } from "../sdk";
import type { HttpResponse } from "../sdk";
import { reconnectError, type TokenEndpoint, type TokenManager, type TokenResponse } from "./auth";
import { readCollection, readErrorEnvelope, type ODataPage } from "./odata";
import { ExactRateLimits, retryAfter429 } from "./ratelimit";

const SYSTEM = "exact";
export const ERROR_WINDOW_MS = 3_600_000;
/** Exact blocks at 10 error responses per endpoint per hour; stop before that. */
export const ERROR_BUDGET = 8;
const BODY_EXCERPT = 2_000;
const ERROR_STATUSES = new Set([400, 401, 403, 404]);

export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path below `/api/v1/`, e.g. `123456/financial/GLAccounts`. */
  path?: string;
  /** An absolute URL (a `__next` link), used as given. */
  url?: string;
  /** OData options without the `$` (`filter`, `select`, `top`, `expand`, `orderby`) or plain parameters. */
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  label: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

/** Build `?$filter=…&$select=…` with spaces as %20 (OData options keep their `$`). */
export function buildQuery(query: Record<string, string | number | undefined> = {}): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const name = ["filter", "select", "top", "expand", "orderby", "skiptoken", "skip"].includes(key) ? `$${key}` : key;
    parts.push(`${name}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

/** The division a call counts against: the first path segment below /api/v1/ (`current/Me`: the connection's). */
export function divisionOf(url: string, fallback: number): number {
  const m = /\/api\/v1\/(\d+)\//.exec(new URL(url).pathname);
  return m ? Number(m[1]) : fallback;
}

export function endpointKey(url: string): string {
  const path = new URL(url).pathname;
  const at = path.indexOf("/api/v1/");
  const rest = at >= 0 ? path.slice(at + "/api/v1/".length) : path;
  return rest.replace(/\(.*\)$/, "").toLowerCase();
}

export class ExactTransport implements TokenEndpoint {
  private tokens?: TokenManager;
  private readonly limiter: ExactRateLimits;
  private readonly tokenHttp: HttpClient;

  constructor(
    private readonly env: ConnectorEnv,
    readonly endpoint: string,
    readonly division: number,
    clientId = "",
  ) {
    this.limiter = new ExactRateLimits(env, `${endpoint}|${clientId}`);
    // Why a second HttpClient for the token endpoint: the recorded HTTP client redacts known
    // secrets only, and the new tokens are unknown until the response is read. This one shares
    // the redactor and the abort signal, and logs each call with token fields masked by name.
    this.tokenHttp = new HttpClient({
      redactor: env.http.redactor,
      signal: env.signal,
      system: SYSTEM,
      egress: env.http.egress,
      record: (call) => {
        let responseBody = call.responseBody;
        if (responseBody) {
          try {
            responseBody = JSON.stringify(env.http.redactor.value(JSON.parse(responseBody)));
          } catch {
            responseBody = env.http.redactor.text(responseBody);
          }
        }
        env.log.info(`HTTP ${call.method} ${call.url} -> ${call.status ?? call.error}`, { ...call, responseBody });
      },
    });
  }

  useTokens(tokens: TokenManager): void {
    this.tokens = tokens;
  }

  private get auth(): TokenManager {
    if (!this.tokens) throw new Error("ExactTransport used before its token manager was attached");
    return this.tokens;
  }

  url(path: string, query?: ApiRequest["query"]): string {
    return `${this.endpoint}/api/v1/${path.replace(/^\/+/, "")}${buildQuery(query)}`;
  }

  private excerpt(text: string, max = BODY_EXCERPT): string {
    return redactedExcerpt(this.env.http.redactor, text, max);
  }

  /** `__next` links are followed as given, but only on our own endpoint (they carry our token). */
  private checkOwnUrl(url: string): void {
    const target = new URL(url);
    const own = new URL(this.endpoint);
    if (target.origin !== own.origin || !target.pathname.startsWith(`${own.pathname.replace(/\/$/, "")}/api/v1/`)) {
      throw new PermanentError(`Exact Online returned a paging link outside ${this.endpoint}: ${url}`, {
        system: SYSTEM,
        code: "foreign_next_link",
      });
    }
  }

  // ---------------------------------------------------------------- token endpoint

  /**
   * POST {endpoint}/api/oauth2/token (form-urlencoded), both grants.
   * https://support.exactonline.com/community/s/knowledge-base#All-All-DNO-Content-oauth-eol-oauth-devstep3
   */
  async postToken(form: URLSearchParams, label: string, now: number): Promise<TokenResponse> {
    const grant = form.get("grant_type");
    let response: HttpResponse;
    try {
      response = await this.tokenHttp.request({
        method: "POST",
        url: `${this.endpoint}/api/oauth2/token`,
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: form,
        label,
      });
    } catch (error) {
      if (error instanceof RetryableError) {
        // The request may have reached Exact and counted: wait out the interval before trying again.
        throw new RetryableError(`${error.message} (token request)`, {
          system: SYSTEM,
          code: "token_request_failed",
          retryAfterMs: 570_000,
          cause: error,
        });
      }
      throw error;
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(response.text) as Record<string, unknown>;
    } catch {
      // handled below by status
    }
    const excerpt = this.excerpt(JSON.stringify(this.env.http.redactor.value(body)));
    if (response.status === 200) {
      const access = body.access_token;
      const refresh = body.refresh_token;
      const expires = Number.parseInt(String(body.expires_in ?? ""), 10);
      if (typeof access !== "string" || typeof refresh !== "string" || !access || !refresh) {
        throw new PermanentError("Exact Online token endpoint answered without a token pair", {
          system: SYSTEM,
          status: 200,
          code: "token_response_invalid",
          body: excerpt,
        });
      }
      this.env.http.redactor.add(access);
      this.env.http.redactor.add(refresh);
      return { accessToken: access, refreshToken: refresh, expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : 600 };
    }
    const error = typeof body.error === "string" ? body.error : "";
    const description = typeof body.error_description === "string" ? body.error_description : this.excerpt(response.text, 200);
    const info = { system: SYSTEM, status: response.status, code: error || String(response.status), body: excerpt };
    if (response.status === 429) {
      const { waitMs } = retryAfter429(response.headers, now);
      throw new RetryableError(`Exact Online token endpoint limit reached: ${description}`, {
        ...info,
        retryAfterMs: waitMs ?? parseRetryAfter(response.headers.get("retry-after"), now) ?? 3_600_000,
      });
    }
    if (response.status >= 500) {
      throw new RetryableError(`Exact Online token endpoint failed (${response.status}): ${description}`, {
        ...info,
        retryAfterMs: 570_000,
      });
    }
    if (/old refresh token/i.test(description)) {
      throw reconnectError(
        "Exact rejected the stored refresh token as already used (\"Old refresh token used\"). Another copy of this connection, or a sign-in elsewhere with the same app, replaced it.",
        { status: response.status, error },
      );
    }
    if (grant === "refresh_token" && /refresh token.*expired|expired.*refresh token/i.test(description)) {
      throw reconnectError("the refresh token expired (Exact ends refresh tokens that go unused for 30 days).", {
        status: response.status,
        error,
      });
    }
    if (/too (early|soon)|570/i.test(description)) {
      throw new RetryableError(`Exact Online refused an early token request: ${description}`, { ...info, retryAfterMs: 570_000 });
    }
    if (error === "invalid_client" || (error === "unauthorized_client" && !/refresh/i.test(description))) {
      throw new NeedsReviewError(`Exact Online refused the app credentials (${error}): check the client ID and client secret`, {
        ...info,
        reasonCode: "invalid_client",
        connectionHealth: "failing",
      });
    }
    if (grant === "refresh_token" && (error === "invalid_grant" || response.status === 401)) {
      throw reconnectError(`Exact refused the refresh token (${error || response.status}: ${description})`, {
        status: response.status,
        error,
      });
    }
    throw new PermanentError(`Exact Online token request failed (${response.status} ${error}): ${description}`, info);
  }

  // ---------------------------------------------------------------- REST API

  private checkErrorBudget(key: string, now: number): void {
    const recent = (this.auth.current()?.errors?.[key] ?? []).filter((t) => now - t < ERROR_WINDOW_MS);
    if (recent.length >= ERROR_BUDGET) {
      const retryAfterMs = recent[0] + ERROR_WINDOW_MS - now;
      throw new RetryableError(
        `Calls to ${key} are paused: ${recent.length} error responses in the last hour (Exact blocks the app key at 10)`,
        { system: SYSTEM, code: "error_budget", retryAfterMs },
      );
    }
  }

  private async send(req: ApiRequest, url: string, token: string): Promise<HttpResponse> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (req.body !== undefined) headers["content-type"] = "application/json";
    if (req.method === "POST") headers.prefer = "return=representation";
    const response = await this.env.http.request({
      method: req.method,
      url,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      label: req.label,
    });
    await this.limiter.observe(divisionOf(url, this.division), response.status, response.headers);
    return response;
  }

  async api(req: ApiRequest): Promise<ApiResponse> {
    const url = req.url ?? this.url(req.path ?? "", req.query);
    if (req.url) this.checkOwnUrl(req.url);
    const key = endpointKey(url);
    let token = await this.auth.accessToken();
    this.checkErrorBudget(key, this.env.now());
    await this.limiter.beforeCall(divisionOf(url, this.division));
    let response = await this.send(req, url, token);
    if (response.status === 401) {
      await this.auth.recordError(key, ERROR_WINDOW_MS);
      await this.auth.rejected(token);
      token = await this.auth.accessToken();
      await this.limiter.beforeCall(divisionOf(url, this.division));
      response = await this.send(req, url, token);
      if (response.status === 401) {
        await this.auth.recordError(key, ERROR_WINDOW_MS);
        throw reconnectError("Exact Online refused a freshly issued access token (401); sign in again with Connect", {
          status: 401,
          reason: response.headers.get("reason") ?? undefined,
        });
      }
    }
    return this.interpret(req, url, key, response);
  }

  private async interpret(req: ApiRequest, url: string, key: string, response: HttpResponse): Promise<ApiResponse> {
    const { status } = response;
    let body: unknown = undefined;
    let parsed = true;
    if (response.text.trim()) {
      try {
        body = JSON.parse(response.text);
      } catch {
        parsed = false;
      }
    }
    const envelope = readErrorEnvelope(body);
    const message = envelope?.message || response.headers.get("reason") || this.excerpt(response.text, 200) || `HTTP ${status}`;
    const info = {
      system: SYSTEM,
      status,
      code: envelope?.code ?? String(status),
      body: this.excerpt(response.text),
    };
    const what = `${req.method} ${key}`;
    if (ERROR_STATUSES.has(status)) await this.auth.recordError(key, ERROR_WINDOW_MS);

    if (status >= 200 && status < 300) {
      if (envelope) throw new PermanentError(`Exact Online ${what} failed: ${message}`, { ...info, code: envelope.code ?? "error_in_body" });
      if (!parsed) {
        throw new PermanentError(`Exact Online ${what} answered ${status} with a body that is not JSON (was Accept: application/json ignored?)`, {
          ...info,
          code: "unexpected_format",
        });
      }
      return { status, body };
    }
    if (envelope && (status === 408 || status >= 500) && /^invalid\b/i.test(message)) {
      // Exact reports some validations (a webhook callback that does not answer) as 500 "Invalid: …".
      throw new PermanentError(`Exact Online ${what} failed: ${message}`, { ...info, code: "invalid" });
    }
    const now = this.env.now();
    // A 429 says which limit (minutely or daily) ran out, and when it resets.
    const limit = status === 429 ? retryAfter429(response.headers, now) : undefined;
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), now);
    // The status ladder, with Exact's own steps: 408 is a timeout; 403 is a review item (the
    // division, or the user's rights); a 404 carries the code not_found.
    throw errorForStatus({
      ...info,
      code: limit ? (limit.which ? `rate_limit_${limit.which}` : "rate_limit") : info.code,
      retryAfterMs: limit ? (limit.waitMs ?? retryAfterMs ?? 60_000) : retryAfterMs,
      write: req.method !== "GET",
      timeouts: [408],
      message: (step) =>
        step === "rate_limited"
          ? `Exact Online ${limit?.which ?? ""} rate limit reached on ${what}: ${message}`.replace("  ", " ")
          : step === "transient"
            ? `Exact Online ${what} failed with ${status}: ${message}`
            : step === "not_found"
              ? `Exact Online ${what}: not found (${message})`
              : `Exact Online ${what} was rejected (${status}): ${message}`,
      override: {
        auth: (e) => {
          if (status !== 403) return new PermanentError(e.message, e);
          const wrongDivision = /wrongdivision|division/i.test(message);
          return new NeedsReviewError(
            wrongDivision
              ? `Exact Online refused division ${this.division} for this user (${message}): check the connection's division`
              : `Exact Online refused ${what} (${message}): the signed-in user lacks the rights for it`,
            { ...e, reasonCode: wrongDivision ? "division_forbidden" : "access_denied", connectionHealth: "failing" },
          );
        },
        not_found: (e) => new PermanentError(e.message, { ...e, code: "not_found" }),
      },
    });
  }

  /** One page of a collection: a path + query, or a `__next` URL. */
  async page(req: Omit<ApiRequest, "method" | "body">): Promise<ODataPage> {
    const { body, status } = await this.api({ ...req, method: "GET" });
    const page = readCollection(body);
    if (!page) {
      throw new PermanentError(`Exact Online ${req.label}: expected a collection (d.results or d[])`, {
        system: SYSTEM,
        status,
        code: "unexpected_format",
        body: this.excerpt(JSON.stringify(body ?? null)),
      });
    }
    return page;
  }

  /** Every page of a collection, following `__next` as given, up to `maxPages`. */
  async all(req: Omit<ApiRequest, "method" | "body">, maxPages = 50): Promise<ODataPage> {
    const rows: Record<string, unknown>[] = [];
    let page = await this.page(req);
    rows.push(...page.rows);
    let pages = 1;
    while (page.next && pages < maxPages) {
      page = await this.page({ url: page.next, label: `${req.label} (next page)` });
      rows.push(...page.rows);
      pages += 1;
    }
    return { rows, next: page.next };
  }
}
