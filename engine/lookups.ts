/**
 * Mapping tables (called "lookup" tables in the code): list with row counts and where they are
 * used, rows CRUD, paste and CSV import (preview with per-row errors first, nothing written until
 * confirmed), CSV export, values checked against the live lists of a connection, unmapped values
 * found by runs. Every query filters by workspace; a table's connection must belong to the same
 * workspace. Every change writes an audit event.
 */
import Papa from "papaparse";
import { z } from "zod";
import type { Db } from "../db/client";
import { jsonb } from "../db/client";
import { recordAudit, changes, SYSTEM_ACTOR, type Actor } from "./audit";
import { loadPicker } from "./connection-actions";
import type { ReviewStatus } from "./status";

export const lookupColumnSchema = z.object({
  name: z.string().trim().min(1).max(64).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "column names use letters, digits and _"),
  label: z.string().trim().min(1).max(120),
  /** Picker of the table's connection that lists valid values (e.g. "departments"). */
  picker: z.string().optional(),
});
export const lookupKindSchema = z.enum(["dimension", "gl_account", "cost_center", "tax_gl", "custom"]);
export const lookupRowSchema = z.object({ key: z.string().trim().min(1, "the key is empty").max(500), values: z.record(z.string(), z.string()) });

export type LookupColumn = z.infer<typeof lookupColumnSchema>;
type Column = LookupColumn;
type Row = z.infer<typeof lookupRowSchema>;

/** A mistake the person can fix (a name taken, a key twice): the router answers 400 with it. */
export class LookupError extends Error {}

export interface LookupTable {
  id: string;
  name: string;
  kind: string;
  description: string;
  keyLabel: string;
  columns: Column[];
  connectionId: string | null;
}

export async function tableOf(db: Db, workspaceId: string, tableId: string): Promise<LookupTable> {
  const [table] = await db.sql<LookupTable[]>`
    select id::text, name, kind, description, key_label as "keyLabel", columns, connection_id::text as "connectionId"
    from lookup_tables where id = ${tableId} and workspace_id = ${workspaceId}`;
  if (!table) throw new LookupError("mapping table not found");
  return table;
}

