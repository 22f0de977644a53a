"use client";
/**
 * The workspace this browser tab acts for, sent with every tRPC call as `x-ledgerline-workspace`.
 * The server checks it against membership; without one it uses the user's last choice.
 */
export const WORKSPACE_HEADER = "x-ledgerline-workspace";
const KEY = "ledgerline.workspace";

export function currentWorkspaceId(): string | null {
  try {
    return window.localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setCurrentWorkspaceId(id: string | null): void {
  try {
    if (id) window.localStorage.setItem(KEY, id);
    else window.localStorage.removeItem(KEY);
  } catch {
    // private mode: the server's last-choice default still applies
  }
}
