"use client";
/**
 * Members of the current workspace: invite by e-mail link with a role, change roles, remove
 * members, leave. The server decides who may do what (admins: members other than owners; owners:
 * everyone; the last owner stays); the page shows controls only to admins and owners.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ROLES, roleAtLeast, type Role } from "../../../engine/auth/roles";
import { ErrorBox, Loading, PageHeader, errorMessage, formatTime } from "../../components/ui";
import { useTRPC } from "../../lib/trpc";
import { setCurrentWorkspaceId } from "../../lib/workspace";
import { Form } from "../../components/Form";

export default function MembersPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.members.list.queryOptions());
  const mine = useQuery(trpc.workspaces.mine.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [invited, setInvited] = useState<{ email: string; url: string; emailed: boolean; mailError: string | null } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const onError = (error: unknown) => setActionError(errorMessage(error));
  const invite = useMutation(
    trpc.members.invite.mutationOptions({
      onSuccess(result, vars) {
        setInvited({ email: vars.email, url: result.url, emailed: result.emailed, mailError: result.mailError });
        setEmail("");
        void refresh();
      },
    }),
  );
  const changeRole = useMutation(trpc.members.changeRole.mutationOptions({ onSuccess: refresh, onError }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSuccess: refresh, onError }));
  const revoke = useMutation(trpc.members.revokeInvitation.mutationOptions({ onSuccess: refresh, onError }));
  const leave = useMutation(
    trpc.members.leave.mutationOptions({
      onSuccess() {
        setCurrentWorkspaceId(null);
        window.location.assign("/flows");
      },
      onError,
    }),
  );

  if (list.isPending) return <div className="page"><Loading what="Loading members" /></div>;
  if (list.error) return <div className="page"><ErrorBox error={list.error} /></div>;
  const { members, invitations, me, myRole, mailConfigured } = list.data;
  const admin = roleAtLeast(myRole, "admin");
  const owner = myRole === "owner";
  const assignable = ROLES.filter((r) => owner || r !== "owner");

  function submit(event: FormEvent) {
    event.preventDefault();
    setInvited(null);
    invite.mutate({ email, role });
  }

  return (
    <div className="page">
      <PageHeader
        title="Members"
        description={`People in ${mine.data?.current?.name ?? "this workspace"} and their roles. Owners manage members and SSO; admins manage connections and members other than owners.`}
        actions={
          <button className="btn btn-danger" type="button" onClick={() => { setActionError(null); if (window.confirm("Leave this workspace?")) leave.mutate(); }}>
            Leave workspace
          </button>
        }
      />
      {actionError ? <div className="alert alert-error" role="alert" data-testid="members-error" style={{ marginBottom: 12 }}>{actionError}</div> : null}
      {admin ? (
        <Form className="card card-body" style={{ marginBottom: 16 }} onSubmit={submit} data-testid="invite-form">
          <h2 style={{ marginBottom: 8 }}>Invite someone</h2>
          {!mailConfigured ? (
            <div className="alert alert-info" style={{ marginBottom: 12 }}>
              E-mail is not configured on this server: after inviting, copy the link and send it yourself.
            </div>
          ) : null}
          {invite.error ? <div className="alert alert-error" role="alert" style={{ marginBottom: 12 }}>{errorMessage(invite.error)}</div> : null}
          <div className="form-row">
            <div className="field" style={{ flex: "1 1 260px" }}>
              <label htmlFor="invite-email">E-mail</label>
              <input id="invite-email" className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
            </div>
            <div className="field">
              <label htmlFor="invite-role">Role</label>
              <select id="invite-role" className="select" value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {assignable.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            </div>
            <button className="btn btn-primary" type="submit" disabled={invite.isPending}>{invite.isPending ? "Inviting…" : "Send invitation"}</button>
          </div>
          {invited ? (
            <div className="alert alert-ok" role="status" style={{ marginTop: 12 }} data-testid="invite-result">
              {invited.emailed ? `Invitation e-mailed to ${invited.email}.` : invited.mailError ?? `Invitation for ${invited.email} created.`} The link (valid 7 days, once):
              <div className="secret-once" style={{ marginTop: 6 }} data-testid="invite-link">{invited.url}</div>
            </div>
          ) : null}
        </Form>
      ) : null}
      <div className="table-wrap">
        <table className="table" data-testid="members-table">
          <thead><tr><th>Name</th><th>E-mail</th><th>Role</th><th>Two-factor</th><th>Joined</th><th /></tr></thead>
          <tbody>
            {members.map((m) => {
              const canManage = admin && m.userId !== me && (owner || m.role !== "owner");
              return (
                <tr key={m.userId} data-email={m.email}>
                  <td>{m.name}{m.userId === me ? <span className="muted"> (you)</span> : null}</td>
                  <td>{m.email}</td>
                  <td>
                    {canManage ? (
                      <select className="select select-sm" aria-label={`Role of ${m.email}`} value={m.role} onChange={(e) => { setActionError(null); changeRole.mutate({ userId: m.userId, role: e.target.value as Role }); }}>
                        {assignable.map((r) => <option key={r} value={r}>{r}</option>)}
                      </select>
                    ) : (
                      <span className="badge" data-testid="member-role">{m.role}</span>
                    )}
                  </td>
                  <td>{m.twoFactorEnabled ? "On" : "Off"}</td>
                  <td>{formatTime(m.joinedAt)}</td>
                  <td style={{ textAlign: "right" }}>
                    {canManage ? (
                      <button className="btn btn-sm btn-danger" type="button" onClick={() => { setActionError(null); if (window.confirm(`Remove ${m.email}?`)) remove.mutate({ userId: m.userId }); }}>
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {admin && invitations.length > 0 ? (
        <>
          <h2 style={{ margin: "20px 0 8px" }}>Open invitations</h2>
          <div className="table-wrap">
            <table className="table" data-testid="invitations-table">
              <thead><tr><th>E-mail</th><th>Role</th><th>Invited by</th><th>Expires</th><th /></tr></thead>
              <tbody>
                {invitations.map((i) => (
                  <tr key={i.id}>
                    <td>{i.email}</td><td>{i.role}</td><td>{i.invitedBy ?? "—"}</td><td>{formatTime(i.expiresAt)}</td>
                    <td style={{ textAlign: "right" }}><button className="btn btn-sm" type="button" onClick={() => revoke.mutate({ id: i.id })}>Withdraw</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {owner ? <TwoFactorPolicy /> : null}
    </div>
  );
}

function TwoFactorPolicy() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mine = useQuery(trpc.workspaces.mine.queryOptions());
  const set = useMutation(trpc.workspaces.setRequireTwoFactor.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));
  const current = mine.data?.workspaces.find((w) => w.id === mine.data?.current?.id);
  if (!current) return null;
  return (
    <div className="card card-body" style={{ marginTop: 20 }}>
      <h2 style={{ marginBottom: 6 }}>Two-factor sign-in</h2>
      <label style={{ display: "flex", gap: 8, alignItems: "center" }}>
        <input type="checkbox" checked={current.requireTwoFactor} disabled={set.isPending} onChange={(e) => set.mutate({ required: e.target.checked })} data-testid="require-2fa" />
        Require every member to use an authenticator app. Members without it cannot open this workspace until they turn it on (Account page).
      </label>
      {set.error ? <div className="alert alert-error" style={{ marginTop: 8 }}>{errorMessage(set.error)}</div> : null}
    </div>
  );
}