/** A table may link only a connection of its own workspace. */
async function checkConnection(db: Db, workspaceId: string, connectionId: string | null | undefined): Promise<void> {
  if (!connectionId) return;
  const rows = await db.sql`select 1 from connections where id = ${connectionId} and workspace_id = ${workspaceId}`;
  if (rows.length === 0) throw new LookupError("connection not found");
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

export async function listTables(db: Db, workspaceId: string) {
  const tables = await db.sql<(LookupTable & { rowCount: number; updatedAt: Date })[]>`
    select t.id::text, t.name, t.kind, t.description, t.key_label as "keyLabel", t.columns, t.connection_id::text as "connectionId",
           (select count(*)::int from lookup_rows r where r.table_id = t.id and r.workspace_id = t.workspace_id) as "rowCount", t.updated_at as "updatedAt"
    from lookup_tables t where t.workspace_id = ${workspaceId} order by t.name`;
  // Where used: flows whose latest version refers to the table id.
  const flows = await db.sql<{ id: string; name: string; definition: string }[]>`
    select f.id::text, f.name, v.definition::text as definition
    from flows f join flow_versions v on v.flow_id = f.id and v.version = f.latest_version and v.workspace_id = f.workspace_id
    where f.workspace_id = ${workspaceId}`;
  const unmapped = await db.sql<{ tableId: string; n: number }[]>`
    select details->>'tableId' as "tableId", count(*)::int as n from review_items
    where workspace_id = ${workspaceId} and status = ${"open" satisfies ReviewStatus} and reason_code = 'lookup_miss' group by 1`;
  return tables.map((t) => ({
    ...t,
    usedBy: flows.filter((f) => f.definition.includes(t.id)).map((f) => ({ id: f.id, name: f.name })),
    openReviews: unmapped.find((u) => u.tableId === t.id)?.n ?? 0,
  }));
}

export async function getTable(db: Db, workspaceId: string, tableId: string) {
  const table = await tableOf(db, workspaceId, tableId);
  const rows = await db.sql<{ key: string; values: Record<string, string>; updatedAt: Date }[]>`
    select key, values, updated_at as "updatedAt" from lookup_rows where table_id = ${tableId} and workspace_id = ${workspaceId} order by key`;
  return { table, rows };
}

export interface NewTable {
  name: string;
  kind: z.infer<typeof lookupKindSchema>;
  description: string;
  keyLabel: string;
  columns: Column[];
  connectionId?: string | null;
}

export async function createTable(db: Db, workspaceId: string, input: NewTable, actor: Actor = SYSTEM_ACTOR): Promise<{ id: string }> {
  await checkConnection(db, workspaceId, input.connectionId);
  try {
    return await db.sql.begin(async (tx) => {
      const [row] = await tx<{ id: string }[]>`
        insert into lookup_tables (workspace_id, name, kind, description, key_label, columns, connection_id)
        values (${workspaceId}, ${input.name}, ${input.kind}, ${input.description}, ${input.keyLabel}, ${jsonb(input.columns)}::text::jsonb, ${input.connectionId ?? null})
        returning id::text`;
      await recordAudit(tx, workspaceId, actor, { action: "lookup_table.created", entityType: "lookup_table", entityId: row!.id, data: { ...input } });
      return { id: row!.id };
    });
  } catch (error) {
    if ((error as { code?: string }).code === "23505") throw new LookupError(`A mapping table named "${input.name}" already exists`);
    throw error;
  }
}

export interface TablePatch {
  name?: string;
  description?: string;
  keyLabel?: string;
  columns?: Column[];
  /** undefined: unchanged; null: unlink. */
  connectionId?: string | null;
}

export async function updateTable(db: Db, workspaceId: string, tableId: string, patch: TablePatch, actor: Actor = SYSTEM_ACTOR): Promise<void> {
  const before = await tableOf(db, workspaceId, tableId);
  await checkConnection(db, workspaceId, patch.connectionId);
  try {
    await db.sql.begin(async (tx) => {
      await tx`
        update lookup_tables set name = coalesce(${patch.name ?? null}, name), description = coalesce(${patch.description ?? null}, description),
               key_label = coalesce(${patch.keyLabel ?? null}, key_label),
               columns = coalesce(${patch.columns ? jsonb(patch.columns) : null}::text::jsonb, columns),
               connection_id = ${patch.connectionId === undefined ? tx`connection_id` : patch.connectionId}, updated_at = now()
        where id = ${tableId} and workspace_id = ${workspaceId}`;
      await recordAudit(tx, workspaceId, actor, { action: "lookup_table.updated", entityType: "lookup_table", entityId: tableId, data: { changes: changes({ ...before }, { ...patch }) } });
    });
  } catch (error) {
    if ((error as { code?: string }).code === "23505") throw new LookupError(`A mapping table named "${patch.name}" already exists`);
    throw error;
  }
}

export async function deleteTable(db: Db, workspaceId: string, tableId: string, actor: Actor = SYSTEM_ACTOR): Promise<void> {
  await db.sql.begin(async (tx) => {
    const rows = await tx<{ name: string }[]>`delete from lookup_tables where id = ${tableId} and workspace_id = ${workspaceId} returning name`;
    if (rows.length === 0) throw new LookupError("mapping table not found");
    await recordAudit(tx, workspaceId, actor, { action: "lookup_table.deleted", entityType: "lookup_table", entityId: tableId, data: { name: rows[0]!.name } });
  });
}

/** Insert or edit one row; `originalKey` renames a row's key. */
export async function upsertRow(db: Db, workspaceId: string, tableId: string, row: Row, originalKey: string | undefined, actor: Actor = SYSTEM_ACTOR): Promise<void> {
  await tableOf(db, workspaceId, tableId);
  await db.sql.begin(async (tx) => {
    const [previous] = await tx<{ values: Record<string, string> }[]>`
      select values from lookup_rows where table_id = ${tableId} and workspace_id = ${workspaceId} and key = ${originalKey ?? row.key}`;
    if (originalKey !== undefined && originalKey !== row.key) {
      const clash = await tx`select 1 from lookup_rows where table_id = ${tableId} and workspace_id = ${workspaceId} and key = ${row.key}`;
      if (clash.length > 0) throw new LookupError(`The key "${row.key}" is already in the table`);
      await tx`delete from lookup_rows where table_id = ${tableId} and workspace_id = ${workspaceId} and key = ${originalKey}`;
    }
    await tx`
      insert into lookup_rows (workspace_id, table_id, key, values) values (${workspaceId}, ${tableId}, ${row.key}, ${jsonb(row.values)}::text::jsonb)
      on conflict (table_id, key) do update set values = excluded.values, updated_at = now()`;
    await tx`update lookup_tables set updated_at = now() where id = ${tableId} and workspace_id = ${workspaceId}`;
    await recordAudit(tx, workspaceId, actor, {
      action: previous ? "lookup_row.updated" : "lookup_row.created",
      entityType: "lookup_table",
      entityId: tableId,
      data: { key: row.key, ...(originalKey !== undefined && originalKey !== row.key ? { renamedFrom: originalKey } : {}), changes: changes(previous?.values ?? {}, row.values) },
    });
  });
}

export async function deleteRows(db: Db, workspaceId: string, tableId: string, keys: string[], actor: Actor = SYSTEM_ACTOR): Promise<number> {
  return db.sql.begin(async (tx) => {
    const deleted = await tx<{ key: string }[]>`
      delete from lookup_rows where table_id = ${tableId} and workspace_id = ${workspaceId} and key = any(${keys}) returning key`;
    if (deleted.length > 0) {
      await tx`update lookup_tables set updated_at = now() where id = ${tableId} and workspace_id = ${workspaceId}`;
      await recordAudit(tx, workspaceId, actor, { action: "lookup_row.deleted", entityType: "lookup_table", entityId: tableId, data: { keys: deleted.map((d) => d.key) } });
    }
    return deleted.length;
  });
}

/** Write many rows at once (a pasted block or a confirmed CSV import). All or nothing. */
export async function importRows(db: Db, workspaceId: string, tableId: string, rows: Row[], mode: "merge" | "replace", actor: Actor = SYSTEM_ACTOR): Promise<number> {
  await tableOf(db, workspaceId, tableId);
  const keys = new Set<string>();
  for (const row of rows) {
    if (keys.has(row.key)) throw new LookupError(`The key "${row.key}" appears twice`);
    keys.add(row.key);
  }
  await db.sql.begin(async (tx) => {
    const removed = mode === "replace" ? (await tx`delete from lookup_rows where table_id = ${tableId} and workspace_id = ${workspaceId} returning key`).length : 0;
    // One statement for every row (keys are unique, checked above): one round trip, and one move
    // of the workspace's mapping version (migration 0023) instead of one per row.
    if (rows.length > 0) {
      await tx`
        insert into lookup_rows (workspace_id, table_id, key, values)
        select ${workspaceId}, ${tableId}, r.key, r.values from jsonb_to_recordset(${jsonb(rows)}::text::jsonb) as r(key text, values jsonb)
        on conflict (table_id, key) do update set values = excluded.values, updated_at = now()`;
    }
    await tx`update lookup_tables set updated_at = now() where id = ${tableId} and workspace_id = ${workspaceId}`;
    await recordAudit(tx, workspaceId, actor, { action: "lookup_rows.imported", entityType: "lookup_table", entityId: tableId, data: { mode, written: rows.length, removed, keys: rows.slice(0, 100).map((r) => r.key) } });
  });
  return rows.length;
}

/** Parse a CSV and show what would be written, with per-row errors. Writes nothing. */
export async function previewCsv(db: Db, workspaceId: string, tableId: string, csv: string) {
  const table = await tableOf(db, workspaceId, tableId);
  const preview = parseCsv(csv, table);
  const existing = await db.sql<{ key: string }[]>`select key from lookup_rows where table_id = ${tableId} and workspace_id = ${workspaceId}`;
  const known = new Set(existing.map((r) => r.key));
  return { ...preview, rows: preview.rows.map((r) => ({ ...r, change: known.has(r.key) ? ("update" as const) : ("insert" as const) })) };
}

export async function exportCsv(db: Db, workspaceId: string, tableId: string) {
  const { table, rows } = await getTable(db, workspaceId, tableId);
  const csv = Papa.unparse({
    fields: [table.keyLabel, ...table.columns.map((c) => c.label)],
    data: rows.map((r) => [r.key, ...table.columns.map((c) => r.values[c.name] ?? "")]),
  });
  return { filename: `${table.name.replace(/[^\w-]+/g, "_")}.csv`, csv };
}

/** Values not in the connection's live lists (unknown department, cost center...). */
export async function checkTable(db: Db, workspaceId: string, tableId: string) {
  const { table, rows } = await getTable(db, workspaceId, tableId);
  if (!table.connectionId) return { checked: false as const, reason: "No connection is linked to this table", columns: [] };
  const columns = [];
  for (const column of table.columns.filter((c) => c.picker)) {
    try {
      const options = await loadPicker(db, workspaceId, table.connectionId, column.picker!);
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
}

/** Values runs could not map (open review items), with how many runs wait on each. */
export async function unmappedValues(db: Db, workspaceId: string, tableId: string) {
  return db.sql<{ value: string; runs: number; reviewIds: string[] }[]>`
    select m.value, count(*)::int as runs, array_agg(i.id::text) as "reviewIds"
    from review_items i, jsonb_array_elements_text(i.details->'missing') as m(value)
    where i.workspace_id = ${workspaceId} and i.status = ${"open" satisfies ReviewStatus} and i.reason_code = 'lookup_miss' and i.details->>'tableId' = ${tableId}
    group by m.value order by runs desc`;
}
