/**
 * Test helpers for the Exact connector: a sandbox on port 0 with a clock shared with the
 * connector's env, connections made through the real OAuth code flow, and node contexts.
 */
import { localEnv, localNodeContext, memoryStateStore, type NodeRunContext, type StateStore } from "../sdk";
import type { ExactClient } from "./client";
import { exact } from "./index";
import { clearRateLimits } from "./ratelimit";
import { createSandbox, DEMO, type ExactSandbox } from "./sandbox";
import type { SandboxServer } from "../sdk";
import type { RegionCode } from "./regions";

export const T0 = Date.parse("2026-03-16T09:00:00Z");
export const REDIRECT_URI = "https://app.ledgerline.example/oauth/exact/callback";

export interface Harness {
  sandbox: ExactSandbox;
  server: SandboxServer;
  clock: { t: number };
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const clock = { t: T0 };
  const sandbox = createSandbox({ now: () => clock.t });
  const server = await sandbox.listen(0);
  // The clock stands still in tests: lift the per-minute limit except where a test sets it.
  sandbox.world.settings.minutelyLimit = 100_000;
  return { sandbox, server, clock, close: () => server.close() };
}

export async function resetHarness(h: Harness): Promise<void> {
  await fetch(`${h.server.url}/__sandbox/reset`, { method: "POST" });
  h.sandbox.world.settings.minutelyLimit = 100_000;
  h.clock.t = T0;
  clearRateLimits();
}

export function makeEnv(h: Harness, opts: { state?: StateStore; region?: RegionCode; division?: number; webhookSecret?: string } = {}) {
  return localEnv(exact, {
    config: {
      region: opts.region ?? "US",
      division: opts.division ?? DEMO.divisions[opts.region ?? "US"],
      clientId: DEMO.clientId,
      baseUrl: h.server.url,
    },
    secrets: { clientSecret: DEMO.clientSecret, webhookSecret: opts.webhookSecret ?? DEMO.webhookSecret },
    state: opts.state ?? memoryStateStore(),
    now: () => h.clock.t,
  });
}

export type Env = ReturnType<typeof makeEnv>;

/** The Connect button: authorize URL -> sandbox auto-approval -> callback -> code exchange. */
export async function connect(env: Env, state = "csrf-state-1"): Promise<{ code: string }> {
  const url = exact.oauth!.authorizeUrl({ config: env.config, secrets: env.secrets, state, redirectUri: REDIRECT_URI });
  const response = await fetch(url, { redirect: "manual" });
  if (response.status !== 302) throw new Error(`authorize answered ${response.status}`);
  const location = new URL(response.headers.get("location")!);
  if (location.searchParams.get("state") !== state) throw new Error("state mismatch");
  const code = location.searchParams.get("code")!;
  await exact.oauth!.exchangeCode(env, { code, redirectUri: REDIRECT_URI });
  return { code };
}

export async function connectedClient(h: Harness, opts: Parameters<typeof makeEnv>[1] = {}) {
  const env = makeEnv(h, opts);
  await connect(env);
  return { env, client: exact.createClient(env) };
}

export function nodeCtx(client: ExactClient, overrides: Partial<NodeRunContext<ExactClient>> = {}) {
  return localNodeContext(client, overrides);
}

export async function admin(h: Harness, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${h.server.url}/__sandbox/${path}`, { method: "POST", body: JSON.stringify(body) });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`admin ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function sandboxState(h: Harness): Promise<any> {
  return (await fetch(`${h.server.url}/__sandbox/state`)).json();
}

/** Token-endpoint calls the sandbox saw today in a region (all apps and users). */
export async function tokenCalls(h: Harness, region = "us"): Promise<number> {
  const state = await sandboxState(h);
  return Object.values(state.regions[region].tokens.tokenCallsToday as Record<string, number>).reduce((s, n) => s + n, 0);
}

export async function setFaults(h: Harness, faults: Record<string, unknown>): Promise<void> {
  await fetch(`${h.server.url}/__sandbox/faults`, { method: "POST", body: JSON.stringify(faults) });
}
