"use client";
/**
 * The caller's role in the current workspace (studio.shell), for hiding what the role cannot do.
 * The server refuses it anyway; this only keeps buttons that would fail out of sight.
 *
 *   const canEdit = useCan("editor");   // editor: flows, mapping tables, templates, activate
 *   useCan("operator")                  // run now, replay, resolve reviews
 *   useCan("admin")                     // connections and their secrets
 *
 * While the role is loading nothing is allowed, so a viewer never sees a control flash by.
 */
import { useQuery } from "@tanstack/react-query";
import { roleAtLeast, type Role } from "../../engine/auth/roles";
import { useTRPC } from "./trpc";

export function useRole(): Role | null {
  const trpc = useTRPC();
  const shell = useQuery({ ...trpc.studio.shell.queryOptions(), staleTime: 15_000 });
  return shell.data?.role ?? null;
}

export function useCan(min: Role): boolean {
  const role = useRole();
  return role !== null && roleAtLeast(role, min);
}
