/**
 * What each rule kind sees in the database, one function per kind. A detector reads runs, review
 * items, connections and poll checkpoints (never the executor's internals) and returns the causes
 * it finds, each with a stable `causeKey`.
 *
 * - `state` detectors return every cause that is active now; an open alert whose cause is not in
 *   the list has resolved.
 * - `events` (run_failed) returns the failures since the rule last looked, grouped by cause; its
 *   alert resolves when a later run of the flow gets through the node that failed.
 */
import { env } from "../../db/env";
import type { Db } from "../../db/client";
import { parseFlowDefinition } from "../flow/schema";
import { DEFAULT_POLL_SCHEDULE, findTrigger } from "../triggers";
import { CronExpressionParser } from "cron-parser";
import { safeText, type AlertFact } from "./messages";
import { ERROR_RATE_WINDOW_MS, type RuleKind } from "./types";

export interface RuleRow {
  id: string;
  workspaceId: string;
  workspaceName: string;
  kind: RuleKind;
  name: string;
  flowId: string | null;
  params: Record<string, number>;
  channelIds: string[];
  checkedUntil: Date | null;
}

export interface Occurrence {
  causeKey: string;
  title: string;
  summary: string;
  link: string;
  facts: AlertFact[];
  flowId?: string;
  runId?: string;
  reviewItemId?: string;
  connectionId?: string;
  assigneeUserId?: string | null;
  /** New occurrences (events) or how many there are now (state). */
  count: number;
  at: Date;
}

export type Detection =
  | { mode: "state"; active: Occurrence[] }
  | { mode: "events"; occurrences: Occurrence[]; checkedUntil: Date };

