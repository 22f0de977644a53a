/**
 * Flows: list, get, validate, save a version, version history and diff, activate/deactivate,
 * run now, dry run, stats.
 */
import { z } from "zod";
import { env } from "../../../db/env";
import { diffFlows } from "../../../engine/flow/diff";
import { parseFlowDefinition } from "../../../engine/flow/schema";
import { activateFlow, createFlow, deactivateFlow, dryRun, runNow, saveVersion, validateForWorkspace } from "../../../engine/flows";
import { findTrigger } from "../../../engine/triggers";
import { router, userError, workspaceProcedure } from "../trpc";

const id = z.string().uuid();

export const emptyDefinition = () => ({
  schemaVersion: 1 as const,
  nodes: [{ id: "trigger", type: "core.manualTrigger", typeVersion: 1, name: "Manual trigger", position: { x: 0, y: 0 }, config: {} }],
  edges: [],
});

export const flowsRouter = router({
  list: workspaceProcedure.query(async ({ ctx }) => {
    return ctx.db.sql<
      { id: string; name: string; description: string; active: boolean; latestVersion: number; updatedAt: Date; templateId: string | null; runs7d: number; failed7d: number; review7d: number; lastRunAt: Date | null }[]
    >`
      select f.id::text, f.name, f.description, f.active, f.latest_version as "latestVersion", f.updated_at as "updatedAt",
             f.template_id as "templateId",
             coalesce(s.total, 0)::int as "runs7d", coalesce(s.failed, 0)::int as "failed7d", coalesce(s.review, 0)::int as "review7d",
             s.last_run_at as "lastRunAt"
      from flows f
      left join lateral (
        select count(*) as total, count(*) filter (where status = 'failed') as failed,
               count(*) filter (where status = 'needs_review') as review, max(created_at) as last_run_at
        from runs r where r.flow_id = f.id and r.workspace_id = ${ctx.workspaceId} and r.created_at > now() - interval '7 days'
      ) s on true
      where f.workspace_id = ${ctx.workspaceId}
      order by f.updated_at desc`;
  }),

  get: workspaceProcedure.input(z.object({ flowId: id, versionId: id.optional() })).query(async ({ ctx, input }) => {
    const [flow] = await ctx.db.sql<{ id: string; name: string; description: string; active: boolean; activeVersionId: string | null; latestVersion: number; templateId: string | null }[]>`
      select id::text, name, description, active, active_version_id::text as "activeVersionId", latest_version as "latestVersion", template_id as "templateId"
      from flows where id = ${input.flowId} and workspace_id = ${ctx.workspaceId}`;
    if (!flow) userError(new Error("flow not found"));
    const versions = await ctx.db.sql<{ id: string; version: number; note: string; createdAt: Date }[]>`
      select id::text, version, note, created_at as "createdAt" from flow_versions
      where flow_id = ${input.flowId} and workspace_id = ${ctx.workspaceId} order by version desc`;
    const current = input.versionId ? versions.find((v) => v.id === input.versionId) : versions[0];
    if (!current) userError(new Error("flow version not found"));
    const [row] = await ctx.db.sql<{ definition: unknown }[]>`select definition from flow_versions where id = ${current!.id}`;
    const definition = parseFlowDefinition(row!.definition);
    const { problems } = await validateForWorkspace(ctx.db, ctx.workspaceId, definition);
    const trigger = findTrigger(definition);
    const webhookUrl =
      trigger?.def.trigger?.mode === "webhook" ? `${env.publicUrl}/api/webhooks/${flow!.id}/${trigger.node.id}` : null;
    return { flow: flow!, version: current!, versions, definition, problems, webhookUrl };
  }),

  create: workspaceProcedure
    .input(z.object({ name: z.string().trim().min(1, "give the flow a name").max(120), description: z.string().max(2000).optional() }))
    .mutation(async ({ ctx, input }) => {
      try {
        return await createFlow(ctx.db, ctx.workspaceId, { name: input.name, description: input.description, definition: emptyDefinition() });
      } catch (error) {
        userError(error);
      }
    }),

  update: workspaceProcedure
    .input(z.object({ flowId: id, name: z.string().trim().min(1).max(120).optional(), description: z.string().max(2000).optional() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.sql`
        update flows set name = coalesce(${input.name ?? null}, name), description = coalesce(${input.description ?? null}, description), updated_at = now()
        where id = ${input.flowId} and workspace_id = ${ctx.workspaceId}`;
      return { ok: true };
    }),

  delete: workspaceProcedure.input(z.object({ flowId: id })).mutation(async ({ ctx, input }) => {
    await deactivateFlow(ctx.db, ctx.workspaceId, input.flowId);
    await ctx.db.sql`delete from flows where id = ${input.flowId} and workspace_id = ${ctx.workspaceId}`;
    return { ok: true };
  }),

  validate: workspaceProcedure.input(z.object({ definition: z.unknown() })).mutation(async ({ ctx, input }) => {
    const { problems } = await validateForWorkspace(ctx.db, ctx.workspaceId, input.definition);
    return { problems };
  }),

  save: workspaceProcedure
    .input(z.object({ flowId: id, definition: z.unknown(), note: z.string().max(500).default("") }))
    .mutation(async ({ ctx, input }) => {
      try {
        return await saveVersion(ctx.db, ctx.workspaceId, input.flowId, input.definition, input.note);
      } catch (error) {
        userError(error);
      }
    }),

  diff: workspaceProcedure.input(z.object({ fromVersionId: id, toVersionId: id })).query(async ({ ctx, input }) => {
    const rows = await ctx.db.sql<{ id: string; definition: unknown }[]>`
      select id::text, definition from flow_versions where workspace_id = ${ctx.workspaceId} and id in (${input.fromVersionId}, ${input.toVersionId})`;
    const from = rows.find((r) => r.id === input.fromVersionId);
    const to = rows.find((r) => r.id === input.toVersionId);
    if (!from || !to) userError(new Error("flow version not found"));
    return diffFlows(parseFlowDefinition(from!.definition), parseFlowDefinition(to!.definition));
  }),

  activate: workspaceProcedure.input(z.object({ flowId: id, versionId: id.optional() })).mutation(async ({ ctx, input }) => {
    try {
      return await activateFlow(ctx.db, ctx.workspaceId, input.flowId, input.versionId);
    } catch (error) {
      userError(error);
    }
  }),

  deactivate: workspaceProcedure.input(z.object({ flowId: id })).mutation(async ({ ctx, input }) => {
    await deactivateFlow(ctx.db, ctx.workspaceId, input.flowId);
    return { ok: true };
  }),

  runNow: workspaceProcedure.input(z.object({ flowId: id, data: z.unknown().optional(), versionId: id.optional() })).mutation(async ({ ctx, input }) => {
    try {
      return { runId: await runNow(ctx.db, ctx.workspaceId, input.flowId, input.data, input.versionId) };
    } catch (error) {
      userError(error);
    }
  }),

  dryRun: workspaceProcedure.input(z.object({ flowId: id, data: z.unknown().optional(), versionId: id.optional() })).mutation(async ({ ctx, input }) => {
    try {
      return { runId: await dryRun(ctx.db, ctx.workspaceId, input.flowId, input.data, input.versionId) };
    } catch (error) {
      userError(error);
    }
  }),

  /** Runs per day by outcome, and per-node duration percentiles, over the last `days`. */
  stats: workspaceProcedure.input(z.object({ flowId: id, days: z.number().int().min(1).max(90).default(14) })).query(async ({ ctx, input }) => {
    const since = `${input.days} days`;
    const perDay = await ctx.db.sql<{ day: string; status: string; count: number }[]>`
      select to_char(date_trunc('day', created_at), 'YYYY-MM-DD') as day, status, count(*)::int as count
      from runs where workspace_id = ${ctx.workspaceId} and flow_id = ${input.flowId} and created_at > now() - ${since}::interval
        and trigger_kind <> 'dry_run'
      group by 1, 2 order by 1`;
    const perNode = await ctx.db.sql<{ nodeId: string; count: number; p50: number; p95: number; max: number }[]>`
      select n.node_id as "nodeId", count(*)::int as count,
             coalesce(percentile_cont(0.5) within group (order by n.duration_ms), 0)::int as p50,
             coalesce(percentile_cont(0.95) within group (order by n.duration_ms), 0)::int as p95,
             coalesce(max(n.duration_ms), 0)::int as max
      from node_runs n join runs r on r.id = n.run_id
      where r.workspace_id = ${ctx.workspaceId} and r.flow_id = ${input.flowId} and r.created_at > now() - ${since}::interval
        and n.duration_ms is not null
      group by n.node_id`;
    return { perDay, perNode };
  }),
});
