/**
 * Creating runs: one run per trigger record, deduplicated by (flow, record key, record version),
 * created and enqueued in one transaction. Replays make a child run that starts from the beginning
 * or continues after the failed node, on the run's own flow version or the latest one.
 */
import type postgres from "postgres";
import type { TriggerRecord } from "../connectors/sdk";
import { jsonb, type Db } from "../db/client";
import { recordAudit, SYSTEM_ACTOR, type Actor } from "./audit";
import { parseFlowDefinition } from "./flow/schema";
import { enqueueRun, newRunJobs, noRunJobs, queueNameFor } from "./queue";
import { recordVersion } from "./record-version";
import { runFilterConditions, type RunFilter } from "./run-filter";
import { COMPLETED_NODE_RUN_STATUSES, REPLAYABLE_RUN_STATUSES } from "./status";

type Sql = postgres.Sql | postgres.TransactionSql;

export type TriggerKind = "manual" | "schedule" | "poll" | "webhook" | "replay" | "dry_run" | "agent";

/**
 * Record keys of agent calls (engine/mcp): `agent:<requestId>` for a write or flow call (the same
 * requestId finds the same run), and this prefix for an agent's dry run, which the executor runs
 * as a dry run whoever picks it up (it is never enqueued, but a dry run must never post).
 */
export const AGENT_DRY_RUN_KEY_PREFIX = "agent-dry-run:";
export const isAgentDryRun = (recordKey: string): boolean => recordKey.startsWith(AGENT_DRY_RUN_KEY_PREFIX);

export interface CreatedRuns {
  created: string[];
  duplicates: number;
}

/** A version's concurrency setting; `versionId` comes from a row already scoped to its workspace. */
export async function flowConcurrency(sql: Sql, versionId: string): Promise<number> {
  const [row] = await sql<{ definition: unknown }[]>`select definition from flow_versions where id = ${versionId}`;
  return row ? parseFlowDefinition(row.definition).settings.concurrency : 5;
}

/** Insert runs for records (skipping ones already seen) and enqueue them, inside `sql`'s transaction. */
export async function createRuns(
  sql: Sql,
  target: { workspaceId: string; flowId: string; versionId: string; triggerKind: TriggerKind },
  records: TriggerRecord[],
  options: { enqueue?: boolean } = {},
): Promise<CreatedRuns> {
  const created: string[] = [];
  let duplicates = 0;
  const queueName = queueNameFor(target.flowId, await flowConcurrency(sql, target.versionId));
  const enqueue = options.enqueue !== false;
  for (const record of records) {
    // The run and its job in one statement (engine/queue.ts, newRunJobs).
    const [row] = await sql<{ id: string | null }[]>`
      with created as (
        insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, record_version, record_label, input)
        values (${target.workspaceId}, ${target.flowId}, ${target.versionId}, ${target.triggerKind}, ${record.key},
                ${recordVersion(record)}, ${record.label ?? null}, ${jsonb((record.data ?? null))}::text::jsonb)
        on conflict (flow_id, record_key, record_version) where parent_run_id is null do nothing
        returning id
      ), ${enqueue ? newRunJobs(sql, queueName) : noRunJobs(sql)}
      select (select id::text from created) as id, (select count(*) from run_jobs_notified) as notified`;
    if (!row?.id) {
      duplicates++;
      continue;
    }
    created.push(row.id);
  }
  return { created, duplicates };
}

export interface ReplayOptions {
  /** "start": the whole flow again; "failed": keep completed nodes, continue from the failed one. */
  from: "start" | "failed";
  /** "own": the version the run ran; "latest": the flow's newest version. */
  version: "own" | "latest";
  actor?: Actor;
}

