/**
 * API tokens of the current workspace. Anyone may make a token with a role up to their own and
 * sees their own tokens; admins see and revoke every token of the workspace. The token is shown once.
 * Only a signed-in person creates tokens (never another token).
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { roleAtLeast } from "../../../engine/auth/roles";
import { createToken, createTokenInput, listTokens, revokeToken, TokenRoleError } from "../../../engine/auth/tokens";
import { actorOf } from "../procedure";
import { router, viewerProcedure, type WorkspaceContext } from "../trpc";

const onlyMine = (ctx: WorkspaceContext) => (roleAtLeast(ctx.role, "admin") ? null : ctx.caller.userId);

export const tokensRouter = router({
  list: viewerProcedure.query(({ ctx }) => listTokens(ctx.db, ctx.workspaceId, onlyMine(ctx))),

  create: viewerProcedure.input(createTokenInput).mutation(async ({ ctx, input }) => {
    // A leaked token must not be able to mint more (or longer-lived) ones.
    if (ctx.caller.kind === "token") throw new TRPCError({ code: "FORBIDDEN", message: "API tokens cannot create tokens; sign in to make one." });
    try {
      return await createToken(ctx.db, { ...input, workspaceId: ctx.workspaceId, userId: ctx.caller.userId, creatorRole: ctx.role, actor: actorOf(ctx) });
    } catch (error) {
      if (error instanceof TokenRoleError) throw new TRPCError({ code: "FORBIDDEN", message: error.message });
      throw error;
    }
  }),

  revoke: viewerProcedure.input(z.object({ id: z.string().uuid() })).mutation(async ({ ctx, input }) => {
    // A token changes nothing about tokens: a leaked one must not revoke its owner's others.
    if (ctx.caller.kind === "token") throw new TRPCError({ code: "FORBIDDEN", message: "API tokens cannot revoke tokens; sign in to revoke one." });
    if (!(await revokeToken(ctx.db, ctx.workspaceId, input.id, actorOf(ctx), onlyMine(ctx)))) {
      throw new TRPCError({ code: "NOT_FOUND", message: "No such active token in this workspace." });
    }
    return { ok: true };
  }),
});
