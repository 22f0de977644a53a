/**
 * What "Run now" asks for: the record the run starts with.
 *
 * - `describeRunInput`: the trigger of the flow's latest version, the JSON Schema of its input
 *   (the same zod schema the engine parses) and sample data: the manual trigger's configured
 *   sample, else a record built from the schema (enum values, defaults, typed placeholders).
 * - `recentSourceRecords`: for a poll trigger, the source documents its first poll would pick up
 *   (its own look-back window), read live and never checkpointed: a picker of real records.
 * - `checkRunInput`: the data checked against the trigger's input schema before a run starts,
 *   each problem with its path.
 */
import { Redactor, type Logger, type TriggerContext } from "../connectors/sdk";
import type { Db } from "../db/client";
import { buildEnv, loadConnection } from "./connections";
import { parseFlowDefinition } from "./flow/schema";
import { jsonSchemaOf } from "./registry";
import { findTrigger } from "./triggers";

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const POLL_TIMEOUT_MS = 20_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonSchema = Record<string, any>;

async function latestTrigger(db: Db, workspaceId: string, flowId: string) {
  const [row] = await db.sql<{ definition: unknown }[]>`
    select v.definition from flow_versions v join flows f on f.id = v.flow_id and f.workspace_id = v.workspace_id
    where v.flow_id = ${flowId} and v.workspace_id = ${workspaceId} order by v.version desc limit 1`;
  if (!row) throw new Error("flow not found");
  const trigger = findTrigger(parseFlowDefinition(row.definition));
  if (!trigger) throw new Error("This flow has no trigger yet: add one on the canvas");
  return trigger;
}

/** A plausible value for a JSON Schema: enum first value, default, or a typed placeholder. */
export function sampleFromSchema(schema: JsonSchema | undefined, now = new Date()): unknown {
  if (!schema || typeof schema !== "object") return null;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives?.length) return sampleFromSchema(alternatives.find((a) => a.type !== "null") ?? alternatives[0], now);
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      const required = new Set<string>(schema.required ?? []);
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
        if (required.has(key) || prop.default !== undefined) out[key] = sampleFromSchema(prop, now);
      }
      return out;
    }
    case "array":
      return schema.minItems ? Array.from({ length: schema.minItems as number }, () => sampleFromSchema(schema.items, now)) : [];
    case "integer":
    case "number": {
      const min = typeof schema.minimum === "number" && schema.minimum > -1e9 ? schema.minimum : typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + 1 : 1;
      return type === "integer" ? Math.ceil(min) : min;
    }
    case "boolean":
      return false;
    case "string": {
      if (schema.format === "date-time") return now.toISOString();
      if (schema.format === "date") return now.toISOString().slice(0, 10);
      if (schema.format === "uuid" || /\[0-9a-fA-F\]\{8\}-/.test(String(schema.pattern ?? ""))) return "00000000-0000-4000-8000-000000000000";
      if (schema.format === "email") return "name@example.com";
      return "";
    }
    default:
      return null;
  }
}

export interface RunInputDescription {
  triggerNodeId: string;
  triggerType: string;
  triggerTitle: string;
  mode: "manual" | "schedule" | "webhook" | "poll" | null;
  /** JSON Schema of the trigger's input; `{}` when it takes anything. */
  inputSchema: JsonSchema;
  sample: unknown;
  /** The trigger can list recent source documents (poll triggers with a connection). */
  canListRecent: boolean;
}

export async function describeRunInput(db: Db, workspaceId: string, flowId: string): Promise<RunInputDescription> {
  const { node, def } = await latestTrigger(db, workspaceId, flowId);
  const inputSchema = jsonSchemaOf(def.input) as JsonSchema;
  const mode = def.trigger?.mode ?? null;
  let sample: unknown;
  if (node.type === "core.manualTrigger") {
    const parsed = def.config.safeParse(node.config);
    sample = parsed.success ? (parsed.data as { sample?: unknown }).sample ?? {} : {};
  } else {
    sample = sampleFromSchema(inputSchema);
  }
  return {
    triggerNodeId: node.id,
    triggerType: node.type,
    triggerTitle: node.name ?? def.title,
    mode,
    inputSchema,
    sample,
    canListRecent: mode === "poll" && Boolean(def.trigger?.poll) && Boolean(node.connectionId),
  };
}

export interface SourceRecord {
  key: string;
  label: string;
  version: string;
  data: unknown;
}

/** Source documents the trigger's first poll would pick up, newest last, read live ([] when it cannot list). */
export async function recentSourceRecords(db: Db, workspaceId: string, flowId: string, limit = 25): Promise<SourceRecord[]> {
  const { node, def } = await latestTrigger(db, workspaceId, flowId);
  // Only a poll trigger with a connection can list its source; the others have none to show.
  if (def.trigger?.mode !== "poll" || !def.trigger.poll || !node.connectionId) return [];
  const config = def.config.safeParse(node.config);
  if (!config.success) throw new Error(`${def.title}: its settings have problems; fix them on the canvas first`);
  const signal = AbortSignal.timeout(POLL_TIMEOUT_MS);
  const connection = await loadConnection(db, workspaceId, node.connectionId);
  const client = connection.connector.createClient(buildEnv(db, connection, { log: silent, signal, redactor: new Redactor() }));
  const ctx: TriggerContext = { client, log: silent, signal, workspaceId, flowId, nodeId: node.id };
  const polled = await def.trigger.poll(ctx, config.data, null);
  return polled.records.slice(-limit).map((r) => ({ key: r.key, label: r.label ?? r.key, version: r.version, data: r.data }));
}

export interface InputIssue {
  path: string;
  message: string;
}

/** The data checked against the trigger's input schema: [] when a run can start with it. */
export async function checkRunInput(db: Db, workspaceId: string, flowId: string, data: unknown): Promise<InputIssue[]> {
  const { node, def } = await latestTrigger(db, workspaceId, flowId);
  // The manual trigger starts with its sample when no data is given.
  if (node.type === "core.manualTrigger") return [];
  const parsed = def.input.safeParse(data);
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}
