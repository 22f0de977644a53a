/**
 * Mapping (lookup) tables: list with row counts and where they are used, rows CRUD, paste and
 * CSV import (preview with per-row errors first, nothing written until confirmed), CSV export,
 * values checked against the live lists of a connection, unmapped values found by runs.
 */
import Papa from "papaparse";
import { z } from "zod";
import { loadPicker } from "../../../engine/connection-actions";
import { router, userError, workspaceProcedure } from "../trpc";

const id = z.string().uuid();
const columnSchema = z.object({
  name: z.string().trim().min(1).max(64).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "column names use letters, digits and _"),
  label: z.string().trim().min(1).max(120),
  /** Picker of the table's connection that lists valid values (e.g. "departments"). */
  picker: z.string().optional(),
});
const kindSchema = z.enum(["dimension", "gl_account", "cost_center", "tax_gl", "custom"]);
const rowSchema = z.object({ key: z.string().trim().min(1, "the key is empty").max(500), values: z.record(z.string(), z.string()) });

type Column = z.infer<typeof columnSchema>;

async function tableOf(ctx: { db: import("../../../db/client").Db; workspaceId: string }, tableId: string) {
  const [table] = await ctx.db.sql<{ id: string; name: string; kind: string; description: string; keyLabel: string; columns: Column[]; connectionId: string | null }[]>`
    select id::text, name, kind, description, key_label as "keyLabel", columns, connection_id::text as "connectionId"
    from lookup_tables where id = ${tableId} and workspace_id = ${ctx.workspaceId}`;
  if (!table) userError(new Error("mapping table not found"));
  return table!;
}

/** Parse CSV text: first column (or a column named like the key label / "key") is the key. */
export function parseCsv(text: string, table: { keyLabel: string; columns: Column[] }) {
  const parsed = Papa.parse<Record<string, string>>(text.trim(), { header: true, skipEmptyLines: "greedy", transformHeader: (h) => h.trim() });
  const headers = parsed.meta.fields ?? [];
  const keyHeader = headers.find((h) => h.toLowerCase() === "key" || h === table.keyLabel) ?? headers[0];
  const byHeader = new Map<string, string>();
  for (const column of table.columns) {
    const header = headers.find((h) => h === column.name || h === column.label || h.toLowerCase() === column.name.toLowerCase());
    if (header) byHeader.set(column.name, header);
  }
  const missingColumns = table.columns.filter((c) => !byHeader.has(c.name)).map((c) => c.label);
  const rows: { line: number; key: string; values: Record<string, string>; errors: string[] }[] = [];
  const seen = new Map<string, number>();
  parsed.data.forEach((record, index) => {
    const line = index + 2;
    const errors: string[] = [];
    const key = (record[keyHeader ?? ""] ?? "").trim();
    if (!key) errors.push("the key is empty");
    if (key && seen.has(key)) errors.push(`duplicate key (also on line ${seen.get(key)})`);
    if (key) seen.set(key, line);
    const values: Record<string, string> = {};
    for (const column of table.columns) {
      const header = byHeader.get(column.name);
      values[column.name] = header ? (record[header] ?? "").trim() : "";
    }
    rows.push({ line, key, values, errors });
  });
  const parseErrors = parsed.errors.map((e) => ({ line: (e.row ?? 0) + 2, message: e.message }));
  return { headers, keyHeader, missingColumns, rows, parseErrors };
}

