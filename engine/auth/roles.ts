/**
 * Workspace roles, highest first. Declared once; the server, the UI and the admin CLI share it.
 * - owner: members (owners too), SSO, two-factor policy, delete the workspace
 * - admin: connections and their secrets, members other than owners, API tokens
 * - editor: flows, mapping tables, templates, activate and deactivate
 * - operator: run now, replay, resolve reviews; reads everything, node inputs and HTTP bodies too
 * - viewer: reads flows and runs, without node inputs, outputs or HTTP bodies
 */
import { z } from "zod";

export const ROLES = ["owner", "admin", "editor", "operator", "viewer"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

const rank: Record<Role, number> = { owner: 5, admin: 4, editor: 3, operator: 2, viewer: 1 };

/** True when `role` may do what `min` may. */
export function roleAtLeast(role: Role, min: Role): boolean {
  return rank[role] >= rank[min];
}
