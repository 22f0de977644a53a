/**
 * The audit trail of the workspace: who changed what, when and from where, newest first, with
 * filters by actor, entity and time, keyset-paged.
 *
 * Role: admin (the trail names people and IP addresses).
 */
import { z } from "zod";
import { auditFacets, listAudit } from "../../../engine/audit";
import { adminProcedure, router } from "../trpc";

export const auditRouter = router({
  list: adminProcedure
    .input(
      z.object({
        actorUserId: z.string().uuid().optional(),
        actor: z.string().trim().max(200).optional(),
        entityType: z.string().max(60).optional(),
        entityId: z.string().max(200).optional(),
        action: z.string().max(100).optional(),
        from: z.date().optional(),
        to: z.date().optional(),
        limit: z.number().int().min(1).max(200).default(50),
        /** Keyset cursor: the id of the last event of the previous page. */
        cursor: z.number().int().positive().nullish(),
      }),
    )
    .query(({ ctx, input }) => {
      const { limit, cursor, ...filter } = input;
      return listAudit(ctx.db, ctx.workspaceId, filter, { limit, before: cursor });
    }),

  /** The actors, entity types and actions seen, for the filter menus. */
  facets: adminProcedure.query(({ ctx }) => auditFacets(ctx.db, ctx.workspaceId)),
});
