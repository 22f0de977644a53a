/**
 * Test kit for the Intacct connector tests: a sandbox on port 0 with a movable clock, and
 * clients built exactly as the engine builds them (localEnv), with fast retry settings.
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { localEnv, localNodeContext, memoryStateStore, type NodeRunContext, type SandboxServer, type StateStore } from "../sdk";
import { IntacctClient } from "./client";
import { intacct } from "./index";
import { createSandbox, type IntacctSandboxOptions } from "./sandbox";

export interface Kit {
  server: SandboxServer;
  clock: { now: number };
  close(): Promise<void>;
  client(overrides?: { config?: Record<string, unknown>; secrets?: Record<string, unknown>; state?: StateStore }): {
    client: IntacctClient;
    env: ReturnType<typeof localEnv>;
  };
  faults(patch: Record<string, unknown>): Promise<void>;
  settings(patch: Record<string, unknown>): Promise<void>;
  reset(): Promise<void>;
  state(): Promise<SandboxView>;
}

export interface SandboxView {
  sessions: Array<{ companyId: string; expiresAt: string }>;
  companies: Record<string, { records: Record<string, Array<Record<string, unknown>>>; usedControlIds: string[] }>;
}

export const START = Date.UTC(2024, 5, 30, 12, 0, 0);

export async function startKit(options: IntacctSandboxOptions = {}): Promise<Kit> {
  const clock = { now: START };
  const sandbox = createSandbox({ now: () => clock.now, ...options });
  const server = await sandbox.listen(0);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, { method: "POST", body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
  };
  return {
    server,
    clock,
    close: () => server.close(),
    client(overrides = {}) {
      const demo = intacct.sandbox!(server.url);
      const env = localEnv(intacct, {
        config: { ...demo.config, ...overrides.config },
        secrets: { ...demo.secrets, ...overrides.secrets },
        state: overrides.state ?? memoryStateStore(),
        now: () => clock.now,
      });
      return { client: intacct.createClient(env), env };
    },
    faults: (patch) => post("/__sandbox/faults", patch),
    settings: (patch) => post("/__sandbox/settings", patch),
    reset: () => post("/__sandbox/reset", {}),
    async state() {
      const res = await fetch(`${server.url}/__sandbox/state`);
      return (await res.json()) as SandboxView;
    },
  };
}

/**
 * The usual frame of an Intacct test file, as hooks of the file: one sandbox, reset with its clock
 * back at START before each test. The kit's fields are filled in before the first test.
 */
export function sandboxKit(options: IntacctSandboxOptions = {}): Kit {
  const kit = {} as Kit;
  beforeAll(async () => {
    Object.assign(kit, await startKit(options));
  });
  afterAll(() => kit.close());
  beforeEach(async () => {
    await kit.reset();
    kit.clock.now = START;
  });
  return kit;
}

export function nodeCtx(client: IntacctClient, overrides: Partial<NodeRunContext<IntacctClient>> = {}): NodeRunContext<IntacctClient> {
  return localNodeContext(client, overrides);
}

export const DEMO_COMPANY = "LEDGERLINE-DEMO";
