/**
 * What a reconciliation source gives the report (engine/reports/reconcile.ts): each source
 * document of the day, what the target system holds for it (read from the target itself) and the
 * amount it should hold now. The report decides the gaps the same way for every source.
 */
import { Redactor, type Logger } from "../../../connectors/sdk";
import type { Db } from "../../../db/client";
import { buildEnv, loadConnection } from "../../connections";

export const MAX_SOURCE_PAGES = 10;
export const MAX_DOCUMENTS = 500;

export interface CheckedDocument {
  /** The document's posting key (the tax document code, or the AP bill's key). */
  document: string;
  /** The flow's record key for it (what runs and replays use). */
  recordKey: string;
  label: string;
  /** The source version the report saw. */
  version: string;
  /** Postings in force in the target: neither reversals nor reversed. */
  entryIds: string[];
  /** What the target holds for the document, net of reversals, in cents. */
  postedCents: number;
  /** What it should hold now, in cents; null when the reference system has no such document. */
  expectedCents: number | null;
  /** What a replay starts a run with when no run exists yet. */
  record: { key: string; version: string; label: string; data: Record<string, unknown> };
}

export interface SourceReading {
  documents: CheckedDocument[];
  truncated: boolean;
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
export const cents = (n: number) => Math.round(n * 100);

export async function clientFor<T>(db: Db, workspaceId: string, connectionId: string): Promise<T> {
  const connection = await loadConnection(db, workspaceId, connectionId);
  return connection.connector.createClient(buildEnv(db, connection, { log: quiet, signal: AbortSignal.timeout(120_000), redactor: new Redactor() })) as T;
}

/** An Avalara document's current tax in cents: 0 once voided or cancelled, null when there is none. */
export function avalaraTaxCents(transaction: unknown): number | null {
  if (!transaction) return null;
  const t = transaction as { status?: string; totalTax?: number };
  return /void|cancel|deleted/i.test(String(t.status ?? "")) ? 0 : cents(Number(t.totalTax ?? 0));
}
