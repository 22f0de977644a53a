/**
 * Classified errors: the only language in which connectors tell the engine what went wrong.
 *
 * Glossary
 * - retryable:    try again later (429, 5xx, network, timeouts). May carry `retryAfterMs`.
 *                 `outcomeUnknown` means a write may have been applied (timeout, lost response):
 *                 the engine reconciles before it writes again.
 * - permanent:    will fail again until the input or configuration changes (validation, 4xx).
 * - needs_review: a person must fix something (invalid address, missing mapping). The run parks
 *                 in the review queue and is replayed after the fix.
 * - already_done: the remote system or the ledger says this write happened before. `result`
 *                 holds what was read back so the flow continues with it.
 *
 * The engine decides from `kind` alone, never from message text.
 */

export type ErrorKind = "retryable" | "permanent" | "needs_review" | "already_done";

/** Status a connection should take after an error (auth failures, revoked tokens). */
export type ConnectionHealth = "failing" | "needs_reconnect";

export interface RemoteErrorInfo {
  /** The remote system, e.g. "intacct". */
  system?: string;
  /** HTTP status, when there was one. */
  status?: number;
  /** Remote error code (errorno, error.code, ...). */
  code?: string;
  /** Redacted excerpt of the remote body. */
  body?: string;
  /** Structured remote details (already redacted). */
  details?: unknown;
}

export interface ClassifiedErrorOptions extends RemoteErrorInfo {
  cause?: unknown;
  /** Mark the node's connection with this health (e.g. invalid credentials). */
  connectionHealth?: ConnectionHealth;
}

export abstract class ClassifiedError extends Error {
  abstract readonly kind: ErrorKind;
  readonly system?: string;
  readonly status?: number;
  readonly code?: string;
  readonly body?: string;
  readonly details?: unknown;
  readonly connectionHealth?: ConnectionHealth;

  constructor(message: string, options: ClassifiedErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.system = options.system;
    this.status = options.status;
    this.code = options.code;
    this.body = options.body;
    this.details = options.details;
    this.connectionHealth = options.connectionHealth;
  }

  toJSON(): SerializedError {
    return {
      kind: this.kind,
      name: this.name,
      message: this.message,
      system: this.system,
      status: this.status,
      code: this.code,
      body: this.body,
      details: this.details,
    };
  }
}

export class RetryableError extends ClassifiedError {
  readonly kind = "retryable" as const;
  readonly retryAfterMs?: number;
  readonly outcomeUnknown: boolean;
  constructor(
    message: string,
    options: ClassifiedErrorOptions & { retryAfterMs?: number; outcomeUnknown?: boolean } = {},
  ) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
  override toJSON(): SerializedError {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs, outcomeUnknown: this.outcomeUnknown };
  }
}

export class PermanentError extends ClassifiedError {
  readonly kind = "permanent" as const;
}

export class NeedsReviewError extends ClassifiedError {
  readonly kind = "needs_review" as const;
  /** Stable machine-readable reason, used to group review items (e.g. "lookup_miss", "invalid_address"). */
  readonly reasonCode: string;
  constructor(message: string, options: ClassifiedErrorOptions & { reasonCode: string }) {
    super(message, options);
    this.reasonCode = options.reasonCode;
  }
  override toJSON(): SerializedError {
    return { ...super.toJSON(), reasonCode: this.reasonCode };
  }
}

export class AlreadyDoneError extends ClassifiedError {
  readonly kind = "already_done" as const;
  /** The earlier result, read back from the remote system. */
  readonly result: unknown;
  constructor(message: string, options: ClassifiedErrorOptions & { result: unknown }) {
    super(message, options);
    this.result = options.result;
  }
}

export interface SerializedError {
  kind: ErrorKind | "internal";
  name: string;
  message: string;
  system?: string;
  status?: number;
  code?: string;
  body?: string;
  details?: unknown;
  retryAfterMs?: number;
  outcomeUnknown?: boolean;
  reasonCode?: string;
}

export function isClassified(error: unknown): error is ClassifiedError {
  return error instanceof ClassifiedError;
}

/** Serialise any thrown value for storage; unclassified errors are bugs and marked "internal". */
export function serializeError(error: unknown): SerializedError {
  if (isClassified(error)) return error.toJSON();
  if (error instanceof Error) return { kind: "internal", name: error.name, message: error.message };
  return { kind: "internal", name: "Error", message: String(error) };
}

/**
 * Parse a Retry-After header (delta-seconds or HTTP-date) into milliseconds.
 * https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
