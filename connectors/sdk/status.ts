/**
 * The HTTP status -> error-class ladder every transport uses for a failed response.
 *
 * Glossary
 * - step:       where a status lands on the ladder (`statusStep`):
 *                 429                 -> "rate_limited"  RetryableError with Retry-After
 *                 5xx (and timeouts)  -> "transient"     RetryableError
 *                 401, 403            -> "auth"          PermanentError (connection health set)
 *                 404                 -> "not_found"     PermanentError
 *                 409                 -> "conflict"      PermanentError (a duplicate)
 *                 other 4xx           -> "invalid"       PermanentError (validation)
 * - applied?:   a write answered by a transient status may have been applied: such errors are
 *               `outcomeUnknown`, and the engine reads back before it writes again.
 *
 * Where the connectors genuinely differ, they say so through options, never a copy:
 * - `timeouts`: statuses below 500 that mean "timed out" (Exact reports 408);
 * - `mayHaveApplied`: which transient statuses may hide an applied write (Intacct: only its
 *   gateway's 524; Avalara: all but 503, which AvaTax answers before it does anything);
 * - `authHealth`: what an auth answer does to the connection (none for Intacct, whose sign-in
 *   failures arrive inside XML and are classified from their errorno);
 * - `override`: a connector's own error for one step (Exact's 403 is a review item naming the
 *   division); the connector reads its own error codes before it asks the ladder.
 */
import {
  PermanentError,
  RetryableError,
  type ClassifiedError,
  type ConnectionHealth,
  type RemoteErrorInfo,
} from "./errors";

export type StatusStep = "rate_limited" | "transient" | "auth" | "not_found" | "conflict" | "invalid";

/** Where a status stands on the ladder; undefined below 400 (success, redirects). */
export function statusStep(status: number, timeouts: readonly number[] = []): StatusStep | undefined {
  if (status === 429) return "rate_limited";
  if (status >= 500 || timeouts.includes(status)) return "transient";
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status >= 400) return "invalid";
  return undefined;
}

export interface StatusErrorOptions extends RemoteErrorInfo {
  system: string;
  status: number;
  /** The message, or one per step (the step and the status are given). */
  message: string | ((step: StatusStep, status: number) => string);
  /** The step to use instead of the status's own (a rate-limit error code inside an HTTP 400). */
  step?: StatusStep;
  retryAfterMs?: number;
  /** The request may change data: a transient answer leaves its outcome unknown. */
  write?: boolean;
  /** Transient statuses that may hide an applied write (default: all of them). */
  mayHaveApplied?: (status: number) => boolean;
  /** Statuses below 500 that are timeouts (default: none). */
  timeouts?: readonly number[];
  /** Health given to the connection by an auth answer (default: none). */
  authHealth?: ConnectionHealth;
  /** A connector's own error for a step; the remote info and the message are given. */
  override?: Partial<Record<StatusStep, (info: RemoteErrorInfo & { message: string; status: number }) => ClassifiedError>>;
}

/** The classified error of a failed response (status >= 400, or `step` given for a failure inside a 2xx). */
export function errorForStatus(options: StatusErrorOptions): ClassifiedError {
  const { system, status, code, body, details } = options;
  const step = options.step ?? statusStep(status, options.timeouts) ?? "invalid";
  const message = typeof options.message === "string" ? options.message : options.message(step, status);
  const info = { system, status, code, body, details };
  const own = options.override?.[step];
  if (own) return own({ ...info, message });
  switch (step) {
    case "rate_limited":
      return new RetryableError(message, { ...info, retryAfterMs: options.retryAfterMs });
    case "transient": {
      const applied = options.mayHaveApplied ?? (() => true);
      return new RetryableError(message, {
        ...info,
        retryAfterMs: options.retryAfterMs,
        outcomeUnknown: Boolean(options.write) && applied(status),
      });
    }
    case "auth":
      return new PermanentError(message, { ...info, connectionHealth: options.authHealth });
    default:
      return new PermanentError(message, info);
  }
}
