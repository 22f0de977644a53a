"use client";
/**
 * On a template flow's overview: what a newer version of its template changes (nodes added,
 * removed or changed, edges, settings), marked where the flow's own edits touch the same node,
 * and Apply, which saves the changes as a new version (activate it as usual). Conflicts are kept
 * as edited unless ticked.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../lib/role";
import { useTRPC } from "../lib/trpc";
import { ErrorBox } from "./ui";

const KIND: Record<string, string> = { added: "Added", removed: "Removed", changed: "Changed" };

export function TemplateImprovementsCard({ flowId }: { flowId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canEdit = useCan("editor");
  const improvements = useQuery(trpc.templateImprovements.get.queryOptions({ flowId }));
  const [take, setTake] = useState<Set<string>>(new Set());
  const apply = useMutation(
    trpc.templateImprovements.applyChanges.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.templateImprovements.get.queryKey({ flowId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.flows.get.pathKey() });
      },
    }),
  );
  const data = improvements.data;
  if (improvements.error) return <div className="card" style={{ marginBottom: 16 }}><div className="card-body"><ErrorBox error={improvements.error} title="Template improvements" /></div></div>;
  if (!data) return null;
  if (data.upToDate) {
    return apply.data ? (
      <div className="card" style={{ marginBottom: 16 }} data-testid="template-improvements"><div className="card-body small">Template improvements applied as version {apply.data.version} of this flow{apply.data.kept.length ? ` (kept as edited: ${apply.data.kept.join(", ")})` : ""}. Activate it to use them.</div></div>
    ) : null;
  }
  const toggle = (id: string) => setTake((t) => { const next = new Set(t); if (next.has(id)) next.delete(id); else next.add(id); return next; });
  return (
    <div className="card" style={{ marginBottom: 16 }} data-testid="template-improvements">
      <div className="card-body">
        <h2 style={{ marginTop: 0 }}>Template improvements: version {data.fromVersion} → {data.toVersion}</h2>
        <p className="small muted">What “{data.title}” changes since this flow was made from it. Your own edits stay; where you changed the same step, tick it to take the template’s.</p>
        <table className="table">
          <thead><tr><th>Step</th><th>Change</th><th>What</th><th>Your edits</th></tr></thead>
          <tbody>
            {data.nodes.map((n) => (
              <tr key={n.nodeId} data-testid="improvement" data-node={n.nodeId}>
                <td>{n.name}</td>
                <td>{KIND[n.kind]}</td>
                <td className="small mono">{n.fields.join(", ")}</td>
                <td className="small">
                  {n.conflict ? (
                    <label><input type="checkbox" checked={take.has(n.nodeId)} onChange={() => toggle(n.nodeId)} /> You changed it too: take the template’s</label>
                  ) : "—"}
                </td>
              </tr>
            ))}
            {data.settings.map((s) => (
              <tr key={s.key} data-testid="improvement" data-node={`settings.${s.key}`}>
                <td>Flow setting {s.key}</td>
                <td>Changed</td>
                <td className="small mono">{JSON.stringify(s.from)} → {JSON.stringify(s.to)}</td>
                <td className="small">{s.conflict ? <label><input type="checkbox" checked={take.has(`settings.${s.key}`)} onChange={() => toggle(`settings.${s.key}`)} /> You changed it too: take the template’s</label> : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {data.edges.added.length || data.edges.removed.length ? (
          <p className="small">Connections: {data.edges.added.length ? `added ${data.edges.added.join(", ")}` : ""}{data.edges.added.length && data.edges.removed.length ? "; " : ""}{data.edges.removed.length ? `removed ${data.edges.removed.join(", ")}` : ""}</p>
        ) : null}
        <button className="btn btn-primary" disabled={!canEdit || apply.isPending} onClick={() => apply.mutate({ flowId, take: [...take] })}>
          {apply.isPending ? "Applying…" : "Apply as a new version"}
        </button>
        <ErrorBox error={apply.error} />
      </div>
    </div>
  );
}
