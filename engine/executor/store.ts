/**
 * Persistence of a run's progress: the checkpoint rows the executor writes before moving on.
 * Every write here is fenced by the run's lease (see ./lease.ts).
 */
import { jsonb, lazyCommit, type Db } from "../../db/client";
import type { SerializedError } from "../../connectors/sdk";
import type { HttpCallRecord } from "../../connectors/sdk";
import { performance } from "node:perf_hooks";
import { parseFlowDefinition, type FlowDefinition } from "../flow/schema";
import { DEFAULT_LEASE_MS, Lease, type RunLeaseRef } from "./lease";
import { mappingVersionOf } from "./mapping-rows";

// The status vocabulary is declared once, in ../status.ts.
export { TERMINAL_RUN_STATUSES, type NodeRunStatus, type RunStatus } from "../status";
import { PARKED_RUN_STATUSES, TERMINAL_RUN_STATUSES, type NodeRunStatus, type RunStatus } from "../status";

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
  /** The workspace's mapping version when this claim was made (./mapping-rows.ts). */
  mappingVersion: string;
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

export type StartedRun =
  | { run: RunRow; lease: Lease; nodeRuns: Map<string, NodeRunRow> }
  /** The run already ended (a duplicate job). */
  | { terminal: RunStatus }
  /** Another executor holds the run under a live lease: try again once it has expired. */
  | { busyUntil: Date };

/**
 * Claim a run for execution in one round trip: mark it running under a new lease (fencing token)
 * and read it with its checkpoints. A run that is running under a lease that has not expired is
 * not claimed: its holder is alive (or paused, and then its lease runs out).
 */
export async function startRun(db: Db, runId: string, options: { owner?: string; ttlMs?: number } = {}): Promise<StartedRun | undefined> {
  const sql = db.sql;
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_MS;
  type StoredNodeRun = Omit<NodeRunRow, "startedAt" | "finishedAt" | "nextAttemptAt"> & {
    startedAt: string;
    finishedAt: string | null;
    nextAttemptAt: string | null;
  };
  const sent = performance.now();
  const [row] = await sql<(RunRow & { leaseToken: string; nodeRuns: StoredNodeRun[] })[]>`
    update runs set status = 'running', started_at = coalesce(started_at, now()),
           lease_token = gen_random_uuid(), lease_owner = ${options.owner ?? null},
           lease_expires_at = now() + ${`${ttlMs} milliseconds`}::interval
    where id = ${runId} and status <> all(${[...TERMINAL_RUN_STATUSES, ...PARKED_RUN_STATUSES]}::text[])
      and (status <> 'running' or lease_expires_at is null or lease_expires_at <= now())
      and ${lazyCommit(sql)}
    returning id::text, workspace_id::text as "workspaceId", flow_id::text as "flowId", flow_version_id::text as "flowVersionId",
              trigger_kind as "triggerKind", record_key as "recordKey", input, status, started_at as "startedAt",
              lease_token::text as "leaseToken", ${mappingVersionOf(sql, sql.unsafe("runs.workspace_id"))} as "mappingVersion",
              (select coalesce(json_agg(json_build_object(
                 'nodeId', n.node_id, 'nodeType', n.node_type, 'status', n.status, 'attempt', n.attempt, 'input', n.input,
                 'output', n.output, 'handle', n.handle, 'httpCalls', n.http_calls, 'logs', n.logs, 'attempts', n.attempts,
                 'error', n.error, 'seq', n.seq, 'startedAt', n.started_at, 'finishedAt', n.finished_at,
                 'durationMs', n.duration_ms, 'nextAttemptAt', n.next_attempt_at)), '[]'::json)
               from node_runs n where n.run_id = ${runId}) as "nodeRuns"`;
  if (!row) {
    const [other] = await sql<{ status: RunStatus; lease_expires_at: Date | null }[]>`select status, lease_expires_at from runs where id = ${runId}`;
    if (!other) return undefined;
    // A parked run (awaiting approval) ends its job too: the approval enqueues it again.
    if (TERMINAL_RUN_STATUSES.includes(other.status) || PARKED_RUN_STATUSES.includes(other.status)) return { terminal: other.status };
    return { busyUntil: other.lease_expires_at ?? new Date() };
  }
  const { nodeRuns, leaseToken, ...run } = row;
  const date = (v: string | null) => (v === null ? null : new Date(v));
  return {
    run,
    lease: new Lease(db, run.id, leaseToken, ttlMs, sent),
    nodeRuns: new Map(
      nodeRuns.map((n) => [n.nodeId, { ...n, startedAt: new Date(n.startedAt), finishedAt: date(n.finishedAt), nextAttemptAt: date(n.nextAttemptAt) }]),
    ),
  };
}

/*
 * Why the claim and the end of a run commit lazily (`lazyCommit`), and no other statement of a
 * run: a commit that is lost in a database crash takes with it only what came after the last
 * durable commit. Before anything leaves the building, a durable commit happens: a write node's
 * idempotency key is recorded (engine/ledger.ts) before the write is sent, and a run's job is
 * completed by graphile-worker after the run ended. So a crash can only take back a claim nobody acted on (the
 * run is claimed again; the lost lease token fences the old executor out) or an end whose job is
 * still there (the run is executed again: transforms recompute, writes find their keys). Webhook
 * intake, ledger keys, write checkpoints and everything a user saves stay durable on commit.
 */

