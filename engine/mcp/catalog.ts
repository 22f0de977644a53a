/**
 * The tools an agent sees, generated from the node registry and the workspace's exposure settings
 * (./settings.ts), never written by hand.
 *
 * Glossary
 * - read tool:  a connector node with a read effect (queries, records read by key, lists), or one
 *               of a connector's picker lists (`<system>_list_<picker>`, through `<system>.readList`).
 *               Needs the operator role: tool output is record data, which viewers never see.
 * - write tool: a connector node with a write effect. Posting needs the editor role: the agent
 *               chooses the node's settings and input, which is authoring a posting, not running a
 *               flow an editor built. A dry run (`dryRun: true`: a rendered posting, an Avalara
 *               quote) needs the operator role, like a flow's dry run. Takes a required `requestId`.
 * - flow tool:  a flow with a manual trigger an admin made available to agents (`flow_<name>`);
 *               operator role, like Run now. Its input schema is the trigger's.
 * - ledgerline_get_run: a run's status and result pages (polls approvals and long calls). Viewer.
 * Input schemas are the JSON Schemas of the nodes' own zod schemas (`jsonSchemaOf`), descriptions
 * are the nodes' declarations.
 */
import type { AnyNodeDefinition } from "../../connectors/sdk";
import { READ_LIST_NODE_SUFFIX } from "../../connectors/sdk";
import type { Db } from "../../db/client";
import { roleAtLeast, type Role } from "../auth/roles";
import { jsonSchemaOf, registry } from "../registry";
import { describeRunInput } from "../run-input";
import { readMcpSettings, type McpSettings } from "./settings";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonSchema = Record<string, any>;

export type ToolKind = "read" | "write" | "flow" | "run";

/** The role that may list and call a tool (for a write tool: call it with dryRun). */
export const MIN_ROLE: Record<ToolKind, Role> = { read: "operator", write: "operator", flow: "operator", run: "viewer" };
/** The role that may post with a write tool. */
export const POST_ROLE: Role = "editor";

export const GET_RUN_TOOL = "ledgerline_get_run";
/** Rows per page of a result's lists, unless the call asks for fewer (or more, up to the cap). */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface ToolConnection {
  id: string;
  name: string;
}

export interface AgentTool {
  name: string;
  title: string;
  description: string;
  kind: ToolKind;
  minRole: Role;
  inputSchema: JsonSchema;
  /** Connector tools: the node, the settings fixed by the tool (picker lists) and the exposed connections. */
  node?: AnyNodeDefinition;
  fixedConfig?: Record<string, unknown>;
  connections?: ToolConnection[];
  /** Flow tools. */
  flow?: { id: string; name: string };
}

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Node schemas never change in a process: each is converted once. */
const schemaCache = new WeakMap<object, JsonSchema>();

function schemaOf(zodSchema: AnyNodeDefinition["input"]): JsonSchema {
  let cached = schemaCache.get(zodSchema);
  if (!cached) {
    const { $schema: _ignored, ...rest } = (jsonSchemaOf(zodSchema) ?? {}) as JsonSchema;
    cached = rest;
    schemaCache.set(zodSchema, cached);
  }
  return cached;
}

function strip(schema: unknown): JsonSchema {
  const { $schema: _ignored, ...rest } = (schema ?? {}) as JsonSchema;
  return rest;
}

function hasFields(schema: JsonSchema): boolean {
  return schema.type !== "object" || Object.keys(schema.properties ?? {}).length > 0 || schema.additionalProperties !== undefined;
}

const pagingProperties = {
  limit: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, description: `Rows per list in the answer (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).` },
};

function connectionProperty(connections: ToolConnection[]): JsonSchema {
  return {
    type: "string",
    enum: connections.map((c) => c.name),
    description: connections.length > 1 ? "Which connection to use (required: there are several)." : `Connection (default: ${connections[0]!.name}).`,
  };
}

/** The tool name of a node type: `intacct.createJournalEntry` -> `intacct_createJournalEntry`. */
export function toolNameOf(type: string): string {
  return type.replace(/\./g, "_").slice(0, 64);
}

/** The tool of a connector node (or of one of its lists when `list` is given). */
function connectorTool(def: AnyNodeDefinition, connections: ToolConnection[], list?: { name: string; title: string }): AgentTool {
  const write = def.effect.kind === "write";
  const kind: ToolKind = write ? "write" : "read";
  const properties: JsonSchema = {};
  const required: string[] = [];
  if (connections.length > 0) properties.connection = connectionProperty(connections);
  if (connections.length > 1) required.push("connection");
  if (!list) {
    const input = schemaOf(def.input);
    if (hasFields(input)) {
      properties.input = { ...input, description: input.description ?? "The node's input." };
      if ((input.required ?? []).length > 0 || input.type !== "object") required.push("input");
    }
    const config = schemaOf(def.config);
    if (hasFields(config)) properties.config = { ...config, description: "Settings of the node (defaults apply to what is left out)." };
  }
  if (write) {
    properties.requestId = {
      type: "string",
      minLength: 8,
      maxLength: 200,
      pattern: "^[A-Za-z0-9._:-]+$",
      description: "Your id for this request. Sending the same requestId again never posts again: it answers with the first call's result.",
    };
    properties.dryRun = { type: "boolean", description: "Render the posting (lines, totals, balance) without sending anything." };
    required.push("requestId");
  } else {
    Object.assign(properties, pagingProperties);
  }
  const system = registry.connector(def.system)?.title ?? def.system;
  const name = list ? `${def.system}_list_${list.name}`.slice(0, 64) : toolNameOf(def.type);
  return {
    name,
    title: list ? `${system}: ${list.title}` : `${system}: ${def.title}`,
    description: list
      ? `List ${system}'s ${list.title.toLowerCase()} as value and label pairs (read only).`
      : `${def.description}${write ? " A write: needs a requestId; over the workspace's approval rule it waits for a person; dryRun shows what would be posted." : " Read only."}`,
    kind,
    minRole: MIN_ROLE[kind],
    inputSchema: { type: "object", properties, required, additionalProperties: false },
    node: def,
    fixedConfig: list ? { list: list.name } : undefined,
    connections,
  };
}

