"use client";
/** CSV import of a mapping table: preview of the parsed rows, then merge or replace (lookups.importRows). */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBox, Loading, Modal } from "../ui";
import { useTRPC } from "../../lib/trpc";

export function ImportCsv({ tableId, onClose, onDone }: { tableId: string; onClose: () => void; onDone: (n: number) => void }) {
  const trpc = useTRPC();
  const [fileName, setFileName] = useState<string | null>(null);
  const [mode, setMode] = useState<"merge" | "replace">("merge");
  const preview = useMutation(trpc.lookups.previewCsv.mutationOptions());
  const importRows = useMutation(trpc.lookups.importRows.mutationOptions({ onSuccess: (r) => onDone(r.written) }));
  const rows = preview.data?.rows ?? [];
  const valid = rows.filter((r) => r.errors.length === 0);
  const withErrors = rows.length - valid.length;
  const inserts = valid.filter((r) => r.change === "insert").length;
  const updates = valid.length - inserts;
  return (
    <Modal
      wide
      title="Import rows from CSV"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>Cancel</button>
          <button
            className="btn btn-primary"
            data-testid="confirm-import"
            disabled={!preview.data || valid.length === 0 || importRows.isPending}
            onClick={() => importRows.mutate({ tableId, mode, rows: valid.map((r) => ({ key: r.key, values: r.values })) })}
          >
            {importRows.isPending ? "Importing…" : `Import ${valid.length} row${valid.length === 1 ? "" : "s"}${withErrors ? ` (skip ${withErrors} with errors)` : ""}`}
          </button>
        </>
      }
    >
      <div className="row-wrap" style={{ marginBottom: 12 }}>
        <label className="btn">
          Choose CSV file…
          <input
            type="file"
            accept=".csv,text/csv,text/plain"
            data-testid="csv-file"
            style={{ display: "none" }}
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              setFileName(file.name);
              preview.mutate({ tableId, csv: await file.text() });
            }}
          />
        </label>
        <span className="muted small">{fileName ?? "The first line holds the column names; the first column (or one named like the key) is the key."}</span>
        <span className="spacer" />
        <select className="select select-sm" aria-label="Import mode" value={mode} onChange={(e) => setMode(e.target.value as "merge" | "replace")}>
          <option value="merge">Add new rows and update existing</option>
          <option value="replace">Replace the whole table</option>
        </select>
      </div>
      {preview.isPending ? <Loading what="Reading the file" /> : null}
      <ErrorBox error={preview.error ?? importRows.error} />
      {preview.data ? (
        <div className="stack" data-testid="import-preview">
          <div className="row-wrap small">
            <span className="badge badge-ok">{inserts} new</span>
            <span className="badge badge-running">{updates} updated</span>
            {withErrors ? <span className="badge badge-fail">{withErrors} with errors</span> : null}
            {mode === "replace" ? <span className="badge badge-review">rows not in the file will be deleted</span> : null}
          </div>
          {preview.data.missingColumns.length ? <div className="alert alert-warn">The file has no column for {preview.data.missingColumns.join(", ")}: those values will be empty.</div> : null}
          {preview.data.parseErrors.map((e, i) => <div key={i} className="alert alert-error">Line {e.line}: {e.message}</div>)}
          <div className="table-wrap" style={{ maxHeight: 360 }}>
            <table className="table">
              <thead>
                <tr>
                  <th>Line</th>
                  <th>Change</th>
                  <th>Key</th>
                  {Object.keys(rows[0]?.values ?? {}).map((c) => <th key={c}>{c}</th>)}
                  <th>Problem</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, 500).map((r) => (
                  <tr key={r.line} style={r.errors.length ? { background: "var(--fail-soft)" } : undefined}>
                    <td className="muted">{r.line}</td>
                    <td>{r.errors.length ? <span className="badge badge-fail">skipped</span> : r.change === "insert" ? <span className="badge badge-ok">new</span> : <span className="badge badge-running">update</span>}</td>
                    <td className="mono">{r.key}</td>
                    {Object.entries(r.values).map(([c, v]) => <td key={c}>{v}</td>)}
                    <td className="small" style={{ color: "var(--fail-text)" }}>{r.errors.join("; ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.length > 500 ? <div className="small muted">Showing the first 500 of {rows.length} rows.</div> : null}
          <div className="small muted">Nothing is written until you confirm.</div>
        </div>
      ) : null}
    </Modal>
  );
}
