/**
 * The one transport of the Intacct connector: every request to the XML gateway goes through here.
 *
 * Glossary
 * - envelope:  `<request><control/><operation><authentication/><content><function/>…` (API notes A2).
 * - control id: the request's `<control><controlid>` is only echoed back; each `<function>` has
 *               its own `controlid` attribute, which `uniqueid=true` makes single-use. Writes pass
 *               a controlid derived from the node's idempotency key, so a repeated write is
 *               answered "already done" by the gateway itself.
 * - session:   `getAPISession` (always alone in its request) returns a session id and the
 *              endpoint to use; it is cached per connection in `env.state` (encrypted, shared by
 *              all worker processes) and renewed before `sessiontimeout` minus a safety margin.
 * - layers:    control, authentication, function result and `aborted` results are all checked,
 *              whatever the HTTP status: HTTP 200 with `<status>failure</status>` is a failure.
 *
 * Failures become classified errors through the SDK's status ladder (`errorForStatus`): rate
 * limit (GW-0010, HTTP 429) and 5xx are RetryableError, which the engine retries with its backoff,
 * jitter and Retry-After (this transport sends each request once); 524 and timeouts of writes are
 * "outcome unknown"; business errors are PermanentError with errorno/description/description2/
 * correction; references to unknown records are NeedsReviewError. The one thing repeated here is
 * a request refused for its session: it is sent again once on a new session (not a retry of a
 * write that may have happened: the gateway refused it before running any function).
 */
import { createHash, randomUUID } from "node:crypto";
import {
  CredentialCache,
  PermanentError,
  RetryableError,
  errorForStatus,
  isClassified,
  parseRetryAfter,
  redactedExcerpt,
  statusStep,
  type ClassifiedError,
  type ConnectorEnv,
  type HttpResponse,
} from "../sdk";
import type { ConcurrencyLimit } from "../sdk/limits";
import { companyRequests } from "./concurrency";
import { GATEWAY_PATH, type IntacctConfig, type IntacctSecrets } from "./connection";
import {
  ROLLED_BACK_ERRORNO,
  SYSTEM,
  classifyErrors,
  isDuplicateControlId,
  isRateLimit,
  type IntacctErrorEntry,
} from "./errors";
import { asArray, element, escapeXml, obj, parseXml, text, type XmlObject } from "./xml";

export type IntacctEnv = ConnectorEnv<IntacctConfig, IntacctSecrets>;

/** One function of a request: `<function controlid="…"><name>…body…</name></function>`. */
export interface IntacctFunction {
  name: string;
  body: XmlObject;
  /** Set for writes (derived from the idempotency key); reads get a random one. */
  controlId?: string;
}

export interface DataBlock {
  /** Attributes of `<data>`: listtype, count, totalcount, numremaining, resultId, offset. */
  attrs: Record<string, string>;
  /** The child records, whatever their element name. */
  records: Record<string, unknown>[];
}

export interface FunctionResult {
  function: string;
  controlId: string;
  status: "success" | "failure" | "aborted";
  /** `<key>` of legacy create functions. */
  key?: string;
  data?: DataBlock;
  errors: IntacctErrorEntry[];
  /** The gateway rejected a repeated function controlid: the write happened before. */
  duplicate: boolean;
  /** Classified error for failed and aborted results. */
  error?: ClassifiedError;
}

export interface ExecuteOptions {
  /** Writes send `uniqueid=true`; their lost responses are "outcome unknown". */
  write?: boolean;
  /** `transaction="true"`: all functions succeed or all are rolled back. */
  transaction?: boolean;
  /** Short label for the run log. */
  label?: string;
}

interface SessionState {
  v: 1;
  /** Who the session belongs to: a config change makes a new session. */
  identity: string;
  sessionId: string;
  endpoint: string;
  expiresAt: number;
  /** True when `expiresAt` comes from the gateway's `sessiontimeout`. */
  reported: boolean;
}

interface ParsedEnvelope {
  controlStatus: string;
  controlErrors: IntacctErrorEntry[];
  authStatus?: string;
  authErrors: IntacctErrorEntry[];
  sessionTimeout?: string;
  results: Record<string, unknown>[];
}

