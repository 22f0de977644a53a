/**
 * Poll checkpoints (engine/checkpoints.ts): what a poll trigger has read (viewer) and
 * "Reprocess since <date>", which moves its cursor back (operator, like a replay).
 */
import { z } from "zod";
import { describeCheckpoint, reprocessSince } from "../../../engine/checkpoints";
import { actorOf, attempt } from "../procedure";
import { operatorProcedure, router, viewerProcedure } from "../trpc";

const flow = z.object({ flowId: z.string().uuid() });

export const checkpointsRouter = router({
  get: viewerProcedure.input(flow).query(({ ctx, input }) => attempt(describeCheckpoint(ctx.db, ctx.workspaceId, input.flowId))),
  reprocessSince: operatorProcedure
    .input(flow.extend({ since: z.coerce.date() }))
    .mutation(({ ctx, input }) => attempt(reprocessSince(ctx.db, ctx.workspaceId, input.flowId, input.since, actorOf(ctx)))),
});
