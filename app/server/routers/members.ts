/**
 * Members and invitations of the current workspace. Admins manage members other than owners;
 * owners manage everyone (the rules are in engine/auth/workspaces.ts). Anyone may leave, except the
 * last owner. Invitations go out by e-mail when SMTP is configured; the link is also shown to the
 * inviter to pass on.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { env } from "../../../db/env";
import { acceptInvitation, createInvitation, findOpenInvitation, InvitationError, listOpenInvitations, revokeInvitation } from "../../../engine/auth/invitations";
import { roleAtLeast, roleSchema } from "../../../engine/auth/roles";
import { emailSchema, findUserByEmail, hasPassword } from "../../../engine/auth/users";
import { changeMemberRole, listMembers, MembershipError, removeMember } from "../../../engine/auth/workspaces";
import { mailConfigured, sendMail } from "../../../engine/mail";
import { actorOf } from "../procedure";
import { actorLabel, adminProcedure, publicProcedure, router, signedInProcedure, viewerProcedure } from "../trpc";

function membershipError(error: unknown): never {
  if (error instanceof MembershipError || error instanceof InvitationError) throw new TRPCError({ code: "FORBIDDEN", message: error.message });
  throw error;
}

const inviteUrl = (token: string) => `${env.publicUrl.replace(/\/+$/, "")}/invite/${token}`;

export const membersRouter = router({
  list: viewerProcedure.query(async ({ ctx }) => ({
    members: await listMembers(ctx.db, ctx.workspaceId),
    invitations: roleAtLeast(ctx.role, "admin") ? await listOpenInvitations(ctx.db, ctx.workspaceId) : [],
    me: ctx.caller.userId,
    myRole: ctx.role,
    mailConfigured: mailConfigured(),
  })),

  invite: adminProcedure.input(z.object({ email: emailSchema, role: roleSchema })).mutation(async ({ ctx, input }) => {
    if (input.role === "owner" && !roleAtLeast(ctx.role, "owner")) {
      throw new TRPCError({ code: "FORBIDDEN", message: "Only an owner can invite another owner." });
    }
    const invitation = await createInvitation(ctx.db, { workspaceId: ctx.workspaceId, email: input.email, role: input.role, invitedBy: ctx.caller.userId, actor: actorOf(ctx) });
    const url = inviteUrl(invitation.token);
    let emailed = false;
    let mailError: string | null = null;
    if (mailConfigured()) {
      try {
        await sendMail({
          to: input.email,
          subject: `${ctx.caller.name} invited you to ${ctx.workspace.name} on Ledgerline`,
          text: `${ctx.caller.name} (${ctx.caller.email}) invited you to the workspace "${ctx.workspace.name}" on Ledgerline as ${input.role}.\n\nAccept here (the link works for 7 days, once):\n${url}\n`,
        });
        emailed = true;
      } catch (error) {
        mailError = `The e-mail could not be sent (${(error as Error).message}); pass the link on yourself.`;
      }
    }
    // The link is the inviter's to pass on when e-mail is off; it is shown once, here.
    return { id: invitation.id, url, emailed, mailError, expiresAt: invitation.expiresAt };
  }),

  revokeInvitation: adminProcedure.input(z.object({ id: z.string().uuid() })).mutation(async ({ ctx, input }) => {
    if (!(await revokeInvitation(ctx.db, ctx.workspaceId, input.id, actorOf(ctx)))) throw new TRPCError({ code: "NOT_FOUND", message: "No such open invitation." });
    return { ok: true };
  }),

  changeRole: adminProcedure.input(z.object({ userId: z.string().uuid(), role: roleSchema })).mutation(async ({ ctx, input }) => {
    try {
      await changeMemberRole(ctx.db, { workspaceId: ctx.workspaceId, userId: input.userId, role: input.role, actorRole: ctx.role, actor: actorOf(ctx) });
    } catch (error) {
      membershipError(error);
    }
    return { ok: true };
  }),

  remove: adminProcedure.input(z.object({ userId: z.string().uuid() })).mutation(async ({ ctx, input }) => {
    try {
      await removeMember(ctx.db, { workspaceId: ctx.workspaceId, userId: input.userId, actorUserId: ctx.caller.userId, actorRole: ctx.role, actor: actorOf(ctx) });
    } catch (error) {
      membershipError(error);
    }
    return { ok: true };
  }),

  leave: viewerProcedure.mutation(async ({ ctx }) => {
    if (ctx.caller.kind === "token") throw new TRPCError({ code: "FORBIDDEN", message: "An API token cannot leave a workspace; revoke it instead." });
    try {
      await removeMember(ctx.db, { workspaceId: ctx.workspaceId, userId: ctx.caller.userId, actorUserId: ctx.caller.userId, actorRole: ctx.role, actor: actorOf(ctx) });
    } catch (error) {
      membershipError(error);
    }
    return { ok: true };
  }),

  /** What the invitation page shows before sign-in: the workspace, the e-mail, and whether that person has an account. */
  invitation: publicProcedure.input(z.object({ token: z.string().min(1).max(200) })).query(async ({ ctx, input }) => {
    const invite = await findOpenInvitation(ctx.db, input.token);
    if (!invite) return { valid: false as const };
    const user = await findUserByEmail(ctx.db.sql, invite.email);
    return {
      valid: true as const,
      workspaceName: invite.workspaceName,
      email: invite.email,
      role: invite.role,
      invitedBy: invite.invitedBy,
      hasAccount: Boolean(user),
      hasPassword: user ? await hasPassword(ctx.db.sql, user.id) : false,
    };
  }),

  accept: signedInProcedure.input(z.object({ token: z.string().min(1).max(200) })).mutation(async ({ ctx, input }) => {
    if (ctx.caller.kind === "token") throw new TRPCError({ code: "FORBIDDEN", message: "Sign in as the invited person to accept." });
    try {
      return await acceptInvitation(ctx.db, input.token, { id: ctx.caller.userId, email: ctx.caller.email }, { label: actorLabel(ctx.caller), kind: "user", userId: ctx.caller.userId, ip: ctx.ip });
    } catch (error) {
      membershipError(error);
    }
  }),
});
