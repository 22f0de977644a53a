"use client";
/**
 * The flow editor: palette | canvas | side panel (node config, flow settings, versions, test and
 * run), a toolbar (undo/redo, layout, save with a note, activate), keyboard shortcuts, and
 * validation shown on the nodes as the user edits.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type IsValidConnection, type NodeTypes } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import type { FlowDefinition } from "../../../engine/flow/schema";
import { toDefinition, type CanvasNode, type NodeTypeInfo, type Problem } from "./editor-store";
import { useCan } from "../../lib/role";
import { useTRPC } from "../../lib/trpc";
import { ConfigPanel } from "./ConfigPanel";
import { EditorProvider, NotifyContext, typeKey, useEditor, useEditorStore, useRegistry, useSelectedIds, type Notice, type RegistryInfo } from "./context";
import { FlowNode } from "./FlowNode";
import { layoutLeftToRight } from "./layout";
import { DRAG_MIME, Palette } from "./Palette";
import { RunPanel } from "./RunPanel";
import { SettingsPanel } from "./SettingsPanel";
import { VersionsPanel } from "./VersionsPanel";
import { useReadableFit } from "./viewport";
import "./editor.css";

/** Declared once at module scope: React Flow re-mounts every node when this object changes. */
const nodeTypes: NodeTypes = { ledger: FlowNode };
const SYSTEM_COLORS: Record<string, string> = { core: "#64748b", intacct: "#16a34a", avalara: "#ea580c", exact: "#dc2626", commerce: "#c2410c" };

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

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable;
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

  // Keyboard shortcuts (Delete, undo/redo, copy/paste, select all, save).
  const saveRef = useRef(saveNow);
  const noteRef = useRef(note);
  const canEditRef = useRef(canEdit);
  useEffect(() => {
    saveRef.current = saveNow;
    noteRef.current = note;
    canEditRef.current = canEdit;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.metaKey || e.ctrlKey;
      const key = e.key.toLowerCase();
      if (mod && key === "s") {
        e.preventDefault();
        if (canEditRef.current) void saveRef.current(noteRef.current);
        return;
      }
      if (isTyping(e.target)) return;
      const s = store.getState();
      if (e.key === "Delete" || e.key === "Backspace") {
        e.preventDefault();
        s.deleteSelected();
      } else if (mod && key === "z" && !e.shiftKey) {
        e.preventDefault();
        s.undo();
      } else if ((mod && key === "z" && e.shiftKey) || (mod && key === "y")) {
        e.preventDefault();
        s.redo();
      } else if (mod && key === "c") {
        s.copySelected();
      } else if (mod && key === "v") {
        s.paste();
      } else if (mod && key === "a") {
        e.preventDefault();
        s.selectAll();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store]);

  // Warn before leaving with unsaved changes (only someone who can save has any).
  useEffect(() => {
    if (!dirty || !canEdit) return;
    const onLeave = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", onLeave);
    return () => window.removeEventListener("beforeunload", onLeave);
  }, [dirty, canEdit]);

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
                <form
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
                </form>
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
          <aside className="ed-side" aria-label="Details">
            <nav className="ed-tabs" role="tablist">
              {(
                [
                  ["node", "Node"],
                  ["settings", "Settings"],
                  ["versions", "Versions"],
                  ["dryRun", "Test & run"],
                ] as const
              ).map(([id, label]) => (
                <button key={id} type="button" role="tab" aria-selected={tab === id} className={tab === id ? "on" : ""} onClick={() => store.getState().setPanel(id)} data-testid={`tab-${id}`}>
                  {label}
                </button>
              ))}
            </nav>
            <div className="ed-side-body">
              {tab === "node" &&
                (selected.length === 1 ? (
                  <ConfigPanel key={selected[0]} nodeId={selected[0]!} webhookUrl={meta.webhookUrl} />
                ) : (
                  <div className="ed-empty">
                    <div className="ed-empty-title">{selected.length > 1 ? `${selected.length} nodes selected` : "No node selected"}</div>
                    <p>{selected.length > 1 ? "Copy them (Ctrl+C), delete them (Delete) or drag them together." : "Click a node to configure it, or drag one from the palette."}</p>
                    <ul className="ed-shortcuts">
                      <li>
                        <kbd>Ctrl</kbd>+<kbd>S</kbd> save
                      </li>
                      <li>
                        <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo, <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redo
                      </li>
                      <li>
                        <kbd>Ctrl</kbd>+<kbd>C</kbd> / <kbd>V</kbd> copy and paste
                      </li>
                      <li>
                        <kbd>Ctrl</kbd>+<kbd>A</kbd> select all, <kbd>Delete</kbd> remove
                      </li>
                      <li>
                        <kbd>Shift</kbd>+drag to select an area
                      </li>
                    </ul>
                  </div>
                ))}
              {tab === "settings" && <SettingsPanel />}
              {tab === "versions" && <VersionsPanel versions={meta.versions} activeVersionId={meta.flow.active ? meta.flow.activeVersionId : null} />}
              {tab === "dryRun" && <RunPanel ensureSaved={ensureSaved} triggerType={triggerType} />}
            </div>
          </aside>
        </div>
      </div>
    </NotifyContext.Provider>
  );
}

