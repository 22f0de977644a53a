"use client";
/**
 * The flow of a run drawn read-only, each node coloured by what happened to it in this run.
 * `nodeTypes` is declared once at module scope and the node component is memoized (house rule 8).
 */
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { memo, useMemo } from "react";
import { STATUS_COLORS, STATUS_LABELS } from "./ui";

export interface RunGraphNodeData extends Record<string, unknown> {
  label: string;
  typeTitle: string;
  status: string | null;
  selected: boolean;
  sourceHandles: string[];
  durationMs: number | null;
}
type RunGraphNode = Node<RunGraphNodeData, "runNode">;

const RunNode = memo(function RunNode({ data }: NodeProps<RunGraphNode>) {
  const color = data.status ? (STATUS_COLORS[data.status] ?? "#9ca3af") : "#d0d5dd";
  return (
    <div
      className="run-node"
      data-status={data.status ?? "not_reached"}
      style={{
        width: 200,
        background: "#fff",
        border: `1.5px solid ${data.selected ? "#1c2430" : color}`,
        borderLeft: `5px solid ${color}`,
        borderRadius: 8,
        padding: "8px 10px",
        boxShadow: data.selected ? "0 0 0 3px rgba(36,89,214,.25)" : "0 1px 2px rgba(16,24,40,.08)",
        opacity: data.status ? 1 : 0.6,
        cursor: "pointer",
      }}
    >
      <Handle type="target" position={Position.Left} id="in" style={{ background: "#98a2b3" }} />
      <div style={{ fontWeight: 600, fontSize: 13, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>{data.label}</div>
      <div style={{ fontSize: 11, color: "#667085", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>{data.typeTitle}</div>
      <div style={{ fontSize: 11, marginTop: 4, color, fontWeight: 600 }}>
        {data.status ? (STATUS_LABELS[data.status] ?? data.status) : "Not reached"}
        {data.durationMs !== null ? <span style={{ color: "#98a2b3", fontWeight: 400 }}> · {data.durationMs} ms</span> : null}
      </div>
      {data.sourceHandles.map((h, i) => (
        <Handle key={h} type="source" position={Position.Right} id={h} style={{ top: `${((i + 1) * 100) / (data.sourceHandles.length + 1)}%`, background: "#98a2b3" }} />
      ))}
    </div>
  );
});

const nodeTypes = { runNode: RunNode };

export interface RunGraphProps {
  definition: { nodes: { id: string; type: string; name?: string; position: { x: number; y: number } }[]; edges: { id: string; source: string; sourceHandle: string; target: string; targetHandle: string }[] };
  statuses: Record<string, { status: string; durationMs: number | null }>;
  typeTitles: Record<string, string>;
  selectedNodeId: string | null;
  onSelect: (nodeId: string) => void;
}

export function RunGraph({ definition, statuses, typeTitles, selectedNodeId, onSelect }: RunGraphProps) {
  const nodes: RunGraphNode[] = useMemo(
    () =>
      definition.nodes.map((n) => ({
        id: n.id,
        type: "runNode" as const,
        position: n.position,
        draggable: false,
        connectable: false,
        data: {
          label: n.name || n.id,
          typeTitle: typeTitles[n.type] ?? n.type,
          status: statuses[n.id]?.status ?? null,
          durationMs: statuses[n.id]?.durationMs ?? null,
          selected: n.id === selectedNodeId,
          sourceHandles: [...new Set(["out", ...definition.edges.filter((e) => e.source === n.id).map((e) => e.sourceHandle)])],
        },
      })),
    [definition, statuses, typeTitles, selectedNodeId],
  );
  const edges: Edge[] = useMemo(
    () =>
      definition.edges.map((e) => {
        const reached = statuses[e.source] && statuses[e.target];
        return {
          id: e.id,
          source: e.source,
          sourceHandle: e.sourceHandle,
          target: e.target,
          targetHandle: "in",
          label: e.sourceHandle !== "out" ? e.sourceHandle : undefined,
          animated: statuses[e.target]?.status === "running",
          style: { stroke: reached ? "#667085" : "#d0d5dd", strokeWidth: reached ? 2 : 1.5 },
        };
      }),
    [definition, statuses],
  );
  return (
    <div style={{ height: 360, background: "#fbfcfd" }} data-testid="run-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        onNodeClick={(_, node) => onSelect(node.id)}
        proOptions={{ hideAttribution: true }}
        minZoom={0.2}
      >
        <Background gap={16} color="#e5e7eb" />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
