"use client";
/**
 * One mapping row made in place: a value of the source (a key) mapped to the values of the
 * table's columns, picked from the connected systems' live lists where there are some. Saved with
 * lookups.upsertRow (editors).
 */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBox } from "../../components/ui";
import { useCan } from "../../lib/role";
import { useTRPC } from "../../lib/trpc";

export interface MappingColumn {
  name: string;
  label: string;
  options: { value: string; label: string }[];
}

export function MapRow({ tableId, rowKey, columns, initial = {}, originalKey, onSaved, action = "Map" }: {
  tableId: string;
  rowKey: string;
  columns: MappingColumn[];
  initial?: Record<string, string>;
  originalKey?: string;
  onSaved: () => void;
  action?: string;
}) {
  const trpc = useTRPC();
  const canEdit = useCan("editor");
  const [values, setValues] = useState<Record<string, string>>(initial);
  const save = useMutation(trpc.lookups.upsertRow.mutationOptions({ onSuccess: onSaved }));
  const filled = columns.some((c) => values[c.name]?.trim());
  const id = (column: string) => `map-${tableId}-${rowKey}-${column}`.replace(/[^A-Za-z0-9_-]/g, "_");
  return (
    <div className="row" data-testid="map-row" data-key={rowKey} style={{ gap: 8, alignItems: "end", flexWrap: "wrap" }}>
      <span className="mono" style={{ minWidth: 140 }}>{rowKey}</span>
      {columns.map((c) => (
        <span key={c.name} className="field" style={{ margin: 0 }}>
          <label htmlFor={id(c.name)} className="small">{c.label}</label>
          {c.options.length ? (
            <select id={id(c.name)} className="select" value={values[c.name] ?? ""} onChange={(e) => setValues({ ...values, [c.name]: e.target.value })}>
              <option value="">Choose…</option>
              {c.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </select>
          ) : (
            <input id={id(c.name)} className="input" value={values[c.name] ?? ""} onChange={(e) => setValues({ ...values, [c.name]: e.target.value })} />
          )}
        </span>
      ))}
      <button
        className="btn"
        disabled={!canEdit || !filled || save.isPending}
        onClick={() => save.mutate({ tableId, originalKey, row: { key: rowKey, values: Object.fromEntries(columns.map((c) => [c.name, values[c.name]?.trim() ?? ""])) } })}
      >
        {save.isPending ? "Saving…" : action}
      </button>
      <ErrorBox error={save.error} />
    </div>
  );
}
