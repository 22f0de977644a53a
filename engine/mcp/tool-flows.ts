/**
 * The flow a connector tool's calls run as: a manual trigger (`agent`) wired to the tool's node
 * (`tool`), one flow per tool and connection, a version per distinct node settings and approval
 * rule. A call is then an ordinary one-node run of the executor (ledger, approvals, retries,
 * recorded HTTP, run log), never a second code path. These flows are not listed on the Flows page.
 */
import type { AnyNodeDefinition } from "../../connectors/sdk";
import type { Db } from "../../db/client";
import type { Actor } from "../audit";
import { createFlow, saveVersion } from "../flows";
import { parseFlowDefinition, type FlowDefinitionInput } from "../flow/schema";
import type { ToolConnection } from "./catalog";

export const AGENT_TRIGGER_NODE = "agent";
export const AGENT_TOOL_NODE = "tool";

export function toolFlowDefinition(def: AnyNodeDefinition, connectionId: string, config: Record<string, unknown>, approvalWhen: string | undefined): FlowDefinitionInput {
  return {
    schemaVersion: 1,
    nodes: [
      { id: AGENT_TRIGGER_NODE, type: "core.manualTrigger", typeVersion: 1, name: "Agent call", position: { x: 0, y: 0 }, config: {} },
      {
        id: AGENT_TOOL_NODE,
        type: def.type,
        typeVersion: def.version,
        name: def.title,
        position: { x: 260, y: 0 },
        config,
        connectionId,
        ...(approvalWhen && def.effect.kind === "write" ? { approval: { when: approvalWhen } } : {}),
      },
    ],
    edges: [{ id: "agent-tool", source: AGENT_TRIGGER_NODE, target: AGENT_TOOL_NODE }],
    // One attempt now and a few more soon: an agent waits for the answer (or polls it).
    settings: { retry: { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 30_000, maxTotalDelayMs: 300_000 }, concurrency: 5 },
  };
}

async function flowOf(db: Db, workspaceId: string, tool: string, connectionId: string): Promise<string | undefined> {
  const [row] = await db.sql<{ flow_id: string }[]>`
    select flow_id::text from agent_tool_flows where workspace_id = ${workspaceId} and tool = ${tool} and connection_id = ${connectionId}`;
  return row?.flow_id;
}

/** The flow and version a call of `tool` with these settings runs as, created on first use. */
export async function toolFlowVersion(
  db: Db,
  workspaceId: string,
  tool: { name: string; title: string; def: AnyNodeDefinition },
  connection: ToolConnection,
  config: Record<string, unknown>,
  approvalWhen: string | undefined,
  actor: Actor,
): Promise<{ flowId: string; versionId: string }> {
  const definition = toolFlowDefinition(tool.def, connection.id, config, approvalWhen);
  let flowId = await flowOf(db, workspaceId, tool.name, connection.id);
  if (!flowId) {
    const created = await createFlow(
      db,
      workspaceId,
      {
        name: `Agent tool ${tool.name} (${connection.name})`,
        description: `Calls of the MCP tool ${tool.name} (${tool.title}) by agents: one run per call.`,
        definition,
      },
      actor,
    );
    const [linked] = await db.sql<{ flow_id: string }[]>`
      insert into agent_tool_flows (workspace_id, tool, connection_id, flow_id)
      values (${workspaceId}, ${tool.name}, ${connection.id}, ${created.flowId})
      on conflict (workspace_id, tool, connection_id) do nothing
      returning flow_id::text`;
    if (linked) return { flowId: created.flowId, versionId: created.versionId };
    // A concurrent first call linked its flow first: use that one.
    await db.sql`delete from flows where id = ${created.flowId} and workspace_id = ${workspaceId}`;
    flowId = (await flowOf(db, workspaceId, tool.name, connection.id))!;
  }
  const canonical = parseFlowDefinition(definition);
  const [version] = await db.sql<{ id: string }[]>`
    select id::text from flow_versions
    where flow_id = ${flowId} and workspace_id = ${workspaceId} and definition = ${JSON.stringify(canonical)}::jsonb
    order by version desc limit 1`;
  if (version) return { flowId, versionId: version.id };
  const saved = await saveVersion(db, workspaceId, flowId, definition, "Settings of an agent call", actor);
  return { flowId, versionId: saved.versionId };
}
