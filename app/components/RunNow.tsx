"use client";
/**
 * "Run now" asks for the record to run (runInput router): a recent source document picked from
 * the trigger's own source when it can list them (poll triggers), or a form built from the
 * trigger's input schema, prefilled with sample data (JSON editing for the rest). The record is
 * checked against the trigger's schema before flows.runNow starts the run.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "../lib/trpc";
import { JsonInput, SchemaForm, type JsonSchema } from "./SchemaForm";
import { ErrorBox, Modal, errorMessage } from "./ui";
import "./editor/editor.css";

export function RunNowDialog({ flowId, onClose, onStarted }: { flowId: string; onClose: () => void; onStarted?: (runId: string) => void }) {
  const trpc = useTRPC();
  const described = useQuery({ ...trpc.runInput.describe.queryOptions({ flowId }), staleTime: 0 });
  const [listing, setListing] = useState(false);
  const recent = useQuery({ ...trpc.runInput.recent.queryOptions({ flowId, limit: 25 }), enabled: listing, staleTime: 0 });
  const [data, setData] = useState<unknown>(undefined);
  const [picked, setPicked] = useState<string | null>(null);
  const [asJson, setAsJson] = useState(false);
  const [issues, setIssues] = useState<{ path: string; message: string }[]>([]);
  const [runId, setRunId] = useState<string | null>(null);
  const check = useMutation(trpc.runInput.check.mutationOptions());
  const run = useMutation(trpc.flows.runNow.mutationOptions());

  const info = described.data;
  const value = data === undefined ? info?.sample : data;
  const schema = (info?.inputSchema ?? {}) as JsonSchema;
  const hasForm = Boolean(schema.properties && Object.keys(schema.properties).length > 0);

  async function start() {
    setIssues([]);
    try {
      const { issues: found } = await check.mutateAsync({ flowId, data: value });
      if (found.length) {
        setIssues(found);
        return;
      }
      const res = await run.mutateAsync({ flowId, data: value });
      setRunId(res.runId);
      onStarted?.(res.runId);
    } catch {
      // shown below from the mutation's error
    }
  }

  return (
    <Modal
      title="Run now"
      wide
      onClose={onClose}
      footer={
        runId ? (
          <>
            <button className="btn" onClick={onClose}>Close</button>
            <Link className="btn btn-primary" href={`/runs/${runId}`} data-testid="run-now-follow">Follow the run →</Link>
          </>
        ) : (
          <>
            <button className="btn" onClick={onClose}>Cancel</button>
            <button className="btn btn-primary" data-testid="run-now-start" disabled={!info || check.isPending || run.isPending} onClick={() => void start()}>
              {check.isPending || run.isPending ? "Starting…" : "▶ Run with this record"}
            </button>
          </>
        )
      }
    >
      {described.isLoading ? <p className="muted">Reading the trigger…</p> : null}
      <ErrorBox error={described.error} title="Cannot run this flow now" />
      {runId ? (
        <div className="alert alert-ok" data-testid="run-now-started">Run started with {picked ? `“${picked}”` : "this record"}.</div>
      ) : info ? (
        <div data-testid="run-now-form">
          <p className="small" style={{ marginTop: 0 }}>
            The run starts at <strong>{info.triggerTitle}</strong> with the record below, exactly as if the trigger had received it.
            {info.mode === "manual" ? " The manual trigger's sample data is filled in." : " Sample values are filled in from the trigger's input: replace them with a real record."}
          </p>
          {info.canListRecent ? (
            <div className="card" style={{ marginBottom: 12 }}>
              <div className="card-header">
                <h3>Recent source documents</h3>
                <button className="btn btn-sm" data-testid="run-now-load-recent" disabled={recent.isFetching} onClick={() => (listing ? void recent.refetch() : setListing(true))}>
                  {recent.isFetching ? "Reading…" : listing ? "Refresh" : "Load from the source"}
                </button>
              </div>
              {listing ? (
                <div className="card-body" style={{ maxHeight: 220, overflow: "auto", padding: 0 }}>
                  {recent.error ? <div style={{ padding: 12 }}><ErrorBox error={recent.error} title="Could not read the source" /></div> : null}
                  {recent.data?.length === 0 ? <p className="muted small" style={{ padding: 12 }}>The source has no documents in the trigger&apos;s look-back window.</p> : null}
                  <ul className="stack" style={{ listStyle: "none", margin: 0, padding: 0, gap: 0 }} data-testid="run-now-recent">
                    {[...(recent.data ?? [])].reverse().map((r) => (
                      <li key={`${r.key}@${r.version}`}>
                        <label className="row small" style={{ padding: "7px 12px", cursor: "pointer", borderBottom: "1px solid var(--border)" }}>
                          <input
                            type="radio"
                            name="recent-record"
                            checked={picked === r.label}
                            onChange={() => {
                              setPicked(r.label);
                              setData(r.data);
                              setIssues([]);
                            }}
                          />
                          <span style={{ fontWeight: 550 }}>{r.label}</span>
                          <span className="muted truncate">{r.key}</span>
                        </label>
                      </li>
                    ))}
                  </ul>
                </div>
              ) : (
                <p className="card-body muted small" style={{ margin: 0 }}>Pick a real document from the connected system instead of typing one.</p>
              )}
            </div>
          ) : null}
          <div className="row" style={{ justifyContent: "space-between", marginBottom: 6 }}>
            <strong className="small">Record</strong>
            {hasForm ? (
              <button type="button" className="btn btn-xs btn-ghost" onClick={() => setAsJson(!asJson)} data-testid="run-now-toggle-json">
                {asJson ? "Edit as a form" : "Edit as JSON"}
              </button>
            ) : null}
          </div>
          <div className="ed-config" style={{ padding: 0 }}>
            {hasForm && !asJson ? (
              <SchemaForm
                schema={schema}
                value={(value && typeof value === "object" && !Array.isArray(value) ? value : {}) as Record<string, unknown>}
                onChange={(v) => {
                  setData(v);
                  setPicked(null);
                }}
                context={{ problems: Object.fromEntries(issues.map((i) => [i.path, i.message])), connectionId: null, idPrefix: "run-now" }}
              />
            ) : (
              <JsonInput
                id="run-now-json"
                rows={10}
                value={value}
                onChange={(v) => {
                  setData(v);
                  setPicked(null);
                }}
              />
            )}
          </div>
          {issues.length ? (
            <div className="alert alert-error small" role="alert" data-testid="run-now-issues" style={{ marginTop: 10 }}>
              The trigger would not accept this record:
              <ul style={{ margin: "4px 0 0 18px", padding: 0 }}>
                {issues.map((i) => (
                  <li key={i.path + i.message}>
                    {i.path ? <code>{i.path}</code> : "record"}: {i.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {run.error || check.error ? <div className="alert alert-error small" style={{ marginTop: 10 }}>Not started: {errorMessage(run.error ?? check.error)}</div> : null}
        </div>
      ) : null}
    </Modal>
  );
}
