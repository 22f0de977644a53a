/**
 * Reconciliation of a flow for one day: the source system's documents, what was posted for each
 * (by its key, read from the target system itself), the amount the books should hold against the
 * amount they hold, and the gaps. Sources (./sources): Exact invoices -> Avalara -> journal in
 * Exact; Intacct sales transactions -> Avalara -> tax through AR in Intacct; Commerce orders ->
 * AP bills in Intacct (the order's grand total against the bill's).
 *
 * Glossary
 * - document: a source record the flow should post for, named by its posting key (the Avalara
 *   document code, `EXACT-<division>-<InvoiceID>` or `INTACCT-SO-<DOCNO>`; the bill number
 *   `COM-<order number>`).
 * - in force: the postings for a document that are neither reversals nor reversed.
 * - gap: `parked_for_review` (a run waits in the review queue), `awaiting_approval` (a run waits
 *   for an approver before its write), `missing` (nothing in force), `duplicated` (more than one
 *   posting in force), `amount_mismatch` (the posted amount differs from what the books should hold
 *   by a cent or more: the tax engine's current total, or the order's grand total). One gap per
 *   document, in that order.
 *
 * Bounded: at most MAX_SOURCE_PAGES pages of the source and MAX_DOCUMENTS documents per report;
 * the report says when it stopped early. Everything is read through the connectors' clients.
 */
import type { Db } from "../../db/client";
import { jsonb } from "../../db/client";
import { parseFlowDefinition, type FlowDefinition } from "../flow/schema";
import { commerceProfile, readCommerce, type CommerceProfile } from "./sources/commerce";
import { exactProfile, readExact, type ExactProfile } from "./sources/exact";
import { intacctProfile, readIntacct, type IntacctProfile } from "./sources/intacct";
import { cents, type SourceReading } from "./sources/types";

export { MAX_DOCUMENTS, MAX_SOURCE_PAGES } from "./sources/types";

export const GAP_KINDS = ["parked_for_review", "awaiting_approval", "missing", "duplicated", "amount_mismatch"] as const;
export type GapKind = (typeof GAP_KINDS)[number];
/** A run awaiting approval is decided on the Approvals page, not replayed. */
export const REPLAYABLE_GAP_KINDS = ["parked_for_review", "missing", "duplicated", "amount_mismatch"] as const satisfies readonly GapKind[];

export interface ReportDocument {
  /** The posting key (tax document code). */
  document: string;
  /** The flow's record key for it (what runs and replays use). */
  recordKey: string;
  label: string;
  /** The source version the report saw (Exact's Modified, Intacct's WHENMODIFIED). */
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

export type Profile = ExactProfile | IntacctProfile | CommerceProfile;

/** Which flows can be reconciled, and how: by their trigger, tax document and posting nodes. */
export function reconciliationProfile(definition: FlowDefinition): Profile | undefined {
  return exactProfile(definition) ?? intacctProfile(definition) ?? commerceProfile(definition);
}

function readSource(db: Db, workspaceId: string, profile: Profile, day: string): Promise<SourceReading> {
  switch (profile.kind) {
    case "exact":
      return readExact(db, workspaceId, profile, day);
    case "intacct":
      return readIntacct(db, workspaceId, profile, day);
    case "commerce":
      return readCommerce(db, workspaceId, profile, day);
  }
}

export async function activeDefinition(db: Db, workspaceId: string, flowId: string): Promise<FlowDefinition> {
  const [flow] = await db.sql<{ definition: unknown }[]>`
    select v.definition from flows f
    join flow_versions v on v.id = coalesce(f.active_version_id, (select id from flow_versions where flow_id = f.id order by version desc limit 1))
    where f.id = ${flowId} and f.workspace_id = ${workspaceId}`;
  if (!flow) throw new Error("flow not found");
  return parseFlowDefinition(flow.definition);
}

export async function buildReport(db: Db, workspaceId: string, flowId: string, day: string): Promise<Report> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error("day must be YYYY-MM-DD");
  const definition = await activeDefinition(db, workspaceId, flowId);
  const profile = reconciliationProfile(definition);
  if (!profile) {
    throw new Error(
      "This flow cannot be reconciled: it needs an Exact sales invoice trigger, an Avalara document and Exact tax postings; an Intacct sales transaction trigger, an Avalara document and tax through AR in Intacct; or a Commerce order trigger and Intacct AP bills.",
    );
  }
  // 1. Source and target, through the connectors.
  const { documents: checked, truncated } = await readSource(db, workspaceId, profile, day);

  // 2. Our side: the latest run per record, open review items and waiting approvals.
  const recordKeys = checked.map((d) => d.recordKey);
  const runs = await db.sql<{ record_key: string; id: string; status: string; review: boolean }[]>`
    select distinct on (r.record_key) r.record_key, r.id::text, r.status,
           exists (select 1 from review_items i where i.run_id = r.id and i.status = 'open') as review
    from runs r where r.workspace_id = ${workspaceId} and r.flow_id = ${flowId} and r.record_key = any(${recordKeys}::text[])
    order by r.record_key, r.created_at desc`;
  const runOf = new Map(runs.map((r) => [r.record_key, r]));

  // 3. Per document, the gap.
  const documents: ReportDocument[] = checked.map((d) => {
    const run = runOf.get(d.recordKey);
    const entries = d.entryIds.length;
    let gap: GapKind | null = null;
    if (run?.review) gap = "parked_for_review";
    else if (run?.status === "awaiting_approval") gap = "awaiting_approval";
    else if (entries === 0 && d.expectedCents !== 0) gap = "missing";
    else if (entries > 1) gap = "duplicated";
    else if (Math.abs(d.postedCents - (d.expectedCents ?? 0)) >= 1) gap = "amount_mismatch";
    return {
      document: d.document,
      recordKey: d.recordKey,
      label: d.label,
      version: d.version,
      entriesInForce: entries,
      entryIds: d.entryIds,
      postedTax: entries ? d.postedCents / 100 : null,
      currentTax: d.expectedCents === null ? null : d.expectedCents / 100,
      gap,
      runId: run?.id ?? null,
      runStatus: run?.status ?? null,
      record: d.record,
    };
  });
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
