"use client";
/**
 * API tokens of the current workspace: for scripts and CI (`Authorization: Bearer <token>`). A
 * token's role is at most yours; it is shown once, when created. Admins see everyone's tokens.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ROLES, roleAtLeast, type Role } from "../../../engine/auth/roles";
import { ErrorBox, Loading, PageHeader, errorMessage, formatTime } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { Form } from "../../components/Form";

export default function TokensPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const mine = useQuery(trpc.workspaces.mine.queryOptions());
  const myRole = mine.data?.current?.role ?? "viewer";
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [days, setDays] = useState("90");
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess(result, vars) {
        setCreated({ token: result.token, name: vars.name });
        setName("");
        void refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: refresh }));

  function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(null);
    create.mutate({ name, role, expiresInDays: days === "never" ? null : Number(days) });
  }

  return (
    <div className="page">
      <PageHeader title="API tokens" description="For scripts and CI: send Authorization: Bearer <token>. A token acts for this workspace only, with a role no higher than yours." />
      <Form className="card card-body" style={{ marginBottom: 16 }} onSubmit={submit} data-testid="token-form">
        {create.error ? <div className="alert alert-error" role="alert" style={{ marginBottom: 12 }}>{errorMessage(create.error)}</div> : null}
        <div className="form-row">
          <div className="field" style={{ flex: "1 1 220px" }}>
            <label htmlFor="token-name">Name</label>
            <input id="token-name" className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. nightly CI" required />
          </div>
          <div className="field">
            <label htmlFor="token-role">Role</label>
            <select id="token-role" className="select" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {mine.data ? ROLES.filter((r) => roleAtLeast(myRole, r)).map((r) => <option key={r} value={r}>{r}</option>) : null}
            </select>
          </div>
          <div className="field">
            <label htmlFor="token-expiry">Expires</label>
            <select id="token-expiry" className="select" value={days} onChange={(e) => setDays(e.target.value)}>
              <option value="7">in 7 days</option>
              <option value="30">in 30 days</option>
              <option value="90">in 90 days</option>
              <option value="365">in a year</option>
              <option value="never">never</option>
            </select>
          </div>
          <button className="btn btn-primary" type="submit" disabled={create.isPending || !mine.data}>{create.isPending ? "Creating…" : "Create token"}</button>
        </div>
        {created ? (
          <div className="alert alert-ok" role="status" style={{ marginTop: 12 }}>
            Token “{created.name}” created. Copy it now: it is not shown again.
            <div className="secret-once" style={{ marginTop: 6 }} data-testid="new-token">{created.token}</div>
          </div>
        ) : null}
      </Form>
      {tokens.isPending ? <Loading what="Loading tokens" /> : tokens.error ? <ErrorBox error={tokens.error} /> : (
        <div className="table-wrap">
          <table className="table" data-testid="tokens-table">
            <thead><tr><th>Name</th><th>Token</th><th>Role</th><th>Created by</th><th>Last used</th><th>Expires</th><th /></tr></thead>
            <tbody>
              {tokens.data.length === 0 ? <tr><td colSpan={7} className="muted">No tokens yet.</td></tr> : null}
              {tokens.data.map((t) => {
                const expired = t.expiresAt !== null && new Date(t.expiresAt) < new Date();
                return (
                  <tr key={t.id}>
                    <td>{t.name}</td>
                    <td className="mono">{t.prefix}…</td>
                    <td>{t.role}</td>
                    <td>{t.createdBy}</td>
                    <td>{t.lastUsedAt ? formatTime(t.lastUsedAt) : "never"}</td>
                    <td>{t.revokedAt ? <span className="badge">revoked</span> : expired ? <span className="badge">expired</span> : t.expiresAt ? formatTime(t.expiresAt) : "never"}</td>
                    <td style={{ textAlign: "right" }}>
                      {!t.revokedAt && !expired ? <button className="btn btn-sm btn-danger" type="button" onClick={() => revoke.mutate({ id: t.id })}>Revoke</button> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
