/**
 * What procedures share beyond `trpc.ts`: the audit actor of a request, how much record data the
 * caller's role may see, and one way to turn domain errors into answers.
 */
import "server-only";
import { TRPCError } from "@trpc/server";
import { roleAtLeast } from "../../engine/auth/roles";
import type { Actor } from "../../engine/audit";
import type { RunDetail } from "../../engine/run-queries";
import { userError, type WorkspaceContext } from "./trpc";

/** The actor audit events name: the user, or the token and the user who created it, with the IP. */
export function actorOf(ctx: WorkspaceContext): Actor {
  const caller = ctx.caller;
  return caller.kind === "user"
    ? { label: ctx.actor, kind: "user", userId: caller.userId, ip: ctx.ip }
    : { label: ctx.actor, kind: "token", userId: caller.userId, tokenId: caller.tokenId, ip: ctx.ip };
}

/** Node inputs and outputs, HTTP bodies and record data: operator and above; viewers get a summary. */
export function detailFor(ctx: WorkspaceContext): RunDetail {
  return roleAtLeast(ctx.role, "operator") ? "full" : "summary";
}

/** Await a domain call; "... not found" answers NOT_FOUND, other domain errors BAD_REQUEST. */
export async function attempt<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof Error && !(error instanceof TRPCError) && / not found$/.test(error.message)) {
      throw new TRPCError({ code: "NOT_FOUND", message: error.message, cause: error });
    }
    userError(error);
  }
}
