"use client";
/**
 * The canvas's mini map: every node as a rectangle in its colour and the visible part of the flow
 * left clear under a grey veil; dragging on it pans the canvas and the wheel zooms, like React
 * Flow's `<MiniMap pannable zoomable>` (same geometry, same pan and zoom steps). It draws into one
 * <canvas> at most once per frame from a single store subscription, where React Flow's mini map
 * keeps a subscription and an SVG rectangle per node (300 selectors per pointer move of a drag)
 * and repaints its SVG on every pan frame.
 */
import { Panel, useStoreApi, type InternalNode, type ReactFlowState } from "@xyflow/react";
import { useEffect, useRef, type PointerEvent as ReactPointerEvent, type WheelEvent as ReactWheelEvent } from "react";
import type { CanvasNode } from "./editor-store";

const WIDTH = 200;
const HEIGHT = 150;
/** React Flow's default margin around the nodes, in mini map pixels. */
const OFFSET_SCALE = 5;
const MASK_COLOR = "rgba(240, 240, 240, 0.6)";

interface Geometry {
  /** Flow units per mini map pixel. */
  viewScale: number;
  /** The flow rectangle the mini map shows. */
  x: number;
  y: number;
  width: number;
  height: number;
}

type State = ReactFlowState<CanvasNode>;

function nodeBox(node: InternalNode<CanvasNode>) {
  if (node.hidden) return null;
  const width = node.measured.width ?? node.width;
  const height = node.measured.height ?? node.height;
  if (!width || !height) return null;
  return { x: node.internals.positionAbsolute.x, y: node.internals.positionAbsolute.y, width, height };
}

/** What the mini map shows: the nodes' bounds and the viewport together, centred, with a margin. */
function geometry(s: State): Geometry & { view: { x: number; y: number; width: number; height: number } } {
  const [tx, ty, zoom] = s.transform;
  const view = { x: -tx / zoom, y: -ty / zoom, width: s.width / zoom, height: s.height / zoom };
  let x0 = view.x;
  let y0 = view.y;
  let x1 = view.x + view.width;
  let y1 = view.y + view.height;
  for (const node of s.nodeLookup.values()) {
    const b = nodeBox(node);
    if (!b) continue;
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  const viewScale = Math.max((x1 - x0) / WIDTH, (y1 - y0) / HEIGHT);
  const offset = OFFSET_SCALE * viewScale;
  const width = viewScale * WIDTH + 2 * offset;
  const height = viewScale * HEIGHT + 2 * offset;
  return { viewScale, x: x0 - (viewScale * WIDTH - (x1 - x0)) / 2 - offset, y: y0 - (viewScale * HEIGHT - (y1 - y0)) / 2 - offset, width, height, view };
}

export function CanvasMiniMap({ nodeColor, ariaLabel, redrawKey }: { nodeColor: (node: CanvasNode) => string; ariaLabel: string; redrawKey?: unknown }) {
  const store = useStoreApi<CanvasNode>();
  const canvas = useRef<HTMLCanvasElement>(null);
  const scale = useRef(1);
  const colorOf = useRef(nodeColor);
  const drawRef = useRef<() => void>(() => undefined);

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext("2d");
    if (!el || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    el.width = Math.round(WIDTH * dpr);
    el.height = Math.round(HEIGHT * dpr);
    let frame = 0;
    let drawn: { nodes: unknown; transform: unknown; width: number; height: number } | null = null;
    const draw = () => {
      frame = 0;
      const s = store.getState();
      drawn = { nodes: s.nodes, transform: s.transform, width: s.width, height: s.height };
      const g = geometry(s);
      scale.current = g.viewScale;
      const k = (WIDTH * dpr) / g.width;
      // Device pixels, edges on whole pixels (React Flow draws them with crispEdges).
      const px = (v: number, origin: number) => Math.round((v - origin) * k);
      ctx.clearRect(0, 0, el.width, el.height);
      for (const node of s.nodeLookup.values()) {
        const b = nodeBox(node);
        if (!b) continue;
        const left = px(b.x, g.x);
        const top = px(b.y, g.y);
        ctx.fillStyle = colorOf.current(node.internals.userNode);
        ctx.fillRect(left, top, Math.max(1, px(b.x + b.width, g.x) - left), Math.max(1, px(b.y + b.height, g.y) - top));
      }
      // The veil over everything but the viewport.
      ctx.fillStyle = MASK_COLOR;
      ctx.beginPath();
      ctx.rect(0, 0, el.width, el.height);
      ctx.rect((g.view.x - g.x) * k, (g.view.y - g.y) * k, g.view.width * k, g.view.height * k);
      ctx.fill("evenodd");
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    drawRef.current = schedule;
    schedule();
    const unsubscribe = store.subscribe((s) => {
      if (drawn && s.nodes === drawn.nodes && s.transform === drawn.transform && s.width === drawn.width && s.height === drawn.height) return;
      schedule();
    });
    return () => {
      unsubscribe();
      if (frame) cancelAnimationFrame(frame);
      drawRef.current = () => undefined;
    };
  }, [store]);
  // Colours come from outside the flow store (problems): redraw when they may have changed.
  useEffect(() => {
    colorOf.current = nodeColor;
    drawRef.current();
  }, [nodeColor, redrawKey]);

  // Pan: the viewport moves the way the pointer drags the veil's window (React Flow's steps).
  const panFrom = useRef<{ x: number; y: number; pointer: number } | null>(null);
  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    panFrom.current = { x: e.clientX, y: e.clientY, pointer: e.pointerId };
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const from = panFrom.current;
    if (!from || from.pointer !== e.pointerId) return;
    const { transform, panZoom, width, height, translateExtent } = store.getState();
    const dx = e.clientX - from.x;
    const dy = e.clientY - from.y;
    panFrom.current = { ...from, x: e.clientX, y: e.clientY };
    if (!panZoom || (!dx && !dy)) return;
    const zoom = transform[2];
    const moveScale = scale.current * Math.max(zoom, Math.log(zoom));
    void panZoom.setViewportConstrained(
      { x: transform[0] - dx * moveScale, y: transform[1] - dy * moveScale, zoom },
      [
        [0, 0],
        [width, height],
      ],
      translateExtent,
    );
  };
  const onPointerUp = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (panFrom.current?.pointer === e.pointerId) panFrom.current = null;
  };
  const onWheel = (e: ReactWheelEvent<HTMLCanvasElement>) => {
    const { transform, panZoom } = store.getState();
    if (!panZoom) return;
    const delta = -e.deltaY * (e.deltaMode === 1 ? 0.05 : e.deltaMode ? 1 : 0.002);
    void panZoom.scaleTo(transform[2] * Math.pow(2, delta));
  };

  return (
    <Panel position="bottom-right" className="react-flow__minimap ed-minimap" data-testid="rf__minimap">
      <canvas
        ref={canvas}
        className="ed-minimap-canvas"
        style={{ width: WIDTH, height: HEIGHT }}
        role="img"
        aria-label={ariaLabel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onWheel={onWheel}
      />
    </Panel>
  );
}
