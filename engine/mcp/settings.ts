/**
 * What a workspace exposes to agents over MCP (/api/mcp), edited by admins on Settings > Agents.
 *
 * - connections: ids of the connections whose tools are exposed; null means every connection.
 * - tools: names of the connector tools exposed; null means every read tool (write tools are
 *   never exposed until an admin names them).
 * - flows: flows with a manual trigger that are "available to agents" (each becomes a tool).
 * - approvals: per write tool, a JSONata condition over the node's input; when it holds, the
 *   call waits for a person on the Approvals page (the same maker-checker as flows).
 * - callsPerMinute: tool calls one API token may make per minute (429 past it).
 * Every change is audited (`mcp.settings_updated`, `{ field: { from, to } }`).
 */
import { z } from "zod";
import { jsonb, type Db } from "../../db/client";
import { changes, recordAudit, type Actor } from "../audit";
import { expressionProblem } from "../nodes/expressions";

export const DEFAULT_CALLS_PER_MINUTE = 60;

export const mcpSettingsSchema = z.object({
  connections: z.array(z.string().uuid()).max(200).nullable().default(null),
  tools: z
    .array(z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "tool names use letters, digits, _ and -"))
    .max(500)
    .nullable()
    .default(null),
  flows: z.array(z.string().uuid()).max(200).default([]),
  approvals: z
    .record(
      z.string().min(1).max(64),
      z
        .string()
        .min(1)
        .max(2000)
        .superRefine((value, ctx) => {
          const problem = expressionProblem(value);
          if (problem) ctx.addIssue({ code: "custom", message: `invalid approval rule: ${problem}` });
        }),
    )
    .default({}),
  callsPerMinute: z.number().int().min(1).max(10_000).default(DEFAULT_CALLS_PER_MINUTE),
});
export type McpSettings = z.output<typeof mcpSettingsSchema>;
export type McpSettingsInput = z.input<typeof mcpSettingsSchema>;

export async function readMcpSettings(db: Db, workspaceId: string): Promise<McpSettings> {
  const [row] = await db.sql<{ settings: unknown }[]>`select settings from mcp_settings where workspace_id = ${workspaceId}`;
  const parsed = mcpSettingsSchema.safeParse(row?.settings ?? {});
  // A stored shape this version cannot read exposes nothing rather than everything.
  return parsed.success ? parsed.data : mcpSettingsSchema.parse({ connections: [], tools: [] });
}

export class McpSettingsError extends Error {}

/** Save the settings (ids checked against the workspace), audited with what changed. */
export async function updateMcpSettings(db: Db, workspaceId: string, input: McpSettingsInput, actor: Actor): Promise<McpSettings> {
  const next = mcpSettingsSchema.parse(input);
  return db.sql.begin(async (tx) => {
    if (next.connections?.length) {
      const found = await tx<{ id: string }[]>`select id::text from connections where workspace_id = ${workspaceId} and id = any(${next.connections}::uuid[])`;
      const missing = next.connections.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw new McpSettingsError(`No connection ${missing.join(", ")} in this workspace.`);
    }
    if (next.flows.length) {
      const found = await tx<{ id: string }[]>`select id::text from flows where workspace_id = ${workspaceId} and id = any(${next.flows}::uuid[])`;
      const missing = next.flows.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw new McpSettingsError(`No flow ${missing.join(", ")} in this workspace.`);
    }
    const [before] = await tx<{ settings: unknown }[]>`select settings from mcp_settings where workspace_id = ${workspaceId} for update`;
    const previous = mcpSettingsSchema.safeParse(before?.settings ?? {});
    await tx`
      insert into mcp_settings (workspace_id, settings) values (${workspaceId}, ${jsonb(next)}::text::jsonb)
      on conflict (workspace_id) do update set settings = excluded.settings, updated_at = now()`;
    await recordAudit(tx, workspaceId, actor, {
      action: "mcp.settings_updated",
      entityType: "workspace",
      entityId: workspaceId,
      data: { changes: changes(previous.success ? previous.data : {}, next) },
    });
    return next;
  });
}

export interface McpSettingsView {
  settings: McpSettings;
  connections: { id: string; system: string; name: string }[];
  /** Flows an admin may make available to agents (their latest version starts with a manual trigger). */
  flows: { id: string; name: string; manual: boolean }[];
}

/** The settings with what they choose from (the tool list comes from ./catalog.ts). */
export async function mcpSettingsView(db: Db, workspaceId: string): Promise<McpSettingsView> {
  const settings = await readMcpSettings(db, workspaceId);
  const connections = await db.sql<{ id: string; system: string; name: string }[]>`
    select id::text, system, name from connections where workspace_id = ${workspaceId} order by name, id`;
  const flows = await db.sql<{ id: string; name: string; manual: boolean }[]>`
    select f.id::text, f.name,
           coalesce((select exists (select 1 from jsonb_array_elements(v.definition->'nodes') n where n->>'type' = 'core.manualTrigger')
                     from flow_versions v where v.flow_id = f.id and v.workspace_id = f.workspace_id order by v.version desc limit 1), false) as manual
    from flows f
    where f.workspace_id = ${workspaceId}
      and not exists (select 1 from agent_tool_flows a where a.flow_id = f.id and a.workspace_id = ${workspaceId})
    order by f.name, f.id`;
  return { settings, connections, flows };
}
