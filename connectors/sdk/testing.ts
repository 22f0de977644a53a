/**
 * Build a connector environment without the engine: for connector tests against a sandbox and
 * for scripts. Calls are recorded in `calls` exactly as the run log would record them.
 */
import type { ConnectorDefinition, ConnectorEnv, Logger, NodeRunContext } from "./define";
import { HttpClient, type HttpCallRecord } from "./http";
import { Redactor } from "./redact";
import { memoryStateStore, type StateStore } from "./state";

export interface LocalEnv<TConfig, TSecrets> extends ConnectorEnv<TConfig, TSecrets> {
  calls: HttpCallRecord[];
  logs: { level: string; message: string; data?: unknown }[];
}

export function localEnv<TConfig, TSecrets>(
  connector: Pick<ConnectorDefinition<TConfig, TSecrets, unknown>, "system" | "config" | "secrets">,
  values: { config: unknown; secrets: unknown; state?: StateStore; connectionId?: string; now?: () => number },
): LocalEnv<TConfig, TSecrets> {
  const config = connector.config.parse(values.config);
  const secrets = connector.secrets.parse(values.secrets);
  const calls: HttpCallRecord[] = [];
  const logs: LocalEnv<TConfig, TSecrets>["logs"] = [];
  const redactor = new Redactor([secrets]);
  const log: Logger = {
    info: (message, data) => logs.push({ level: "info", message, data }),
    warn: (message, data) => logs.push({ level: "warn", message, data }),
    error: (message, data) => logs.push({ level: "error", message, data }),
  };
  const signal = new AbortController().signal;
  return {
    connectionId: values.connectionId ?? `local-${connector.system}`,
    config,
    secrets,
    http: new HttpClient({ redactor, record: (c) => calls.push(c), signal, system: connector.system }),
    state: values.state ?? memoryStateStore(),
    log,
    signal,
    now: values.now ?? Date.now,
    calls,
    logs,
  };
}

/** A node context for calling a node's `run` directly in a connector test. */
export function localNodeContext<TClient>(client: TClient, overrides: Partial<NodeRunContext<TClient>> = {}): NodeRunContext<TClient> {
  const noop = () => undefined;
  return {
    client,
    http: new HttpClient({ redactor: new Redactor() }),
    log: { info: noop, warn: noop, error: noop },
    lookup: async () => undefined,
    workspaceId: "local",
    flowId: "local",
    runId: "local",
    nodeId: "node",
    attempt: 1,
    signal: new AbortController().signal,
    nodes: {},
    trigger: undefined,
    route: noop,
    ...overrides,
  };
}
