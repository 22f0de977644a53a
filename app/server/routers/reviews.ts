/**
 * The review queue: runs parked for a person, grouped by reason; resolve (replays the run from the
 * start on the latest version) or dismiss.
 *
 * Roles: viewers see the queue without record details; operators resolve and dismiss.
 */
import { z } from "zod";
import { listReviews, reviewGroups } from "../../../engine/reviews";
import { dismissReviews, resolveReview } from "../../../engine/runs";
import { reviewStatusSchema } from "../../../engine/status";
import { actorOf, detailFor } from "../procedure";
import { operatorProcedure, router, userError, viewerProcedure } from "../trpc";

const id = z.string().uuid();
const ids = z.object({ ids: z.array(id).min(1).max(500) });

export const reviewsRouter = router({
  list: viewerProcedure
    .input(z.object({ status: reviewStatusSchema.default("open"), reasonCode: z.string().max(100).optional(), flowId: id.optional(), limit: z.number().int().min(1).max(500).default(200) }))
    .query(({ ctx, input }) => listReviews(ctx.db, ctx.workspaceId, input, detailFor(ctx))),

  groups: viewerProcedure.query(({ ctx }) => reviewGroups(ctx.db, ctx.workspaceId)),

  resolve: operatorProcedure.input(ids).mutation(async ({ ctx, input }) => {
    const replays: string[] = [];
    const errors: { id: string; message: string }[] = [];
    for (const reviewId of input.ids) {
      try {
        replays.push(await resolveReview(ctx.db, ctx.workspaceId, reviewId, actorOf(ctx)));
      } catch (error) {
        errors.push({ id: reviewId, message: (error as Error).message });
      }
    }
    if (replays.length === 0 && errors.length > 0) userError(new Error(errors[0]!.message));
    return { replayRunIds: replays, errors };
  }),

  dismiss: operatorProcedure.input(ids).mutation(async ({ ctx, input }) => ({ ok: true, dismissed: await dismissReviews(ctx.db, ctx.workspaceId, input.ids, actorOf(ctx)) })),
});
