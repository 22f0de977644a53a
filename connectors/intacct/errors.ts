/**
 * Classification of Intacct error entries (`<errormessage><error>…`) into the SDK's classes.
 *
 * Why by errorno first and by description second: Intacct reuses the generic `BL01001973` for
 * many business failures and puts the specific cause ("Invalid Vendor 'V9' specified.") in
 * `description2`. A reference to a record that does not exist is something a person fixes (a
 * mapping table or the Intacct master data), so it parks for review instead of failing for good.
 */
import {
  NeedsReviewError,
  PermanentError,
  RetryableError,
  type ClassifiedError,
  type ConnectionHealth,
} from "../sdk";

export const SYSTEM = "intacct";

export interface IntacctErrorEntry {
  errorno: string;
  description: string;
  description2: string;
  correction: string;
}

/** Gateway rate limit ("429 error"), https://developer.intacct.com/web-services/error-handling/ */
export const RATE_LIMIT_ERRORNO = "GW-0010";
/** Added to every other result of a failed `transaction="true"` operation. */
export const ROLLED_BACK_ERRORNO = "XL03000009";
/**
 * Duplicate function controlid under `uniqueid=true`. The real code is not published (see the
 * API notes, A2); the sandbox answers with this one and the description below, and the client
 * also recognises the wording so a differing code from the real gateway is still caught.
 */
export const DUPLICATE_CONTROLID_ERRORNO = "XL03000008";
const DUPLICATE_TEXT = /(control ?id).*(already|previously)|(already|previously).*(control ?id)/i;

/** Sign-in and sender failures: the connection's credentials are wrong. */
const CREDENTIAL_ERRORNOS = new Set(["XL03000006", "XMLGW_JPP0002", "PL04000055"]);

/** "Invalid Vendor 'V9' specified." and similar: a reference to a record that does not exist. */
const UNKNOWN_REFERENCE = /Invalid (GL Account|Account|Vendor|Customer|Department|Location|Class|Project|Item|Employee|Task|Contract|Warehouse|Journal)\b[^']*'([^']*)'/i;

export function errorText(errors: IntacctErrorEntry[]): string {
  return errors
    .map((e) =>
      [e.errorno, e.description, e.description2, e.correction ? `Correction: ${e.correction}` : ""]
        .map((s) => s.replace(/<[^>]*>/g, "").trim())
        .filter(Boolean)
        .join(" "),
    )
    .filter(Boolean)
    .join("; ");
}

export function isDuplicateControlId(errors: IntacctErrorEntry[]): boolean {
  return errors.some(
    (e) => e.errorno === DUPLICATE_CONTROLID_ERRORNO || DUPLICATE_TEXT.test(`${e.description} ${e.description2}`),
  );
}

export function isRateLimit(errors: IntacctErrorEntry[]): boolean {
  return errors.some((e) => e.errorno === RATE_LIMIT_ERRORNO || /rate limit exceeded/i.test(`${e.description} ${e.description2}`));
}

export function isCredentialFailure(errors: IntacctErrorEntry[]): boolean {
  return errors.some((e) => CREDENTIAL_ERRORNOS.has(e.errorno));
}

/** The most specific errorno: the generic "could not create" code only when nothing else is there. */
export function mainErrorno(errors: IntacctErrorEntry[]): string | undefined {
  const specific = errors.find((e) => e.errorno && e.errorno !== "BL01001973" && e.errorno !== ROLLED_BACK_ERRORNO);
  return (specific ?? errors[0])?.errorno || undefined;
}

export interface ClassifyContext {
  /** "create GLBATCH", "readByQuery VENDOR"... */
  what: string;
  status?: number;
  body?: string;
  details?: Record<string, unknown>;
  retryAfterMs?: number;
  connectionHealth?: ConnectionHealth;
}

/** Classify a function-level (or operation-level) failure from its error entries. */
export function classifyErrors(errors: IntacctErrorEntry[], ctx: ClassifyContext): ClassifiedError {
  const message = `Intacct ${ctx.what} failed: ${errorText(errors) || "no error details"}`;
  const base = {
    system: SYSTEM,
    status: ctx.status,
    code: mainErrorno(errors),
    body: ctx.body,
    details: { ...ctx.details, errors },
  };
  if (isRateLimit(errors)) return new RetryableError(message, { ...base, retryAfterMs: ctx.retryAfterMs });
  if (isCredentialFailure(errors)) {
    return new PermanentError(message, { ...base, connectionHealth: ctx.connectionHealth ?? "needs_reconnect" });
  }
  for (const e of errors) {
    const match = UNKNOWN_REFERENCE.exec(`${e.description} ${e.description2}`);
    if (match) {
      return new NeedsReviewError(message, {
        ...base,
        reasonCode: "unknown_reference",
        details: { ...base.details, referenceType: match[1], referenceValue: match[2] },
      });
    }
  }
  return new PermanentError(message, base);
}
