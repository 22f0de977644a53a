"use client";
/**
 * The selected node's settings: name, connection (filtered by the node's connection kind), the
 * form generated from its config schema, a write's approval condition, its problems, and where
 * expression previews get data.
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { useTRPC } from "../../lib/trpc";
import { ApprovalField } from "./ApprovalField";
import { typeKey, useEditor, useEditorStore, useRegistry, iconFor, systemTitle } from "./context";
import { PreviewContext, type PreviewData } from "./JsonataField";
import { JsonInput, SchemaForm, type JsonSchema } from "../SchemaForm";

export function ConfigPanel({ nodeId, webhookUrl }: { nodeId: string; webhookUrl: string | null }) {
  const trpc = useTRPC();
  const store = useEditorStore();
  const { byKey, flowId } = useRegistry();
  // Why data and ids, never the node objects or the arrays: a drag replaces the moved node's
  // object on every pointer move but keeps its `data`, so the panel renders only when an edit does.
  const data = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data);
  const node = useMemo(() => (data ? { id: nodeId, data } : undefined), [data, nodeId]);
  const problems = useEditor((s) => s.problemsByNode[nodeId]);
  const info = node ? byKey.get(typeKey(node.data.type, node.data.typeVersion)) : undefined;
  const connections = useQuery({ ...trpc.connections.list.queryOptions(), enabled: Boolean(info?.connection) });
  const last = useQuery(trpc.editor.lastOutputs.queryOptions({ flowId }));

  const upstreamId = useEditor((s) => s.edges.find((x) => x.target === nodeId)?.source);
  const upstreamData = useEditor((s) => (upstreamId ? s.nodes.find((n) => n.id === upstreamId)?.data : undefined));
  const upstream = useMemo(() => (upstreamId && upstreamData ? { id: upstreamId, data: upstreamData } : undefined), [upstreamId, upstreamData]);
  const triggerId = useEditor((s) => s.nodes.find((n) => byKey.get(typeKey(n.data.type, n.data.typeVersion))?.category === "trigger")?.id);
  const triggerData = useEditor((s) => (triggerId ? s.nodes.find((n) => n.id === triggerId)?.data : undefined));
  const trigger = useMemo(() => (triggerId && triggerData ? { id: triggerId, data: triggerData } : undefined), [triggerId, triggerData]);
  const triggerSample = trigger?.data.type === "core.manualTrigger" ? (trigger.data.config.sample as unknown) : undefined;
  const [source, setSource] = useState<"last" | "sample">("last");
  const [sample, setSample] = useState<unknown>(undefined);

  const lastOutputs = last.data?.outputs;
  const upstreamLast = upstream ? lastOutputs?.[upstream.id] : undefined;
  const previewData = useMemo<PreviewData>(() => {
    const nodesOut = Object.fromEntries(Object.entries(lastOutputs ?? {}).map(([k, v]) => [k, v.output]));
    const sampleData = sample ?? triggerSample ?? {};
    if (source === "last" && upstreamLast && upstream) {
      return {
        input: upstreamLast.output,
        trigger: trigger ? (lastOutputs?.[trigger.id]?.output ?? sampleData) : sampleData,
        nodes: nodesOut,
        source: `last run of “${upstream.data.name || upstream.id}”`,
      };
    }
    return { input: sampleData, trigger: sampleData, nodes: nodesOut, source: "sample data" };
  }, [source, upstreamLast, upstream, trigger, lastOutputs, sample, triggerSample]);

  if (!node) return null;
  const schema = (info?.configSchema ?? {}) as JsonSchema;
  const fieldProblems: Record<string, string> = {};
  for (const p of problems ?? []) {
    if (p.field === undefined) continue;
    const marker = `${p.field}: `;
    const at = p.message.indexOf(marker);
    fieldProblems[p.field] = at >= 0 ? p.message.slice(at + marker.length) : p.message;
  }
  const connectionProblem = problems?.find((p) => p.code === "missing_connection" || p.code === "wrong_connection");
  const matching = (connections.data ?? []).filter((c) => c.system === info?.connection);
  const isWrite = info?.effect === "write";
  // The approval condition is an expression too: a write node always previews.
  const hasJsonata = isWrite || JSON.stringify(schema).includes('"jsonata"');
  const approvalProblem = problems?.find((p) => p.code === "invalid_approval");
  const isWebhook = info?.triggerMode === "webhook";

  return (
    <div className="ed-config" data-testid="config-panel">
      <div className={`ed-config-head sys-${info?.system ?? "unknown"}`}>
        <div className="ed-node-icon">{iconFor(info)}</div>
        <div>
          <div className="ed-config-type">
            {info ? `${systemTitle(info.system)} · ${info.title}` : `Unknown node type ${node.data.type}`}
            {info?.effect === "write" && <span className="ed-write-tag">writes</span>}
          </div>
          <div className="ed-muted ed-small">
            id <code>{node.id}</code> · {node.data.type} v{node.data.typeVersion}
          </div>
        </div>
      </div>
      {info?.description && <p className="ed-config-desc">{info.description}</p>}

      {problems && (
        <div className="ed-problems-box" role="alert">
          <strong>
            {problems.length} problem{problems.length > 1 ? "s" : ""} to fix before this flow can be activated
          </strong>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </div>
      )}

      <div className="ed-field">
        <label className="ed-label" htmlFor={`name-${node.id}`}>
          Name on the canvas
        </label>
        <input id={`name-${node.id}`} type="text" value={node.data.name ?? ""} placeholder={info?.title} onChange={(e) => store.getState().updateNode(node.id, { name: e.target.value || undefined }, "name")} />
      </div>

      {info?.connection && (
        <div className={`ed-field${connectionProblem ? " ed-field-error" : ""}`} data-field="connectionId">
          <label className="ed-label" htmlFor={`conn-${node.id}`}>
            Connection<span className="ed-required">*</span>
          </label>
          <select
            id={`conn-${node.id}`}
            value={node.data.connectionId ?? ""}
            onChange={(e) => store.getState().updateNode(node.id, { connectionId: e.target.value || null })}
            disabled={connections.isLoading}
          >
            <option value="">{connections.isLoading ? "Loading connections…" : `Choose a ${systemTitle(info.connection)} connection…`}</option>
            {matching.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
                {c.status === "failed" ? " (last test failed)" : ""}
              </option>
            ))}
          </select>
          {connections.isSuccess && matching.length === 0 && (
            <div className="ed-help">
              No {systemTitle(info.connection)} connection yet: <Link href="/connections">add one in Connections</Link>.
            </div>
          )}
          {connectionProblem && <div className="ed-field-problem">{connectionProblem.message.replace(/^"[^"]*" \([^)]*\)(: )?/, "")}</div>}
        </div>
      )}

      {isWebhook && (
        <div className="ed-webhook">
          <div className="ed-label">Webhook URL</div>
          {webhookUrl && webhookUrl.endsWith(`/${node.id}`) ? (
            <div className="ed-copy">
              <code data-testid="webhook-url">{webhookUrl}</code>
              <button type="button" className="ed-btn ed-btn-small" onClick={() => void navigator.clipboard?.writeText(webhookUrl)}>
                Copy
              </button>
            </div>
          ) : (
            <div className="ed-help">Save the flow to get the URL senders POST to.</div>
          )}
        </div>
      )}

      {hasJsonata && (
        <div className="ed-preview-source">
          <span className="ed-label">Preview expressions on</span>
          <div className="ed-seg" role="group">
            <button type="button" className={source === "last" ? "on" : ""} disabled={!upstreamLast} title={upstreamLast ? "" : "No earlier run reached the node before this one"} onClick={() => setSource("last")}>
              Last run
            </button>
            <button type="button" className={source === "sample" || !upstreamLast ? "on" : ""} onClick={() => setSource("sample")}>
              Sample data
            </button>
          </div>
          {(source === "sample" || !upstreamLast) && (
            <details className="ed-sample">
              <summary>Edit sample data</summary>
              <JsonInput value={sample ?? triggerSample ?? {}} onChange={(v) => setSample(v ?? {})} rows={6} />
            </details>
          )}
        </div>
      )}

      <div className="ed-section-title">Settings</div>
      <PreviewContext.Provider value={previewData}>
        <SchemaForm
          schema={schema}
          value={node.data.config}
          context={{ problems: fieldProblems, connectionId: node.data.connectionId, idPrefix: node.id }}
          onChange={(config, field) => store.getState().updateNode(node.id, { config }, field)}
        />
        {isWrite && (
          <>
            <div className="ed-section-title">Approval</div>
            <ApprovalField key={node.id} nodeId={node.id} approval={node.data.approval} problem={approvalProblem?.message.replace(/^.*?: approval condition: /, "")} />
          </>
        )}
      </PreviewContext.Provider>

      <div className="ed-config-foot">
        <button type="button" className="ed-btn ed-btn-danger-ghost" onClick={() => store.getState().deleteSelected()}>
          Delete node
        </button>
      </div>
    </div>
  );
}
