/**
 * Reconciliation of a tax flow for one day: the source system's documents, what was posted for
 * each (by its key, read from the target system itself), the tax engine's current total against
 * the posted total, and the gaps.
 *
 * Glossary
 * - document: a source record the flow should post for (an Exact sales invoice, not a draft),
 *   named by its tax document code (`EXACT-<division>-<InvoiceID>`).
 * - in force: the journal entries for a document that are neither reversals nor reversed.
 * - gap: `parked_for_review` (a run waits in the review queue), `missing` (nothing in force),
 *   `duplicated` (more than one entry in force), `amount_mismatch` (the posted tax differs from
 *   the tax engine's current total by a cent or more). One gap per document, in that order.
 *
 * Bounded: at most MAX_SOURCE_PAGES pages of the source and MAX_DOCUMENTS documents per report;
 * the report says when it stopped early. Everything is read through the connectors' clients.
 */
import { Redactor, type Logger } from "../../connectors/sdk";
import type { AvalaraClient } from "../../connectors/avalara/client";
import type { ExactClient } from "../../connectors/exact/client";
import type { Db } from "../../db/client";
import { jsonb } from "../../db/client";
import { buildEnv, loadConnection } from "../connections";
import { parseFlowDefinition, type FlowDefinition } from "../flow/schema";
import { EXACT_OFFSET_ACCOUNT } from "../templates/exact-avalara-journal";

export const MAX_SOURCE_PAGES = 10;
export const MAX_DOCUMENTS = 500;

export const GAP_KINDS = ["parked_for_review", "missing", "duplicated", "amount_mismatch"] as const;
export type GapKind = (typeof GAP_KINDS)[number];

export interface ReportDocument {
  /** The tax document code. */
  document: string;
  /** The flow's record key for it (what runs and replays use). */
  recordKey: string;
  label: string;
  /** The source version the report saw (Exact's Modified). */
  version: string;
  entriesInForce: number;
  /** Entry ids in force, for the person checking. */
  entryIds: string[];
  postedTax: number | null;
  currentTax: number | null;
  gap: GapKind | null;
  /** The latest run for the record, if any. */
  runId: string | null;
  runStatus: string | null;
  /** What a replay starts a run with when no run exists yet. */
  record: { key: string; version: string; label: string; data: Record<string, unknown> };
}

export interface ReportSummary {
  seen: number;
  posted: number;
  gaps: Record<GapKind, number>;
  truncated: boolean;
  postedTax: number;
  currentTax: number;
}

export interface Report {
  flowId: string;
  day: string;
  generatedAt: Date;
  summary: ReportSummary;
  documents: ReportDocument[];
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const cents = (n: number) => Math.round(n * 100);

interface Profile {
  exactConnectionId: string;
  avalaraConnectionId: string;
  companyCode: string;
  documentType: string;
}

/** Which flows can be reconciled: a trigger on Exact sales invoices, an Avalara document and Exact tax postings. */
export function reconciliationProfile(definition: FlowDefinition): Profile | undefined {
  const trigger = definition.nodes.find((n) => n.type.startsWith("exact.salesInvoice"));
  const sync = definition.nodes.find((n) => n.type === "avalara.syncDocument" || n.type === "avalara.createTransaction");
  const post = definition.nodes.find((n) => n.type === "exact.syncTaxJournal");
  if (!trigger?.connectionId || !sync?.connectionId || !post) return undefined;
  const config = (sync.config ?? {}) as { companyCode?: string; documentType?: string };
  return { exactConnectionId: trigger.connectionId, avalaraConnectionId: sync.connectionId, companyCode: config.companyCode ?? "DEFAULT", documentType: config.documentType ?? "SalesInvoice" };
}

async function clientFor<T>(db: Db, workspaceId: string, connectionId: string): Promise<T> {
  const connection = await loadConnection(db, workspaceId, connectionId);
  return connection.connector.createClient(buildEnv(db, connection, { log: quiet, signal: AbortSignal.timeout(120_000), redactor: new Redactor() })) as T;
}

export async function activeDefinition(db: Db, workspaceId: string, flowId: string): Promise<FlowDefinition> {
  const [flow] = await db.sql<{ definition: unknown }[]>`
    select v.definition from flows f
    join flow_versions v on v.id = coalesce(f.active_version_id, (select id from flow_versions where flow_id = f.id order by version desc limit 1))
    where f.id = ${flowId} and f.workspace_id = ${workspaceId}`;
  if (!flow) throw new Error("flow not found");
  return parseFlowDefinition(flow.definition);
}

/** The journal lines in force for a document: reversals and the entries they reverse cancel out. */
function inForce(lines: { EntryID?: string | null; Notes?: string | null; GLAccountCode?: string | null; AmountFC?: number | null }[]) {
  const reversed = new Set(lines.map((l) => /\|reverses=([0-9a-f-]{36})/i.exec(l.Notes ?? "")?.[1]?.toLowerCase()).filter(Boolean));
  const entries = new Map<string, typeof lines>();
  for (const l of lines) if (l.EntryID) entries.set(l.EntryID, [...(entries.get(l.EntryID) ?? []), l]);
  const live = [...entries.entries()].filter(([id, ls]) => !reversed.has(id.toLowerCase()) && !/\|reverses=/.test(ls[0]!.Notes ?? ""));
  // The posted tax is what the offset account carries net of every entry and reversal.
  const offset = lines.filter((l) => l.GLAccountCode === EXACT_OFFSET_ACCOUNT).reduce((s, l) => s + cents(l.AmountFC ?? 0), 0);
  return { entryIds: live.map(([id]) => id), postedCents: offset };
}

export async function buildReport(db: Db, workspaceId: string, flowId: string, day: string): Promise<Report> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error("day must be YYYY-MM-DD");
  const definition = await activeDefinition(db, workspaceId, flowId);
  const profile = reconciliationProfile(definition);
  if (!profile) throw new Error("This flow cannot be reconciled: it needs an Exact sales invoice trigger, an Avalara document and Exact tax postings.");
  const exact = await clientFor<ExactClient>(db, workspaceId, profile.exactConnectionId);
  const avalara = await clientFor<AvalaraClient>(db, workspaceId, profile.avalaraConnectionId);

