"use client";
/** The left navigation: workspace switcher, sections (with the open review count), the acting user and sign-out. */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { authClient } from "../lib/auth-client";
import { roleAtLeast, type Role } from "../../engine/auth/roles";
import { useTRPC } from "../lib/trpc";
import { setCurrentWorkspaceId } from "../lib/workspace";
import { WorkspaceSwitcher } from "./WorkspaceSwitcher";

/** 16px line icons (stroke paths on a 16x16 grid). */
const ICONS = {
  flows: "M2 4h4v3H2zM10 9h4v3h-4zM6 5.5h2.5a1.5 1.5 0 0 1 1.5 1.5v3.5",
  templates: "M2 2h5v5H2zM9 2h5v5H9zM2 9h5v5H2zM9 9h5v5H9z",
  mappings: "M2 3h12v10H2zM2 6.5h12M2 10h12M6 3v10",
  connections: "M6.5 9.5l3-3M7 4.5l1.2-1.2a2.5 2.5 0 0 1 3.5 3.5L10.5 8M9 11.5l-1.2 1.2a2.5 2.5 0 0 1-3.5-3.5L5.5 8",
  runs: "M4 2.5l9 5.5-9 5.5z",
  review: "M3 14V2M3 2.5h9l-2 3 2 3H3",
  approvals: "M3 8.5l3 3 7-7M2.5 14h11",
  audit: "M4 2h6l3 3v9H4zM10 2v3h3M6 8h5M6 10.5h5",
  alerts: "M4 11V7a4 4 0 0 1 8 0v4l1.5 1.5h-11zM6.5 14h3",
  reports: "M2.5 13.5h11M4 11V8M7 11V4.5M10 11V6.5M13 11V3",
} as const;

/** `minRole`: shown only to that role and above (the server refuses the others anyway). */
const SECTIONS: readonly { href: string; label: string; icon: string; minRole?: Role }[] = [
  { href: "/flows", label: "Flows", icon: ICONS.flows },
  { href: "/templates", label: "Templates", icon: ICONS.templates },
  { href: "/mappings", label: "Mappings", icon: ICONS.mappings },
  { href: "/connections", label: "Connections", icon: ICONS.connections },
  { href: "/runs", label: "Runs", icon: ICONS.runs },
  { href: "/review", label: "Review queue", icon: ICONS.review },
  { href: "/approvals", label: "Approvals", icon: ICONS.approvals },
  { href: "/alerts", label: "Alerts", icon: ICONS.alerts },
  { href: "/reports", label: "Reconciliation", icon: ICONS.reports },
  { href: "/audit", label: "Audit", icon: ICONS.audit, minRole: "admin" },
];

function initials(name: string) {
  return name
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]!.toUpperCase())
    .join("");
}

async function signOut() {
  await authClient.signOut().catch(() => undefined);
  setCurrentWorkspaceId(null);
  window.location.assign("/sign-in");
}

export function Sidebar() {
  const trpc = useTRPC();
  const pathname = usePathname() ?? "";
  const shell = useQuery({ ...trpc.studio.shell.queryOptions(), refetchInterval: 15_000 });
  const workspace = shell.data?.workspace.name ?? "Demo Finance Co";
  const user = shell.data?.user;
  return (
    <aside className="sidebar" aria-label="Main navigation">
      <div className="sidebar-brand">
        <span className="sidebar-logo">L</span> Ledgerline
      </div>
      <WorkspaceSwitcher fallbackName={workspace} />
      <nav className="sidebar-nav">
        {SECTIONS.filter((s) => !s.minRole || (shell.data && roleAtLeast(shell.data.role, s.minRole))).map((s) => {
          const active = pathname === s.href || pathname.startsWith(`${s.href}/`);
          return (
            <Link key={s.href} href={s.href} className={`sidebar-link${active ? " active" : ""}`} aria-current={active ? "page" : undefined}>
              <span className="icon" aria-hidden>
                <svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" strokeLinecap="round"><path d={s.icon} /></svg>
              </span>
              {s.label}
              {s.href === "/review" && (shell.data?.openReviews ?? 0) > 0 ? (
                <span className="count" data-testid="review-count" title="Open review items">{shell.data!.openReviews}</span>
              ) : null}
            </Link>
          );
        })}
      </nav>
      <div className="sidebar-user">
        <span className="avatar">{initials(user?.name ?? "Demo User")}</span>
        <div style={{ minWidth: 0 }}>
          <div className="who truncate">{user?.name ?? "Demo User"}</div>
          <div className="email truncate">{user?.email ?? "demo@ledgerline.example"}</div>
        </div>
      </div>
      <div className="sidebar-user-actions">
        <Link href="/settings/members">Members</Link>
        <Link href="/settings/tokens">API tokens</Link>
        <Link href="/settings/mcp">Agents</Link>
        <Link href="/settings/sso">SSO</Link>
        <Link href="/account">Account</Link>
        <button type="button" data-testid="sign-out" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </aside>
  );
}
