"use client";
/** The editor's side panel: the selected node's config, flow settings, versions, test and run. */
import type { FlowMeta } from "./FlowEditor";
import { ConfigPanel } from "./ConfigPanel";
import { useEditorStore } from "./context";
import { RunPanel } from "./RunPanel";
import { SettingsPanel } from "./SettingsPanel";
import { VersionsPanel } from "./VersionsPanel";

export type SideTab = "node" | "settings" | "versions" | "dryRun";

export function SidePanel({
  meta,
  tab,
  selected,
  ensureSaved,
  triggerType,
}: {
  meta: FlowMeta;
  tab: SideTab;
  selected: string[];
  ensureSaved: (why: string) => Promise<boolean>;
  triggerType: string | undefined;
}) {
  const store = useEditorStore();
  return (
    <aside className="ed-side" aria-label="Details">
      <nav className="ed-tabs" role="tablist">
        {(
          [
            ["node", "Node"],
            ["settings", "Settings"],
            ["versions", "Versions"],
            ["dryRun", "Test & run"],
          ] as const
        ).map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} className={tab === id ? "on" : ""} onClick={() => store.getState().setPanel(id)} data-testid={`tab-${id}`}>
            {label}
          </button>
        ))}
      </nav>
      <div className="ed-side-body">
        {tab === "node" &&
          (selected.length === 1 ? (
            <ConfigPanel key={selected[0]} nodeId={selected[0]!} webhookUrl={meta.webhookUrl} />
          ) : (
            <div className="ed-empty">
              <div className="ed-empty-title">{selected.length > 1 ? `${selected.length} nodes selected` : "No node selected"}</div>
              <p>{selected.length > 1 ? "Copy them (Ctrl+C), delete them (Delete) or drag them together." : "Click a node to configure it, or drag one from the palette."}</p>
              <ul className="ed-shortcuts">
                <li>
                  <kbd>Ctrl</kbd>+<kbd>S</kbd> save
                </li>
                <li>
                  <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo, <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>Z</kbd> redo
                </li>
                <li>
                  <kbd>Ctrl</kbd>+<kbd>C</kbd> / <kbd>V</kbd> copy and paste
                </li>
                <li>
                  <kbd>Ctrl</kbd>+<kbd>A</kbd> select all, <kbd>Delete</kbd> remove
                </li>
                <li>
                  <kbd>Shift</kbd>+drag to select an area
                </li>
              </ul>
            </div>
          ))}
        {tab === "settings" && <SettingsPanel />}
        {tab === "versions" && <VersionsPanel versions={meta.versions} activeVersionId={meta.flow.active ? meta.flow.activeVersionId : null} />}
        {tab === "dryRun" && <RunPanel ensureSaved={ensureSaved} triggerType={triggerType} />}
      </div>
    </aside>
  );
}
