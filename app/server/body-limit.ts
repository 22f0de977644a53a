/**
 * The body cap's error and its 413 answer, shared by the route handlers (http-guards.ts, on web
 * Requests) and the webhook intake (webhook-intake.ts, on Node's requests).
 */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${formatBytes(limit)}.`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

/** The JSON a 413 carries, for a client to show. */
export function tooLargeBody(limit: number) {
  return { error: { code: "PAYLOAD_TOO_LARGE", message: `The request body is larger than ${formatBytes(limit)}.`, limitBytes: limit } };
}
