/**
 * The HTTP client every connector transport uses. It records each call (method, URL, status,
 * duration, redacted headers and bodies) into the node's run log, enforces a timeout, follows the
 * abort signal, and turns network failures into classified retryable errors.
 *
 * Transports still decide what a response *means* (HTTP 200 with an error inside, 429, 5xx):
 * this layer only moves bytes and records them.
 *
 * Every request, and every redirect it is sent on, passes the client's egress rules (`./egress`):
 * by name before it leaves, by resolved address when the socket connects. A refused request
 * throws `EgressRefusedError` (permanent) and is recorded like any other failure.
 */
import { Agent, fetch as undiciFetch } from "undici";
import { baseEgress, EgressRefusedError, type EgressPolicy } from "./egress";
import { PermanentError, RetryableError } from "./errors";
import { Redactor } from "./redact";

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A string body is sent as is; objects must be serialised by the transport. */
  body?: string | URLSearchParams;
  timeoutMs?: number;
  /** Short label shown in the run log, e.g. "readByQuery SODOCUMENT". */
  label?: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  durationMs: number;
}

export interface HttpCallRecord {
  label?: string;
  method: string;
  url: string;
  status?: number;
  durationMs: number;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  responseBody?: string;
  error?: string;
  at: string;
}

export type HttpRecorder = (record: HttpCallRecord) => void;

const MAX_LOGGED_BODY = 64 * 1024;

function clip(text: string): string {
  return text.length > MAX_LOGGED_BODY ? `${text.slice(0, MAX_LOGGED_BODY)}… (${text.length} bytes)` : text;
}

const SECRET_XML = /<(password|sessionid|userpassword|senderpassword)>[^<]*<\/\1>/gi;

/**
 * Mask a body for the run log. Known secret values go through the redactor; secrets the transport
 * has not registered yet (a token in the very response being logged) are caught by name: JSON
 * fields such as access_token/refresh_token/password, XML elements such as <sessionid>.
 */
export function redactBody(text: string, redactor: Redactor): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.stringify(redactor.value(JSON.parse(text)));
    } catch {
      // not JSON after all: fall through
    }
  }
  if (trimmed.startsWith("<")) return redactor.text(text).replace(SECRET_XML, (_m, tag: string) => `<${tag}>[redacted]</${tag}>`);
  if (/^[\w.%+-]+=[^&\s]*(&[\w.%+-]+=[^&\s]*)*$/.test(text)) {
    // form-urlencoded (token requests): mask secret-looking fields, keep the rest as sent
    return redactor.text(
      text
        .split("&")
        .map((pair) => {
          const [key = ""] = pair.split("=", 1);
          return /(secret|token|password|code)$/i.test(decodeURIComponent(key)) ? `${key}=[redacted]` : pair;
        })
        .join("&"),
    );
  }
  return redactor.text(text);
}

export interface HttpClientOptions {
  redactor: Redactor;
  /** Where this client may send requests (default: public hosts and loopback, never metadata). */
  egress?: EgressPolicy;
  /** Largest response body read, in bytes (default 64 MB). */
  maxResponseBytes?: number;
  record?: HttpRecorder;
  signal?: AbortSignal;
  defaultTimeoutMs?: number;
  system?: string;
  /**
   * Runs before a request is sent (the engine checks that its run still holds its lease before
   * anything that may change a remote system). Throwing stops the request; nothing is recorded.
   */
  beforeSend?: (req: HttpRequest) => Promise<void>;
}

export class HttpClient {
  readonly redactor: Redactor;
  private readonly record?: HttpRecorder;
  private readonly signal?: AbortSignal;
  private readonly defaultTimeoutMs: number;
  private readonly system?: string;
  private readonly beforeSend?: (req: HttpRequest) => Promise<void>;
  readonly egress: EgressPolicy;
  private readonly maxResponseBytes: number;

