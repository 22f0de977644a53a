"use client";
/** A mapping table's name, description, columns and the connection whose live lists check its values. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ErrorBox, Modal } from "../ui";
import { useTRPC } from "../../lib/trpc";
import { type Column } from "./grid";

export function TableSettings({ table, onClose }: { table: { id: string; name: string; description: string; connectionId: string | null; columns: Column[] }; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const connections = useQuery(trpc.connections.list.queryOptions());
  const connectors = useQuery({ ...trpc.registry.connectors.queryOptions(), staleTime: Infinity });
  const [connectionId, setConnectionId] = useState(table.connectionId ?? "");
  const [columns, setColumns] = useState<Column[]>(table.columns);
  const system = connections.data?.find((c) => c.id === connectionId)?.system;
  const pickers = connectors.data?.find((c) => c.system === system)?.pickers ?? [];
  const update = useMutation(
    trpc.lookups.updateTable.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.lookups.pathKey() });
        onClose();
      },
    }),
  );
  const remove = useMutation(trpc.lookups.deleteTable.mutationOptions({ onSuccess: () => { void queryClient.invalidateQueries({ queryKey: trpc.lookups.list.queryKey() }); router.push("/mappings"); } }));
  return (
    <Modal
      title="Check values against a system"
      onClose={onClose}
      footer={
        <>
          <button className="btn btn-danger" style={{ marginRight: "auto" }} onClick={() => { if (window.confirm(`Delete the mapping table "${table.name}" and all its rows?`)) remove.mutate({ tableId: table.id }); }}>Delete table</button>
          <button className="btn" onClick={onClose}>Cancel</button>
          <button
            className="btn btn-primary"
            disabled={update.isPending}
            onClick={() => update.mutate({ tableId: table.id, connectionId: connectionId || null, columns: columns.map((c) => ({ name: c.name, label: c.label, ...(connectionId && c.picker ? { picker: c.picker } : {}) })) })}
          >
            Save
          </button>
        </>
      }
    >
      <p className="muted" style={{ marginTop: 0 }}>Link the table to a connection and pick, per column, the list of valid values (departments, cost centers…). Values that are not in the live list are highlighted in the grid.</p>
      <div className="field">
        <label htmlFor="table-connection">Connection</label>
        <select id="table-connection" className="select" value={connectionId} onChange={(e) => setConnectionId(e.target.value)}>
          <option value="">No connection (values are not checked)</option>
          {connections.data?.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      </div>
      {connectionId ? columns.map((c, i) => (
        <div className="field" key={c.name}>
          <label htmlFor={`picker-${c.name}`}>{c.label} must be one of</label>
          <select id={`picker-${c.name}`} className="select" value={c.picker ?? ""} onChange={(e) => setColumns(columns.map((x, j) => (j === i ? { ...x, picker: e.target.value || undefined } : x)))}>
            <option value="">Anything (not checked)</option>
            {pickers.filter((p) => !p.argument).map((p) => <option key={p.name} value={p.name}>{p.title}</option>)}
            {pickers.filter((p) => p.argument).map((p) => <ArgumentOptions key={p.name} connectionId={connectionId} picker={p as { name: string; title: string; argument: string }} />)}
            {c.picker && c.picker.includes(":") && !pickers.some((p) => c.picker!.startsWith(`${p.name}:`)) ? <option value={c.picker}>{c.picker}</option> : null}
          </select>
        </div>
      )) : null}
      <ErrorBox error={update.error ?? remove.error} />
    </Modal>
  );
}

/** One option per list of a picker that takes an argument, e.g. each user-defined dimension of the company ("User-defined dimension: Channel"). */
function ArgumentOptions({ connectionId, picker }: { connectionId: string; picker: { name: string; title: string; argument: string } }) {
  const trpc = useTRPC();
  const args = useQuery({ ...trpc.connections.picker.queryOptions({ connectionId, picker: picker.argument }), staleTime: 60_000 });
  return <>{(args.data ?? []).map((a) => <option key={a.value} value={`${picker.name}:${a.value}`}>{`${picker.title}: ${a.label}`}</option>)}</>;
}
