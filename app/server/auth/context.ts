/**
 * The request context: who is asking (session cookie or API token) and for which workspace.
 * Placeholder until sign-in lands: every request is anonymous, so every workspace procedure
 * answers 401. Sign-in replaces this file's body, not its signature.
 */
import "server-only";
import { getDb } from "../../../db/client";
import type { Context } from "../trpc";

export async function createContext(opts: { req: Request }): Promise<Context> {
  void opts;
  return { db: getDb(), caller: null, workspace: null, ip: null };
}
