"use client";
/**
 * Small shared pieces of the Studio pages: status badges, loading/error/empty states, a modal,
 * and the formatters for durations and times.
 */
import type { ReactNode } from "react";
import type { NodeRunStatus, ReviewStatus, RunStatus } from "../../engine/status";

/** Labels of every run, node run and review status (engine/status.ts), and of connection statuses. */
export const STATUS_LABELS: Record<string, string> = {
  queued: "Queued",
  running: "Running",
  waiting: "Waiting to retry",
  retrying: "Retrying",
  succeeded: "Succeeded",
  already_done: "Already done",
  failed: "Failed",
  needs_review: "Needs review",
  skipped: "Skipped",
  dry_run: "Dry run",
  awaiting_approval: "Awaiting approval",
  rejected: "Rejected",
  ok: "OK",
  failing: "Failing",
  untested: "Not tested",
  needs_reconnect: "Needs reconnect",
  open: "Open",
  resolved: "Resolved",
  dismissed: "Dismissed",
} satisfies Record<RunStatus | NodeRunStatus | ReviewStatus, string> & Record<string, string>;

/** Colour of a status for charts and canvas nodes. */
export const STATUS_COLORS: Record<string, string> = {
  succeeded: "#16a34a",
  already_done: "#16a34a",
  failed: "#dc2626",
  needs_review: "#d97706",
  retrying: "#d97706",
  waiting: "#d97706",
  running: "#2563eb",
  queued: "#60a5fa",
  dry_run: "#7c9cf0",
  awaiting_approval: "#9333ea",
  rejected: "#6b7280",
  skipped: "#9ca3af",
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span className={`badge status-${status}`} data-status={status}>{label ?? STATUS_LABELS[status] ?? status}</span>;
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" /> {what}…
    </div>
  );
}

/** tRPC errors carry the server's message in plain words; show it as is. */
export function errorMessage(error: unknown): string {
  if (!error) return "";
  const message = (error as { message?: string }).message ?? String(error);
  if (/Failed to fetch|NetworkError/i.test(message)) return "Ledgerline's server could not be reached. Check that it is running, then try again.";
  return message;
}

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {errorMessage(error)}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children ? <p>{children}</p> : null}
      {action}
    </div>
  );
}

export function PageHeader({ title, description, actions, breadcrumb }: { title: ReactNode; description?: ReactNode; actions?: ReactNode; breadcrumb?: ReactNode }) {
  return (
    <div className="page-header">
      <div style={{ minWidth: 0 }}>
        {breadcrumb ? <div className="breadcrumb">{breadcrumb}</div> : null}
        <h1>{title}</h1>
        {description ? <p>{description}</p> : null}
      </div>
      {actions ? <div className="row" style={{ flexShrink: 0 }}>{actions}</div> : null}
    </div>
  );
}

export function Modal({ title, onClose, children, footer, wide }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean }) {
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`modal${wide ? " wide" : ""}`} role="dialog" aria-modal="true" aria-label={title}>
        <div className="modal-header">
          <h2>{title}</h2>
          <button className="btn btn-ghost btn-sm" onClick={onClose} aria-label="Close">✕</button>
        </div>
        <div className="modal-body">{children}</div>
        {footer ? <div className="modal-footer">{footer}</div> : null}
      </div>
    </div>
  );
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatTime(date: Date | string | null | undefined): string {
  if (!date) return "—";
  const d = typeof date === "string" ? new Date(date) : date;
  return d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function timeAgo(date: Date | string | null | undefined): string {
  if (!date) return "never";
  const d = typeof date === "string" ? new Date(date) : date;
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export const TRIGGER_LABELS: Record<string, string> = {
  manual: "Manual",
  schedule: "Schedule",
  poll: "Poll",
  webhook: "Webhook",
  replay: "Replay",
  dry_run: "Dry run",
  agent: "Agent (MCP)",
};

/** Pretty JSON for an input/output panel. */
export function Json({ value, empty = "nothing" }: { value: unknown; empty?: string }) {
  if (value === undefined || value === null) return <div className="muted small">{empty}</div>;
  return <pre className="codebox">{typeof value === "string" ? value : JSON.stringify(value, null, 2)}</pre>;
}

/** Display name and brand colour of each system. */
export const SYSTEM_META: Record<string, { title: string; color: string }> = {
  exact: { title: "Exact Online", color: "#e4002b" },
  avalara: { title: "Avalara", color: "#f26722" },
  intacct: { title: "Sage Intacct", color: "#00a650" },
  commerce: { title: "Adobe Commerce", color: "#eb1000" },
  core: { title: "Ledgerline", color: "#2459d6" },
};
