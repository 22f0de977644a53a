/**
 * Maker-checker approvals: runs whose write waits for a person, with the exact request.
 *
 * Roles: viewers see the list (without the request body); operators and above see the request and
 * approve or reject (the approver permission is the operator role). Under the workspace's four-eyes
 * setting the maker cannot approve their own; admins and owners change that setting.
 */
import { z } from "zod";
import { decideApproval, fourEyesRequired, getApproval, listApprovals, setFourEyes } from "../../../engine/approvals";
import { actorOf, attempt, detailFor } from "../procedure";
import { adminProcedure, operatorProcedure, router, viewerProcedure } from "../trpc";

const id = z.string().uuid();
const decision = z.object({ id, note: z.string().trim().max(1000).optional() });

export const approvalsRouter = router({
  list: viewerProcedure
    .input(z.object({ status: z.enum(["pending", "approved", "rejected"]).default("pending"), limit: z.number().int().min(1).max(500).default(200) }))
    .query(async ({ ctx, input }) => ({
      approvals: await listApprovals(ctx.db, ctx.workspaceId, input),
      fourEyes: await fourEyesRequired(ctx.db, ctx.workspaceId),
    })),

  get: viewerProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const row = await attempt(getApproval(ctx.db, ctx.workspaceId, input.id, detailFor(ctx) === "full"));
    const userId = ctx.caller.userId;
    return { ...row, ownRun: Boolean(userId && row.makerUserId === userId) };
  }),

  approve: operatorProcedure.input(decision).mutation(({ ctx, input }) => attempt(decideApproval(ctx.db, ctx.workspaceId, input.id, "approve", actorOf(ctx), input.note))),

  reject: operatorProcedure.input(decision).mutation(({ ctx, input }) => attempt(decideApproval(ctx.db, ctx.workspaceId, input.id, "reject", actorOf(ctx), input.note))),

  setFourEyes: adminProcedure.input(z.object({ required: z.boolean() })).mutation(async ({ ctx, input }) => {
    await setFourEyes(ctx.db, ctx.workspaceId, input.required, actorOf(ctx));
    return { required: input.required };
  }),
});
