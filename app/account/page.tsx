"use client";
/**
 * The signed-in person's account: password change and TOTP two-factor (an authenticator app,
 * with one-time backup codes). Turning two-factor on needs the password and a first code.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import QRCode from "qrcode";
import { useEffect, useState, type FormEvent } from "react";
import { ErrorBox, Loading, PageHeader } from "../components/ui";
import { authClient } from "../lib/auth-client";
import { useTRPC } from "../lib/trpc";
import { Form } from "../components/Form";

export default function AccountPage() {
  const trpc = useTRPC();
  const mine = useQuery(trpc.workspaces.mine.queryOptions());
  if (mine.isPending) return <div className="page"><Loading what="Loading your account" /></div>;
  if (mine.error) return <div className="page"><ErrorBox error={mine.error} /></div>;
  const { user, needTwoFactor } = mine.data;
  return (
    <div className="page">
      <PageHeader title="Account" description={`${user.name} · ${user.email}`} />
      {needTwoFactor.length > 0 ? (
        <div className="alert alert-warn" role="alert" style={{ marginBottom: 16 }}>
          {needTwoFactor.map((w) => w.name).join(", ")} {needTwoFactor.length === 1 ? "requires" : "require"} two-factor sign-in. Turn it on below to open {needTwoFactor.length === 1 ? "it" : "them"}.
        </div>
      ) : null}
      <TwoFactorCard enabled={user.twoFactorEnabled} />
      <PasswordCard />
    </div>
  );
}

function TwoFactorCard({ enabled }: { enabled: boolean }) {
  const queryClient = useQueryClient();
  const [password, setPassword] = useState("");
  const [setup, setSetup] = useState<{ uri: string; secret: string; backupCodes: string[] } | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (setup) void QRCode.toDataURL(setup.uri, { margin: 1, width: 180 }).then(setQr);
  }, [setup]);

  async function start(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { data, error: failed } = await authClient.twoFactor.enable({ password });
    setBusy(false);
    if (failed || !data || !("totpURI" in data) || !data.totpURI) {
      setError(failed?.message ?? "Two-factor could not be set up.");
      return;
    }
    const secret = new URL(data.totpURI).searchParams.get("secret") ?? "";
    setSetup({ uri: data.totpURI, secret, backupCodes: data.backupCodes ?? [] });
    setPassword("");
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { error: failed } = await authClient.twoFactor.verifyTotp({ code: code.replace(/\s+/g, "") });
    setBusy(false);
    if (failed) {
      setError(failed.status === 401 ? "That code is not right. Enter the current 6-digit code from the app." : (failed.message ?? "The code was not accepted."));
      return;
    }
    setDone("Two-factor sign-in is on. Keep the backup codes somewhere safe.");
    setCode("");
    await queryClient.invalidateQueries();
  }

  async function disable(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const { error: failed } = await authClient.twoFactor.disable({ password });
    setBusy(false);
    if (failed) {
      setError(failed.message ?? "Two-factor could not be turned off.");
      return;
    }
    setPassword("");
    setSetup(null);
    setDone("Two-factor sign-in is off.");
    await queryClient.invalidateQueries();
  }

  return (
    <div className="card card-body" style={{ maxWidth: 640, marginBottom: 16 }} data-testid="two-factor-card">
      <h2 style={{ marginBottom: 6 }}>Two-factor sign-in</h2>
      <p className="muted" style={{ marginTop: 0 }}>
        Status: <strong data-testid="two-factor-status">{enabled ? "On" : "Off"}</strong>. With it on, signing in asks for a code from an authenticator app after the password.
      </p>
      {error ? <div className="alert alert-error" role="alert" style={{ marginBottom: 12 }}>{error}</div> : null}
      {done ? <div className="alert alert-ok" role="status" style={{ marginBottom: 12 }}>{done}</div> : null}
      {enabled && !setup ? (
        <Form className="form-row" onSubmit={disable}>
          <div className="field">
            <label htmlFor="tf-off-password">Password</label>
            <input id="tf-off-password" className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          </div>
          <button className="btn btn-danger" type="submit" disabled={busy}>Turn off two-factor</button>
        </Form>
      ) : setup && !done ? (
        <Form onSubmit={confirm} data-testid="two-factor-setup">
          <p>Scan this with your authenticator app (or enter the key), then type the code it shows.</p>
          <div style={{ display: "flex", gap: 16, alignItems: "flex-start", flexWrap: "wrap", marginBottom: 12 }}>
            {qr ? <img src={qr} width={180} height={180} alt="QR code for the authenticator app" /> : null}
            <div style={{ minWidth: 220, flex: 1 }}>
              <div className="field-label">Key</div>
              <div className="secret-once" data-testid="totp-secret">{setup.secret}</div>
              <div className="field-label" style={{ marginTop: 10 }}>Backup codes (each works once)</div>
              <div className="secret-once" data-testid="backup-codes">{setup.backupCodes.join("  ")}</div>
            </div>
          </div>
          <div className="form-row">
            <div className="field">
              <label htmlFor="tf-code">Code from the app</label>
              <input id="tf-code" className="input" inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required />
            </div>
            <button className="btn btn-primary" type="submit" disabled={busy}>Turn on</button>
          </div>
        </Form>
      ) : !enabled ? (
        <Form className="form-row" onSubmit={start}>
          <div className="field">
            <label htmlFor="tf-password">Password</label>
            <input id="tf-password" className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          </div>
          <button className="btn btn-primary" type="submit" disabled={busy}>Set up two-factor</button>
        </Form>
      ) : null}
    </div>
  );
}

function PasswordCard() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const { error } = await authClient.changePassword({ currentPassword: current, newPassword: next, revokeOtherSessions: true });
    setBusy(false);
    setMessage(error ? { ok: false, text: error.message ?? "The password was not changed." } : { ok: true, text: "Password changed; your other browsers were signed out." });
    if (!error) {
      setCurrent("");
      setNext("");
    }
  }
  return (
    <Form className="card card-body" style={{ maxWidth: 640 }} onSubmit={submit}>
      <h2 style={{ marginBottom: 8 }}>Password</h2>
      {message ? <div className={`alert ${message.ok ? "alert-ok" : "alert-error"}`} role="status" style={{ marginBottom: 12 }}>{message.text}</div> : null}
      <div className="form-row">
        <div className="field">
          <label htmlFor="pw-current">Current password</label>
          <input id="pw-current" className="input" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="pw-new">New password</label>
          <input id="pw-new" className="input" type="password" autoComplete="new-password" minLength={10} value={next} onChange={(e) => setNext(e.target.value)} required />
        </div>
        <button className="btn" type="submit" disabled={busy}>Change password</button>
      </div>
    </Form>
  );
}
