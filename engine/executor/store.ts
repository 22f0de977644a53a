/**
 * Persistence of a run's progress: the checkpoint rows the executor writes before moving on.
 */
import { jsonb, type Db } from "../../db/client";
import type { SerializedError } from "../../connectors/sdk";
import type { HttpCallRecord } from "../../connectors/sdk";
import { parseFlowDefinition, type FlowDefinition } from "../flow/schema";

export type RunStatus = "queued" | "running" | "waiting" | "succeeded" | "failed" | "needs_review" | "skipped" | "dry_run";
export type NodeRunStatus = "running" | "succeeded" | "already_done" | "failed" | "needs_review" | "skipped" | "retrying" | "dry_run";

export const TERMINAL_RUN_STATUSES: RunStatus[] = ["succeeded", "failed", "needs_review", "skipped", "dry_run"];

export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  durationMs: number;
  error?: SerializedError;
  /** Wait before the next attempt (backoff or Retry-After). */
  delayMs?: number;
}

export interface LogRecord {
  level: "info" | "warn" | "error";
  message: string;
  data?: unknown;
  at: string;
}

export interface NodeRunRow {
  nodeId: string;
  nodeType: string;
  status: NodeRunStatus;
  attempt: number;
  input: unknown;
  output: unknown;
  handle: string | null;
  httpCalls: HttpCallRecord[];
  logs: LogRecord[];
  attempts: AttemptRecord[];
  error: SerializedError | null;
  seq: number;
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  nextAttemptAt: Date | null;
}

export interface RunRow {
  id: string;
  workspaceId: string;
  flowId: string;
  flowVersionId: string;
  triggerKind: string;
  recordKey: string;
  input: unknown;
  status: RunStatus;
  startedAt: Date | null;
}

const versionCache = new Map<string, FlowDefinition>();

/** Flow versions are immutable: parse each once per process. */
export async function loadVersion(db: Db, versionId: string): Promise<FlowDefinition> {
  const cached = versionCache.get(versionId);
  if (cached) return cached;
  const [row] = await db.sql<{ definition: unknown }[]>`select definition from flow_versions where id = ${versionId}`;
  if (!row) throw new Error(`flow version ${versionId} not found`);
  const flow = parseFlowDefinition(row.definition);
  if (versionCache.size > 1000) versionCache.clear();
  versionCache.set(versionId, flow);
  return flow;
}

export async function loadRun(db: Db, runId: string): Promise<{ run: RunRow; nodeRuns: Map<string, NodeRunRow> } | undefined> {
  const sql = db.sql;
  const [run] = await sql<RunRow[]>`
    select id::text, workspace_id::text as "workspaceId", flow_id::text as "flowId", flow_version_id::text as "flowVersionId",
           trigger_kind as "triggerKind", record_key as "recordKey", input, status, started_at as "startedAt"
    from runs where id = ${runId}`;
  if (!run) return undefined;
  const rows = await sql<NodeRunRow[]>`
    select node_id as "nodeId", node_type as "nodeType", status, attempt, input, output, handle,
           http_calls as "httpCalls", logs, attempts, error, seq, started_at as "startedAt",
           finished_at as "finishedAt", duration_ms as "durationMs", next_attempt_at as "nextAttemptAt"
    from node_runs where run_id = ${runId}`;
  return { run, nodeRuns: new Map(rows.map((r) => [r.nodeId, r])) };
}

export async function markRunStarted(db: Db, run: RunRow): Promise<void> {
  await db.sql`
    update runs set status = 'running', started_at = coalesce(started_at, now())
    where id = ${run.id} and workspace_id = ${run.workspaceId}`;
}

export async function saveNodeRun(db: Db, run: RunRow, row: NodeRunRow): Promise<void> {
  const sql = db.sql;
  await sql`
    insert into node_runs (workspace_id, run_id, node_id, node_type, status, attempt, input, output, handle, http_calls, logs,
                           attempts, error, seq, started_at, finished_at, duration_ms, next_attempt_at)
    values (${run.workspaceId}, ${run.id}, ${row.nodeId}, ${row.nodeType}, ${row.status}, ${row.attempt}, ${jsonb(row.input)}::text::jsonb,
            ${jsonb(row.output)}::text::jsonb, ${row.handle}, ${jsonb(row.httpCalls)}::text::jsonb, ${jsonb(row.logs)}::text::jsonb, ${jsonb(row.attempts)}::text::jsonb, ${jsonb(row.error)}::text::jsonb,
            ${row.seq}, ${row.startedAt}, ${row.finishedAt}, ${row.durationMs}, ${row.nextAttemptAt})
    on conflict (run_id, node_id) do update set
      status = excluded.status, attempt = excluded.attempt, input = excluded.input, output = excluded.output,
      handle = excluded.handle, http_calls = excluded.http_calls, logs = excluded.logs, attempts = excluded.attempts,
      error = excluded.error, seq = excluded.seq, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
      next_attempt_at = excluded.next_attempt_at`;
}

export interface RunOutcome {
  status: RunStatus;
  error?: SerializedError | null;
  failedNodeId?: string | null;
}

export async function finishRun(db: Db, run: RunRow, outcome: RunOutcome): Promise<void> {
  const sql = db.sql;
  const errorKind = outcome.error?.kind ?? null;
  await sql.begin(async (tx) => {
    await tx`
      update runs set status = ${outcome.status}, error = ${jsonb((outcome.error ?? null))}::text::jsonb, error_kind = ${errorKind},
             failed_node_id = ${outcome.failedNodeId ?? null}, finished_at = now(),
             duration_ms = (extract(epoch from (now() - coalesce(started_at, created_at))) * 1000)::int
      where id = ${run.id} and workspace_id = ${run.workspaceId}`;
    if (outcome.status === "needs_review" && outcome.error && outcome.failedNodeId) {
      await tx`
        insert into review_items (workspace_id, run_id, flow_id, node_id, reason_code, reason, details)
        values (${run.workspaceId}, ${run.id}, ${run.flowId}, ${outcome.failedNodeId},
                ${outcome.error.reasonCode ?? "needs_review"}, ${outcome.error.message}, ${jsonb((outcome.error.details ?? null))}::text::jsonb)`;
    }
    await tx`
      insert into audit_events (workspace_id, actor, action, entity_type, entity_id, run_id, record_key, data)
      values (${run.workspaceId}, 'engine', ${`run.${outcome.status}`}, 'run', ${run.id}, ${run.id}, ${run.recordKey},
              ${jsonb({ flowId: run.flowId, failedNodeId: outcome.failedNodeId ?? null, error: outcome.error?.message ?? null })}::text::jsonb)`;
  });
}

export async function markRunWaiting(db: Db, run: RunRow): Promise<void> {
  await db.sql`update runs set status = 'waiting' where id = ${run.id} and workspace_id = ${run.workspaceId}`;
}

export async function lookupRow(
  db: Db,
  workspaceId: string,
  tableId: string,
  key: string,
): Promise<{ key: string; values: Record<string, string> } | undefined> {
  // An expression may pass anything as a table id; only a uuid can name a table.
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tableId)) return undefined;
  const [row] = await db.sql<{ key: string; values: Record<string, string> }[]>`
    select key, values from lookup_rows where workspace_id = ${workspaceId} and table_id = ${tableId} and key = ${key}`;
  return row;
}