function PaletteDock() {
  const store = useEditorStore();
  const { screenToFlowPosition } = useReactFlow();
  const onAdd = useCallback(
    (info: NodeTypeInfo) => {
      // Next to the selected node (or the right-most one), so double-click builds a chain.
      const s = store.getState();
      const anchor = s.nodes.find((n) => n.selected) ?? s.nodes.reduce<CanvasNode | undefined>((a, n) => (!a || n.position.x > a.position.x ? n : a), undefined);
      const fallback = screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
      s.addNode(info, anchor ? { x: anchor.position.x + 300, y: anchor.position.y } : fallback);
    },
    [screenToFlowPosition, store],
  );
  return <Palette onAdd={onAdd} />;
}

function Canvas() {
  const store = useEditorStore();
  const { byKey } = useRegistry();
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const { onNodesChange, onEdgesChange, onConnect, beginDrag } = store.getState();
  const { screenToFlowPosition } = useReactFlow();

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
    }
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      const key = e.dataTransfer.getData(DRAG_MIME);
      const info = key ? byKey.get(key) : undefined;
      if (!info) return;
      e.preventDefault();
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      store.getState().addNode(info, { x: p.x - 110, y: p.y - 28 });
    },
    [byKey, screenToFlowPosition, store],
  );
  const isValidConnection = useCallback<IsValidConnection>(
    (c) => c.source !== c.target && !store.getState().edges.some((e) => e.source === c.source && e.target === c.target && (e.sourceHandle ?? "out") === (c.sourceHandle ?? "out")),
    [store],
  );
  const minimapColor = useCallback(
    (n: CanvasNode) => {
      if (store.getState().problemsByNode[n.id]) return "#dc2626";
      return SYSTEM_COLORS[byKey.get(typeKey(n.data.type, n.data.typeVersion))?.system ?? ""] ?? "#94a3b8";
    },
    [byKey, store],
  );
  const onlyTrigger = nodes.length <= 1;

  return (
    <div className="ed-canvas" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<CanvasNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onNodeDragStart={beginDrag}
        onSelectionDragStart={beginDrag}
        isValidConnection={isValidConnection}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={["Meta", "Control"]}
        selectionOnDrag={false}
        // Opens readable (useReadableFit in the shell); a wider flow scrolls: the wheel pans, Ctrl+wheel or a pinch zooms.
        panOnScroll
        fitViewOptions={{ padding: 0.1, maxZoom: 1 }}
        minZoom={0.1}
        maxZoom={2}
        onlyRenderVisibleElements={nodes.length > 120}
        defaultEdgeOptions={{ type: "smoothstep" }}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} size={1} color="#d5dae1" />
        <MiniMap<CanvasNode> pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={2} ariaLabel="Mini map" />
        <Controls showInteractive={false} />
      </ReactFlow>
      {onlyTrigger && (
        <div className="ed-canvas-hint" aria-hidden>
          Drag a node from the palette onto the canvas, then connect the right-hand dot of one node to the left-hand dot of the next.
        </div>
      )}
    </div>
  );
}