  constructor(options: HttpClientOptions) {
    this.egress = options.egress ?? baseEgress;
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
    this.redactor = options.redactor;
    this.record = options.record;
    this.signal = options.signal;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.system = options.system;
    this.beforeSend = options.beforeSend;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    await this.beforeSend?.(req);
    const started = Date.now();
    const timeoutMs = req.timeoutMs ?? this.defaultTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    const body = req.body instanceof URLSearchParams ? req.body.toString() : req.body;
    const redactedUrl = this.redactor.text(req.url);
    const base: Omit<HttpCallRecord, "durationMs"> = {
      label: req.label,
      method: req.method,
      url: redactedUrl,
      requestHeaders: this.redactor.headers(req.headers ?? {}),
      requestBody: body === undefined ? undefined : clip(redactBody(body, this.redactor)),
      at: new Date(started).toISOString(),
    };
    let response: Awaited<ReturnType<typeof undiciFetch>>;
    try {
      response = await this.send(req.url, { method: req.method, headers: req.headers ?? {}, body, signal });
    } catch (error) {
      const durationMs = Date.now() - started;
      // Refused by name (thrown here) or by address (the socket lookup's error, as fetch's cause).
      const cause = (error as { cause?: unknown }).cause;
      const refused = error instanceof EgressRefusedError ? error : cause instanceof EgressRefusedError ? cause : undefined;
      if (refused) {
        this.record?.({ ...base, durationMs, error: refused.message });
        throw refused;
      }
      const timedOut = timeout.aborted && !this.signal?.aborted;
      const message = timedOut
        ? `${req.method} ${redactedUrl} timed out after ${timeoutMs} ms`
        : `${req.method} ${redactedUrl} failed: ${this.redactor.text((error as Error).message ?? String(error))}`;
      this.record?.({ ...base, durationMs, error: message });
      if (this.signal?.aborted) throw error;
      // A request that was sent may have been applied: writes must reconcile before retrying.
      throw new RetryableError(message, { system: this.system, cause: error, outcomeUnknown: req.method !== "GET" });
    }
    let text: string;
    try {
      text = await readCapped(response, this.maxResponseBytes);
    } catch (error) {
      if (error instanceof ResponseTooLargeError) {
        const message = `${req.method} ${redactedUrl}: the response is larger than ${this.maxResponseBytes} bytes`;
        this.record?.({ ...base, status: response.status, durationMs: Date.now() - started, error: message });
        // A write that was sent may have been applied: reconcile before sending it again.
        if (req.method !== "GET") throw new RetryableError(message, { system: this.system, status: response.status, outcomeUnknown: true });
        throw new PermanentError(message, { system: this.system, status: response.status });
      }
      const durationMs = Date.now() - started;
      const message = `${req.method} ${redactedUrl}: response lost after status ${response.status}`;
      this.record?.({ ...base, status: response.status, durationMs, error: message });
      throw new RetryableError(message, { system: this.system, cause: error, outcomeUnknown: req.method !== "GET" });
    }
    const durationMs = Date.now() - started;
    this.record?.({ ...base, status: response.status, durationMs, responseBody: clip(redactBody(text, this.redactor)) });
    return { status: response.status, headers: response.headers as unknown as Headers, text, durationMs };
  }

  /**
   * One request with redirects followed by hand (at most 5), so each hop passes the egress
   * rules; credentials (Authorization, Cookie) are dropped when a hop changes origin.
   */
  private async send(url: string, init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal }) {
    let current = new URL(url);
    let { method, headers, body } = init;
    for (let hop = 0; ; hop++) {
      this.egress.assertUrl(current);
      const response = await undiciFetch(current, { method, headers, body, signal: init.signal, redirect: "manual", dispatcher: agentFor(this.egress) });
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || response.status === 304 || !location) return response;
      if (hop >= 5) throw new EgressRefusedError(`${method} ${this.redactor.text(url)}: more than 5 redirects`, { system: this.system });
      await response.body?.cancel().catch(() => undefined);
      const next = new URL(location, current);
      if (next.origin !== current.origin) {
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^(authorization|cookie|proxy-authorization)$/i.test(k)));
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-(type|length)$/i.test(k)));
      }
      current = next;
    }
  }
}

class ResponseTooLargeError extends Error {}

/** The body as text, refused once it passes `limit` bytes (a hostile or broken endpoint cannot fill memory). */
async function readCapped(response: Awaited<ReturnType<typeof undiciFetch>>, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError();
  }
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > limit) throw new ResponseTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** One connection pool per egress policy; its socket lookup refuses forbidden addresses. */
const agents = new WeakMap<EgressPolicy, Agent>();
function agentFor(policy: EgressPolicy): Agent {
  let agent = agents.get(policy);
  if (!agent) {
    agent = new Agent({ connect: { lookup: policy.lookup } });
    agents.set(policy, agent);
  }
  return agent;
}
