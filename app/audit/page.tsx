"use client";
/**
 * Audit: every change in the workspace, newest first: who (a person, or an API token and who
 * created it), from which IP, what and what changed. Filters by actor, entity, action and time;
 * server paging by keyset ("Load more"). Admins only; secret values are never in the trail.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useMemo, useState } from "react";
import { EmptyState, ErrorBox, Loading, PageHeader, formatTime } from "../components/ui";
import { useTRPC } from "../lib/trpc";
import { TimeRangeSelect, useTimeRange } from "../components/TimeRange";


const ENTITY_LABELS: Record<string, string> = {
  flow: "Flow",
  run: "Run",
  review: "Review item",
  lookup_table: "Mapping table",
  connection: "Connection",
  workspace: "Workspace",
  member: "Member",
  invitation: "Invitation",
  token: "API token",
};

/** Where an entity lives in the Studio, when it has a page. */
function entityHref(type: string, id: string): string | null {
  if (type === "flow") return `/flows/${id}`;
  if (type === "run") return `/runs/${id}`;
  if (type === "lookup_table") return `/mappings/${id}`;
  return null;
}

/** One line of what changed: `name: "A" → "B"`, or the event's other fields. */
function describe(data: unknown): string {
  if (!data || typeof data !== "object") return "";
  const { changes, ...rest } = data as { changes?: Record<string, { from: unknown; to: unknown } | string> };
  const parts: string[] = [];
  for (const [field, change] of Object.entries(changes ?? {})) {
    parts.push(typeof change === "string" ? `${field}: ${change}` : `${field}: ${JSON.stringify(change.from)} → ${JSON.stringify(change.to)}`);
  }
  for (const [field, value] of Object.entries(rest)) {
    if (value === null || value === undefined) continue;
    parts.push(`${field}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  }
  return parts.join(" · ");
}

function AuditPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const actorUserId = params.get("actor") ?? "";
  const entityType = params.get("entity") ?? "";
  const action = params.get("action") ?? "";
  const range = params.get("range") ?? "all";
  const [entityId, setEntityId] = useState(params.get("id") ?? "");
  const time = useTimeRange(range);

  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(name, value);
    else next.delete(name);
    router.replace(`${pathname}?${next.toString()}`);
  };

  const facets = useQuery(trpc.audit.facets.queryOptions());
  const filter = useMemo(() => {
    return {
      ...(actorUserId ? { actorUserId } : {}),
      ...(entityType ? { entityType } : {}),
      ...(action ? { action } : {}),
      ...(entityId.trim() ? { entityId: entityId.trim() } : {}),
      ...(time.fromMs ? { from: new Date(time.fromMs) } : {}),
    };
  }, [actorUserId, entityType, action, entityId, time.fromMs]);

  const query = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions({ ...filter, limit: 50 }, { getNextPageParam: (last) => last.nextCursor ?? undefined }),
  );
  const events = query.data?.pages.flatMap((p) => p.events) ?? [];
  const filtered = Boolean(actorUserId || entityType || action || entityId || range !== "all");
  const people = (facets.data?.actors ?? []).filter((a) => a.userId);

  return (
    <div className="page">
      <PageHeader title="Audit" description="Every change in this workspace: who made it (a person or an API token), from where, and what changed. Secret values are never recorded." />
      <div className="card card-body" style={{ marginBottom: 16 }}>
        <div className="row-wrap">
          <select className="select" aria-label="Actor" value={actorUserId} onChange={(e) => setParam("actor", e.target.value)} style={{ maxWidth: 280 }}>
            <option value="">Anyone</option>
            {people.map((a) => <option key={`${a.userId}-${a.label}`} value={a.userId!}>{a.label}</option>)}
          </select>
          <select className="select" aria-label="Entity" value={entityType} onChange={(e) => setParam("entity", e.target.value)}>
            <option value="">Everything</option>
            {facets.data?.entityTypes.map((t) => <option key={t} value={t}>{ENTITY_LABELS[t] ?? t}</option>)}
          </select>
          <select className="select" aria-label="Action" value={action} onChange={(e) => setParam("action", e.target.value)}>
            <option value="">Any action</option>
            {facets.data?.actions.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
          <TimeRangeSelect
            value={range}
            onChange={(value) => {
              time.restart();
              setParam("range", value);
            }}
          />
          <input className="input" style={{ flex: 1, minWidth: 200 }} placeholder="Entity id (flow, run, table…)" aria-label="Entity id" value={entityId} onChange={(e) => setEntityId(e.target.value)} />
          {filtered ? (
            <button className="btn btn-ghost btn-sm" onClick={() => { setEntityId(""); router.replace(pathname); }}>Clear filters</button>
          ) : null}
        </div>
      </div>

      {query.isLoading ? (
        <div className="table-wrap"><Loading what="Loading the audit trail" /></div>
      ) : query.error ? (
        <div className="table-wrap card-body"><ErrorBox error={query.error} title="Could not load the audit trail" /></div>
      ) : events.length === 0 ? (
        <div className="table-wrap"><EmptyState title="No events match">Changes to flows, mapping tables, connections, members and runs appear here as they happen.</EmptyState></div>
      ) : (
        <div className="stack">
          <div className="table-wrap">
            <table className="table" data-testid="audit-table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>Action</th>
                  <th>Entity</th>
                  <th>What changed</th>
                  <th>IP</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => {
                  const href = entityHref(e.entityType, e.entityId);
                  return (
                    <tr key={e.id} data-audit-id={e.id}>
                      <td className="nowrap muted" title={new Date(e.at).toISOString()}>{formatTime(e.at)}</td>
                      <td className="truncate" style={{ maxWidth: 240 }} title={e.actor}>
                        {e.actorKind === "token" ? <span className="badge" style={{ marginRight: 6 }}>token</span> : null}
                        {e.actorKind === "system" ? <span className="muted">{e.actor}</span> : e.actor}
                      </td>
                      <td className="nowrap"><code>{e.action}</code></td>
                      <td className="nowrap">
                        {ENTITY_LABELS[e.entityType] ?? e.entityType}{" "}
                        {href ? <Link href={href} className="small">{e.entityId.slice(0, 8)}</Link> : <span className="muted small">{e.entityId.slice(0, 8)}</span>}
                      </td>
                      <td className="small" style={{ maxWidth: 420, wordBreak: "break-word" }}>{describe(e.data)}</td>
                      <td className="nowrap muted small">{e.ip ?? "—"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {query.hasNextPage ? (
            <div className="row" style={{ justifyContent: "center" }}>
              <button className="btn" onClick={() => query.fetchNextPage()} disabled={query.isFetchingNextPage}>{query.isFetchingNextPage ? "Loading…" : "Load more"}</button>
            </div>
          ) : null}
        </div>
      )}
    </div>
  );
}

export default function Page() {
  return (
    <Suspense fallback={<Loading />}>
      <AuditPage />
    </Suspense>
  );
}
