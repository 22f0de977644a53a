/**
 * One database handle per process: drizzle (typed queries) and `sql` (postgres.js tagged
 * templates for the engine's hot paths and SQL functions such as graphile_worker.add_job).
 *
 * Why two pools: drizzle replaces the postgres.js type parsers and serializers of the client it
 * is given (dates and json pass through as text), so raw queries get a client of their own with
 * the driver's normal types.
 */
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { requireDatabaseUrl } from "./env";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema> & { sql: postgres.Sql; close(): Promise<void> };

export function createDb(url: string, options: { max?: number } = {}): Db {
  const max = options.max ?? 10;
  const orm = postgres(url, { max: Math.max(1, Math.ceil(max / 2)), onnotice: () => undefined });
  const sql = postgres(url, { max, onnotice: () => undefined });
  const db = drizzle(orm, { schema }) as unknown as Db;
  db.sql = sql;
  db.close = async () => {
    await Promise.all([orm.end(), sql.end()]);
  };
  return db;
}

const globalForDb = globalThis as unknown as { __ledgerlineDb?: Db };

/** The process-wide handle, created on first use from DATABASE_URL. */
export function getDb(): Db {
  if (!globalForDb.__ledgerlineDb) globalForDb.__ledgerlineDb = createDb(requireDatabaseUrl());
  return globalForDb.__ledgerlineDb;
}

/**
 * SQL condition (always true) that lets the statement's transaction commit without waiting for its
 * WAL to reach the disk (`synchronous_commit = off` for this transaction only). Only for state
 * whose loss in a database crash is harmless, because every later durable commit (WAL is flushed
 * in order) makes it durable too: each use says why it qualifies.
 */
export function lazyCommit(sql: postgres.Sql) {
  return sql`set_config('synchronous_commit', 'off', true) is not null`;
}

/** A value for a jsonb parameter: write `${jsonb(value)}::text::jsonb` in SQL. */
export const jsonb = (value: unknown): string => JSON.stringify(value ?? null);

export { schema };
