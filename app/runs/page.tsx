"use client";
/**
 * Runs: every run of the workspace, newest first, filtered by status, flow, time range, error
 * class, record key and (operators) a field of the trigger record; server paging; bulk replay of
 * everything the filter matches.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useMemo, useState } from "react";
import { RunsTable, type RunFilter } from "../components/RunsTable";
import { ErrorBox, Modal, PageHeader, STATUS_COLORS, STATUS_LABELS } from "../components/ui";
import { useCan } from "../lib/role";
import { useTRPC } from "../lib/trpc";
import { parsePayloadPath } from "../../engine/payload-path";
import { REPLAYABLE_RUN_STATUSES, RUN_OUTCOME_ORDER, RUN_STATUSES, TERMINAL_RUN_STATUSES, type RunErrorKind, type RunStatus } from "../../engine/status";
import { TimeRangeSelect, useTimeRange } from "../components/TimeRange";

/** The status menu: what needs a person first, then the rest in lifecycle order. */
const STATUSES: readonly RunStatus[] = [...REPLAYABLE_RUN_STATUSES, ...RUN_STATUSES.filter((s) => !REPLAYABLE_RUN_STATUSES.includes(s))];
const ERROR_KINDS: Record<RunErrorKind, string> = { retryable: "Temporary (retryable)", permanent: "Permanent", needs_review: "Needs review", internal: "Internal" };
const TERMINAL = TERMINAL_RUN_STATUSES;

