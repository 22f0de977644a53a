"use client";
/**
 * The flow editor: palette | canvas | side panel (node config, flow settings, versions, test and
 * run), a toolbar (undo/redo, layout, save with a note, activate), keyboard shortcuts, and
 * validation shown on the nodes as the user edits. The shell here owns saving, activation and
 * validation; the canvas (Canvas.tsx), side panel (SidePanel.tsx) and shortcuts (shortcuts.ts)
 * live beside it.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { FlowDefinition } from "../../../engine/flow/schema";
import { useCan } from "../../lib/role";
import { useTRPC } from "../../lib/trpc";
import { Canvas, PaletteDock } from "./Canvas";
import { EditorProvider, NotifyContext, typeKey, useEditor, useEditorStore, useRegistry, useSelectedIds, type Notice, type RegistryInfo } from "./context";
import { toDefinition, type NodeTypeInfo, type Problem } from "./editor-store";
import { layoutLeftToRight } from "./layout";
import { useEditorShortcuts, useWarnBeforeLeaving } from "./shortcuts";
import { SidePanel } from "./SidePanel";
import { useReadableFit } from "./viewport";
import "./editor.css";
import { Form } from "../Form";


export interface FlowMeta {
  flow: { id: string; name: string; active: boolean; activeVersionId: string | null; latestVersion: number };
  versions: { id: string; version: number; note: string; createdAt: Date }[];
  webhookUrl: string | null;
}

export function FlowEditor({ meta, definition, problems, registry }: { meta: FlowMeta; definition: FlowDefinition; problems: Problem[]; registry: NodeTypeInfo[] }) {
  const info = useMemo<RegistryInfo>(() => ({ list: registry, byKey: new Map(registry.map((n) => [typeKey(n.type, n.version), n])), flowId: meta.flow.id }), [registry, meta.flow.id]);
  return (
    <EditorProvider definition={definition} registry={info}>
      <ReactFlowProvider>
        <EditorShell meta={meta} initialProblems={problems} />
      </ReactFlowProvider>
    </EditorProvider>
  );
}

function EditorShell({ meta, initialProblems }: { meta: FlowMeta; initialProblems: Problem[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const store = useEditorStore();
  const { byKey, flowId } = useRegistry();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [note, setNote] = useState("");
  const [saveOpen, setSaveOpen] = useState(false);
  const [problemsOpen, setProblemsOpen] = useState(false);
  const revision = useEditor((s) => s.revision);
  const savedRevision = useEditor((s) => s.savedRevision);
  const problems = useEditor((s) => s.problems);
  const panel = useEditor((s) => s.panel);
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const selected = useSelectedIds();
  const triggerType = useEditor((s) => s.nodes.find((n) => byKey.get(typeKey(n.data.type, n.data.typeVersion))?.category === "trigger")?.data.type);
  const dirty = revision !== savedRevision;
  const { fitView } = useReactFlow();
  const fitReadable = useReadableFit();
  // Viewers and operators read the flow; saving and activating are the editor's (the server refuses them anyway).
  const canEdit = useCan("editor");

  useEffect(() => {
    store.getState().setProblems(initialProblems);
    // Only the problems of the version loaded first; later ones come from validation.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store]);

  useEffect(() => {
    if (!notice || notice.kind === "error") return;
    const t = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(t);
  }, [notice]);

  // Validation as the user edits: the engine's own rules, debounced.
  const validate = useMutation(trpc.flows.validate.mutationOptions());
  const { mutateAsync: validateAsync } = validate;
  useEffect(() => {
    if (revision === 0) return;
    const t = setTimeout(() => {
      const at = store.getState().revision;
      validateAsync({ definition: toDefinition(store.getState()) })
        .then((res) => {
          if (store.getState().revision === at) store.getState().setProblems(res.problems);
        })
        .catch(() => undefined);
    }, 600);
    return () => clearTimeout(t);
  }, [revision, store, validateAsync]);

  const save = useMutation(trpc.flows.save.mutationOptions());
  const saveNow = useCallback(
    async (saveNote: string): Promise<boolean> => {
      const at = store.getState().revision;
      try {
        const res = await save.mutateAsync({ flowId, definition: toDefinition(store.getState()), note: saveNote });
        store.getState().markSaved(at);
        store.getState().setProblems(res!.problems);
        setNote("");
        setSaveOpen(false);
        setNotice({
          kind: res!.problems.length ? "info" : "ok",
          text: `Saved version ${res!.version}${res!.problems.length ? `, with ${res!.problems.length} problem${res!.problems.length > 1 ? "s" : ""} to fix before activating` : ""}.`,
        });
        await queryClient.invalidateQueries({ queryKey: trpc.flows.get.queryKey({ flowId }) });
        return true;
      } catch (error) {
        const data = (error as { data?: { problems?: Problem[] | null } }).data;
        if (data?.problems) store.getState().setProblems(data.problems);
        setNotice({ kind: "error", text: `Not saved: ${(error as Error).message}` });
        return false;
      }
    },
    [flowId, queryClient, save, store, trpc],
  );
  const ensureSaved = useCallback(async (why: string) => (store.getState().revision === store.getState().savedRevision ? true : saveNow(why)), [saveNow, store]);

  const activate = useMutation(trpc.flows.activate.mutationOptions());
  const deactivate = useMutation(trpc.flows.deactivate.mutationOptions());
  async function toggleActive() {
    try {
      if (meta.flow.active) {
        await deactivate.mutateAsync({ flowId });
        setNotice({ kind: "ok", text: "Flow deactivated: no new runs will start." });
      } else {
        if (!(await ensureSaved("Saved for activation"))) return;
        const res = await activate.mutateAsync({ flowId });
        setNotice({ kind: "ok", text: `Flow active${res?.nextTickAt ? `; next poll ${new Date(res.nextTickAt).toLocaleTimeString()}` : ""}.` });
      }
      await queryClient.invalidateQueries({ queryKey: trpc.flows.get.queryKey({ flowId }) });
    } catch (error) {
      const data = (error as { data?: { problems?: Problem[] | null } }).data;
      if (data?.problems) store.getState().setProblems(data.problems);
      setNotice({ kind: "error", text: `Not activated: ${(error as Error).message}` });
    }
  }

  const autoLayout = useCallback(() => {
    const s = store.getState();
    s.applyLayout(layoutLeftToRight(s.nodes, s.edges));
    requestAnimationFrame(fitReadable);
  }, [fitReadable, store]);

  useEditorShortcuts(store, { save: () => void saveNow(note), canSave: canEdit });
  useWarnBeforeLeaving(dirty && canEdit);

  const tab = selected.length === 1 && panel === "node" ? "node" : panel;
  const blocked = problems.length > 0;
  const latest = meta.versions[0];

  return (
    <NotifyContext.Provider value={setNotice}>
      <div className="ed-root">
        <header className="ed-toolbar">
          <div className="ed-tb-left">
            <Link href="/flows" className="ed-back" title="All flows">
              ← Flows
            </Link>
            <div className="ed-title">
              <h1 title={meta.flow.name}>{meta.flow.name}</h1>
              <div className="ed-subtitle">
                {meta.flow.active ? <span className="ed-pill ed-pill-green">Active</span> : <span className="ed-pill">Inactive</span>}
                <span className="ed-muted">v{latest?.version ?? meta.flow.latestVersion}</span>
                {dirty ? (
                  <span className="ed-unsaved" data-testid="unsaved">
                    Unsaved changes
                  </span>
                ) : (
                  <span className="ed-muted">Saved</span>
                )}
                <Link href={`/flows/${flowId}/overview`} className="ed-link">
                  Overview
                </Link>
              </div>
            </div>
          </div>
          <div className="ed-tb-mid">
            <button type="button" className="ed-btn ed-btn-ghost" onClick={() => store.getState().undo()} disabled={!canUndo} title="Undo (Ctrl+Z)" aria-label="Undo">
              ↶
            </button>
            <button type="button" className="ed-btn ed-btn-ghost" onClick={() => store.getState().redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" aria-label="Redo">
              ↷
            </button>
            <button type="button" className="ed-btn ed-btn-ghost" onClick={autoLayout} title="Arrange left to right">
              Auto-layout
            </button>
            <div className="ed-problems-wrap">
              <button
                type="button"
                className={`ed-btn ${blocked ? "ed-btn-problems" : "ed-btn-ok"}`}
                onClick={() => setProblemsOpen((o) => !o)}
                data-testid="problems-button"
                aria-expanded={problemsOpen}
              >
                {blocked ? `${problems.length} problem${problems.length > 1 ? "s" : ""}` : "✓ No problems"}
              </button>
              {problemsOpen && (
                <div className="ed-popover ed-problems-pop" role="dialog" aria-label="Problems">
                  {problems.length === 0 ? (
                    <p className="ed-muted">The engine found nothing to fix. This flow can be activated.</p>
                  ) : (
                    <ul>
                      {problems.map((p, i) => (
                        <li key={i}>
                          {p.nodeId ? (
                            <button
                              type="button"
                              className="ed-link"
                              onClick={() => {
                                store.getState().selectNode(p.nodeId!);
                                void fitView({ nodes: [{ id: p.nodeId! }], duration: 200, maxZoom: 1.2 });
                                setProblemsOpen(false);
                              }}
                            >
                              {p.message}
                            </button>
                          ) : (
                            p.message
                          )}
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              )}
            </div>
          </div>
          <div className="ed-tb-right">
            {!canEdit && (
              <span className="ed-pill" data-testid="read-only" title="Saving and activating need the editor role">
                Read only
              </span>
            )}
            {canEdit && (
            <>
            <div className="ed-save-wrap">
              <button type="button" className="ed-btn ed-btn-primary" onClick={() => setSaveOpen((o) => !o)} disabled={save.isPending} data-testid="save-button" title="Save a version (Ctrl+S)">
                {save.isPending ? "Saving…" : "Save"}
              </button>
              {saveOpen && (
                <Form
                  className="ed-popover ed-save-pop"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void saveNow(note);
                  }}
                >
                  <label className="ed-label" htmlFor="save-note">
                    What changed? (optional)
                  </label>
                  <input id="save-note" autoFocus value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} placeholder="e.g. Map the customer's region" data-testid="save-note" />
                  <p className="ed-help">Saving creates version {(latest?.version ?? 0) + 1}. Drafts with problems can be saved; they cannot be activated.</p>
                  <div className="ed-run-actions">
                    <button type="button" className="ed-btn" onClick={() => setSaveOpen(false)}>
                      Cancel
                    </button>
                    <button type="submit" className="ed-btn ed-btn-primary" data-testid="save-confirm">
                      Save version
                    </button>
                  </div>
                </Form>
              )}
            </div>
            <span title={blocked && !meta.flow.active ? `Fix ${problems.length} problem(s) to activate` : undefined}>
              <button
                type="button"
                className={`ed-btn ${meta.flow.active ? "" : "ed-btn-green"}`}
                disabled={(!meta.flow.active && blocked) || activate.isPending || deactivate.isPending}
                onClick={() => void toggleActive()}
                data-testid="activate-button"
              >
                {meta.flow.active ? "Deactivate" : "Activate"}
              </button>
            </span>
            </>
            )}
          </div>
        </header>
        {!meta.flow.active && blocked && (
          <div className="ed-blocked" data-testid="activation-blocked">
            Activation is blocked until the {problems.length} problem{problems.length > 1 ? "s" : ""} marked in red are fixed. Drafts can still be saved.
          </div>
        )}
        {notice && (
          <div className={`ed-notice ed-notice-${notice.kind}`} role="status" data-testid="notice">
            <span>{notice.text}</span>
            {notice.href && (
              <Link href={notice.href} className="ed-link">
                {notice.linkText ?? "Open"}
              </Link>
            )}
            <button type="button" className="ed-icon-btn" aria-label="Dismiss" onClick={() => setNotice(null)}>
              ×
            </button>
          </div>
        )}
        <div className="ed-main">
          <PaletteDock />
          <Canvas />
          <SidePanel meta={meta} tab={tab} selected={selected} ensureSaved={ensureSaved} triggerType={triggerType} />
        </div>
      </div>
    </NotifyContext.Provider>
  );
}
