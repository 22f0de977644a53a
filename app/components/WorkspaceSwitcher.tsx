"use client";
/**
 * The sidebar's workspace block: the workspace this tab acts for and a switcher to the user's
 * other workspaces (or a new one). The choice is kept in this browser (sent with every call) and
 * on the server as the user's default.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTRPC } from "../lib/trpc";
import { currentWorkspaceId, setCurrentWorkspaceId } from "../lib/workspace";

const NEW = "__new__";

export function WorkspaceSwitcher({ fallbackName }: { fallbackName?: string }) {
  const trpc = useTRPC();
  const mine = useQuery(trpc.workspaces.mine.queryOptions());
  const choose = useMutation(trpc.workspaces.choose.mutationOptions());
  const data = mine.data;

  useEffect(() => {
    if (!data) return;
    const stored = currentWorkspaceId();
    if (stored && !data.workspaces.some((w) => w.id === stored)) {
      // Removed from that workspace (or signed in as someone else): fall back to the server's choice.
      setCurrentWorkspaceId(null);
      window.location.reload();
    } else if (!stored && data.current) {
      setCurrentWorkspaceId(data.current.id);
    }
  }, [data]);

  async function onChange(value: string) {
    if (value === NEW) {
      window.location.assign("/workspaces/new");
      return;
    }
    setCurrentWorkspaceId(value);
    await choose.mutateAsync({ workspaceId: value }).catch(() => undefined);
    window.location.assign("/flows");
  }

  const name = data?.current?.name ?? (data && data.workspaces.length === 0 ? "No workspace" : fallbackName ?? "");
  return (
    <div className="sidebar-workspace">
      <div className="label">Workspace</div>
      <div className="name truncate" data-testid="workspace-name">{name}</div>
      {data?.current ? <div className="label" style={{ textTransform: "none", letterSpacing: 0 }} data-testid="workspace-role">{data.current.role}</div> : null}
      {data && !data.viaToken ? (
        <select
          className="ws-select"
          aria-label="Switch workspace"
          data-testid="workspace-switcher"
          value={data.current?.id ?? ""}
          onChange={(e) => void onChange(e.target.value)}
          style={{ marginTop: 6, width: "100%", height: 28, borderRadius: 6, background: "#111827", color: "#cbd2dc", border: "1px solid #374151", font: "inherit", fontSize: 12 }}
        >
          {data.current ? null : <option value="">Choose…</option>}
          {data.workspaces.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name} ({w.role})
            </option>
          ))}
          <option value={NEW}>+ New workspace…</option>
        </select>
      ) : null}
      {data && data.needTwoFactor.length > 0 ? (
        <div className="label" style={{ color: "#fbbf24", textTransform: "none", letterSpacing: 0, marginTop: 6 }}>
          {data.needTwoFactor.map((w) => w.name).join(", ")} require two-factor: <a href="/account" style={{ color: "#fde68a" }}>turn it on</a>
        </div>
      ) : null}
    </div>
  );
}
