/**
 * Reading runs: filtered lists with keyset paging (fast at 100k runs), one run with its node runs,
 * progress of a set of runs, and everything that happened to one source record. Every query
 * filters by workspace.
 *
 * `detail: "summary"` is what a viewer sees: statuses, timings, node ids, HTTP methods, URL paths
 * and status codes, but no record data (run input, node inputs and outputs, HTTP bodies and headers,
 * log data, error bodies and details).
 */
import type { Db } from "../db/client";
import { parseFlowDefinition } from "./flow/schema";
import { keyCondition, runFilterConditions, type RunFilter } from "./run-filter";
import type { NodeRunStatus, RunErrorKind, RunStatus } from "./status";

export type RunDetail = "full" | "summary";

export interface RunListRow {
  id: string;
  flowId: string;
  flowName: string;
  status: RunStatus;
  triggerKind: string;
  recordKey: string;
  recordLabel: string | null;
  errorKind: RunErrorKind | null;
  errorMessage: string | null;
  failedNodeId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  parentRunId: string | null;
}

export interface RunCursor {
  createdAt: Date;
  id: string;
}

/** Counted up to this many matches: a list needs "10,000+", not more. */
export const RUN_COUNT_CAP = 10_000;
/**
 * A record-key search first reads this many of the newest runs (from the cursor) and keeps those
 * whose key matches: a key part thousands of runs share fills a page from them at once.
 */
export const KEY_SEARCH_WALK = 2_000;
/**
 * A key part that fills a page among the newest runs is counted first among this many of the
 * newest: reaching RUN_COUNT_CAP there settles "10,000+" by reading where the matches are, where
 * the (workspace_id, record_key) index would read past every key sorted before them (at 10
 * million runs, 1 million entries for the start of the newest keys).
 */
export const KEY_COUNT_WALK = 50_000;

const RUN_LIST_COLUMNS = `r.id::text, r.flow_id::text as "flowId", f.name as "flowName", r.status, r.trigger_kind as "triggerKind",
  r.record_key as "recordKey", r.record_label as "recordLabel", r.error_kind as "errorKind",
  r.error->>'message' as "errorMessage", r.failed_node_id as "failedNodeId", r.created_at as "createdAt",
  r.started_at as "startedAt", r.finished_at as "finishedAt", r.duration_ms as "durationMs", r.parent_run_id::text as "parentRunId"`;

/**
 * A page of runs, newest first, and on the first page how many match (at most RUN_COUNT_CAP + 1,
 * shown as "10,000+").
 *
 * A record-key search (`record_key ilike '%text%'`) reads the trigram index at most once: its
 * scan costs about the same whether one key matches or thousands (every key shares `INV`'s
 * trigrams), so the rows and the count come from one scan. The rows are first looked for among
 * the newest KEY_SEARCH_WALK runs (a bounded walk of runs_workspace_created): when a page's worth
 * match there they are the newest matches; otherwise every match is taken from the index and the
 * newest kept. A page found among the newest runs is counted among the newest KEY_COUNT_WALK
 * first, and over all runs only when the cap is not reached there.
 */
