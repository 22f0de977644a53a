"use client";
/**
 * Version history and a readable diff between two versions (flows.diff): nodes added, removed
 * and changed (each config field before -> after), connections, settings. A version can be
 * loaded onto the canvas (saving it then creates a new version), restored as the newest version
 * at once (flowTransfer.restore; history is never rewritten), or exported as JSON.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "../../lib/role";
import { useTRPC } from "../../lib/trpc";
import { useExportFlow } from "../FlowTransfer";
import { useEditor, useEditorStore, useNotify, useRegistry } from "./context";

interface Version {
  id: string;
  version: number;
  note: string;
  createdAt: Date;
}

export function VersionsPanel({ versions, activeVersionId }: { versions: Version[]; activeVersionId: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const store = useEditorStore();
  const notify = useNotify();
  const { flowId } = useRegistry();
  const [fromId, setFromId] = useState<string | undefined>();
  const [toId, setToId] = useState<string | undefined>();
  const to = toId ?? versions[0]?.id;
  const from = fromId ?? versions[1]?.id;
  const diff = useQuery({ ...trpc.flows.diff.queryOptions({ fromVersionId: from ?? "", toVersionId: to ?? "" }), enabled: Boolean(from && to && from !== to) });
  const label = (id: string | undefined) => {
    const v = versions.find((x) => x.id === id);
    return v ? `v${v.version}` : "?";
  };

  const exportFlow = useExportFlow();
  const canEdit = useCan("editor");
  const restoreMutation = useMutation(trpc.flowTransfer.restore.mutationOptions());
  const dirty = useEditor((s) => s.revision !== s.savedRevision);

  async function restoreAsLatest(v: Version) {
    if (dirty && !window.confirm(`The canvas has unsaved changes. Restore version ${v.version} anyway? The unsaved changes are dropped.`)) return;
    try {
      const res = await restoreMutation.mutateAsync({ flowId, versionId: v.id });
      const data = await queryClient.fetchQuery({ ...trpc.flows.get.queryOptions({ flowId, versionId: res.versionId }), staleTime: 0 });
      store.getState().load(data.definition, { keepHistory: false });
      store.getState().markSaved(store.getState().revision);
      store.getState().setProblems(res.problems);
      await queryClient.invalidateQueries({ queryKey: trpc.flows.get.queryKey({ flowId }) });
      notify({ kind: res.problems.length ? "info" : "ok", text: `Version ${v.version} restored as version ${res.version}${res.problems.length ? `, with ${res.problems.length} problem(s) to fix before activating` : ""}.` });
    } catch (error) {
      notify({ kind: "error", text: `Could not restore version ${v.version}: ${(error as Error).message}` });
    }
  }

  async function exportVersion(v: Version) {
    try {
      await exportFlow(flowId, v.id);
      notify({ kind: "ok", text: `Version ${v.version} exported (connections are named, never their secrets).` });
    } catch (error) {
      notify({ kind: "error", text: `Could not export version ${v.version}: ${(error as Error).message}` });
    }
  }

  async function restore(v: Version) {
    try {
      const data = await queryClient.fetchQuery(trpc.flows.get.queryOptions({ flowId, versionId: v.id }));
      store.getState().load(data.definition, { keepHistory: true });
      notify({ kind: "info", text: `Version ${v.version} is on the canvas. Save to make it the latest version (Ctrl+Z undoes).` });
    } catch (error) {
      notify({ kind: "error", text: `Could not load version ${v.version}: ${(error as Error).message}` });
    }
  }

  return (
    <div className="ed-config" data-testid="versions-panel">
      <h3 className="ed-panel-title">Version history</h3>
      <ol className="ed-versions">
        {versions.map((v) => (
          <li key={v.id} className={v.id === to ? "is-to" : v.id === from ? "is-from" : ""}>
            <div className="ed-version-line">
              <strong>v{v.version}</strong>
              {v.id === activeVersionId && <span className="ed-pill ed-pill-green">active</span>}
              <span className="ed-muted ed-small">{new Date(v.createdAt).toLocaleString()}</span>
            </div>
            <div className="ed-version-note">{v.note || <span className="ed-muted">No note</span>}</div>
            <div className="ed-version-actions">
              <button type="button" className="ed-link" onClick={() => setFromId(v.id)}>
                compare from
              </button>
              <button type="button" className="ed-link" onClick={() => setToId(v.id)}>
                compare to
              </button>
              <button type="button" className="ed-link" onClick={() => void restore(v)}>
                load onto canvas
              </button>
              {canEdit && v.id !== versions[0]?.id && (
                <button type="button" className="ed-link" data-testid="restore-version" disabled={restoreMutation.isPending} onClick={() => void restoreAsLatest(v)}>
                  restore as latest
                </button>
              )}
              <button type="button" className="ed-link" data-testid="export-version" onClick={() => void exportVersion(v)}>
                export
              </button>
            </div>
          </li>
        ))}
      </ol>

      <h3 className="ed-panel-title">Compare</h3>
      {versions.length < 2 ? (
        <p className="ed-muted">Save a second version to compare versions.</p>
      ) : (
        <>
          <div className="ed-compare">
            <select aria-label="From version" value={from} onChange={(e) => setFromId(e.target.value)}>
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  v{v.version}
                </option>
              ))}
            </select>
            <span>→</span>
            <select aria-label="To version" value={to} onChange={(e) => setToId(e.target.value)}>
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  v{v.version}
                </option>
              ))}
            </select>
          </div>
          {from === to ? (
            <p className="ed-muted">Pick two different versions.</p>
          ) : diff.isLoading ? (
            <p className="ed-muted">Comparing…</p>
          ) : diff.error ? (
            <p className="ed-error-text">Could not compare: {diff.error.message}</p>
          ) : diff.data ? (
            <DiffView diff={diff.data} title={`${label(from)} → ${label(to)}`} />
          ) : null}
        </>
      )}
    </div>
  );
}

type Diff = {
  addedNodes: { id: string; type: string; name?: string }[];
  removedNodes: { id: string; type: string; name?: string }[];
  changedNodes: { id: string; type: string; name?: string; changes: { path: string; before: unknown; after: unknown }[] }[];
  addedEdges: { id: string; source: string; target: string; sourceHandle: string }[];
  removedEdges: { id: string; source: string; target: string; sourceHandle: string }[];
  settings: { path: string; before: unknown; after: unknown }[];
};

type Change = { path: string; before: unknown; after: unknown };

/**
 * flows.diff compares arrays as a whole ("config.fields: [...] -> [...]"); walk into them so a
 * change reads "config.fields.0.target: customerName -> name".
 */
