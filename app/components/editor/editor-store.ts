/**
 * The flow editor's state: one zustand store per open editor (created by the provider, never a
 * module singleton), so two editors never share nodes and tests can build a store directly.
 *
 * Glossary
 *   canvas node   a React Flow node whose `data` is the flow node minus id/position (FlowNodeData)
 *   snapshot      nodes + edges + settings at one moment; undo/redo move between snapshots
 *   revision      bumped on every change worth saving; `savedRevision` is the one last saved
 *   problems      what the engine's validation said (flows.validate / flows.save), keyed by node
 *
 * Why: React Flow re-renders a node when its object changes, so every action replaces only the
 * nodes it touches and keeps the other references as they were (300 nodes drag smoothly).
 */
import type { inferRouterOutputs } from "@trpc/server";
import { addEdge, applyEdgeChanges, applyNodeChanges, type Connection, type Edge, type EdgeChange, type Node, type NodeChange } from "@xyflow/react";
import { createStore } from "zustand/vanilla";
import { flowSettingsSchema, type FlowDefinition, type FlowSettings } from "../../../engine/flow/schema";
import type { AppRouter } from "../../server/root";

export type NodeTypeInfo = inferRouterOutputs<AppRouter>["registry"]["nodes"][number];
export interface Problem {
  code: string;
  message: string;
  nodeId?: string;
  edgeId?: string;
  field?: string;
}

export interface FlowNodeData extends Record<string, unknown> {
  type: string;
  typeVersion: number;
  name?: string;
  config: Record<string, unknown>;
  connectionId: string | null;
  notes?: string;
  /** Maker-checker condition of a write node (kept as the flow definition has it). */
  approval?: { when: string };
}
export type CanvasNode = Node<FlowNodeData, "ledger">;
export type CanvasEdge = Edge;

interface Snapshot {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  settings: FlowSettings;
}

export interface EditorState extends Snapshot {
  past: Snapshot[];
  future: Snapshot[];
  revision: number;
  savedRevision: number;
  problems: Problem[];
  problemsByNode: Record<string, Problem[]>;
  clipboard: { nodes: CanvasNode[]; edges: CanvasEdge[] } | null;
  /** What the right-hand panel shows when no node is selected. */
  panel: "node" | "settings" | "versions" | "dryRun";
  /** Last history entry's coalescing key and time (typing in one field is one undo step). */
  lastHistory: { key: string; at: number } | null;

  onNodesChange(changes: NodeChange<CanvasNode>[]): void;
  onEdgesChange(changes: EdgeChange<CanvasEdge>[]): void;
  onConnect(connection: Connection): void;
  beginDrag(): void;
  addNode(info: NodeTypeInfo, position: { x: number; y: number }): string;
  updateNode(id: string, patch: Partial<FlowNodeData>, historyKey?: string): void;
  updateSettings(settings: FlowSettings, historyKey?: string): void;
  deleteSelected(): void;
  selectAll(): void;
  selectNode(id: string | null): void;
  copySelected(): void;
  paste(): void;
  undo(): void;
  redo(): void;
  applyLayout(positions: Record<string, { x: number; y: number }>): void;
  load(definition: FlowDefinition, options?: { keepHistory?: boolean }): void;
  setProblems(problems: Problem[]): void;
  markSaved(revision: number): void;
  setPanel(panel: EditorState["panel"]): void;
}

const HISTORY_LIMIT = 100;
const COALESCE_MS = 1_200;

/** Random ids: stable for the node's life, never derived from its (editable) name. */
export function newId(prefix: string): string {
  const bytes = new Uint8Array(6);
  globalThis.crypto.getRandomValues(bytes);
  return `${prefix}_${Array.from(bytes, (b) => (b % 36).toString(36)).join("")}`;
}

export function edgeLabel(handle: string | null | undefined): string | undefined {
  return handle && handle !== "out" ? handle : undefined;
}

function toCanvasEdge(e: { id: string; source: string; sourceHandle?: string | null; target: string; targetHandle?: string | null }): CanvasEdge {
  const handle = e.sourceHandle ?? "out";
  return {
    id: e.id,
    source: e.source,
    sourceHandle: handle,
    target: e.target,
    targetHandle: e.targetHandle ?? "in",
    label: edgeLabel(handle),
    className: handle === "true" ? "edge-true" : handle === "false" ? "edge-false" : undefined,
  };
}

