"use client";
/**
 * Template wizard: 1 connections (choose or create, Connect for OAuth systems, test), 2 accounts (live pickers of the
 * connected systems), 3 mapping tables checked against the live values, 4 schedule, 5 dry run of
 * recent documents (required before 6), 6 activate. From step 3 on the
 * flow exists and the step reached is saved on it (`?flow=<id>` resumes); steps 1-2 are kept in
 * this browser until the flow is created.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { ErrorBox, Loading, PageHeader, SYSTEM_META } from "../../components/ui";
import { useCan } from "../../lib/role";
import { useTRPC } from "../../lib/trpc";
import { DryRunStep } from "./DryRunStep";
import { MappingStep } from "./MappingStep";
import { ScheduleStep } from "./ScheduleStep";

const STEPS = [
  ["connections", "Connections"],
  ["accounts", "Accounts"],
  ["mappings", "Mapping tables"],
  ["schedule", "Schedule"],
  ["dryRun", "Dry run"],
  ["activate", "Activate"],
] as const;
type Step = (typeof STEPS)[number][0];

interface Draft {
  step: Step;
  connectionIds: Record<string, string>;
  parameters: Record<string, string>;
  dryRunDone?: boolean;
}

const draftKey = (templateId: string) => `ledgerline.wizard.${templateId}`;

export default function TemplateWizardPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { templateId } = useParams<{ templateId: string }>();
  const flowId = useSearchParams().get("flow");
  const canEdit = useCan("editor");
  const canAdmin = useCan("admin");
  const template = useQuery(trpc.templates.get.queryOptions({ templateId }));
  const connections = useQuery(trpc.connections.list.queryOptions());
  const saved = useQuery({ ...trpc.templates.wizardState.queryOptions({ flowId: flowId ?? "00000000-0000-0000-0000-000000000000" }), enabled: Boolean(flowId) });
  // This browser's draft of steps 1-2 (read once); the flow's saved state wins once it exists.
  const [local, setLocal] = useState<Draft | null>(() => {
    if (typeof window === "undefined" || flowId) return null;
    const stored = window.localStorage.getItem(draftKey(templateId));
    return stored ? (JSON.parse(stored) as Draft) : null;
  });
  const [edited, setEdited] = useState<{ flowId: string | null; draft: Draft } | null>(null);
  const resumed: Draft | null = flowId && saved.data ? { step: saved.data.step, connectionIds: saved.data.connectionIds, parameters: saved.data.parameters, dryRunDone: saved.data.dryRunDone } : local;
  const draft: Draft = (edited && edited.flowId === flowId ? edited.draft : null) ?? resumed ?? { step: "connections", connectionIds: {}, parameters: {} };
  const setDraft = (value: Draft) => {
    setEdited({ flowId, draft: value });
    if (!flowId) setLocal(value);
  };
  const [tests, setTests] = useState<Record<string, { ok: boolean; message: string }>>({});

  const saveWizard = useMutation(trpc.templates.saveWizard.mutationOptions());
  const go = (step: Step, next: Partial<Draft> = {}) => {
    const value = { ...draft, ...next, step };
    setDraft(value);
    if (flowId) saveWizard.mutate({ flowId, state: { templateId, ...value } });
    else window.localStorage.setItem(draftKey(templateId), JSON.stringify(value));
  };

  const test = useMutation(trpc.connections.test.mutationOptions());
  const connectors = useQuery({ ...trpc.registry.connectors.queryOptions(), staleTime: Infinity });
  // OAuth systems (Exact Online): Connect signs in at the system and comes back here.
  const connect = useMutation(trpc.connections.connect.mutationOptions({ onSuccess: (r) => window.location.assign(r.url) }));
  const oauthResult = useSearchParams().get("oauth");
  const createSandbox = useMutation(
    trpc.connections.createSandbox.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.connections.list.queryKey() }) }),
  );
  const use = useMutation(
    trpc.templates.use.mutationOptions({
      onSuccess: (created) => {
        window.localStorage.removeItem(draftKey(templateId));
        router.replace(`/templates/${templateId}?flow=${created.flowId}`);
      },
    }),
  );
  const activate = useMutation(trpc.flows.activate.mutationOptions());
  const runInput = useQuery({ ...trpc.runInput.describe.queryOptions({ flowId: flowId ?? "00000000-0000-0000-0000-000000000000" }), enabled: Boolean(flowId) && draft.step === "dryRun" });

  if (template.isLoading || connections.isLoading || (flowId && saved.isLoading)) return <div className="page"><Loading what="Loading the template" /></div>;
  if (template.error || !template.data) return <div className="page"><ErrorBox error={template.error ?? new Error("template not found")} /></div>;
  const t = template.data;
  const index = STEPS.findIndex(([s]) => s === draft.step);
  const chosen = (system: string) => draft.connectionIds[system] ?? "";
  const allTested = t.systems.every((s) => chosen(s) && tests[chosen(s)]?.ok);
  const missing = t.parameters.filter((p) => !draft.parameters[p.key]?.trim());

  return (
    <div className="page">
      <PageHeader
        title={`Set up: ${t.title}`}
        description={`Template version ${t.version}. Nothing of the sample books is used: every account comes from your connected systems.`}
        breadcrumb={<Link href="/templates">Templates</Link>}
      />
      <ol className="row" data-testid="wizard-steps" style={{ listStyle: "none", padding: 0, gap: 14, marginBottom: 16 }}>
        {STEPS.map(([step, label], i) => (
          <li key={step} aria-current={step === draft.step ? "step" : undefined} className={step === draft.step ? "badge" : "subtle small"}>
            {i + 1}. {label}
          </li>
        ))}
      </ol>
      <ErrorBox error={use.error ?? activate.error ?? test.error ?? createSandbox.error ?? saveWizard.error ?? connect.error} />
      <div className="card">
        <div className="card-body" data-testid={`wizard-${draft.step}`}>
          {draft.step === "connections" ? (
            <>
              <h2>1. Choose or create each connection, and test it</h2>
              {t.systems.map((system) => {
                const options = (connections.data ?? []).filter((c) => c.system === system);
                const result = tests[chosen(system)];
                const usesOAuth = Boolean((connectors.data as { system: string; oauth: boolean }[] | undefined)?.find((c) => c.system === system)?.oauth);
                const connected = options.find((c) => c.id === chosen(system))?.hasState;
                return (
                  <div key={system} className="field">
                    <label htmlFor={`connection-${system}`}>{SYSTEM_META[system]?.title ?? system}</label>
                    <div className="row">
                      <select
                        id={`connection-${system}`}
                        className="select"
                        value={chosen(system)}
                        onChange={(e) => setDraft({ ...draft, connectionIds: { ...draft.connectionIds, [system]: e.target.value } })}
                      >
                        <option value="">Choose a connection…</option>
                        {options.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                      </select>
                      <button
                        className="btn"
                        disabled={!chosen(system) || test.isPending}
                        onClick={() => test.mutate({ id: chosen(system) }, { onSuccess: (r) => setTests((all) => ({ ...all, [chosen(system)]: { ok: r.ok, message: r.message } })) })}
                      >
                        Test {SYSTEM_META[system]?.title ?? system}
                      </button>
                      {canAdmin ? (
                        <button className="btn" disabled={createSandbox.isPending} onClick={() => createSandbox.mutate({ system: system as "exact" }, { onSuccess: (c) => setDraft({ ...draft, connectionIds: { ...draft.connectionIds, [system]: (c as { id: string }).id } }) })}>
                          Create a sandbox connection
                        </button>
                      ) : null}
                      {usesOAuth && chosen(system) && canAdmin ? (
                        <button className="btn" disabled={connect.isPending} onClick={() => {
                            // The choices so far wait in this browser while the system's sign-in page is open.
                            window.localStorage.setItem(draftKey(templateId), JSON.stringify(draft));
                            connect.mutate({ id: chosen(system), returnTo: `/templates/${templateId}` });
                          }}>
                          {connected ? "Reconnect" : "Connect"} {SYSTEM_META[system]?.title ?? system}
                        </button>
                      ) : null}
                      <Link href="/connections" className="small">New connection…</Link>
                    </div>
                    {usesOAuth && chosen(system) && !connected ? <div className="small muted">Connect signs in at {SYSTEM_META[system]?.title ?? system} and comes back here; then test it.</div> : null}
                    {usesOAuth && connected && oauthResult === "connected" ? <div className="small" data-testid={`oauth-${system}`} style={{ color: "var(--ok)" }}>Signed in at {SYSTEM_META[system]?.title ?? system}.</div> : null}
                    {result ? <div className="small" data-testid={`test-${system}`} style={{ color: result.ok ? "var(--ok)" : "var(--fail)" }}>{result.ok ? "Connected: " : "Failed: "}{result.message}</div> : null}
                  </div>
                );
              })}
              <button className="btn btn-primary" disabled={!allTested} onClick={() => go("accounts")}>Next: accounts</button>
              {!allTested ? <span className="small muted" style={{ marginLeft: 8 }}>Test every connection to go on.</span> : null}
            </>
          ) : draft.step === "accounts" ? (
            <>
              <h2>2. Accounts, journals, tax company and terms</h2>
              {t.parameters.length === 0 ? <p className="muted">This template needs none.</p> : null}
              {t.parameters.map((p) => (
                <ParameterField key={p.key} parameter={p} connectionId={chosen(p.system)} value={draft.parameters[p.key] ?? ""} onChange={(v) => setDraft({ ...draft, parameters: { ...draft.parameters, [p.key]: v } })} />
              ))}
              <div className="row">
                <button className="btn" onClick={() => go("connections")}>Back</button>
                <button
                  className="btn btn-primary"
                  disabled={!canEdit || missing.length > 0 || use.isPending}
                  onClick={() => use.mutate({ templateId, connectionIds: draft.connectionIds, parameters: draft.parameters, wizard: true })}
                >
                  {use.isPending ? "Creating…" : "Create the flow"}
                </button>
                {missing.length ? <span className="small muted">Still to choose: {missing.map((p) => p.label).join(", ")}</span> : null}
              </div>
            </>
          ) : draft.step === "mappings" ? (
            <>
              <h2>3. Fill the mapping tables</h2>
              <p className="muted">Each table starts empty. Map the values of your systems; each mapped value is checked against the connected systems, and a run whose value has no row waits in review.</p>
              {flowId ? <MappingStep flowId={flowId} /> : null}
              <div className="row" style={{ marginTop: 12 }}><button className="btn btn-primary" onClick={() => go("schedule")}>Next: schedule</button></div>
            </>
          ) : draft.step === "schedule" ? (
            <>
              <h2>4. Schedule</h2>
              {flowId ? <ScheduleStep flowId={flowId} /> : null}
              <div className="row" style={{ marginTop: 12 }}>
                <button className="btn" onClick={() => go("mappings")}>Back</button>
                <button className="btn btn-primary" onClick={() => go("dryRun")}>Next: dry run</button>
              </div>
            </>
          ) : draft.step === "dryRun" ? (
            <>
              <h2>5. Dry run on recent documents</h2>
              <p className="muted">See what would be posted before anything is: the dry run reads and quotes tax for real, and writes nothing to any system.</p>
              {flowId ? <DryRunStep flowId={flowId} onDone={() => go("dryRun", { dryRunDone: true })} /> : null}
              <div className="row" style={{ marginTop: 12 }}>
                <button className="btn" onClick={() => go("schedule")}>Back</button>
                <button className="btn btn-primary" disabled={!draft.dryRunDone && runInput.data?.canListRecent !== false} onClick={() => go("activate")}>Next: activate</button>
                {!draft.dryRunDone && runInput.data?.canListRecent !== false ? <span className="small muted">Dry-run recent documents to go on.</span> : null}
              </div>
            </>
          ) : (
            <>
              <h2>6. Activate</h2>
              {saved.data?.active || activate.isSuccess ? (
                <p data-testid="wizard-done">The flow is active. <Link href={`/flows/${flowId}/overview`}>Open its overview</Link></p>
              ) : (
                <button
                  className="btn btn-primary"
                  disabled={!canEdit || !flowId || activate.isPending}
                  onClick={() =>
                    activate.mutate({ flowId: flowId! }, { onSuccess: () => saveWizard.mutate({ flowId: flowId!, state: null }) })
                  }
                >
                  Activate the flow
                </button>
              )}
            </>
          )}
        </div>
        <div className="card-footer small muted">Step {index + 1} of {STEPS.length}. {flowId ? "Progress is saved on the flow: leave and come back from Templates." : ""}</div>
      </div>
    </div>
  );
}

function ParameterField({ parameter, connectionId, value, onChange }: {
  parameter: { key: string; label: string; description: string; system: string; picker: string | null };
  connectionId: string;
  value: string;
  onChange: (value: string) => void;
}) {
  const trpc = useTRPC();
  const options = useQuery({ ...trpc.connections.picker.queryOptions({ connectionId, picker: parameter.picker ?? "" }), enabled: Boolean(parameter.picker && connectionId) });
  const id = `parameter-${parameter.key}`;
  return (
    <div className="field">
      <label htmlFor={id}>{parameter.label}</label>
      {parameter.picker ? (
        options.isLoading ? <Loading what={`Loading from ${SYSTEM_META[parameter.system]?.title ?? parameter.system}`} /> : options.error ? <ErrorBox error={options.error} /> : (
          <select id={id} className="select" value={value} onChange={(e) => onChange(e.target.value)}>
            <option value="">Choose…</option>
            {(options.data ?? []).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        )
      ) : (
        <input id={id} className="input" value={value} onChange={(e) => onChange(e.target.value)} />
      )}
      <div className="small muted">{parameter.description}</div>
    </div>
  );
}
