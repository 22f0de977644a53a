/**
 * Shared plumbing for sandboxes: local HTTP servers that behave like the real APIs.
 *
 * Every sandbox exposes, besides its API:
 * - `GET  /__sandbox/state`  read-only inspection of what was posted (tests and users);
 * - `POST /__sandbox/faults` set fault injection (`Partial<FaultSettings>` as JSON; each call starts
 *   from no faults, so send every setting you want at once);
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
  /** Seed of the random draws for the rates above: the same seed gives the same faults in the same order. Unset: Math.random. */
  seed?: number;
  /** `Retry-After` (seconds) of injected rate-limit answers; unset: the system's usual answer. */
  retryAfterSeconds?: number;
  /**
   * Sessions and tokens expire this often (ms): the first API request after each period gets
   * `expireAuth` (the system ends the session or token it presents, which must sign in again).
   */
  expireAuthEveryMs?: number;
}

export type Fault = FaultSettings["queue"][number];

export const noFaults = (): FaultSettings => ({
  latencyMs: 0,
  rateLimitRate: 0,
  serverErrorRate: 0,
  dropAfterWriteRate: 0,
  queue: [],
});

/** mulberry32: a small, fast PRNG; good enough to spread faults, and reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Per fault settings object: its seeded generator and when sessions last expired. Reset by `applyFaults`. */
const faultRuntime = new WeakMap<FaultSettings, { random: () => number; authPeriodStart?: number }>();

function runtimeOf(faults: FaultSettings) {
  let runtime = faultRuntime.get(faults);
  if (!runtime) {
    runtime = { random: faults.seed === undefined ? Math.random : seededRandom(faults.seed) };
    faultRuntime.set(faults, runtime);
  }
  return runtime;
}

const FAULT_NAMES = new Set<Fault>(["rateLimit", "serverError", "dropAfterWrite", "expireAuth"]);
const RATE_FIELDS = ["rateLimitRate", "serverErrorRate", "dropAfterWriteRate"] as const;

/**
 * Check a fault patch (the JSON of `POST /__sandbox/faults`). Returns an error message or the patch.
 * `extraFaults` are the queue names a sandbox adds (Intacct's "gatewayTimeout").
 */
export function parseFaultPatch(value: unknown, extraFaults: string[] = []): { error: string } | { patch: Partial<FaultSettings> } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { error: "faults must be a JSON object" };
  const patch = value as Record<string, unknown>;
  const number = (key: string, min: number, max = Number.POSITIVE_INFINITY) => {
    const v = patch[key];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) return `${key} must be a number from ${min}${max === Number.POSITIVE_INFINITY ? "" : ` to ${max}`}`;
    return undefined;
  };
  const problem =
    RATE_FIELDS.map((k) => number(k, 0, 1)).find(Boolean) ??
    number("latencyMs", 0) ??
    number("retryAfterSeconds", 0) ??
    number("expireAuthEveryMs", 1) ??
    (patch.seed !== undefined && !Number.isInteger(patch.seed) ? "seed must be an integer" : undefined);
  if (problem) return { error: problem };
  const sum = RATE_FIELDS.reduce((total, k) => total + ((patch[k] as number | undefined) ?? 0), 0);
  if (sum > 1) return { error: `rateLimitRate + serverErrorRate + dropAfterWriteRate must be at most 1 (is ${sum})` };
  if (patch.queue !== undefined) {
    const names = new Set<string>([...FAULT_NAMES, ...extraFaults]);
    if (!Array.isArray(patch.queue) || patch.queue.some((f) => typeof f !== "string" || !names.has(f))) {
      return { error: `queue must be a list of ${[...names].join(", ")}` };
    }
  }
  return { patch: patch as Partial<FaultSettings> };
}

/** Replace the fault settings (starting from no faults) and restart the seeded draws and the expiry clock. */
export function applyFaults(faults: FaultSettings, patch: Partial<FaultSettings>): FaultSettings {
  for (const key of Object.keys(faults) as Array<keyof FaultSettings>) delete faults[key];
  Object.assign(faults, noFaults(), patch);
  faultRuntime.delete(faults);
  return faults;
}

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
  // Idle connections stay open as long as a real API's would: undici reuses a socket only when the
  // server's keep-alive hint is more than its 2 s margin (keepAliveTimeoutThreshold), so at 1 s
  // every call opened a new connection. close() ends idle sockets itself (closeAllConnections).
  server.keepAliveTimeout = 10_000;
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

/**
 * Pick the fault for this request: queued faults first, then the periodic session expiry, then the
 * rates, from one draw (so 20% rate limits and 5% server errors give those shares exactly; lost
 * responses only for writes). Pass `random` to override the settings' own (seeded) generator.
 */
export function nextFault(faults: FaultSettings, isWrite: boolean, random?: () => number, now: number = Date.now()): Fault | undefined {
  const queued = faults.queue.shift();
  if (queued) return queued;
  const runtime = runtimeOf(faults);
  if (faults.expireAuthEveryMs !== undefined && faults.expireAuthEveryMs > 0) {
    runtime.authPeriodStart ??= now;
    if (now - runtime.authPeriodStart >= faults.expireAuthEveryMs) {
      runtime.authPeriodStart = now;
      return "expireAuth";
    }
  }
  const total = faults.rateLimitRate + faults.serverErrorRate + (isWrite ? faults.dropAfterWriteRate : 0);
  if (total <= 0) return undefined;
  const r = (random ?? runtime.random)();
  if (r < faults.rateLimitRate) return "rateLimit";
  if (r < faults.rateLimitRate + faults.serverErrorRate) return "serverError";
  if (isWrite && r < total) return "dropAfterWrite";
  return undefined;
}

/**
 * Handle the common `/__sandbox/*` admin routes. Returns true when it answered.
 * `inspect` returns the JSON state to show; `reset` reseeds.
 */
export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  sandbox: { faults: FaultSettings; inspect: () => unknown; reset: () => void; extraFaults?: string[] },
): Promise<boolean> {
  const url = new URL(req.url ?? "/", "http://sandbox");
  if (!url.pathname.startsWith("/__sandbox/")) return false;
  if (req.method === "GET" && url.pathname === "/__sandbox/state") {
    send(res, 200, sandbox.inspect() as object);
    return true;
  }
  if (req.method === "POST" && url.pathname === "/__sandbox/faults") {
    const text = await readBody(req);
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      send(res, 400, { error: "faults must be JSON" });
      return true;
    }
    const parsed = parseFaultPatch(json, sandbox.extraFaults);
    if ("error" in parsed) {
      send(res, 400, { error: parsed.error });
      return true;
    }
    send(res, 200, applyFaults(sandbox.faults, parsed.patch));
    return true;
  }
  if (req.method === "POST" && url.pathname === "/__sandbox/reset") {
    sandbox.reset();
    applyFaults(sandbox.faults, {});
    send(res, 200, { ok: true });
    return true;
  }
  return false;
}
