/**
 * Flow export (viewer), import and restore of an earlier version (editor). The logic lives in
 * engine/flow-transfer.ts; documents are at most the tRPC body cap.
 */
import { z } from "zod";
import { describeImport, exportFlowVersion, importChoicesSchema, importFlow, restoreVersion } from "../../../engine/flow-transfer";
import { actorOf, attempt } from "../procedure";
import { editorProcedure, router, viewerProcedure } from "../trpc";

const id = z.string().uuid();
/** The export document as JSON text or as the parsed object; engine/flow-transfer parses it. */
const document = z.union([z.string().max(1_000_000), z.record(z.string(), z.unknown())]);

export const flowTransferRouter = router({
  export: viewerProcedure
    .input(z.object({ flowId: id, versionId: id.optional() }))
    .query(({ ctx, input }) => attempt(exportFlowVersion(ctx.db, ctx.workspaceId, input.flowId, input.versionId))),

  /** What the import needs from the person: a connection (and mapping table) per reference. */
  previewImport: editorProcedure
    .input(z.object({ document }))
    .mutation(({ ctx, input }) => attempt(describeImport(ctx.db, ctx.workspaceId, input.document))),

  import: editorProcedure
    .input(z.object({ document, choices: importChoicesSchema }))
    .mutation(({ ctx, input }) => attempt(importFlow(ctx.db, ctx.workspaceId, input.document, input.choices, actorOf(ctx)))),

  restore: editorProcedure
    .input(z.object({ flowId: id, versionId: id }))
    .mutation(({ ctx, input }) => attempt(restoreVersion(ctx.db, ctx.workspaceId, input.flowId, input.versionId, actorOf(ctx)))),
});
