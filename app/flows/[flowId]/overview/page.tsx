"use client";
/** A flow's overview: runs per day by outcome, per-step duration percentiles, and its runs. */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useMemo, useState } from "react";
import { CheckpointCard } from "../../../components/CheckpointCard";
import { TemplateImprovementsCard } from "../../../components/TemplateImprovementsCard";
import { RunNowDialog } from "../../../components/RunNow";
import { RunsTable } from "../../../components/RunsTable";
import { ErrorBox, Loading, PageHeader, STATUS_COLORS, STATUS_LABELS, StatusBadge, formatDuration } from "../../../components/ui";
import { RUN_OUTCOME_ORDER } from "../../../../engine/status";
import { useCan } from "../../../lib/role";
import { useTRPC } from "../../../lib/trpc";

const OUTCOMES = RUN_OUTCOME_ORDER;

function RunsPerDayChart({ perDay, days }: { perDay: { day: string; status: string; count: number }[]; days: number }) {
  const series = useMemo(() => {
    const out: { day: string; counts: Record<string, number>; total: number }[] = [];
    const today = new Date();
    for (let i = days - 1; i >= 0; i--) {
      const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
      const key = d.toISOString().slice(0, 10);
      const counts: Record<string, number> = {};
      for (const row of perDay.filter((p) => p.day === key)) counts[row.status] = (counts[row.status] ?? 0) + row.count;
      out.push({ day: key, counts, total: Object.values(counts).reduce((a, b) => a + b, 0) });
    }
    return out;
  }, [perDay, days]);
  const max = Math.max(1, ...series.map((s) => s.total));
  const W = 760, H = 220, padL = 36, padB = 26, padT = 10;
  const bw = (W - padL) / series.length;
  const y = (v: number) => padT + (H - padT - padB) * (1 - v / max);
  const ticks = [...new Set([0, Math.ceil(max / 2), max])];
  return (
    <div>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="Runs per day by outcome" data-testid="runs-chart">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={padL} x2={W} y1={y(t)} y2={y(t)} stroke="#eef0f3" />
            <text x={padL - 6} y={y(t) + 4} textAnchor="end" fontSize="10" fill="#98a2b3">{t}</text>
          </g>
        ))}
        {series.map((s, i) => {
          let acc = 0;
          const x = padL + i * bw + bw * 0.18;
          return (
            <g key={s.day}>
              <title>{`${s.day}: ${s.total} run${s.total === 1 ? "" : "s"}${Object.entries(s.counts).map(([k, v]) => `, ${v} ${STATUS_LABELS[k]?.toLowerCase() ?? k}`).join("")}`}</title>
              {OUTCOMES.map((o) => {
                const n = s.counts[o] ?? 0;
                if (!n) return null;
                const top = y(acc + n);
                const h = y(acc) - top;
                acc += n;
                return <rect key={o} x={x} y={top} width={bw * 0.64} height={Math.max(h, 1)} fill={STATUS_COLORS[o] ?? "#9ca3af"} rx={1.5} />;
              })}
              {(i % Math.ceil(series.length / 7) === 0 || i === series.length - 1) ? (
                <text x={x + bw * 0.32} y={H - 8} textAnchor="middle" fontSize="10" fill="#98a2b3">{s.day.slice(5)}</text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <div className="row-wrap small muted" style={{ marginTop: 6 }}>
        {OUTCOMES.slice(0, 4).map((o) => (
          <span key={o} className="row" style={{ gap: 5 }}><span className="dot" style={{ background: STATUS_COLORS[o] }} />{STATUS_LABELS[o]}</span>
        ))}
      </div>
    </div>
  );
}

export default function FlowOverviewPage() {
  const { flowId } = useParams<{ flowId: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [days, setDays] = useState(14);
  const flow = useQuery(trpc.flows.get.queryOptions({ flowId }));
  const stats = useQuery({ ...trpc.flows.stats.queryOptions({ flowId, days }), refetchInterval: 15_000 });
  const [runNowOpen, setRunNowOpen] = useState(false);
  const canRun = useCan("operator");

  if (flow.isLoading) return <div className="page"><Loading what="Loading flow" /></div>;
  if (flow.error || !flow.data) return <div className="page"><ErrorBox error={flow.error} title="Could not load this flow" /></div>;
  const { flow: f, definition } = flow.data;
  const nodeName = (id: string) => definition.nodes.find((n) => n.id === id)?.name || id;
  const totals = (stats.data?.perDay ?? []).reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + r.count }), {});
  const total = Object.values(totals).reduce((a, b) => a + b, 0);
  const perNode = [...(stats.data?.perNode ?? [])].sort((a, b) => definition.nodes.findIndex((n) => n.id === a.nodeId) - definition.nodes.findIndex((n) => n.id === b.nodeId));
  const maxP95 = Math.max(1, ...perNode.map((n) => n.p95));

  return (
    <div className="page">
      <PageHeader
        breadcrumb={<><Link href="/flows">Flows</Link> / Overview</>}
        title={<span className="row">{f.name} {f.active ? <StatusBadge status="succeeded" label="Active" /> : <StatusBadge status="inactive" label="Inactive" />}</span>}
        description={f.description || `Version ${f.latestVersion}`}
        actions={
          <>
            {canRun ? <button className="btn" onClick={() => setRunNowOpen(true)} data-testid="run-now">▶ Run now</button> : null}
            <Link className="btn btn-primary" href={`/flows/${flowId}`}>Open editor</Link>
          </>
        }
      />
      {runNowOpen ? <RunNowDialog flowId={flowId} onClose={() => setRunNowOpen(false)} onStarted={() => void queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() })} /> : null}

      <div className="grid-cards" style={{ gridTemplateColumns: "repeat(4, minmax(0, 1fr))", marginBottom: 16 }}>
        {[
          ["Runs", total, "var(--text)"],
          ["Succeeded", (totals.succeeded ?? 0), "var(--ok-text)"],
          ["Needs review", totals.needs_review ?? 0, "var(--review-text)"],
          ["Failed", totals.failed ?? 0, "var(--fail-text)"],
        ].map(([label, value, color]) => (
          <div key={label as string} className="card card-body stat">
            <span className="value" style={{ color: color as string }}>{(value as number).toLocaleString()}</span>
            <span className="label">{label} · last {days} days</span>
          </div>
        ))}
      </div>

      <div style={{ display: "grid", gridTemplateColumns: "minmax(0, 3fr) minmax(0, 2fr)", gap: 16 }}>
        <div className="card">
          <div className="card-header">
            <h3>Runs per day</h3>
            <select className="select select-sm" value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Days">
              <option value={7}>7 days</option>
              <option value={14}>14 days</option>
              <option value={30}>30 days</option>
              <option value={90}>90 days</option>
            </select>
          </div>
          <div className="card-body">{stats.isLoading ? <Loading /> : stats.error ? <ErrorBox error={stats.error} /> : <RunsPerDayChart perDay={stats.data!.perDay} days={days} />}</div>
        </div>
        <div className="card">
          <div className="card-header"><h3>Step durations</h3><span className="small muted">p50 / p95{stats.data && stats.data.timedRuns >= stats.data.timedRunsCap ? ` of the latest ${stats.data.timedRunsCap.toLocaleString("en-US")} runs` : ""}</span></div>
          <div className="card-body">
            {stats.isLoading ? <Loading /> : perNode.length === 0 ? (
              <div className="muted small">No timings yet: they appear once the flow has run.</div>
            ) : (
              <div className="stack" style={{ gap: 10 }} data-testid="node-durations">
                {perNode.map((n) => (
                  <div key={n.nodeId}>
                    <div className="row small"><span className="truncate" style={{ flex: 1, fontWeight: 550 }}>{nodeName(n.nodeId)}</span><span className="muted nowrap">{formatDuration(n.p50)} / {formatDuration(n.p95)}</span></div>
                    <div style={{ position: "relative", height: 8, background: "#eef0f3", borderRadius: 4, marginTop: 3 }}>
                      <div style={{ position: "absolute", inset: 0, width: `${(100 * n.p95) / maxP95}%`, background: "#bfd0f7", borderRadius: 4 }} title={`p95 ${n.p95} ms`} />
                      <div style={{ position: "absolute", inset: 0, width: `${(100 * n.p50) / maxP95}%`, background: "var(--accent)", borderRadius: 4 }} title={`p50 ${n.p50} ms`} />
                    </div>
                  </div>
                ))}
              </div>
            )}
          </div>
        </div>
      </div>

      <TemplateImprovementsCard flowId={flowId} />
      <CheckpointCard flowId={flowId} />

      <div className="section-title"><h2>Runs of this flow</h2><Link className="small" href={`/runs?flowId=${flowId}`}>Open in Runs with filters →</Link></div>
      <RunsTable filter={{ flowId }} showFlow={false} pageSize={25} emptyHint="This flow has not run yet. Click Run now, or activate it so its trigger fires." />
    </div>
  );
}
