"use client";
/**
 * The canvas's dotted background, drawn like React Flow's dots `<Background>` (one dot of `size`
 * per `gap` flow units, scaled by the zoom) but as one tile image on a layer of its own that a pan
 * only moves: React Flow's pattern re-renders and repaints the whole pane on every pan frame,
 * this repaints only when the zoom changes. It follows the viewport without React renders (a store
 * subscription writes the layer's transform, as React Flow's own viewport does).
 */
import { useStoreApi } from "@xyflow/react";
import { useLayoutEffect, useRef } from "react";

/** `a mod n` in [0, n) for any sign of a. */
const mod = (a: number, n: number) => ((a % n) + n) % n;

/** One tile of the pattern: a dot of radius r at (r, r), as React Flow's dot pattern has it. */
function dotTile(step: number, radius: number, color: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${step}" height="${step}"><circle cx="${radius}" cy="${radius}" r="${radius}" fill="${color}"/></svg>`;
  return `url("data:image/svg+xml,${encodeURIComponent(svg)}")`;
}

export function DotBackground({ gap = 20, size = 1, color }: { gap?: number; size?: number; color: string }) {
  const store = useStoreApi();
  const layer = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    let prev: readonly [number, number, number] | null = null;
    const apply = () => {
      const transform = store.getState().transform;
      const el = layer.current;
      if (!el || (prev && transform[0] === prev[0] && transform[1] === prev[1] && transform[2] === prev[2])) return;
      const zoom = transform[2];
      const step = gap * zoom || 1;
      if (!prev || prev[2] !== zoom) {
        // The tile changes with the zoom only: the one repaint.
        el.style.backgroundImage = dotTile(step, (size * zoom) / 2, color);
        el.style.backgroundSize = `${step}px ${step}px`;
        // One tile of margin on each side, so every translation within a tile still covers the pane.
        el.style.inset = `${-step}px`;
      }
      // React Flow's pattern starts half a tile before the viewport's origin.
      el.style.transform = `translate(${mod(transform[0] - step / 2, step)}px, ${mod(transform[1] - step / 2, step)}px)`;
      prev = transform;
    };
    apply();
    return store.subscribe(apply);
  }, [store, gap, size, color]);
  return (
    <div className="react-flow__background ed-dots" data-testid="canvas-background" aria-hidden>
      <div ref={layer} className="ed-dots-layer" />
    </div>
  );
}
