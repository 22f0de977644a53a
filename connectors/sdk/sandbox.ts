/**
 * Shared plumbing for sandboxes: local HTTP servers that behave like the real APIs.
 *
 * Every sandbox exposes, besides its API:
 * - `GET  /__sandbox/state`  read-only inspection of what was posted (tests and users);
 * - `POST /__sandbox/faults` set fault injection (`Partial<FaultSettings>` as JSON);
 * - `POST /__sandbox/reset`  back to the seeded demo data.
 * Each sandbox is a plain `(req, res)` handler so a test can listen on port 0.
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FaultSettings {
  /** Added to every API response. */
  latencyMs: number;
  /** Share (0..1) of API requests answered with the system's rate-limit response. */
  rateLimitRate: number;
  /** Share (0..1) of API requests answered with a 5xx. */
  serverErrorRate: number;
  /** Share (0..1) of writes that are applied and whose response is then lost (socket destroyed). */
  dropAfterWriteRate: number;
  /**
   * Deterministic faults for tests: the next N API requests get this fault, in order, before the
   * rates above apply. E.g. `["rateLimit", "serverError"]`.
   */
  queue: Array<"rateLimit" | "serverError" | "dropAfterWrite" | "expireAuth">;
}

export const noFaults = (): FaultSettings => ({
  latencyMs: 0,
  rateLimitRate: 0,
  serverErrorRate: 0,
  dropAfterWriteRate: 0,
  queue: [],
});

export interface SandboxServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface Sandbox {
  /** Connector system id. */
  system: string;
  handler: RequestListener;
  faults: FaultSettings;
  /** Lines for the console and README: demo credentials and where to look. */
  describe(baseUrl: string): string[];
  listen(port?: number, host?: string): Promise<SandboxServer>;
}

export function listen(handler: RequestListener, port = 0, host = "127.0.0.1"): Promise<SandboxServer> {
  const server = createServer(handler);
  // Keep-alive sockets must not hold a test's close() open.
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${address.port}`,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function send(
  res: ServerResponse,
  status: number,
  body: string | object | undefined,
  headers: Record<string, string> = {},
): void {
  const isText = typeof body === "string";
  const payload = body === undefined ? "" : isText ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": isText ? (headers["content-type"] ?? "text/plain; charset=utf-8") : "application/json; charset=utf-8",
    ...headers,
  });
  res.end(payload);
}

/** Destroy the socket without answering: the client sees a lost response. */
export function dropResponse(res: ServerResponse): void {
  res.socket?.destroy();
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pick the fault for this request: queued faults first, then the configured rates. */
export function nextFault(
  faults: FaultSettings,
  isWrite: boolean,
  random: () => number = Math.random,
): FaultSettings["queue"][number] | undefined {
  const queued = faults.queue.shift();
  if (queued) return queued;
  if (faults.rateLimitRate > 0 && random() < faults.rateLimitRate) return "rateLimit";
  if (faults.serverErrorRate > 0 && random() < faults.serverErrorRate) return "serverError";
  if (isWrite && faults.dropAfterWriteRate > 0 && random() < faults.dropAfterWriteRate) return "dropAfterWrite";
  return undefined;
}

/**
 * Handle the common `/__sandbox/*` admin routes. Returns true when it answered.
 * `inspect` returns the JSON state to show; `reset` reseeds.
 */
export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  sandbox: { faults: FaultSettings; inspect: () => unknown; reset: () => void },
): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://sandbox");
  if (!url.pathname.startsWith("/__sandbox/")) return false;
  if (req.method === "GET" && url.pathname === "/__sandbox/state") {
    send(res, 200, sandbox.inspect() as object);
    return true;
  }
  if (req.method === "POST" && url.pathname === "/__sandbox/faults") {
    const text = await readBody(req);
    let patch: Partial<FaultSettings>;
    try {
      patch = text ? (JSON.parse(text) as Partial<FaultSettings>) : {};
    } catch {
      send(res, 400, { error: "faults must be JSON" });
      return true;
    }
    Object.assign(sandbox.faults, noFaults(), patch);
    send(res, 200, sandbox.faults);
    return true;
  }
  if (req.method === "POST" && url.pathname === "/__sandbox/reset") {
    sandbox.reset();
    Object.assign(sandbox.faults, noFaults());
    send(res, 200, { ok: true });
    return true;
  }
  return false;
}
