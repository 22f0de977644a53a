/**
 * Prometheus metrics computed from the database at scrape time, so every worker and web process
 * is counted wherever the scrape lands. Exposition by prom-client.
 *
 * Series
 * - ledgerline_runs{workspace,flow_id,flow,status}               runs stored, by flow and status (gauge)
 * - ledgerline_node_duration_seconds{node_type}                  node latency histogram over stored node runs
 * - ledgerline_node_retries{node_type}                           attempts beyond the first, over stored node runs
 * - ledgerline_rate_limit_waits{node_type}                       retries that waited for an HTTP 429
 * - ledgerline_rate_limit_wait_seconds{node_type}                how long those waits were, in all
 * - ledgerline_queue_jobs{task,state}                            graphile-worker jobs: ready, scheduled (run_at ahead), locked
 * - ledgerline_queue_oldest_ready_job_age_seconds{task}          how long the oldest ready job has waited
 * - ledgerline_webhook_rejections{workspace,flow_id,flow,status} refused webhook deliveries (bad signature 401, ...)
 * - ledgerline_open_alerts{workspace}, ledgerline_open_review_items{workspace}
 *
 * "Stored" means what retention keeps: the counts fall when old runs are pruned.
 */
import { Gauge, Registry, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { Db } from "../../db/client";

/** Seconds; node steps range from a lookup (ms) to a slow ERP call (tens of seconds). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Sample<L extends string> {
  labels: Record<L, string>;
  value: number;
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: L[], samples: Sample<L>[]) {
  const g = new Gauge({ name, help, labelNames, registers: [registry] });
  for (const s of samples) g.set(s.labels as never, s.value);
}

/** A histogram whose buckets were counted by SQL (prom-client's Histogram only takes observations). */
function dbHistogram(registry: Registry, name: string, help: string, rows: { node_type: string; buckets: number[]; count: number; sum: number }[]) {
  const metric = {
    name,
    async get(): Promise<Omit<MetricObjectWithValues<MetricValue<string>>, "collect">> {
      const values: MetricValue<string>[] = [];
      for (const r of rows) {
        DURATION_BUCKETS.forEach((le, i) => values.push({ metricName: `${name}_bucket`, labels: { node_type: r.node_type, le }, value: r.buckets[i] ?? 0 } as MetricValue<string>));
        values.push({ metricName: `${name}_bucket`, labels: { node_type: r.node_type, le: "+Inf" }, value: r.count } as MetricValue<string>);
        values.push({ metricName: `${name}_sum`, labels: { node_type: r.node_type }, value: r.sum } as MetricValue<string>);
        values.push({ metricName: `${name}_count`, labels: { node_type: r.node_type }, value: r.count } as MetricValue<string>);
      }
      return { name, help, type: "histogram" as never, aggregator: "sum", values };
    },
  };
  registry.registerMetric(metric as never);
}

export async function collectMetrics(db: Db): Promise<Registry> {
  const sql = db.sql;
  const registry = new Registry();

  const runs = await sql<{ workspace: string; flow_id: string; flow: string; status: string; n: number }[]>`
    select w.slug as workspace, r.flow_id::text, f.name as flow, r.status, count(*)::int as n
    from runs r join flows f on f.id = r.flow_id join workspaces w on w.id = r.workspace_id
    group by w.slug, r.flow_id, f.name, r.status`;
  gauge(registry, "ledgerline_runs", "Runs stored, by flow and status.", ["workspace", "flow_id", "flow", "status"],
    runs.map((r) => ({ labels: { workspace: r.workspace, flow_id: r.flow_id, flow: r.flow, status: r.status }, value: r.n })));

  const bucketSql = DURATION_BUCKETS.map((b) => `count(*) filter (where duration_ms <= ${b * 1000})::int`).join(", ");
  const durations = await sql.unsafe<{ node_type: string; buckets: number[]; count: number; sum: number }[]>(`
    select node_type, array[${bucketSql}] as buckets, count(*)::int as count, coalesce(sum(duration_ms), 0)::float8 / 1000 as sum
    from node_runs where duration_ms is not null group by node_type`);
  dbHistogram(registry, "ledgerline_node_duration_seconds", "Node step latency over stored node runs.", durations);

  const retries = await sql<{ node_type: string; retries: number; waits: number; wait_seconds: number }[]>`
    select n.node_type, sum(n.attempt - 1)::int as retries,
           coalesce(sum(w.waits), 0)::int as waits, coalesce(sum(w.wait_ms), 0)::float8 / 1000 as wait_seconds
    from node_runs n
    left join lateral (
      select count(*) as waits, sum(coalesce((a->>'delayMs')::numeric, 0)) as wait_ms
      from jsonb_array_elements(case when jsonb_typeof(n.attempts) = 'array' then n.attempts else '[]'::jsonb end) a
      where a->'error'->>'status' = '429' or a->'error'->>'code' in ('rate_limit', 'rate_limited', 'too_many_requests')
    ) w on true
    where n.attempt > 1
    group by n.node_type`;
  gauge(registry, "ledgerline_node_retries", "Node attempts beyond the first, over stored node runs.", ["node_type"],
    retries.map((r) => ({ labels: { node_type: r.node_type }, value: r.retries })));
  gauge(registry, "ledgerline_rate_limit_waits", "Retries that waited because the remote system answered HTTP 429.", ["node_type"],
    retries.map((r) => ({ labels: { node_type: r.node_type }, value: r.waits })));
  gauge(registry, "ledgerline_rate_limit_wait_seconds", "Time spent waiting for rate limits (Retry-After or backoff), in all.", ["node_type"],
    retries.map((r) => ({ labels: { node_type: r.node_type }, value: r.wait_seconds })));

  const jobs = await sql<{ task: string; state: string; n: number; oldest_s: number | null }[]>`
    select task_identifier as task,
           case when locked_at is not null then 'locked' when run_at > now() then 'scheduled' else 'ready' end as state,
           count(*)::int as n,
           extract(epoch from now() - min(run_at) filter (where locked_at is null and run_at <= now()))::float8 as oldest_s
    from graphile_worker.jobs group by 1, 2`;
  gauge(registry, "ledgerline_queue_jobs", "graphile-worker jobs by task and state (ready, scheduled, locked).", ["task", "state"],
    jobs.map((j) => ({ labels: { task: j.task, state: j.state }, value: j.n })));
  gauge(registry, "ledgerline_queue_oldest_ready_job_age_seconds", "How long the oldest job that is ready to run has waited.", ["task"],
    jobs.filter((j) => j.state === "ready").map((j) => ({ labels: { task: j.task }, value: Math.max(0, j.oldest_s ?? 0) })));

  const rejections = await sql<{ workspace: string; flow_id: string; flow: string; status: number; n: number }[]>`
    select coalesce(w.slug, '') as workspace, x.flow_id, coalesce(f.name, '') as flow, x.status, sum(x.count)::int as n
    from webhook_rejections x left join flows f on f.id::text = x.flow_id left join workspaces w on w.id = f.workspace_id
    group by 1, 2, 3, 4`;
  gauge(registry, "ledgerline_webhook_rejections", "Webhook deliveries refused, by flow and HTTP status (401: bad signature).", ["workspace", "flow_id", "flow", "status"],
    rejections.map((r) => ({ labels: { workspace: r.workspace, flow_id: r.flow_id, flow: r.flow, status: String(r.status) }, value: r.n })));

  const open = await sql<{ workspace: string; alerts: number; reviews: number }[]>`
    select w.slug as workspace,
           (select count(*)::int from alerts a where a.workspace_id = w.id and a.status = 'open') as alerts,
           (select count(*)::int from review_items i where i.workspace_id = w.id and i.status = 'open') as reviews
    from workspaces w`;
  gauge(registry, "ledgerline_open_alerts", "Alerts open (a cause not yet resolved).", ["workspace"], open.map((o) => ({ labels: { workspace: o.workspace }, value: o.alerts })));
  gauge(registry, "ledgerline_open_review_items", "Review items waiting for a person.", ["workspace"], open.map((o) => ({ labels: { workspace: o.workspace }, value: o.reviews })));
  return registry;
}
