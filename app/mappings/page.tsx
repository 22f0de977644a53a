"use client";
/** Mapping tables: what each maps, how many rows, which flows use it, values runs could not map. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { EmptyState, ErrorBox, Loading, Modal, PageHeader, timeAgo } from "../components/ui";
import { useCan } from "../lib/role";
import { useTRPC } from "../lib/trpc";
import { Form } from "../components/Form";

const KIND_LABELS: Record<string, string> = {
  dimension: "Dimensions",
  gl_account: "GL accounts",
  cost_center: "Cost centers",
  tax_gl: "Tax GL accounts",
  custom: "Custom",
};
type Kind = "dimension" | "gl_account" | "cost_center" | "tax_gl" | "custom";

function columnName(label: string, taken: string[]) {
  let base = label.trim().replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : "")).replace(/^[^A-Za-z_]+/, "");
  base = base ? base[0]!.toLowerCase() + base.slice(1) : "value";
  let name = base;
  for (let i = 2; taken.includes(name); i++) name = `${base}${i}`;
  return name;
}

function CreateTable({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<Kind>("dimension");
  const [description, setDescription] = useState("");
  const [keyLabel, setKeyLabel] = useState("Source value");
  const [columns, setColumns] = useState<string[]>(["Mapped value"]);
  const create = useMutation(
    trpc.lookups.createTable.mutationOptions({
      onSuccess: (r) => {
        void queryClient.invalidateQueries({ queryKey: trpc.lookups.list.queryKey() });
        if (r) router.push(`/mappings/${r.id}`);
      },
    }),
  );
  const submit = () => {
    const names: string[] = [];
    const cols = columns.filter((c) => c.trim()).map((label) => {
      const n = columnName(label, names);
      names.push(n);
      return { name: n, label: label.trim() };
    });
    create.mutate({ name: name.trim(), kind, description, keyLabel: keyLabel.trim() || "Source value", columns: cols });
  };
  return (
    <Modal
      title="New mapping table"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>Cancel</button>
          <button className="btn btn-primary" form="new-table" type="submit" disabled={create.isPending || !name.trim() || !columns.some((c) => c.trim())}>{create.isPending ? "Creating…" : "Create table"}</button>
        </>
      }
    >
      <Form id="new-table" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <div className="field">
          <label htmlFor="table-name">Name</label>
          <input id="table-name" className="input" autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Departments by sales region" />
        </div>
        <div className="grid-2">
          <div className="field">
            <label htmlFor="table-kind">Kind</label>
            <select id="table-kind" className="select" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              {Object.entries(KIND_LABELS).map(([k, l]) => <option key={k} value={k}>{l}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="table-key">Key column</label>
            <input id="table-key" className="input" value={keyLabel} onChange={(e) => setKeyLabel(e.target.value)} />
            <span className="hint">The value that comes in (e.g. a state, an item code).</span>
          </div>
        </div>
        <div className="field">
          <span className="field-label">Value columns</span>
          {columns.map((c, i) => (
            <div key={i} className="row" style={{ marginBottom: 6 }}>
              <input className="input" style={{ flex: 1 }} aria-label={`Column ${i + 1}`} value={c} onChange={(e) => setColumns(columns.map((x, j) => (j === i ? e.target.value : x)))} />
              {columns.length > 1 ? <button type="button" className="btn btn-sm btn-ghost" onClick={() => setColumns(columns.filter((_, j) => j !== i))} aria-label="Remove column">✕</button> : null}
            </div>
          ))}
          <div><button type="button" className="btn btn-sm" onClick={() => setColumns([...columns, ""])}>+ Add column</button></div>
        </div>
        <div className="field">
          <label htmlFor="table-description">Description</label>
          <input id="table-description" className="input" value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What the table is for (optional)" />
        </div>
        <ErrorBox error={create.error} />
      </Form>
    </Modal>
  );
}

export default function MappingsPage() {
  const trpc = useTRPC();
  const list = useQuery(trpc.lookups.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const canEdit = useCan("editor");
  return (
    <div className="page">
      <PageHeader
        title="Mapping tables"
        description="Translate values between systems: a state to an Intacct department, a jurisdiction to a tax GL account. Flows look values up here at run time."
        actions={canEdit ? <button className="btn btn-primary" onClick={() => setCreating(true)}>+ New mapping table</button> : null}
      />
      <div className="table-wrap">
        {list.isLoading ? <Loading what="Loading mapping tables" /> : list.error ? <div className="card-body"><ErrorBox error={list.error} /></div> : !list.data?.length ? (
          <EmptyState title="No mapping tables yet" action={canEdit ? <button className="btn btn-primary" onClick={() => setCreating(true)}>Create a mapping table</button> : undefined}>
            Templates create the tables they need with example rows; you can also create one and paste rows from a spreadsheet.
          </EmptyState>
        ) : (
          <table className="table" data-testid="mappings-table">
            <thead>
              <tr>
                <th>Table</th>
                <th>Kind</th>
                <th className="right">Rows</th>
                <th>Used by</th>
                <th>Unmapped values</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.id}>
                  <td style={{ maxWidth: 380 }}>
                    <Link href={`/mappings/${t.id}`} style={{ fontWeight: 600 }}>{t.name}</Link>
                    <div className="small muted truncate">{t.keyLabel} → {t.columns.map((c) => c.label).join(", ")}</div>
                  </td>
                  <td><span className="badge plain">{KIND_LABELS[t.kind] ?? t.kind}</span></td>
                  <td className="right">{t.rowCount.toLocaleString()}</td>
                  <td className="small" style={{ maxWidth: 280 }}>
                    {t.usedBy.length === 0 ? <span className="subtle">Not used by any flow</span> : t.usedBy.map((f, i) => (
                      <span key={f.id}>{i > 0 ? ", " : ""}<Link href={`/flows/${f.id}`}>{f.name}</Link></span>
                    ))}
                  </td>
                  <td>{t.openReviews > 0 ? <Link href={`/mappings/${t.id}`} className="badge badge-review">{t.openReviews} waiting</Link> : <span className="subtle small">None</span>}</td>
                  <td className="muted nowrap">{timeAgo(t.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {creating ? <CreateTable onClose={() => setCreating(false)} /> : null}
    </div>
  );
}
