"use client";
/**
 * Alerts: the rules (what to watch, which channels to tell), the channels (e-mail, Slack, Teams,
 * a signed webhook; secrets write-only), who owns a flow's review items, and the recent alerts
 * with what was sent for each.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { EmptyState, ErrorBox, Loading, PageHeader, StatusBadge, timeAgo } from "../components/ui";
import { useTRPC } from "../lib/trpc";
import { Form } from "../components/Form";

type RuleKind = "run_failed" | "review_opened" | "review_stale" | "connection_failing" | "poll_stalled" | "error_rate" | "reconciliation_gaps" | "approval_waiting";
type ChannelKind = "email" | "slack" | "teams" | "webhook";

/** Threshold fields per rule kind (the server's zod schema has the limits and defaults). */
const PARAMS: Record<RuleKind, { key: string; label: string; fallback: number }[]> = {
  run_failed: [],
  review_opened: [],
  review_stale: [{ key: "hours", label: "Open for more than (hours)", fallback: 24 }],
  connection_failing: [],
  poll_stalled: [{ key: "multiplier", label: "No successful poll in N × its interval", fallback: 3 }],
  error_rate: [
    { key: "percent", label: "Failed runs over (%)", fallback: 20 },
    { key: "minRuns", label: "At least this many runs in 15 minutes", fallback: 5 },
  ],
  reconciliation_gaps: [],
  approval_waiting: [],
};

const CHANNEL_LABELS: Record<ChannelKind, string> = { email: "E-mail (SMTP)", slack: "Slack incoming webhook", teams: "Microsoft Teams webhook", webhook: "Webhook (HMAC signed)" };

interface RuleDraft {
  ruleId?: string;
  kind: RuleKind;
  name: string;
  flowId: string | null;
  params: Record<string, number>;
  channelIds: string[];
  enabled: boolean;
}

interface ChannelDraft {
  channelId?: string;
  kind: ChannelKind;
  name: string;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  from: string;
  to: string;
  url: string;
  /** Typed secrets; empty means "keep the stored one" when editing. */
  password: string;
  webhookUrl: string;
  signingSecret: string;
  delivery: "immediate" | "digest";
  digestHour: number;
  enabled: boolean;
  secretsSet: string[];
}

const emptyChannel = (kind: ChannelKind): ChannelDraft => ({
  kind, name: "", host: "", port: 587, secure: false, user: "", from: "", to: "", url: "", password: "", webhookUrl: "", signingSecret: "",
  delivery: "immediate", digestHour: 8, enabled: true, secretsSet: [],
});

function channelPayload(d: ChannelDraft) {
  const config: Record<string, unknown> =
    d.kind === "email"
      ? { host: d.host, port: d.port, secure: d.secure, user: d.user, from: d.from, to: d.to.split(/[\s,;]+/).filter(Boolean) }
      : d.kind === "webhook"
        ? { url: d.url }
        : {};
  const typed: Record<string, string> | undefined = d.kind === "email" ? (d.password ? { password: d.password } : undefined) : d.kind === "webhook" ? (d.signingSecret ? { signingSecret: d.signingSecret } : undefined) : d.webhookUrl ? { webhookUrl: d.webhookUrl } : undefined;
  // A new e-mail channel without a password is an SMTP server that needs none.
  const secrets: Record<string, string> | undefined = typed ?? (!d.channelId && d.kind === "email" ? { password: "" } : undefined);
  return { channelId: d.channelId, kind: d.kind, name: d.name, config, secrets, delivery: d.delivery, digestHour: d.digestHour, enabled: d.enabled };
}

