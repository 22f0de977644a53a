/**
 * Flow validation: every problem at once, each naming the node (or edge) it concerns, so the canvas
 * can show it on the node itself. Drafts with problems can be saved; activation requires none.
 */
import { z } from "zod";
import { expressionProblem } from "../nodes/expressions";
import { registry } from "../registry";
import { buildGraph, reachableFrom } from "./graph";
import { flowDefinitionSchema, type FlowDefinition } from "./schema";

export type ProblemCode =
  | "invalid_definition"
  | "duplicate_id"
  | "unknown_type"
  | "invalid_config"
  | "missing_connection"
  | "wrong_connection"
  | "dangling_edge"
  | "unknown_handle"
  | "cycle"
  | "trigger_count"
  | "unreachable"
  | "invalid_approval";

export interface FlowProblem {
  code: ProblemCode;
  message: string;
  nodeId?: string;
  edgeId?: string;
  /** Config field path for invalid_config, e.g. "fields.0.expression". */
  field?: string;
}

export interface ConnectionRef {
  id: string;
  system: string;
  name: string;
}

function nodeLabel(node: { id: string; name?: string; type: string }): string {
  return node.name ? `"${node.name}" (${node.id})` : `${node.type} node ${node.id}`;
}

export function validateFlow(json: unknown, connections: ConnectionRef[] = []): { flow?: FlowDefinition; problems: FlowProblem[] } {
  const parsed = flowDefinitionSchema.safeParse(json);
  if (!parsed.success) {
    const nodes = (json as { nodes?: { id?: string }[] } | undefined)?.nodes;
    return {
      problems: parsed.error.issues.map((issue) => {
        const [section, index] = issue.path;
        const nodeId = section === "nodes" && typeof index === "number" ? nodes?.[index]?.id : undefined;
        return {
          code: "invalid_definition" as const,
          nodeId: typeof nodeId === "string" ? nodeId : undefined,
          message: `${issue.path.join(".") || "flow"}: ${issue.message}`,
        };
      }),
    };
  }
  const flow = parsed.data;
  const problems: FlowProblem[] = [];
  const byId = new Map(flow.nodes.map((n) => [n.id, n]));

  const seen = new Set<string>();
  for (const node of flow.nodes) {
    if (seen.has(node.id)) problems.push({ code: "duplicate_id", nodeId: node.id, message: `Node id ${node.id} is used twice` });
    seen.add(node.id);
  }
  const seenEdges = new Set<string>();
  for (const edge of flow.edges) {
    if (seenEdges.has(edge.id)) problems.push({ code: "duplicate_id", edgeId: edge.id, message: `Edge id ${edge.id} is used twice` });
    seenEdges.add(edge.id);
  }

  const triggers: string[] = [];
  for (const node of flow.nodes) {
    const def = registry.node(node.type, node.typeVersion);
    if (!def) {
      const latest = registry.latest(node.type);
      problems.push({
        code: "unknown_type",
        nodeId: node.id,
        message: latest
          ? `${nodeLabel(node)}: version ${node.typeVersion} of ${node.type} does not exist (latest is ${latest.version})`
          : `${nodeLabel(node)}: unknown node type ${node.type}`,
      });
      continue;
    }
    if (def.category === "trigger") triggers.push(node.id);
    const config = def.config.safeParse(node.config);
    if (!config.success) {
      for (const issue of config.error.issues) {
        const field = issue.path.join(".");
        problems.push({
          code: "invalid_config",
          nodeId: node.id,
          field,
          message: `${nodeLabel(node)}: ${field ? `${field}: ` : ""}${issue.message}`,
        });
      }
    }
    if (node.approval) {
      const problem = expressionProblem(node.approval.when);
      if (def.effect.kind !== "write") {
        problems.push({ code: "invalid_approval", nodeId: node.id, field: "approval.when", message: `${nodeLabel(node)}: only write nodes can require approval` });
      } else if (problem) {
        problems.push({ code: "invalid_approval", nodeId: node.id, field: "approval.when", message: `${nodeLabel(node)}: approval condition: ${problem}` });
      }
    }
    if (def.connection) {
      const connector = registry.connector(def.connection);
      const title = connector?.title ?? def.connection;
      if (!node.connectionId) {
        problems.push({ code: "missing_connection", nodeId: node.id, message: `${nodeLabel(node)} needs a ${title} connection` });
      } else {
        const connection = connections.find((c) => c.id === node.connectionId);
        if (!connection) {
          problems.push({ code: "missing_connection", nodeId: node.id, message: `${nodeLabel(node)}: its connection no longer exists` });
        } else if (connection.system !== def.connection) {
          problems.push({
            code: "wrong_connection",
            nodeId: node.id,
            message: `${nodeLabel(node)} needs a ${title} connection, not "${connection.name}" (${connection.system})`,
          });
        }
      }
    }
  }

  for (const edge of flow.edges) {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    if (!source || !target) {
      problems.push({
        code: "dangling_edge",
        edgeId: edge.id,
        nodeId: source?.id ?? target?.id,
        message: `Edge ${edge.id} points to a node that does not exist (${!source ? edge.source : edge.target})`,
      });
      continue;
    }
    const def = registry.node(source.type, source.typeVersion);
    const outputs = def?.outputs ?? ["out"];
    if (def && !outputs.includes(edge.sourceHandle)) {
      problems.push({
        code: "unknown_handle",
        edgeId: edge.id,
        nodeId: source.id,
        message: `${nodeLabel(source)} has no output "${edge.sourceHandle}" (it has ${outputs.join(", ")})`,
      });
    }
    const targetDef = registry.node(target.type, target.typeVersion);
    if (targetDef?.category === "trigger") {
      problems.push({ code: "dangling_edge", edgeId: edge.id, nodeId: target.id, message: `${nodeLabel(target)} is a trigger and cannot have inputs` });
    }
  }

  const graph = buildGraph(flow);
  for (const id of graph.cyclic) {
    problems.push({ code: "cycle", nodeId: id, message: `${nodeLabel(byId.get(id)!)} is part of a cycle` });
  }

  if (triggers.length !== 1) {
    problems.push({
      code: "trigger_count",
      nodeId: triggers[1],
      message: triggers.length === 0 ? "The flow needs a trigger" : `The flow has ${triggers.length} triggers; keep exactly one`,
    });
  }
  if (triggers.length >= 1) {
    const reachable = reachableFrom(graph, triggers[0]!);
    for (const node of flow.nodes) {
      if (!reachable.has(node.id) && !triggers.includes(node.id)) {
        problems.push({ code: "unreachable", nodeId: node.id, message: `${nodeLabel(node)} is not connected to the trigger` });
      }
    }
  }
  return { flow, problems };
}

export class FlowInvalidError extends Error {
  constructor(readonly problems: FlowProblem[]) {
    super(problems.map((p) => p.message).join("; "));
  }
}

export const flowProblemSchema = z.object({
  code: z.string(),
  message: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  field: z.string().optional(),
});
