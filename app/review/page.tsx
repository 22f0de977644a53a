"use client";
/** The review queue: runs parked for a person, grouped by reason; resolve and replay, or dismiss. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { EmptyState, ErrorBox, Loading, PageHeader, StatusBadge, timeAgo } from "../components/ui";
import { useCan } from "../lib/role";
import { useTRPC } from "../lib/trpc";

const REASON_TITLES: Record<string, string> = {
  lookup_miss: "Missing mapping",
  invalid_address: "Invalid address",
  address_invalid: "Invalid address",
  unbalanced: "Unbalanced entry",
};

function reasonTitle(code: string) {
  return REASON_TITLES[code] ?? code.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
}

export default function ReviewPage() {
  const trpc = useTRPC();
  const canResolve = useCan("operator");
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<"open" | "resolved" | "dismissed">("open");
  const [reasonCode, setReasonCode] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const groups = useQuery({ ...trpc.reviews.groups.queryOptions(), refetchInterval: 10_000 });
  const items = useQuery({ ...trpc.reviews.list.queryOptions({ status, reasonCode }), refetchInterval: 10_000 });

  const refresh = () => {
    setSelected(new Set());
    void queryClient.invalidateQueries({ queryKey: trpc.reviews.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.studio.shell.queryKey() });
  };
  const resolve = useMutation(
    trpc.reviews.resolve.mutationOptions({
      onSuccess: (r) => {
        setNotice(`${r.replayRunIds.length} run${r.replayRunIds.length === 1 ? "" : "s"} replayed from the parked step.${r.errors.length ? ` ${r.errors.length} could not be replayed: ${r.errors[0]!.message}` : ""}`);
        refresh();
      },
    }),
  );
  const dismiss = useMutation(
    trpc.reviews.dismiss.mutationOptions({
      onSuccess: (_r, v) => {
        setNotice(`${v.ids.length} item${v.ids.length === 1 ? "" : "s"} dismissed.`);
        refresh();
      },
    }),
  );
  const rows = items.data ?? [];
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggle = (id: string) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const totalOpen = (groups.data ?? []).reduce((n, g) => n + g.count, 0);

  return (
    <div className="page">
      <PageHeader
        title="Review queue"
        description="Runs that stopped because a person must decide: an unmapped value, an invalid address. Fix the cause (a mapping, the address in the source system), then resolve to replay the run from where it stopped."
      />
      {notice ? <div className="alert alert-ok" style={{ marginBottom: 12 }} role="status">{notice} <button className="btn btn-xs btn-ghost" onClick={() => setNotice(null)}>OK</button></div> : null}
      <ErrorBox error={resolve.error ?? dismiss.error} />

      <div className="grid-cards" style={{ gridTemplateColumns: "repeat(auto-fill, minmax(220px, 1fr))", marginBottom: 16 }} data-testid="review-groups">
        <button className={`card card-body`} style={{ textAlign: "left", cursor: "pointer", font: "inherit", outline: !reasonCode ? "2px solid var(--accent)" : undefined }} onClick={() => setReasonCode(undefined)}>
          <div className="stat"><span className="value">{totalOpen}</span><span className="label">All open items</span></div>
        </button>
        {(groups.data ?? []).map((g) => (
          <button key={g.reasonCode} className="card card-body" style={{ textAlign: "left", cursor: "pointer", font: "inherit", outline: reasonCode === g.reasonCode ? "2px solid var(--accent)" : undefined }} onClick={() => { setReasonCode(g.reasonCode); setStatus("open"); }}>
            <div className="stat">
              <span className="value" style={{ color: "var(--review-text)" }}>{g.count}</span>
              <span className="label" style={{ color: "var(--text)", fontWeight: 600 }}>{reasonTitle(g.reasonCode)}</span>
              <span className="small muted truncate" title={g.example}>{g.example}</span>
              <span className="small subtle">oldest {timeAgo(g.oldest)}</span>
            </div>
          </button>
        ))}
      </div>

      <div className="row" style={{ marginBottom: 10 }}>
        <div className="tabs" style={{ marginBottom: 0, borderBottom: 0 }}>
          {(["open", "resolved", "dismissed"] as const).map((s) => (
            <button key={s} className={`tab${status === s ? " active" : ""}`} onClick={() => { setStatus(s); setSelected(new Set()); }}>{s[0]!.toUpperCase() + s.slice(1)}</button>
          ))}
        </div>
        <span className="spacer" />
        {canResolve && status === "open" && selected.size > 0 ? (
          <>
            <span className="small muted">{selected.size} selected</span>
            <button className="btn btn-sm btn-primary" disabled={resolve.isPending} onClick={() => resolve.mutate({ ids: [...selected] })}>Resolve and replay</button>
            <button className="btn btn-sm" disabled={dismiss.isPending} onClick={() => dismiss.mutate({ ids: [...selected] })}>Dismiss</button>
          </>
        ) : null}
      </div>

      <div className="table-wrap">
        {items.isLoading ? <Loading what="Loading the queue" /> : items.error ? <div className="card-body"><ErrorBox error={items.error} /></div> : rows.length === 0 ? (
          <EmptyState title={status === "open" ? "Nothing waits for review" : `No ${status} items`}>
            {status === "open" ? "When a run needs a person (an unmapped value, an invalid address) it parks here instead of failing silently." : "Items move here once handled."}
          </EmptyState>
        ) : (
          <table className="table" data-testid="review-table">
            <thead>
              <tr>
                {status === "open" ? <th style={{ width: 36 }}><input type="checkbox" aria-label="Select all" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))} /></th> : null}
                <th>Reason</th>
                <th>Record</th>
                <th>Flow</th>
                <th>Step</th>
                <th>Parked</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((item) => {
                const details = (item.details ?? {}) as { tableId?: string; missing?: string[] };
                return (
                  <tr key={item.id} className={selected.has(item.id) ? "selected" : undefined}>
                    {status === "open" ? <td><input type="checkbox" aria-label={`Select ${item.recordKey}`} checked={selected.has(item.id)} onChange={() => toggle(item.id)} /></td> : null}
                    <td style={{ maxWidth: 380 }}>
                      <div className="row"><StatusBadge status="needs_review" label={reasonTitle(item.reasonCode)} /></div>
                      <div className="small" style={{ marginTop: 4 }}>{item.reason}</div>
                      {details.tableId ? <Link className="small" href={`/mappings/${details.tableId}`}>Fix in the mapping table →</Link> : null}
                    </td>
                    <td style={{ maxWidth: 240 }}>
                      <Link href={`/runs/${item.runId}`} style={{ fontWeight: 550 }}>{item.recordLabel || item.recordKey}</Link>
                      {item.recordLabel ? <div className="small subtle mono truncate">{item.recordKey}</div> : null}
                    </td>
                    <td className="truncate" style={{ maxWidth: 220 }}>{item.flowName}</td>
                    <td className="mono small">{item.nodeId}</td>
                    <td className="muted nowrap">{timeAgo(item.createdAt)}</td>
                    <td className="right nowrap">
                      {status === "open" ? (
                        <div className="row" style={{ justifyContent: "flex-end" }}>
                          {canResolve ? (
                            <>
                              <button className="btn btn-sm btn-primary" disabled={resolve.isPending} onClick={() => resolve.mutate({ ids: [item.id] })}>Resolve and replay</button>
                              <button className="btn btn-sm btn-ghost" disabled={dismiss.isPending} onClick={() => dismiss.mutate({ ids: [item.id] })}>Dismiss</button>
                            </>
                          ) : null}
                        </div>
                      ) : item.replayRunId ? (
                        <Link className="btn btn-sm" href={`/runs/${item.replayRunId}`}>Open replay</Link>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
