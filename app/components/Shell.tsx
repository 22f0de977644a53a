"use client";
/** The page frame: sidebar and main area, except on the sign-in pages, which stand alone. */
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { Sidebar } from "./Sidebar";
import "../identity.css";

const STANDALONE = [/^\/sign-in/, /^\/forgot-password/, /^\/reset-password/, /^\/invite\//, /^\/sso\//];

export function isStandalonePage(pathname: string): boolean {
  return STANDALONE.some((p) => p.test(pathname));
}

export function Shell({ children }: { children: ReactNode }) {
  const pathname = usePathname() ?? "";
  if (isStandalonePage(pathname)) return <main className="auth-page">{children}</main>;
  return (
    <div className="shell">
      <Sidebar />
      <main className="main">{children}</main>
    </div>
  );
}

/** The card every sign-in page uses. */
export function AuthCard({ title, sub, children }: { title: string; sub?: ReactNode; children: ReactNode }) {
  return (
    <div className="auth-card">
      <div className="auth-brand">
        <span className="sidebar-logo">L</span> Ledgerline
      </div>
      <div className="card">
        <div className="card-body">
          <h1>{title}</h1>
          {sub ? <div className="sub">{sub}</div> : null}
          {children}
        </div>
      </div>
    </div>
  );
}
