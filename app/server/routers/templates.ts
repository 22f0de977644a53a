/**
 * Starter templates: the catalogue, what each one asks for, and using one (the wizard's values).
 *
 * Roles: viewers see the catalogue; editors use a template. Outside the demo workspace a template
 * is used only with every parameter given (picked in the wizard from the connected systems).
 */
import { z } from "zod";
import { recordAudit } from "../../../engine/audit";
import { DEMO_WORKSPACE_SLUG } from "../../../engine/demo/seed";
import { tryDemo } from "../../../engine/demo/try-it";
import { findTemplate, instantiateTemplate, templateParameters, templates, templateVersion } from "../../../engine/templates";
import { loadWizard, saveWizard, wizardsInProgress, wizardStateSchema } from "../../../engine/templates/wizard";
import { actorOf, attempt } from "../procedure";
import { TRPCError } from "@trpc/server";
import { editorProcedure, router, viewerProcedure } from "../trpc";

const templateId = z.string().max(100);
const flowId = z.string().uuid();

export const templatesRouter = router({
  list: viewerProcedure.query(() =>
    templates.map((t) => ({ id: t.id, title: t.title, description: t.description, systems: t.systems, version: templateVersion(t) })),
  ),

  /** What the wizard shows for one template: its systems, parameters (with the picker to load) and tables. */
  get: viewerProcedure.input(z.object({ templateId })).query(({ input }) => {
    const t = findTemplate(input.templateId);
    if (!t) return null;
    return {
      id: t.id,
      title: t.title,
      description: t.description,
      version: templateVersion(t),
      systems: t.systems,
      parameters: templateParameters(t).map((p) => ({ key: p.key, label: p.label, description: p.description, system: p.system, picker: p.picker ?? null })),
      tables: t.tables.map((table) => ({ ref: table.ref, name: table.name, keyLabel: table.keyLabel, columns: table.columns })),
    };
  }),

  use: editorProcedure
    .input(
      z.object({
        templateId,
        name: z.string().trim().min(1).max(120).optional(),
        connectionIds: z.record(z.string().max(40), z.string().uuid()).optional(),
        parameters: z.record(z.string().max(80), z.string().max(200)).optional(),
        /** From the wizard: keep its progress on the flow so it can be resumed at the mapping step. */
        wizard: z.boolean().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const demo = ctx.workspace.slug === DEMO_WORKSPACE_SLUG;
      const created = await attempt(
        instantiateTemplate(ctx.db, ctx.workspaceId, input.templateId, { name: input.name, connectionIds: input.connectionIds, parameters: input.parameters, demo }),
      );
      await recordAudit(ctx.db.sql, ctx.workspaceId, actorOf(ctx), {
        action: "template.used",
        entityType: "flow",
        entityId: created.flowId,
        data: { templateId: input.templateId, name: input.name ?? null, parameters: input.parameters ?? {} },
      });
      if (input.wizard) {
        await saveWizard(ctx.db, ctx.workspaceId, created.flowId, {
          templateId: input.templateId,
          step: "mappings",
          connectionIds: input.connectionIds ?? {},
          parameters: input.parameters ?? {},
        });
      }
      return created;
    }),

  /** Demo workspace only: switch the demo flows on and create sample documents in the sandboxes. */
  tryDemo: editorProcedure.mutation(async ({ ctx }) => {
    if (ctx.workspace.slug !== DEMO_WORKSPACE_SLUG) throw new TRPCError({ code: "BAD_REQUEST", message: "Try it is for the demo workspace only" });
    const result = await attempt(tryDemo(ctx.db, ctx.workspaceId, actorOf(ctx)));
    await recordAudit(ctx.db.sql, ctx.workspaceId, actorOf(ctx), { action: "demo.tried", entityType: "workspace", entityId: ctx.workspaceId, data: { activated: result.activated, documents: result.documents } });
    return result;
  }),

  /** Wizards left before activation (the Templates page offers to resume them). */
  inProgress: viewerProcedure.query(({ ctx }) => wizardsInProgress(ctx.db, ctx.workspaceId)),

  wizardState: viewerProcedure.input(z.object({ flowId })).query(({ ctx, input }) => attempt(loadWizard(ctx.db, ctx.workspaceId, input.flowId))),

  /** Save the step reached (null: the wizard is finished). */
  saveWizard: editorProcedure
    .input(z.object({ flowId, state: wizardStateSchema.nullable() }))
    .mutation(async ({ ctx, input }) => {
      await attempt(saveWizard(ctx.db, ctx.workspaceId, input.flowId, input.state));
      return { ok: true };
    }),
});