/*
 * Why the statements of a claimed run find it by id and lease token only, never by workspace too:
 * the token already names this claim of this run, and `workspace_id = ...` gave the planner a
 * second path. Planned while the runs table was small and growing (a burst of webhook deliveries),
 * the end of a run went through runs_workspace_flow_created and read every run of the workspace to
 * find one: 2,300 index entries per run, 3.5-4.6 ms of PostgreSQL time per end in bench:webhook.
 */

/** SQL condition: this claim still holds the run (token current, lease not expired). */
function held(sql: Db["sql"], lease: RunLeaseRef) {
  return sql`exists (select 1 from runs l where l.id = ${lease.runId} and l.lease_token = ${lease.token} and l.lease_expires_at > now())`;
}

/**
 * Node runs as one jsonb parameter (jsonb_to_recordset): any number of checkpoints in one
 * statement. Absent values are JSON null, as a single row's parameters were.
 */
function nodeRunRecords(rows: NodeRunRow[]): string {
  return jsonb(
    rows.map((r) => ({
      node_id: r.nodeId,
      node_type: r.nodeType,
      status: r.status,
      attempt: r.attempt,
      input: r.input ?? null,
      output: r.output ?? null,
      handle: r.handle,
      http_calls: r.httpCalls,
      logs: r.logs,
      attempts: r.attempts,
      error: r.error ?? null,
      seq: r.seq,
      started_at: r.startedAt,
      finished_at: r.finishedAt,
      duration_ms: r.durationMs,
      next_attempt_at: r.nextAttemptAt,
    })),
  );
}

/** The insert of node runs, for a statement whose `gate` (a lease check, or a CTE of it) says they may be written. */
function insertNodeRuns(sql: Db["sql"], run: RunRow, rows: NodeRunRow[], gate: ReturnType<typeof held>) {
  return sql`
    insert into node_runs (workspace_id, run_id, node_id, node_type, status, attempt, input, output, handle, http_calls, logs,
                           attempts, error, seq, started_at, finished_at, duration_ms, next_attempt_at)
    select ${run.workspaceId}, ${run.id}, r.node_id, r.node_type, r.status, r.attempt, coalesce(r.input, 'null'), coalesce(r.output, 'null'),
           r.handle, r.http_calls, r.logs, r.attempts, coalesce(r.error, 'null'), r.seq, r.started_at, r.finished_at, r.duration_ms, r.next_attempt_at
    from jsonb_to_recordset(${nodeRunRecords(rows)}::text::jsonb) as r(node_id text, node_type text, status text, attempt int, input jsonb,
         output jsonb, handle text, http_calls jsonb, logs jsonb, attempts jsonb, error jsonb, seq int, started_at timestamptz,
         finished_at timestamptz, duration_ms int, next_attempt_at timestamptz)
    where ${gate}
    on conflict (run_id, node_id) do update set
      status = excluded.status, attempt = excluded.attempt, input = excluded.input, output = excluded.output,
      handle = excluded.handle, http_calls = excluded.http_calls, logs = excluded.logs, attempts = excluded.attempts,
      error = excluded.error, seq = excluded.seq, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
      next_attempt_at = excluded.next_attempt_at
    returning 1`;
}

/** Persist node checkpoints in one statement; refused (LeaseLostError) unless `lease` still holds the run. */
export async function saveNodeRuns(db: Db, run: RunRow, lease: Lease, rows: NodeRunRow[]): Promise<void> {
  if (rows.length === 0) return;
  const saved = await insertNodeRuns(db.sql, run, rows, held(db.sql, lease));
  if (saved.length !== rows.length) throw lease.markLost();
}

/** Persist a node's checkpoint; refused (LeaseLostError) unless `lease` still holds the run. */
export async function saveNodeRun(db: Db, run: RunRow, lease: Lease, row: NodeRunRow): Promise<void> {
  await saveNodeRuns(db, run, lease, [row]);
}

export interface RunOutcome {
  status: RunStatus;
  error?: SerializedError | null;
  failedNodeId?: string | null;
}

/**
 * End a run in one statement: the run row, its review item when it needs one, its audit event, and
 * the checkpoints of nodes that were not saved on their own (`pending`: read and transform nodes).
 */
