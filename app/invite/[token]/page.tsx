"use client";
/**
 * An invitation link: shows the workspace and role, then accepts as the signed-in person (who must
 * have the invited e-mail). A person without an account makes one here with that e-mail.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { AuthCard } from "../../components/Shell";
import { errorMessage } from "../../components/ui";
import { authClient } from "../../lib/auth-client";
import { useTRPC } from "../../lib/trpc";
import { setCurrentWorkspaceId } from "../../lib/workspace";
import { Form } from "../../components/Form";

export default function InvitePage() {
  const { token } = useParams<{ token: string }>();
  const trpc = useTRPC();
  const invite = useQuery(trpc.members.invitation.queryOptions({ token }));
  const session = authClient.useSession();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const accept = useMutation(
    trpc.members.accept.mutationOptions({
      onSuccess(result) {
        setCurrentWorkspaceId(result!.workspaceId);
        window.location.assign("/flows");
      },
    }),
  );

  async function createAccount(event: FormEvent) {
    event.preventDefault();
    if (!invite.data?.valid) return;
    setBusy(true);
    setError(null);
    const { error: failed } = await authClient.signUp.email({
      email: invite.data.email,
      password,
      name: name.trim() || invite.data.email.split("@")[0]!,
      fetchOptions: { headers: { "x-ledgerline-invite": token } },
    });
    setBusy(false);
    if (failed) {
      setError(failed.message ?? "The account was not created.");
      return;
    }
    accept.mutate({ token });
  }

  if (invite.isPending || session.isPending) return <AuthCard title="Invitation">Loading…</AuthCard>;
  if (invite.error) return <AuthCard title="Invitation"><div className="alert alert-error">{errorMessage(invite.error)}</div></AuthCard>;
  if (!invite.data.valid) {
    return (
      <AuthCard title="Invitation not valid">
        <div className="alert alert-error" role="alert">This invitation link is not valid any more (used, withdrawn or expired). Ask the person who invited you for a new one.</div>
        <div className="auth-links"><Link href="/sign-in">Sign in</Link></div>
      </AuthCard>
    );
  }
  const data = invite.data;
  const signedInAs = session.data?.user.email?.toLowerCase();
  const sub = (
    <>
      {data.invitedBy ? `${data.invitedBy} invited ` : "You are invited: "}
      <strong>{data.email}</strong> to <strong data-testid="invite-workspace">{data.workspaceName}</strong> as <strong>{data.role}</strong>.
    </>
  );

  if (signedInAs === data.email) {
    return (
      <AuthCard title="Join the workspace" sub={sub}>
        {accept.error ? <div className="alert alert-error" role="alert">{errorMessage(accept.error)}</div> : null}
        <button className="btn btn-primary" type="button" disabled={accept.isPending} onClick={() => accept.mutate({ token })}>
          {accept.isPending ? "Joining…" : `Join ${data.workspaceName}`}
        </button>
      </AuthCard>
    );
  }
  if (signedInAs) {
    return (
      <AuthCard title="Join the workspace" sub={sub}>
        <div className="alert alert-warn" role="alert">You are signed in as {signedInAs}. This invitation is for {data.email}.</div>
        <button className="btn btn-primary" type="button" onClick={async () => { await authClient.signOut(); window.location.reload(); }}>
          Sign out and continue
        </button>
      </AuthCard>
    );
  }
  if (data.hasAccount) {
    return (
      <AuthCard title="Join the workspace" sub={sub}>
        <Link className="btn btn-primary" style={{ width: "100%" }} href={`/sign-in?next=${encodeURIComponent(`/invite/${token}`)}`}>
          Sign in as {data.email} to accept
        </Link>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Create your account" sub={sub}>
      <Form onSubmit={createAccount} data-testid="invite-sign-up">
        {error || accept.error ? <div className="alert alert-error" role="alert">{error ?? errorMessage(accept.error)}</div> : null}
        <div className="field">
          <label htmlFor="email">E-mail</label>
          <input id="email" className="input" value={data.email} readOnly />
        </div>
        <div className="field">
          <label htmlFor="name">Your name</label>
          <input id="name" className="input" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" autoFocus />
        </div>
        <div className="field">
          <label htmlFor="password">Choose a password</label>
          <input id="password" className="input" type="password" minLength={10} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          <span className="hint">At least 10 characters.</span>
        </div>
        <button className="btn btn-primary" type="submit" disabled={busy || accept.isPending}>
          {busy || accept.isPending ? "Joining…" : `Create account and join`}
        </button>
      </Form>
    </AuthCard>
  );
}
