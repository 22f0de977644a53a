"use client";
/**
 * The one canvas node component (memoized; registered once in the module-scope `nodeTypes`).
 * Reads its registry entry from context and its problems from the problems store by id (not the
 * editor store, which changes on every pointer move of a drag): no callbacks in `data`, so moving
 * one node never re-renders the others, nor runs 300 selectors.
 */
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { CanvasNode } from "./editor-store";
import { iconFor, typeKey, useNodeProblems, useRegistry } from "./context";

function FlowNodeView({ id, data, selected }: NodeProps<CanvasNode>) {
  const { byKey } = useRegistry();
  const info = byKey.get(typeKey(data.type, data.typeVersion));
  const problems = useNodeProblems(id);
  const isTrigger = info?.category === "trigger";
  const outputs = info?.outputs ?? ["out"];
  const title = data.name || info?.title || data.type;
  const system = info?.system ?? "unknown";
  return (
    <div
      className={`ed-node sys-${system}${selected ? " selected" : ""}${problems ? " has-problems" : ""}`}
      data-testid="flow-node"
      data-node-id={id}
      data-node-type={data.type}
    >
      {!isTrigger && <Handle type="target" position={Position.Left} id="in" className="ed-handle" />}
      <div className="ed-node-icon" aria-hidden>
        {iconFor(info)}
      </div>
      <div className="ed-node-body">
        <div className="ed-node-title" title={title}>
          {title}
        </div>
        <div className="ed-node-sub">
          {info ? `${isTrigger ? "Trigger · " : ""}${info.title === title ? info.type : info.title}` : `Unknown type ${data.type}`}
          {info?.effect === "write" && <span className="ed-write-tag">writes</span>}
          {info?.effect === "write" && data.approval && (
            <span className="ed-write-tag" title={`Waits for approval when ${data.approval.when}`} data-testid="approval-tag">
              approval
            </span>
          )}
        </div>
      </div>
      {problems && (
        <div className="ed-node-problem" role="alert" data-testid="node-problem" title={problems.map((p) => p.message).join("\n")}>
          <span className="ed-badge-count">{problems.length}</span>
          <span className="ed-problem-text">{shortMessage(problems[0]!.message)}</span>
        </div>
      )}
      {outputs.length === 1 ? (
        <Handle type="source" position={Position.Right} id={outputs[0]} className="ed-handle" />
      ) : (
        outputs.map((out, i) => (
          <Handle
            key={out}
            type="source"
            position={Position.Right}
            id={out}
            className={`ed-handle ed-handle-${out}`}
            style={{ top: `${((i + 1) / (outputs.length + 1)) * 100}%` }}
            data-testid={`handle-${out}`}
          >
            <span className="ed-handle-label">{out}</span>
          </Handle>
        ))
      )}
    </div>
  );
}

/** The engine names the node in every message; on the node itself that is noise. */
function shortMessage(message: string): string {
  return message
    .replace(/^"[^"]*" \([A-Za-z0-9_-]+\)(: | )/, "")
    .replace(/^[\w.]+ node [A-Za-z0-9_-]+(: | )/, "")
    .replace(/^[\w.]+\.\d+\.[\w.]+: /, "");
}

export const FlowNode = memo(FlowNodeView);
