/**
 * The process's Better Auth instance (engine/auth/better-auth.ts), on the process's database.
 */
import "server-only";
import { getDb } from "../../../db/client";
import { createAuth, type LedgerlineAuth } from "../../../engine/auth/better-auth";

const globalForAuth = globalThis as unknown as { __ledgerlineAuth?: LedgerlineAuth };

export function getAuth(): LedgerlineAuth {
  if (!globalForAuth.__ledgerlineAuth) globalForAuth.__ledgerlineAuth = createAuth(getDb());
  return globalForAuth.__ledgerlineAuth;
}