export function fromDefinition(definition: FlowDefinition): Snapshot {
  return {
    nodes: definition.nodes.map((n) => ({
      id: n.id,
      type: "ledger",
      position: { ...n.position },
      data: { type: n.type, typeVersion: n.typeVersion, name: n.name, config: n.config ?? {}, connectionId: n.connectionId ?? null, ...(n.notes ? { notes: n.notes } : {}), ...(n.approval ? { approval: n.approval } : {}) },
    })),
    edges: definition.edges.map(toCanvasEdge),
    settings: definition.settings,
  };
}

/** The saved shape: exactly engine/flow/schema.ts (flow definition v1). */
export function toDefinition(state: Pick<EditorState, "nodes" | "edges" | "settings">): FlowDefinition {
  return {
    schemaVersion: 1,
    nodes: state.nodes.map((n) => ({
      id: n.id,
      type: n.data.type,
      typeVersion: n.data.typeVersion,
      ...(n.data.name ? { name: n.data.name } : {}),
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      config: n.data.config,
      connectionId: n.data.connectionId ?? null,
      ...(n.data.notes ? { notes: n.data.notes } : {}),
      ...(n.data.approval ? { approval: n.data.approval } : {}),
    })),
    edges: state.edges.map((e) => ({ id: e.id, source: e.source, sourceHandle: e.sourceHandle ?? "out", target: e.target, targetHandle: e.targetHandle ?? "in" })),
    settings: state.settings,
  };
}

function byNode(problems: Problem[]): Record<string, Problem[]> {
  const out: Record<string, Problem[]> = {};
  for (const p of problems) if (p.nodeId) (out[p.nodeId] ??= []).push(p);
  return out;
}

/** Config a new node starts with: the schema's defaults, and one empty row for required lists. */
export function defaultConfig(schema: unknown): Record<string, unknown> {
  const s = schema as { properties?: Record<string, JsonSchemaLike>; required?: string[] } | undefined;
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(s?.properties ?? {})) {
    if (prop.default !== undefined) out[key] = structuredClone(prop.default);
    else if (s?.required?.includes(key) && prop.type === "array" && (prop.minItems ?? 0) > 0 && prop.items?.type === "object") {
      out[key] = [Object.fromEntries(Object.keys(prop.items.properties ?? {}).map((k) => [k, ""]))];
    }
  }
  return out;
}
interface JsonSchemaLike {
  type?: string;
  default?: unknown;
  minItems?: number;
  items?: JsonSchemaLike;
  properties?: Record<string, JsonSchemaLike>;
}

/** The engine's defaults, from the one settings schema. */
export const emptySettings: FlowSettings = flowSettingsSchema.parse({});