class AuthFailure extends Error {
  constructor(readonly errors: IntacctErrorEntry[]) {
    super("authentication failed");
  }
}

/** Function controlid for a write: the idempotency key itself when it fits, else its hash. */
export function controlIdFor(idempotencyKey: string): string {
  if (idempotencyKey.length <= 120 && /^[\x20-\x7e]+$/.test(idempotencyKey)) return idempotencyKey;
  return `ll-${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 48)}`;
}

function errorEntries(value: unknown): IntacctErrorEntry[] {
  return asArray(obj(value).error).map((e) => {
    const o = obj(e);
    return {
      errorno: text(o.errorno),
      description: text(o.description),
      description2: text(o.description2),
      correction: text(o.correction),
    };
  });
}

function dataBlock(value: unknown): DataBlock | undefined {
  if (value === undefined) return undefined;
  const o = obj(value);
  const attrs: Record<string, string> = {};
  const records: Record<string, unknown>[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith("@")) attrs[k.slice(1)] = text(v);
    else if (k !== "#text") for (const r of asArray(v)) records.push(obj(r));
  }
  return { attrs, records };
}

function parseEnvelope(textBody: string): ParsedEnvelope | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseXml(textBody);
  } catch {
    return undefined;
  }
  const response = doc.response;
  if (!response || typeof response !== "object") return undefined;
  const r = obj(response);
  const control = obj(r.control);
  const operation = obj(asArray(r.operation)[0]);
  const auth = obj(operation.authentication);
  return {
    controlStatus: text(control.status),
    controlErrors: errorEntries(r.errormessage),
    authStatus: operation.authentication === undefined ? undefined : text(auth.status),
    authErrors: errorEntries(operation.errormessage),
    sessionTimeout: text(auth.sessiontimeout) || undefined,
    results: asArray(operation.result).map(obj),
  };
}

export class IntacctTransport {
  private readonly config: IntacctConfig;
  private readonly secrets: IntacctSecrets;
  /** At most CONCURRENT_REQUESTS (concurrency.ts) in flight for the company across every worker process, REST calls included. */
  private readonly inFlight: ConcurrencyLimit;
  /** The connection's session: in this process, in env.state, or one new sign-in for all workers. */
  private readonly sessions: CredentialCache<SessionState, SessionState>;

  constructor(private readonly env: IntacctEnv) {
    this.config = env.config;
    this.secrets = env.secrets;
    this.inFlight = companyRequests(env);
    this.sessions = new CredentialCache<SessionState, SessionState>({
      state: env.state,
      pick: (stored) => stored,
      put: (_stored, session) => session,
      usable: (s) => this.usable(s),
      secret: (s) => s.sessionId,
      issue: () => this.login(),
      adopt: (s) => env.http.redactor.add(s.sessionId),
    });
    // Passwords travel XML-escaped: the escaped form is just as secret.
    env.http.redactor.add(escapeXml(env.secrets.senderPassword));
    env.http.redactor.add(escapeXml(env.secrets.userPassword));
    maskSessionElements(env);
  }

  get gatewayUrl(): string {
    return new URL(GATEWAY_PATH, this.config.baseUrl).toString();
  }

  private get identity(): string {
    const c = this.config;
    return [c.baseUrl, c.senderId, c.companyId, c.userId, c.entityId ?? ""].join("|");
  }

  // ---------------------------------------------------------------------------------------------
  // Sessions
  // https://developer.intacct.com/api/company-console/api-sessions/

  private usable(s: SessionState): boolean {
    return (
      s.v === 1 &&
      s.identity === this.identity &&
      s.expiresAt - this.config.sessionRenewMarginSeconds * 1000 > this.env.now()
    );
  }

  /** A usable session: cached in this process, then in env.state, else a new one (one process logs in). */
  session(): Promise<SessionState> {
    return this.sessions.get();
  }

  /** The gateway endpoint from getAPISession, kept only when it stays on the configured gateway. */
  private acceptEndpoint(endpoint: string): string {
    try {
      const url = new URL(endpoint);
      const base = new URL(this.config.baseUrl);
      if (url.origin === base.origin) return url.toString();
      if (url.protocol === "https:" && url.hostname.endsWith(".intacct.com")) return url.toString();
      this.env.log.warn("Intacct returned a session endpoint outside the configured gateway; using the gateway URL", {
        endpoint: url.origin,
      });
    } catch {
      // fall through to the configured gateway
    }
    return this.gatewayUrl;
  }