export async function finishRun(db: Db, run: RunRow, lease: Lease, outcome: RunOutcome, pending: NodeRunRow[] = []): Promise<void> {
  const error = outcome.error ?? null;
  // A dry run that would wait for review says so on its run; it puts nothing in the review queue.
  const review = outcome.status === "needs_review" && error !== null && Boolean(outcome.failedNodeId) && run.triggerKind !== "dry_run";
  const [row] = await db.sql<{ finished: boolean }[]>`
    with finished as (
      update runs set status = ${outcome.status}, error = ${jsonb(error)}::text::jsonb, error_kind = ${error?.kind ?? null},
             failed_node_id = ${outcome.failedNodeId ?? null}, finished_at = now(),
             duration_ms = (extract(epoch from (now() - coalesce(started_at, created_at))) * 1000)::int,
             lease_token = null, lease_expires_at = null
      where id = ${run.id} and lease_token = ${lease.token} and lease_expires_at > now()
        and ${lazyCommit(db.sql)}
      returning id
    ), parked as (
      insert into review_items (workspace_id, run_id, flow_id, node_id, reason_code, reason, details)
      select ${run.workspaceId}, ${run.id}, ${run.flowId}, ${outcome.failedNodeId ?? ""}, ${error?.reasonCode ?? "needs_review"},
             ${error?.message ?? ""}, ${jsonb(error?.details ?? null)}::text::jsonb
      from finished where ${review}
    ), checkpoints as (
      ${pending.length > 0 ? insertNodeRuns(db.sql, run, pending, db.sql`exists (select 1 from finished)`) : db.sql`select 1 where false`}
    )
    insert into audit_events (workspace_id, actor, action, entity_type, entity_id, run_id, record_key, data)
    select ${run.workspaceId}, 'engine', ${`run.${outcome.status}`}, 'run', ${run.id}, ${run.id}, ${run.recordKey},
           ${jsonb({ flowId: run.flowId, failedNodeId: outcome.failedNodeId ?? null, error: error?.message ?? null })}::text::jsonb
    from finished
    returning (select count(*) > 0 from finished) as finished`;
  if (!row?.finished) throw lease.markLost();
}

/**
 * Give the run back (a long wait, a shutdown, database trouble): status waiting, no lease, so the
 * next job claims it at once. Checkpoints and pending ledger keys stay as they are.
 */
export async function releaseRun(db: Db, run: RunRow, lease: Lease): Promise<void> {
  const rows = await db.sql`
    update runs set status = 'waiting', lease_token = null, lease_expires_at = null
    where id = ${run.id} and lease_token = ${lease.token} and lease_expires_at > now()
    returning 1`;
  if (rows.length === 0) throw lease.markLost();
}

/** A run's approval of one write node, if one was asked for. */
export async function approvalFor(db: Db, run: RunRow, nodeId: string): Promise<{ id: string; status: "pending" | "approved" | "rejected" } | undefined> {
  const [row] = await db.sql<{ id: string; status: "pending" | "approved" | "rejected" }[]>`
    select id::text, status from approvals where run_id = ${run.id} and node_id = ${nodeId} and workspace_id = ${run.workspaceId}`;
  return row;
}

/**
 * Park the run for approval in one statement, fenced by the lease: the run waits (no lease, no
 * job), the approval holds the exact request, and the audit trail says so. The maker is whoever
 * started this run (run now, replay) or, for trigger runs, activated its flow version.
 */
export async function parkForApproval(
  db: Db,
  run: RunRow,
  lease: Lease,
  p: { nodeId: string; nodeType: string; request: unknown; condition: string },
): Promise<string> {
  const sql = db.sql;
  const [row] = await sql<{ id: string | null }[]>`
    with parked as (
      update runs set status = 'awaiting_approval', lease_token = null, lease_expires_at = null
      where id = ${run.id} and lease_token = ${lease.token} and lease_expires_at > now()
      returning id, parent_run_id
    ), maker as (
      select m.actor, m.actor_user_id from (
        (select a.actor, a.actor_user_id, 0 as rank, a.at from audit_events a, parked
         where a.workspace_id = ${run.workspaceId} and a.actor_kind <> 'system' and a.run_id = ${run.id}
           and ((a.entity_type = 'flow' and a.entity_id = ${run.flowId}) or (a.entity_type = 'run' and a.entity_id = parked.parent_run_id::text))
         order by a.at limit 1)
        union all
        (select a.actor, a.actor_user_id, 1 as rank, a.at from audit_events a
         where a.workspace_id = ${run.workspaceId} and a.entity_type = 'flow' and a.entity_id = ${run.flowId}
           and a.action = 'flow.activated' and a.data->>'versionId' = ${run.flowVersionId}
         order by a.at desc limit 1)
      ) m order by m.rank limit 1
    ), approval as (
      insert into approvals (workspace_id, run_id, flow_id, node_id, node_type, request, condition, maker, maker_user_id)
      select ${run.workspaceId}, ${run.id}, ${run.flowId}, ${p.nodeId}, ${p.nodeType}, ${jsonb(p.request)}::text::jsonb, ${p.condition},
             coalesce((select actor from maker), 'engine'), (select actor_user_id from maker)
      from parked
      on conflict (run_id, node_id) do update set status = 'pending', request = excluded.request
      returning id
    ), audited as (
      insert into audit_events (workspace_id, actor, action, entity_type, entity_id, run_id, record_key, data)
      select ${run.workspaceId}, 'engine', 'approval.requested', 'approval', approval.id::text, ${run.id}, ${run.recordKey},
             ${jsonb({ flowId: run.flowId, nodeId: p.nodeId, condition: p.condition })}::text::jsonb
      from approval
    )
    select (select id::text from approval) as id`;
  if (!row?.id) throw lease.markLost();
  return row.id;
}