function RunsPage() {
  const trpc = useTRPC();
  const canReplay = useCan("operator");
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const queryClient = useQueryClient();
  const flows = useQuery(trpc.flows.list.queryOptions());

  const status = params.get("status") ?? "";
  const flowId = params.get("flowId") ?? "";
  const range = params.get("range") ?? "all";
  const errorKind = params.get("errorKind") ?? "";
  const recordKey = params.get("q") ?? "";
  const [search, setSearch] = useState(recordKey);
  // A field of the trigger record and the value it must equal (operators: the value is record data).
  const canSearchPayload = canReplay;
  const fieldPath = canSearchPayload ? (params.get("field") ?? "") : "";
  const fieldValue = params.get("value") ?? "";
  const [pathDraft, setPathDraft] = useState(fieldPath);
  const [valueDraft, setValueDraft] = useState(fieldValue);
  const pathProblem = useMemo(() => {
    if (!pathDraft.trim()) return null;
    try {
      parsePayloadPath(pathDraft);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }, [pathDraft]);
  const time = useTimeRange(range);

  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(name, value);
    else next.delete(name);
    router.replace(`${pathname}${next.toString() ? `?${next}` : ""}`);
  };

  useEffect(() => {
    const t = setTimeout(() => {
      if (search.trim() !== recordKey) setParam("q", search.trim());
    }, 350);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  useEffect(() => {
    const t = setTimeout(() => {
      const path = pathProblem ? fieldPath : pathDraft.trim();
      if (path === fieldPath && valueDraft === fieldValue) return;
      const next = new URLSearchParams(params.toString());
      if (path) next.set("field", path);
      else next.delete("field");
      if (path) next.set("value", valueDraft);
      else next.delete("value");
      router.replace(`${pathname}${next.toString() ? `?${next}` : ""}`);
    }, 350);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pathDraft, valueDraft, pathProblem]);

  const filter: RunFilter = useMemo(() => {
    return {
      ...(status ? { status: [status as RunStatus] } : {}),
      ...(flowId ? { flowId } : {}),
      ...(errorKind ? { errorKind: errorKind as RunErrorKind } : {}),
      ...(time.fromMs ? { from: new Date(time.fromMs) } : {}),
      ...(recordKey ? { recordKey } : {}),
      ...(fieldPath ? { payload: { path: fieldPath, value: fieldValue } } : {}),
    };
  }, [status, flowId, errorKind, recordKey, fieldPath, fieldValue, time.fromMs]);

  // Bulk replay
  const [confirming, setConfirming] = useState(false);
  const [from, setFrom] = useState<"failed" | "start">("failed");
  const [version, setVersion] = useState<"own" | "latest">("own");
  const [replayIds, setReplayIds] = useState<string[] | null>(null);
  const bulk = useMutation(
    trpc.runs.bulkReplay.mutationOptions({
      onSuccess: (r) => {
        setReplayIds(r.runIds);
        setConfirming(false);
      },
    }),
  );
  const progress = useQuery({
    ...trpc.runs.progress.queryOptions({ runIds: (replayIds ?? []).slice(0, 1000) }),
    enabled: !!replayIds && replayIds.length > 0,
    refetchInterval: (q) => {
      const data = q.state.data;
      if (!data) return 1000;
      const done = TERMINAL.reduce((sum, s) => sum + (data.byStatus[s] ?? 0), 0);
      return done >= data.total ? false : 1000;
    },
  });
  const done = progress.data ? TERMINAL.reduce((sum, s) => sum + (progress.data.byStatus[s] ?? 0), 0) : 0;
  useEffect(() => {
    if (progress.data && done >= progress.data.total) void queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
  }, [done, progress.data, queryClient, trpc]);

  const filtered = Boolean(status || flowId || errorKind || recordKey || fieldPath || range !== "all");

  return (
    <div className="page">
      <PageHeader
        title="Runs"
        description="Every record each flow processed: what came in, what each step did, and every HTTP call."
        actions={
          canReplay ? (
            <button className="btn" onClick={() => setConfirming(true)} disabled={!filtered} title={filtered ? "Replay every run the filter matches" : "Filter the runs first (for example status: Failed)"}>
              ↺ Replay matching runs
            </button>
          ) : null
        }
      />
      <div className="card card-body" style={{ marginBottom: 16 }}>
        <div className="row-wrap">
          <select className="select" aria-label="Status" value={status} onChange={(e) => setParam("status", e.target.value)}>
            <option value="">All statuses</option>
            {STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABELS[s]}</option>)}
          </select>
          <select className="select" aria-label="Flow" value={flowId} onChange={(e) => setParam("flowId", e.target.value)} style={{ maxWidth: 280 }}>
            <option value="">All flows</option>
            {flows.data?.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
          </select>
          <TimeRangeSelect
            value={range}
            onChange={(value) => {
              time.restart();
              setParam("range", value);
            }}
          />
          <select className="select" aria-label="Error class" value={errorKind} onChange={(e) => setParam("errorKind", e.target.value)}>
            <option value="">Any error class</option>
            {Object.entries(ERROR_KINDS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}
          </select>
          <input className="input" style={{ flex: 1, minWidth: 200 }} placeholder="Search record key (invoice number, order id…)" aria-label="Record key" value={search} onChange={(e) => setSearch(e.target.value)} />
          {filtered ? (
            <button className="btn btn-ghost btn-sm" onClick={() => { setSearch(""); setPathDraft(""); setValueDraft(""); router.replace(pathname); }}>Clear filters</button>
          ) : null}
        </div>
        {canSearchPayload ? (
          <div className="row-wrap" style={{ marginTop: 8 }}>
            <input
              className="input"
              style={{ minWidth: 220 }}
              placeholder="Record field, e.g. customer.id or lines[0].sku"
              aria-label="Record field"
              aria-invalid={pathProblem ? true : undefined}
              value={pathDraft}
              onChange={(e) => setPathDraft(e.target.value)}
            />
            <span className="muted small">equals</span>
            <input className="input" style={{ minWidth: 180 }} placeholder="Value" aria-label="Field value" value={valueDraft} onChange={(e) => setValueDraft(e.target.value)} />
            {pathProblem ? <span className="small" role="alert" style={{ color: "var(--danger, #b42318)" }}>{pathProblem}</span> : <span className="muted small">Exact match on the record the run started with; lines[*].sku looks in every line.</span>}
          </div>
        ) : null}
      </div>

      {replayIds ? (
        <div className="card card-body" style={{ marginBottom: 16 }} data-testid="bulk-progress">
          <div className="row" style={{ marginBottom: 8 }}>
            <strong>Replaying {replayIds.length} run{replayIds.length === 1 ? "" : "s"}</strong>
            <span className="muted small">
              {done} of {replayIds.length} finished
              {progress.data ? ` · ${Object.entries(progress.data.byStatus).map(([s, n]) => `${n} ${STATUS_LABELS[s]?.toLowerCase() ?? s}`).join(", ")}` : ""}
            </span>
            <span className="spacer" />
            <button className="btn btn-xs btn-ghost" onClick={() => setReplayIds(null)}>Hide</button>
          </div>
          <div className="progress">
            {replayIds.length === 0 ? null : RUN_OUTCOME_ORDER.map((s) => {
              const n = progress.data?.byStatus[s] ?? 0;
              return n ? <div key={s} style={{ width: `${(100 * n) / replayIds.length}%`, background: STATUS_COLORS[s] }} title={`${n} ${s}`} /> : null;
            })}
          </div>
          {replayIds.length === 0 ? <div className="muted small">No run matched the filter, so nothing was replayed.</div> : null}
        </div>
      ) : null}

      <RunsTable filter={filter} />

      {confirming ? (
        <Modal
          title="Replay matching runs"
          onClose={() => setConfirming(false)}
          footer={
            <>
              <button className="btn" onClick={() => setConfirming(false)}>Cancel</button>
              <button className="btn btn-primary" disabled={bulk.isPending} onClick={() => bulk.mutate({ filter, from, version })}>
                {bulk.isPending ? "Starting…" : "Replay"}
              </button>
            </>
          }
        >
          <p style={{ marginTop: 0 }}>Every run matching the current filter (up to 1,000) is replayed as a new run. Writes already done are not repeated: the idempotency ledger skips them.</p>
          <div className="field">
            <span className="field-label">Start from</span>
            <label className="checkbox"><input type="radio" checked={from === "failed"} onChange={() => setFrom("failed")} /> The step that failed (keep earlier results)</label>
            <label className="checkbox"><input type="radio" checked={from === "start"} onChange={() => setFrom("start")} /> The start of the flow</label>
          </div>
          <div className="field">
            <span className="field-label">Flow version</span>
            <label className="checkbox"><input type="radio" checked={version === "own"} onChange={() => setVersion("own")} /> The version each run used</label>
            <label className="checkbox"><input type="radio" checked={version === "latest"} onChange={() => setVersion("latest")} /> The latest version (includes your fixes)</label>
          </div>
          <ErrorBox error={bulk.error} />
        </Modal>
      ) : null}
    </div>
  );
}

export default function RunsPageWrapper() {
  return (
    <Suspense>
      <RunsPage />
    </Suspense>
  );
}