function refine(changes: Change[]): Change[] {
  const out: Change[] = [];
  const walk = (before: unknown, after: unknown, path: string) => {
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    const container = (v: unknown) => v !== null && typeof v === "object";
    if (container(before) && container(after) && Array.isArray(before) === Array.isArray(after)) {
      const keys = Array.isArray(before)
        ? Array.from({ length: Math.max((before as unknown[]).length, (after as unknown[]).length) }, (_, i) => String(i))
        : [...new Set([...Object.keys(before as object), ...Object.keys(after as object)])];
      for (const k of keys) walk((before as Record<string, unknown>)[k], (after as Record<string, unknown>)[k], `${path}.${k}`);
      return;
    }
    out.push({ path, before, after });
  };
  for (const c of changes) walk(c.before, c.after, c.path);
  return out;
}

function show(v: unknown): string {
  if (v === undefined) return "(not set)";
  if (typeof v === "string") return v === "" ? "(empty)" : v;
  return JSON.stringify(v);
}

function DiffView({ diff, title }: { diff: Diff; title: string }) {
  const empty = !diff.addedNodes.length && !diff.removedNodes.length && !diff.changedNodes.length && !diff.addedEdges.length && !diff.removedEdges.length && !diff.settings.length;
  const nodeName = (n: { id: string; name?: string; type: string }) => n.name || n.type;
  const canvas = useEditor((s) => s.nodes);
  const named = new Map<string, string>([...diff.addedNodes, ...diff.removedNodes, ...diff.changedNodes].map((n) => [n.id, nodeName(n)]));
  const nameOf = (id: string) => named.get(id) ?? canvas.find((n) => n.id === id)?.data.name ?? id;
  return (
    <div className="ed-diff" data-testid="version-diff">
      <div className="ed-diff-title">{title}</div>
      {empty && <p className="ed-muted">No differences (only positions on the canvas changed, if anything).</p>}
      {diff.addedNodes.map((n) => (
        <div key={`a${n.id}`} className="ed-diff-row add">
          <span className="ed-diff-sign">+</span> Added <strong>{nodeName(n)}</strong> <span className="ed-muted">{n.type}</span>
        </div>
      ))}
      {diff.removedNodes.map((n) => (
        <div key={`r${n.id}`} className="ed-diff-row del">
          <span className="ed-diff-sign">−</span> Removed <strong>{nodeName(n)}</strong> <span className="ed-muted">{n.type}</span>
        </div>
      ))}
      {diff.changedNodes.map((n) => (
        <div key={`c${n.id}`} className="ed-diff-row chg">
          <div>
            <span className="ed-diff-sign">~</span> Changed <strong>{nodeName(n)}</strong> <span className="ed-muted">{n.type}</span>
          </div>
          <table className="ed-diff-table">
            <tbody>
              {refine(n.changes).map((c) => (
                <tr key={c.path}>
                  <td className="ed-diff-path">{c.path}</td>
                  <td className="ed-diff-before">{show(c.before)}</td>
                  <td className="ed-diff-arrow">→</td>
                  <td className="ed-diff-after">{show(c.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {(diff.addedEdges.length > 0 || diff.removedEdges.length > 0) && (
        <div className="ed-diff-row">
          <div className="ed-muted ed-small">Connections</div>
          {diff.addedEdges.map((e) => (
            <div key={e.id} className="ed-diff-edge add">
              + {nameOf(e.source)}
              {e.sourceHandle !== "out" ? ` (${e.sourceHandle})` : ""} → {nameOf(e.target)}
            </div>
          ))}
          {diff.removedEdges.map((e) => (
            <div key={e.id} className="ed-diff-edge del">
              − {nameOf(e.source)}
              {e.sourceHandle !== "out" ? ` (${e.sourceHandle})` : ""} → {nameOf(e.target)}
            </div>
          ))}
        </div>
      )}
      {diff.settings.length > 0 && (
        <div className="ed-diff-row chg">
          <div>
            <span className="ed-diff-sign">~</span> Flow settings
          </div>
          <table className="ed-diff-table">
            <tbody>
              {refine(diff.settings).map((c) => (
                <tr key={c.path}>
                  <td className="ed-diff-path">{c.path.replace(/^settings\./, "")}</td>
                  <td className="ed-diff-before">{show(c.before)}</td>
                  <td className="ed-diff-arrow">→</td>
                  <td className="ed-diff-after">{show(c.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
