"use client";
/** The left navigation: workspace, sections (with the open review count) and the acting user. */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useTRPC } from "../lib/trpc";

const SECTIONS = [
  { href: "/flows", label: "Flows", icon: "⇢" },
  { href: "/templates", label: "Templates", icon: "◫" },
  { href: "/mappings", label: "Mappings", icon: "▦" },
  { href: "/connections", label: "Connections", icon: "⛓" },
  { href: "/runs", label: "Runs", icon: "▶" },
  { href: "/review", label: "Review queue", icon: "⚑" },
] as const;

function initials(name: string) {
  return name
    .split(/[\s@.]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]!.toUpperCase())
    .join("");
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
      <div className="sidebar-workspace">
        <div className="label">Workspace</div>
        <div className="name" data-testid="workspace-name">{workspace}</div>
      </div>
      <nav className="sidebar-nav">
        {SECTIONS.map((s) => {
          const active = pathname === s.href || pathname.startsWith(`${s.href}/`);
          return (
            <Link key={s.href} href={s.href} className={`sidebar-link${active ? " active" : ""}`} aria-current={active ? "page" : undefined}>
              <span className="icon" aria-hidden>{s.icon}</span>
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
    </aside>
  );
}
