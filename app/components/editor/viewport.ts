"use client";
/**
 * The canvas opens readable: fit the whole flow when that keeps node titles legible, otherwise
 * stay at the smallest readable zoom and start at the flow's left edge (the trigger), so the
 * rest is one scroll or drag away. Used by the editor and the run graph.
 */
import { useNodesInitialized, useReactFlow, useStore, useStoreApi, type Rect, type Viewport } from "@xyflow/react";
import { useCallback, useEffect, useRef } from "react";

/** Node titles are 13 px: at this zoom they render at 11.7 px. */
export const READABLE_ZOOM = 0.9;
export const MAX_OPEN_ZOOM = 1;
const PADDING = 40;

/** The viewport that shows `bounds` in a `width` x `height` pane without going below `minZoom`. */
export function readableViewport(bounds: Rect, width: number, height: number, minZoom = READABLE_ZOOM, maxZoom = MAX_OPEN_ZOOM): Viewport {
  const fit = Math.min((width - 2 * PADDING) / Math.max(bounds.width, 1), (height - 2 * PADDING) / Math.max(bounds.height, 1));
  const zoom = Math.max(minZoom, Math.min(maxZoom, fit));
  const w = bounds.width * zoom;
  const h = bounds.height * zoom;
  // Centred along an axis where the flow fits; else its start (left / top) at the padding.
  const x = w + 2 * PADDING <= width ? (width - w) / 2 - bounds.x * zoom : PADDING - bounds.x * zoom;
  const y = h + 2 * PADDING <= height ? (height - h) / 2 - bounds.y * zoom : PADDING - bounds.y * zoom;
  return { x, y, zoom };
}

/**
 * `fitReadable()` sets the readable viewport for the current nodes; it runs by itself once the
 * nodes have been measured the first time.
 */
export function useReadableFit(options: { duration?: number } = {}): () => void {
  const { getNodes, getNodesBounds, setViewport } = useReactFlow();
  const store = useStoreApi();
  const initialized = useNodesInitialized();
  const done = useRef(false);
  /** False while there is nothing measured to fit (no nodes yet, or the pane has no size yet). */
  const fitReadable = useCallback(
    (duration?: number): boolean => {
      const nodes = getNodes();
      if (nodes.length === 0) return false;
      const { width, height } = store.getState();
      if (!width || !height) return false;
      void setViewport(readableViewport(getNodesBounds(nodes), width, height), duration ? { duration } : undefined);
      return true;
    },
    [getNodes, getNodesBounds, setViewport, store],
  );
  const paneWidth = useStore((s) => s.width);
  const paneHeight = useStore((s) => s.height);
  useEffect(() => {
    if (!initialized || done.current) return;
    done.current = fitReadable();
  }, [initialized, fitReadable, paneWidth, paneHeight]);
  return useCallback(() => void fitReadable(options.duration ?? 200), [fitReadable, options.duration]);
}

