/**
 * The idempotency ledger: one row per (workspace, system, business key) of a write.
 *
 * States: pending (an attempt claimed the key; its outcome is unknown until it ends), done (the
 * write happened; `result` is what downstream nodes read back), failed (the write definitely did
 * not happen; a later attempt or replay may claim it again).
 *
 * A pending key held by another live run makes this attempt wait; a pending key left by this run
 * (timeout, lost response, crash) or by a run that stopped long ago is reconciled before writing.
 */
import { jsonb, type Db } from "../db/client";

export const CLAIM_LEASE_MS = 10 * 60_000;

export interface LedgerEntry {
  status: "pending" | "done" | "failed";
  result: unknown;
  lastRunId: string;
  attempts: number;
  updatedAt: Date;
}

export interface LedgerKey {
  workspaceId: string;
  system: string;
  businessKey: string;
}

export type ClaimResult =
  | { kind: "claimed"; previousOutcomeUnknown: boolean }
  | { kind: "done"; result: unknown }
  | { kind: "busy"; runId: string };

/** Claim a key for this run's attempt, atomically. */
export async function claim(db: Db, key: LedgerKey, runId: string, nodeType: string): Promise<ClaimResult> {
  const sql = db.sql;
  const lease = `${CLAIM_LEASE_MS} milliseconds`;
  const [previous] = await sql<{ status: string; last_run_id: string; stale: boolean }[]>`
    select status, last_run_id::text, updated_at < now() - ${lease}::interval as stale
    from idempotency_ledger
    where workspace_id = ${key.workspaceId} and system = ${key.system} and business_key = ${key.businessKey}`;
  const claimed = await sql<{ attempts: number }[]>`
    insert into idempotency_ledger (workspace_id, system, business_key, status, node_type, first_run_id, last_run_id)
    values (${key.workspaceId}, ${key.system}, ${key.businessKey}, 'pending', ${nodeType}, ${runId}, ${runId})
    on conflict (workspace_id, system, business_key) do update
      set status = 'pending', last_run_id = excluded.last_run_id, attempts = idempotency_ledger.attempts + 1, updated_at = now()
      where idempotency_ledger.status = 'failed'
         or (idempotency_ledger.status = 'pending'
             and (idempotency_ledger.last_run_id = excluded.last_run_id or idempotency_ledger.updated_at < now() - ${lease}::interval))
    returning attempts`;
  if (claimed.length > 0) {
    return { kind: "claimed", previousOutcomeUnknown: previous?.status === "pending" };
  }
  const [current] = await sql<{ status: string; result: unknown; last_run_id: string }[]>`
    select status, result, last_run_id::text from idempotency_ledger
    where workspace_id = ${key.workspaceId} and system = ${key.system} and business_key = ${key.businessKey}`;
  if (current?.status === "done") return { kind: "done", result: current.result };
  return { kind: "busy", runId: current?.last_run_id ?? "unknown" };
}

export async function markDone(db: Db, key: LedgerKey, result: unknown): Promise<void> {
  await db.sql`
    update idempotency_ledger set status = 'done', result = ${jsonb(result)}::text::jsonb, updated_at = now()
    where workspace_id = ${key.workspaceId} and system = ${key.system} and business_key = ${key.businessKey}`;
}

export async function markFailed(db: Db, key: LedgerKey): Promise<void> {
  await db.sql`
    update idempotency_ledger set status = 'failed', updated_at = now()
    where workspace_id = ${key.workspaceId} and system = ${key.system} and business_key = ${key.businessKey}
      and status = 'pending'`;
}

export async function readEntry(db: Db, key: LedgerKey): Promise<LedgerEntry | undefined> {
  const [row] = await db.sql<{ status: LedgerEntry["status"]; result: unknown; last_run_id: string; attempts: number; updated_at: Date }[]>`
    select status, result, last_run_id::text, attempts, updated_at from idempotency_ledger
    where workspace_id = ${key.workspaceId} and system = ${key.system} and business_key = ${key.businessKey}`;
  return row ? { status: row.status, result: row.result, lastRunId: row.last_run_id, attempts: row.attempts, updatedAt: row.updated_at } : undefined;
}