export async function listRuns(db: Db, workspaceId: string, filter: RunFilter, page: { limit: number; cursor?: RunCursor | null }) {
  const sql = db.sql;
  const where = sql`
    r.workspace_id = ${workspaceId}
    ${runFilterConditions(sql, filter)}`;
  const after = page.cursor ? sql`and (r.created_at, r.id) < (${page.cursor.createdAt}, ${page.cursor.id})` : sql``;
  const finish = (rows: RunListRow[], total: number | null) => {
    const runs = rows.slice(0, page.limit);
    const last = runs[runs.length - 1];
    return { runs, nextCursor: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null, total };
  };
  const countAll = async () =>
    page.cursor ? null : (await sql<{ n: number }[]>`select count(*)::int as n from (select 1 from runs r where ${where} limit ${RUN_COUNT_CAP + 1}) c`)[0]!.n;

  if (!filter.recordKey) {
    const rows = await sql<RunListRow[]>`
      select ${sql.unsafe(RUN_LIST_COLUMNS)}
      from runs r join flows f on f.id = r.flow_id and f.workspace_id = r.workspace_id
      where ${where} ${after}
      order by r.created_at desc, r.id desc
      limit ${page.limit + 1}`;
    return finish(rows, await countAll());
  }

  // The other conditions without the key: the walk applies the key to the runs it read.
  const { recordKey: _key, ...others } = filter;
  void _key;
  /** The `limit` newest runs (from the cursor) matching the other conditions: a walk of runs_workspace_created. */
  const newestRuns = (columns: string, limit: number) => sql`
    select ${sql.unsafe(columns)} from runs r
    where r.workspace_id = ${workspaceId} ${runFilterConditions(sql, others)} ${after}
    order by r.created_at desc, r.id desc
    limit ${limit}`;
  const walked = await sql<RunListRow[]>`
    select ${sql.unsafe(RUN_LIST_COLUMNS)}
    from (${newestRuns("r.*", KEY_SEARCH_WALK)}) r
    join flows f on f.id = r.flow_id and f.workspace_id = r.workspace_id
    where ${keyCondition(sql, filter.recordKey)}
    order by r.created_at desc, r.id desc
    limit ${page.limit + 1}`;
  if (walked.length > page.limit) {
    if (page.cursor) return finish(walked, null);
    const [newest] = await sql<{ n: number }[]>`
      select count(*)::int as n from (
        select 1 from (${newestRuns("r.record_key", KEY_COUNT_WALK)}) r
        where ${keyCondition(sql, filter.recordKey)}
        limit ${RUN_COUNT_CAP + 1}) c`;
    return finish(walked, newest!.n > RUN_COUNT_CAP ? newest!.n : await countAll());
  }

  // Fewer matches among the newest runs: all matches from the trigram index, once.
  const rows = await sql<(RunListRow & { matched: number })[]>`
    with matched as materialized (
      select r.id, r.created_at from runs r where ${where}
    ), newest as (
      select m.id from matched m
      ${page.cursor ? sql`where (m.created_at, m.id) < (${page.cursor.createdAt}, ${page.cursor.id})` : sql``}
      order by m.created_at desc, m.id desc limit ${page.limit + 1}
    )
    select ${sql.unsafe(RUN_LIST_COLUMNS)}, (select count(*) from (select 1 from matched limit ${RUN_COUNT_CAP + 1}) c)::int as matched
    from runs r join flows f on f.id = r.flow_id and f.workspace_id = r.workspace_id
    where r.workspace_id = ${workspaceId} and r.id in (select id from newest)
    order by r.created_at desc, r.id desc`;
  const total = page.cursor ? null : (rows[0]?.matched ?? 0);
  return finish(rows.map(({ matched: _m, ...row }) => (void _m, row)), total);
}

interface HttpCallShape {
  label?: string;
  method?: string;
  url?: string;
  status?: number;
  durationMs?: number;
  error?: string;
  at?: string;
}

/** What a viewer sees of a recorded HTTP call: no headers, no bodies, no query string. */
function summaryCall(call: unknown): HttpCallShape {
  const c = (call ?? {}) as HttpCallShape;
  // The query string can carry record values (an e-mail, a document number): the path only.
  return { label: c.label, method: c.method, url: c.url?.split("?")[0], status: c.status, durationMs: c.durationMs, error: c.error, at: c.at };
}

/** An error without the remote body or details (they quote record data). */
function summaryError(error: unknown): unknown {
  if (!error || typeof error !== "object") return error ?? null;
  const { body: _body, details: _details, ...rest } = error as Record<string, unknown>;
  void _body;
  void _details;
  return rest;
}

function summaryLogs(logs: unknown[]): unknown[] {
  return logs.map((line) => {
    const { data: _data, ...rest } = (line ?? {}) as Record<string, unknown>;
    void _data;
    return rest;
  });
}

