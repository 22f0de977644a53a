/**
 * What "Run now" asks for (engine/run-input.ts): the trigger's input schema with sample data, the
 * recent source documents of a poll trigger (record data: operator and above, like Run now
 * itself), and the check a record passes before flows.runNow starts it.
 */
import { z } from "zod";
import { checkRunInput, describeRunInput, recentSourceRecords } from "../../../engine/run-input";
import { attempt } from "../procedure";
import { operatorProcedure, router } from "../trpc";

const flow = z.object({ flowId: z.string().uuid() });

export const runInputRouter = router({
  describe: operatorProcedure.input(flow).query(({ ctx, input }) => attempt(describeRunInput(ctx.db, ctx.workspaceId, input.flowId))),
  recent: operatorProcedure
    .input(flow.extend({ limit: z.number().int().min(1).max(100).default(25) }))
    .query(({ ctx, input }) => attempt(recentSourceRecords(ctx.db, ctx.workspaceId, input.flowId, input.limit))),
  check: operatorProcedure
    .input(flow.extend({ data: z.unknown() }))
    .mutation(async ({ ctx, input }) => ({ issues: await attempt(checkRunInput(ctx.db, ctx.workspaceId, input.flowId, input.data)) })),
});
