/**
 * The review queue: runs parked for a person, grouped by reason; resolve (replays the run from the
 * parked node) or dismiss.
 */
import { z } from "zod";
import { resolveReview } from "../../../engine/runs";
import { router, userError, workspaceProcedure } from "../trpc";

const id = z.string().uuid();

export const reviewsRouter = router({
  list: workspaceProcedure
    .input(z.object({ status: z.enum(["open", "resolved", "dismissed"]).default("open"), reasonCode: z.string().optional(), flowId: id.optional(), limit: z.number().int().min(1).max(500).default(200) }))
    .query(async ({ ctx, input }) => {
      const sql = ctx.db.sql;
      return sql<{ id: string; runId: string; flowId: string; flowName: string; nodeId: string; reasonCode: string; reason: string; details: unknown; status: string; createdAt: Date; recordKey: string; recordLabel: string | null; replayRunId: string | null }[]>`
        select i.id::text, i.run_id::text as "runId", i.flow_id::text as "flowId", f.name as "flowName", i.node_id as "nodeId",
               i.reason_code as "reasonCode", i.reason, i.details, i.status, i.created_at as "createdAt", r.record_key as "recordKey",
               r.record_label as "recordLabel", i.replay_run_id::text as "replayRunId"
        from review_items i join runs r on r.id = i.run_id join flows f on f.id = i.flow_id
        where i.workspace_id = ${ctx.workspaceId} and i.status = ${input.status}
          ${input.reasonCode ? sql`and i.reason_code = ${input.reasonCode}` : sql``}
          ${input.flowId ? sql`and i.flow_id = ${input.flowId}` : sql``}
        order by i.created_at desc limit ${input.limit}`;
    }),

  groups: workspaceProcedure.query(async ({ ctx }) => {
    return ctx.db.sql<{ reasonCode: string; count: number; oldest: Date; example: string }[]>`
      select reason_code as "reasonCode", count(*)::int as count, min(created_at) as oldest, min(reason) as example
      from review_items where workspace_id = ${ctx.workspaceId} and status = 'open' group by reason_code order by count desc`;
  }),

  resolve: workspaceProcedure.input(z.object({ ids: z.array(id).min(1).max(500) })).mutation(async ({ ctx, input }) => {
    const replays: string[] = [];
    const errors: { id: string; message: string }[] = [];
    for (const reviewId of input.ids) {
      try {
        replays.push(await resolveReview(ctx.db, ctx.workspaceId, reviewId, ctx.actor));
      } catch (error) {
        errors.push({ id: reviewId, message: (error as Error).message });
      }
    }
    if (replays.length === 0 && errors.length > 0) userError(new Error(errors[0]!.message));
    return { replayRunIds: replays, errors };
  }),

  dismiss: workspaceProcedure.input(z.object({ ids: z.array(id).min(1).max(500) })).mutation(async ({ ctx, input }) => {
    await ctx.db.sql`
      update review_items set status = 'dismissed', resolved_at = now()
      where workspace_id = ${ctx.workspaceId} and id = any(${input.ids}::uuid[]) and status = 'open'`;
    return { ok: true };
  }),
});
