/** Helpers shared by webhook triggers: rejection and constant-time signature comparison. */
import { timingSafeEqual } from "node:crypto";
import { PermanentError } from "./errors";

/** Thrown by a webhook trigger for an unsigned or forged delivery: 401, nothing stored. */
export class WebhookRejected extends PermanentError {
  constructor(message: string) {
    super(message, { status: 401 });
  }
}

/** Compare two signatures (hex, base64...) in constant time. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Case-insensitive header read. */
export function header(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}
