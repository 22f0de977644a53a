"use client";
/**
 * Wizard step 5: a dry run of the trigger's most recent source documents before activation.
 * Reads and tax quotes happen for real, writes are rendered and never sent. Per document: how a
 * real run would end, what it would post (the memo, batch or journal entry, line by line), and a
 * total per currency. A document that stops on a value without a mapping row names it, with a
 * way to map it here; then dry-run again. A trigger that cannot list its source (a webhook)
 * points to the editor's dry run of a record instead.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { PostingPreview } from "../../components/PostingPreview";
import { ErrorBox, StatusBadge } from "../../components/ui";
import { useCan } from "../../lib/role";
import { useTRPC } from "../../lib/trpc";
import { MapRow } from "./MapRow";

export function DryRunStep({ flowId, onDone }: { flowId: string; onDone: () => void }) {
  const trpc = useTRPC();
  const canRun = useCan("operator");
  const input = useQuery(trpc.runInput.describe.queryOptions({ flowId }));
  const [count, setCount] = useState(3);
  const run = useMutation(trpc.wizard.dryRunRecent.mutationOptions({ onSuccess: onDone }));
  const tables = useQuery({ ...trpc.wizard.mappingCheck.queryOptions({ flowId }), enabled: Boolean(run.data?.documents.some((d) => d.error?.missing)) });
  const columnsOf = (tableId: string) => tables.data?.find((t) => t.tableId === tableId)?.columns.map((c) => ({ name: c.name, label: c.label, options: c.options }));
  const tableName = (tableId: string) => tables.data?.find((t) => t.tableId === tableId)?.name ?? "the mapping table";
  const [mapped, setMapped] = useState<Set<string>>(new Set());

  if (input.data && !input.data.canListRecent) {
    return (
      <p data-testid="dry-run-unlisted">
        {input.data.mode === "webhook" ? "This flow starts from a webhook, which cannot list recent documents." : "This flow's trigger cannot list recent documents."}{" "}
        Dry-run a record of your own in the <Link href={`/flows/${flowId}`}>flow editor</Link> (Dry run tab), or go on.
      </p>
    );
  }
  return (
    <div data-testid="dry-run-step">
      <div className="row" style={{ gap: 8, alignItems: "end" }}>
        <div className="field" style={{ margin: 0 }}>
          <label htmlFor="dry-run-count">Recent documents</label>
          <select id="dry-run-count" className="select" value={count} onChange={(e) => setCount(Number(e.target.value))}>
            {[1, 2, 3, 5, 10].map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </div>
        <button className="btn btn-primary" disabled={!canRun || run.isPending} onClick={() => { setMapped(new Set()); run.mutate({ flowId, count }); }}>
          {run.isPending ? "Dry-running…" : run.data ? "Dry run again" : "Dry run"}
        </button>
      </div>
      <ErrorBox error={run.error} />
      {run.data ? (
        <div style={{ marginTop: 12 }}>
          <p data-testid="dry-run-totals">
            <strong>Would post in all:</strong>{" "}
            {run.data.totals.length ? run.data.totals.map((t) => `${t.total}${t.currency ? ` ${t.currency}` : ""} (${t.postings} posting${t.postings === 1 ? "" : "s"})`).join("; ") : "nothing"}
            . Nothing was sent to any system.
          </p>
          {run.data.documents.map((d) => (
            <section key={d.runId} className="card" style={{ marginBottom: 12 }} data-testid="dry-run-document" data-label={d.label} data-run={d.runId}>
              <div className="card-body">
                <h3 style={{ marginTop: 0 }}>
                  {d.label} <StatusBadge status={d.status} label={d.status === "dry_run" ? "Would go through" : undefined} /> <Link className="small" href={`/runs/${d.runId}`}>Run details</Link>
                </h3>
                {d.error ? <p className="small" data-testid="dry-run-stop" style={{ color: "var(--fail)" }}>{d.error.message}</p> : null}
                {d.error?.missing ? (
                  <div data-testid="dry-run-missing">
                    <p className="small">Map {d.error.missing.keys.length === 1 ? "it" : "them"} in {tableName(d.error.missing.tableId)}, then dry-run again:</p>
                    {columnsOf(d.error.missing.tableId)
                      ? d.error.missing.keys.map((key) =>
                          mapped.has(`${d.error!.missing!.tableId}:${key}`) ? (
                            <p key={key} className="small" style={{ color: "var(--ok)" }}>{key}: mapped.</p>
                          ) : (
                            <MapRow key={key} tableId={d.error!.missing!.tableId} rowKey={key} columns={columnsOf(d.error!.missing!.tableId)!} onSaved={() => setMapped((m) => new Set(m).add(`${d.error!.missing!.tableId}:${key}`))} />
                          ),
                        )
                      : null}
                  </div>
                ) : null}
                {d.postings.map((p) => (
                  <div key={p.nodeId} data-testid="dry-run-posting" data-node={p.nodeId} style={{ marginTop: 8 }}>
                    <div className="small"><strong>{p.nodeName}</strong> {p.rendersInput ? "would send (nothing was sent; a dry run stops here)" : "would post (nothing was sent)"}{p.total !== null ? `: ${p.total}${p.currency ? ` ${p.currency}` : ""}` : ""}</div>
                    <PostingPreview wouldPost={p.wouldPost} />
                  </div>
                ))}
                {d.postings.length === 0 && !d.error ? <p className="small muted">Nothing would be posted for this document.</p> : null}
              </div>
            </section>
          ))}
        </div>
      ) : null}
    </div>
  );
}
