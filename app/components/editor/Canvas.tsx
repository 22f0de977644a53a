"use client";
/**
 * The canvas (React Flow with the one node component, drop from the palette, connection rules,
 * minimap coloured by system and problems) and the palette dock beside it. The dotted background
 * and the mini map are our own (DotBackground.tsx, CanvasMiniMap.tsx): in headless Chromium's
 * software rendering, React Flow's repainted every pan frame and the mini map ran a selector per
 * node on every pointer move.
 */
import { Controls, ReactFlow, useReactFlow, type IsValidConnection, type NodeTypes } from "@xyflow/react";
import { useCallback, type DragEvent } from "react";
import { typeKey, useEditor, useEditorStore, useRegistry } from "./context";
import type { CanvasNode, NodeTypeInfo } from "./editor-store";
import { CanvasMiniMap } from "./CanvasMiniMap";
import { DotBackground } from "./DotBackground";
import { FlowNode } from "./FlowNode";
import { DRAG_MIME, Palette } from "./Palette";

/** Declared once at module scope: React Flow re-mounts every node when this object changes. */
const nodeTypes: NodeTypes = { ledger: FlowNode };
/*
 * Props React Flow compares by reference, at module scope: a new object per render would be
 * pushed into its store on every pointer move of a drag (defaultEdgeOptions re-renders every
 * edge, multiSelectionKeyCode re-binds the key listeners).
 */
const FIT_VIEW_OPTIONS = { padding: 0.1, maxZoom: 1 };
const DEFAULT_EDGE_OPTIONS = { type: "smoothstep" };
const PRO_OPTIONS = { hideAttribution: true };
const MULTI_SELECTION_KEYS = ["Meta", "Control"];
const SYSTEM_COLORS: Record<string, string> = { core: "#64748b", intacct: "#16a34a", avalara: "#ea580c", exact: "#dc2626", commerce: "#c2410c" };

export function PaletteDock() {
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

export function Canvas() {
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
  const problemsByNode = useEditor((s) => s.problemsByNode);
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
        multiSelectionKeyCode={MULTI_SELECTION_KEYS}
        selectionOnDrag={false}
        // Opens readable (useReadableFit in the shell); a wider flow scrolls: the wheel pans, Ctrl+wheel or a pinch zooms.
        panOnScroll
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.1}
        maxZoom={2}
        onlyRenderVisibleElements={nodes.length > 120}
        defaultEdgeOptions={DEFAULT_EDGE_OPTIONS}
        proOptions={PRO_OPTIONS}
      >
        <DotBackground gap={20} size={1} color="#d5dae1" />
        <CanvasMiniMap nodeColor={minimapColor} redrawKey={problemsByNode} ariaLabel="Mini map" />
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
