/**
 * The idempotency ledger: one row per (workspace, system, business key) of a write.
 *
 * States: pending (an attempt claimed the key; its outcome is unknown until it ends), done (the
 * write happened; `result` is what downstream nodes read back), failed (the write definitely did
 * not happen; a later attempt or replay may claim it again).
 *
 * A pending key is granted to one attempt: the run lease (fencing token) that claimed it, not the
 * run id. While that lease is alive, every other attempt waits. Once it is gone (the holder ended,
 * was released at shutdown, or was paused past its expiry), the next attempt takes the key over
 * with `previousOutcomeUnknown`, and the node reads back from the remote system before it sends
 * anything. Every transition is conditional on the caller's own lease: a stale holder changes nothing.
 */
import { jsonb, type Db } from "../db/client";
import { LeaseLostError, type RunLeaseRef } from "./executor/lease";

export interface LedgerEntry {
  status: "pending" | "done" | "failed";
  result: unknown;
  lastRunId: string;
  leaseToken: string | null;
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

/** Claim a key for this attempt, atomically, in one statement. */
export async function claim(db: Db, key: LedgerKey, lease: RunLeaseRef, nodeType: string): Promise<ClaimResult> {
  const [row] = await db.sql<{ held: boolean; claimed: boolean; status: string | null; result: unknown; last_run_id: string | null }[]>`
    with holder as (
      select 1 from runs where id = ${lease.runId} and lease_token = ${lease.token} and lease_expires_at > now()
    ), claimed as (
      insert into idempotency_ledger (workspace_id, system, business_key, status, node_type, first_run_id, last_run_id, lease_token)
      select ${key.workspaceId}, ${key.system}, ${key.businessKey}, 'pending', ${nodeType}, ${lease.runId}, ${lease.runId}, ${lease.token}
      from holder
      on conflict (workspace_id, system, business_key) do update
        set status = 'pending', last_run_id = excluded.last_run_id, lease_token = excluded.lease_token,
            attempts = idempotency_ledger.attempts + 1, updated_at = now()
        where idempotency_ledger.status = 'failed'
           or (idempotency_ledger.status = 'pending'
               and (idempotency_ledger.lease_token is null
                    or idempotency_ledger.lease_token = excluded.lease_token
                    or not exists (select 1 from runs r where r.id = idempotency_ledger.last_run_id and r.lease_token = idempotency_ledger.lease_token
                                   and r.lease_expires_at > now())))
      returning 1
    )
    select exists (select 1 from holder) as held, exists (select 1 from claimed) as claimed,
           l.status, l.result, l.last_run_id::text
    from (select 1) one
    left join idempotency_ledger l
      on l.workspace_id = ${key.workspaceId} and l.system = ${key.system} and l.business_key = ${key.businessKey}`;
  if (!row?.held) throw new LeaseLostError(lease.runId);
  // `status` is the row as it was before this statement.
  if (row.claimed) return { kind: "claimed", previousOutcomeUnknown: row.status === "pending" };
  if (row.status === "done") return { kind: "done", result: row.result };
  return { kind: "busy", runId: row.last_run_id ?? "unknown" };
}

/** The write happened. Refused (LeaseLostError) when this attempt no longer holds the key. */
export async function markDone(db: Db, key: LedgerKey, lease: RunLeaseRef, result: unknown): Promise<void> {
  const rows = await db.sql`
    update idempotency_ledger set status = 'done', result = ${jsonb(result)}::text::jsonb, updated_at = now()
    where workspace_id = ${key.workspaceId} and system = ${key.system} and business_key = ${key.businessKey}
      and status = 'pending' and lease_token = ${lease.token}
      and exists (select 1 from runs where id = ${lease.runId} and lease_token = ${lease.token} and lease_expires_at > now())
    returning 1`;
  if (rows.length === 0) throw new LeaseLostError(lease.runId);
}

/** The write definitely did not happen: the key may be claimed again. */
export async function markFailed(db: Db, key: LedgerKey, lease: RunLeaseRef): Promise<void> {
  await db.sql`
    update idempotency_ledger set status = 'failed', updated_at = now()
    where workspace_id = ${key.workspaceId} and system = ${key.system} and business_key = ${key.businessKey}
      and status = 'pending' and lease_token = ${lease.token}
      and exists (select 1 from runs where id = ${lease.runId} and lease_token = ${lease.token} and lease_expires_at > now())`;
}

export async function readEntry(db: Db, key: LedgerKey): Promise<LedgerEntry | undefined> {
  const [row] = await db.sql<{ status: LedgerEntry["status"]; result: unknown; last_run_id: string; lease_token: string | null; attempts: number; updated_at: Date }[]>`
    select status, result, last_run_id::text, lease_token::text, attempts, updated_at from idempotency_ledger
    where workspace_id = ${key.workspaceId} and system = ${key.system} and business_key = ${key.businessKey}`;
  return row
    ? { status: row.status, result: row.result, lastRunId: row.last_run_id, leaseToken: row.lease_token, attempts: row.attempts, updatedAt: row.updated_at }
    : undefined;
}
