/**
 * Settings > Agents: what this workspace exposes over MCP (/api/mcp). Admins read and change it;
 * every change is audited (engine/mcp/settings.ts).
 */
import { TRPCError } from "@trpc/server";
import { workspaceCatalog } from "../../../engine/mcp/catalog";
import { mcpSettingsSchema, mcpSettingsView, McpSettingsError, updateMcpSettings } from "../../../engine/mcp/settings";
import { actorOf } from "../procedure";
import { adminProcedure, router } from "../trpc";

export const mcpRouter = router({
  settings: adminProcedure.query(async ({ ctx }) => {
    const view = await mcpSettingsView(ctx.db, ctx.workspaceId);
    const { tools, available } = await workspaceCatalog(ctx.db, ctx.workspaceId, view.settings);
    const exposed = new Set(tools.map((t) => t.name));
    const describe = (t: (typeof available)[number]) => ({ name: t.name, title: t.title, description: t.description, kind: t.kind, minRole: t.minRole, exposed: exposed.has(t.name) });
    return {
      ...view,
      tools: available.map(describe),
      /** Flow tools and the run-status tool, as agents see them now. */
      otherTools: tools.filter((t) => t.kind === "flow" || t.kind === "run").map((t) => ({ ...describe(t), exposed: true })),
    };
  }),

  update: adminProcedure.input(mcpSettingsSchema).mutation(async ({ ctx, input }) => {
    try {
      return await updateMcpSettings(ctx.db, ctx.workspaceId, input, actorOf(ctx));
    } catch (error) {
      if (error instanceof McpSettingsError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
      throw error;
    }
  }),
});
