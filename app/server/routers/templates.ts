/**
 * Starter templates: one click creates a working flow (and the mapping tables it needs).
 *
 * Roles: viewers see the catalogue; editors use a template.
 */
import { z } from "zod";
import { recordAudit } from "../../../engine/audit";
import { instantiateTemplate, templates } from "../../../engine/templates";
import { actorOf, attempt } from "../procedure";
import { editorProcedure, router, viewerProcedure } from "../trpc";

export const templatesRouter = router({
  list: viewerProcedure.query(() => templates.map((t) => ({ id: t.id, title: t.title, description: t.description, systems: t.systems }))),

  use: editorProcedure
    .input(z.object({ templateId: z.string().max(100), name: z.string().trim().min(1).max(120).optional() }))
    .mutation(async ({ ctx, input }) => {
      const created = await attempt(instantiateTemplate(ctx.db, ctx.workspaceId, input.templateId, { name: input.name }));
      await recordAudit(ctx.db.sql, ctx.workspaceId, actorOf(ctx), { action: "template.used", entityType: "flow", entityId: created.flowId, data: { templateId: input.templateId, name: input.name ?? null } });
      return created;
    }),
});