export async function getRun(db: Db, workspaceId: string, runId: string, detail: RunDetail) {
  const sql = db.sql;
  const [run] = await sql<
    { id: string; flowId: string; flowName: string; flowVersionId: string; version: number; latestVersion: number; status: RunStatus; triggerKind: string; recordKey: string; recordVersion: string; recordLabel: string | null; input: unknown; error: unknown; errorKind: string | null; failedNodeId: string | null; parentRunId: string | null; replayFromNodeId: string | null; createdAt: Date; startedAt: Date | null; finishedAt: Date | null; durationMs: number | null; definition: unknown }[]
  >`
    select r.id::text, r.flow_id::text as "flowId", f.name as "flowName", r.flow_version_id::text as "flowVersionId", v.version,
           f.latest_version as "latestVersion", r.status, r.trigger_kind as "triggerKind", r.record_key as "recordKey",
           r.record_version as "recordVersion", r.record_label as "recordLabel", r.input, r.error, r.error_kind as "errorKind",
           r.failed_node_id as "failedNodeId", r.parent_run_id::text as "parentRunId", r.replay_from_node_id as "replayFromNodeId",
           r.created_at as "createdAt", r.started_at as "startedAt", r.finished_at as "finishedAt", r.duration_ms as "durationMs", v.definition
    from runs r join flows f on f.id = r.flow_id and f.workspace_id = r.workspace_id
         join flow_versions v on v.id = r.flow_version_id and v.workspace_id = r.workspace_id
    where r.id = ${runId} and r.workspace_id = ${workspaceId}`;
  if (!run) throw new Error("run not found");
  const nodeRuns = await sql<
    { nodeId: string; nodeType: string; status: NodeRunStatus; attempt: number; input: unknown; output: unknown; handle: string | null; httpCalls: unknown[]; logs: unknown[]; attempts: unknown[]; error: unknown; seq: number; startedAt: Date; finishedAt: Date | null; durationMs: number | null; nextAttemptAt: Date | null }[]
  >`
    select node_id as "nodeId", node_type as "nodeType", status, attempt, input, output, handle, http_calls as "httpCalls", logs,
           attempts, error, seq, started_at as "startedAt", finished_at as "finishedAt", duration_ms as "durationMs", next_attempt_at as "nextAttemptAt"
    from node_runs where run_id = ${runId} and workspace_id = ${workspaceId} order by seq`;
  const replays = await sql<{ id: string; status: string; createdAt: Date }[]>`
    select id::text, status, created_at as "createdAt" from runs where parent_run_id = ${runId} and workspace_id = ${workspaceId} order by created_at`;
  const reviews = await sql<{ id: string; status: string; reason: string; reasonCode: string; nodeId: string }[]>`
    select id::text, status, reason, reason_code as "reasonCode", node_id as "nodeId" from review_items where run_id = ${runId} and workspace_id = ${workspaceId}`;
  const { definition, ...rest } = run;
  const summary = detail === "summary";
  return {
    run: summary ? { ...rest, input: null, error: summaryError(rest.error) } : rest,
    definition: parseFlowDefinition(definition),
    nodeRuns: summary
      ? nodeRuns.map((n) => ({
          ...n,
          input: null,
          output: null,
          httpCalls: n.httpCalls.map(summaryCall),
          logs: summaryLogs(n.logs),
          attempts: n.attempts.map((a) => (a && typeof a === "object" ? { ...(a as Record<string, unknown>), error: summaryError((a as { error?: unknown }).error) } : a)),
          error: summaryError(n.error),
        }))
      : nodeRuns,
    replays,
    reviews,
    /** True when record data was left out for the caller's role. */
    redacted: summary,
  };
}

/** How many of a set of runs are in each status (bulk replay progress bar). */
export async function runProgress(db: Db, workspaceId: string, runIds: string[]) {
  if (runIds.length === 0) return { total: 0, byStatus: {} as Record<string, number> };
  const rows = await db.sql<{ status: string; n: number }[]>`
    select status, count(*)::int as n from runs where workspace_id = ${workspaceId} and id = any(${runIds}::uuid[]) group by status`;
  return { total: runIds.length, byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number> };
}

/** Everything that happened to one source record: its runs and audit events. */
export async function recordTrail(db: Db, workspaceId: string, recordKey: string, detail: RunDetail) {
  const runs = await db.sql<{ id: string; status: string; triggerKind: string; recordVersion: string; createdAt: Date; flowName: string }[]>`
    select r.id::text, r.status, r.trigger_kind as "triggerKind", r.record_version as "recordVersion", r.created_at as "createdAt", f.name as "flowName"
    from runs r join flows f on f.id = r.flow_id and f.workspace_id = r.workspace_id
    where r.workspace_id = ${workspaceId} and r.record_key = ${recordKey} order by r.created_at`;
  const events = await db.sql<{ at: Date; actor: string; action: string; runId: string | null; data: unknown }[]>`
    select at, actor, action, run_id::text as "runId", data from audit_events
    where workspace_id = ${workspaceId} and record_key = ${recordKey} order by at, id`;
  return { runs, events: detail === "summary" ? events.map((e) => ({ ...e, data: summaryError(e.data) })) : events };
}
