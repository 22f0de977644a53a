/**
 * The Intacct connector's REST transport (API v1, `<baseUrl>/ia/api/v1`): every REST request of
 * the connector goes through here.
 *
 * Glossary
 * - token:  an OAuth 2.0 client-credentials grant (client ID and secret, `username` =
 *           `userId@companyId[|entityId]`), cached per connection in env.state next to the XML
 *           session (encrypted, shared by all workers), refreshed with its refresh token before it
 *           expires; a refused refresh (tokenInvalid REST-2102: another grant for the same user
 *           ended it) falls back to a new grant. https://developer.sage.com/intacct/docs/developer-portal/guides/oauth2
 * - errors: the body's `ia::error`, nested in `ia::result` (OpenAPI), at the top level (the
 *           error-handling guide) or as `{error}` (token errors), becomes the same entries the XML
 *           gateway answers (errorno = errorId, descriptions = messages), classified by the same
 *           rules (../errors.ts): rate limit, credentials, unknown references, business errors.
 * - slots: every request (token requests too) holds one of the company's concurrent-request slots
 *           while in flight, the same slots the XML gateway's requests take (../concurrency.ts).
 * - retries: none here besides one new token after a 401; rate limits and 5xx go back to the
 *           engine as RetryableError with Retry-After, so there is one retry layer.
 * - idempotency: writes carry `Idempotency-Key` (3.6); a 409 for a key already used means the
 *           write happened before (like a repeated controlid on the XML gateway).
 */
import { createHash } from "node:crypto";
import {
  CredentialCache,
  PermanentError,
  RetryableError,
  isClassified,
  parseRetryAfter,
  redactedExcerpt,
  stateSlot,
  type ClassifiedError,
  type ConnectorEnv,
  type HttpResponse,
} from "../../sdk";
import type { ConcurrencyLimit } from "../../sdk/limits";
import { companyRequests } from "../concurrency";
import type { IntacctConfig, IntacctSecrets } from "../connection";
import { RATE_LIMIT_ERRORNO, SYSTEM, classifyErrors, type IntacctErrorEntry } from "../errors";

export const REST_PATH = "/ia/api/v1";

type Env = ConnectorEnv<IntacctConfig, IntacctSecrets>;
type Json = Record<string, unknown>;

interface TokenState {
  v: 1;
  identity: string;
  accessToken: string;
  refreshToken?: string;
  expiresAt: number;
}

export interface RestRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Under the base: "/objects/general-ledger/journal-entry", "/services/core/query". */
  path: string;
  body?: unknown;
  /** Writes: their lost answers are "outcome unknown", and they carry the Idempotency-Key. */
  write?: boolean;
  idempotencyKey?: string;
  /** Sent as X-IA-API-Param-Entity (4.2); the token's entity otherwise. */
  entityId?: string;
  label?: string;
}

export interface RestResponse {
  status: number;
  json: Json;
  headers: Headers;
}

/** A REST failure before classification: what the transport read from the answer. */
export class RestFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly entries: IntacctErrorEntry[],
    readonly classified: ClassifiedError,
  ) {
    super(classified.message);
  }
}

/** Idempotency-Key of a write: the ledger key itself when it fits (at most 256 characters), else its hash. */
export function idempotencyKeyFor(key: string): string {
  if (key.length <= 256 && /^[\x20-\x7e]+$/.test(key)) return key;
  return `ll-${createHash("sha256").update(key).digest("hex")}`;
}

/** The error object of an answer in any of its three shapes. */
export function restErrorOf(json: Json): Json | undefined {
  const nested = (json["ia::result"] as Json | undefined)?.["ia::error"];
  if (nested && typeof nested === "object") return nested as Json;
  const top = json["ia::error"];
  if (top && typeof top === "object") return top as Json;
  const plain = json.error;
  if (plain && typeof plain === "object") return plain as Json;
  if (typeof plain === "string") return { code: plain, message: String(json.error_description ?? plain) };
  return undefined;
}

/** REST error -> the XML gateway's error entries, so ../errors.ts classifies both alike. */
export function errorEntries(error: Json | undefined): IntacctErrorEntry[] {
  if (!error) return [];
  const s = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));
  const head: IntacctErrorEntry = { errorno: s(error.errorId) || s(error.code), description: s(error.message), description2: "", correction: "" };
  const details = Array.isArray(error.details) ? (error.details as Json[]) : [];
  return [
    head,
    ...details.map((d) => ({ errorno: s(d.errorId) || s(d.code), description: "", description2: [s(d.message), d.target ? `(${s(d.target)})` : ""].filter(Boolean).join(" "), correction: "" })),
  ];
}

