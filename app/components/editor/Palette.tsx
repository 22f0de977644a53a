"use client";
/**
 * The palette, built from the node registry: grouped by system, then by category, with search.
 * Drag an entry onto the canvas, or press Enter / double-click to add it next to the selection.
 */
import { memo, useMemo, useState } from "react";
import type { NodeTypeInfo } from "./editor-store";
import { CATEGORIES, iconFor, SYSTEMS, systemTitle, typeKey, useRegistry } from "./context";

export const DRAG_MIME = "application/x-ledgerline-node";

function PaletteView({ onAdd }: { onAdd: (info: NodeTypeInfo) => void }) {
  const { list } = useRegistry();
  const [query, setQuery] = useState("");
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const match = (n: NodeTypeInfo) =>
      !q || [n.title, n.type, n.description, systemTitle(n.system), n.category].some((s) => s.toLowerCase().includes(q));
    const systems = [...SYSTEMS.map((s) => s.id), ...new Set(list.map((n) => n.system).filter((s) => !SYSTEMS.some((x) => x.id === s)))];
    return systems
      .map((system) => ({
        system,
        categories: CATEGORIES.map((c) => ({ ...c, nodes: list.filter((n) => n.system === system && n.category === c.id && match(n)) })).filter((c) => c.nodes.length > 0),
      }))
      .filter((g) => g.categories.length > 0);
  }, [list, query]);

  return (
    <aside className="ed-palette" aria-label="Node palette">
      <div className="ed-palette-search">
        <input type="search" placeholder="Search nodes…" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search nodes" />
      </div>
      <div className="ed-palette-list">
        {groups.length === 0 && <p className="ed-muted ed-pad">No node matches “{query}”.</p>}
        {groups.map((g) => {
          const closed = collapsed[g.system] && !query;
          return (
            <section key={g.system} className={`ed-pgroup sys-${g.system}`}>
              <button type="button" className="ed-pgroup-head" aria-expanded={!closed} onClick={() => setCollapsed((c) => ({ ...c, [g.system]: !c[g.system] }))}>
                <span className="ed-sys-dot" />
                {systemTitle(g.system)}
                <span className="ed-caret">{closed ? "▸" : "▾"}</span>
              </button>
              {!closed &&
                g.categories.map((c) => (
                  <div key={c.id} className="ed-pcat">
                    <div className="ed-pcat-title">{c.title}</div>
                    {c.nodes.map((n) => (
                      <div
                        key={typeKey(n.type, n.version)}
                        className="ed-pitem"
                        role="button"
                        tabIndex={0}
                        draggable
                        title={n.description}
                        data-testid="palette-item"
                        data-node-type={n.type}
                        onDragStart={(e) => {
                          e.dataTransfer.setData(DRAG_MIME, typeKey(n.type, n.version));
                          e.dataTransfer.effectAllowed = "move";
                        }}
                        onDoubleClick={() => onAdd(n)}
                        onKeyDown={(e) => {
                          if (e.key === "Enter") onAdd(n);
                        }}
                      >
                        <span className="ed-pitem-icon">{iconFor(n)}</span>
                        <span className="ed-pitem-title">{n.title}</span>
                        {n.effect === "write" && <span className="ed-write-tag">writes</span>}
                      </div>
                    ))}
                  </div>
                ))}
            </section>
          );
        })}
      </div>
      <div className="ed-palette-hint">Drag onto the canvas, or double-click to add.</div>
    </aside>
  );
}

export const Palette = memo(PaletteView);
