"use client";
/**
 * Approvals (maker-checker): writes waiting for a person, each with the exact request it would
 * send. Operators and above approve (the run continues and posts once) or reject (it never posts).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useState } from "react";
import { EmptyState, ErrorBox, Json, Loading, PageHeader, StatusBadge, timeAgo } from "../components/ui";
import { useCan } from "../lib/role";
import { useTRPC } from "../lib/trpc";

type Tab = "pending" | "approved" | "rejected";

function ApprovalDetail({ id, canDecide, onDone }: { id: string; canDecide: boolean; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const [note, setNote] = useState("");
  const detail = useQuery(trpc.approvals.get.queryOptions({ id }));
  const approve = useMutation(trpc.approvals.approve.mutationOptions({ onSuccess: () => onDone("Approved: the run continues and posts.") }));
  const reject = useMutation(trpc.approvals.reject.mutationOptions({ onSuccess: () => onDone("Rejected: nothing is posted.") }));
  if (detail.isLoading) return <Loading what="Loading the request" />;
  if (detail.error) return <ErrorBox error={detail.error} />;
  const a = detail.data!;
  return (
    <div className="card-body" data-testid="approval-detail">
      <div className="small muted" style={{ marginBottom: 6 }}>
        Condition <code className="mono">{a.condition}</code> held. Maker: {a.maker}
        {a.ownRun ? " (you)" : ""}.
      </div>
      <div className="small" style={{ fontWeight: 600, marginBottom: 4 }}>The exact request that will be sent</div>
      {a.request === undefined ? <div className="small muted">Operators and above see the request.</div> : <Json value={a.request} />}
      <ErrorBox error={approve.error ?? reject.error} />
      {canDecide && a.status === "pending" ? (
        <div className="row" style={{ marginTop: 10 }}>
          <input className="input" style={{ flex: 1 }} placeholder="Note (optional)" aria-label="Note" value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />
          <button className="btn btn-sm btn-primary" disabled={approve.isPending || reject.isPending} onClick={() => approve.mutate({ id, note: note || undefined })}>Approve</button>
          <button className="btn btn-sm" disabled={approve.isPending || reject.isPending} onClick={() => reject.mutate({ id, note: note || undefined })}>Reject</button>
        </div>
      ) : a.decidedBy ? (
        <div className="small muted" style={{ marginTop: 8 }}>
          {a.status === "approved" ? "Approved" : "Rejected"} by {a.decidedBy} {timeAgo(a.decidedAt)}{a.note ? `: ${a.note}` : ""}
        </div>
      ) : null}
    </div>
  );
}

export default function ApprovalsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canDecide = useCan("operator");
  const canSetFourEyes = useCan("admin");
  const [status, setStatus] = useState<Tab>("pending");
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({ ...trpc.approvals.list.queryOptions({ status }), refetchInterval: 10_000 });
  const fourEyes = useMutation(trpc.approvals.setFourEyes.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() }) }));
  const rows = list.data?.approvals ?? [];
  const done = (message: string) => {
    setNotice(message);
    setOpen(null);
    void queryClient.invalidateQueries({ queryKey: trpc.approvals.pathKey() });
  };

  return (
    <div className="page">
      <PageHeader
        title="Approvals"
        description="Writes that wait for a second person: the flow's approval condition held (a large journal, a new vendor). Check the exact request, then approve (it posts once) or reject (it never posts)."
        actions={
          list.data ? (
            <label className="row small" title="When on, whoever started a run or activated its flow version cannot approve it">
              <input type="checkbox" checked={list.data.fourEyes} disabled={!canSetFourEyes || fourEyes.isPending} onChange={(e) => fourEyes.mutate({ required: e.target.checked })} />
              Four eyes (the maker cannot approve their own)
            </label>
          ) : null
        }
      />
      {notice ? <div className="alert alert-ok" style={{ marginBottom: 12 }} role="status">{notice} <button className="btn btn-xs btn-ghost" onClick={() => setNotice(null)}>OK</button></div> : null}
      <ErrorBox error={fourEyes.error} />
      <div className="tabs">
        {(["pending", "approved", "rejected"] as const).map((s) => (
          <button key={s} className={`tab${status === s ? " active" : ""}`} onClick={() => { setStatus(s); setOpen(null); }}>{s[0]!.toUpperCase() + s.slice(1)}</button>
        ))}
      </div>
      <div className="table-wrap">
        {list.isLoading ? <Loading what="Loading approvals" /> : list.error ? <div className="card-body"><ErrorBox error={list.error} /></div> : rows.length === 0 ? (
          <EmptyState title={status === "pending" ? "Nothing waits for approval" : `No ${status} approvals`}>
            Give a write node an approval condition in the flow editor, for example a journal over 10,000.
          </EmptyState>
        ) : (
          <table className="table" data-testid="approvals-table">
            <thead>
              <tr>
                <th>Record</th>
                <th>Flow</th>
                <th>Step</th>
                <th>Maker</th>
                <th>Waiting since</th>
                <th>Run</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <Fragment key={a.id}>
                  <tr>
                    <td><Link href={`/runs/${a.runId}`} style={{ fontWeight: 550 }}>{a.recordLabel || a.recordKey}</Link></td>
                    <td className="truncate" style={{ maxWidth: 220 }}>{a.flowName}</td>
                    <td className="mono small">{a.nodeId}</td>
                    <td className="small">{a.maker}</td>
                    <td className="muted nowrap">{timeAgo(a.createdAt)}</td>
                    <td><StatusBadge status={a.runStatus} /></td>
                    <td className="right"><button className="btn btn-sm" aria-expanded={open === a.id} onClick={() => setOpen(open === a.id ? null : a.id)}>{open === a.id ? "Close" : "Review"}</button></td>
                  </tr>
                  {open === a.id ? (
                    <tr>
                      <td colSpan={7}><ApprovalDetail id={a.id} canDecide={canDecide} onDone={done} /></td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
