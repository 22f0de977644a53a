/**
 * What a webhook delivery needs that changes rarely, kept in this process: the flow's active
 * version with its parsed definition and trigger, and the trigger's connection (decrypted secrets
 * never leave memory and are never logged).
 *
 * An entry is a hint, never the truth: the statement that stores a delivery checks in the same
 * statement that the flow is still active on the cached version and that the connection's
 * fingerprint (a hash of its config and encrypted secrets) is unchanged. When it
 * is not, nothing is stored, the entry is dropped and the delivery is handled again from fresh
 * rows, so a deactivated flow or a rotated secret is never served from here.
 */
import type { AnyNodeDefinition } from "../connectors/sdk";
import type { FlowDefinition, FlowNode } from "./flow/schema";
import type { LoadedConnection } from "./connections";

export interface WebhookTarget {
  workspaceId: string;
  flowId: string;
  versionId: string;
  definition: FlowDefinition;
  trigger: { node: FlowNode; def: AnyNodeDefinition } | undefined;
  /** The trigger node's config, parsed once per version. */
  config: unknown;
  queueName: string | null;
  connection: LoadedConnection | undefined;
  /** `md5(secrets_enc || config)` of the connection when it was read. */
  connectionFingerprint: string | null;
}

/** Entries kept at most; the oldest goes first. */
export const WEBHOOK_CACHE_LIMIT = 1000;

const entries = new Map<string, WebhookTarget>();

export function cachedWebhookTarget(flowId: string): WebhookTarget | undefined {
  return entries.get(flowId);
}

export function rememberWebhookTarget(target: WebhookTarget): void {
  entries.delete(target.flowId);
  entries.set(target.flowId, target);
  while (entries.size > WEBHOOK_CACHE_LIMIT) entries.delete(entries.keys().next().value!);
}

export function forgetWebhookTarget(flowId: string): void {
  entries.delete(flowId);
}

export function clearWebhookCache(): void {
  entries.clear();
}
