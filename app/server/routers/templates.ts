/**
 * Starter templates: one click creates a working flow (and the mapping tables it needs).
 */
import { z } from "zod";
import { instantiateTemplate, templates } from "../../../engine/templates";
import { router, userError, workspaceProcedure } from "../trpc";

export const templatesRouter = router({
  list: workspaceProcedure.query(() =>
    templates.map((t) => ({ id: t.id, title: t.title, description: t.description, systems: t.systems })),
  ),
  use: workspaceProcedure.input(z.object({ templateId: z.string(), name: z.string().trim().min(1).max(120).optional() })).mutation(async ({ ctx, input }) => {
    try {
      return await instantiateTemplate(ctx.db, ctx.workspaceId, input.templateId, { name: input.name });
    } catch (error) {
      userError(error);
    }
  }),
});