export class IntacctRestTransport {
  private readonly tokens: CredentialCache<TokenState, TokenState>;
  /** The company's requests in flight, shared with the XML gateway's. */
  private readonly inFlight: ConcurrencyLimit;

  constructor(private readonly env: Env) {
    this.inFlight = companyRequests(env);
    if (env.secrets.restClientSecret) env.http.redactor.add(env.secrets.restClientSecret);
    // Why a slot: env.state holds the XML transport's session as its whole value. The token sits
    // beside it under `rest`; when the XML side replaces its session the token goes with it and the
    // next REST call makes a new grant (one token request).
    this.tokens = new CredentialCache<TokenState, TokenState>({
      state: stateSlot(env.state, "rest"),
      pick: (stored) => stored,
      // A refused access token is cleared; its refresh token stays for the next grant.
      put: (stored, token) => token ?? (stored ? { ...stored, accessToken: "", expiresAt: 0 } : undefined),
      usable: (t) => this.usable(t),
      secret: (t) => t.accessToken,
      issue: (stored) => this.issue(stored),
      adopt: (t) => {
        if (t.accessToken) this.env.http.redactor.add(t.accessToken);
        if (t.refreshToken) this.env.http.redactor.add(t.refreshToken);
      },
    });
  }

  get baseUrl(): string {
    return new URL(REST_PATH, this.env.config.baseUrl).toString();
  }

  /** `userId@companyId`, or `userId@companyId|entityId` for an entity-level token (1.4). */
  get username(): string {
    const c = this.env.config;
    return `${c.userId}@${c.companyId}${c.entityId ? `|${c.entityId}` : ""}`;
  }

  private get identity(): string {
    const c = this.env.config;
    return [c.baseUrl, c.restClientId ?? "", this.username].join("|");
  }

  private usable(t: TokenState | undefined): t is TokenState {
    return !!t && t.v === 1 && t.identity === this.identity && t.expiresAt - this.env.config.sessionRenewMarginSeconds * 1000 > this.env.now();
  }

  /** A usable access token: this process's, the shared one, or one refresh or new grant for every caller. */
  token(): Promise<TokenState> {
    return this.tokens.get();
  }

  /** Under the connection's lock: refresh the stored token of this identity, else a new grant. */
  private async issue(stored: TokenState | undefined): Promise<TokenState> {
    const refreshToken = stored?.identity === this.identity ? stored.refreshToken : undefined;
    const refreshed = refreshToken ? await this.grant({ grant_type: "refresh_token", refresh_token: refreshToken }, true) : undefined;
    const fresh = refreshed ?? (await this.grant({ grant_type: "client_credentials", username: this.username }, false));
    if (!fresh) throw new PermanentError("Intacct REST token request answered no token", { system: SYSTEM });
    return fresh;
  }

  /**
   * POST /oauth2/token (form-urlencoded, client_secret_post). A refused refresh answers undefined
   * so the caller makes a new grant.
   */
  private async grant(fields: Record<string, string>, isRefresh: boolean): Promise<TokenState | undefined> {
    const c = this.env.config;
    const secret = this.env.secrets.restClientSecret;
    if (!c.restClientId || !secret) {
      throw new PermanentError("The Intacct REST API needs the connection's REST client ID and client secret", { system: SYSTEM, connectionHealth: "needs_reconnect" });
    }
    const at = this.env.now();
    const body = new URLSearchParams({ ...fields, client_id: c.restClientId, client_secret: secret });
    let response: HttpResponse;
    try {
      response = await this.inFlight.run(() =>
        this.env.http.request({
          method: "POST",
          url: `${this.baseUrl}/oauth2/token`,
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: body.toString(),
          timeoutMs: c.timeoutMs,
          label: `Intacct REST token (${fields.grant_type})`,
        }),
      );
    } catch (error) {
      // A lost token answer changes nothing that matters: ask again.
      if (error instanceof RetryableError) throw new RetryableError(error.message, { system: SYSTEM, cause: error });
      throw error;
    }
    const json = parseJson(response.text);
    if (response.status === 200 && typeof json.access_token === "string") {
      this.env.http.redactor.add(json.access_token);
      if (typeof json.refresh_token === "string") this.env.http.redactor.add(json.refresh_token);
      const expiresIn = typeof json.expires_in === "number" ? json.expires_in : Number(json.expires_in ?? 0) || 3600;
      return {
        v: 1,
        identity: this.identity,
        accessToken: json.access_token,
        refreshToken: typeof json.refresh_token === "string" ? json.refresh_token : undefined,
        expiresAt: at + expiresIn * 1000,
      };
    }
    if (isRefresh && (response.status === 400 || response.status === 401)) {
      this.env.log.info("Intacct REST refresh token refused; requesting a new token");
      return undefined;
    }
    const failure = this.classify(response, json, "token request", false);
    if (failure.classified instanceof RetryableError) throw failure.classified;
    throw new PermanentError(failure.classified.message, {
      system: SYSTEM,
      status: response.status,
      code: failure.code,
      body: this.clip(response.text),
      connectionHealth: "needs_reconnect",
    });
  }

