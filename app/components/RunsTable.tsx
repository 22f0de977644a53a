"use client";
/**
 * A list of runs with server paging (keyset cursor, "Load more"), used by the Runs page and a
 * flow's overview. Filters are the `runs.list` input; the caller owns them.
 */
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { inferRouterInputs } from "@trpc/server";
import type { AppRouter } from "../server/root";
import { useTRPC } from "../lib/trpc";
import { EmptyState, ErrorBox, Loading, StatusBadge, TRIGGER_LABELS, formatDuration, formatTime } from "./ui";

export type RunFilter = Omit<inferRouterInputs<AppRouter>["runs"]["list"], "cursor" | "limit">;

export function RunsTable({ filter, showFlow = true, pageSize = 50, emptyHint }: { filter: RunFilter; showFlow?: boolean; pageSize?: number; emptyHint?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const query = useInfiniteQuery(
    trpc.runs.list.infiniteQueryOptions(
      { ...filter, limit: pageSize },
      { getNextPageParam: (last) => last.nextCursor ?? undefined, refetchInterval: 10_000 },
    ),
  );
  const runs = query.data?.pages.flatMap((p) => p.runs) ?? [];
  const total = query.data?.pages[0]?.total ?? 0;

  if (query.isLoading) return <div className="table-wrap"><Loading what="Loading runs" /></div>;
  if (query.error) return <div className="table-wrap card-body"><ErrorBox error={query.error} title="Could not load runs" /></div>;
  if (runs.length === 0) {
    return (
      <div className="table-wrap">
        <EmptyState title="No runs match">{emptyHint ?? "Runs appear here when a flow's trigger fires, or when you click Run now in the editor. Widen the filters to see more."}</EmptyState>
      </div>
    );
  }
  return (
    <div className="stack">
      <div className="table-wrap">
        <table className="table" data-testid="runs-table">
          <thead>
            <tr>
              <th>Status</th>
              {showFlow ? <th>Flow</th> : null}
              <th>Trigger</th>
              <th>Record</th>
              <th>Started</th>
              <th className="right">Duration</th>
              <th>Problem</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} className="clickable" onClick={() => router.push(`/runs/${run.id}`)} data-run-id={run.id}>
                <td><StatusBadge status={run.status} /></td>
                {showFlow ? <td className="truncate" style={{ maxWidth: 260 }}>{run.flowName}</td> : null}
                <td className="muted nowrap">{TRIGGER_LABELS[run.triggerKind] ?? run.triggerKind}{run.parentRunId ? " ↺" : ""}</td>
                <td style={{ maxWidth: 280 }}>
                  <Link href={`/runs/${run.id}`} onClick={(e) => e.stopPropagation()} className="truncate" style={{ display: "block", fontWeight: 550 }}>
                    {run.recordLabel || run.recordKey}
                  </Link>
                  {run.recordLabel ? <div className="small subtle mono truncate">{run.recordKey}</div> : null}
                </td>
                <td className="muted nowrap">{formatTime(run.startedAt ?? run.createdAt)}</td>
                <td className="right nowrap">{formatDuration(run.durationMs)}</td>
                <td className="small" style={{ maxWidth: 340 }}>
                  {run.errorMessage ? (
                    <span className="truncate" style={{ display: "block", color: run.status === "needs_review" ? "var(--review-text)" : "var(--fail-text)" }} title={run.errorMessage}>
                      {run.failedNodeId ? <span className="mono">{run.failedNodeId}: </span> : null}
                      {run.errorMessage}
                    </span>
                  ) : (
                    <span className="subtle">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="row">
        <span className="muted small" data-testid="runs-count">
          Showing {runs.length.toLocaleString()} of {total > 10_000 ? "10,000+" : total.toLocaleString()} runs
        </span>
        <span className="spacer" />
        {query.hasNextPage ? (
          <button className="btn btn-sm" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
            {query.isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        ) : null}
      </div>
    </div>
  );
}