/** Replay one run as a new child run. Writes go through the ledger, so nothing is posted twice. */
export async function replayRun(db: Db, workspaceId: string, runId: string, options: ReplayOptions): Promise<string> {
  return db.sql.begin(async (tx) => {
    const [run] = await tx<{ id: string; flow_id: string; flow_version_id: string; record_key: string; record_version: string; record_label: string | null; input: unknown; failed_node_id: string | null }[]>`
      select id::text, flow_id::text, flow_version_id::text, record_key, record_version, record_label, input, failed_node_id
      from runs where id = ${runId} and workspace_id = ${workspaceId}`;
    if (!run) throw new Error("run not found");
    let versionId = run.flow_version_id;
    if (options.version === "latest") {
      const [latest] = await tx<{ id: string }[]>`
        select id::text from flow_versions where flow_id = ${run.flow_id} and workspace_id = ${workspaceId}
        order by version desc limit 1`;
      versionId = latest!.id;
    }
    const [child] = await tx<{ id: string }[]>`
      insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, record_version, record_label, input,
                        parent_run_id, replay_from_node_id)
      values (${workspaceId}, ${run.flow_id}, ${versionId}, 'replay', ${run.record_key}, ${run.record_version},
              ${run.record_label}, ${jsonb((run.input ?? null))}::text::jsonb, ${run.id},
              ${options.from === "failed" ? run.failed_node_id : null})
      returning id::text`;
    if (options.from === "failed") {
      // Carry the completed checkpoints over: the child continues after them.
      const [version] = await tx<{ definition: unknown }[]>`select definition from flow_versions where id = ${versionId} and workspace_id = ${workspaceId}`;
      const nodeIds = new Map(parseFlowDefinition(version!.definition).nodes.map((n) => [n.id, n.type]));
      const done = await tx<{ node_id: string; node_type: string }[]>`
        select node_id, node_type from node_runs where run_id = ${run.id} and workspace_id = ${workspaceId} and status = any(${COMPLETED_NODE_RUN_STATUSES as string[]})`;
      const keep = done.filter((n) => nodeIds.get(n.node_id) === n.node_type).map((n) => n.node_id);
      if (keep.length > 0) {
        await tx`
          insert into node_runs (workspace_id, run_id, node_id, node_type, status, attempt, input, output, handle, http_calls,
                                 logs, attempts, seq, started_at, finished_at, duration_ms)
          select workspace_id, ${child!.id}, node_id, node_type, status, attempt, input, output, handle, http_calls,
                 logs || jsonb_build_array(jsonb_build_object('level', 'info', 'message', 'Carried over from run ' || ${run.id}::text, 'at', now())),
                 attempts, seq, started_at, finished_at, duration_ms
          from node_runs where run_id = ${run.id} and workspace_id = ${workspaceId} and node_id = any(${keep})`;
      }
    }
    await recordAudit(tx, workspaceId, options.actor ?? SYSTEM_ACTOR, {
      action: "run.replayed",
      entityType: "run",
      entityId: run.id,
      runId: child!.id,
      recordKey: run.record_key,
      data: { from: options.from, version: options.version, replayRunId: child!.id },
    });
    await enqueueRun(tx, child!.id, { queueName: queueNameFor(run.flow_id, await flowConcurrency(tx, versionId)) });
    return child!.id;
  });
}

export type { RunFilter };

/** Replay every run matching a filter (latest attempt of each record only). Returns the new run ids. */
export async function bulkReplay(db: Db, workspaceId: string, filter: RunFilter, options: ReplayOptions, limit = 1000): Promise<string[]> {
  const sql = db.sql;
  const rows = await sql<{ id: string }[]>`
    select r.id::text from runs r
    where r.workspace_id = ${workspaceId}
      and r.status = any(${REPLAYABLE_RUN_STATUSES as string[]})
      ${runFilterConditions(sql, filter)}
      and not exists (select 1 from runs c where c.parent_run_id = r.id and c.workspace_id = ${workspaceId})
    order by r.created_at
    limit ${limit}`;
  const ids: string[] = [];
  for (const row of rows) ids.push(await replayRun(db, workspaceId, row.id, options));
  return ids;
}

/**
 * Resolve a review item: the person fixed the cause (a mapping row, the customer's address in the
 * source system...). The run is replayed from the start on the latest version, so the record is
 * read again and the mappings looked up again; writes already posted are answered by the ledger.
 */
export async function resolveReview(db: Db, workspaceId: string, reviewId: string, actor: Actor = SYSTEM_ACTOR): Promise<string> {
  const sql = db.sql;
  const [item] = await sql<{ run_id: string; status: string; reason_code: string }[]>`
    select run_id::text, status, reason_code from review_items where id = ${reviewId} and workspace_id = ${workspaceId}`;
  if (!item) throw new Error("review item not found");
  if (item.status !== "open") throw new Error(`review item is already ${item.status}`);
  const replayId = await replayRun(db, workspaceId, item.run_id, { from: "start", version: "latest", actor });
  await sql.begin(async (tx) => {
    await tx`
      update review_items set status = 'resolved', resolved_at = now(), replay_run_id = ${replayId}
      where id = ${reviewId} and workspace_id = ${workspaceId}`;
    await recordAudit(tx, workspaceId, actor, { action: "review.resolved", entityType: "review", entityId: reviewId, runId: item.run_id, data: { reasonCode: item.reason_code, replayRunId: replayId } });
  });
  return replayId;
}

/** Dismiss open review items of the workspace (the run stays as it is). Returns how many were open. */
export async function dismissReviews(db: Db, workspaceId: string, reviewIds: string[], actor: Actor = SYSTEM_ACTOR): Promise<number> {
  return db.sql.begin(async (tx) => {
    const rows = await tx<{ id: string; runId: string }[]>`
      update review_items set status = 'dismissed', resolved_at = now()
      where workspace_id = ${workspaceId} and id = any(${reviewIds}::uuid[]) and status = 'open'
      returning id::text, run_id::text as "runId"`;
    for (const row of rows) await recordAudit(tx, workspaceId, actor, { action: "review.dismissed", entityType: "review", entityId: row.id, runId: row.runId });
    return rows.length;
  });
}
