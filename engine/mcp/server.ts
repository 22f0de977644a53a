/**
 * The MCP server of one request (stateless Streamable HTTP: a server per POST), with the SDK's
 * low-level `Server`: the tools are generated at request time from the registry and the
 * workspace's settings, with JSON Schemas the product already derives from the nodes' zod schemas
 * (the high-level `McpServer` wants hand-declared zod shapes per tool).
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Db } from "../../db/client";
import { callTool, type AgentCaller } from "./call";
import { toolsFor } from "./catalog";

const INSTRUCTIONS = [
  "Ledgerline reads from and posts to the workspace's finance systems (Sage Intacct, Avalara, Exact Online, Adobe Commerce) under its guardrails.",
  "Read tools answer at once, one page at a time (follow nextPage). Write tools need your own requestId: send the same one again when you retry, and nothing is posted twice.",
  "dryRun: true renders a posting without sending it. A posting over the workspace's approval rule answers awaiting_approval: poll ledgerline_get_run until a person has decided.",
].join(" ");

export function createMcpServer(db: Db, caller: AgentCaller): Server {
  const server = new Server({ name: "ledgerline", title: "Ledgerline", version: "1.0.0" }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools = await toolsFor(db, caller.workspaceId, caller.role);
    return {
      tools: tools.map((t) => ({
        name: t.name,
        title: t.title,
        description: t.description,
        inputSchema: t.inputSchema as { type: "object"; properties?: Record<string, object>; required?: string[] },
        annotations: {
          title: t.title,
          readOnlyHint: t.kind === "read" || t.kind === "run",
          destructiveHint: false,
          idempotentHint: t.kind !== "read",
          openWorldHint: t.kind !== "run",
        },
      })),
    };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    let answer;
    try {
      answer = await callTool(db, caller, request.params.name, request.params.arguments ?? {});
    } catch (error) {
      // Not the agent's fault and not for its eyes: the message stays in the server log.
      console.error(`[mcp] ${request.params.name}: ${(error as Error)?.message ?? String(error)}`);
      answer = { isError: true, structured: { error: "Ledgerline could not complete this call (an internal error); it was logged. Try again later." } };
    }
    return {
      content: [{ type: "text", text: JSON.stringify(answer.structured, null, 2) }],
      structuredContent: answer.structured,
      isError: answer.isError,
    };
  });
  return server;
}
