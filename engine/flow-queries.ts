/**
 * Reading flows: the list with a week of run counts, one flow at a version with its problems,
 * the diff of two versions, run statistics, and each node's latest output (the editor's preview
 * data). Every query filters by workspace.
 */
import type { Db } from "../db/client";
import { diffFlows } from "./flow/diff";
import { flowRunsPerDay } from "./run-day-counts";
import { parseFlowDefinition } from "./flow/schema";
import { validateForWorkspace } from "./flows";
import type { RunStatus } from "./status";
import { findTrigger } from "./triggers";

export async function listFlows(db: Db, workspaceId: string) {
  return db.sql<
    { id: string; name: string; description: string; active: boolean; latestVersion: number; updatedAt: Date; templateId: string | null; runs7d: number; failed7d: number; review7d: number; lastRunAt: Date | null }[]
  >`
    select f.id::text, f.name, f.description, f.active, f.latest_version as "latestVersion", f.updated_at as "updatedAt",
           f.template_id as "templateId",
           coalesce(s.total, 0)::int as "runs7d", coalesce(s.failed, 0)::int as "failed7d", coalesce(s.review, 0)::int as "review7d",
           s.last_run_at as "lastRunAt"
    from flows f
    left join lateral (
      select count(*) as total, count(*) filter (where status = ${"failed" satisfies RunStatus}) as failed,
             count(*) filter (where status = ${"needs_review" satisfies RunStatus}) as review, max(created_at) as last_run_at
      from runs r where r.flow_id = f.id and r.workspace_id = ${workspaceId} and r.created_at > now() - interval '7 days'
    ) s on true
    where f.workspace_id = ${workspaceId}
      -- The flows agent tool calls run as (engine/mcp/tool-flows.ts) are the product's, not for editing.
      and not exists (select 1 from agent_tool_flows a where a.flow_id = f.id and a.workspace_id = ${workspaceId})
    order by f.updated_at desc`;
}

/** One flow at a version (default: the latest), with its problems and its webhook address. */
export async function getFlow(db: Db, workspaceId: string, flowId: string, versionId: string | undefined, publicUrl: string) {
  const [flow] = await db.sql<{ id: string; name: string; description: string; active: boolean; activeVersionId: string | null; latestVersion: number; templateId: string | null }[]>`
    select id::text, name, description, active, active_version_id::text as "activeVersionId", latest_version as "latestVersion", template_id as "templateId"
    from flows where id = ${flowId} and workspace_id = ${workspaceId}`;
  if (!flow) throw new Error("flow not found");
  const versions = await db.sql<{ id: string; version: number; note: string; createdAt: Date }[]>`
    select id::text, version, note, created_at as "createdAt" from flow_versions
    where flow_id = ${flowId} and workspace_id = ${workspaceId} order by version desc`;
  const current = versionId ? versions.find((v) => v.id === versionId) : versions[0];
  if (!current) throw new Error("flow version not found");
  const [row] = await db.sql<{ definition: unknown }[]>`
    select definition from flow_versions where id = ${current.id} and workspace_id = ${workspaceId}`;
  const definition = parseFlowDefinition(row!.definition);
  const { problems } = await validateForWorkspace(db, workspaceId, definition);
  const trigger = findTrigger(definition);
  const webhookUrl = trigger?.def.trigger?.mode === "webhook" ? `${publicUrl}/api/webhooks/${flow.id}/${trigger.node.id}` : null;
  return { flow, version: current, versions, definition, problems, webhookUrl };
}

export async function diffVersions(db: Db, workspaceId: string, fromVersionId: string, toVersionId: string) {
  const rows = await db.sql<{ id: string; definition: unknown }[]>`
    select id::text, definition from flow_versions where workspace_id = ${workspaceId} and id in (${fromVersionId}, ${toVersionId})`;
  const from = rows.find((r) => r.id === fromVersionId);
  const to = rows.find((r) => r.id === toVersionId);
  if (!from || !to) throw new Error("flow version not found");
  return diffFlows(parseFlowDefinition(from.definition), parseFlowDefinition(to.definition));
}

/** How many of a flow's latest runs the step durations are taken from (a bounded read at any volume). */
export const STEP_TIMING_RUNS = 2_000;

/**
 * Runs per UTC day by outcome over the last `days` (closed days from run_day_counts), and per-node duration percentiles over the latest
 * runs of that window (at most STEP_TIMING_RUNS; `timedRuns` says how many).
 */
export async function flowStats(db: Db, workspaceId: string, flowId: string, days: number) {
  const since = `${days} days`;
  const perDay = await flowRunsPerDay(db, workspaceId, flowId, days);
  const perNode = await db.sql<{ nodeId: string; count: number; p50: number; p95: number; max: number; timedRuns: number }[]>`
    with recent as materialized (
      select r.id from runs r
      where r.workspace_id = ${workspaceId} and r.flow_id = ${flowId} and r.created_at > now() - ${since}::interval
      order by r.created_at desc limit ${STEP_TIMING_RUNS})
    select n.node_id as "nodeId", count(*)::int as count,
           coalesce(percentile_cont(0.5) within group (order by n.duration_ms), 0)::int as p50,
           coalesce(percentile_cont(0.95) within group (order by n.duration_ms), 0)::int as p95,
           coalesce(max(n.duration_ms), 0)::int as max,
           (select count(*) from recent)::int as "timedRuns"
    from recent
    -- Each run's node runs by node_runs_run_node (offset 0 keeps this a per-run lookup rather than
    -- a scan of every node run of the workspace).
    cross join lateral (
      select n.node_id, n.duration_ms from node_runs n
      where n.run_id = recent.id and n.workspace_id = ${workspaceId} and n.duration_ms is not null offset 0) n
    group by n.node_id`;
  return { perDay, perNode: perNode.map((n) => ({ nodeId: n.nodeId, count: n.count, p50: n.p50, p95: n.p95, max: n.max })), timedRuns: perNode[0]?.timedRuns ?? 0, timedRunsCap: STEP_TIMING_RUNS };
}

/** Each node's most recent output across the flow's last 25 runs. */
export async function lastOutputs(db: Db, workspaceId: string, flowId: string) {
  const rows = await db.sql<{ nodeId: string; output: unknown; runId: string; status: string; startedAt: Date }[]>`
    select distinct on (n.node_id) n.node_id as "nodeId", n.output, n.run_id::text as "runId", n.status, n.started_at as "startedAt"
    from node_runs n
    where n.workspace_id = ${workspaceId} and n.output is not null
      and n.run_id in (select r.id from runs r where r.workspace_id = ${workspaceId} and r.flow_id = ${flowId} order by r.created_at desc limit 25)
    order by n.node_id, n.started_at desc`;
  const outputs: Record<string, { output: unknown; runId: string; status: string; at: Date }> = {};
  for (const row of rows) outputs[row.nodeId] = { output: row.output, runId: row.runId, status: row.status, at: row.startedAt };
  return { outputs };
}
