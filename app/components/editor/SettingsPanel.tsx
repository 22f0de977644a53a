"use client";
/**
 * Flow settings (retry policy, concurrency, poll schedule), rendered from the engine's own
 * settings schema: the same zod schema that validates the saved flow.
 */
import { z } from "zod";
import { flowSettingsSchema, type FlowSettings } from "../../../engine/flow/schema";
import { useEditor, useEditorStore } from "./context";
import { SchemaForm, type JsonSchema } from "../SchemaForm";

const settingsJsonSchema = z.toJSONSchema(flowSettingsSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
// Friendlier titles than the generated ones for the two top-level fields.
if (settingsJsonSchema.properties?.retry) settingsJsonSchema.properties.retry.title = "Retry policy (per node)";
if (settingsJsonSchema.properties?.concurrency) {
  settingsJsonSchema.properties.concurrency.description = "Runs of this flow executing at once (1 = strictly one after the other)";
}

export function SettingsPanel() {
  const store = useEditorStore();
  const settings = useEditor((s) => s.settings);
  const all = useEditor((s) => s.problems);
  const problems = all.filter((p) => p.message.startsWith("settings"));
  return (
    <div className="ed-config" data-testid="settings-panel">
      <h3 className="ed-panel-title">Flow settings</h3>
      <p className="ed-muted ed-small">
        Retries back off exponentially with jitter and honour Retry-After. The poll schedule applies to poll triggers (Intacct, Exact, Commerce).
      </p>
      {problems.length > 0 && (
        <div className="ed-problems-box" role="alert">
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </div>
      )}
      <SchemaForm
        schema={settingsJsonSchema}
        value={settings as unknown as Record<string, unknown>}
        context={{ problems: {}, connectionId: null, idPrefix: "settings" }}
        onChange={(value, field) => store.getState().updateSettings(value as unknown as FlowSettings, field)}
      />
    </div>
  );
}
