/**
 * Runs: filtered lists with keyset paging (fast at 100k runs), one run with its node runs,
 * replays (single and bulk by filter) and the audit trail of a record.
 *
 * Roles: viewers read runs without record data (inputs, outputs, HTTP bodies); operators see
 * everything and replay.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { roleAtLeast } from "../../../engine/auth/roles";
import { getRun, listRuns, recordTrail, runProgress } from "../../../engine/run-queries";
import { payloadFilterSchema } from "../../../engine/run-filter";
import { bulkReplay, replayRun } from "../../../engine/runs";
import { runErrorKindSchema, runStatusSchema } from "../../../engine/status";
import { actorOf, attempt, detailFor } from "../procedure";
import { operatorProcedure, router, viewerProcedure } from "../trpc";

const id = z.string().uuid();

export const runFilterSchema = z.object({
  flowId: id.optional(),
  status: z.array(runStatusSchema).optional(),
  triggerKind: z.string().max(40).optional(),
  errorKind: runErrorKindSchema.optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  recordKey: z.string().trim().max(200).optional(),
  /** A field of the trigger record (`customer.id`, `lines[0].sku`) equals a value; answered from an index. */
  payload: payloadFilterSchema.optional(),
});

const replaySchema = z.object({ from: z.enum(["start", "failed"]).default("failed"), version: z.enum(["own", "latest"]).default("own") });

export const runsRouter = router({
  list: viewerProcedure
    .input(
      runFilterSchema.extend({
        limit: z.number().int().min(1).max(200).default(50),
        /** Keyset cursor: the last row of the previous page. */
        cursor: z.object({ createdAt: z.date(), id }).nullish(),
      }),
    )
    .query(({ ctx, input }) => {
      const { limit, cursor, ...filter } = input;
      // Why: a match on a field's value tells its value; viewers see runs without record data.
      if (filter.payload && !roleAtLeast(ctx.role, "operator")) {
        throw new TRPCError({ code: "FORBIDDEN", message: "Searching by a field of the record needs the operator role or higher: viewers see runs without record data." });
      }
      return listRuns(ctx.db, ctx.workspaceId, filter, { limit, cursor });
    }),

  get: viewerProcedure.input(z.object({ runId: id })).query(({ ctx, input }) => attempt(getRun(ctx.db, ctx.workspaceId, input.runId, detailFor(ctx)))),

  replay: operatorProcedure.input(replaySchema.extend({ runId: id })).mutation(async ({ ctx, input }) => ({
    runId: await attempt(replayRun(ctx.db, ctx.workspaceId, input.runId, { from: input.from, version: input.version, actor: actorOf(ctx) })),
  })),

  bulkReplay: operatorProcedure.input(replaySchema.extend({ filter: runFilterSchema })).mutation(async ({ ctx, input }) => ({
    runIds: await attempt(bulkReplay(ctx.db, ctx.workspaceId, input.filter, { from: input.from, version: input.version, actor: actorOf(ctx) })),
  })),

  /** Progress of a set of runs (bulk replay progress bar). */
  progress: viewerProcedure.input(z.object({ runIds: z.array(id).max(1000) })).query(({ ctx, input }) => runProgress(ctx.db, ctx.workspaceId, input.runIds)),

  /** Everything that happened to one source record: its runs and audit events. */
  record: viewerProcedure
    .input(z.object({ recordKey: z.string().min(1).max(500) }))
    .query(({ ctx, input }) => recordTrail(ctx.db, ctx.workspaceId, input.recordKey, detailFor(ctx))),
});