  // 1. Source: invoices changed on `day`, through the sync endpoint, page by page.
  let timestamp = await exact.syncTimestamp(day);
  const latest = new Map<string, { invoiceId: string; number: number | null; status: number | null; modified: string; timestamp: bigint }>();
  let truncated = false;
  for (let page = 0; ; page++) {
    if (page >= MAX_SOURCE_PAGES) {
      truncated = true;
      break;
    }
    const { rows, more } = await exact.syncSalesInvoices(timestamp);
    for (const row of rows) {
      const ts = BigInt(row.timestamp);
      if (ts > BigInt(timestamp)) timestamp = row.timestamp;
      const modified = row.modified ?? "";
      if (modified.slice(0, 10) !== day) continue;
      const seen = latest.get(row.invoiceId);
      if (!seen || seen.timestamp < ts) latest.set(row.invoiceId, { invoiceId: row.invoiceId, number: row.invoiceNumber, status: row.status, modified, timestamp: ts });
    }
    if (!more) break;
  }
  // Drafts can still change and are never posted.
  let invoices = [...latest.values()].filter((i) => i.status !== 10);
  if (invoices.length > MAX_DOCUMENTS) {
    invoices = invoices.slice(0, MAX_DOCUMENTS);
    truncated = true;
  }

  // 2. Our side: the latest run per record and open review items.
  const recordKeys = invoices.map((i) => `exact:${exact.division}:${i.invoiceId}`);
  const runs = await db.sql<{ record_key: string; id: string; status: string; review: boolean }[]>`
    select distinct on (r.record_key) r.record_key, r.id::text, r.status,
           exists (select 1 from review_items i where i.run_id = r.id and i.status = 'open') as review
    from runs r where r.workspace_id = ${workspaceId} and r.flow_id = ${flowId} and r.record_key = any(${recordKeys}::text[])
    order by r.record_key, r.created_at desc`;
  const runOf = new Map(runs.map((r) => [r.record_key, r]));

  // 3. Per document: the postings in force in Exact and Avalara's current total.
  const documents: ReportDocument[] = [];
  for (const inv of invoices) {
    const document = `EXACT-${exact.division}-${inv.invoiceId}`;
    const recordKey = `exact:${exact.division}:${inv.invoiceId}`;
    const lines = await exact.listJournalLinesByNotes(`tax:${document}|`);
    const { entryIds, postedCents } = inForce(lines);
    let current = await avalara.getTransactionByCode({ companyCode: profile.companyCode, code: document, documentType: profile.documentType });
    if (!current && profile.documentType === "SalesInvoice") {
      current = await avalara.getTransactionByCode({ companyCode: profile.companyCode, code: document, documentType: "ReturnInvoice" });
    }
    const voided = current && /void|cancel|deleted/i.test(String((current as { status?: string }).status ?? ""));
    const currentCents = current && !voided ? cents(Number((current as { totalTax?: number }).totalTax ?? 0)) : 0;
    const run = runOf.get(recordKey);
    let gap: GapKind | null = null;
    if (run?.review) gap = "parked_for_review";
    else if (entryIds.length === 0 && currentCents !== 0) gap = "missing";
    else if (entryIds.length === 0 && !current) gap = "missing";
    else if (entryIds.length > 1) gap = "duplicated";
    else if (Math.abs(postedCents - currentCents) >= 1) gap = "amount_mismatch";
    const label = inv.number ? `Invoice ${inv.number}` : `Invoice ${inv.invoiceId}`;
    documents.push({
      document,
      recordKey,
      label,
      version: inv.modified,
      entriesInForce: entryIds.length,
      entryIds,
      postedTax: entryIds.length ? postedCents / 100 : null,
      currentTax: current ? currentCents / 100 : null,
      gap,
      runId: run?.id ?? null,
      runStatus: run?.status ?? null,
      record: { key: recordKey, version: inv.modified, label, data: { division: exact.division, invoiceId: inv.invoiceId, action: "Sync", eventCreatedOn: inv.modified } },
    });
  }
  const gaps = Object.fromEntries(GAP_KINDS.map((k) => [k, documents.filter((d) => d.gap === k).length])) as Record<GapKind, number>;
  const summary: ReportSummary = {
    seen: documents.length,
    posted: documents.filter((d) => d.entriesInForce > 0).length,
    gaps,
    truncated,
    postedTax: documents.reduce((s, d) => s + cents(d.postedTax ?? 0), 0) / 100,
    currentTax: documents.reduce((s, d) => s + cents(d.currentTax ?? 0), 0) / 100,
  };
  return { flowId, day, generatedAt: new Date(), summary, documents };
}

/** Build and keep the report (the latest per flow and day). */
export async function runReport(db: Db, workspaceId: string, flowId: string, day: string): Promise<Report> {
  const report = await buildReport(db, workspaceId, flowId, day);
  await db.sql`
    insert into reconciliation_reports (workspace_id, flow_id, day, generated_at, summary, documents)
    values (${workspaceId}, ${flowId}, ${day}, ${report.generatedAt}, ${jsonb(report.summary)}::text::jsonb, ${jsonb(report.documents)}::text::jsonb)
    on conflict (flow_id, day) do update set generated_at = excluded.generated_at, summary = excluded.summary, documents = excluded.documents`;
  return report;
}
