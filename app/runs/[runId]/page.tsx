"use client";
/**
 * One run: the flow drawn with each node's outcome, per node the input, output, attempts (errors
 * and backoff), logs and HTTP calls; replay from the failed node or the start; the record's audit trail.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { useState } from "react";
import { HttpCalls, type HttpCall } from "../../components/HttpCalls";
import { RunGraph } from "../../components/RunGraph";
import { SummarySources } from "../../components/SummarySources";
import { ErrorBox, Json, Loading, PageHeader, StatusBadge, TRIGGER_LABELS, formatDuration, formatTime } from "../../components/ui";
import { useCan } from "../../lib/role";
import { useTRPC } from "../../lib/trpc";
import { isTerminalRunStatus } from "../../../engine/status";


interface Attempt { attempt: number; startedAt: string; durationMs: number; error?: { kind: string; message: string; status?: number; code?: string; retryAfterMs?: number }; delayMs?: number }
interface LogLine { level: "info" | "warn" | "error"; message: string; data?: unknown; at: string }
interface RunError { kind?: string; name?: string; message?: string; status?: number; code?: string; system?: string }

export default function RunPage() {
  const { runId } = useParams<{ runId: string }>();
  const trpc = useTRPC();
  // Replays are the operator's (the server refuses them to viewers anyway).
  const mayReplay = useCan("operator");
  const router = useRouter();
  const run = useQuery({
    ...trpc.runs.get.queryOptions({ runId }),
    refetchInterval: (q) => (q.state.data && isTerminalRunStatus(q.state.data.run.status) ? false : 1500),
  });
  const registry = useQuery({ ...trpc.registry.nodes.queryOptions(), staleTime: Infinity });
  const recordKey = run.data?.run.recordKey ?? "";
  const audit = useQuery({ ...trpc.runs.record.queryOptions({ recordKey }), enabled: !!recordKey });
  const [selected, setSelected] = useState<string | null>(null);
  const [tab, setTab] = useState<"input" | "output" | "attempts" | "logs" | "http">("http");
  const replay = useMutation(trpc.runs.replay.mutationOptions({ onSuccess: (r) => r && router.push(`/runs/${r.runId}`) }));

  if (run.isLoading) return <div className="page"><Loading what="Loading run" /></div>;
  if (run.error || !run.data) return <div className="page"><ErrorBox error={run.error ?? new Error("run not found")} title="Could not load this run" /></div>;

  const { run: r, definition, nodeRuns, replays, reviews, redacted } = run.data;
  const typeTitles = Object.fromEntries((registry.data ?? []).map((n) => [n.type, n.title]));
  const statuses = Object.fromEntries(nodeRuns.map((n) => [n.nodeId, { status: n.status, durationMs: n.durationMs }]));
  const nodeId = selected ?? r.failedNodeId ?? nodeRuns[nodeRuns.length - 1]?.nodeId ?? definition.nodes[0]?.id ?? null;
  const nodeRun = nodeRuns.find((n) => n.nodeId === nodeId);
  const node = definition.nodes.find((n) => n.id === nodeId);
  const error = r.error as RunError | null;
  const canReplay = mayReplay && isTerminalRunStatus(r.status) && r.status !== "dry_run";
  const attempts = (nodeRun?.attempts ?? []) as Attempt[];
  const logs = (nodeRun?.logs ?? []) as LogLine[];
  const calls = (nodeRun?.httpCalls ?? []) as HttpCall[];

  return (
    <div className="page">
      <PageHeader
        breadcrumb={<><Link href="/runs">Runs</Link> / {r.flowName}</>}
        title={
          <span className="row">
            {r.recordLabel || r.recordKey} <StatusBadge status={r.status} />
          </span>
        }
        description={
          <>
            {TRIGGER_LABELS[r.triggerKind] ?? r.triggerKind} run of <Link href={`/flows/${r.flowId}/overview`}>{r.flowName}</Link> (version {r.version}
            {r.latestVersion !== r.version ? `, latest is ${r.latestVersion}` : ""}) · started {formatTime(r.startedAt ?? r.createdAt)} · {formatDuration(r.durationMs)}
          </>
        }
        actions={
          canReplay ? (
            <>
              {r.failedNodeId ? (
                <button className="btn btn-primary" disabled={replay.isPending} onClick={() => replay.mutate({ runId, from: "failed", version: "own" })}>↺ Replay from failed step</button>
              ) : null}
              <button className="btn" disabled={replay.isPending} onClick={() => replay.mutate({ runId, from: "start", version: "own" })}>Replay from start</button>
              {r.latestVersion !== r.version ? (
                <button className="btn" disabled={replay.isPending} onClick={() => replay.mutate({ runId, from: r.failedNodeId ? "failed" : "start", version: "latest" })}>
                  Replay on latest version (v{r.latestVersion})
                </button>
              ) : null}
              <Link className="btn btn-ghost" href={`/flows/${r.flowId}`}>Open in editor</Link>
            </>
          ) : (
            <Link className="btn" href={`/flows/${r.flowId}`}>Open in editor</Link>
          )
        }
      />
      <ErrorBox error={replay.error} title="Replay failed" />
      {r.status === "awaiting_approval" ? (
        <div className="alert alert-warn" style={{ marginBottom: 16 }} data-testid="run-awaiting-approval">
          <strong>Waiting for approval: </strong>a write of this run posts only once an approver approves it.{" "}
          <Link href="/approvals">Open Approvals</Link>
        </div>
      ) : null}
      {error?.message ? (
        <div className={`alert ${r.status === "needs_review" ? "alert-warn" : "alert-error"}`} style={{ marginBottom: 16 }} data-testid="run-error">
          <strong>{r.status === "needs_review" ? "Needs a person: " : r.status === "rejected" ? "Rejected: " : "Failed: "}</strong>
          {r.failedNodeId ? <span className="mono">{r.failedNodeId} · </span> : null}
          {error.message}
          {error.status ? <span className="small"> (HTTP {error.status}{error.code ? `, ${error.code}` : ""})</span> : null}
        </div>
      ) : null}
      {r.parentRunId || replays.length || reviews.length ? (
        <div className="row-wrap small" style={{ marginBottom: 12 }}>
          {r.parentRunId ? <span className="badge plain badge-accent">Replay of <Link href={`/runs/${r.parentRunId}`} style={{ marginLeft: 4 }}>an earlier run</Link>{r.replayFromNodeId ? ` from ${r.replayFromNodeId}` : ""}</span> : null}
          {replays.map((rp) => <Link key={rp.id} href={`/runs/${rp.id}`} className={`badge status-${rp.status}`}>Replayed {formatTime(rp.createdAt)}</Link>)}
          {reviews.map((rv) => <Link key={rv.id} href="/review" className={`badge ${rv.status === "open" ? "badge-review" : ""}`}>Review: {rv.reason} ({rv.status})</Link>)}
        </div>
      ) : null}

      <div className="card" style={{ overflow: "hidden", marginBottom: 16 }}>
        <RunGraph definition={definition} statuses={statuses} typeTitles={typeTitles} selectedNodeId={nodeId} onSelect={setSelected} />
      </div>

      <div style={{ display: "grid", gridTemplateColumns: "240px minmax(0, 1fr)", gap: 16 }}>
        <div className="card" style={{ alignSelf: "start" }}>
          <div className="card-header"><h3>Steps</h3></div>
          <div>
            {definition.nodes.map((n) => {
              const nr = nodeRuns.find((x) => x.nodeId === n.id);
              return (
                <button
                  key={n.id}
                  onClick={() => setSelected(n.id)}
                  className="row"
                  data-testid={`step-${n.id}`}
                  style={{ width: "100%", border: 0, borderBottom: "1px solid #eef0f3", background: n.id === nodeId ? "var(--accent-soft)" : "transparent", padding: "8px 12px", textAlign: "left", cursor: "pointer", font: "inherit" }}
                >
                  <span className="truncate" style={{ flex: 1 }}>{n.name || n.id}</span>
                  {nr ? <StatusBadge status={nr.status} /> : <span className="small subtle">not reached</span>}
                </button>
              );
            })}
          </div>
        </div>
        <div className="card" data-testid="node-detail">
          <div className="card-header">
            <div style={{ minWidth: 0 }}>
              <h3>{node?.name || nodeId}</h3>
              <div className="small muted">{node ? (typeTitles[node.type] ?? node.type) : ""}{nodeRun ? ` · ${nodeRun.attempt} attempt${nodeRun.attempt === 1 ? "" : "s"} · ${formatDuration(nodeRun.durationMs)}` : ""}</div>
            </div>
            {nodeRun ? <StatusBadge status={nodeRun.status} /> : <span className="small subtle">This step did not run</span>}
          </div>
          <div className="card-body">
            {nodeRun ? (
              <>
                <div className="tabs" role="tablist">
                  {([
                    ["http", "HTTP calls", calls.length],
                    ["input", "Input", null],
                    ["output", "Output", null],
                    ["attempts", "Attempts", attempts.length],
                    ["logs", "Logs", logs.length],
                  ] as const).map(([k, label, n]) => (
                    <button key={k} role="tab" aria-selected={tab === k} className={`tab${tab === k ? " active" : ""}`} onClick={() => setTab(k)}>
                      {label}{n !== null ? <span className="n">{n}</span> : null}
                    </button>
                  ))}
                </div>
                {nodeRun.error ? <div className="alert alert-error" style={{ marginBottom: 10 }}>{(nodeRun.error as RunError).message}</div> : null}
                {redacted ? (
                  <div className="muted small" style={{ marginBottom: 10 }} data-testid="redacted-note">
                    Your role shows statuses, timings and which calls were made. Record data (inputs, outputs, HTTP bodies, log details) is shown to operators and above.
                  </div>
                ) : null}
                {tab === "input" ? <Json value={nodeRun.input} empty={redacted ? "Hidden for your role" : "No input"} /> : null}
                {tab === "output" && node?.type === "core.summaryClose" ? <SummarySources output={nodeRun.output} /> : null}
                {tab === "output" ? <Json value={nodeRun.output} empty={redacted ? "Hidden for your role" : "No output (the step did not finish)"} /> : null}
                {tab === "http" ? <HttpCalls calls={calls} /> : null}
                {tab === "attempts" ? (
                  attempts.length === 0 ? <div className="muted small">No attempts recorded.</div> : (
                    <table className="table">
                      <thead><tr><th>#</th><th>Started</th><th className="right">Took</th><th>Outcome</th><th className="right">Waited before next</th></tr></thead>
                      <tbody>
                        {attempts.map((a) => (
                          <tr key={a.attempt}>
                            <td>{a.attempt}</td>
                            <td className="muted nowrap">{formatTime(a.startedAt)}</td>
                            <td className="right">{formatDuration(a.durationMs)}</td>
                            <td>{a.error ? <span style={{ color: "var(--fail-text)" }}><span className="badge plain" style={{ marginRight: 6 }}>{a.error.kind}</span>{a.error.message}</span> : <span style={{ color: "var(--ok-text)" }}>OK</span>}</td>
                            <td className="right nowrap">{a.delayMs !== undefined ? `${formatDuration(a.delayMs)}${a.error?.retryAfterMs ? " (Retry-After)" : " (backoff)"}` : "—"}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )
                ) : null}
                {tab === "logs" ? (
                  logs.length === 0 ? <div className="muted small">No log lines.</div> : (
                    <div className="codebox">
                      {logs.map((l, i) => (
                        <div key={i} style={{ color: l.level === "error" ? "#fca5a5" : l.level === "warn" ? "#fcd34d" : undefined }}>
                          <span style={{ color: "#94a3b8" }}>{new Date(l.at).toLocaleTimeString()} {l.level.toUpperCase().padEnd(5)} </span>
                          {l.message}
                          {l.data !== undefined ? <span style={{ color: "#94a3b8" }}> {JSON.stringify(l.data)}</span> : null}
                        </div>
                      ))}
                    </div>
                  )
                ) : null}
              </>
            ) : (
              <div className="muted">This step was not reached in this run.</div>
            )}
          </div>
        </div>
      </div>

      <div className="section-title"><h2>Audit trail of this record</h2><span className="small muted mono">{r.recordKey}</span></div>
      <div className="table-wrap" data-testid="audit-trail">
        {audit.isLoading ? <Loading /> : audit.error ? <div className="card-body"><ErrorBox error={audit.error} /></div> : (
          <table className="table">
            <thead><tr><th>When</th><th>What</th><th>Who</th><th>Run</th></tr></thead>
            <tbody>
              {[
                ...(audit.data?.runs ?? []).map((x) => ({ at: new Date(x.createdAt), what: <><StatusBadge status={x.status} /> {TRIGGER_LABELS[x.triggerKind] ?? x.triggerKind} run of {x.flowName}</>, who: "Ledgerline", runId: x.id as string | null })),
                ...(audit.data?.events ?? []).map((e) => ({ at: new Date(e.at), what: <span>{e.action.replace(/[._]/g, " ")}</span>, who: e.actor, runId: e.runId })),
              ]
                .sort((a, b) => a.at.getTime() - b.at.getTime())
                .map((row, i) => (
                  <tr key={i}>
                    <td className="muted nowrap">{formatTime(row.at)}</td>
                    <td>{row.what}</td>
                    <td className="muted">{row.who}</td>
                    <td>{row.runId ? (row.runId === runId ? <span className="small muted">this run</span> : <Link href={`/runs/${row.runId}`}>open</Link>) : null}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
