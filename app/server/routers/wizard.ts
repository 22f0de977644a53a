/**
 * The template wizard's steps 3-5 on a flow made from a template: the mapping tables checked
 * against the connected systems' live values, the schedule, and the dry run of recent documents.
 *
 * Roles: operators check mappings and dry-run (both read record data from the systems, like Run
 * now); viewers see the schedule; editors set it. Rows are mapped with lookups.upsertRow.
 */
import { z } from "zod";
import { dryRunRecentDocuments, MAX_DRY_RUN_DOCUMENTS } from "../../../engine/dry-run-documents";
import { describeSchedule, scheduleInputSchema, setSchedule } from "../../../engine/flow-schedule";
import { checkTemplateMappings } from "../../../engine/templates/mapping-check";
import { actorOf, attempt } from "../procedure";
import { editorProcedure, operatorProcedure, router, viewerProcedure } from "../trpc";

const flow = z.object({ flowId: z.string().uuid() });

export const wizardRouter = router({
  /** Per mapping table: live keys without a row, mapped values the system does not have, and each column's live values. */
  mappingCheck: operatorProcedure.input(flow).query(({ ctx, input }) => attempt(checkTemplateMappings(ctx.db, ctx.workspaceId, input.flowId))),

  schedule: viewerProcedure.input(flow).query(({ ctx, input }) => attempt(describeSchedule(ctx.db, ctx.workspaceId, input.flowId))),

  /** An interval or a five-field cron (UTC), checked, saved as a new version of the flow (audited). */
  setSchedule: editorProcedure
    .input(flow.extend({ schedule: scheduleInputSchema }))
    .mutation(({ ctx, input }) => attempt(setSchedule(ctx.db, ctx.workspaceId, input.flowId, input.schedule, actorOf(ctx)))),

  /** Dry-run the trigger's N most recent source documents; each dry run is audited; nothing is posted. */
  dryRunRecent: operatorProcedure
    .input(flow.extend({ count: z.number().int().min(1).max(MAX_DRY_RUN_DOCUMENTS).default(3), versionId: z.string().uuid().optional() }))
    .mutation(({ ctx, input }) => attempt(dryRunRecentDocuments(ctx.db, ctx.workspaceId, input.flowId, { count: input.count, versionId: input.versionId, actor: actorOf(ctx) }))),
});
