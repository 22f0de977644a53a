"use client";
/**
 * A JSONata expression input with a live preview: the server evaluates it with the engine's own
 * `evaluate` (so `$mapping` reads the real mapping rows) on the upstream node's last-run output or
 * on sample data, whichever the config panel chose (PreviewContext).
 */
import { useMutation } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState } from "react";
import { useTRPC } from "../../lib/trpc";

export interface PreviewData {
  input: unknown;
  trigger: unknown;
  nodes: Record<string, unknown>;
  /** Where the data comes from, in words ("last run of “Calculate tax”", "sample data"). */
  source: string;
}
export const PreviewContext = createContext<PreviewData | null>(null);

export function JsonataField({ id, value, placeholder, onChange }: { id: string; value: string; placeholder?: string; onChange: (v: string) => void }) {
  const trpc = useTRPC();
  const data = useContext(PreviewContext);
  const preview = useMutation(trpc.editor.preview.mutationOptions());
  const { mutate } = preview;
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), 350);
    return () => clearTimeout(t);
  }, [value]);
  useEffect(() => {
    if (!data || !debounced.trim()) return;
    mutate({ expression: debounced, input: data.input, trigger: data.trigger, nodes: data.nodes });
  }, [debounced, data, mutate]);

  const result = preview.data;
  return (
    <div className="ed-jsonata">
      <textarea
        id={id}
        className="ed-code"
        rows={Math.min(6, Math.max(1, value.split("\n").length))}
        spellCheck={false}
        autoComplete="off"
        value={value}
        placeholder={placeholder ?? "e.g. $trigger.customer.name"}
        onChange={(e) => onChange(e.target.value)}
        data-testid="jsonata-input"
      />
      {data && (
        <div className={`ed-preview${result && !result.ok ? " ed-preview-error" : ""}`} data-testid="jsonata-preview" aria-live="polite">
          <div className="ed-preview-head">
            <span>Preview on {data.source}</span>
            {preview.isPending && <span className="ed-muted">evaluating…</span>}
          </div>
          {!value.trim() ? (
            <span className="ed-muted">Type an expression to see its result.</span>
          ) : !result ? (
            <span className="ed-muted">…</span>
          ) : result.ok ? (
            <pre className="ed-preview-value">{result.undefined ? "(no value: the field is left out)" : truncate(JSON.stringify(result.value, null, 2))}</pre>
          ) : (
            <span className="ed-preview-message">{result.error}</span>
          )}
          {preview.error && <span className="ed-preview-message">Could not reach the server: {preview.error.message}</span>}
        </div>
      )}
    </div>
  );
}

function truncate(text: string, max = 1500): string {
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}
