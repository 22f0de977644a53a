/**
 * Which migrations this build knows and which the database has applied (the health endpoint).
 * Kept apart from bootstrap so the web app does not load the embedded PostgreSQL package.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type postgres from "postgres";

export const migrationsFolder = path.join(process.cwd(), "db", "migrations");

/** Migrations known to this build, and how many the database has applied. */
export async function migrationStatus(sql: postgres.Sql): Promise<{ expected: number; applied: number }> {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  let applied = 0;
  try {
    const rows = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    applied = rows[0]?.n ?? 0;
  } catch {
    applied = 0;
  }
  return { expected: journal.entries.length, applied };
}


/** graphile-worker's schema is in place. */
export async function workerSchemaReady(sql: postgres.Sql): Promise<boolean> {
  const rows = await sql`select 1 from information_schema.tables where table_schema = 'graphile_worker' and table_name = 'jobs'`;
  return rows.length > 0;
}
