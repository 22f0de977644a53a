"use client";
/**
 * Single sign-on (OpenID Connect) for the current workspace, for its owners: the provider's issuer,
 * the client id and secret Ledgerline was given, the e-mail domains that may sign in this way, and
 * the role people get when they first arrive. The secret is write-only.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ROLES, type Role } from "../../../engine/auth/roles";
import { ErrorBox, Loading, PageHeader, errorMessage } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { Form } from "../../components/Form";

type JoinRole = Exclude<Role, "owner">;

export default function SsoPage() {
  const trpc = useTRPC();
  const sso = useQuery(trpc.sso.get.queryOptions());
  if (sso.isPending) return <div className="page"><Loading what="Loading single sign-on" /></div>;
  if (sso.error) return <div className="page"><ErrorBox error={sso.error} /></div>;
  const config = sso.data.config;
  return <SsoForm key={config ? "saved" : "new"} config={config} redirectUri={sso.data.redirectUri} />;
}

type SsoConfig = { issuer: string; clientId: string; allowedDomains: string[]; defaultRole: Role; enabled: boolean } | null;

function SsoForm({ config, redirectUri }: { config: SsoConfig; redirectUri: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [issuer, setIssuer] = useState(config?.issuer ?? "");
  const [clientId, setClientId] = useState(config?.clientId ?? "");
  const [clientSecret, setClientSecret] = useState("");
  const [domains, setDomains] = useState(config?.allowedDomains.join(", ") ?? "");
  const [defaultRole, setDefaultRole] = useState<JoinRole>((config?.defaultRole as JoinRole | undefined) ?? "viewer");
  const [enabled, setEnabled] = useState(config?.enabled ?? true);
  const [saved, setSaved] = useState(false);

  const save = useMutation(
    trpc.sso.save.mutationOptions({
      onSuccess() {
        setSaved(true);
        setClientSecret("");
        void queryClient.invalidateQueries({ queryKey: trpc.sso.get.queryKey() });
      },
    }),
  );
  const remove = useMutation(trpc.sso.remove.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.sso.get.queryKey() }) }));

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    save.mutate({
      issuer: issuer.trim(),
      clientId: clientId.trim(),
      clientSecret: clientSecret || undefined,
      allowedDomains: domains.split(/[\s,;]+/).filter(Boolean),
      defaultRole,
      enabled,
    });
  }

  return (
    <div className="page">
      <PageHeader title="Single sign-on" description="Let people sign in with your company's OpenID Connect provider (Entra ID, Okta, Google Workspace, Keycloak…)." />
      <div className="alert alert-info" style={{ marginBottom: 16, maxWidth: 720 }}>
        Register Ledgerline at your provider as a web application with this redirect URI:
        <div className="secret-once" style={{ marginTop: 6 }} data-testid="sso-redirect-uri">{redirectUri}</div>
      </div>
      <Form className="card card-body" style={{ maxWidth: 720 }} onSubmit={submit} data-testid="sso-form">
        {save.error ? <div className="alert alert-error" role="alert" style={{ marginBottom: 12 }}>{errorMessage(save.error)}</div> : null}
        {saved ? <div className="alert alert-ok" role="status" style={{ marginBottom: 12 }}>Saved.</div> : null}
        <div className="field">
          <label htmlFor="sso-issuer">Issuer URL</label>
          <input id="sso-issuer" className="input" value={issuer} onChange={(e) => setIssuer(e.target.value)} placeholder="https://login.example.com/realms/finance" required />
        </div>
        <div className="field">
          <label htmlFor="sso-client-id">Client id</label>
          <input id="sso-client-id" className="input" value={clientId} onChange={(e) => setClientId(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="sso-client-secret">Client secret</label>
          <input id="sso-client-secret" className="input" type="password" autoComplete="off" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} placeholder={config ? "stored: type a new one to replace it" : ""} required={!config} />
          <span className="hint">Stored encrypted and never shown again.</span>
        </div>
        <div className="field">
          <label htmlFor="sso-domains">Allowed e-mail domains</label>
          <input id="sso-domains" className="input" value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="example.com, example.co.uk" required />
          <span className="hint">People with these e-mail domains can sign in with SSO; the sign-in page finds this workspace from the domain.</span>
        </div>
        <div className="field">
          <label htmlFor="sso-role">Role of people joining by SSO</label>
          <select id="sso-role" className="select" value={defaultRole} onChange={(e) => setDefaultRole(e.target.value as JoinRole)}>
            {ROLES.filter((r) => r !== "owner").map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </div>
        <label style={{ display: "flex", gap: 8, alignItems: "center", marginBottom: 12 }}>
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
        </label>
        <div className="form-row">
          <button className="btn btn-primary" type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save"}</button>
          {config ? <button className="btn btn-danger" type="button" onClick={() => { if (window.confirm("Remove single sign-on from this workspace?")) remove.mutate(); }}>Remove</button> : null}
        </div>
      </Form>
    </div>
  );
}