export function createEditorStore(definition: FlowDefinition) {
  return createStore<EditorState>()((set, get) => {
    /** Record the current state for undo; `key` merges quick successive edits of one field. */
    const remember = (key?: string) => {
      const s = get();
      const now = Date.now();
      if (key && s.lastHistory?.key === key && now - s.lastHistory.at < COALESCE_MS) {
        set({ lastHistory: { key, at: now } });
        return;
      }
      const snap: Snapshot = { nodes: s.nodes, edges: s.edges, settings: s.settings };
      set({ past: [...s.past.slice(-HISTORY_LIMIT + 1), snap], future: [], lastHistory: key ? { key, at: now } : null });
    };
    const bump = () => set((s) => ({ revision: s.revision + 1 }));

    return {
      ...fromDefinition(definition),
      past: [],
      future: [],
      revision: 0,
      savedRevision: 0,
      problems: [],
      problemsByNode: {},
      clipboard: null,
      panel: "node",
      lastHistory: null,

      onNodesChange(changes) {
        const meaningful = changes.some((c) => c.type === "remove" || c.type === "add" || (c.type === "position" && !c.dragging) || c.type === "replace");
        if (changes.some((c) => c.type === "remove")) remember();
        set((s) => ({ nodes: applyNodeChanges(changes, s.nodes) }));
        if (meaningful) bump();
      },
      onEdgesChange(changes) {
        if (changes.some((c) => c.type === "remove")) remember();
        set((s) => ({ edges: applyEdgeChanges(changes, s.edges) }));
        if (changes.some((c) => c.type !== "select")) bump();
      },
      onConnect(connection) {
        if (connection.source === connection.target) return;
        remember();
        const edge = toCanvasEdge({ id: newId("e"), ...connection });
        set((s) => ({ edges: addEdge(edge, s.edges) }));
        bump();
      },
      beginDrag() {
        remember();
      },
      addNode(info, position) {
        remember();
        const id = newId(info.category === "trigger" ? "trigger" : "n");
        const node: CanvasNode = {
          id,
          type: "ledger",
          position,
          selected: true,
          data: { type: info.type, typeVersion: info.version, name: info.title, config: defaultConfig(info.configSchema), connectionId: null },
        };
        set((s) => ({ nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node], edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), panel: "node" }));
        bump();
        return id;
      },
      updateNode(id, patch, historyKey) {
        remember(historyKey ? `${id}:${historyKey}` : undefined);
        set((s) => ({ nodes: s.nodes.map((n) => (n.id === id ? { ...n, data: { ...n.data, ...patch } } : n)) }));
        bump();
      },
      updateSettings(settings, historyKey) {
        remember(historyKey ? `settings:${historyKey}` : undefined);
        set({ settings });
        bump();
      },
      deleteSelected() {
        const s = get();
        const doomed = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
        const edges = s.edges.filter((e) => !e.selected && !doomed.has(e.source) && !doomed.has(e.target));
        if (doomed.size === 0 && edges.length === s.edges.length) return;
        remember();
        set({ nodes: s.nodes.filter((n) => !doomed.has(n.id)), edges });
        bump();
      },
      selectAll() {
        set((s) => ({ nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })), edges: s.edges.map((e) => (e.selected ? e : { ...e, selected: true })) }));
      },
      selectNode(id) {
        set((s) => ({
          lastHistory: null,
          nodes: s.nodes.map((n) => ((n.id === id) === Boolean(n.selected) ? n : { ...n, selected: n.id === id })),
          edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
          panel: "node",
        }));
      },
      copySelected() {
        const s = get();
        const nodes = s.nodes.filter((n) => n.selected);
        if (nodes.length === 0) return;
        const ids = new Set(nodes.map((n) => n.id));
        set({ clipboard: { nodes, edges: s.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) } });
      },
      paste() {
        const { clipboard } = get();
        if (!clipboard) return;
        remember();
        const ids = new Map(clipboard.nodes.map((n) => [n.id, newId("n")]));
        const nodes: CanvasNode[] = clipboard.nodes.map((n) => ({
          id: ids.get(n.id)!,
          type: "ledger",
          position: { x: n.position.x + 40, y: n.position.y + 40 },
          selected: true,
          data: structuredClone(n.data),
        }));
        const edges = clipboard.edges.map((e) => ({ ...toCanvasEdge({ ...e, id: newId("e"), source: ids.get(e.source)!, target: ids.get(e.target)! }), selected: false }));
        set((s) => ({
          nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...nodes],
          edges: [...s.edges, ...edges],
          // Paste again and the copies cascade instead of stacking.
          clipboard: { nodes: nodes.map((n) => ({ ...n, id: n.id })), edges: edges },
        }));
        bump();
      },
      undo() {
        const s = get();
        const prev = s.past[s.past.length - 1];
        if (!prev) return;
        set({
          past: s.past.slice(0, -1),
          future: [{ nodes: s.nodes, edges: s.edges, settings: s.settings }, ...s.future],
          ...prev,
          lastHistory: null,
        });
        bump();
      },
      redo() {
        const s = get();
        const next = s.future[0];
        if (!next) return;
        set({ future: s.future.slice(1), past: [...s.past, { nodes: s.nodes, edges: s.edges, settings: s.settings }], ...next, lastHistory: null });
        bump();
      },
      applyLayout(positions) {
        remember();
        set((s) => ({ nodes: s.nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id]! } : n)) }));
        bump();
      },
      load(def, options) {
        if (options?.keepHistory) remember();
        set({ ...fromDefinition(def), ...(options?.keepHistory ? {} : { past: [], future: [] }) });
        bump();
      },
      setProblems(problems) {
        set({ problems, problemsByNode: byNode(problems) });
      },
      markSaved(revision) {
        // A save ends the current typing burst: the next keystroke starts a new undo step.
        set({ savedRevision: revision, lastHistory: null });
      },
      setPanel(panel) {
        set({ panel });
      },
    };
  });
}

export type EditorStore = ReturnType<typeof createEditorStore>;