  private expiryFrom(sessionTimeout: string | undefined, fallbackFrom: number): { expiresAt: number; reported: boolean } {
    const parsed = sessionTimeout ? Date.parse(sessionTimeout) : Number.NaN;
    if (!Number.isNaN(parsed)) return { expiresAt: parsed, reported: true };
    return { expiresAt: fallbackFrom + this.config.sessionLifetimeMinutes * 60_000, reported: false };
  }

  /**
   * getAPISession with the user's login, alone in its request.
   * https://developer.intacct.com/api/company-console/api-sessions/#get-api-session
   */
  private async login(): Promise<SessionState> {
    const loginAt = this.env.now();
    const fn: Required<IntacctFunction> = { name: "getAPISession", body: {}, controlId: randomUUID() };
    const c = this.config;
    const auth = element("login", {
      userid: c.userId,
      companyid: c.companyId,
      password: this.secrets.userPassword,
      locationid: c.entityId || undefined,
    });
    const { parsed, response } = await this.send([fn], auth, this.gatewayUrl, { label: "getAPISession" });
    if (parsed.authStatus !== "success") {
      throw classifyErrors(parsed.authErrors, {
        what: "sign-in (getAPISession)",
        status: response.status,
        body: this.excerpt(response.text),
        connectionHealth: "needs_reconnect",
      });
    }
    const result = this.results(parsed, [fn], response, {})[0];
    if (result.status !== "success" || !result.data) {
      throw result.error ?? new PermanentError("Intacct getAPISession returned no session", { system: SYSTEM });
    }
    const api = obj(result.data.records[0]);
    const sessionId = text(api.sessionid);
    if (!sessionId) throw new PermanentError("Intacct getAPISession returned no session id", { system: SYSTEM });
    this.env.http.redactor.add(sessionId);
    // Why: records are written in the session's entity; a session at another one must not be used.
    const entity = text(api.locationid);
    if (api.locationid !== undefined && entity !== (c.entityId ?? "")) {
      throw new PermanentError(`Intacct opened a session at entity "${entity || "top level"}" instead of "${c.entityId || "top level"}"`, { system: SYSTEM, code: "wrong_entity" });
    }
    const { expiresAt, reported } = this.expiryFrom(parsed.sessionTimeout, loginAt);
    return {
      v: 1,
      identity: this.identity,
      sessionId,
      endpoint: this.acceptEndpoint(text(api.endpoint) || this.gatewayUrl),
      expiresAt,
      reported,
    };
  }