export default function AlertsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const kinds = useQuery({ ...trpc.alerts.ruleKinds.queryOptions(), staleTime: Infinity });
  const rules = useQuery(trpc.alerts.rules.queryOptions());
  const channels = useQuery(trpc.alerts.channels.queryOptions());
  const recent = useQuery({ ...trpc.alerts.recent.queryOptions({ limit: 50 }), refetchInterval: 15_000 });
  const flows = useQuery(trpc.flows.list.queryOptions());
  const members = useQuery(trpc.alerts.members.queryOptions());
  const assignments = useQuery(trpc.alerts.assignmentRules.queryOptions());
  const [rule, setRule] = useState<RuleDraft | null>(null);
  const [channel, setChannel] = useState<ChannelDraft | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [assignment, setAssignment] = useState<{ flowId: string; reasonCode: string; userId: string }>({ flowId: "", reasonCode: "", userId: "" });

  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const saveRule = useMutation(trpc.alerts.saveRule.mutationOptions({ onSuccess: () => { setRule(null); setNotice("Rule saved."); refresh(); } }));
  const deleteRule = useMutation(trpc.alerts.deleteRule.mutationOptions({ onSuccess: refresh }));
  const saveChannel = useMutation(trpc.alerts.saveChannel.mutationOptions({ onSuccess: () => { setChannel(null); setNotice("Channel saved."); refresh(); } }));
  const deleteChannel = useMutation(trpc.alerts.deleteChannel.mutationOptions({ onSuccess: refresh }));
  const testChannel = useMutation(trpc.alerts.testChannel.mutationOptions({ onSuccess: (r) => setNotice(`Test message sent${r.recipients.length ? ` to ${r.recipients.join(", ")}` : ""}.`), onSettled: refresh }));
  const saveAssignment = useMutation(trpc.alerts.saveAssignmentRule.mutationOptions({ onSuccess: () => { setAssignment({ flowId: "", reasonCode: "", userId: "" }); refresh(); } }));
  const deleteAssignment = useMutation(trpc.alerts.deleteAssignmentRule.mutationOptions({ onSuccess: refresh }));

  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name ?? "(deleted)";
  const kindLabel = (k: string) => kinds.data?.find((x) => x.kind === k)?.label ?? k;

  return (
    <div className="page">
      <PageHeader
        title="Alerts"
        description="Failures reach a person without anyone looking: each rule watches one kind of problem and tells its channels once per cause, then again when it clears. Channels can send at once or in one daily digest."
      />
      {notice ? <div className="alert alert-ok" role="status" style={{ marginBottom: 12 }}>{notice} <button className="btn btn-xs btn-ghost" onClick={() => setNotice(null)}>OK</button></div> : null}
      <ErrorBox error={saveRule.error ?? deleteRule.error ?? saveChannel.error ?? deleteChannel.error ?? testChannel.error ?? saveAssignment.error ?? deleteAssignment.error} />

      <section className="card" style={{ marginBottom: 16 }} aria-labelledby="rules-title">
        <div className="card-header row">
          <h2 id="rules-title" className="section-title" style={{ margin: 0 }}>Rules</h2>
          <span className="spacer" />
          <button className="btn btn-primary btn-sm" onClick={() => setRule({ kind: "run_failed", name: "Failed runs", flowId: null, params: {}, channelIds: [], enabled: true })}>New rule</button>
        </div>
        {rules.isLoading ? <Loading /> : (rules.data ?? []).length === 0 ? (
          <div className="card-body"><EmptyState title="No alert rules yet">Add one: for example, “Run failed” to every channel.</EmptyState></div>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="alert-rules">
              <thead><tr><th>Name</th><th>Watches</th><th>Flow</th><th>Channels</th><th>Open</th><th /></tr></thead>
              <tbody>
                {(rules.data ?? []).map((r) => (
                  <tr key={r.id}>
                    <td>{r.name}{r.enabled ? null : <span className="badge badge-skip" style={{ marginLeft: 6 }}>off</span>}</td>
                    <td>{kindLabel(r.kind)}{Object.entries(r.params).length ? <span className="small muted"> ({Object.entries(r.params).map(([k, v]) => `${k} ${v}`).join(", ")})</span> : null}</td>
                    <td>{r.flowName ?? <span className="muted">every flow</span>}</td>
                    <td>{r.channelIds.map(channelName).join(", ") || <span className="muted">none</span>}</td>
                    <td>{r.openAlerts}</td>
                    <td className="right nowrap">
                      <button className="btn btn-xs" onClick={() => setRule({ ruleId: r.id, kind: r.kind, name: r.name, flowId: r.flowId, params: r.params, channelIds: r.channelIds, enabled: r.enabled })}>Edit</button>{" "}
                      <button className="btn btn-xs btn-danger" onClick={() => deleteRule.mutate({ ruleId: r.id })}>Delete</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {rule ? (
          <Form className="card-body stack" aria-label="Alert rule" data-testid="rule-editor" onSubmit={(e) => { e.preventDefault(); saveRule.mutate(rule); }} style={{ borderTop: "1px solid var(--border)" }}>
            <div className="grid-2">
              <div className="field">
                <label htmlFor="rule-name">Name</label>
                <input id="rule-name" className="input" value={rule.name} onChange={(e) => setRule({ ...rule, name: e.target.value })} required />
              </div>
              <div className="field">
                <label htmlFor="rule-kind">Watch for</label>
                <select id="rule-kind" className="input" value={rule.kind} onChange={(e) => setRule({ ...rule, kind: e.target.value as RuleKind, params: {} })}>
                  {(kinds.data ?? []).map((k) => <option key={k.kind} value={k.kind}>{k.label}</option>)}
                </select>
              </div>
              <div className="field">
                <label htmlFor="rule-flow">Flow</label>
                <select id="rule-flow" className="input" value={rule.flowId ?? ""} onChange={(e) => setRule({ ...rule, flowId: e.target.value || null })}>
                  <option value="">Every flow</option>
                  {(flows.data ?? []).map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
                </select>
              </div>
              {PARAMS[rule.kind].map((p) => (
                <div className="field" key={p.key}>
                  <label htmlFor={`rule-${p.key}`}>{p.label}</label>
                  <input id={`rule-${p.key}`} className="input" type="number" step="any" value={rule.params[p.key] ?? p.fallback} onChange={(e) => setRule({ ...rule, params: { ...rule.params, [p.key]: Number(e.target.value) } })} />
                </div>
              ))}
            </div>
            <fieldset className="field" style={{ border: 0, padding: 0 }}>
              <legend>Tell these channels</legend>
              {(channels.data ?? []).length === 0 ? <span className="small muted">Add a channel below first.</span> : null}
              {(channels.data ?? []).map((c) => (
                <label key={c.id} className="row" style={{ gap: 6 }}>
                  <input type="checkbox" className="checkbox" checked={rule.channelIds.includes(c.id)} onChange={(e) => setRule({ ...rule, channelIds: e.target.checked ? [...rule.channelIds, c.id] : rule.channelIds.filter((x) => x !== c.id) })} />
                  {c.name} <span className="small muted">({CHANNEL_LABELS[c.kind]}{c.delivery === "digest" ? ", daily digest" : ""})</span>
                </label>
              ))}
            </fieldset>
            <label className="row" style={{ gap: 6 }}><input type="checkbox" className="checkbox" checked={rule.enabled} onChange={(e) => setRule({ ...rule, enabled: e.target.checked })} /> Enabled</label>
            <div className="row" style={{ gap: 8 }}>
              <button type="submit" className="btn btn-primary" disabled={saveRule.isPending}>Save rule</button>
              <button type="button" className="btn btn-ghost" onClick={() => setRule(null)}>Cancel</button>
            </div>
          </Form>
        ) : null}
      </section>

      <section className="card" style={{ marginBottom: 16 }} aria-labelledby="channels-title">
        <div className="card-header row">
          <h2 id="channels-title" className="section-title" style={{ margin: 0 }}>Channels</h2>
          <span className="spacer" />
          {(Object.keys(CHANNEL_LABELS) as ChannelKind[]).map((k) => (
            <button key={k} className="btn btn-sm" style={{ marginLeft: 6 }} onClick={() => setChannel(emptyChannel(k))}>+ {CHANNEL_LABELS[k]}</button>
          ))}
        </div>
        {channels.isLoading ? <Loading /> : (channels.data ?? []).length === 0 ? (
          <div className="card-body"><EmptyState title="No channels yet">E-mail needs your SMTP server; Slack and Teams need an incoming-webhook URL.</EmptyState></div>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="alert-channels">
              <thead><tr><th>Name</th><th>Kind</th><th>Delivery</th><th>Secrets</th><th /></tr></thead>
              <tbody>
                {(channels.data ?? []).map((c) => (
                  <tr key={c.id}>
                    <td>{c.name}{c.enabled ? null : <span className="badge badge-skip" style={{ marginLeft: 6 }}>off</span>}</td>
                    <td>{CHANNEL_LABELS[c.kind]}</td>
                    <td>{c.delivery === "digest" ? `Daily digest at ${String(c.digestHour).padStart(2, "0")}:00 UTC` : "At once"}</td>
                    <td className="small">{c.secretsSet.length ? `${c.secretsSet.join(", ")} set` : <span className="muted">none</span>}</td>
                    <td className="right nowrap">
                      <button className="btn btn-xs" onClick={() => testChannel.mutate({ channelId: c.id })} disabled={testChannel.isPending}>Send test</button>{" "}
                      <button className="btn btn-xs" onClick={() => {
                        const cfg = c.config as Record<string, unknown>;
                        setChannel({ ...emptyChannel(c.kind), channelId: c.id, name: c.name, host: String(cfg.host ?? ""), port: Number(cfg.port ?? 587), secure: Boolean(cfg.secure), user: String(cfg.user ?? ""), from: String(cfg.from ?? ""), to: ((cfg.to as string[] | undefined) ?? []).join(", "), url: String(cfg.url ?? ""), delivery: c.delivery, digestHour: c.digestHour, enabled: c.enabled, secretsSet: c.secretsSet });
                      }}>Edit</button>{" "}
                      <button className="btn btn-xs btn-danger" onClick={() => deleteChannel.mutate({ channelId: c.id })}>Delete</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {channel ? (
          <Form className="card-body stack" aria-label="Alert channel" data-testid="channel-editor" onSubmit={(e) => { e.preventDefault(); saveChannel.mutate(channelPayload(channel)); }} style={{ borderTop: "1px solid var(--border)" }}>
            <h3 style={{ margin: 0 }}>{channel.channelId ? "Edit" : "New"} {CHANNEL_LABELS[channel.kind]} channel</h3>
            <div className="grid-2">
              <div className="field">
                <label htmlFor="channel-name">Name</label>
                <input id="channel-name" className="input" value={channel.name} onChange={(e) => setChannel({ ...channel, name: e.target.value })} required />
              </div>
              {channel.kind === "email" ? (
                <>
                  <div className="field"><label htmlFor="smtp-host">SMTP host</label><input id="smtp-host" className="input" value={channel.host} onChange={(e) => setChannel({ ...channel, host: e.target.value })} required /></div>
                  <div className="field"><label htmlFor="smtp-port">Port</label><input id="smtp-port" className="input" type="number" value={channel.port} onChange={(e) => setChannel({ ...channel, port: Number(e.target.value) })} /></div>
                  <label className="row" style={{ gap: 6 }}><input type="checkbox" className="checkbox" checked={channel.secure} onChange={(e) => setChannel({ ...channel, secure: e.target.checked })} /> TLS from the start (port 465)</label>
                  <div className="field"><label htmlFor="smtp-user">User</label><input id="smtp-user" className="input" value={channel.user} onChange={(e) => setChannel({ ...channel, user: e.target.value })} autoComplete="off" /></div>
                  <div className="field"><label htmlFor="smtp-password">Password</label><input id="smtp-password" className="input" type="password" value={channel.password} onChange={(e) => setChannel({ ...channel, password: e.target.value })} autoComplete="new-password" placeholder={channel.secretsSet.includes("password") ? "stored; type to replace" : ""} /></div>
                  <div className="field"><label htmlFor="smtp-from">From</label><input id="smtp-from" className="input" value={channel.from} onChange={(e) => setChannel({ ...channel, from: e.target.value })} placeholder="Ledgerline <alerts@example.com>" required /></div>
                  <div className="field"><label htmlFor="smtp-to">To (when an alert has no assignee)</label><input id="smtp-to" className="input" value={channel.to} onChange={(e) => setChannel({ ...channel, to: e.target.value })} placeholder="finance-ops@example.com, controller@example.com" /></div>
                </>
              ) : channel.kind === "webhook" ? (
                <>
                  <div className="field"><label htmlFor="hook-url">URL</label><input id="hook-url" className="input" value={channel.url} onChange={(e) => setChannel({ ...channel, url: e.target.value })} required /></div>
                  <div className="field"><label htmlFor="hook-secret">Signing secret (16+ characters)</label><input id="hook-secret" className="input" type="password" value={channel.signingSecret} onChange={(e) => setChannel({ ...channel, signingSecret: e.target.value })} autoComplete="new-password" placeholder={channel.secretsSet.includes("signingSecret") ? "stored; type to replace" : ""} /></div>
                </>
              ) : (
                <div className="field"><label htmlFor="chat-url">Incoming-webhook URL</label><input id="chat-url" className="input" type="password" value={channel.webhookUrl} onChange={(e) => setChannel({ ...channel, webhookUrl: e.target.value })} autoComplete="off" placeholder={channel.secretsSet.includes("webhookUrl") ? "stored; paste to replace" : channel.kind === "slack" ? "https://hooks.slack.com/services/…" : "https://….webhook.office.com/… or a Workflows URL"} /></div>
              )}
              <div className="field">
                <label htmlFor="channel-delivery">Delivery</label>
                <select id="channel-delivery" className="input" value={channel.delivery} onChange={(e) => setChannel({ ...channel, delivery: e.target.value as "immediate" | "digest" })}>
                  <option value="immediate">At once</option>
                  <option value="digest">Daily digest</option>
                </select>
              </div>
              {channel.delivery === "digest" ? (
                <div className="field"><label htmlFor="digest-hour">Digest hour (UTC)</label><input id="digest-hour" className="input" type="number" min={0} max={23} value={channel.digestHour} onChange={(e) => setChannel({ ...channel, digestHour: Number(e.target.value) })} /></div>
              ) : null}
            </div>
            <div className="row" style={{ gap: 8 }}>
              <button type="submit" className="btn btn-primary" disabled={saveChannel.isPending}>Save channel</button>
              <button type="button" className="btn btn-ghost" onClick={() => setChannel(null)}>Cancel</button>
            </div>
          </Form>
        ) : null}
      </section>

      <section className="card" style={{ marginBottom: 16 }} aria-labelledby="owners-title">
        <div className="card-header"><h2 id="owners-title" className="section-title" style={{ margin: 0 }}>Review owners</h2></div>
        <div className="card-body stack">
          <p className="small muted" style={{ margin: 0 }}>New review items of a flow are assigned to its owner; review alerts go to the assignee.</p>
          {(assignments.data ?? []).length ? (
            <table className="table" data-testid="assignment-rules">
              <thead><tr><th>Flow</th><th>Reason</th><th>Assignee</th><th /></tr></thead>
              <tbody>
                {(assignments.data ?? []).map((a) => (
                  <tr key={a.id}><td>{a.flowName}</td><td>{a.reasonCode ?? <span className="muted">any</span>}</td><td>{a.userName} <span className="small muted">{a.userEmail}</span></td>
                    <td className="right"><button className="btn btn-xs btn-danger" onClick={() => deleteAssignment.mutate({ assignmentRuleId: a.id })}>Remove</button></td></tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <Form className="row row-wrap" style={{ gap: 8 }} onSubmit={(e) => { e.preventDefault(); saveAssignment.mutate({ flowId: assignment.flowId, userId: assignment.userId, reasonCode: assignment.reasonCode.trim() || null }); }}>
            <select aria-label="Flow" className="input input-sm" value={assignment.flowId} onChange={(e) => setAssignment({ ...assignment, flowId: e.target.value })} required>
              <option value="">Flow…</option>
              {(flows.data ?? []).map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
            </select>
            <input aria-label="Reason code (optional)" className="input input-sm" placeholder="reason code (optional)" value={assignment.reasonCode} onChange={(e) => setAssignment({ ...assignment, reasonCode: e.target.value })} />
            <select aria-label="Assignee" className="input input-sm" value={assignment.userId} onChange={(e) => setAssignment({ ...assignment, userId: e.target.value })} required>
              <option value="">Assignee…</option>
              {(members.data ?? []).map((m) => <option key={m.userId} value={m.userId}>{m.name} ({m.email})</option>)}
            </select>
            <button type="submit" className="btn btn-sm">Set owner</button>
          </Form>
        </div>
      </section>

      <section className="card" aria-labelledby="recent-title">
        <div className="card-header"><h2 id="recent-title" className="section-title" style={{ margin: 0 }}>Recent alerts</h2></div>
        {recent.isLoading ? <Loading /> : (recent.data ?? []).length === 0 ? (
          <div className="card-body"><EmptyState title="Nothing has alerted">When a rule finds a problem it appears here, with what was sent.</EmptyState></div>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="recent-alerts">
              <thead><tr><th>Status</th><th>Alert</th><th>Rule</th><th>Seen</th><th>Sent</th></tr></thead>
              <tbody>
                {(recent.data ?? []).map((a) => (
                  <tr key={a.id}>
                    <td><StatusBadge status={a.status === "open" ? "failed" : "succeeded"} label={a.status} /></td>
                    <td><a href={a.link}>{a.title}</a><div className="small muted truncate" style={{ maxWidth: 420 }}>{a.summary}</div></td>
                    <td className="small">{a.ruleName}</td>
                    <td className="small nowrap">{a.occurrences}× · last {timeAgo(a.lastSeenAt)}</td>
                    <td className="small">{a.deliveries.map((d, i) => <div key={i} title={d.error ?? undefined}>{d.channel}: {d.event} {d.status}</div>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
