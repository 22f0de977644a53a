/**
 * Single sign-on settings of the current workspace (owner only). The client secret is write-only:
 * stored encrypted, never returned; changing the issuer or client id needs it entered again.
 */
import { TRPCError } from "@trpc/server";
import { env } from "../../../db/env";
import { deleteSsoConfig, getSsoConfig, saveSsoConfig, ssoConfigInput, SsoError } from "../../../engine/auth/sso";
import { actorOf } from "../procedure";
import { ownerProcedure, router } from "../trpc";

export const ssoRouter = router({
  get: ownerProcedure.query(async ({ ctx }) => ({
    config: await getSsoConfig(ctx.db, ctx.workspaceId, env.publicUrl),
    redirectUri: `${env.publicUrl.replace(/\/+$/, "")}/api/auth/sso/callback`,
  })),

  save: ownerProcedure.input(ssoConfigInput).mutation(async ({ ctx, input }) => {
    try {
      await saveSsoConfig(ctx.db, ctx.workspaceId, input, actorOf(ctx));
    } catch (error) {
      if (error instanceof SsoError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
      throw error;
    }
    return { ok: true };
  }),

  remove: ownerProcedure.mutation(async ({ ctx }) => {
    if (!(await deleteSsoConfig(ctx.db, ctx.workspaceId, actorOf(ctx)))) throw new TRPCError({ code: "NOT_FOUND", message: "This workspace has no single sign-on set up." });
    return { ok: true };
  }),
});