  /** Slide the cached expiry forward from the response's sessiontimeout. */
  private async touch(s: SessionState, sessionTimeout: string | undefined): Promise<void> {
    if (!sessionTimeout) return;
    const { expiresAt } = this.expiryFrom(sessionTimeout, this.env.now());
    if (expiresAt <= s.expiresAt + 30_000) return;
    await this.sessions.update({ ...s, expiresAt, reported: true });
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  /**
   * Run functions in one request on the connection's session, renewing it once on an
   * authentication failure. Results come back in the order of `functions`.
   * https://developer.intacct.com/web-services/requests/
   */
  async execute(functions: IntacctFunction[], options: ExecuteOptions = {}): Promise<FunctionResult[]> {
    if (functions.length === 0) return [];
    const fns = functions.map((f) => ({ ...f, controlId: f.controlId ?? randomUUID() }));
    const ids = new Set(fns.map((f) => f.controlId));
    if (ids.size !== fns.length) throw new PermanentError("Intacct functions in one request need distinct controlids", { system: SYSTEM });
    let renewed = false;
    for (;;) {
      const s = await this.session();
      const auth = element("sessionid", s.sessionId);
      try {
        const { parsed, response } = await this.send(fns, auth, s.endpoint, options);
        if (parsed.authStatus === undefined) {
          throw new PermanentError("Intacct answered without an operation block", { system: SYSTEM, body: this.excerpt(response.text) });
        }
        if (parsed.authStatus !== "success") throw new AuthFailure(parsed.authErrors);
        await this.touch(s, parsed.sessionTimeout);
        return this.results(parsed, fns, response, options);
      } catch (error) {
        if (!(error instanceof AuthFailure)) throw error;
        await this.sessions.invalidate(s.sessionId);
        if (renewed) {
          throw new RetryableError(
            `Intacct refused a fresh session: ${error.errors.map((e) => e.description2 || e.errorno).join("; ")}`,
            { system: SYSTEM, code: error.errors[0]?.errorno, details: { errors: error.errors } },
          );
        }
        this.env.log.info("Intacct session refused; signing in again");
        renewed = true;
      }
    }
  }

  /** Run one function and return its result; a failed result throws its classified error. */
  async one(fn: IntacctFunction, options: ExecuteOptions = {}): Promise<FunctionResult> {
    const [result] = await this.execute([fn], options);
    if (result.status !== "success" && !result.duplicate) throw result.error;
    return result;
  }

  private envelope(functions: Required<IntacctFunction>[], auth: string, options: ExecuteOptions): string {
    const c = this.config;
    const control = element("control", {
      senderid: c.senderId,
      password: this.secrets.senderPassword,
      controlid: `ll-${this.env.now()}-${randomUUID().slice(0, 8)}`,
      uniqueid: options.write ? "true" : "false",
      dtdversion: "3.0",
      includewhitespace: "false",
    });
    const content = functions
      .map((f) => `<function controlid="${escapeXml(f.controlId)}">${element(f.name, f.body)}</function>`)
      .join("");
    return (
      `<?xml version="1.0" encoding="utf-8"?>\n<request>${control}` +
      `<operation transaction="${options.transaction ? "true" : "false"}">` +
      `<authentication>${auth}</authentication><content>${content}</content></operation></request>`
    );
  }

  private excerpt(body: string): string {
    return redactedExcerpt(this.env.http.redactor, body, 4000);
  }

  /**
   * POST the envelope once. Returns a parsed envelope whose control layer succeeded; any other
   * answer throws its classified error, for the engine's retry policy to act on.
   */
  private async send(
    functions: Required<IntacctFunction>[],
    auth: string,
    url: string,
    options: ExecuteOptions,
  ): Promise<{ parsed: ParsedEnvelope; response: HttpResponse }> {
    const body = this.envelope(functions, auth, options);
    const label = options.label ?? functions.map((f) => f.name).join(", ");
    let response: HttpResponse;
    try {
      response = await this.inFlight.run(() =>
        this.env.http.request({
          method: "POST",
          url,
          headers: { "content-type": "application/xml; charset=utf-8", accept: "application/xml" },
          body,
          timeoutMs: this.config.timeoutMs,
          label: `Intacct ${label}`,
        }),
      );
    } catch (error) {
      // Every call is a POST, so the HTTP client calls a lost answer "outcome unknown"; only a
      // write's outcome can be unknown (the engine reads it back first), a read is just retried.
      if (isClassified(error) && error instanceof RetryableError && error.outcomeUnknown && !options.write) {
        throw new RetryableError(error.message, { system: SYSTEM, cause: error });
      }
      throw error;
    }
    const outcome = this.interpret(response, options);
    if ("error" in outcome) throw outcome.error;
    return { parsed: outcome.parsed, response };
  }

  /** What one HTTP response means: a parsed envelope, or a classified failure of the whole request. */
  private interpret(response: HttpResponse, options: ExecuteOptions): { parsed: ParsedEnvelope } | { error: ClassifiedError } {
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.env.now());
    const parsed = parseEnvelope(response.text);
    const body = this.excerpt(response.text);
    const status = response.status;
    const step = statusStep(status);
    // The ladder for the whole request. Intacct's own: only its gateway's 524 (the origin timed
    // out while processing) may hide an applied write; other 5xx are answered before any function
    // ran. Sign-in failures come inside the XML, so an HTTP 401/403 alone marks no connection.
    const ladder = (details?: unknown) =>
      errorForStatus({
        system: SYSTEM,
        status,
        body,
        details,
        retryAfterMs,
        write: options.write,
        mayHaveApplied: (s) => s === 524,
        message: (kind) =>
          kind === "rate_limited"
            ? "Intacct rate limit (HTTP 429)"
            : status === 524
              ? "Intacct gateway timed out (HTTP 524); outcome unknown"
              : `Intacct gateway error (HTTP ${status})`,
      });
    if (!parsed) {
      if (step === "rate_limited" || step === "transient") return { error: ladder() };
      return { error: new PermanentError(`Intacct answered HTTP ${status} without an XML response`, { system: SYSTEM, status, body }) };
    }
    if (parsed.controlStatus !== "success") {
      const errors = parsed.controlErrors;
      if (step === "rate_limited" || isRateLimit(errors)) {
        return { error: classifyErrors(errors, { what: "request (rate limit)", status, body, retryAfterMs }) };
      }
      if (step === "transient") return { error: ladder(status === 524 ? undefined : { errors }) };
      return { error: classifyErrors(errors, { what: "request", status, body }) };
    }
    return { parsed };
  }

