/**
 * Shared set-up for the Commerce tests: a sandbox on port 0 with a test-controlled clock, and
 * connector environments pointing at it (PaaS OAuth 1.0a, PaaS admin token, SaaS IMS).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { localEnv, localNodeContext, memoryStateStore, type SandboxServer, type StateStore } from "../sdk";
import { commerce } from "./index";
import { createSandbox, DEMO, type CommerceSandbox } from "./sandbox";
import type { CommerceClient } from "./client";

export const T0 = Date.parse("2026-11-20T12:00:00Z");

export interface Harness {
  sandbox: CommerceSandbox;
  server: SandboxServer;
  clock: { now: number };
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const clock = { now: T0 };
  const sandbox = createSandbox({ now: () => clock.now });
  const server = await sandbox.listen(0);
  return { sandbox, server, clock, close: () => server.close() };
}

export type Mode = "oauth1" | "adminToken" | "saas";

export function connection(h: Harness, mode: Mode, overrides: { config?: Record<string, unknown>; secrets?: Record<string, unknown> } = {}) {
  const base = h.server.url;
  const config: Record<string, unknown> =
    mode === "saas"
      ? { baseUrl: `${base}/${DEMO.tenantId}`, deployment: "saas", imsClientId: DEMO.imsClientId, imsOrgId: DEMO.imsOrgId, imsTokenUrl: `${base}/ims/token/v3`, ioEventsKeyHost: base }
      : { baseUrl: `${base}/rest/default`, deployment: "auto", paasAuth: mode, adminUsername: DEMO.adminUsername, imsClientId: DEMO.imsClientId, ioEventsKeyHost: base };
  const secrets: Record<string, unknown> =
    mode === "saas"
      ? { imsClientSecret: DEMO.imsClientSecret }
      : mode === "adminToken"
        ? { adminPassword: DEMO.adminPassword }
        : { consumerKey: DEMO.consumerKey, consumerSecret: DEMO.consumerSecret, accessToken: DEMO.accessToken, accessTokenSecret: DEMO.accessTokenSecret };
  return { config: { ...config, ...overrides.config }, secrets: { ...secrets, ...overrides.secrets } };
}

export function makeClient(h: Harness, mode: Mode, overrides: Parameters<typeof connection>[2] & { state?: StateStore } = {}) {
  const values = connection(h, mode, overrides);
  const env = localEnv(commerce, { ...values, state: overrides.state ?? memoryStateStore(), now: () => h.clock.now });
  const client = commerce.createClient(env);
  return { env, client, ctx: localNodeContext<CommerceClient>(client) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function admin(h: Harness, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${h.server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // text body
  }
  return { status: res.status, json };
}

export interface Captured {
  method: string;
  headers: Record<string, string>;
  rawBody: string;
  query: Record<string, string>;
}

/** A local receiver for sandbox event deliveries. */
export async function startReceiver(): Promise<{ url: string; received: Captured[]; close(): Promise<void> }> {
  const received: Captured[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const url = new URL(req.url ?? "/", "http://receiver");
      received.push({ method: req.method ?? "POST", headers, rawBody: Buffer.concat(chunks).toString("utf8"), query: Object.fromEntries(url.searchParams) });
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/commerce`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
