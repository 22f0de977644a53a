/**
 * Auto-layout: dagre, left to right, using each node's measured size.
 */
import dagre from "@dagrejs/dagre";
import type { CanvasEdge, CanvasNode } from "./editor-store";

export function layoutLeftToRight(nodes: CanvasNode[], edges: CanvasEdge[]): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 36, ranksep: 90, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.measured?.width ?? 240, height: n.measured?.height ?? 64 });
  for (const e of edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out: Record<string, { x: number; y: number }> = {};
  for (const n of nodes) {
    const p = g.node(n.id) as { x: number; y: number; width: number; height: number } | undefined;
    if (p) out[n.id] = { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) };
  }
  return out;
}
