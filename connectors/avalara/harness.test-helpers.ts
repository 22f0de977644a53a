/**
 * Test helpers: a connection to a sandbox over real HTTP, and a runner that calls a node the way
 * the engine does (input/config parsed by the node's schemas, the write key computed, reconcile
 * after an unknown outcome, AlreadyDone taken as the result).
 */
import type { z } from "zod";
import {
  AlreadyDoneError,
  RetryableError,
  localEnv,
  localNodeContext,
  type NodeDefinition,
  type LocalEnv,
} from "../sdk";
import { avalara } from "./index";
import type { AvalaraClient } from "./client";
import type { AvalaraConfig, AvalaraSecrets } from "./config";
import { DEMO } from "./sandbox/seed";

export interface Connection {
  env: LocalEnv<AvalaraConfig, AvalaraSecrets>;
  client: AvalaraClient;
}

export function connect(baseUrl: string, overrides: { secrets?: Partial<AvalaraSecrets>; config?: Partial<AvalaraConfig>; now?: () => number } = {}): Connection {
  const demo = avalara.sandbox!(baseUrl);
  const secrets = overrides.secrets ? { ...overrides.secrets } : demo.secrets;
  const env = localEnv(avalara, { config: { ...demo.config, ...overrides.config }, secrets, now: overrides.now });
  return { env, client: avalara.createClient(env) };
}

export const demoSecrets = { accountId: DEMO.accountId, licenseKey: DEMO.licenseKey };

/** One attempt, exactly as the engine would call `run`. */
export async function runOnce<C extends z.ZodType, I extends z.ZodType, O extends z.ZodType>(
  node: NodeDefinition<C, I, O, AvalaraClient>,
  client: AvalaraClient,
  input: unknown,
  config: unknown = {},
  previousOutcomeUnknown = false,
): Promise<z.output<O>> {
  const i = node.input.parse(input);
  const c = node.config.parse(config);
  const key = node.effect.kind === "write" ? node.effect.key(i, c) : undefined;
  const ctx = localNodeContext(client, {
    idempotency: key ? { key, previousOutcomeUnknown } : undefined,
    runId: "run-test",
  });
  return node.output.parse(await node.run(ctx, i, c));
}

export interface Attempt {
  error?: unknown;
  reconciled?: boolean;
}

/**
 * Attempts until success, as the engine's retry loop: retryable errors are retried (no sleeping
 * here; the engine applies Retry-After / backoff), an unknown outcome is reconciled first and
 * flags the next attempt, AlreadyDone yields the read-back result.
 */
export async function runLikeEngine<C extends z.ZodType, I extends z.ZodType, O extends z.ZodType>(
  node: NodeDefinition<C, I, O, AvalaraClient>,
  client: AvalaraClient,
  input: unknown,
  config: unknown = {},
  maxAttempts = 5,
): Promise<{ output: z.output<O>; attempts: Attempt[]; via: "run" | "reconcile" | "already_done" }> {
  const attempts: Attempt[] = [];
  let unknownOutcome = false;
  for (let n = 1; n <= maxAttempts; n++) {
    if (unknownOutcome && node.effect.kind === "write" && node.effect.reconcile) {
      const i = node.input.parse(input);
      const c = node.config.parse(config);
      const found = await node.effect.reconcile(localNodeContext(client), i, c);
      if (found !== undefined) {
        attempts.push({ reconciled: true });
        return { output: node.output.parse(found), attempts, via: "reconcile" };
      }
    }
    try {
      const output = await runOnce(node, client, input, config, unknownOutcome);
      attempts.push({});
      return { output, attempts, via: "run" };
    } catch (error) {
      attempts.push({ error });
      if (error instanceof AlreadyDoneError) return { output: node.output.parse(error.result), attempts, via: "already_done" };
      if (!(error instanceof RetryableError)) throw error;
      if (error.outcomeUnknown) unknownOutcome = true;
    }
  }
  throw new Error(`gave up after ${maxAttempts} attempts`);
}
