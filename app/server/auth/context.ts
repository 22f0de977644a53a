/**
 * The request context: who is asking (session cookie or `Authorization: Bearer <api token>`) and
 * for which workspace (`x-ledgerline-workspace`, else the user's last choice; always checked
 * against membership). The rules are in engine/auth/request.ts.
 */
import "server-only";
import { getDb } from "../../../db/client";
import { resolveRequest } from "../../../engine/auth/request";
import type { Context } from "../trpc";
import { getAuth } from "./auth";

export async function createContext(opts: { req: Request }): Promise<Context> {
  const db = getDb();
  const { caller, workspace, ip } = await resolveRequest(db, getAuth(), opts.req.headers);
  return { db, caller, workspace, ip };
}
