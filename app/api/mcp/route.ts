/**
 * MCP over Streamable HTTP (stateless: every POST is answered on its own, as JSON), for agents.
 *
 * - Auth: `Authorization: Bearer <workspace API token>` only (no cookies): the token's workspace,
 *   acting with the token's role (engine/auth/request.ts). Without a valid one: 401.
 * - Limit: tool calls per minute per token (the workspace's MCP settings): past it, 429 with a
 *   JSON-RPC error saying when to try again (`Retry-After`).
 * - Origin: a request carrying an `Origin` other than LEDGERLINE_PUBLIC_URL's is refused (403), as
 *   the MCP spec asks against DNS rebinding; agents outside a browser send none.
 * - Body capped like tRPC's (413). GET (a server-sent event stream) and DELETE (sessions) are not
 *   offered: 405.
 */
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { getDb } from "../../../db/client";
import { env } from "../../../db/env";
import { bearerToken, clientIp, resolveToken, WORKSPACE_HEADER } from "../../../engine/auth/request";
import type { AgentCaller } from "../../../engine/mcp/call";
import { countCall } from "../../../engine/mcp/rate-limit";
import { createMcpServer } from "../../../engine/mcp/server";
import { readMcpSettings } from "../../../engine/mcp/settings";
import { BodyTooLargeError, readBodyCapped, tooLarge } from "../../server/http-guards";

export const dynamic = "force-dynamic";

function rpcError(status: number, message: string, id: unknown = null, headers: Record<string, string> = {}): Response {
  return Response.json({ jsonrpc: "2.0", id, error: { code: status === 429 ? -32029 : -32001, message } }, { status, headers });
}

function unauthorized(message: string): Response {
  return rpcError(401, message, null, { "www-authenticate": 'Bearer realm="ledgerline", error="invalid_token"' });
}

function foreignOrigin(req: Request): Response | null {
  const origin = req.headers.get("origin");
  if (!origin) return null;
  let own: string | null = null;
  try {
    own = new URL(env.publicUrl).origin;
  } catch {
    // a malformed LEDGERLINE_PUBLIC_URL allows no origin
  }
  if (origin === own) return null;
  return rpcError(403, `Requests from pages of another site (Origin ${origin.slice(0, 200)}) are refused. MCP clients outside a browser send no Origin.`);
}

async function POST(req: Request): Promise<Response> {
  const refused = foreignOrigin(req);
  if (refused) return refused;
  const db = getDb();
  const token = bearerToken(req.headers);
  if (!token) return unauthorized("Send a workspace API token: Authorization: Bearer <token> (Settings > API tokens).");
  const { caller, workspace } = await resolveToken(db, token, req.headers.get(WORKSPACE_HEADER)?.trim() || null);
  if (!caller || caller.kind !== "token" || !workspace) return unauthorized("This API token is not valid (unknown, revoked or expired), or its workspace is not the one asked for.");

  let body: unknown;
  try {
    const text = await readBodyCapped(req, env.trpcMaxBody);
    body = JSON.parse(text);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return tooLarge(env.trpcMaxBody);
    return Response.json({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the body is not JSON." } }, { status: 400 });
  }

  const messages = Array.isArray(body) ? body : [body];
  const calls = messages.filter((m) => (m as { method?: unknown })?.method === "tools/call");
  if (calls.length > 0) {
    const settings = await readMcpSettings(db, workspace.id);
    for (const call of calls) {
      const decision = await countCall(db, caller.tokenId, settings.callsPerMinute);
      if (!decision.allowed) {
        return rpcError(
          429,
          `Too many tool calls: this token may make ${decision.limit} per minute in ${workspace.name} (an admin sets the limit on Settings > Agents). Try again in ${decision.retryAfterSeconds} s.`,
          (call as { id?: unknown }).id ?? null,
          { "retry-after": String(decision.retryAfterSeconds) },
        );
      }
    }
  }

  const agent: AgentCaller = {
    workspaceId: workspace.id,
    role: workspace.role,
    actor: { label: `token:${caller.tokenName} (${caller.email})`, kind: "token", userId: caller.userId, tokenId: caller.tokenId, ip: clientIp(req.headers) },
    tokenName: caller.tokenName,
    publicUrl: env.publicUrl,
  };
  const server = createMcpServer(db, agent);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(req, { parsedBody: body });
  } finally {
    void server.close().catch(() => undefined);
  }
}

function notOffered(): Response {
  return Response.json(
    { jsonrpc: "2.0", id: null, error: { code: -32000, message: "This MCP server is stateless: send requests with POST." } },
    { status: 405, headers: { allow: "POST" } },
  );
}

export { POST, notOffered as GET, notOffered as DELETE };
