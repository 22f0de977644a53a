"use client";
/**
 * One mapping table: a virtualised grid (TanStack Table + Virtual) with inline edit, add/delete,
 * spreadsheet paste, sort and filter; CSV import with a preview and CSV export; values checked
 * against the connection's live lists; unmapped values found by runs, mapped and replayed here.
 * The CSV import, table settings and unmapped-values panel live in app/components/mappings/.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { flexRender, getCoreRowModel, getFilteredRowModel, getSortedRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useMemo, useRef, useState, type ClipboardEvent, type KeyboardEvent } from "react";
import { ImportCsv } from "../../components/mappings/ImportCsv";
import { TableSettings } from "../../components/mappings/TableSettings";
import { UnmappedPanel } from "../../components/mappings/UnmappedPanel";
import { KEY, cellValue, parseTsv, type GridRow, type Column, type Option, type Cell } from "../../components/mappings/grid";
import { EmptyState, ErrorBox, Loading, PageHeader, errorMessage } from "../../components/ui";
import { useCan } from "../../lib/role";
import { useTRPC } from "../../lib/trpc";
import { Form } from "../../components/Form";

export default function MappingTablePage() {
  const { tableId } = useParams<{ tableId: string }>();
  const trpc = useTRPC();
  // Operators read mapping tables and replay; editors change them (the server refuses it anyway).
  const canEdit = useCan("editor");
  const canReplay = useCan("operator");
  const queryClient = useQueryClient();
  const get = useQuery(trpc.lookups.get.queryOptions({ tableId }));
  const table = get.data?.table;
  const check = useQuery({ ...trpc.lookups.check.queryOptions({ tableId }), enabled: !!table?.connectionId });
  const [sorting, setSorting] = useState<SortingState>([]);
  const [filter, setFilter] = useState("");
  const [active, setActive] = useState<Cell | null>(null);
  const [editing, setEditing] = useState<(Cell & { value: string }) | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [adding, setAdding] = useState<Record<string, string> | null>(null);
  const [importing, setImporting] = useState(false);
  const [settings, setSettings] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [exporting, setExporting] = useState(false);
  const viewport = useRef<HTMLDivElement>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.lookups.pathKey() });
  };
  const upsert = useMutation(trpc.lookups.upsertRow.mutationOptions({ onSuccess: refresh, onError: (e) => setNotice({ ok: false, text: errorMessage(e) }) }));
  const importRows = useMutation(trpc.lookups.importRows.mutationOptions({ onSuccess: refresh, onError: (e) => setNotice({ ok: false, text: errorMessage(e) }) }));
  const deleteRows = useMutation(trpc.lookups.deleteRows.mutationOptions({ onSuccess: (r) => { setSelected(new Set()); setNotice({ ok: true, text: `${r.deleted} row${r.deleted === 1 ? "" : "s"} deleted.` }); refresh(); } }));

  const columnsMeta: Column[] = useMemo(() => table?.columns ?? [], [table]);
  const data: GridRow[] = useMemo(() => (get.data?.rows ?? []).map((r) => ({ key: r.key, values: r.values })), [get.data]);
  const keys = useMemo(() => new Set(data.map((r) => r.key)), [data]);
  const options: Record<string, Option[]> = useMemo(() => {
    const out: Record<string, Option[]> = {};
    if (check.data?.checked) for (const c of check.data.columns) out[c.column] = c.options as Option[];
    return out;
  }, [check.data]);
  const unknown = useMemo(() => {
    const out = new Map<string, string>();
    if (check.data?.checked) for (const c of check.data.columns) for (const u of c.unknown) out.set(`${u.key}\u0000${c.column}`, u.value);
    return out;
  }, [check.data]);
  const problems = check.data?.checked ? check.data.columns.flatMap((c) => c.unknown.map((u) => ({ ...u, column: c.column }))) : [];

  const columnDefs: ColumnDef<GridRow>[] = useMemo(
    () => [
      { id: KEY, header: table?.keyLabel ?? "Key", accessorFn: (r) => r.key },
      ...columnsMeta.map((c): ColumnDef<GridRow> => ({ id: c.name, header: c.label, accessorFn: (r) => r.values[c.name] ?? "" })),
    ],
    [columnsMeta, table?.keyLabel],
  );
  // TanStack Table returns functions that the React Compiler must not memoize.
  // eslint-disable-next-line react-hooks/incompatible-library
  const grid = useReactTable({
    data,
    columns: columnDefs,
    state: { sorting, globalFilter: filter },
    onSortingChange: setSorting,
    onGlobalFilterChange: setFilter,
    globalFilterFn: "includesString",
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getRowId: (r) => r.key,
  });
  const rows = grid.getRowModel().rows;
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => viewport.current, estimateSize: () => 36, overscan: 12 });
  const colIds = [KEY, ...columnsMeta.map((c) => c.name)];

  const saveCell = async (cell: Cell, value: string) => {
    const row = data.find((r) => r.key === cell.key);
    if (!row || cellValue(row, cell.col) === value) return;
    if (cell.col === KEY) {
      if (!value.trim()) return setNotice({ ok: false, text: "A key cannot be empty." });
      await upsert.mutateAsync({ tableId, originalKey: row.key, row: { key: value.trim(), values: row.values } }).catch(() => undefined);
    } else {
      await upsert.mutateAsync({ tableId, row: { key: row.key, values: { ...row.values, [cell.col]: value } } }).catch(() => undefined);
    }
  };
  const commit = async () => {
    if (!editing) return;
    const e = editing;
    setEditing(null);
    await saveCell(e, e.value);
    viewport.current?.focus();
  };
  const move = (dr: number, dc: number) => {
    if (!active) return;
    const ri = rows.findIndex((r) => r.id === active.key);
    const ci = colIds.indexOf(active.col);
    const nr = rows[Math.max(0, Math.min(rows.length - 1, ri + dr))];
    const nc = colIds[Math.max(0, Math.min(colIds.length - 1, ci + dc))];
    if (nr && nc) {
      setActive({ key: nr.id, col: nc });
      virtualizer.scrollToIndex(rows.indexOf(nr));
    }
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (editing || !active) return;
    const row = data.find((r) => r.key === active.key);
    if (e.key === "ArrowDown") move(1, 0);
    else if (e.key === "ArrowUp") move(-1, 0);
    else if (e.key === "ArrowRight" || e.key === "Tab") move(0, e.shiftKey ? -1 : 1);
    else if (e.key === "ArrowLeft") move(0, -1);
    else if (!canEdit) return;
    else if (e.key === "Enter" || e.key === "F2") {
      if (row) setEditing({ ...active, value: cellValue(row, active.col) });
    } else if ((e.key === "Delete" || e.key === "Backspace") && active.col !== KEY) {
      void saveCell(active, "");
    } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      setEditing({ ...active, value: e.key });
    } else return;
    e.preventDefault();
  };

  /** A block pasted from a spreadsheet: whole rows from the key column, or values down a column. */
  const onPaste = async (e: ClipboardEvent) => {
    if (editing || !canEdit) return;
    const text = e.clipboardData.getData("text/plain");
    if (!text) return;
    e.preventDefault();
    const block = parseTsv(text);
    if (block.length === 0) return;
    const startCol = active ? colIds.indexOf(active.col) : 0;
    const startRow = active ? rows.findIndex((r) => r.id === active.key) : rows.length;
    const byKey = new Map(data.map((r) => [r.key, r] as const));
    const out = new Map<string, GridRow>();
    let skipped = 0;
    block.forEach((line, i) => {
      let target: GridRow | undefined;
      if (startCol === 0) {
        const key = (line[0] ?? "").trim();
        if (!key) return void skipped++;
        target = { key, values: { ...(out.get(key) ?? byKey.get(key))?.values } };
      } else {
        const existing = rows[startRow + i]?.original;
        if (!existing) return void skipped++;
        target = { key: existing.key, values: { ...(out.get(existing.key) ?? existing).values } };
      }
      line.forEach((value, j) => {
        const col = colIds[startCol + j];
        if (col && col !== KEY) target!.values[col] = value.trim();
      });
      for (const c of columnsMeta) target.values[c.name] ??= "";
      out.set(target.key, target);
    });
    if (out.size === 0) return setNotice({ ok: false, text: "Nothing to paste: start on a row, or paste whole rows starting with the key." });
    const written = await importRows.mutateAsync({ tableId, rows: [...out.values()], mode: "merge" }).catch(() => null);
    if (written) setNotice({ ok: true, text: `Pasted ${written.written} row${written.written === 1 ? "" : "s"}${skipped ? `; ${skipped} line${skipped === 1 ? "" : "s"} beyond the table or without a key skipped` : ""}.` });
  };

  const exportCsv = async () => {
    setExporting(true);
    try {
      const { filename, csv } = await queryClient.fetchQuery({ ...trpc.lookups.exportCsv.queryOptions({ tableId }), staleTime: 0 });
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      setNotice({ ok: false, text: `Export failed: ${errorMessage(error)}` });
    } finally {
      setExporting(false);
    }
  };

  if (get.isLoading) return <div className="page"><Loading what="Loading mapping table" /></div>;
  if (get.error || !table) return <div className="page"><ErrorBox error={get.error ?? new Error("mapping table not found")} title="Could not load this mapping table" /></div>;

  return (
    <div className="page" style={{ maxWidth: "none" }}>
      <PageHeader
        breadcrumb={<><Link href="/mappings">Mapping tables</Link> / {table.name}</>}
        title={table.name}
        description={table.description || `${table.keyLabel} → ${table.columns.map((c) => c.label).join(", ")}`}
        actions={
          <>
            {canEdit ? (
              <>
                <button className="btn" onClick={() => setSettings(true)}>Check against a system…</button>
                <button className="btn" onClick={() => setImporting(true)}>Import CSV</button>
              </>
            ) : null}
            <button className="btn" onClick={() => void exportCsv()} disabled={exporting}>{exporting ? "Exporting…" : "Export CSV"}</button>
          </>
        }
      />
      {notice ? (
        <div className={`alert ${notice.ok ? "alert-ok" : "alert-error"} row`} style={{ marginBottom: 12 }} role="status" data-testid="grid-notice">
          <span style={{ flex: 1 }}>{notice.text}</span>
          <button className="btn btn-xs btn-ghost" onClick={() => setNotice(null)}>OK</button>
        </div>
      ) : null}
      {table.connectionId && check.data && !check.data.checked ? <div className="alert alert-warn" style={{ marginBottom: 12 }}>{check.data.reason}</div> : null}
      {check.data?.checked ? check.data.columns.filter((c) => "error" in c && c.error).map((c) => (
        <div key={c.column} className="alert alert-warn" style={{ marginBottom: 12 }}>Could not load the valid values for {c.column}: {"error" in c ? c.error : ""}</div>
      )) : null}

      <div style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr) 320px", gap: 16, alignItems: "start" }}>
        <div className="stack">
          <div className="row-wrap">
            <input className="input" style={{ width: 280 }} placeholder="Filter rows…" aria-label="Filter rows" value={filter} onChange={(e) => setFilter(e.target.value)} />
            <span className="small muted">{rows.length === data.length ? `${data.length.toLocaleString()} rows` : `${rows.length.toLocaleString()} of ${data.length.toLocaleString()} rows`}</span>
            {check.isFetching ? <span className="small muted"><span className="spinner" /> checking values…</span> : null}
            <span className="spacer" />
            {canEdit && selected.size ? (
              <button className="btn btn-sm btn-danger" disabled={deleteRows.isPending} onClick={() => deleteRows.mutate({ tableId, keys: [...selected] })}>Delete {selected.size} row{selected.size === 1 ? "" : "s"}</button>
            ) : null}
            {canEdit ? <button className="btn btn-sm btn-primary" onClick={() => setAdding({})}>+ Add row</button> : null}
          </div>
          {adding ? (
            <Form
              className="card card-body row-wrap"
              data-testid="add-row"
              onSubmit={async (e) => {
                e.preventDefault();
                const key = (adding[KEY] ?? "").trim();
                if (!key) return setNotice({ ok: false, text: `Fill in ${table.keyLabel} first.` });
                if (keys.has(key)) return setNotice({ ok: false, text: `The key "${key}" is already in the table.` });
                const values = Object.fromEntries(columnsMeta.map((c) => [c.name, (adding[c.name] ?? "").trim()]));
                await upsert.mutateAsync({ tableId, row: { key, values } }).then(() => setAdding(null)).catch(() => undefined);
              }}
            >
              {[{ name: KEY, label: table.keyLabel }, ...columnsMeta].map((c, i) => (
                <input key={c.name} className="input" style={{ flex: 1, minWidth: 140 }} autoFocus={i === 0} placeholder={c.label} aria-label={`New ${c.label}`} value={adding[c.name] ?? ""} onChange={(e) => setAdding({ ...adding, [c.name]: e.target.value })} list={options[c.name]?.length ? `options-${c.name}` : undefined} />
              ))}
              <button className="btn btn-primary" type="submit" disabled={upsert.isPending}>Add</button>
              <button className="btn btn-ghost" type="button" onClick={() => setAdding(null)}>Cancel</button>
            </Form>
          ) : null}

          <div className="table-wrap" style={{ overflow: "hidden" }}>
            <div
              ref={viewport}
              className="grid-viewport"
              tabIndex={0}
              onKeyDown={onKeyDown}
              onPaste={(e) => void onPaste(e)}
              data-testid="mapping-grid"
              role="grid"
              aria-rowcount={rows.length}
              style={{ height: Math.min(560, 38 + Math.max(rows.length, 3) * 36 + 2) }}
            >
              <div className="grid-head" role="row">
                <div className="grid-cell narrow head">
                  <input type="checkbox" aria-label="Select all rows" checked={rows.length > 0 && rows.every((r) => selected.has(r.id))} onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())} />
                </div>
                {grid.getHeaderGroups()[0]!.headers.map((h) => (
                  <div key={h.id} className="grid-cell head" role="columnheader" onClick={h.column.getToggleSortingHandler()} title="Sort">
                    {flexRender(h.column.columnDef.header, h.getContext())}
                    <span style={{ marginLeft: 4 }}>{{ asc: "▲", desc: "▼" }[h.column.getIsSorted() as string] ?? ""}</span>
                    {options[h.id]?.length ? <span className="badge plain badge-accent" style={{ marginLeft: 6, fontSize: 10 }}>checked</span> : null}
                  </div>
                ))}
              </div>
              {rows.length === 0 ? (
                <EmptyState title={data.length ? "No row matches the filter" : "This table is empty"}>
                  {data.length ? "Clear the filter to see every row." : "Add a row, paste rows copied from a spreadsheet (click here, then Ctrl+V), or import a CSV."}
                </EmptyState>
              ) : (
                <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
                  {virtualizer.getVirtualItems().map((v) => {
                    const row = rows[v.index]!;
                    return (
                      <div key={row.id} className="grid-row" role="row" data-key={row.id} style={{ position: "absolute", top: 0, left: 0, width: "100%", transform: `translateY(${v.start}px)` }}>
                        <div className="grid-cell narrow">
                          <input type="checkbox" aria-label={`Select ${row.id}`} checked={selected.has(row.id)} onChange={() => setSelected((s) => { const n = new Set(s); if (n.has(row.id)) n.delete(row.id); else n.add(row.id); return n; })} />
                        </div>
                        {colIds.map((col) => {
                          const isActive = active?.key === row.id && active.col === col;
                          const isEditing = editing?.key === row.id && editing.col === col;
                          const bad = unknown.has(`${row.id}\u0000${col}`);
                          const value = cellValue(row.original, col);
                          return (
                            <div
                              key={col}
                              role="gridcell"
                              data-col={col}
                              className={`grid-cell${isActive ? " active" : ""}${bad ? " invalid" : ""}${col === KEY ? " mono" : ""}`}
                              title={bad ? `"${value}" is not in the connection's list` : value}
                              onClick={() => { setActive({ key: row.id, col }); viewport.current?.focus(); }}
                              onDoubleClick={() => { setActive({ key: row.id, col }); if (canEdit) setEditing({ key: row.id, col, value }); }}
                            >
                              {isEditing ? (
                                <input
                                  autoFocus
                                  aria-label={`Edit ${col}`}
                                  value={editing.value}
                                  list={options[col]?.length ? `options-${col}` : undefined}
                                  onChange={(e) => setEditing({ ...editing, value: e.target.value })}
                                  onBlur={() => void commit()}
                                  onKeyDown={(e) => {
                                    e.stopPropagation();
                                    if (e.key === "Enter") void commit();
                                    else if (e.key === "Escape") { setEditing(null); viewport.current?.focus(); }
                                  }}
                                />
                              ) : (
                                <>{bad ? "⚠ " : ""}{value || <span className="subtle">—</span>}</>
                              )}
                            </div>
                          );
                        })}
                      </div>
                    );
                  })}
                </div>
              )}
            </div>
          </div>
          <div className="small subtle">Click a cell and type to edit (Enter saves, Esc cancels); arrows move; paste a block copied from a spreadsheet with Ctrl+V. Click a column name to sort.</div>
          {Object.entries(options).map(([col, opts]) => (
            <datalist key={col} id={`options-${col}`}>{opts.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}</datalist>
          ))}
        </div>

        <div className="stack">
          {problems.length ? (
            <div className="card" data-testid="value-problems">
              <div className="card-header"><h3>Not in the connection&apos;s list</h3><span className="badge badge-review">{problems.length}</span></div>
              <div className="card-body stack" style={{ gap: 8 }}>
                {problems.slice(0, 50).map((p) => (
                  <div key={`${p.key}-${p.column}`} className="small">
                    <div><span className="mono">{p.key}</span> · {columnsMeta.find((c) => c.name === p.column)?.label}: <strong style={{ color: "var(--review-text)" }}>{p.value}</strong></div>
                    <select
                      className="select select-sm"
                      style={{ width: "100%", marginTop: 4 }}
                      aria-label={`Fix ${p.key} ${p.column}`}
                      value=""
                      onChange={(e) => e.target.value && void saveCell({ key: p.key, col: p.column }, e.target.value)}
                    >
                      <option value="">Replace with…</option>
                      {(options[p.column] ?? []).map((o) => <option key={o.value} value={o.value}>{o.label ? `${o.value} · ${o.label}` : o.value}</option>)}
                    </select>
                  </div>
                ))}
              </div>
            </div>
          ) : table.connectionId && check.data?.checked ? (
            <div className="alert alert-ok small">Every checked value exists in the connection&apos;s lists.</div>
          ) : null}
          <UnmappedPanel
            canMap={canEdit}
            canReplay={canReplay}
            tableId={tableId}
            columns={columnsMeta}
            keys={keys}
            options={options}
            onMap={async (row) => {
              const values = Object.fromEntries(columnsMeta.map((c) => [c.name, (row.values[c.name] ?? "").trim()]));
              await upsert.mutateAsync({ tableId, row: { key: row.key, values } }).catch(() => undefined);
            }}
          />
        </div>
      </div>

      {importing ? <ImportCsv tableId={tableId} onClose={() => setImporting(false)} onDone={(n) => { setImporting(false); setNotice({ ok: true, text: `Imported ${n} row${n === 1 ? "" : "s"}.` }); refresh(); }} /> : null}
      {settings ? <TableSettings table={table} onClose={() => setSettings(false)} /> : null}
    </div>
  );
}
