"use client";
/**
 * Reconciliation: per flow and day, the source documents, what was posted by key, Avalara's
 * current tax against the posted tax, and the gaps, each with a replay; a chart of the last 30
 * days (recharts) and a CSV export.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import Papa from "papaparse";
import { useSearchParams } from "next/navigation";
import { Suspense, useMemo, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { EmptyState, ErrorBox, Loading, PageHeader, timeAgo } from "../components/ui";
import { useTRPC } from "../lib/trpc";

type GapKind = "parked_for_review" | "awaiting_approval" | "missing" | "duplicated" | "amount_mismatch";
const GAP_LABELS: Record<GapKind, string> = {
  parked_for_review: "Parked for review",
  awaiting_approval: "Awaiting approval",
  missing: "Missing",
  duplicated: "Duplicated",
  amount_mismatch: "Amount mismatch",
};
const GAP_COLORS: Record<GapKind, string> = { parked_for_review: "#b7791f", awaiting_approval: "#2b6cb0", missing: "#c53030", duplicated: "#6b46c1", amount_mismatch: "#dd6b20" };
const today = () => new Date().toISOString().slice(0, 10);
const money = (n: number | null | undefined) => (n === null || n === undefined ? "—" : n.toFixed(2));

export default function ReportsPageWithParams() {
  return (
    <Suspense fallback={<Loading />}>
      <ReportsPage />
    </Suspense>
  );
}

function ReportsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const params = useSearchParams();
  const flows = useQuery(trpc.reports.flows.queryOptions());
  // An alert links here with ?flow=<id>&day=<YYYY-MM-DD>.
  const [picked, setPicked] = useState<string>(params.get("flow") ?? "");
  const [day, setDay] = useState<string>(/^\d{4}-\d{2}-\d{2}$/.test(params.get("day") ?? "") ? params.get("day")! : today());
  const [notice, setNotice] = useState<string | null>(null);
  const flowId = picked || flows.data?.[0]?.id || "";
  // A Commerce -> AP bill report compares the order's total with the bill's, not tax.
  const amounts = flows.data?.find((f) => f.id === flowId)?.kind === "commerce" ? { posted: "Billed", expected: "Order total" } : { posted: "Posted tax", expected: "Avalara tax" };
  const history = useQuery({ ...trpc.reports.history.queryOptions({ flowId, days: 30 }), enabled: Boolean(flowId) });
  const report = useQuery({ ...trpc.reports.get.queryOptions({ flowId, day }), enabled: Boolean(flowId) });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.reports.pathKey() });
  const run = useMutation(trpc.reports.run.mutationOptions({ onSuccess: refresh }));
  const replay = useMutation(trpc.reports.replay.mutationOptions({ onSuccess: (r) => setNotice(`Replay started: run ${r.runId.slice(0, 8)}. Build the report again once it has finished.`) }));
  const replayKind = useMutation(
    trpc.reports.replayKind.mutationOptions({
      onSuccess: (r) => setNotice(`${r.runIds.length} replay${r.runIds.length === 1 ? "" : "s"} started${r.errors.length ? `; ${r.errors.length} could not start: ${r.errors[0]!.message}` : ""}.`),
    }),
  );

  const chart = useMemo(
    () => (history.data ?? []).map((h) => ({ day: h.day.slice(5), seen: h.summary.seen, posted: h.summary.posted, ...h.summary.gaps })),
    [history.data],
  );
  const gaps = (report.data?.documents ?? []).filter((d) => d.gap);

  const exportCsv = () => {
    if (!report.data) return;
    // Named columns, so a day without documents still exports its header.
    const csv = Papa.unparse({
      fields: ["day", "document", "label", "source_version", "entries_in_force", "posted_tax", "avalara_tax", "gap", "run_id"],
      data: report.data.documents.map((d) => [report.data!.day, d.document, d.label, d.version, d.entriesInForce, d.postedTax ?? "", d.currentTax ?? "", d.gap ?? "", d.runId ?? ""]),
    });
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `reconciliation-${day}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div className="page">
      <PageHeader
        title="Reconciliation"
        description="Per flow and day: every source document, what was posted for it (read from the target system by its key), the tax engine's current figure against the posted tax, and the gaps. Rebuilt every hour for active flows; replay a gap once its cause is fixed."
      />
      {notice ? <div className="alert alert-ok" role="status" style={{ marginBottom: 12 }}>{notice} <button className="btn btn-xs btn-ghost" onClick={() => setNotice(null)}>OK</button></div> : null}
      <ErrorBox error={run.error ?? replay.error ?? replayKind.error ?? report.error} />
      {flows.isLoading ? <Loading /> : (flows.data ?? []).length === 0 ? (
        <EmptyState title="No flow to reconcile">Reconciliation covers flows that post tax from Exact Online invoices through Avalara; create one from the templates.</EmptyState>
      ) : (
        <>
          <div className="row row-wrap" style={{ gap: 8, marginBottom: 12 }}>
            <select aria-label="Flow" className="input input-sm" value={flowId} onChange={(e) => setPicked(e.target.value)}>
              {(flows.data ?? []).map((f) => <option key={f.id} value={f.id}>{f.name}{f.active ? "" : " (inactive)"}</option>)}
            </select>
            <input aria-label="Day" className="input input-sm" type="date" value={day} onChange={(e) => setDay(e.target.value)} />
            <button className="btn btn-primary btn-sm" onClick={() => run.mutate({ flowId, day })} disabled={run.isPending}>{run.isPending ? "Building…" : "Build report now"}</button>
            <button className="btn btn-sm" onClick={exportCsv} disabled={!report.data}>Export CSV</button>
          </div>

          <section className="card" style={{ marginBottom: 16 }} aria-label="Last 30 days">
            <div className="card-header"><h2 className="section-title" style={{ margin: 0 }}>Last 30 days</h2></div>
            <div className="card-body" style={{ height: 240 }} data-testid="reconciliation-chart">
              {chart.length === 0 ? <span className="muted small">No reports yet.</span> : (
                <ResponsiveContainer width="100%" height="100%">
                  <BarChart data={chart}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="day" fontSize={11} />
                    <YAxis allowDecimals={false} fontSize={11} />
                    <Tooltip />
                    <Legend />
                    <Bar dataKey="posted" name="Posted" fill="#2f855a" />
                    {(Object.keys(GAP_LABELS) as GapKind[]).map((k) => <Bar key={k} dataKey={k} name={GAP_LABELS[k]} stackId="gaps" fill={GAP_COLORS[k]} />)}
                  </BarChart>
                </ResponsiveContainer>
              )}
            </div>
          </section>

          {report.isLoading ? <Loading /> : !report.data ? (
            <EmptyState title={`No report for ${day} yet`}>Build it now, or wait for the hourly run.</EmptyState>
          ) : (
            <>
              <div className="grid-cards" style={{ gridTemplateColumns: "repeat(auto-fill, minmax(160px, 1fr))", marginBottom: 16 }} data-testid="reconciliation-summary">
                <div className="card card-body"><div className="stat"><span className="value">{report.data.summary.seen}</span><span className="label">Source documents</span></div></div>
                <div className="card card-body"><div className="stat"><span className="value">{report.data.summary.posted}</span><span className="label">Posted</span></div></div>
                <div className="card card-body"><div className="stat"><span className="value">{money(report.data.summary.postedTax)}</span><span className="label">Tax posted</span><span className="small muted">Avalara now: {money(report.data.summary.currentTax)}</span></div></div>
                {(Object.keys(GAP_LABELS) as GapKind[]).map((k) => (
                  <div key={k} className="card card-body">
                    <div className="stat">
                      <span className="value" style={{ color: report.data!.summary.gaps[k] ? GAP_COLORS[k] : undefined }}>{report.data!.summary.gaps[k] ?? 0}</span>
                      <span className="label">{GAP_LABELS[k]}</span>
                      {!report.data!.summary.gaps[k] ? null : k === "awaiting_approval" ? (
                        <Link className="btn btn-xs" href="/approvals">Approvals</Link>
                      ) : (
                        <button className="btn btn-xs" onClick={() => replayKind.mutate({ flowId, day, kind: k })} disabled={replayKind.isPending}>Replay all</button>
                      )}
                    </div>
                  </div>
                ))}
              </div>
              <p className="small muted">
                Built {timeAgo(report.data.generatedAt)}{report.data.summary.truncated ? " · stopped at the per-report limit: not every document was read" : ""} · {gaps.length} gap{gaps.length === 1 ? "" : "s"}
              </p>
              <div className="table-wrap card">
                <table className="table" data-testid="reconciliation-documents">
                  <thead><tr><th>Document</th><th>Source version</th><th className="right">Entries in force</th><th className="right">{amounts.posted}</th><th className="right">{amounts.expected}</th><th>Gap</th><th /></tr></thead>
                  <tbody>
                    {report.data.documents.map((d) => (
                      <tr key={d.document} data-gap={d.gap ?? ""}>
                        <td>{d.label}<div className="small muted">{d.document}</div></td>
                        <td className="small">{d.version}</td>
                        <td className="right">{d.entriesInForce}</td>
                        <td className="right">{money(d.postedTax)}</td>
                        <td className="right">{money(d.currentTax)}</td>
                        <td>{d.gap ? <span className="badge badge-fail">{GAP_LABELS[d.gap as GapKind]}</span> : <span className="badge badge-ok">ok</span>}</td>
                        <td className="right nowrap">
                          {d.runId ? <Link className="btn btn-xs btn-ghost" href={`/runs/${d.runId}`}>Run</Link> : null}{" "}
                          {d.gap === "awaiting_approval" ? (
                            <Link className="btn btn-xs" href="/approvals">Approve or reject</Link>
                          ) : d.gap ? (
                            <button className="btn btn-xs" onClick={() => replay.mutate({ flowId, day, document: d.document })} disabled={replay.isPending}>Replay</button>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
    </div>
  );
}
