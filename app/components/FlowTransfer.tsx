"use client";
/**
 * Flow export and import (flowTransfer router).
 * - `useExportFlow()` downloads one version as `<flow>-v<N>.ledgerline-flow.json`.
 * - `ImportFlowDialog`: paste or choose a file, then pick this workspace's connection (and
 *   mapping table) for every reference the export names; the server checks every choice and the
 *   flow before it saves anything, then the new flow opens in the editor.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../lib/trpc";
import { ErrorBox, Modal } from "./ui";

function fileName(flowName: string, version: number): string {
  const slug = flowName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "flow";
  return `${slug}-v${version}.ledgerline-flow.json`;
}

/** Download a flow version (default: the latest) as JSON. */
export function useExportFlow() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return async (flowId: string, versionId?: string) => {
    const doc = await queryClient.fetchQuery({ ...trpc.flowTransfer.export.queryOptions({ flowId, versionId }), staleTime: 0 });
    const blob = new Blob([`${JSON.stringify(doc, null, 2)}\n`], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = fileName(doc.flow.name, doc.flow.version);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    return doc;
  };
}

type Preview = {
  flow: { name: string; version: number; description: string };
  nodeCount: number;
  connections: { ref: string; name: string; system?: string; usedBy: string[]; candidates: { id: string; name: string }[]; suggestedId: string | null }[];
  mappingTables: { ref: string; name: string; usedBy: string[]; candidates: { id: string; name: string }[]; suggestedId: string | null }[];
};

export function ImportFlowDialog({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [name, setName] = useState("");
  const [connections, setConnections] = useState<Record<string, string>>({});
  const [tables, setTables] = useState<Record<string, string>>({});
  const describe = useMutation(trpc.flowTransfer.previewImport.mutationOptions());
  const importFlow = useMutation(trpc.flowTransfer.import.mutationOptions());

  async function readFile(file: File) {
    setText(await file.text());
    setPreview(null);
  }

  async function next() {
    const result = (await describe.mutateAsync({ document: text }).catch(() => null)) as Preview | null;
    if (!result) return;
    setPreview(result);
    setName(result.flow.name);
    setConnections(Object.fromEntries(result.connections.filter((c) => c.suggestedId ?? c.candidates.length === 1).map((c) => [c.ref, (c.suggestedId ?? c.candidates[0]!.id)!])));
    setTables(Object.fromEntries(result.mappingTables.filter((t) => t.suggestedId).map((t) => [t.ref, t.suggestedId!])));
  }

  async function submit() {
    const created = await importFlow.mutateAsync({ document: text, choices: { connections, mappingTables: tables, name: name.trim() || undefined } }).catch(() => null);
    if (!created) return;
    await queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
    router.push(`/flows/${created.flowId}`);
  }

  const missing = preview ? [...preview.connections.filter((c) => !connections[c.ref]), ...preview.mappingTables.filter((t) => !tables[t.ref])] : [];

  return (
    <Modal
      title="Import a flow"
      wide
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={preview ? () => setPreview(null) : onClose}>{preview ? "Back" : "Cancel"}</button>
          {preview ? (
            <button className="btn btn-primary" data-testid="import-confirm" disabled={importFlow.isPending || missing.length > 0 || !name.trim()} onClick={() => void submit()}>
              {importFlow.isPending ? "Checking and importing…" : "Import flow"}
            </button>
          ) : (
            <button className="btn btn-primary" data-testid="import-next" disabled={describe.isPending || !text.trim()} onClick={() => void next()}>
              {describe.isPending ? "Reading…" : "Continue"}
            </button>
          )}
        </>
      }
    >
      {!preview ? (
        <div data-testid="import-source">
          <p className="muted small" style={{ marginTop: 0 }}>
            A flow exported from Ledgerline (a <code>.ledgerline-flow.json</code> file). It names its connections by system and name, never by secret: you choose
            which of this workspace&apos;s connections each one becomes.
          </p>
          <div className="field">
            <label htmlFor="import-file">File</label>
            <input id="import-file" type="file" accept=".json,application/json" onChange={(e) => e.target.files?.[0] && void readFile(e.target.files[0])} />
          </div>
          <div className="field">
            <label htmlFor="import-text">Or paste the JSON</label>
            <textarea id="import-text" className="textarea mono" rows={10} value={text} spellCheck={false} onChange={(e) => setText(e.target.value)} placeholder='{ "format": "ledgerline.flow", … }' />
          </div>
          <ErrorBox error={describe.error} title="Cannot import this file" />
        </div>
      ) : (
        <div data-testid="import-choices">
          <p className="small" style={{ marginTop: 0 }}>
            <strong>{preview.flow.name}</strong> <span className="muted">· version {preview.flow.version} · {preview.nodeCount} nodes</span>
          </p>
          <div className="field">
            <label htmlFor="import-name">Name in this workspace</label>
            <input id="import-name" className="input" value={name} maxLength={120} onChange={(e) => setName(e.target.value)} />
          </div>
          {preview.connections.length > 0 ? <h3 className="small" style={{ margin: "14px 0 6px" }}>Connections</h3> : null}
          {preview.connections.map((c) => (
            <div className="field" key={c.ref} data-testid="import-connection" data-ref={c.ref}>
              <label htmlFor={`conn-${c.ref}`}>
                {c.name} <span className="badge plain">{c.system}</span>
              </label>
              {c.candidates.length === 0 ? (
                <div className="alert alert-error small">This workspace has no {c.system} connection. Add one on the Connections page, then import again.</div>
              ) : (
                <select id={`conn-${c.ref}`} className="select" value={connections[c.ref] ?? ""} onChange={(e) => setConnections({ ...connections, [c.ref]: e.target.value })}>
                  <option value="">Choose a {c.system} connection…</option>
                  {c.candidates.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name}
                    </option>
                  ))}
                </select>
              )}
              <span className="hint">Used by {c.usedBy.join(", ")}</span>
            </div>
          ))}
          {preview.mappingTables.length > 0 ? <h3 className="small" style={{ margin: "14px 0 6px" }}>Mapping tables</h3> : null}
          {preview.mappingTables.map((t) => (
            <div className="field" key={t.ref} data-testid="import-table" data-ref={t.ref}>
              <label htmlFor={`table-${t.ref}`}>{t.name}</label>
              {t.candidates.length === 0 ? (
                <div className="alert alert-error small">This workspace has no mapping tables. Create &quot;{t.name}&quot; on the Mappings page, then import again.</div>
              ) : (
                <select id={`table-${t.ref}`} className="select" value={tables[t.ref] ?? ""} onChange={(e) => setTables({ ...tables, [t.ref]: e.target.value })}>
                  <option value="">Choose a mapping table…</option>
                  {t.candidates.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name}
                    </option>
                  ))}
                </select>
              )}
              <span className="hint">Used by {t.usedBy.join(", ")}</span>
            </div>
          ))}
          {missing.length > 0 ? <p className="small muted">Choose {missing.length === 1 ? "the remaining reference" : `the ${missing.length} remaining references`} to import.</p> : null}
          <ErrorBox error={importFlow.error} title="Not imported" />
        </div>
      )}
    </Modal>
  );
}
