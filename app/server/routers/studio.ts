/**
 * Procedures the Studio pages need beyond the core routers (owned by the Studio pages).
 *
 * - `shell`: what the left navigation shows on every page: the workspace, the acting user and the
 *   number of open review items.
 */
import { router, workspaceProcedure } from "../trpc";

export const studioRouter = router({
  shell: workspaceProcedure.query(async ({ ctx }) => {
    const [user] = await ctx.db.sql<{ name: string | null; email: string }[]>`
      select name, email from users where email = ${ctx.actor}`;
    const [open] = await ctx.db.sql<{ n: number }[]>`
      select count(*)::int as n from review_items where workspace_id = ${ctx.workspaceId} and status = 'open'`;
    return {
      workspace: { id: ctx.workspaceId, name: ctx.workspaceName },
      user: { name: user?.name ?? ctx.actor, email: ctx.actor },
      openReviews: open?.n ?? 0,
    };
  }),
});