const url = (path: string) => `${env.publicUrl.replace(/\/$/, "")}${path}`;
export const runLink = (runId: string) => url(`/runs/${runId}`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Windows over run end times and review items' creation are in whole milliseconds (JavaScript
 * dates) while PostgreSQL keeps microseconds: "after t" is `>= t + 1 ms` and "up to t" is
 * `< t + 1 ms`, so a row written inside the millisecond a pass stops at is counted in exactly one
 * pass (by that pass: a review item parked just before it is in its message's count).
 */
const msAfter = (t: Date) => new Date(t.getTime() + 1);

/** Failed runs are read at most this many per rule and evaluation; the rest wait for the next one. */
export const MAX_FAILURES_PER_PASS = 5000;

interface FailedRun {
  id: string;
  flow_id: string;
  flow_name: string;
  failed_node_id: string | null;
  error: { message?: string; kind?: string; code?: string; status?: number; system?: string } | null;
  error_kind: string | null;
  record_key: string;
  record_label: string | null;
  finished_at: Date;
}

/** The node of a run_failed cause key: `run_failed:<flow>:<node>:<error>`. */
export function failedNodeOf(causeKey: string): string | undefined {
  const parts = causeKey.split(":");
  return parts[0] === "run_failed" && parts[2] !== undefined ? decodeURIComponent(parts[2]) : undefined;
}

function failureCause(run: FailedRun): string {
  const e = run.error ?? {};
  const signature = e.code ?? (e.status ? `http_${e.status}` : safeText(e.message).replace(/\d+/g, "#").slice(0, 80));
  return ["run_failed", run.flow_id, encodeURIComponent(run.failed_node_id ?? ""), encodeURIComponent(`${run.error_kind ?? e.kind ?? "internal"}/${signature}`)].join(":");
}

async function runFailed(db: Db, rule: RuleRow, until: Date): Promise<Detection> {
  const sql = db.sql;
  const since = rule.checkedUntil ?? new Date(0);
  const rows = await sql<FailedRun[]>`
    select r.id::text, r.flow_id::text, f.name as flow_name, r.failed_node_id, r.error, r.error_kind, r.record_key, r.record_label, r.finished_at
    from runs r join flows f on f.id = r.flow_id and f.workspace_id = r.workspace_id
    where r.workspace_id = ${rule.workspaceId} and r.status = 'failed' and r.finished_at >= ${msAfter(since)} and r.finished_at < ${msAfter(until)}
      ${rule.flowId ? sql`and r.flow_id = ${rule.flowId}` : sql``}
    order by r.finished_at limit ${MAX_FAILURES_PER_PASS}`;
  // A full page stops just before its last millisecond, so runs sharing it are read again rather than skipped.
  const checkedUntil = rows.length === MAX_FAILURES_PER_PASS ? new Date(rows.at(-1)!.finished_at.getTime() - 1) : until;
  const byCause = new Map<string, Occurrence>();
  for (const run of rows) {
    const key = failureCause(run);
    const seen = byCause.get(key);
    if (seen) {
      seen.count++;
      seen.at = run.finished_at;
      continue;
    }
    const e = run.error ?? {};
    const facts: AlertFact[] = [
      { label: "Flow", value: run.flow_name },
      { label: "Node", value: run.failed_node_id ?? "(none)" },
      { label: "Record", value: safeText(run.record_label ?? run.record_key) },
      { label: "Error", value: [run.error_kind ?? e.kind, e.code, e.status ? `HTTP ${e.status}` : undefined].filter(Boolean).join(" · ") },
    ];
    byCause.set(key, {
      causeKey: key,
      title: `Flow "${run.flow_name}" failed at ${run.failed_node_id ?? "start"}`,
      summary: safeText(e.message) || "The run failed.",
      link: runLink(run.id),
      facts,
      flowId: run.flow_id,
      runId: run.id,
      count: 1,
      at: run.finished_at,
    });
  }
  return { mode: "events", occurrences: [...byCause.values()], checkedUntil };
}

/** Open failures of `rule` that a later run got past: the failed node completed in a run that succeeded. */
export async function recoveredFailures(db: Db, rule: RuleRow, until: Date): Promise<string[]> {
  const open = await db.sql<{ id: string; flow_id: string; cause_key: string; last_seen_at: Date }[]>`
    select id::text, flow_id::text, cause_key, last_seen_at from alerts where rule_id = ${rule.id} and status = 'open'`;
  const recovered: string[] = [];
  for (const alert of open) {
    const node = failedNodeOf(alert.cause_key);
    const [ok] = await db.sql`
      select 1 from runs r join node_runs n on n.run_id = r.id and n.node_id = ${node ?? ""} and n.status in ('succeeded', 'already_done')
      where r.workspace_id = ${rule.workspaceId} and r.flow_id = ${alert.flow_id} and r.status = 'succeeded'
        and r.finished_at >= ${msAfter(alert.last_seen_at)} and r.finished_at < ${msAfter(until)}
      limit 1`;
    if (ok) recovered.push(alert.id);
  }
  return recovered;
}

async function reviews(db: Db, rule: RuleRow, now: Date, olderThanHours?: number): Promise<Detection> {
  const sql = db.sql;
  const cutoff = olderThanHours === undefined ? now : new Date(now.getTime() - olderThanHours * 3_600_000);
  const rows = await sql<{ flow_id: string; flow_name: string; node_id: string; reason_code: string; assignee: string | null; assignee_name: string | null; n: number; oldest: Date; example: string; first_run: string; first_item: string }[]>`
    select i.flow_id::text, f.name as flow_name, i.node_id, i.reason_code, i.assignee_user_id::text as assignee, u.name as assignee_name,
           count(*)::int as n, min(i.created_at) as oldest, min(i.reason) as example,
           (array_agg(i.run_id::text order by i.created_at))[1] as first_run, (array_agg(i.id::text order by i.created_at))[1] as first_item
    from review_items i join flows f on f.id = i.flow_id and f.workspace_id = i.workspace_id
         left join users u on u.id = i.assignee_user_id
    where i.workspace_id = ${rule.workspaceId} and i.status = 'open' and i.created_at < ${msAfter(cutoff)}
      ${rule.flowId ? sql`and i.flow_id = ${rule.flowId}` : sql``}
    group by i.flow_id, f.name, i.node_id, i.reason_code, i.assignee_user_id, u.name`;
  const stale = olderThanHours !== undefined;
  return {
    mode: "state",
    active: rows.map((r) => ({
      causeKey: [stale ? "review_stale" : "review_opened", r.flow_id, encodeURIComponent(r.node_id), encodeURIComponent(r.reason_code), r.assignee ?? "unassigned"].join(":"),
      title: stale
        ? `${plural(r.n, "review item")} open for over ${olderThanHours} h in "${r.flow_name}" (${r.reason_code})`
        : `${plural(r.n, "review item")} waiting in "${r.flow_name}" (${r.reason_code})`,
      summary: safeText(r.example),
      link: runLink(r.first_run),
      facts: [
        { label: "Flow", value: r.flow_name },
        { label: "Node", value: r.node_id },
        { label: "Reason", value: r.reason_code },
        { label: "Open items", value: String(r.n) },
        { label: "Oldest", value: r.oldest.toISOString() },
        ...(r.assignee_name ? [{ label: "Assignee", value: r.assignee_name }] : []),
      ],
      flowId: r.flow_id,
      runId: r.first_run,
      reviewItemId: r.first_item,
      assigneeUserId: r.assignee,
      count: r.n,
      at: r.oldest,
    })),
  };
}

/** Writes waiting for an approver (maker-checker), one cause per flow and node while any waits. */
async function approvalsWaiting(db: Db, rule: RuleRow): Promise<Detection> {
  const sql = db.sql;
  const rows = await sql<{ flow_id: string; flow_name: string; node_id: string; n: number; oldest: Date; first_run: string }[]>`
    select a.flow_id::text, f.name as flow_name, a.node_id, count(*)::int as n, min(a.created_at) as oldest,
           (array_agg(a.run_id::text order by a.created_at))[1] as first_run
    from approvals a join flows f on f.id = a.flow_id and f.workspace_id = a.workspace_id
    where a.workspace_id = ${rule.workspaceId} and a.status = 'pending' ${rule.flowId ? sql`and a.flow_id = ${rule.flowId}` : sql``}
    group by a.flow_id, f.name, a.node_id`;
  return {
    mode: "state",
    active: rows.map((r) => ({
      causeKey: ["approval_waiting", r.flow_id, encodeURIComponent(r.node_id)].join(":"),
      title: `${plural(r.n, "write")} waiting for approval in "${r.flow_name}"`,
      summary: `Step ${r.node_id} needs an approver before it posts.`,
      link: url("/approvals"),
      facts: [
        { label: "Flow", value: r.flow_name },
        { label: "Node", value: r.node_id },
        { label: "Waiting", value: String(r.n) },
        { label: "Oldest", value: r.oldest.toISOString() },
      ],
      flowId: r.flow_id,
      runId: r.first_run,
      count: r.n,
      at: r.oldest,
    })),
  };
}

async function connectionsFailing(db: Db, rule: RuleRow): Promise<Detection> {
  const rows = await db.sql<{ id: string; name: string; system: string; status: string; status_message: string | null; updated_at: Date }[]>`
    select id::text, name, system, status, status_message, updated_at from connections
    where workspace_id = ${rule.workspaceId} and status in ('failing', 'needs_reconnect')`;
  return {
    mode: "state",
    active: rows.map((c) => ({
      causeKey: `connection:${c.id}`,
      title: c.status === "needs_reconnect" ? `Connection "${c.name}" needs to be reconnected` : `Connection "${c.name}" is failing`,
      summary: safeText(c.status_message) || (c.status === "needs_reconnect" ? "Sign in to the system again." : "Its last test or call failed."),
      link: url(`/connections?connection=${c.id}`),
      facts: [
        { label: "Connection", value: c.name },
        { label: "System", value: c.system },
        { label: "Status", value: c.status },
      ],
      connectionId: c.id,
      count: 1,
      at: c.updated_at,
    })),
  };
}

/** Seconds between two ticks of a cron schedule (the poll interval). */
export function scheduleIntervalMs(cron: string, from: Date): number {
  const it = CronExpressionParser.parse(cron, { currentDate: from, tz: "UTC" });
  const a = it.next().toDate().getTime();
  const b = it.next().toDate().getTime();
  return b - a;
}

async function pollStalled(db: Db, rule: RuleRow, now: Date): Promise<Detection> {
  const sql = db.sql;
  const flows = await sql<{ id: string; name: string; definition: unknown; activated_at: Date; last_ok: Date | null; last_error: { message?: string } | null }[]>`
    select f.id::text, f.name, v.definition, f.updated_at as activated_at,
           max(case when c.last_error is null then c.last_polled_at else c.updated_at end) as last_ok,
           (array_agg(c.last_error) filter (where c.last_error is not null))[1] as last_error
    from flows f join flow_versions v on v.id = f.active_version_id and v.workspace_id = f.workspace_id
         left join trigger_checkpoints c on c.flow_id = f.id
    where f.workspace_id = ${rule.workspaceId} and f.active ${rule.flowId ? sql`and f.id = ${rule.flowId}` : sql``}
    group by f.id, f.name, v.definition, f.updated_at`;
  const active: Occurrence[] = [];
  for (const flow of flows) {
    let definition;
    try {
      definition = parseFlowDefinition(flow.definition);
    } catch {
      continue;
    }
    const trigger = findTrigger(definition);
    if (trigger?.def.trigger?.mode !== "poll") continue;
    const intervalMs = scheduleIntervalMs(definition.settings.schedule ?? DEFAULT_POLL_SCHEDULE, now);
    const multiplier = rule.params.multiplier ?? 3;
    // Never polled successfully: counted from when the flow was last changed (activated).
    const lastOk = flow.last_ok ?? flow.activated_at;
    if (now.getTime() - lastOk.getTime() <= intervalMs * multiplier) continue;
    active.push({
      causeKey: `poll_stalled:${flow.id}`,
      title: `Poll trigger of "${flow.name}" has not succeeded for ${Math.round((now.getTime() - lastOk.getTime()) / 60_000)} min`,
      summary: flow.last_error?.message ? `Last error: ${safeText(flow.last_error.message)}` : `No successful poll in ${multiplier}× its interval.`,
      link: url(`/flows/${flow.id}/overview`),
      facts: [
        { label: "Flow", value: flow.name },
        { label: "Interval", value: `${Math.round(intervalMs / 60_000)} min` },
        { label: "Last successful poll", value: flow.last_ok ? flow.last_ok.toISOString() : "never" },
      ],
      flowId: flow.id,
      count: 1,
      at: lastOk,
    });
  }
  return { mode: "state", active };
}

async function errorRate(db: Db, rule: RuleRow, now: Date): Promise<Detection> {
  const sql = db.sql;
  const since = new Date(now.getTime() - ERROR_RATE_WINDOW_MS);
  const percent = rule.params.percent ?? 20;
  const minRuns = rule.params.minRuns ?? 5;
  const rows = await sql<{ flow_id: string; flow_name: string; total: number; failed: number; last_failed: string | null }[]>`
    select r.flow_id::text, f.name as flow_name, count(*)::int as total, count(*) filter (where r.status = 'failed')::int as failed,
           (array_agg(r.id::text order by r.finished_at desc) filter (where r.status = 'failed'))[1] as last_failed
    from runs r join flows f on f.id = r.flow_id and f.workspace_id = r.workspace_id
    where r.workspace_id = ${rule.workspaceId} and r.finished_at >= ${msAfter(since)} and r.finished_at < ${msAfter(now)}
      and r.status in ('succeeded', 'failed', 'needs_review') ${rule.flowId ? sql`and r.flow_id = ${rule.flowId}` : sql``}
    group by r.flow_id, f.name`;
  return {
    mode: "state",
    active: rows
      .filter((r) => r.total >= minRuns && (r.failed * 100) / r.total > percent)
      .map((r) => ({
        causeKey: `error_rate:${r.flow_id}`,
        title: `"${r.flow_name}": ${Math.round((r.failed * 100) / r.total)}% of runs failed in the last 15 minutes`,
        summary: `${r.failed} of ${r.total} runs failed (threshold ${percent}%).`,
        link: r.last_failed ? runLink(r.last_failed) : url(`/flows/${r.flow_id}/overview`),
        facts: [
          { label: "Flow", value: r.flow_name },
          { label: "Failed", value: `${r.failed} / ${r.total}` },
        ],
        flowId: r.flow_id,
        runId: r.last_failed ?? undefined,
        count: r.failed,
        at: now,
      })),
  };
}

/** The latest report of each flow for today and yesterday that lists gaps; one cause per flow and day. */
async function reconciliationGaps(db: Db, rule: RuleRow, now: Date): Promise<Detection> {
  const sql = db.sql;
  const days = [now.toISOString().slice(0, 10), new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10)];
  const rows = await sql<{ flow_id: string; flow_name: string; day: string; summary: { seen: number; gaps: Record<string, number> }; generated_at: Date }[]>`
    select r.flow_id::text, f.name as flow_name, r.day, r.summary, r.generated_at
    from reconciliation_reports r join flows f on f.id = r.flow_id and f.workspace_id = r.workspace_id
    where r.workspace_id = ${rule.workspaceId} and r.day = any(${days}::text[]) ${rule.flowId ? sql`and r.flow_id = ${rule.flowId}` : sql``}`;
  const active: Occurrence[] = [];
  for (const r of rows) {
    const gaps = Object.entries(r.summary.gaps ?? {}).filter(([, n]) => n > 0);
    const total = gaps.reduce((s, [, n]) => s + n, 0);
    if (total === 0) continue;
    active.push({
      causeKey: `reconciliation:${r.flow_id}:${r.day}`,
      title: `Reconciliation of "${r.flow_name}" on ${r.day}: ${plural(total, "gap")}`,
      summary: gaps.map(([k, n]) => `${n} ${k.replace(/_/g, " ")}`).join(", "),
      link: url(`/reports?flow=${r.flow_id}&day=${r.day}`),
      facts: [
        { label: "Flow", value: r.flow_name },
        { label: "Day", value: r.day },
        { label: "Source documents", value: String(r.summary.seen ?? 0) },
        ...gaps.map(([k, n]) => ({ label: k.replace(/_/g, " "), value: String(n) })),
      ],
      flowId: r.flow_id,
      count: total,
      at: r.generated_at,
    });
  }
  return { mode: "state", active };
}

export async function detect(db: Db, rule: RuleRow, now: Date, until: Date): Promise<Detection> {
  switch (rule.kind) {
    case "run_failed":
      return runFailed(db, rule, until);
    case "review_opened":
      return reviews(db, rule, now);
    case "review_stale":
      return reviews(db, rule, now, rule.params.hours ?? 24);
    case "connection_failing":
      return connectionsFailing(db, rule);
    case "poll_stalled":
      return pollStalled(db, rule, now);
    case "error_rate":
      return errorRate(db, rule, now);
    case "reconciliation_gaps":
      return reconciliationGaps(db, rule, now);
    case "approval_waiting":
      return approvalsWaiting(db, rule);
  }
}
