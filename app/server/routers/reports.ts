/**
 * Reconciliation reports: which flows can be reconciled, the daily summaries (chart), one day's
 * documents and gaps, building a report now, and replaying a gap or every gap of a kind.
 * Reading is for viewers; building and replaying for operators.
 */
import { z } from "zod";
import { recordAudit } from "../../../engine/audit";
import { actorOf, attempt } from "../procedure";
import { reconcilableFlows, reportHistory, storedReport } from "../../../engine/reports/queries";
import { REPLAYABLE_GAP_KINDS, runReport } from "../../../engine/reports/reconcile";
import { replayGap, replayGapKind } from "../../../engine/reports/replay";
import { operatorProcedure, router, viewerProcedure } from "../trpc";

const id = z.string().uuid();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day as YYYY-MM-DD");

export const reportsRouter = router({
  flows: viewerProcedure.query(({ ctx }) => reconcilableFlows(ctx.db, ctx.workspaceId)),

  history: viewerProcedure
    .input(z.object({ flowId: id, days: z.number().int().min(1).max(366).default(30) }))
    .query(({ ctx, input }) => reportHistory(ctx.db, ctx.workspaceId, input.flowId, input.days)),

  get: viewerProcedure.input(z.object({ flowId: id, day })).query(({ ctx, input }) => storedReport(ctx.db, ctx.workspaceId, input.flowId, input.day)),

  run: operatorProcedure.input(z.object({ flowId: id, day })).mutation(async ({ ctx, input }) => {
    const report = await attempt(runReport(ctx.db, ctx.workspaceId, input.flowId, input.day));
    return { summary: report.summary };
  }),

  replay: operatorProcedure.input(z.object({ flowId: id, day, document: z.string().min(1).max(200) })).mutation(async ({ ctx, input }) => {
    const actor = actorOf(ctx);
    const runId = await attempt(replayGap(ctx.db, ctx.workspaceId, input.flowId, input.day, input.document, { actor }));
    await recordAudit(ctx.db.sql, ctx.workspaceId, actor, { action: "reconciliation.replayed", entityType: "flow", entityId: input.flowId, runId, data: { day: input.day, document: input.document } });
    return { runId };
  }),

  replayKind: operatorProcedure.input(z.object({ flowId: id, day, kind: z.enum(REPLAYABLE_GAP_KINDS) })).mutation(async ({ ctx, input }) => {
    const actor = actorOf(ctx);
    const result = await attempt(replayGapKind(ctx.db, ctx.workspaceId, input.flowId, input.day, input.kind, { actor }));
    await recordAudit(ctx.db.sql, ctx.workspaceId, actor, { action: "reconciliation.replayed_kind", entityType: "flow", entityId: input.flowId, data: { day: input.day, kind: input.kind, runs: result.runIds.length } });
    return result;
  }),
});
