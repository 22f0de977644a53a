/**
 * A template flow's later improvements (engine/templates/improvements.ts): what the newer
 * template version changes, shown on the flow's overview, and applying it as a new version.
 *
 * Roles: viewers see the changes; editors apply them (audited).
 */
import { z } from "zod";
import { applyTemplateImprovements, templateImprovements } from "../../../engine/templates/improvements";
import { actorOf, attempt } from "../procedure";
import { editorProcedure, router, viewerProcedure } from "../trpc";

const flow = z.object({ flowId: z.string().uuid() });

export const templateImprovementsRouter = router({
  /** Null for a flow not made from a template. */
  get: viewerProcedure.input(flow).query(({ ctx, input }) => attempt(templateImprovements(ctx.db, ctx.workspaceId, input.flowId))),

  /** Apply as a new version; `take` names conflicting nodes (or `settings.<key>`) to take from the template. */
  applyChanges: editorProcedure
    .input(flow.extend({ take: z.array(z.string().max(120)).max(200).default([]) }))
    .mutation(({ ctx, input }) => attempt(applyTemplateImprovements(ctx.db, ctx.workspaceId, input.flowId, { take: input.take, actor: actorOf(ctx) }))),
});
