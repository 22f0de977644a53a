/**
 * A readable diff between two flow versions: nodes added, removed, changed (with each config
 * field that changed), edges added and removed, settings changed.
 */
import type { FlowDefinition } from "./schema";

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface FlowDiff {
  addedNodes: { id: string; type: string; name?: string }[];
  removedNodes: { id: string; type: string; name?: string }[];
  changedNodes: { id: string; type: string; name?: string; changes: FieldChange[] }[];
  addedEdges: { id: string; source: string; target: string; sourceHandle: string }[];
  removedEdges: { id: string; source: string; target: string; sourceHandle: string }[];
  settings: FieldChange[];
}

function walk(before: unknown, after: unknown, path: string, out: FieldChange[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (Array.isArray(before) && Array.isArray(after)) {
    // Element by element: a changed expression in the 3rd mapped field reads "fields.2.expression".
    for (let i = 0; i < Math.max(before.length, after.length); i++) walk(before[i], after[i], path ? `${path}.${i}` : String(i), out);
    return;
  }
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before as object), ...Object.keys(after as object)]);
    for (const key of keys) walk((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], path ? `${path}.${key}` : key, out);
    return;
  }
  out.push({ path, before, after });
}

export function diffFlows(before: FlowDefinition, after: FlowDefinition): FlowDiff {
  const beforeNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const afterNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const summary = (n: FlowDefinition["nodes"][number]) => ({ id: n.id, type: n.type, name: n.name });
  const diff: FlowDiff = { addedNodes: [], removedNodes: [], changedNodes: [], addedEdges: [], removedEdges: [], settings: [] };
  for (const node of after.nodes) if (!beforeNodes.has(node.id)) diff.addedNodes.push(summary(node));
  for (const node of before.nodes) if (!afterNodes.has(node.id)) diff.removedNodes.push(summary(node));
  for (const node of after.nodes) {
    const old = beforeNodes.get(node.id);
    if (!old) continue;
    const changes: FieldChange[] = [];
    // Moving a node on the canvas is not a change worth listing.
    const { position: _a, ...oldRest } = old;
    const { position: _b, ...newRest } = node;
    walk(oldRest, newRest, "", changes);
    if (changes.length > 0) diff.changedNodes.push({ ...summary(node), changes });
  }
  const edgeKey = (e: FlowDefinition["edges"][number]) => `${e.source}:${e.sourceHandle}->${e.target}`;
  const beforeEdges = new Set(before.edges.map(edgeKey));
  const afterEdges = new Set(after.edges.map(edgeKey));
  const edgeSummary = (e: FlowDefinition["edges"][number]) => ({ id: e.id, source: e.source, target: e.target, sourceHandle: e.sourceHandle });
  diff.addedEdges = after.edges.filter((e) => !beforeEdges.has(edgeKey(e))).map(edgeSummary);
  diff.removedEdges = before.edges.filter((e) => !afterEdges.has(edgeKey(e))).map(edgeSummary);
  walk(before.settings, after.settings, "settings", diff.settings);
  return diff;
}
