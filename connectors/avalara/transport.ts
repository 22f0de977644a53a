/**
 * The one transport for AvaTax REST v2: base URL, HTTP Basic auth, JSON, the X-Avalara-Client
 * header, timeouts, and the translation of every failure into the SDK's classified errors.
 *
 * Glossary
 * - envelope:  AvaTax's error body `{error:{code,message,target,details[]}}`. It is parsed
 *              whatever the HTTP status (the official SDK throws on it even with a 200).
 * - finalized: a document code that belongs to a Committed or Cancelled document; creating it
 *              again fails (DocumentCodeConflict, or GetTaxError "DocStatus is invalid"). Callers
 *              read the document back instead (see `isFinalizedCodeError`).
 *
 * Classification
 * - 429, RequestLimitExceeded, 5xx, network, timeouts -> RetryableError (Retry-After honoured;
 *   writes answered by 500/502/504 or lost are `outcomeUnknown`, the engine reconciles first);
 * - AuthenticationException / 401 -> PermanentError, connection marked failing;
 * - address errors -> NeedsReviewError "invalid_address"; unknown tax code -> "invalid_tax_code";
 *   locked (reported) document -> "locked_transaction";
 * - other 4xx -> PermanentError with the remote details kept.
 * https://developer.avalara.com/avatax/errors/
 */
import { createHash } from "node:crypto";
import {
  NeedsReviewError,
  PermanentError,
  RetryableError,
  errorForStatus,
  parseRetryAfter,
  redactedExcerpt,
  type ClassifiedError,
  type ConnectorEnv,
  type StatusStep,
} from "../sdk";
import { CallBudget } from "../sdk/limits";
import { clientHeader, resolveBaseUrl, type AvalaraConfig, type AvalaraSecrets } from "./config";

export const SYSTEM = "avalara";

export interface AvaTaxErrorDetail {
  code?: string;
  number?: number;
  message?: string;
  description?: string;
  refersTo?: string;
  severity?: string;
  helpLink?: string;
}

export interface AvaTaxErrorEnvelope {
  error: { code?: string; message?: string; target?: string; details?: AvaTaxErrorDetail[] };
}

export interface AvaTaxRequest {
  method: "GET" | "POST" | "PUT";
  /** Path below the base URL, starting with /api/v2/. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Short label for the run log, e.g. "CreateTransaction INV-1". */
  label: string;
  /** True for calls that change data at Avalara (create, adjust, commit, void). */
  write?: boolean;
}

const MAX_BODY_EXCERPT = 4_000;

/**
 * Encode a company or transaction code for a URL path segment, with AvaTax's escapes for the
 * characters its router cannot take.
 * https://developer.avalara.com/avatax/dev-guide/transactions/ (special characters in codes)
 */
export function encodeCode(code: string): string {
  return encodeURIComponent(
    code
      .replaceAll("/", "_-ava2f-_")
      .replaceAll("+", "_-ava2b-_")
      .replaceAll("?", "_-ava3f-_")
      .replaceAll("%", "_-ava25-_")
      .replaceAll("#", "_-ava23-_"),
  );
}

const ADDRESS_CODES = new Set([
  "InvalidAddress",
  "AddressConflictException",
  "InvalidPostalCode",
  "JurisdictionNotFoundError",
  "MissingAddress",
  "AddressLocationNotFound",
  "NotEnoughAddressesInfo",
  "InvalidCountry",
  "InvalidCountryRegion",
]);
const AUTH_CODES = new Set([
  "AuthenticationException",
  "AuthenticationIncomplete",
  "BasicAuthIncorrect",
  "InvalidAuthenticationType",
  "BearerTokenInvalid",
  "AccountExpiredException",
  "InactiveAccount",
  "InactiveUserError",
]);
const RATE_CODES = new Set(["RequestLimitExceeded", "ConcurrentRequestLimitExceeded", "RateLimitExceededError"]);
const FINALIZED_CODES = new Set(["DocumentCodeConflict", "TransactionAlreadyExists", "TransactionIsCommitted"]);

export function isEnvelope(value: unknown): value is AvaTaxErrorEnvelope {
  return Boolean(value && typeof value === "object" && "error" in value && (value as { error: unknown }).error && typeof (value as { error: unknown }).error === "object");
}

const detailText = (details: AvaTaxErrorDetail[] | undefined) =>
  (details ?? []).map((d) => `${d.message ?? ""} ${d.description ?? ""} ${d.refersTo ?? ""}`).join(" ");

/**
 * True when an error says the document code is already finalized (Committed or Cancelled):
 * DocumentCodeConflict, or GetTaxError with "DocStatus is invalid for this operation".
 */
export function isFinalizedCodeError(error: unknown): error is ClassifiedError {
  const e = error as ClassifiedError;
  if (!e || e.system !== SYSTEM || e.kind !== "permanent") return false;
  if (e.code && FINALIZED_CODES.has(e.code)) return true;
  if (e.code === "TransactionAlreadyCancelled") return true;
  const details = (e.details as AvaTaxErrorDetail[] | undefined) ?? [];
  return e.code === "GetTaxError" && /DocStatus is invalid/i.test(`${e.message} ${detailText(details)}`);
}

export const isNotFoundError = (error: unknown): boolean => {
  const e = error as ClassifiedError;
  return Boolean(e && e.system === SYSTEM && e.kind === "permanent" && (e.code === "EntityNotFoundError" || e.status === 404));
};

/**
 * Our own pace per AvaTax account, shared by every worker process: Avalara publishes no numeric
 * limit for transactions, so this keeps bursts (a backfill) moderate, and a 429 pauses the account
 * for everyone until its Retry-After. The connection's `callsPerSecond` sets it (default 20).
 */
