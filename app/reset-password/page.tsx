"use client";
/** The page the e-mailed reset link lands on: choose a new password (signs out every session). */
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent } from "react";
import { AuthCard } from "../components/Shell";
import { authClient } from "../lib/auth-client";
import { Form } from "../components/Form";

export default function ResetPasswordPage() {
  return (
    <Suspense>
      <ResetPassword />
    </Suspense>
  );
}

function ResetPassword() {
  const params = useSearchParams();
  const token = params.get("token");
  const linkError = params.get("error") ? "This reset link is not valid any more (used or expired). Ask for a new one." : null;
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password !== repeat) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError(null);
    const { error: failed } = await authClient.resetPassword({ newPassword: password, token: token ?? "" });
    setBusy(false);
    if (failed) setError(failed.message ?? "The password was not changed.");
    else window.location.assign("/sign-in?reset=1");
  }

  if (linkError || !token) {
    return (
      <AuthCard title="Reset link expired">
        <div className="alert alert-error" role="alert">{linkError ?? "This reset link is incomplete. Open the link from the e-mail again."}</div>
        <div className="auth-links">
          <Link href="/forgot-password">Send a new link</Link>
          <Link href="/sign-in">Sign in</Link>
        </div>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Choose a new password" sub="At least 10 characters. Every signed-in browser is signed out.">
      <Form onSubmit={submit} data-testid="reset-form">
        {error ? <div className="alert alert-error" role="alert">{error}</div> : null}
        <div className="field">
          <label htmlFor="password">New password</label>
          <input id="password" className="input" type="password" autoComplete="new-password" minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} autoFocus required />
        </div>
        <div className="field">
          <label htmlFor="repeat">Repeat it</label>
          <input id="repeat" className="input" type="password" autoComplete="new-password" minLength={10} value={repeat} onChange={(e) => setRepeat(e.target.value)} required />
        </div>
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Saving…" : "Set password"}
        </button>
      </Form>
    </AuthCard>
  );
}
