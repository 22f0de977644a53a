/**
 * The node and connector contract: one declaration per node type is the single source of truth
 * for the registry, the canvas palette and config form, validation and execution.
 *
 * Glossary
 * - connector:  one external system (Intacct, Avalara...): its connection fields, its client
 *               factory, its "test connection" and its nodes.
 * - connection: a stored set of config (non-secret) and secrets (encrypted) for one connector.
 * - client:     what `createClient` builds from a connection; the only way nodes reach the system.
 * - node type:  `type` + `version`. Flows pin both so a saved flow keeps running after changes.
 * - effect:     `read` nodes may run any number of times; `write` nodes declare a business key
 *               that the engine's idempotency ledger checks before the side effect.
 * - trigger:    the first node of a flow; it turns a schedule, a poll, a webhook or a click into
 *               records, and each record becomes one run keyed by (record key, record version).
 */
import { z } from "zod";
import type { HttpClient } from "./http";
import type { RateLimits } from "./limits";
import type { StateStore } from "./state";

export type NodeCategory = "trigger" | "connector" | "transform" | "control";

export interface Logger {
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

/** Everything a connector's client may use. No database, no process.env, no queue. */
export interface ConnectorEnv<TConfig = unknown, TSecrets = unknown> {
  connectionId: string;
  config: TConfig;
  secrets: TSecrets;
  http: HttpClient;
  state: StateStore;
  log: Logger;
  signal: AbortSignal;
  /** Clock in epoch ms (token lifetimes, session expiry); tests may move it. */
  now: () => number;
  /** Rate and concurrency limits shared by every process (the engine's are in PostgreSQL); absent: this process's own. */
  limits?: RateLimits;
}

export interface LookupRow {
  key: string;
  values: Record<string, string>;
}

/**
 * The key of a mapping table's explicit default row: used when a key has no row of its own, and
 * always said in the run log (never a silent default).
 */
export const DEFAULT_ROW_KEY = "*";

export interface NodeRunContext<TClient = unknown> {
  /** The client for the node's connection (undefined for nodes without one). */
  client: TClient;
  /** Recorded HTTP for built-in nodes that call endpoints without a connector. */
  http: HttpClient;
  log: Logger;
  /** Read one row of a lookup table by table id and key. */
  lookup(tableId: string, key: string): Promise<LookupRow | undefined>;
  workspaceId: string;
  flowId: string;
  runId: string;
  nodeId: string;
  /** 1 for the first attempt of this node in this run. */
  attempt: number;
  signal: AbortSignal;
  /** Outputs of the nodes completed earlier in this run, by node id. */
  nodes: Readonly<Record<string, unknown>>;
  /** Output of the trigger node (the source record). */
  trigger: unknown;
  /** Set for write nodes: the business key, and whether an earlier attempt's outcome is unknown. */
  idempotency?: { key: string; previousOutcomeUnknown: boolean };
  /**
   * Control nodes: choose the output handle the run continues on (one of `outputs`), or null to
   * end the run as skipped (a filter that does not match). Default: the first output.
   */
  route(handle: string | null): void;
}

export interface TriggerRecord {
  /** Stable id of the source record, e.g. `exact:123456:<InvoiceID>`. */
  key: string;
  /** Version of the record (modified timestamp, rowversion...): a new version makes a new run. */
  version: string;
  /** Becomes the trigger node's input. */
  data: unknown;
  /** Short human label for lists ("Invoice 20240017"). */
  label?: string;
}

export interface PollResult {
  records: TriggerRecord[];
  /** The cursor to store once these records' runs are enqueued. */
  checkpoint: unknown;
  /** True when the source has more pages right now (the engine polls again, up to a cap). */
  hasMore?: boolean;
}

export interface WebhookRequest {
  method: string;
  headers: Record<string, string>;
  /** The body exactly as received: signatures are computed over raw bytes. */
  rawBody: string;
  query: Record<string, string>;
}

export interface WebhookResult {
  /** HTTP answer to the sender (default 200 `{ok:true}`). */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  records: TriggerRecord[];
  /** Sender's event id, used to drop redeliveries. */
  eventId?: string;
}

export interface TriggerContext<TClient = unknown> {
  client: TClient;
  log: Logger;
  signal: AbortSignal;
  workspaceId: string;
  flowId: string;
  nodeId: string;
}

export interface TriggerSpec<TConfig, TClient> {
  mode: "manual" | "schedule" | "webhook" | "poll";
  /** poll mode: fetch records changed since `checkpoint` (null on the first poll or after a reset). */
  poll?: (ctx: TriggerContext<TClient>, config: TConfig, checkpoint: unknown | null) => Promise<PollResult>;
  /**
   * poll mode, optional: the checkpoint from which the next poll re-reads every record changed
   * since `since` ("Reprocess since <date>"). Re-read records of an unchanged version make no new
   * runs (the runs table dedupes by key and version) and writes are guarded by the ledger.
   */
  rewind?: (ctx: TriggerContext<TClient>, config: TConfig, since: Date) => Promise<unknown>;
  /**
   * webhook mode: verify and parse one delivery. Throw `WebhookRejected` for an unsigned or
   * forged request: the engine answers 401 and stores nothing.
   */
  webhook?: (ctx: TriggerContext<TClient>, req: WebhookRequest, config: TConfig) => Promise<WebhookResult>;
  /**
   * webhook mode: the connection is used where deliveries arrive (to verify them), not by the
   * run, whose trigger node passes the verified record on. The executor does not load it (a
   * statement and a decryption per run), and the intake marks it healthy once a delivery verifies.
   */
  connectionAtIntakeOnly?: boolean;
}

export type WriteEffect<TInput, TConfig, TOutput, TClient> = {
  kind: "write";
  /** The business key checked in the idempotency ledger, e.g. `avalara:DEFAULT:INV-1`. */
  key: (input: TInput, config: TConfig) => string;
  /**
   * Read back the result of an earlier attempt whose outcome is unknown (timeout, lost response,
   * crash). Return undefined when the write did not happen.
   */
  reconcile?: (ctx: NodeRunContext<TClient>, input: TInput, config: TConfig) => Promise<TOutput | undefined>;
  /**
   * What a dry run does instead of this write. Without it, the dry run shows the node's input as
   * what would be sent and goes no further down that branch. With it, this runs instead: a call
   * that changes nothing remotely (a tax quote of a document type the system does not store) or a
   * local rendering (a journal's lines and balance). `wouldPost` is what the dry run shows; an
   * `output` (matching the node's output schema) lets the dry run continue to later nodes.
   */
  preview?: (ctx: NodeRunContext<TClient>, input: TInput, config: TConfig) => Promise<WritePreview<TOutput>>;
};

export interface WritePreview<TOutput> {
  wouldPost: unknown;
  output?: TOutput;
}

export type NodeEffect<TInput, TConfig, TOutput, TClient> =
  | { kind: "read" }
  | WriteEffect<TInput, TConfig, TOutput, TClient>;

export interface NodeDefinition<
  C extends z.ZodType = z.ZodType,
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
  TClient = unknown,
> {
  /** e.g. `avalara.createTransaction`. */
  type: string;
  version: number;
  title: string;
  description: string;
  category: NodeCategory;
  /** `core` for built-in nodes, otherwise the connector's system id. */
  system: string;
  icon?: string;
  /** Connector system whose connection this node needs. */
  connection?: string;
  config: C;
  input: I;
  output: O;
  effect: NodeEffect<z.output<I>, z.output<C>, z.output<O>, TClient>;
  /** Output handles (default `["out"]`); branch nodes declare several and call `ctx.route`. */
  outputs?: readonly string[];
  trigger?: TriggerSpec<z.output<C>, TClient>;
  run: (ctx: NodeRunContext<TClient>, input: z.output<I>, config: z.output<C>) => Promise<z.input<O>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyNodeDefinition = NodeDefinition<z.ZodType, z.ZodType, z.ZodType, any>;

/**
 * Bind node declarations to a client type and a system, so each node's `ctx.client` is typed
 * without repeating it: `const node = nodeFactory<IntacctClient>("intacct", { connection: "intacct" })`.
 */
export function nodeFactory<TClient>(system: string, defaults: { connection?: string } = {}) {
  return <C extends z.ZodType, I extends z.ZodType, O extends z.ZodType>(
    def: Omit<NodeDefinition<C, I, O, TClient>, "system" | "connection"> & { connection?: string | null },
  ): NodeDefinition<C, I, O, TClient> => {
    const { connection, ...rest } = def;
    return {
      ...rest,
      system,
      connection: connection === null ? undefined : (connection ?? defaults.connection),
    } as NodeDefinition<C, I, O, TClient>;
  };
}

export interface ConnectionTestResult {
  ok: boolean;
  message: string;
  details?: Record<string, unknown>;
}

/** A picker list for config fields and mapping grids (GL accounts, departments...). */
export interface PickerOption {
  value: string;
  label: string;
}

export interface ConnectorDefinition<TConfig = unknown, TSecrets = unknown, TClient = unknown> {
  system: string;
  title: string;
  description: string;
  icon?: string;
  /** Non-secret connection fields (stored as jsonb, shown in the browser). */
  config: z.ZodType<TConfig>;
  /** Secret fields: encrypted at rest, write-only in the browser, redacted everywhere. */
  secrets: z.ZodType<TSecrets>;
  /**
   * Where this system's connections send their secrets. Without it a connection reaches only
   * loopback and the operator's allowed hosts.
   */
  endpoints?: {
    /** Official host names from the vendor's API docs: exact (`api.intacct.com`) or `*.suffix`. */
    hosts: readonly string[];
    /** Config fields that choose the host, region or deployment: changing one needs the secrets again. */
    fields: readonly (keyof TConfig & string)[];
    /** Every URL a client built from this config may call (API, token and key hosts). */
    urls: (config: TConfig) => string[];
  };
  /** The values of the one-click "use the sandbox" option, given the sandbox's base URL. */
  sandbox?: (baseUrl: string) => { name: string; config: TConfig; secrets: TSecrets };
  createClient: (env: ConnectorEnv<TConfig, TSecrets>) => TClient;
  test: (client: TClient) => Promise<ConnectionTestResult>;
  /**
   * Lists a user can pick from (config fields refer to them with `.meta({ picker: "name" })`).
   * A picker with `argument` lists values of one thing among several (the values of one
   * user-defined dimension): it is named `<name>:<value>`, the value being one option of the
   * picker `argument` names, and `load` receives it.
   */
  pickers?: Record<string, { title: string; argument?: string; load: (client: TClient, argument?: string) => Promise<PickerOption[]> }>;
  /** OAuth 2.0 authorization-code connections ("Connect" button). */
  oauth?: {
    authorizeUrl: (args: { config: TConfig; secrets: TSecrets; state: string; redirectUri: string }) => string;
    /** Exchange the code and keep the token pair in `env.state`. */
    exchangeCode: (env: ConnectorEnv<TConfig, TSecrets>, args: { code: string; redirectUri: string }) => Promise<void>;
  };
  nodes: AnyNodeDefinition[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConnectorDefinition = ConnectorDefinition<any, any, any>;

export function defineConnector<TConfig, TSecrets, TClient>(
  def: ConnectorDefinition<TConfig, TSecrets, TClient>,
): ConnectorDefinition<TConfig, TSecrets, TClient> {
  return def;
}
