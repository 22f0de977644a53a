"use client";
/**
 * A config field whose schema carries `picker` metadata: options come from the node's connection
 * (`connections.picker`), or from the workspace's mapping tables for `lookupTables`. The user can
 * always type a value by hand (a picker that cannot load must not block configuration).
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../lib/trpc";

export function PickerField({
  id,
  picker,
  connectionId,
  value,
  placeholder,
  onChange,
}: {
  id: string;
  picker: string;
  connectionId: string | null;
  value: string;
  placeholder?: string;
  onChange: (v: string) => void;
}) {
  const trpc = useTRPC();
  const isTables = picker === "lookupTables";
  const tables = useQuery({ ...trpc.lookups.list.queryOptions(), enabled: isTables });
  const remote = useQuery({
    ...trpc.connections.picker.queryOptions({ connectionId: connectionId ?? "", picker }),
    enabled: !isTables && Boolean(connectionId),
    staleTime: 60_000,
    retry: false,
  });
  const [manual, setManual] = useState(false);
  const options: { value: string; label: string }[] | undefined = isTables
    ? tables.data?.map((t) => ({ value: t.id, label: t.name }))
    : (remote.data ?? undefined);
  const loading = isTables ? tables.isLoading : remote.isLoading && Boolean(connectionId);
  const error = isTables ? tables.error : remote.error;

  if (manual || (!options && !loading)) {
    return (
      <div className="ed-picker">
        <input id={id} type="text" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
        <div className="ed-help">
          {!isTables && !connectionId ? "Choose a connection above to pick from its list." : error ? `Could not load the list: ${error.message}` : null}
          {options && (
            <button type="button" className="ed-link" onClick={() => setManual(false)}>
              Pick from list
            </button>
          )}
        </div>
      </div>
    );
  }
  const known = options?.some((o) => o.value === value);
  return (
    <div className="ed-picker">
      <select id={id} value={value} disabled={loading} onChange={(e) => onChange(e.target.value)}>
        <option value="">{loading ? "Loading…" : placeholder ? `Default (${placeholder})` : "Choose…"}</option>
        {value && !known && <option value={value}>{value}</option>}
        {options?.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label === o.value ? o.label : `${o.label} (${o.value})`}
          </option>
        ))}
      </select>
      <button type="button" className="ed-link" onClick={() => setManual(true)}>
        Type a value
      </button>
    </div>
  );
}