export const avalaraRate = (callsPerSecond: number) => ({ name: "second", limit: callsPerSecond, periodMs: 1_000, paced: true });

export class AvaTaxTransport {
  readonly baseUrl: string;
  private readonly authorization: string;
  private readonly clientId: string;
  private readonly budget: CallBudget;

  constructor(private readonly env: ConnectorEnv<AvalaraConfig, AvalaraSecrets>) {
    this.baseUrl = resolveBaseUrl(env.config);
    const { accountId, licenseKey, username, password } = env.secrets;
    const pair = accountId && licenseKey ? `${accountId}:${licenseKey}` : `${username ?? ""}:${password ?? ""}`;
    const token = Buffer.from(pair, "utf8").toString("base64");
    // The encoded pair is as secret as the key itself.
    env.http.redactor.add(token);
    this.authorization = `Basic ${token}`;
    this.clientId = clientHeader(env.config);
    // Keyed by a hash of the account (a user name is not for a plain-text key).
    const account = createHash("sha256").update(`${this.baseUrl}|${accountId ?? username ?? ""}`).digest("hex").slice(0, 24);
    this.budget = new CallBudget(env, "avalara", `avalara|${account}`, [avalaraRate(env.config.callsPerSecond)]);
  }

  url(path: string, query: Record<string, string | undefined> = {}): string {
    const qs = Object.entries(query)
      .filter(([, v]) => v !== undefined && v !== "")
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`)
      .join("&");
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  /** One call. Returns the parsed JSON body of a success; throws a classified error otherwise. */
  async call<T>(req: AvaTaxRequest): Promise<T> {
    const headers: Record<string, string> = {
      Accept: "application/json",
      Authorization: this.authorization,
      "X-Avalara-Client": this.clientId,
    };
    if (req.body !== undefined) headers["Content-Type"] = "application/json";
    await this.budget.before();
    const response = await this.env.http.request({
      method: req.method,
      url: this.url(req.path, req.query),
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      timeoutMs: this.env.config.timeoutMs,
      label: req.label,
    });
    let parsed: unknown;
    let parseFailed = false;
    if (response.text.trim()) {
      try {
        parsed = JSON.parse(response.text);
      } catch {
        parseFailed = true;
      }
    }
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), this.env.now());
    await this.budget.after(response.status, retryAfterMs);
    if (isEnvelope(parsed) || response.status >= 300 || parseFailed) {
      throw this.classify(req, response.status, parsed, response.text, retryAfterMs, parseFailed);
    }
    return parsed as T;
  }

  private classify(
    req: AvaTaxRequest,
    status: number,
    parsed: unknown,
    text: string,
    retryAfterMs: number | undefined,
    parseFailed: boolean,
  ): ClassifiedError {
    const redactor = this.env.http.redactor;
    // Redacted before it is clipped: a cut first could leave half a secret that no longer matches.
    const body = redactedExcerpt(redactor, text, MAX_BODY_EXCERPT);
    const envelope = isEnvelope(parsed) ? parsed.error : undefined;
    const code = envelope?.code;
    const details = envelope?.details ? redactor.value(envelope.details) : undefined;
    const remoteMessage = redactor.text(envelope?.message ?? (parseFailed ? "response is not JSON" : `HTTP ${status}`));
    const first = details?.[0];
    const explain = first?.description && first.description !== remoteMessage ? ` ${redactor.text(first.description)}` : "";
    const message = `Avalara ${req.label}: ${code ? `${code}: ` : ""}${remoteMessage}${explain}`;
    const base = { system: SYSTEM, status, code, body, details };

    // The status ladder, where AvaTax's own error codes can also name the step (a rate-limit or
    // authentication code in any status). A 503 is answered before anything is done; any other
    // 5xx of a write may have been applied, so the engine reconciles before writing again.
    const signIn = status === 401 || (code !== undefined && AUTH_CODES.has(code));
    const rights = status === 403 || code === "AuthorizationException" || code === "PermissionRequired";
    const step: StatusStep | undefined =
      status === 429 || (code && RATE_CODES.has(code)) ? "rate_limited" : status >= 500 ? "transient" : signIn || rights ? "auth" : undefined;
    if (step) {
      return errorForStatus({
        ...base,
        step,
        retryAfterMs,
        write: req.write,
        mayHaveApplied: (s) => s !== 503,
        authHealth: "failing",
        message:
          step !== "auth"
            ? message
            : signIn
              ? `${message} Check the account id and license key (or user name and password) of the connection.`
              : `${message} The credentials are not allowed to call this API or company.`,
      });
    }
    if (parseFailed && status < 300) {
      // A 2xx we cannot read: a write may have happened.
      return new RetryableError(message, { ...base, outcomeUnknown: Boolean(req.write) });
    }
    const text2 = `${remoteMessage} ${detailText(details)}`;
    if (
      (code && ADDRESS_CODES.has(code)) ||
      (code === "GetTaxError" && /address/i.test(text2) && !/DocStatus/i.test(text2))
    ) {
      return new NeedsReviewError(message, { ...base, reasonCode: "invalid_address" });
    }
    if (code === "EntityNotFoundError" && /taxcode/i.test(text2)) {
      return new NeedsReviewError(message, { ...base, reasonCode: "invalid_tax_code" });
    }
    if (code === "CannotModifyLockedTransaction") {
      return new NeedsReviewError(`${message} The document was reported on a tax return; adjust it in AvaTax by hand.`, {
        ...base,
        reasonCode: "locked_transaction",
      });
    }
    return new PermanentError(message, base);
  }
}
