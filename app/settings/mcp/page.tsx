"use client";
/**
 * Settings > Agents (MCP): what agents reach through /api/mcp with a workspace API token. Admins
 * choose the connections, the tools (read tools are on by default, write tools off until named),
 * the approval rule of each write tool, the flows available to agents and the calls per minute
 * of one token. Saving is audited (engine/mcp/settings.ts).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorBox, Loading, PageHeader, errorMessage } from "../../components/ui";
import { Form } from "../../components/Form";
import { useTRPC } from "../../lib/trpc";

interface Draft {
  allConnections: boolean;
  connections: string[];
  /** null: the default (every read tool). */
  tools: string[] | null;
  flows: string[];
  approvals: Record<string, string>;
  callsPerMinute: string;
}

const toggle = (list: string[], value: string, on: boolean) => (on ? [...new Set([...list, value])] : list.filter((v) => v !== value));

export default function AgentsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.mcp.settings.queryOptions());
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.mcp.update.mutationOptions({
      onSuccess() {
        setSaved(true);
        setDraft(null);
        void queryClient.invalidateQueries({ queryKey: trpc.mcp.settings.queryKey() });
      },
    }),
  );

  if (settings.isPending) return <div className="page"><Loading what="Loading agent settings" /></div>;
  if (settings.error) return <div className="page"><ErrorBox error={settings.error} /></div>;
  const data = settings.data;
  const s = data.settings;
  const current: Draft = draft ?? {
    allConnections: s.connections === null,
    connections: s.connections ?? data.connections.map((c) => c.id),
    tools: s.tools,
    flows: s.flows,
    approvals: s.approvals,
    callsPerMinute: String(s.callsPerMinute),
  };
  const edit = (patch: Partial<Draft>) => {
    setSaved(false);
    setDraft({ ...current, ...patch });
  };
  const exposedTools = current.tools ?? data.tools.filter((t) => t.kind === "read").map((t) => t.name);
  const endpoint = typeof window === "undefined" ? "/api/mcp" : `${window.location.origin}/api/mcp`;

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate({
      connections: current.allConnections ? null : current.connections,
      tools: current.tools,
      flows: current.flows,
      approvals: Object.fromEntries(Object.entries(current.approvals).filter(([tool, when]) => when.trim() && exposedTools.includes(tool))),
      callsPerMinute: Number(current.callsPerMinute),
    });
  }

  return (
    <div className="page">
      <PageHeader
        title="Agents (MCP)"
        description={<>AI assistants connect to <code>{endpoint}</code> (MCP, Streamable HTTP) with a workspace API token as <code>Authorization: Bearer &lt;token&gt;</code>. Each call acts with the token&apos;s role: read tools need operator, write tools editor. Every call is a run in the run log and an audit event.</>}
      />
      <Form className="card card-body" onSubmit={submit} data-testid="mcp-settings">
        {save.error ? <div className="alert alert-error" role="alert" style={{ marginBottom: 12 }}>{errorMessage(save.error)}</div> : null}
        {saved ? <div className="alert alert-ok" role="status" style={{ marginBottom: 12 }}>Saved: agents see the new tool list on their next request.</div> : null}

        <h3>Connections</h3>
        <label style={{ display: "block", marginBottom: 6 }}>
          <input type="checkbox" checked={current.allConnections} onChange={(e) => edit({ allConnections: e.target.checked })} data-testid="mcp-all-connections" /> Every connection (new ones too)
        </label>
        {!current.allConnections
          ? data.connections.map((c) => (
              <label key={c.id} style={{ display: "block", marginLeft: 20 }}>
                <input type="checkbox" checked={current.connections.includes(c.id)} onChange={(e) => edit({ connections: toggle(current.connections, c.id, e.target.checked) })} /> {c.name} <span className="muted small">({c.system})</span>
              </label>
            ))
          : null}

        <h3 style={{ marginTop: 16 }}>Tools</h3>
        <p className="muted small">
          {current.tools === null ? "Default: every read tool. Write tools stay off until you tick them." : "Only the ticked tools are exposed."}{" "}
          {current.tools !== null ? <button type="button" className="btn btn-ghost" onClick={() => edit({ tools: null })}>Back to the default</button> : null}
        </p>
        <div className="table-wrap">
          <table className="table" data-testid="mcp-tools">
            <thead><tr><th /><th>Tool</th><th>Kind</th><th>Role</th><th>Approval rule (JSONata over the input)</th></tr></thead>
            <tbody>
              {data.tools.map((t) => {
                const on = exposedTools.includes(t.name);
                return (
                  <tr key={t.name}>
                    <td><input type="checkbox" aria-label={`Expose ${t.name}`} checked={on} onChange={(e) => edit({ tools: toggle(exposedTools, t.name, e.target.checked) })} /></td>
                    <td><code>{t.name}</code><div className="muted small">{t.title}</div></td>
                    <td>{t.kind}</td>
                    <td>{t.minRole}+</td>
                    <td>
                      {t.kind === "write" && on ? (
                        <input
                          className="input"
                          aria-label={`Approval rule of ${t.name}`}
                          placeholder="e.g. $sum(lines[type='debit'].$number(amount)) > 10000"
                          value={current.approvals[t.name] ?? ""}
                          onChange={(e) => edit({ approvals: { ...current.approvals, [t.name]: e.target.value } })}
                        />
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>

        <h3 style={{ marginTop: 16 }}>Flows available to agents</h3>
        <p className="muted small">A flow that starts with a manual trigger becomes a tool taking the trigger&apos;s input (operator role, like Run now).</p>
        {data.flows.filter((f) => f.manual).length === 0 ? <p className="muted small">No flow with a manual trigger.</p> : null}
        {data.flows.filter((f) => f.manual).map((f) => (
          <label key={f.id} style={{ display: "block" }}>
            <input type="checkbox" checked={current.flows.includes(f.id)} onChange={(e) => edit({ flows: toggle(current.flows, f.id, e.target.checked) })} /> {f.name}
          </label>
        ))}

        <div className="form-row" style={{ marginTop: 16 }}>
          <div className="field">
            <label htmlFor="mcp-rate">Tool calls per minute per token</label>
            <input id="mcp-rate" className="input" type="number" min={1} max={10000} value={current.callsPerMinute} onChange={(e) => edit({ callsPerMinute: e.target.value })} required />
          </div>
          <button className="btn btn-primary" type="submit" disabled={save.isPending || draft === null}>{save.isPending ? "Saving…" : "Save"}</button>
        </div>
      </Form>
      {data.otherTools.length > 0 ? (
        <p className="muted small" style={{ marginTop: 12 }}>Also listed for agents: {data.otherTools.map((t) => t.name).join(", ")}.</p>
      ) : null}
    </div>
  );
}
