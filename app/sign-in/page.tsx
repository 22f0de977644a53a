"use client";
/**
 * Sign-in: e-mail and password (then the authenticator code when two-factor is on), or single
 * sign-on for a workspace that has it. Wrong passwords and rate limits answer in plain words.
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent } from "react";
import { AuthCard } from "../components/Shell";
import { authClient, safeNext } from "../lib/auth-client";
import { useTRPC } from "../lib/trpc";
import { Form } from "../components/Form";

function nextPath(): string {
  if (typeof window === "undefined") return "/flows";
  return safeNext(new URLSearchParams(window.location.search).get("next"));
}

export default function SignInPage() {
  return (
    <Suspense>
      <SignIn />
    </Suspense>
  );
}

function SignIn() {
  const params = useSearchParams();
  const trpc = useTRPC();
  const options = useQuery(trpc.workspaces.signInOptions.queryOptions());
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [step, setStep] = useState<"password" | "totp">("password");
  const [error, setError] = useState<string | null>(() => params.get("error"));
  const [notice, setNotice] = useState<string | null>(() => (params.get("reset") === "1" ? "Your password was changed. Sign in with the new one." : null));
  const [busy, setBusy] = useState(false);

  async function submitPassword(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    const { data, error: failed } = await authClient.signIn.email({ email: email.trim(), password });
    setBusy(false);
    if (failed) {
      setError(failed.status === 401 ? "Wrong e-mail or password." : (failed.message ?? "Sign-in failed."));
      return;
    }
    if (data && "twoFactorRedirect" in data && data.twoFactorRedirect) {
      setStep("totp");
      return;
    }
    window.location.assign(nextPath());
  }

  async function submitCode(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { error: failed } = await authClient.twoFactor.verifyTotp({ code: code.replace(/\s+/g, "") });
    setBusy(false);
    if (failed) {
      setError(failed.status === 401 ? "That code is not right (or has expired). Enter the current code from your authenticator app." : (failed.message ?? "The code was not accepted."));
      return;
    }
    window.location.assign(nextPath());
  }

  async function startSso() {
    setError(null);
    if (!email.trim()) {
      setError("Enter your work e-mail first; single sign-on is found from its domain.");
      return;
    }
    window.location.assign(`/api/auth/sso/start?email=${encodeURIComponent(email.trim())}&next=${encodeURIComponent(nextPath())}`);
  }

  if (step === "totp") {
    return (
      <AuthCard title="Two-factor code" sub="Enter the 6-digit code from your authenticator app.">
        <Form onSubmit={submitCode} data-testid="totp-form">
          {error ? <div className="alert alert-error" role="alert">{error}</div> : null}
          <div className="field">
            <label htmlFor="code">Code</label>
            <input id="code" className="input" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} autoFocus required />
          </div>
          <button className="btn btn-primary" type="submit" disabled={busy}>
            {busy ? "Checking…" : "Verify"}
          </button>
        </Form>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Sign in" sub="to your Ledgerline workspace">
      <Form onSubmit={submitPassword} data-testid="sign-in-form">
        {notice ? <div className="alert alert-ok" role="status">{notice}</div> : null}
        {error ? <div className="alert alert-error" role="alert" data-testid="sign-in-error">{error}</div> : null}
        <div className="field">
          <label htmlFor="email">E-mail</label>
          <input id="email" className="input" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus required />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </div>
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </Form>
      <div className="auth-links">
        <Link href="/forgot-password">Forgot password?</Link>
      </div>
      {options.data?.sso ? (
        <>
          <div className="auth-divider">or</div>
          <button className="btn" style={{ width: "100%" }} type="button" onClick={startSso}>
            Sign in with single sign-on
          </button>
        </>
      ) : null}
    </AuthCard>
  );
}
