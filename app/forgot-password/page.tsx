"use client";
/** Ask for a password reset link by e-mail; without e-mail configured, say who can reset it. */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { AuthCard } from "../components/Shell";
import { authClient } from "../lib/auth-client";
import { useTRPC } from "../lib/trpc";
import { Form } from "../components/Form";

export default function ForgotPasswordPage() {
  const trpc = useTRPC();
  const options = useQuery(trpc.workspaces.signInOptions.queryOptions());
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { error: failed } = await authClient.requestPasswordReset({ email: email.trim(), redirectTo: "/reset-password" });
    setBusy(false);
    if (failed) setError(failed.message ?? "The reset link could not be sent.");
    else setSent(true);
  }

  if (options.data && !options.data.passwordReset) {
    return (
      <AuthCard title="Reset your password">
        <div className="alert alert-warn" role="alert" data-testid="reset-unavailable">
          Password reset by e-mail is not available: this Ledgerline has no outgoing e-mail configured.
        </div>
        <p>
          Ask your Ledgerline operator to set a new password for you. On the server they run:
        </p>
        <pre className="secret-once">npm run admin -- user set-password --email you@company.example --password &apos;a new password&apos;</pre>
        <p className="hint">Operators can turn e-mail on with LEDGERLINE_SMTP_URL (see the README).</p>
        <div className="auth-links">
          <Link href="/sign-in">Back to sign-in</Link>
        </div>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Reset your password" sub="We will e-mail you a link to choose a new one.">
      {sent ? (
        <div className="alert alert-ok" role="status" data-testid="reset-sent">
          If {email.trim()} has an account, a reset link is on its way. It works for one hour, once.
        </div>
      ) : (
        <Form onSubmit={submit}>
          {error ? <div className="alert alert-error" role="alert">{error}</div> : null}
          <div className="field">
            <label htmlFor="email">E-mail</label>
            <input id="email" className="input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus required />
          </div>
          <button className="btn btn-primary" type="submit" disabled={busy || !options.data}>
            {busy ? "Sending…" : "Send reset link"}
          </button>
        </Form>
      )}
      <div className="auth-links">
        <Link href="/sign-in">Back to sign-in</Link>
      </div>
    </AuthCard>
  );
}
