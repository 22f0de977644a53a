/**
 * Workspaces of the signed-in user: list (with the one this request acts for), create, choose,
 * and the owner's two-factor requirement.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { listMyWorkspaces, chooseWorkspace, createWorkspace, setRequireTwoFactor, workspaceNameSchema } from "../../../engine/auth/workspaces";
import { actorOf } from "../procedure";
import { mailConfigured } from "../../../engine/mail";
import { actorLabel, ownerProcedure, publicProcedure, router, signedInProcedure, userError } from "../trpc";

export const workspacesRouter = router({
  /** What the sign-in pages may offer before sign-in. */
  signInOptions: publicProcedure.query(async ({ ctx }) => {
    const [sso] = await ctx.db.sql`select 1 from workspace_sso where enabled limit 1`;
    return { passwordReset: mailConfigured(), sso: Boolean(sso) };
  }),

  /** What the sidebar's switcher shows: the user, their workspaces and the current one. */
  mine: signedInProcedure.query(async ({ ctx }) => {
    const [user] = await ctx.db.sql<{ id: string; email: string; name: string; two_factor_enabled: boolean }[]>`
      select id::text, email, name, two_factor_enabled from users where id = ${ctx.caller.userId}`;
    const workspaces = await listMyWorkspaces(ctx.db, ctx.caller.userId);
    const visible = ctx.caller.kind === "token" ? workspaces.filter((w) => w.id === ctx.workspace?.id) : workspaces;
    return {
      user: { id: user!.id, email: user!.email, name: user!.name, twoFactorEnabled: user!.two_factor_enabled },
      viaToken: ctx.caller.kind === "token",
      current: ctx.workspace ? { id: ctx.workspace.id, name: ctx.workspace.name, role: ctx.workspace.role } : null,
      workspaces: visible,
      /** Workspaces the user is in that need two-factor, which the user has not turned on. */
      needTwoFactor: user!.two_factor_enabled ? [] : visible.filter((w) => w.requireTwoFactor).map((w) => ({ id: w.id, name: w.name })),
    };
  }),

  create: signedInProcedure.input(z.object({ name: workspaceNameSchema })).mutation(async ({ ctx, input }) => {
    if (ctx.caller.kind !== "token") {
      try {
        return await createWorkspace(ctx.db, input.name, ctx.caller.userId, { label: actorLabel(ctx.caller), kind: "user", userId: ctx.caller.userId, ip: ctx.ip });
      } catch (error) {
        userError(error);
      }
    }
    throw new TRPCError({ code: "FORBIDDEN", message: "An API token acts for its one workspace; sign in to create workspaces." });
  }),

  /** Remember the choice as the user's default (the app also sends it with each call). */
  choose: signedInProcedure.input(z.object({ workspaceId: z.string().uuid() })).mutation(async ({ ctx, input }) => {
    if (ctx.caller.kind === "token") throw new TRPCError({ code: "FORBIDDEN", message: "An API token acts for its one workspace." });
    if (!(await chooseWorkspace(ctx.db, ctx.caller.userId, input.workspaceId))) {
      throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of that workspace." });
    }
    return { ok: true };
  }),

  setRequireTwoFactor: ownerProcedure.input(z.object({ required: z.boolean() })).mutation(async ({ ctx, input }) => {
    await setRequireTwoFactor(ctx.db, ctx.workspaceId, input.required, actorOf(ctx));
    return { ok: true };
  }),
});
