"use client";
/** Values runs looked up and did not find, with a form to map each one (then the waiting runs replay). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBox, Loading } from "../ui";
import { useTRPC } from "../../lib/trpc";
import { type GridRow, type Column, type Option } from "./grid";
import { Form } from "../Form";

export function UnmappedPanel({ tableId, columns, keys, options, onMap, canMap, canReplay }: { tableId: string; columns: Column[]; keys: Set<string>; options: Record<string, Option[]>; onMap: (row: GridRow) => Promise<void>; canMap: boolean; canReplay: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const unmapped = useQuery({ ...trpc.lookups.unmapped.queryOptions({ tableId }), refetchInterval: 15_000 });
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const resolve = useMutation(
    trpc.reviews.resolve.mutationOptions({
      onSuccess: (r) => {
        setMessage(`${r.replayRunIds.length} parked run${r.replayRunIds.length === 1 ? "" : "s"} replayed.${r.errors.length ? ` ${r.errors.length} could not be: ${r.errors[0]!.message}` : ""}`);
        void queryClient.invalidateQueries({ queryKey: trpc.lookups.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.reviews.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.studio.shell.queryKey() });
      },
    }),
  );
  const list = unmapped.data ?? [];
  return (
    <div className="card" data-testid="unmapped">
      <div className="card-header"><h3>Unmapped values</h3>{list.length ? <span className="badge badge-review">{list.length}</span> : null}</div>
      <div className="card-body stack" style={{ gap: 10 }}>
        {message ? <div className="alert alert-ok small">{message}</div> : null}
        <ErrorBox error={resolve.error} />
        {unmapped.isLoading ? <Loading /> : list.length === 0 ? (
          <div className="small muted">No run is waiting on this table. When a run meets a value the table does not map, it parks in the review queue and the value shows up here.</div>
        ) : list.map((u) => {
          const mapped = keys.has(u.value);
          return (
            <div key={u.value} style={{ borderBottom: "1px solid #eef0f3", paddingBottom: 10 }}>
              <div className="row">
                <span className="mono" style={{ fontWeight: 600, flex: 1 }}>{u.value}</span>
                <span className="small muted">{u.runs} run{u.runs === 1 ? "" : "s"} waiting</span>
              </div>
              {mapped ? (
                <div className="row" style={{ marginTop: 6 }}>
                  <span className="small" style={{ color: "var(--ok-text)", flex: 1 }}>✓ Mapped</span>
                  {canReplay ? <button className="btn btn-sm btn-primary" disabled={resolve.isPending} onClick={() => resolve.mutate({ ids: u.reviewIds })}>Replay {u.runs} parked run{u.runs === 1 ? "" : "s"}</button> : null}
                </div>
              ) : !canMap ? null : editing === u.value ? (
                <Form
                  className="stack"
                  style={{ gap: 6, marginTop: 6 }}
                  onSubmit={async (e) => {
                    e.preventDefault();
                    await onMap({ key: u.value, values: draft });
                    setEditing(null);
                  }}
                >
                  {columns.map((c) => (
                    <label key={c.name} className="small stack" style={{ gap: 2 }}>
                      {c.label}
                      {options[c.name]?.length ? (
                        <select className="select select-sm" value={draft[c.name] ?? ""} onChange={(e) => setDraft({ ...draft, [c.name]: e.target.value })}>
                          <option value="">Choose…</option>
                          {options[c.name]!.map((o) => <option key={o.value} value={o.value}>{o.label ? `${o.value} · ${o.label}` : o.value}</option>)}
                        </select>
                      ) : (
                        <input className="input input-sm" value={draft[c.name] ?? ""} onChange={(e) => setDraft({ ...draft, [c.name]: e.target.value })} />
                      )}
                    </label>
                  ))}
                  <div className="row"><button className="btn btn-sm btn-primary" type="submit">Save mapping</button><button type="button" className="btn btn-sm btn-ghost" onClick={() => setEditing(null)}>Cancel</button></div>
                </Form>
              ) : (
                <button className="btn btn-sm" style={{ marginTop: 6 }} onClick={() => { setDraft({}); setEditing(u.value); }}>Map this value</button>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
