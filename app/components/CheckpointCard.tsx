"use client";
/**
 * A poll trigger's checkpoint on the flow overview (checkpoints router): its cursor, last and
 * next tick, pages and records read, the last error; and "Reprocess since <date>", which moves the
 * cursor back so the next poll re-reads from that date (already-processed records post nothing
 * twice).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../lib/trpc";
import { useCan } from "../lib/role";
import { ErrorBox, formatTime, timeAgo } from "./ui";
import { Form } from "./Form";

function localInput(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
}

export function CheckpointCard({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canReprocess = useCan("operator");
  const checkpoint = useQuery({ ...trpc.checkpoints.get.queryOptions({ flowId }), refetchInterval: 10_000 });
  const [since, setSince] = useState(() => localInput(new Date(Date.now() - 7 * 86_400_000)));
  const [done, setDone] = useState<string | null>(null);
  const reprocess = useMutation(
    trpc.checkpoints.reprocessSince.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.checkpoints.get.queryKey({ flowId }) }),
    }),
  );
  const cp = checkpoint.data;
  if (checkpoint.isLoading || cp === null) return null;
  if (checkpoint.error) return <ErrorBox error={checkpoint.error} title="Could not read the poll checkpoint" />;
  if (!cp) return null;

  return (
    <div className="card" data-testid="checkpoint-card" style={{ marginTop: 16 }}>
      <div className="card-header">
        <h3>Poll checkpoint · {cp.triggerTitle}</h3>
        {!cp.current ? <span className="badge badge-review">settings changed: the next poll starts over</span> : null}
      </div>
      <div className="card-body">
        <div className="grid-cards" style={{ gridTemplateColumns: "repeat(4, minmax(0, 1fr))", gap: 12 }}>
          <div className="stat" data-testid="checkpoint-last">
            <span className="label">Last tick</span>
            <span title={formatTime(cp.lastPolledAt)}>{cp.lastPolledAt ? timeAgo(cp.lastPolledAt) : "never"}</span>
          </div>
          <div className="stat" data-testid="checkpoint-next">
            <span className="label">Next tick</span>
            <span>{cp.nextTickAt ? formatTime(cp.nextTickAt) : cp.active ? "not scheduled" : "inactive flow"}</span>
          </div>
          <div className="stat" data-testid="checkpoint-pages">
            <span className="label">Pages read</span>
            <span>{cp.pagesRead.toLocaleString()}</span>
          </div>
          <div className="stat" data-testid="checkpoint-records">
            <span className="label">Records seen</span>
            <span>{cp.recordsSeen.toLocaleString()}</span>
          </div>
        </div>
        <div className="field" style={{ marginTop: 12 }}>
          <label>Cursor</label>
          <pre className="mono small" data-testid="checkpoint-cursor" style={{ margin: 0, maxHeight: 120, overflow: "auto", background: "var(--bg)", padding: 8, borderRadius: 6 }}>
            {cp.cursor === null ? "none yet: the first poll reads the trigger's look-back window" : JSON.stringify(cp.cursor, null, 1)}
          </pre>
        </div>
        {cp.lastError ? <div className="alert alert-error small">Last poll failed: {cp.lastError.message ?? "unknown error"}</div> : null}
        {canReprocess && cp.canReprocess ? (
          <Form
            className="row"
            style={{ gap: 8, marginTop: 8, flexWrap: "wrap" }}
            onSubmit={(e) => {
              e.preventDefault();
              setDone(null);
              reprocess.mutate({ flowId, since: new Date(since) }, { onSuccess: (res) => setDone(res.nextTickAt ? "The cursor moved back; the trigger polls now." : "The cursor moved back; the flow polls from there once it is activated.") });
            }}
          >
            <label htmlFor="reprocess-since" className="small">Reprocess since</label>
            <input id="reprocess-since" type="datetime-local" className="input" style={{ width: 220 }} value={since} max={localInput(new Date())} onChange={(e) => setSince(e.target.value)} />
            <button className="btn btn-sm" type="submit" disabled={reprocess.isPending || !since} data-testid="reprocess-since">
              {reprocess.isPending ? "Moving the cursor…" : "Reprocess"}
            </button>
            <span className="hint">Records already processed are recognised and not posted again.</span>
          </Form>
        ) : null}
        {done ? <div className="alert alert-ok small" data-testid="reprocess-done">{done}</div> : null}
        <ErrorBox error={reprocess.error} title="Not moved" />
      </div>
    </div>
  );
}
