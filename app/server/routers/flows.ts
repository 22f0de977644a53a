/**
 * Flows: list, get, validate, save a version, version history and diff, activate/deactivate,
 * run now, dry run, stats.
 *
 * Roles: viewers read; editors create, edit, save, activate and deactivate; operators run.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { env } from "../../../db/env";
import { diffVersions, flowStats, getFlow, listFlows } from "../../../engine/flow-queries";
import { activateFlow, createFlow, deactivateFlow, deleteFlow, dryRun, runNow, saveVersion, updateFlow, validateForWorkspace } from "../../../engine/flows";
import { actorOf, attempt } from "../procedure";
import { editorProcedure, operatorProcedure, router, viewerProcedure } from "../trpc";

const id = z.string().uuid();

export const emptyDefinition = () => ({
  schemaVersion: 1 as const,
  nodes: [{ id: "trigger", type: "core.manualTrigger", typeVersion: 1, name: "Manual trigger", position: { x: 0, y: 0 }, config: {} }],
  edges: [],
});

const runInput = z.object({ flowId: id, data: z.unknown().optional(), versionId: id.optional() });

export const flowsRouter = router({
  list: viewerProcedure.query(({ ctx }) => listFlows(ctx.db, ctx.workspaceId)),

  get: viewerProcedure
    .input(z.object({ flowId: id, versionId: id.optional() }))
    .query(({ ctx, input }) => attempt(getFlow(ctx.db, ctx.workspaceId, input.flowId, input.versionId, env.publicUrl))),

  create: editorProcedure
    .input(z.object({ name: z.string().trim().min(1, "give the flow a name").max(120), description: z.string().max(2000).optional() }))
    .mutation(({ ctx, input }) =>
      attempt(createFlow(ctx.db, ctx.workspaceId, { name: input.name, description: input.description, definition: emptyDefinition() }, actorOf(ctx))),
    ),

  update: editorProcedure
    .input(z.object({ flowId: id, name: z.string().trim().min(1).max(120).optional(), description: z.string().max(2000).optional() }))
    .mutation(async ({ ctx, input }) => {
      await attempt(updateFlow(ctx.db, ctx.workspaceId, input.flowId, { name: input.name, description: input.description }, actorOf(ctx)));
      return { ok: true };
    }),

  delete: editorProcedure.input(z.object({ flowId: id })).mutation(async ({ ctx, input }) => {
    await attempt(deleteFlow(ctx.db, ctx.workspaceId, input.flowId, actorOf(ctx)));
    return { ok: true };
  }),

  /** Checks a definition against the node registry and the workspace's connections; writes nothing. */
  validate: editorProcedure
    .input(z.object({ definition: z.unknown() }))
    .mutation(async ({ ctx, input }) => ({ problems: (await validateForWorkspace(ctx.db, ctx.workspaceId, input.definition)).problems })),

  save: editorProcedure
    .input(z.object({ flowId: id, definition: z.unknown(), note: z.string().max(500).default("") }))
    .mutation(({ ctx, input }) => attempt(saveVersion(ctx.db, ctx.workspaceId, input.flowId, input.definition, input.note, actorOf(ctx)))),

  diff: viewerProcedure
    .input(z.object({ fromVersionId: id, toVersionId: id }))
    .query(({ ctx, input }) => attempt(diffVersions(ctx.db, ctx.workspaceId, input.fromVersionId, input.toVersionId))),

  activate: editorProcedure
    .input(z.object({ flowId: id, versionId: id.optional() }))
    .mutation(({ ctx, input }) => attempt(activateFlow(ctx.db, ctx.workspaceId, input.flowId, input.versionId, actorOf(ctx)))),

  deactivate: editorProcedure.input(z.object({ flowId: id })).mutation(async ({ ctx, input }) => {
    if (!(await deactivateFlow(ctx.db, ctx.workspaceId, input.flowId, actorOf(ctx)))) throw new TRPCError({ code: "NOT_FOUND", message: "flow not found" });
    return { ok: true };
  }),

  runNow: operatorProcedure
    .input(runInput)
    .mutation(async ({ ctx, input }) => ({ runId: await attempt(runNow(ctx.db, ctx.workspaceId, input.flowId, input.data, input.versionId, actorOf(ctx))) })),

  dryRun: operatorProcedure
    .input(runInput)
    .mutation(async ({ ctx, input }) => ({ runId: await attempt(dryRun(ctx.db, ctx.workspaceId, input.flowId, input.data, input.versionId, actorOf(ctx))) })),

  /** Runs per day by outcome, and per-node duration percentiles, over the last `days`. */
  stats: viewerProcedure
    .input(z.object({ flowId: id, days: z.number().int().min(1).max(90).default(14) }))
    .query(({ ctx, input }) => flowStats(ctx.db, ctx.workspaceId, input.flowId, input.days)),
});
