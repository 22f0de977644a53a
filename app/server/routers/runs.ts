/**
 * Runs: filtered lists with keyset paging (fast at 100k runs), one run with its node runs,
 * replays (single and bulk by filter) and the audit trail of a record.
 */
import { z } from "zod";
import { parseFlowDefinition } from "../../../engine/flow/schema";
import { bulkReplay, replayRun } from "../../../engine/runs";
import { router, userError, workspaceProcedure } from "../trpc";

const id = z.string().uuid();

export const runFilterSchema = z.object({
  flowId: id.optional(),
  status: z.array(z.enum(["queued", "running", "waiting", "succeeded", "failed", "needs_review", "skipped", "dry_run"])).optional(),
  triggerKind: z.string().optional(),
  errorKind: z.enum(["retryable", "permanent", "needs_review", "internal"]).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  recordKey: z.string().trim().max(200).optional(),
});

const replaySchema = z.object({ from: z.enum(["start", "failed"]).default("failed"), version: z.enum(["own", "latest"]).default("own") });

export const runsRouter = router({
  list: workspaceProcedure
    .input(
      runFilterSchema.extend({
        limit: z.number().int().min(1).max(200).default(50),
        /** Keyset cursor: the last row of the previous page. */
        cursor: z.object({ createdAt: z.date(), id }).nullish(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const sql = ctx.db.sql;
      const where = sql`
        r.workspace_id = ${ctx.workspaceId}
        ${input.flowId ? sql`and r.flow_id = ${input.flowId}` : sql``}
        ${input.status?.length ? sql`and r.status = any(${input.status})` : sql``}
        ${input.triggerKind ? sql`and r.trigger_kind = ${input.triggerKind}` : sql``}
        ${input.errorKind ? sql`and r.error_kind = ${input.errorKind}` : sql``}
        ${input.from ? sql`and r.created_at >= ${input.from}` : sql``}
        ${input.to ? sql`and r.created_at < ${input.to}` : sql``}
        ${input.recordKey ? sql`and r.record_key ilike ${`%${input.recordKey.replace(/[%_]/g, "\\$&")}%`}` : sql``}`;
      const rows = await sql<
        { id: string; flowId: string; flowName: string; status: string; triggerKind: string; recordKey: string; recordLabel: string | null; errorKind: string | null; errorMessage: string | null; failedNodeId: string | null; createdAt: Date; startedAt: Date | null; finishedAt: Date | null; durationMs: number | null; parentRunId: string | null }[]
      >`
        select r.id::text, r.flow_id::text as "flowId", f.name as "flowName", r.status, r.trigger_kind as "triggerKind",
               r.record_key as "recordKey", r.record_label as "recordLabel", r.error_kind as "errorKind",
               r.error->>'message' as "errorMessage", r.failed_node_id as "failedNodeId", r.created_at as "createdAt",
               r.started_at as "startedAt", r.finished_at as "finishedAt", r.duration_ms as "durationMs", r.parent_run_id::text as "parentRunId"
        from runs r join flows f on f.id = r.flow_id
        where ${where}
          ${input.cursor ? sql`and (r.created_at, r.id) < (${input.cursor.createdAt}, ${input.cursor.id})` : sql``}
        order by r.created_at desc, r.id desc
        limit ${input.limit + 1}`;
      const page = rows.slice(0, input.limit);
      const last = page[page.length - 1];
      // Counted on the first page only, and only up to 10,000: a list needs "10,000+", not more.
      const total = input.cursor
        ? null
        : (await sql<{ n: number }[]>`select count(*)::int as n from (select 1 from runs r where ${where} limit 10001) c`)[0]!.n;
      return { runs: page, nextCursor: rows.length > input.limit && last ? { createdAt: last.createdAt, id: last.id } : null, total };
    }),

  get: workspaceProcedure.input(z.object({ runId: id })).query(async ({ ctx, input }) => {
    const sql = ctx.db.sql;
    const [run] = await sql<
      { id: string; flowId: string; flowName: string; flowVersionId: string; version: number; latestVersion: number; status: string; triggerKind: string; recordKey: string; recordVersion: string; recordLabel: string | null; input: unknown; error: unknown; errorKind: string | null; failedNodeId: string | null; parentRunId: string | null; replayFromNodeId: string | null; createdAt: Date; startedAt: Date | null; finishedAt: Date | null; durationMs: number | null; definition: unknown }[]
    >`
      select r.id::text, r.flow_id::text as "flowId", f.name as "flowName", r.flow_version_id::text as "flowVersionId", v.version,
             f.latest_version as "latestVersion", r.status, r.trigger_kind as "triggerKind", r.record_key as "recordKey",
             r.record_version as "recordVersion", r.record_label as "recordLabel", r.input, r.error, r.error_kind as "errorKind",
             r.failed_node_id as "failedNodeId", r.parent_run_id::text as "parentRunId", r.replay_from_node_id as "replayFromNodeId",
             r.created_at as "createdAt", r.started_at as "startedAt", r.finished_at as "finishedAt", r.duration_ms as "durationMs", v.definition
      from runs r join flows f on f.id = r.flow_id join flow_versions v on v.id = r.flow_version_id
      where r.id = ${input.runId} and r.workspace_id = ${ctx.workspaceId}`;
    if (!run) userError(new Error("run not found"));
    const nodeRuns = await sql<
      { nodeId: string; nodeType: string; status: string; attempt: number; input: unknown; output: unknown; handle: string | null; httpCalls: unknown[]; logs: unknown[]; attempts: unknown[]; error: unknown; seq: number; startedAt: Date; finishedAt: Date | null; durationMs: number | null; nextAttemptAt: Date | null }[]
    >`
      select node_id as "nodeId", node_type as "nodeType", status, attempt, input, output, handle, http_calls as "httpCalls", logs,
             attempts, error, seq, started_at as "startedAt", finished_at as "finishedAt", duration_ms as "durationMs", next_attempt_at as "nextAttemptAt"
      from node_runs where run_id = ${input.runId} and workspace_id = ${ctx.workspaceId} order by seq`;
    const replays = await sql<{ id: string; status: string; createdAt: Date }[]>`
      select id::text, status, created_at as "createdAt" from runs where parent_run_id = ${input.runId} and workspace_id = ${ctx.workspaceId} order by created_at`;
    const reviews = await sql<{ id: string; status: string; reason: string; reasonCode: string; nodeId: string }[]>`
      select id::text, status, reason, reason_code as "reasonCode", node_id as "nodeId" from review_items where run_id = ${input.runId} and workspace_id = ${ctx.workspaceId}`;
    const { definition, ...rest } = run!;
    return { run: rest, definition: parseFlowDefinition(definition), nodeRuns, replays, reviews };
  }),

  replay: workspaceProcedure.input(replaySchema.extend({ runId: id })).mutation(async ({ ctx, input }) => {
    try {
      return { runId: await replayRun(ctx.db, ctx.workspaceId, input.runId, { from: input.from, version: input.version, actor: ctx.actor }) };
    } catch (error) {
      userError(error);
    }
  }),

  bulkReplay: workspaceProcedure.input(replaySchema.extend({ filter: runFilterSchema })).mutation(async ({ ctx, input }) => {
    const runIds = await bulkReplay(ctx.db, ctx.workspaceId, input.filter, { from: input.from, version: input.version, actor: ctx.actor });
    return { runIds };
  }),

  /** Progress of a set of runs (bulk replay progress bar). */
  progress: workspaceProcedure.input(z.object({ runIds: z.array(id).max(1000) })).query(async ({ ctx, input }) => {
    if (input.runIds.length === 0) return { total: 0, byStatus: {} as Record<string, number> };
    const rows = await ctx.db.sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from runs where workspace_id = ${ctx.workspaceId} and id = any(${input.runIds}::uuid[]) group by status`;
    return { total: input.runIds.length, byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])) };
  }),

  /** Everything that happened to one source record: its runs and audit events. */
  record: workspaceProcedure.input(z.object({ recordKey: z.string().min(1) })).query(async ({ ctx, input }) => {
    const runs = await ctx.db.sql<{ id: string; status: string; triggerKind: string; recordVersion: string; createdAt: Date; flowName: string }[]>`
      select r.id::text, r.status, r.trigger_kind as "triggerKind", r.record_version as "recordVersion", r.created_at as "createdAt", f.name as "flowName"
      from runs r join flows f on f.id = r.flow_id
      where r.workspace_id = ${ctx.workspaceId} and r.record_key = ${input.recordKey} order by r.created_at`;
    const events = await ctx.db.sql<{ at: Date; actor: string; action: string; runId: string | null; data: unknown }[]>`
      select at, actor, action, run_id::text as "runId", data from audit_events
      where workspace_id = ${ctx.workspaceId} and record_key = ${input.recordKey} order by at`;
    return { runs, events };
  }),
});
