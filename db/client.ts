/**
 * One database client per process (drizzle on the `postgres` driver).
 */
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { requireDatabaseUrl } from "./env";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

export function createDb(url: string, options: { max?: number } = {}): Db {
  const client = postgres(url, { max: options.max ?? 10, onnotice: () => undefined, prepare: true });
  return drizzle(client, { schema }) as Db;
}

const globalForDb = globalThis as unknown as { __ledgerlineDb?: Db };

/** The process-wide client, created on first use from DATABASE_URL. */
export function getDb(): Db {
  if (!globalForDb.__ledgerlineDb) globalForDb.__ledgerlineDb = createDb(requireDatabaseUrl());
  return globalForDb.__ledgerlineDb;
}

export { schema };