export const lookupsRouter = router({
  list: workspaceProcedure.query(async ({ ctx }) => {
    const tables = await ctx.db.sql<{ id: string; name: string; kind: string; description: string; keyLabel: string; columns: Column[]; connectionId: string | null; rowCount: number; updatedAt: Date }[]>`
      select t.id::text, t.name, t.kind, t.description, t.key_label as "keyLabel", t.columns, t.connection_id::text as "connectionId",
             (select count(*)::int from lookup_rows r where r.table_id = t.id) as "rowCount", t.updated_at as "updatedAt"
      from lookup_tables t where t.workspace_id = ${ctx.workspaceId} order by t.name`;
    // Where used: flows whose latest version refers to the table id.
    const flows = await ctx.db.sql<{ id: string; name: string; definition: string }[]>`
      select f.id::text, f.name, v.definition::text as definition
      from flows f join flow_versions v on v.flow_id = f.id and v.version = f.latest_version
      where f.workspace_id = ${ctx.workspaceId}`;
    const unmapped = await ctx.db.sql<{ tableId: string; n: number }[]>`
      select details->>'tableId' as "tableId", count(*)::int as n from review_items
      where workspace_id = ${ctx.workspaceId} and status = 'open' and reason_code = 'lookup_miss' group by 1`;
    return tables.map((t) => ({
      ...t,
      usedBy: flows.filter((f) => f.definition.includes(t.id)).map((f) => ({ id: f.id, name: f.name })),
      openReviews: unmapped.find((u) => u.tableId === t.id)?.n ?? 0,
    }));
  }),

  get: workspaceProcedure.input(z.object({ tableId: id })).query(async ({ ctx, input }) => {
    const table = await tableOf(ctx, input.tableId);
    const rows = await ctx.db.sql<{ key: string; values: Record<string, string>; updatedAt: Date }[]>`
      select key, values, updated_at as "updatedAt" from lookup_rows where table_id = ${input.tableId} and workspace_id = ${ctx.workspaceId} order by key`;
    return { table, rows };
  }),

  createTable: workspaceProcedure
    .input(z.object({ name: z.string().trim().min(1).max(120), kind: kindSchema, description: z.string().max(1000).default(""), keyLabel: z.string().trim().min(1).max(120).default("Source value"), columns: z.array(columnSchema).min(1).max(20), connectionId: id.nullish() }))
    .mutation(async ({ ctx, input }) => {
      try {
        const [row] = await ctx.db.sql<{ id: string }[]>`
          insert into lookup_tables (workspace_id, name, kind, description, key_label, columns, connection_id)
          values (${ctx.workspaceId}, ${input.name}, ${input.kind}, ${input.description}, ${input.keyLabel}, ${JSON.stringify(input.columns)}::text::jsonb, ${input.connectionId ?? null})
          returning id::text`;
        return { id: row!.id };
      } catch (error) {
        if ((error as { code?: string }).code === "23505") userError(new Error(`A mapping table named "${input.name}" already exists`));
        userError(error);
      }
    }),

  updateTable: workspaceProcedure
    .input(z.object({ tableId: id, name: z.string().trim().min(1).max(120).optional(), description: z.string().max(1000).optional(), keyLabel: z.string().trim().min(1).max(120).optional(), columns: z.array(columnSchema).min(1).max(20).optional(), connectionId: id.nullish() }))
    .mutation(async ({ ctx, input }) => {
      await tableOf(ctx, input.tableId);
      await ctx.db.sql`
        update lookup_tables set name = coalesce(${input.name ?? null}, name), description = coalesce(${input.description ?? null}, description),
               key_label = coalesce(${input.keyLabel ?? null}, key_label),
               columns = coalesce(${input.columns ? JSON.stringify(input.columns) : null}::text::jsonb, columns),
               connection_id = ${input.connectionId === undefined ? ctx.db.sql`connection_id` : input.connectionId}, updated_at = now()
        where id = ${input.tableId} and workspace_id = ${ctx.workspaceId}`;
      return { ok: true };
    }),

  deleteTable: workspaceProcedure.input(z.object({ tableId: id })).mutation(async ({ ctx, input }) => {
    await ctx.db.sql`delete from lookup_tables where id = ${input.tableId} and workspace_id = ${ctx.workspaceId}`;
    return { ok: true };
  }),

  /** Insert or edit one row; `originalKey` renames a row's key. */
  upsertRow: workspaceProcedure.input(z.object({ tableId: id, originalKey: z.string().optional(), row: rowSchema })).mutation(async ({ ctx, input }) => {
    await tableOf(ctx, input.tableId);
    await ctx.db.sql.begin(async (tx) => {
      if (input.originalKey !== undefined && input.originalKey !== input.row.key) {
        const clash = await tx`select 1 from lookup_rows where table_id = ${input.tableId} and key = ${input.row.key}`;
        if (clash.length > 0) userError(new Error(`The key "${input.row.key}" is already in the table`));
        await tx`delete from lookup_rows where table_id = ${input.tableId} and workspace_id = ${ctx.workspaceId} and key = ${input.originalKey}`;
      }
      await tx`
        insert into lookup_rows (workspace_id, table_id, key, values) values (${ctx.workspaceId}, ${input.tableId}, ${input.row.key}, ${JSON.stringify(input.row.values)}::text::jsonb)
        on conflict (table_id, key) do update set values = excluded.values, updated_at = now()`;
      await tx`update lookup_tables set updated_at = now() where id = ${input.tableId}`;
    });
    return { ok: true };
  }),

  deleteRows: workspaceProcedure.input(z.object({ tableId: id, keys: z.array(z.string()).min(1).max(10_000) })).mutation(async ({ ctx, input }) => {
    const deleted = await ctx.db.sql`delete from lookup_rows where table_id = ${input.tableId} and workspace_id = ${ctx.workspaceId} and key = any(${input.keys}) returning key`;
    return { deleted: deleted.length };
  }),

  /** Write many rows at once (a pasted block or a confirmed CSV import). All or nothing. */
  importRows: workspaceProcedure
    .input(z.object({ tableId: id, rows: z.array(rowSchema).max(50_000), mode: z.enum(["merge", "replace"]).default("merge") }))
    .mutation(async ({ ctx, input }) => {
      await tableOf(ctx, input.tableId);
      const keys = new Set<string>();
      for (const row of input.rows) {
        if (keys.has(row.key)) userError(new Error(`The key "${row.key}" appears twice`));
        keys.add(row.key);
      }
      await ctx.db.sql.begin(async (tx) => {
        if (input.mode === "replace") await tx`delete from lookup_rows where table_id = ${input.tableId} and workspace_id = ${ctx.workspaceId}`;
        for (const row of input.rows) {
          await tx`
            insert into lookup_rows (workspace_id, table_id, key, values) values (${ctx.workspaceId}, ${input.tableId}, ${row.key}, ${JSON.stringify(row.values)}::text::jsonb)
            on conflict (table_id, key) do update set values = excluded.values, updated_at = now()`;
        }
        await tx`update lookup_tables set updated_at = now() where id = ${input.tableId}`;
      });
      return { written: input.rows.length };
    }),

  /** Parse a CSV and show what would be written, with per-row errors. Writes nothing. */
  previewCsv: workspaceProcedure.input(z.object({ tableId: id, csv: z.string().max(10_000_000) })).mutation(async ({ ctx, input }) => {
    const table = await tableOf(ctx, input.tableId);
    const preview = parseCsv(input.csv, table);
    const existing = await ctx.db.sql<{ key: string }[]>`select key from lookup_rows where table_id = ${input.tableId}`;
    const known = new Set(existing.map((r) => r.key));
    return {
      ...preview,
      rows: preview.rows.map((r) => ({ ...r, change: known.has(r.key) ? ("update" as const) : ("insert" as const) })),
    };
  }),

  exportCsv: workspaceProcedure.input(z.object({ tableId: id })).query(async ({ ctx, input }) => {
    const table = await tableOf(ctx, input.tableId);
    const rows = await ctx.db.sql<{ key: string; values: Record<string, string> }[]>`
      select key, values from lookup_rows where table_id = ${input.tableId} order by key`;
    const csv = Papa.unparse({
      fields: [table.keyLabel, ...table.columns.map((c) => c.label)],
      data: rows.map((r) => [r.key, ...table.columns.map((c) => r.values[c.name] ?? "")]),
    });
    return { filename: `${table.name.replace(/[^\w-]+/g, "_")}.csv`, csv };
  }),

  /** Values not in the connection's live lists (unknown department, cost center...). */
  check: workspaceProcedure.input(z.object({ tableId: id })).query(async ({ ctx, input }) => {
    const table = await tableOf(ctx, input.tableId);
    if (!table.connectionId) return { checked: false as const, reason: "No connection is linked to this table", columns: [] };
    const rows = await ctx.db.sql<{ key: string; values: Record<string, string> }[]>`select key, values from lookup_rows where table_id = ${input.tableId}`;
    const columns = [];
    for (const column of table.columns.filter((c) => c.picker)) {
      try {
        const options = await loadPicker(ctx.db, ctx.workspaceId, table.connectionId, column.picker!);
        const valid = new Set(options.map((o) => o.value));
        columns.push({
          column: column.name,
          options,
          unknown: rows.filter((r) => r.values[column.name] && !valid.has(r.values[column.name]!)).map((r) => ({ key: r.key, value: r.values[column.name]! })),
        });
      } catch (error) {
        columns.push({ column: column.name, options: [], unknown: [], error: (error as Error).message });
      }
    }
    return { checked: true as const, columns };
  }),

  /** Values runs could not map (open review items), with how many runs wait on each. */
  unmapped: workspaceProcedure.input(z.object({ tableId: id })).query(async ({ ctx, input }) => {
    return ctx.db.sql<{ value: string; runs: number; reviewIds: string[] }[]>`
      select m.value, count(*)::int as runs, array_agg(i.id::text) as "reviewIds"
      from review_items i, jsonb_array_elements_text(i.details->'missing') as m(value)
      where i.workspace_id = ${ctx.workspaceId} and i.status = 'open' and i.reason_code = 'lookup_miss' and i.details->>'tableId' = ${input.tableId}
      group by m.value order by runs desc`;
  }),
});
