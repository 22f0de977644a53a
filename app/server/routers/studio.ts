/**
 * Procedures the Studio pages need beyond the core routers.
 *
 * - `shell`: what the left navigation shows on every page: the workspace, who is asking (a user,
 *   or a token and the user who created it), the caller's role there (the UI hides what the role
 *   cannot do; the server refuses it anyway) and the number of open review items.
 */
import { openReviewCount } from "../../../engine/reviews";
import { router, viewerProcedure } from "../trpc";

export const studioRouter = router({
  shell: viewerProcedure.query(async ({ ctx }) => {
    const caller = ctx.caller;
    return {
      workspace: { id: ctx.workspace.id, name: ctx.workspace.name, slug: ctx.workspace.slug },
      user: { id: caller.userId, name: caller.name || caller.email, email: caller.email },
      caller: caller.kind === "user" ? { kind: "user" as const } : { kind: "token" as const, tokenId: caller.tokenId, tokenName: caller.tokenName },
      role: ctx.role,
      openReviews: await openReviewCount(ctx.db, ctx.workspaceId),
    };
  }),
});