const getRunTool: AgentTool = {
  name: GET_RUN_TOOL,
  title: "Ledgerline: run status and result",
  description:
    "The status of a run an earlier tool call started (awaiting approval, running, succeeded, failed) and its result, page by page (offset). Poll it after a call answered awaiting_approval or in_progress.",
  kind: "run",
  minRole: MIN_ROLE.run,
  inputSchema: {
    type: "object",
    properties: {
      runId: { type: "string", format: "uuid", description: "The runId a tool call answered with." },
      offset: { type: "integer", minimum: 0, description: "First row of the result's lists (paging)." },
      ...pagingProperties,
    },
    required: ["runId"],
    additionalProperties: false,
  },
};

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40);
}

async function flowTools(db: Db, workspaceId: string, settings: McpSettings): Promise<AgentTool[]> {
  if (settings.flows.length === 0) return [];
  const flows = await db.sql<{ id: string; name: string; description: string }[]>`
    select id::text, name, description from flows where workspace_id = ${workspaceId} and id = any(${settings.flows}::uuid[]) order by name, id`;
  const tools: AgentTool[] = [];
  const taken = new Set<string>();
  for (const flow of flows) {
    let described;
    try {
      described = await describeRunInput(db, workspaceId, flow.id);
    } catch {
      continue; // no trigger yet: nothing to call
    }
    if (described.mode !== "manual") continue;
    let name = `flow_${slug(flow.name) || "flow"}`;
    if (taken.has(name)) name = `${name}_${flow.id.slice(0, 8)}`;
    taken.add(name);
    const input = strip(described.inputSchema);
    tools.push({
      name,
      title: `Flow: ${flow.name}`,
      description: `Run the flow "${flow.name}" once with the given input${flow.description ? `: ${flow.description}` : "."} Its writes go through the idempotency ledger and its approval rules; the same requestId never starts a second run.`,
      kind: "flow",
      minRole: MIN_ROLE.flow,
      inputSchema: {
        type: "object",
        properties: {
          input: { ...input, description: `The record the flow starts with (the trigger's input)${described.sample && Object.keys(described.sample as object).length ? `, e.g. ${JSON.stringify(described.sample).slice(0, 500)}` : ""}.` },
          requestId: {
            type: "string",
            minLength: 8,
            maxLength: 200,
            pattern: "^[A-Za-z0-9._:-]+$",
            description: "Your id for this request: sending it again answers with the first run instead of starting another.",
          },
        },
        required: ["requestId"],
        additionalProperties: false,
      },
      flow: { id: flow.id, name: flow.name },
    });
  }
  return tools;
}

/** Every tool the workspace exposes, whatever the caller's role (the settings page shows them all). */
export async function workspaceCatalog(db: Db, workspaceId: string, settings?: McpSettings): Promise<{ tools: AgentTool[]; available: AgentTool[] }> {
  const s = settings ?? (await readMcpSettings(db, workspaceId));
  const rows = await db.sql<{ id: string; system: string; name: string }[]>`
    select id::text, system, name from connections where workspace_id = ${workspaceId} order by name, id`;
  const available: AgentTool[] = [];
  for (const connector of registry.connectors()) {
    const all = rows.filter((r) => r.system === connector.system);
    const exposed = s.connections === null ? all : all.filter((r) => s.connections!.includes(r.id));
    if (exposed.length === 0) continue;
    const connections = exposed.map((r) => ({ id: r.id, name: r.name }));
    const seen = new Set<string>();
    for (const declared of connector.nodes) {
      const def = registry.latest(declared.type);
      if (!def || seen.has(def.type) || def.category !== "connector" || !def.connection) continue;
      seen.add(def.type);
      available.push(connectorTool(def, connections));
    }
    const lists = registry.latest(`${connector.system}.${READ_LIST_NODE_SUFFIX}`);
    if (lists) {
      for (const [name, picker] of Object.entries(connector.pickers ?? {})) available.push(connectorTool(lists, connections, { name, title: picker.title }));
    }
  }
  const valid = available.filter((t) => NAME_PATTERN.test(t.name));
  const exposedTools = valid.filter((t) => (s.tools === null ? t.kind === "read" : s.tools.includes(t.name)));
  return { tools: [...exposedTools, ...(await flowTools(db, workspaceId, s)), getRunTool], available: valid };
}

/** The tools a caller with `role` may list and call. */
export async function toolsFor(db: Db, workspaceId: string, role: Role): Promise<AgentTool[]> {
  const { tools } = await workspaceCatalog(db, workspaceId);
  return tools
    .filter((t) => roleAtLeast(role, t.minRole))
    .map((t) => (t.kind === "write" && !roleAtLeast(role, POST_ROLE) ? { ...t, description: `${t.description} With this token's role (${role}) only dryRun: true is allowed; posting needs ${POST_ROLE}.` } : t));
}
