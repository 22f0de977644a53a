/**
 * Mapping (lookup) tables: list with row counts and where they are used, rows CRUD, paste and
 * CSV import (preview with per-row errors first, nothing written until confirmed), CSV export,
 * values checked against the live lists of a connection, unmapped values found by runs.
 *
 * Roles: operators read (the rows are business data); editors change tables and rows.
 */
import { z } from "zod";
import {
  checkTable,
  createTable,
  deleteRows,
  deleteTable,
  exportCsv,
  getTable,
  importRows,
  listTables,
  lookupColumnSchema,
  lookupKindSchema,
  lookupRowSchema,
  previewCsv,
  unmappedValues,
  updateTable,
  upsertRow,
} from "../../../engine/lookups";
import { actorOf, attempt } from "../procedure";
import { editorProcedure, operatorProcedure, router } from "../trpc";

export { parseCsv } from "../../../engine/lookups";

const id = z.string().uuid();
const table = z.object({ tableId: id });
const columns = z.array(lookupColumnSchema).min(1).max(20);

export const lookupsRouter = router({
  list: operatorProcedure.query(({ ctx }) => listTables(ctx.db, ctx.workspaceId)),

  get: operatorProcedure.input(table).query(({ ctx, input }) => attempt(getTable(ctx.db, ctx.workspaceId, input.tableId))),

  createTable: editorProcedure
    .input(z.object({ name: z.string().trim().min(1).max(120), kind: lookupKindSchema, description: z.string().max(1000).default(""), keyLabel: z.string().trim().min(1).max(120).default("Source value"), columns, connectionId: id.nullish() }))
    .mutation(({ ctx, input }) => attempt(createTable(ctx.db, ctx.workspaceId, input, actorOf(ctx)))),

  updateTable: editorProcedure
    .input(z.object({ tableId: id, name: z.string().trim().min(1).max(120).optional(), description: z.string().max(1000).optional(), keyLabel: z.string().trim().min(1).max(120).optional(), columns: columns.optional(), connectionId: id.nullish() }))
    .mutation(async ({ ctx, input }) => {
      const { tableId, ...patch } = input;
      await attempt(updateTable(ctx.db, ctx.workspaceId, tableId, patch, actorOf(ctx)));
      return { ok: true };
    }),

  deleteTable: editorProcedure.input(table).mutation(async ({ ctx, input }) => {
    await attempt(deleteTable(ctx.db, ctx.workspaceId, input.tableId, actorOf(ctx)));
    return { ok: true };
  }),

  /** Insert or edit one row; `originalKey` renames a row's key. */
  upsertRow: editorProcedure.input(z.object({ tableId: id, originalKey: z.string().max(500).optional(), row: lookupRowSchema })).mutation(async ({ ctx, input }) => {
    await attempt(upsertRow(ctx.db, ctx.workspaceId, input.tableId, input.row, input.originalKey, actorOf(ctx)));
    return { ok: true };
  }),

  deleteRows: editorProcedure
    .input(z.object({ tableId: id, keys: z.array(z.string().max(500)).min(1).max(10_000) }))
    .mutation(async ({ ctx, input }) => ({ deleted: await attempt(deleteRows(ctx.db, ctx.workspaceId, input.tableId, input.keys, actorOf(ctx))) })),

  /** Write many rows at once (a pasted block or a confirmed CSV import). All or nothing. */
  importRows: editorProcedure
    .input(z.object({ tableId: id, rows: z.array(lookupRowSchema).max(50_000), mode: z.enum(["merge", "replace"]).default("merge") }))
    .mutation(async ({ ctx, input }) => ({ written: await attempt(importRows(ctx.db, ctx.workspaceId, input.tableId, input.rows, input.mode, actorOf(ctx))) })),

  /** Parse a CSV and show what would be written, with per-row errors. Writes nothing. */
  previewCsv: editorProcedure
    .input(z.object({ tableId: id, csv: z.string().max(10_000_000) }))
    .mutation(({ ctx, input }) => attempt(previewCsv(ctx.db, ctx.workspaceId, input.tableId, input.csv))),

  exportCsv: operatorProcedure.input(table).query(({ ctx, input }) => attempt(exportCsv(ctx.db, ctx.workspaceId, input.tableId))),

  /** Values not in the connection's live lists (unknown department, cost center...). */
  check: operatorProcedure.input(table).query(({ ctx, input }) => attempt(checkTable(ctx.db, ctx.workspaceId, input.tableId))),

  /** Values runs could not map (open review items), with how many runs wait on each. */
  unmapped: operatorProcedure.input(table).query(({ ctx, input }) => unmappedValues(ctx.db, ctx.workspaceId, input.tableId)),
});
