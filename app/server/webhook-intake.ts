/**
 * Webhook deliveries for a flow's trigger: `/api/webhooks/<flow id>/<node id>`. The web server
 * (scripts/web.ts) answers these itself, before Next.js sees the request: a delivery is the one
 * request senders make at volume, and Next.js's routing and its web Request/Response adapters cost
 * more CPU than the rest of the delivery (1.7 ms of CPU per request for a route that answers 404
 * at once, measured on this project's 2-core machines; bench/README, `npm run bench:webhook`).
 *
 * The raw body is handed over untouched: signatures are computed over the exact bytes received.
 * Bodies are capped while they stream (5 MB by default, LEDGERLINE_WEBHOOK_MAX_BODY): a larger
 * delivery answers 413 before anything is stored. Answers carry the security headers every other
 * answer of the app carries (security-headers.mjs).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getDb, type Db } from "../../db/client";
import { env } from "../../db/env";
import { errorFields, pathLogger, type Logger } from "../../engine/logging";
import { recordWebhookRejection } from "../../engine/metrics/webhook-rejections";
import { handleWebhook } from "../../engine/triggers";
import { securityHeaders } from "../../security-headers.mjs";
import { BodyTooLargeError, tooLargeBody } from "./body-limit";

export interface WebhookAddress {
  flowId: string;
  nodeId: string;
}

const PREFIX = "/api/webhooks/";
const ADDRESS = /^\/api\/webhooks\/([^/]+)\/([^/]+)\/?$/;
/** What a webhook address answers; HEAD is GET without the body, OPTIONS lists these. */
const METHODS = new Set(["GET", "HEAD", "POST"]);
const ALLOW = "GET, HEAD, POST, OPTIONS";

/**
 * The flow and node a request's path names, or null when it is not a webhook address (the request
 * goes to Next.js). A segment that does not decode is kept as sent: it names no flow, so it answers 404.
 */
export function webhookAddress(url: string | undefined): WebhookAddress | null {
  if (!url?.startsWith(PREFIX)) return null;
  const query = url.indexOf("?");
  const match = ADDRESS.exec(query < 0 ? url : url.slice(0, query));
  if (!match) return null;
  return { flowId: decode(match[1]!), nodeId: decode(match[2]!) };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface IntakeOptions {
  /** The development server's security headers (its hot-reload socket) instead of production's. */
  dev: boolean;
  /** Default: the process's database handle (DATABASE_URL). */
  db?: Db;
  /** Default: LEDGERLINE_WEBHOOK_MAX_BODY (5 MB). */
  maxBody?: number;
}

/** Answer one delivery. Never throws: a failure answers 503, so the sender retries. */
export async function serveWebhook(req: IncomingMessage, res: ServerResponse, address: WebhookAddress, options: IntakeOptions): Promise<void> {
  const method = req.method ?? "GET";
  const url = new URL(req.url ?? "/", "http://intake");
  const { log: requestLog, requestId } = pathLogger(method, url.pathname, header(req, "x-request-id"));
  const log = requestLog.child(address);
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    send(res, status, body, { "x-request-id": requestId, ...headers }, options.dev);
  try {
    if (method === "OPTIONS") return reply(204, "", { allow: ALLOW });
    if (!METHODS.has(method)) return reply(405, { error: `${method} is not accepted here` }, { allow: ALLOW });
    const db = options.db ?? getDb();
    const limit = options.maxBody ?? env.webhookMaxBody;
    let rawBody: string;
    try {
      rawBody = method === "GET" || method === "HEAD" ? "" : await readBody(req, limit);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      log.warn({ status: 413, limit }, "webhook delivery too large");
      await countRejection(db, log, null, 413);
      reply(413, tooLargeBody(limit));
      discardRest(req, res);
      return;
    }
    const result = await handleWebhook(db, address, { method, headers: headersOf(req), rawBody, query: Object.fromEntries(url.searchParams.entries()) });
    if (result.status >= 400 && result.status < 500) await countRejection(db, log, address, result.status);
    log[result.status >= 400 ? "warn" : "info"]({ status: result.status }, "webhook delivery");
    return reply(result.status, result.body ?? {}, result.headers ?? {});
  } catch (error) {
    // A retryable problem (the database or the signing keys' host is down...): the sender retries later.
    log.error({ status: 503, err: errorFields(error) }, "webhook delivery failed");
    if (!res.headersSent) reply(503, { error: "temporarily unavailable" });
    else res.destroy();
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>, dev: boolean): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  for (const { key, value } of securityHeaders(dev)) res.setHeader(key, value);
  res.setHeader("content-type", typeof body === "string" ? "text/plain; charset=utf-8" : "application/json");
  // An acknowledgement is a few bytes: nothing in between may cache it or compress it.
  res.setHeader("cache-control", "no-store, no-transform");
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader("content-length", Buffer.byteLength(text));
  res.statusCode = status;
  res.end(text);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The request's headers, names in lower case, repeated ones joined as a web `Headers` joins them. */
function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

/** The body as text, read as it streams; rejects with `BodyTooLargeError` the moment it passes `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: Error) => {
      req.off("data", onData).off("end", onEnd).off("error", done).off("close", onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.pause();
      done(new BodyTooLargeError(limit));
    };
    const onEnd = () => done();
    const onClose = () => done(new Error("the sender closed the connection before the body ended"));
    req.on("data", onData).on("end", onEnd).on("error", done).on("close", onClose);
  });
}

/**
 * After a 413: the rest of the body is read and dropped, never kept, for at most DISCARD_MS, then
 * the connection is cut. Why not cut it at once: closing a socket with unread bytes makes the
 * kernel reset the connection, and the sender may then lose the 413 it was sent (it sees a broken
 * pipe instead of the reason). The connection is not kept alive afterwards.
 */
const DISCARD_MS = 2_000;
function discardRest(req: IncomingMessage, res: ServerResponse): void {
  res.once("finish", () => req.socket.end());
  const timer = setTimeout(() => req.socket.destroy(), DISCARD_MS);
  timer.unref();
  req.once("end", () => clearTimeout(timer)).once("close", () => clearTimeout(timer));
  req.resume();
}

/** For /api/metrics; a failure to count never changes the answer. */
async function countRejection(db: Db, log: Logger, target: WebhookAddress | null, status: number): Promise<void> {
  await recordWebhookRejection(db, target, status).catch((e) => log.error({ err: errorFields(e) }, "counting a webhook rejection failed"));
}
