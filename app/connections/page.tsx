"use client";
/**
 * Connections: per system, create, edit, test ("ping your real system"), connect (OAuth), delete.
 * Forms come from each connector's config and secrets schemas; secrets are write-only.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState } from "react";
import { HttpCalls, type HttpCall } from "../components/HttpCalls";
import { compactValues, SchemaForm, type JsonSchema } from "../components/SchemaForm";
import { ErrorBox, Loading, Modal, PageHeader, StatusBadge, SYSTEM_META, errorMessage, formatTime, timeAgo } from "../components/ui";
import { useCan } from "../lib/role";
import { useTRPC } from "../lib/trpc";
import { Form } from "../components/Form";

interface Connector { system: string; title: string; description: string; configSchema: unknown; secretsSchema: unknown; oauth: boolean; sandbox: boolean; endpointFields?: string[] }
interface Connection { id: string; system: string; name: string; config: unknown; status: string; statusMessage: string | null; lastTestedAt: Date | null; secretFields: string[]; hasState: boolean }
interface TestResult { ok: boolean; message: string; details?: Record<string, unknown>; calls: unknown[] }

function ConnectionForm({ connector, connection, existingNames, onClose }: { connector: Connector; connection?: Connection; existingNames: string[]; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const configSchema = connector.configSchema as JsonSchema;
  const secretsSchema = connector.secretsSchema as JsonSchema;
  const [name, setName] = useState(connection?.name ?? "");
  const [initialConfig] = useState<Record<string, unknown>>(() => ({ ...((connection?.config as Record<string, unknown> | undefined) ?? {}) }));
  const [config, setConfig] = useState<Record<string, unknown>>(initialConfig);
  // Where the credentials go changed: the server keeps none of the stored ones, so all are asked again.
  const moved = connection ? (connector.endpointFields ?? []).filter((f) => String(config[f] ?? "") !== String(initialConfig[f] ?? "")) : [];
  const [secrets, setSecrets] = useState<Record<string, unknown>>({});
  const sandbox = useQuery({ ...trpc.connections.sandboxSettings.queryOptions({ system: connector.system }), enabled: connector.sandbox && !connection });
  const done = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.connections.list.queryKey() });
    onClose();
  };
  const create = useMutation(trpc.connections.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.connections.update.mutationOptions({ onSuccess: done }));
  const pending = create.isPending || update.isPending;
  const submit = () => {
    const cfg = compactValues(config);
    const sec = compactValues(secrets);
    if (connection) update.mutate({ id: connection.id, name: name.trim(), config: cfg, secrets: sec });
    else create.mutate({ system: connector.system, name: name.trim(), config: cfg, secrets: sec });
  };
  const prefill = () => {
    if (!sandbox.data) return;
    let candidate = sandbox.data.name;
    for (let i = 2; existingNames.includes(candidate); i++) candidate = `${sandbox.data.name} ${i}`;
    if (!name.trim()) setName(candidate);
    setConfig({ ...config, ...(sandbox.data.config as Record<string, unknown>) });
  };
  return (
    <Modal
      title={connection ? `Edit ${connection.name}` : `New ${connector.title} connection`}
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>Cancel</button>
          <button className="btn btn-primary" type="submit" form="connection-form" disabled={pending || !name.trim()}>{pending ? "Saving…" : connection ? "Save changes" : "Create connection"}</button>
        </>
      }
    >
      <Form id="connection-form" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        {!connection && connector.sandbox && sandbox.data ? (
          <div className="alert alert-info row" style={{ marginBottom: 12 }}>
            <span style={{ flex: 1 }}>Trying things out? Fill in the settings of the local {connector.title} sandbox ({sandbox.data.baseUrl}).</span>
            <button type="button" className="btn btn-sm" onClick={prefill}>Prefill sandbox settings</button>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="connection-name">Name <span style={{ color: "var(--fail)" }}>*</span></label>
          <input id="connection-name" className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder={`e.g. ${connector.title} production`} autoFocus />
        </div>
        <h3 style={{ margin: "16px 0 8px" }}>Settings</h3>
        <SchemaForm schema={configSchema} value={config} onChange={setConfig} context={{ problems: {}, connectionId: null, idPrefix: "config", advanced: true, stableIds: true }} />
        <h3 style={{ margin: "16px 0 4px" }}>Credentials</h3>
        {moved.length > 0 ? (
          <div className="alert alert-info" style={{ marginBottom: 8 }} data-testid="credentials-again">
            You changed {moved.join(", ")}, which decides where the credentials are sent: enter them again. The stored ones are
            not sent to the new address and are removed when you save.
          </div>
        ) : (
          <p className="small muted" style={{ marginTop: 0 }}>Stored encrypted. Ledgerline never shows them again{connection ? "; leave a field empty to keep its current value" : ""}.</p>
        )}
        <SchemaForm
          schema={secretsSchema}
          value={secrets}
          onChange={setSecrets}
          context={{ problems: {}, connectionId: null, idPrefix: "secret", secret: true, setFields: moved.length > 0 ? [] : (connection?.secretFields ?? []), stableIds: true }}
        />
        <ErrorBox error={create.error ?? update.error} title="Not saved" />
      </Form>
    </Modal>
  );
}

function ConnectionRow({ connection, connector, onEdit }: { connection: Connection; connector?: Connector; onEdit: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [result, setResult] = useState<TestResult | null>(null);
  const [showCalls, setShowCalls] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.connections.list.queryKey() });
  // Operators test connections; changing them (and their secrets) is the admin's.
  const canTest = useCan("operator");
  const canAdmin = useCan("admin");
  const test = useMutation(trpc.connections.test.mutationOptions({ onSuccess: (r) => { setResult(r as TestResult); refresh(); } }));
  const remove = useMutation(trpc.connections.delete.mutationOptions({ onSuccess: refresh }));
  const connect = useMutation(trpc.connections.connect.mutationOptions({ onSuccess: (r) => { if (r?.url) window.location.assign(r.url); } }));
  const cfg = connection.config as Record<string, unknown>;
  const target = (cfg.baseUrl as string | undefined) ?? (cfg.environment as string | undefined) ?? (cfg.region ? `region ${String(cfg.region)}` : "");
  return (
    <div className="connection" style={{ borderTop: "1px solid var(--border)", padding: "12px 16px" }} data-testid="connection" data-connection-name={connection.name}>
      <div className="row">
        <div style={{ flex: 1, minWidth: 0 }}>
          <div className="row">
            <strong className="truncate">{connection.name}</strong>
            <StatusBadge status={connection.status} />
          </div>
          <div className="small muted truncate">
            {target ? <span className="mono">{target}</span> : null}
            {target ? " · " : ""}
            {connection.lastTestedAt ? `tested ${timeAgo(connection.lastTestedAt)}` : "never tested"}
            {connection.secretFields.length ? ` · credentials: ${connection.secretFields.join(", ")} set` : " · no credentials set"}
          </div>
          {connection.statusMessage && connection.status !== "ok" ? <div className="small" style={{ color: "var(--fail-text)", marginTop: 2 }}>{connection.statusMessage}</div> : null}
        </div>
        <div className="row">
          {connector?.oauth && canAdmin ? (
            <button className="btn btn-sm" disabled={connect.isPending} onClick={() => connect.mutate({ id: connection.id })} title="Sign in to Exact Online and allow Ledgerline">
              {connection.hasState ? "Reconnect" : "Connect"}
            </button>
          ) : null}
          {canTest ? (
            <button className="btn btn-sm btn-primary" disabled={test.isPending} onClick={() => { setResult(null); test.mutate({ id: connection.id }); }}>
              {test.isPending ? <><span className="spinner" /> Testing…</> : "Test"}
            </button>
          ) : null}
          {canAdmin ? (
            <>
              <button className="btn btn-sm" onClick={onEdit}>Edit</button>
              <button
                className="btn btn-sm btn-danger"
                disabled={remove.isPending}
                onClick={() => { if (window.confirm(`Delete the connection "${connection.name}"? Flows that use it will stop validating.`)) remove.mutate({ id: connection.id }); }}
              >
                Delete
              </button>
            </>
          ) : null}
        </div>
      </div>
      <ErrorBox error={remove.error ?? connect.error ?? test.error} />
      {result ? (
        <div className={`alert ${result.ok ? "alert-ok" : "alert-error"}`} style={{ marginTop: 10 }} data-testid="test-result" data-ok={result.ok}>
          <div className="row">
            <strong>{result.ok ? "✓ Connection OK" : "✕ Connection failed"}</strong>
            <span style={{ flex: 1 }}>{result.message}</span>
            <button className="btn btn-xs btn-ghost" onClick={() => setShowCalls(!showCalls)}>{showCalls ? "Hide" : "Show"} {result.calls.length} HTTP call{result.calls.length === 1 ? "" : "s"}</button>
          </div>
          {result.details && Object.keys(result.details).length ? (
            <div className="small" style={{ marginTop: 4 }}>{Object.entries(result.details).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`).join(" · ")}</div>
          ) : null}
          {showCalls ? <div style={{ marginTop: 8, color: "var(--text)" }}><HttpCalls calls={result.calls as HttpCall[]} empty="No HTTP call was made." /></div> : null}
        </div>
      ) : null}
    </div>
  );
}

function ConnectionsPage() {
  const trpc = useTRPC();
  const canAdmin = useCan("admin");
  const queryClient = useQueryClient();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const connectors = useQuery({ ...trpc.registry.connectors.queryOptions(), staleTime: Infinity });
  const connections = useQuery(trpc.connections.list.queryOptions());
  const [form, setForm] = useState<{ connector: Connector; connection?: Connection } | null>(null);
  const [sandboxError, setSandboxError] = useState<{ system: string; message: string } | null>(null);
  const createSandbox = useMutation(
    trpc.connections.createSandbox.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.connections.list.queryKey() }),
      onError: (e, v) => setSandboxError({ system: v.system, message: errorMessage(e) }),
    }),
  );
  const oauth = params.get("oauth");
  const oauthMessage = params.get("message");
  const names = (connections.data ?? []).map((c) => c.name);

  const startSandbox = async (connector: Connector) => {
    setSandboxError(null);
    // The demo connection already has the sandbox's default name: pick the next free one.
    const settings = await queryClient.fetchQuery(trpc.connections.sandboxSettings.queryOptions({ system: connector.system }));
    const base = settings?.name ?? `${connector.title} sandbox`;
    let name = base;
    for (let i = 2; names.includes(name); i++) name = `${base} ${i}`;
    createSandbox.mutate({ system: connector.system, name });
  };

  return (
    <div className="page">
      <PageHeader title="Connections" description="How Ledgerline reaches your systems. Test a connection to ping the real system; credentials are stored encrypted and never shown again." />
      {oauth ? (
        <div className={`alert ${oauth === "connected" ? "alert-ok" : "alert-error"} row`} style={{ marginBottom: 16 }} data-testid="oauth-result">
          <span style={{ flex: 1 }}>{oauth === "connected" ? "✓ Connected to Exact Online. Ledgerline can now read and post in the administration." : `Exact Online did not connect: ${oauthMessage ?? "the sign-in was cancelled or refused"}.`}</span>
          <button className="btn btn-xs btn-ghost" onClick={() => router.replace(pathname)}>Dismiss</button>
        </div>
      ) : null}
      {connectors.isLoading || connections.isLoading ? <Loading what="Loading connections" /> : connectors.error || connections.error ? (
        <ErrorBox error={connectors.error ?? connections.error} title="Could not load connections" />
      ) : (
        <div className="stack" style={{ gap: 16 }}>
          {[...(connectors.data as Connector[])].sort((a, b) => Number(b.sandbox) - Number(a.sandbox)).map((connector) => {
            const list = (connections.data as Connection[]).filter((c) => c.system === connector.system);
            const meta = SYSTEM_META[connector.system];
            return (
              <section key={connector.system} className="card" data-testid={`system-${connector.system}`}>
                <div className="card-header">
                  <div className="row" style={{ minWidth: 0 }}>
                    <span className="avatar" style={{ background: meta?.color ?? "#667085", borderRadius: 8 }}>{connector.title.slice(0, 1)}</span>
                    <div style={{ minWidth: 0 }}>
                      <h2>{connector.title}</h2>
                      <div className="small muted truncate" style={{ maxWidth: 720 }}>{connector.description}</div>
                    </div>
                  </div>
                  {canAdmin ? (
                    <div className="row">
                      {connector.sandbox ? (
                        <button className="btn btn-sm" disabled={createSandbox.isPending} onClick={() => void startSandbox(connector)}>⚡ Use the local sandbox</button>
                      ) : null}
                      <button className="btn btn-sm btn-primary" onClick={() => setForm({ connector })}>+ New connection</button>
                    </div>
                  ) : null}
                </div>
                {sandboxError?.system === connector.system ? <div className="card-body"><div className="alert alert-error">{sandboxError.message}</div></div> : null}
                {list.length === 0 ? (
                  <div className="card-body small muted">No {connector.title} connection yet. Add one with your credentials{connector.sandbox ? ", or use the local sandbox to try flows safely" : ""}.</div>
                ) : (
                  list.map((c) => <ConnectionRow key={c.id} connection={c} connector={connector} onEdit={() => setForm({ connector, connection: c })} />)
                )}
              </section>
            );
          })}
        </div>
      )}
      {form ? <ConnectionForm connector={form.connector} connection={form.connection} existingNames={names} onClose={() => setForm(null)} /> : null}
      {connections.dataUpdatedAt ? <p className="small subtle" style={{ marginTop: 16 }}>Last refreshed {formatTime(new Date(connections.dataUpdatedAt))}</p> : null}
    </div>
  );
}

export default function ConnectionsPageWrapper() {
  return (
    <Suspense>
      <ConnectionsPage />
    </Suspense>
  );
}
