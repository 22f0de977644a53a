/**
 * tRPC setup, read top to bottom.
 *
 * 1. CONTEXT: every procedure gets the database and the workspace it acts in. Until accounts
 *    exist the app acts as the seeded demo user in the demo workspace; login slots in here.
 * 2. INITIALISATION: superjson (dates survive the wire), zod errors flattened for forms.
 * 3. PROCEDURES: `workspaceProcedure` is the only one routers use; every query filters by
 *    `ctx.workspaceId`.
 */
import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { getDb, type Db } from "../../db/client";
import { FlowInvalidError } from "../../engine/flow/validate";

// 1. CONTEXT
const DEMO_SLUG = "demo";
let cachedWorkspace: { id: string; name: string } | undefined;

async function currentWorkspace(db: Db): Promise<{ id: string; name: string }> {
  if (cachedWorkspace) return cachedWorkspace;
  const [row] = await db.sql<{ id: string; name: string }[]>`select id::text, name from workspaces where slug = ${DEMO_SLUG}`;
  if (!row) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "No workspace yet: start Ledgerline with `npm start`, which seeds the demo workspace." });
  cachedWorkspace = row;
  return row;
}

export async function createContext() {
  const db = getDb();
  const workspace = await currentWorkspace(db);
  return { db, workspaceId: workspace.id, workspaceName: workspace.name, actor: "demo@ledgerline.example" };
}
export type Context = Awaited<ReturnType<typeof createContext>>;

// 2. INITIALISATION
const t = initTRPC.context<Context>().create({
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
export const workspaceProcedure = t.procedure;

/** Turn domain errors into tRPC errors with the message a user can act on. */
export function userError(error: unknown): never {
  if (error instanceof TRPCError) throw error;
  if (error instanceof FlowInvalidError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
  throw new TRPCError({ code: "BAD_REQUEST", message: (error as Error).message ?? String(error), cause: error });
}
