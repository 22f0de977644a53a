/**
 * Mapping-table rows as lookup nodes and `$mapping(...)` read them.
 *
 * A run reads each mapping as it was when the run was claimed: the claim returns the workspace's
 * mapping version (`mapping_versions`, moved in the same transaction by every statement that
 * changes a mapping row, from any code path: migration 0023's trigger), and a row this worker
 * read at that version is used again without a statement. A row not kept at that version is read
 * with the version current in the same statement, and kept under that version (not the claim's,
 * which may be older). So a fix to a mapping is seen by every run claimed after it commits
 * (a retry from the review queue, a replay, the next delivery), and a run never mixes rows of two
 * versions it did not read.
 *
 * Keys with no row are kept too (a missing mapping is an answer). At most MAPPING_CACHE_LIMIT rows
 * are kept per process, the oldest dropped first.
 */
import type { Db } from "../../db/client";

export interface MappingRow {
  key: string;
  values: Record<string, string>;
}

/** Rows kept at most in one process. */
export const MAPPING_CACHE_LIMIT = 20_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const kept = new Map<string, { version: string; row: MappingRow | undefined }>();

/** A row as it is now, uncached (the editor's previews). */
export async function lookupRow(db: Db, workspaceId: string, tableId: string, key: string): Promise<MappingRow | undefined> {
  return (await readRow(db, workspaceId, tableId, key))?.row;
}

/**
 * A row for a run claimed at mapping version `version` (see the header): from this process's
 * copy when it was read at that version, else read now.
 */
export async function mappingRowAt(db: Db, workspaceId: string, tableId: string, key: string, version: string): Promise<MappingRow | undefined> {
  const id = `${workspaceId}\u0000${tableId}\u0000${key}`;
  const hit = kept.get(id);
  if (hit && hit.version === version) return hit.row;
  const read = await readRow(db, workspaceId, tableId, key);
  if (!read) return undefined;
  kept.delete(id);
  kept.set(id, read);
  while (kept.size > MAPPING_CACHE_LIMIT) kept.delete(kept.keys().next().value!);
  return read.row;
}

/** The row and the mapping version it belongs to, in one snapshot. */
async function readRow(db: Db, workspaceId: string, tableId: string, key: string) {
  // An expression may pass anything as a table id; only a uuid can name a table.
  if (!UUID.test(tableId)) return undefined;
  const sql = db.sql;
  const [found] = await sql<{ version: string; key: string | null; values: Record<string, string> | null }[]>`
    select ${mappingVersionOf(sql, workspaceId)} as version, r.key, r.values
    from (select 1) one
    left join lookup_rows r on r.workspace_id = ${workspaceId} and r.table_id = ${tableId} and r.key = ${key}`;
  if (!found) return undefined;
  return { version: found.version, row: found.key === null ? undefined : { key: found.key, values: found.values ?? {} } };
}

/** SQL: a workspace's current mapping version (0 until a row first changes), as text. */
export function mappingVersionOf(sql: Db["sql"], workspace: string | ReturnType<typeof sql.unsafe>) {
  return sql`(select coalesce(max(m.version), 0)::text from mapping_versions m where m.workspace_id = ${workspace})`;
}
