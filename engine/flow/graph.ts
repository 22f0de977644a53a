/**
 * Graph helpers over a flow definition: topological order, cycles, reachability.
 */
import type { FlowDefinition, FlowEdge } from "./schema";

export interface Graph {
  order: string[];
  incoming: Map<string, FlowEdge[]>;
  outgoing: Map<string, FlowEdge[]>;
  /** Node ids that sit on a cycle (empty for a valid flow). */
  cyclic: string[];
}

export function buildGraph(flow: Pick<FlowDefinition, "nodes" | "edges">): Graph {
  const ids = new Set(flow.nodes.map((n) => n.id));
  const incoming = new Map<string, FlowEdge[]>();
  const outgoing = new Map<string, FlowEdge[]>();
  for (const id of ids) {
    incoming.set(id, []);
    outgoing.set(id, []);
  }
  for (const edge of flow.edges) {
    if (!ids.has(edge.source) || !ids.has(edge.target)) continue;
    outgoing.get(edge.source)!.push(edge);
    incoming.get(edge.target)!.push(edge);
  }
  // Kahn's algorithm, stable in the order nodes are declared.
  const indegree = new Map([...ids].map((id) => [id, incoming.get(id)!.length]));
  const queue = flow.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(id);
    for (const edge of outgoing.get(id)!) {
      const left = indegree.get(edge.target)! - 1;
      indegree.set(edge.target, left);
      if (left === 0) queue.push(edge.target);
    }
  }
  const cyclic = flow.nodes.map((n) => n.id).filter((id) => !order.includes(id));
  return { order, incoming, outgoing, cyclic };
}

/** Nodes reachable from `start` following edges forward. */
export function reachableFrom(graph: Graph, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const edge of graph.outgoing.get(id) ?? []) {
      if (!seen.has(edge.target)) {
        seen.add(edge.target);
        stack.push(edge.target);
      }
    }
  }
  return seen;
}
