/**
 * Procedures the flow editor needs beyond the flows router (owned by the editor).
 *
 * - `preview`: evaluate a JSONata expression the way a node would at run time (same `evaluate`,
 *   same bindings: `$`, `$trigger`, `$nodes`, and `$mapping` reading the workspace's real mapping
 *   rows), so the config panel can show the result while the user types.
 * - `lastOutputs`: each node's most recent output across the flow's recent runs, the data the
 *   preview runs on when the user picks "last run".
 */
import { z } from "zod";
import { lookupRow } from "../../../engine/executor/store";
import { evaluate } from "../../../engine/nodes/expressions";
import { router, workspaceProcedure } from "../trpc";

const uuid = z.string().uuid();
/** Why: a preview that loops (e.g. `[1..1e9]`) must not hold the server hostage. */
const PREVIEW_TIMEOUT_MS = 2_000;

export const editorRouter = router({
  preview: workspaceProcedure
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
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`took longer than ${PREVIEW_TIMEOUT_MS / 1000} s`)), PREVIEW_TIMEOUT_MS)),
        ]);
        return { ok: true as const, value: value === undefined ? null : value, undefined: value === undefined, ms: Date.now() - started };
      } catch (error) {
        return { ok: false as const, error: (error as Error).message.replace(/^expression: /, "") };
      }
    }),

  lastOutputs: workspaceProcedure.input(z.object({ flowId: uuid })).query(async ({ ctx, input }) => {
    const rows = await ctx.db.sql<{ nodeId: string; output: unknown; runId: string; status: string; startedAt: Date }[]>`
      select distinct on (n.node_id) n.node_id as "nodeId", n.output, n.run_id::text as "runId", n.status, n.started_at as "startedAt"
      from node_runs n
      where n.workspace_id = ${ctx.workspaceId} and n.output is not null
        and n.run_id in (select r.id from runs r where r.workspace_id = ${ctx.workspaceId} and r.flow_id = ${input.flowId} order by r.created_at desc limit 25)
      order by n.node_id, n.started_at desc`;
    const outputs: Record<string, { output: unknown; runId: string; status: string; at: Date }> = {};
    for (const row of rows) outputs[row.nodeId] = { output: row.output, runId: row.runId, status: row.status, at: row.startedAt };
    return { outputs };
  }),
});
