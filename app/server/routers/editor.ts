/**
 * Procedures the flow editor needs beyond the flows router (owned by the editor).
 *
 * - `preview`: evaluate a JSONata expression the way a node would at run time (same `evaluate`,
 *   same bindings: `$`, `$trigger`, `$nodes`, and `$mapping` reading the workspace's real mapping
 *   rows), so the config panel can show the result while the user types.
 * - `lastOutputs`: each node's most recent output across the flow's recent runs, the data the
 *   preview runs on when the user picks "last run".
 *
 * Roles: preview is part of editing (editor); last outputs are record data (operator).
 */
import { z } from "zod";
import { lookupRow } from "../../../engine/executor/mapping-rows";
import { evaluate } from "../../../engine/nodes/expressions";
import { lastOutputs } from "../../../engine/flow-queries";
import { editorProcedure, operatorProcedure, router } from "../trpc";

const uuid = z.string().uuid();
/**
 * The last guard of a preview. The expression's own time limit (a thread stopped after 1 s by
 * default) answers first with the message a run would fail with; this only bounds a thread pool
 * that is slow to start on a busy machine.
 */
const PREVIEW_TIMEOUT_MS = 10_000;

export const editorRouter = router({
  preview: editorProcedure
    .input(
      z.object({
        expression: z.string().max(20_000),
        input: z.unknown().optional(),
        trigger: z.unknown().optional(),
        nodes: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (!input.expression.trim()) return { ok: false as const, error: "Type an expression to see its result" };
      const started = Date.now();
      const lookup = async (tableId: string, key: string) => (uuid.safeParse(tableId).success ? lookupRow(ctx.db, ctx.workspaceId, tableId, key) : undefined);
      try {
        const value = await Promise.race([
          evaluate(input.expression, input.input ?? null, { trigger: input.trigger ?? input.input ?? null, nodes: input.nodes ?? {}, lookup }, "expression"),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the preview took longer than ${PREVIEW_TIMEOUT_MS / 1000} s; try again`)), PREVIEW_TIMEOUT_MS)),
        ]);
        return { ok: true as const, value: value === undefined ? null : value, undefined: value === undefined, ms: Date.now() - started };
      } catch (error) {
        return { ok: false as const, error: (error as Error).message.replace(/^expression: /, "") };
      }
    }),

  lastOutputs: operatorProcedure.input(z.object({ flowId: uuid })).query(({ ctx, input }) => lastOutputs(ctx.db, ctx.workspaceId, input.flowId)),
});
