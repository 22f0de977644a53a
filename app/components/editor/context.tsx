"use client";
/**
 * The per-editor store and the node registry, handed down by context (never module singletons).
 */
import { createContext, useContext, useState, type ReactNode } from "react";
import { useStore } from "zustand";
import { createStore, type StoreApi } from "zustand/vanilla";
import { createEditorStore, type EditorState, type EditorStore, type NodeTypeInfo, type Problem } from "./editor-store";
import type { FlowDefinition } from "../../../engine/flow/schema";

const StoreContext = createContext<EditorStore | null>(null);
/**
 * The problems by node, apart from the editor store: each canvas node reads its own from here, so
 * a drag (an editor store change per pointer move) runs no per-node selector at all.
 */
type ProblemsStore = StoreApi<{ byNode: Record<string, Problem[]> }>;
const ProblemsContext = createContext<ProblemsStore | null>(null);

export interface RegistryInfo {
  list: NodeTypeInfo[];
  byKey: Map<string, NodeTypeInfo>;
  flowId: string;
}
const RegistryContext = createContext<RegistryInfo | null>(null);

export function EditorProvider({ definition, registry, children }: { definition: FlowDefinition; registry: RegistryInfo; children: ReactNode }) {
  const [store] = useState(() => createEditorStore(definition));
  const [problems] = useState(() => {
    const p: ProblemsStore = createStore(() => ({ byNode: store.getState().problemsByNode }));
    // Both stores live as long as this editor: the subscription ends with them.
    store.subscribe((s, prev) => {
      if (s.problemsByNode !== prev.problemsByNode) p.setState({ byNode: s.problemsByNode });
    });
    return p;
  });
  return (
    <StoreContext.Provider value={store}>
      <ProblemsContext.Provider value={problems}>
        <RegistryContext.Provider value={registry}>{children}</RegistryContext.Provider>
      </ProblemsContext.Provider>
    </StoreContext.Provider>
  );
}

/** One node's problems (a canvas node's only subscription). */
export function useNodeProblems(id: string): Problem[] | undefined {
  const problems = useContext(ProblemsContext);
  if (!problems) throw new Error("useNodeProblems outside <EditorProvider>");
  return useStore(problems, (s) => s.byNode[id]);
}

export function useEditorStore(): EditorStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useEditorStore outside <EditorProvider>");
  return store;
}

export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(useEditorStore(), selector);
}

export function useRegistry(): RegistryInfo {
  const registry = useContext(RegistryContext);
  if (!registry) throw new Error("useRegistry outside <EditorProvider>");
  return registry;
}

export const typeKey = (type: string, version: number) => `${type}@${version}`;

export const SYSTEMS: { id: string; title: string }[] = [
  { id: "core", title: "Built-in" },
  { id: "intacct", title: "Sage Intacct" },
  { id: "avalara", title: "Avalara" },
  { id: "exact", title: "Exact Online" },
  { id: "commerce", title: "Adobe Commerce" },
];
export const systemTitle = (id: string) => SYSTEMS.find((s) => s.id === id)?.title ?? id;
export const CATEGORIES: { id: string; title: string }[] = [
  { id: "trigger", title: "Triggers" },
  { id: "connector", title: "Actions" },
  { id: "transform", title: "Transforms" },
  { id: "control", title: "Control" },
];

/** Short glyphs for node icons (no icon font: plain text renders everywhere). */
export const ICONS: Record<string, string> = {
  play: "▶",
  clock: "◔",
  webhook: "⚡",
  shuffle: "⇄",
  table: "▦",
  filter: "▽",
  split: "⇉",
  sigma: "Σ",
};
export function iconFor(info: NodeTypeInfo | undefined): string {
  if (!info) return "?";
  if (info.icon && ICONS[info.icon]) return ICONS[info.icon]!;
  if (info.category === "trigger") return "▶";
  return info.effect === "write" ? "↑" : "↓";
}

export interface Notice {
  kind: "ok" | "error" | "info";
  text: string;
  href?: string;
  linkText?: string;
}
export const NotifyContext = createContext<(notice: Notice | null) => void>(() => undefined);
export const useNotify = () => useContext(NotifyContext);

/** The selected node ids as one string (a primitive, so selectors stay cheap and stable). */
export function useSelectedIds(): string[] {
  const joined = useEditor((s) => {
    let ids = "";
    for (const n of s.nodes) if (n.selected) ids += (ids ? "," : "") + n.id;
    return ids;
  });
  return joined ? joined.split(",") : [];
}
