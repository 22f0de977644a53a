/**
 * Redaction: every string that leaves a connector for a log, a run log or an error passes here.
 * Known secret values (credentials, session ids, tokens learnt at run time) are replaced wherever
 * they appear; sensitive headers and fields are masked by name.
 */

export const REDACTED = "[redacted]";

const SENSITIVE_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-ims-token",
]);

/** Field names whose values are secret: accessToken, refresh_token, licenseKey, userPassword, sessionId... (not token_type). */
const SENSITIVE_KEY = /(password|passwd|secret|token|licen[cs]e_?key|api_?key|session_?id|signature|authorization)$/i;

/** Whether a field of this name holds a secret (also used by the structured logs). */
export function isSensitiveKey(name: string): boolean {
  return SENSITIVE_KEY.test(name);
}

export class Redactor {
  private readonly secrets = new Set<string>();
  /** The secrets longest first (a secret containing another is masked whole), kept until the next add. */
  private sorted: string[] | undefined;
  private shortest = Infinity;

  constructor(initial: Iterable<unknown> = []) {
    for (const value of initial) this.add(value);
  }

  /** Register a secret value (strings of 4+ characters; objects are walked). */
  add(value: unknown): void {
    if (typeof value === "string") {
      if (value.length >= 4) {
        this.secrets.add(value);
        // Basic-auth style encodings of a secret are just as secret.
        this.secrets.add(encodeURIComponent(value));
        this.sorted = undefined;
        this.shortest = Math.min(this.shortest, value.length);
      }
    } else if (value && typeof value === "object") {
      for (const v of Object.values(value)) this.add(v);
    }
  }

  text(input: string): string {
    // A string shorter than every secret holds none (a run log body has thousands of short values).
    if (input.length < this.shortest) return input;
    let out = input;
    this.sorted ??= [...this.secrets].sort((a, b) => b.length - a.length);
    for (const secret of this.sorted) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      out[name] = SENSITIVE_HEADERS.has(name.toLowerCase()) ? REDACTED : this.text(value);
    }
    return out;
  }

  /** Deep copy of a JSON-like value with secret values and sensitive keys masked. */
  value<T>(input: T): T {
    return this.walk(input, undefined) as T;
  }

  private walk(input: unknown, key: string | undefined): unknown {
    if (typeof input === "string") {
      if (key && SENSITIVE_KEY.test(key) && input.length > 0) return REDACTED;
      return this.text(input);
    }
    if (Array.isArray(input)) return input.map((v) => this.walk(v, undefined));
    if (input && typeof input === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(input as Record<string, unknown>)) out[k] = this.walk(v, k);
      return out;
    }
    return input;
  }
}

/**
 * A remote body for an error or the run log: redacted first, then cut to `max` characters.
 * Why in this order: a cut made first can split a secret, and the half left in the excerpt no
 * longer matches the redactor, so it would be shown.
 */
export function redactedExcerpt(redactor: Pick<Redactor, "text">, body: string, max: number): string {
  const redacted = redactor.text(body);
  return redacted.length > max ? `${redacted.slice(0, max)}…` : redacted;
}