  private results(
    parsed: ParsedEnvelope,
    functions: Required<IntacctFunction>[],
    response: HttpResponse,
    options: ExecuteOptions,
  ): FunctionResult[] {
    const byControlId = new Map<string, Record<string, unknown>>();
    parsed.results.forEach((r, i) => byControlId.set(text(r.controlid) || `#${i}`, r));
    const body = this.excerpt(response.text);
    const failedIds = new Set<string>();
    const out = functions.map((fn, i): FunctionResult => {
      const raw = byControlId.get(fn.controlId) ?? parsed.results[i];
      const what = `${fn.name}${objectName(fn) ? ` ${objectName(fn)}` : ""}`;
      if (!raw) {
        const error = new RetryableError(`Intacct returned no result for ${what}`, {
          system: SYSTEM,
          status: response.status,
          body,
          outcomeUnknown: !!options.write,
        });
        return { function: fn.name, controlId: fn.controlId, status: "failure", errors: [], duplicate: false, error };
      }
      const status = (text(raw.status) || "failure") as FunctionResult["status"];
      const errors = errorEntries(raw.errormessage);
      const result: FunctionResult = {
        function: text(raw.function) || fn.name,
        controlId: fn.controlId,
        status: status === "success" || status === "aborted" ? status : "failure",
        key: raw.key === undefined ? undefined : text(raw.key),
        data: dataBlock(raw.data),
        errors,
        duplicate: false,
      };
      if (result.status === "failure") {
        failedIds.add(fn.controlId);
        result.duplicate = isDuplicateControlId(errors);
        result.error = classifyErrors(errors, {
          what,
          status: response.status,
          body,
          details: { function: fn.name, controlId: fn.controlId },
        });
      }
      return result;
    });
    for (const r of out) {
      if (r.status !== "aborted") continue;
      r.error = new PermanentError(
        `Intacct ${r.function} was rolled back because another function of the transaction failed`,
        {
          system: SYSTEM,
          status: response.status,
          code: ROLLED_BACK_ERRORNO,
          body,
          details: { function: r.function, controlId: r.controlId, errors: r.errors, failed: [...failedIds] },
        },
      );
    }
    return out;
  }
}

const MASKED = Symbol.for("ledgerline.intacct.sessionMask");

/**
 * Why: the recorded HTTP client logs a response before the transport can register the session id
 * it carries (getAPISession). Masking every `<sessionid>` element in whatever the redactor writes
 * keeps new session ids out of run logs from the very first response.
 */
function maskSessionElements(env: IntacctEnv): void {
  const redactor = env.http.redactor as typeof env.http.redactor & { [MASKED]?: boolean };
  if (redactor[MASKED]) return;
  const original = redactor.text.bind(redactor);
  redactor.text = (input: string) => original(input).replace(/(<sessionid>)[^<]*(<\/sessionid>)/g, "$1[redacted]$2");
  redactor[MASKED] = true;
}

function objectName(fn: IntacctFunction): string {
  const o = fn.body.object;
  if (typeof o === "string") return o;
  const keys = Object.keys(fn.body).filter((k) => !k.startsWith("@"));
  return fn.name === "create" || fn.name === "update" ? keys.join(",") : "";
}

