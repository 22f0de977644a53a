/**
 * tRPC setup, read top to bottom.
 *
 * Glossary
 * - caller: who is asking, a signed-in user (session cookie) or an API token (`Authorization: Bearer`).
 * - workspace: the one workspace a request acts for, chosen by the caller and checked against
 *   membership (a token belongs to exactly one workspace). There is no global default.
 * - role: the caller's role in that workspace, owner > admin > editor > operator > viewer. A token
 *   carries a role no higher than its creator's.
 *
 * 1. CONTEXT: every procedure gets the database, the caller (or null), the workspace with the
 *    caller's role in it (or null), and the client's IP for audit events. Resolving the caller
 *    from the request lives in `./auth/context.ts`.
 * 2. INITIALISATION: superjson (dates survive the wire), zod errors flattened for forms, and a
 *    `meta` that every procedure fills with the access it needs.
 * 3. PROCEDURES: one builder per access level. Routers use only these; a test walks the whole
 *    `appRouter` and fails when a procedure declares no access.
 */
import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Db } from "../../db/client";
import { FlowInvalidError } from "../../engine/flow/validate";
import { roleAtLeast, type Role } from "../../engine/auth/roles";

export type { Role };

// 1. CONTEXT
export type Caller =
  | { kind: "user"; userId: string; email: string; name: string }
  | { kind: "token"; tokenId: string; tokenName: string; userId: string; email: string; name: string };

export interface Context {
  db: Db;
  caller: Caller | null;
  /** The workspace this request acts for, with the caller's role in it; null when none was chosen. */
  workspace: { id: string; name: string; slug: string; role: Role } | null;
  ip: string | null;
}

/** What a workspace procedure sees: never null. */
export interface WorkspaceContext extends Context {
  caller: Caller;
  workspace: { id: string; name: string; slug: string; role: Role };
  workspaceId: string;
  role: Role;
  /** How audit events and replays name the caller: the user's e-mail, or `token:<name> (<e-mail>)`. */
  actor: string;
}

export { createContext } from "./auth/context";

// 2. INITIALISATION
/** `signedIn`: any signed-in user, no workspace needed (list or create workspaces, accept an invite). */
export type Access = Role | "signedIn" | "public";
export interface Meta {
  access: Access;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      return {
        ...shape,
        data: {
          ...shape.data,
          zodError: cause instanceof ZodError ? cause.flatten() : null,
          problems: cause instanceof FlowInvalidError ? cause.problems : null,
        },
      };
    },
  });

// 3. PROCEDURES
export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export function actorLabel(caller: Caller): string {
  return caller.kind === "user" ? caller.email : `token:${caller.tokenName} (${caller.email})`;
}

/** Only for routes that must answer before sign-in (the sign-in page's SSO discovery, say). */
export const publicProcedure = t.procedure.meta({ access: "public" });

export const signedInProcedure = t.procedure.meta({ access: "signedIn" }).use(({ ctx, next }) => {
  if (!ctx.caller) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

function workspaceProcedureFor(min: Role) {
  return t.procedure.meta({ access: min }).use(({ ctx, next }) => {
    if (!ctx.caller) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
    if (!ctx.workspace) throw new TRPCError({ code: "FORBIDDEN", message: "Choose a workspace you are a member of." });
    if (!roleAtLeast(ctx.workspace.role, min)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${min} role or higher; you are ${ctx.workspace.role} in ${ctx.workspace.name}.` });
    }
    const wctx: WorkspaceContext = {
      ...ctx,
      caller: ctx.caller,
      workspace: ctx.workspace,
      workspaceId: ctx.workspace.id,
      role: ctx.workspace.role,
      actor: actorLabel(ctx.caller),
    };
    return next({ ctx: wctx });
  });
}

export const viewerProcedure = workspaceProcedureFor("viewer");
export const operatorProcedure = workspaceProcedureFor("operator");
export const editorProcedure = workspaceProcedureFor("editor");
export const adminProcedure = workspaceProcedureFor("admin");
export const ownerProcedure = workspaceProcedureFor("owner");

/** Turn domain errors into tRPC errors with the message a user can act on. */
export function userError(error: unknown): never {
  if (error instanceof TRPCError) throw error;
  if (error instanceof FlowInvalidError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
  throw new TRPCError({ code: "BAD_REQUEST", message: (error as Error).message ?? String(error), cause: error });
}