  /**
   * One REST request with the connection's token; a 401 gets one new token and one more try.
   * Success: the status and JSON body (204: `{}`). Failure: a RestFailure carrying the
   * classified error.
   */
  async request(req: RestRequest): Promise<RestResponse> {
    let renewed = false;
    for (;;) {
      const t = await this.token();
      const headers: Record<string, string> = { authorization: `Bearer ${t.accessToken}`, accept: "application/json" };
      if (req.body !== undefined) headers["content-type"] = "application/json";
      if (req.idempotencyKey) headers["idempotency-key"] = idempotencyKeyFor(req.idempotencyKey);
      if (req.entityId) headers["x-ia-api-param-entity"] = req.entityId;
      let response: HttpResponse;
      try {
        response = await this.inFlight.run(() =>
          this.env.http.request({
            method: req.method,
            url: `${this.baseUrl}${req.path}`,
            headers,
            body: req.body === undefined ? undefined : JSON.stringify(req.body),
            timeoutMs: this.env.config.timeoutMs,
            label: `Intacct REST ${req.label ?? `${req.method} ${req.path}`}`,
          }),
        );
      } catch (error) {
        if (!isClassified(error)) throw error;
        // A read's lost answer changed nothing; a write's may have been applied (the engine reads back).
        if (error instanceof RetryableError && error.outcomeUnknown && !req.write) throw new RetryableError(error.message, { system: SYSTEM, cause: error });
        throw error;
      }
      const json = response.status === 204 ? {} : parseJson(response.text);
      if (response.status >= 200 && response.status < 300) return { status: response.status, json, headers: response.headers };
      if (response.status === 401 && !renewed) {
        await this.tokens.invalidate(t.accessToken);
        this.env.log.info("Intacct REST token refused; requesting a new one");
        renewed = true;
        continue;
      }
      throw this.classify(response, json, req.label ?? `${req.method} ${req.path}`, !!req.write);
    }
  }

  /** What a failed answer means, in the XML side's classes. */
  classify(response: HttpResponse, json: Json, what: string, write: boolean): RestFailure {
    const status = response.status;
    const error = restErrorOf(json);
    const entries = errorEntries(error);
    const code = entries[0]?.errorno || `HTTP ${status}`;
    const body = this.clip(response.text);
    const h = response.headers;
    const retryAfterMs =
      parseRetryAfter(h.get("retry-after"), this.env.now()) ??
      parseRetryAfter(h.get("x-ia-throttle-limit-retryafter"), this.env.now()) ??
      parseRetryAfter(h.get("x-ia-hour-rate-limit-retry-after"), this.env.now());
    const ctx = { what: `REST ${what}`, status, body, retryAfterMs, details: { code: error?.code, errorId: error?.errorId } };
    let classified: ClassifiedError;
    if (status === 429 || (status === 503 && entries.length === 0) || entries.some((e) => e.errorno === RATE_LIMIT_ERRORNO)) {
      classified = new RetryableError(`Intacct REST ${what}: rate limited (HTTP ${status})`, { system: SYSTEM, status, code, body, retryAfterMs });
    } else if (status === 401 || status === 403) {
      classified = new PermanentError(`Intacct REST ${what} failed: ${entries.map((e) => e.description || e.description2).filter(Boolean).join("; ") || `HTTP ${status}`}`, {
        system: SYSTEM,
        status,
        code,
        body,
        connectionHealth: status === 401 ? "needs_reconnect" : undefined,
      });
    } else if (status === 524) {
      classified = new RetryableError(`Intacct REST ${what}: gateway timed out (HTTP 524); outcome unknown`, { system: SYSTEM, status, body, outcomeUnknown: write });
    } else if (status >= 500) {
      classified = new RetryableError(`Intacct REST ${what}: server error (HTTP ${status})`, { system: SYSTEM, status, code, body });
    } else if (entries.length > 0) {
      classified = classifyErrors(entries, ctx);
    } else {
      classified = new PermanentError(`Intacct REST ${what} failed with HTTP ${status}`, { system: SYSTEM, status, body });
    }
    return new RestFailure(status, String(error?.code ?? code), entries, classified);
  }

  private clip(body: string): string {
    return redactedExcerpt(this.env.http.redactor, body, 4000);
  }
}

function parseJson(text: string): Json {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : { "ia::result": v };
  } catch {
    return {};
  }
}
