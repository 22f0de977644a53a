/**
 * Error answers of the sandbox's REST API (intacct-rest.md 3.2, 3.3): the OpenAPI form nests the
 * error in `ia::result`; the error-handling guide's examples put `ia::error` at the top level.
 * `/__sandbox/rest-settings {"errorShape": "top-level"}` switches to the second form, so clients
 * are tested against both.
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { send } from "../../../sdk";
import type { ErrorEntry } from "../functions";

export type ErrorShape = "nested" | "top-level";

export interface RestErrorDetail {
  code: string;
  message: string;
  errorId?: string;
  target?: string;
}

export interface RestError {
  status: number;
  code: string;
  message: string;
  errorId?: string;
  messageId?: string;
  details?: RestErrorDetail[];
  headers?: Record<string, string>;
}

export function errorBody(e: RestError, shape: ErrorShape): Record<string, unknown> {
  const error = {
    code: e.code,
    message: e.message,
    errorId: e.errorId,
    supportId: `sbx-${randomBytes(5).toString("hex")}`,
    additionalInfo: { messageId: e.messageId ?? "", placeholders: {}, propertySet: {} },
    details: e.details,
  };
  const meta = { totalCount: 1, totalSuccess: 0, totalError: 1 };
  return shape === "top-level" ? { "ia::error": error, "ia::meta": meta } : { "ia::result": { "ia::error": error }, "ia::meta": meta };
}

export function sendError(res: ServerResponse, e: RestError, shape: ErrorShape): void {
  send(res, e.status, errorBody(e, shape), e.headers);
}

/** Store function errors (the XML gateway's errorno and texts) as a REST business error. */
export function fromStoreErrors(errors: ErrorEntry[]): RestError {
  const text = (e: ErrorEntry) => [e.description, e.description2].filter(Boolean).join(" ").trim() || e.errorno;
  const duplicate = errors.some((e) => /already exists/i.test(`${e.description ?? ""} ${e.description2 ?? ""}`));
  const schema = errors.some((e) => e.errorno === "XL03000003" || e.errorno === "DL02000001");
  return {
    // 409 for a unique key already taken, 400 for a malformed request, else 422 (business validation).
    status: duplicate ? 409 : schema ? 400 : 422,
    code: duplicate ? "duplicateKey" : schema ? "invalidRequest" : "operationFailed",
    message: errors.map(text).join("; "),
    errorId: errors[0]?.errorno,
    details: errors.map((e) => ({ code: "operationFailed", errorId: e.errorno, message: text(e) })),
  };
}

export const invalidRequest = (message: string, details?: RestErrorDetail[]): RestError => ({
  status: 400,
  code: "invalidRequest",
  message,
  errorId: "REST-1064",
  messageId: "IA.PAYLOAD_CONTAINS_ERRORS",
  details,
});

export const notFound = (what: string): RestError => ({ status: 404, code: "notFound", message: `${what} was not found`, errorId: "REST-1028" });

export const methodNotAllowed = (method: string, allow: string): RestError => ({
  status: 405,
  code: "methodNotAllowed",
  message: `${method} is not allowed here`,
  errorId: "REST-1005",
  headers: { allow },
});
