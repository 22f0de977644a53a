/**
 * Structured logs: one JSON line per event on stdout (pino), from the worker and the web server.
 *
 * Glossary
 * - line: `{level, time, service, msg, ...fields}`; `level` is a name (info, warn...), `time` ISO 8601.
 * - service: "web" in the web app's server (scripts/web.ts, Next.js inside it), "worker" everywhere
 *   else (workers, `npm start`'s engine).
 * - run fields: every line about a run carries workspaceId, flowId and runId; about a node also
 *   nodeId, nodeType and attempt (see `runLogger`).
 * - request fields: every line about an HTTP request carries requestId (the caller's `x-request-id`
 *   when it is a plain token, else a new UUID, answered in the response's `x-request-id`).
 *
 * Settings: LOG_LEVEL (fatal, error, warn, info, debug, trace, silent; default info) and
 * LOG_PRETTY=1 for human-readable lines in a terminal (pino-pretty); JSON otherwise.
 *
 * Secrets never reach a line:
 * - fields named like secrets (authorization, cookies, passwords, tokens, license and API keys,
 *   a connection's `secrets`) are masked wherever they sit: pino's `redact` paths for the usual
 *   places, and a walk over nested objects for the rest (the SDK's `isSensitiveKey`);
 * - run lines are built from what the run log keeps, after the run's Redactor masked the values of
 *   the connection's secrets and the tokens learnt during the run (engine/executor/node.ts).
 */
import { randomUUID } from "node:crypto";
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";
import { z } from "zod";
import { isSensitiveKey, REDACTED } from "../connectors/sdk/redact";

export type { Logger };

const levelSchema = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
  error: (issue) => `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got ${JSON.stringify(issue.input)})`,
});

const SECRET_FIELDS = [
  "authorization",
  "cookie",
  "password",
  "token",
  "accessToken",
  "refreshToken",
  "secret",
  "secrets",
  "clientSecret",
  "licenseKey",
  "apiKey",
  "sessionId",
];

/** pino `redact` paths: the usual places of a secret, at the top and one level down. */
export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  "connection.secrets",
];

const MAX_DEPTH = 8;

/** Deep copy with fields named like secrets masked (errors are left to pino's serializer). */
function maskFields(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || value instanceof Error || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => maskFields(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = v !== undefined && v !== null && v !== "" && (isSensitiveKey(key) || /cookie$/i.test(key) || key === "secrets") ? REDACTED : maskFields(v, depth + 1);
  }
  return out;
}

export interface LoggerSettings {
  level?: string;
  pretty?: boolean;
  service?: string;
  /** Where lines go (default stdout). */
  destination?: DestinationStream;
}

/** The settings from the environment (LOG_LEVEL, LOG_PRETTY); a bad LOG_LEVEL is a clear error. */
export function settingsFromEnv(environment: Record<string, string | undefined> = process.env): LoggerSettings {
  const parsed = levelSchema.safeParse(environment.LOG_LEVEL?.trim().toLowerCase() || "info");
  if (!parsed.success) throw new Error(parsed.error.issues[0]!.message);
  const level = parsed.data;
  return {
    level,
    pretty: /^(1|true|yes|on)$/i.test(environment.LOG_PRETTY ?? ""),
    service: environment.NEXT_RUNTIME || environment.LEDGERLINE_WEB_SERVER ? "web" : "worker",
  };
}

export function createLogger(settings: LoggerSettings = settingsFromEnv()): Logger {
  const options: LoggerOptions = {
    level: levelSchema.parse(settings.level ?? "info"),
    base: { service: settings.service ?? "worker" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => maskFields(bindings) as Record<string, unknown>,
      log: (object) => maskFields(object) as Record<string, unknown>,
    },
  };
  // Why synchronous: a worker that exits (a signal, a fatal error) must not lose its last lines.
  const destination = settings.destination ?? (settings.pretty ? pretty({ sync: true, colorize: Boolean(process.stdout.isTTY) }) : pino.destination({ dest: 1, sync: true }));
  return pino(options, destination);
}

let root: Logger | undefined;

/** The process's logger, configured from the environment on first use. */
export function logger(): Logger {
  return (root ??= createLogger());
}

/** Lines about one run: workspace, flow and run ids on each. */
export function runLogger(run: { id: string; workspaceId: string; flowId: string }): Logger {
  return logger().child({ workspaceId: run.workspaceId, flowId: run.flowId, runId: run.id });
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of an HTTP request: the caller's `x-request-id` when it is a plain token, else a new one. */
export function requestIdOf(given: string | null | undefined): string {
  const trimmed = given?.trim();
  return trimmed && REQUEST_ID.test(trimmed) ? trimmed : randomUUID();
}

/** Lines about one HTTP request: its id, method and path (never its query, which may carry secrets). */
export function requestLogger(req: Request): { log: Logger; requestId: string } {
  return pathLogger(req.method, new URL(req.url).pathname, req.headers.get("x-request-id"));
}

/** `requestLogger` for a request known by its method, path and `x-request-id` header. */
export function pathLogger(method: string, path: string, givenId: string | null | undefined): { log: Logger; requestId: string } {
  const requestId = requestIdOf(givenId);
  return { log: logger().child({ requestId, method, path }), requestId };
}

/** An error as fields for a line: class, message and classification, no stack of remote bodies. */
export function errorFields(error: unknown): { name?: string; message: string; code?: string; kind?: string; status?: number } {
  if (error && typeof error === "object") {
    const e = error as { name?: string; message?: string; code?: unknown; kind?: unknown; status?: unknown };
    return {
      name: e.name,
      // Why: a driver's message may carry the connection string with its password.
      message: (e.message ?? String(error)).replace(/postgres(ql)?:\/\/[^@\s]*@/g, "postgres://[redacted]@"),
      code: typeof e.code === "string" ? e.code : undefined,
      kind: typeof e.kind === "string" ? e.kind : undefined,
      status: typeof e.status === "number" ? e.status : undefined,
    };
  }
  return { message: String(error) };
}
