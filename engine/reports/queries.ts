/**
 * Reading stored reconciliation reports: the flows that can be reconciled, the summaries over a
 * range of days (the chart), one day's report. Every query filters by workspace.
 */
import type { Db } from "../../db/client";
import { parseFlowDefinition } from "../flow/schema";
import { reconciliationProfile, type Profile, type ReportDocument, type ReportSummary } from "./reconcile";

/** The flows that can be reconciled, with the kind of report (exact, intacct or commerce). */
export async function reconcilableFlows(db: Db, workspaceId: string): Promise<{ id: string; name: string; active: boolean; kind: Profile["kind"] }[]> {
  const rows = await db.sql<{ id: string; name: string; active: boolean; definition: unknown }[]>`
    select f.id::text, f.name, f.active, v.definition from flows f
    join flow_versions v on v.id = coalesce(f.active_version_id, (select id from flow_versions x where x.flow_id = f.id order by version desc limit 1))
    where f.workspace_id = ${workspaceId} order by f.name`;
  return rows.flatMap(({ id, name, active, definition }) => {
    try {
      const profile = reconciliationProfile(parseFlowDefinition(definition));
      return profile ? [{ id, name, active, kind: profile.kind }] : [];
    } catch {
      return [];
    }
  });
}

export async function reportHistory(db: Db, workspaceId: string, flowId: string, days: number) {
  return db.sql<{ day: string; generatedAt: Date; summary: ReportSummary }[]>`
    select day, generated_at as "generatedAt", summary from reconciliation_reports
    where workspace_id = ${workspaceId} and flow_id = ${flowId} and day >= ${new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)}
    order by day`;
}

export async function storedReport(db: Db, workspaceId: string, flowId: string, day: string) {
  const [row] = await db.sql<{ day: string; generatedAt: Date; summary: ReportSummary; documents: ReportDocument[] }[]>`
    select day, generated_at as "generatedAt", summary, documents from reconciliation_reports
    where workspace_id = ${workspaceId} and flow_id = ${flowId} and day = ${day}`;
  if (!row) return null;
  // What a replay would start a run with stays on the server.
  return { ...row, documents: row.documents.map(({ record: _record, ...d }) => d) };
}

/** Every active flow that can be reconciled, across workspaces (the scheduled run). */
export async function scheduledTargets(db: Db): Promise<{ workspaceId: string; flowId: string }[]> {
  const rows = await db.sql<{ workspace_id: string; id: string; definition: unknown }[]>`
    select f.workspace_id::text, f.id::text, v.definition from flows f join flow_versions v on v.id = f.active_version_id where f.active`;
  return rows
    .filter((r) => {
      try {
        return Boolean(reconciliationProfile(parseFlowDefinition(r.definition)));
      } catch {
        return false;
      }
    })
    .map((r) => ({ workspaceId: r.workspace_id, flowId: r.id }));
}
