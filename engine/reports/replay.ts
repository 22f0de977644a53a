/**
 * Replaying a reconciliation gap: the document's latest run is replayed from the start (the record
 * is read again, writes go through the ledger and the target's own postings, so nothing posts
 * twice); a document no run ever saw (a lost notification) gets its first run, with the record the
 * flow's trigger would have produced. Bulk replay covers every gap of one kind in a report.
 */
import type { Db } from "../../db/client";
import { SYSTEM_ACTOR, type Actor } from "../audit";
import { createRuns, replayRun } from "../runs";
import type { GapKind, ReportDocument } from "./reconcile";

async function storedDocuments(db: Db, workspaceId: string, flowId: string, day: string): Promise<ReportDocument[]> {
  const [row] = await db.sql<{ documents: ReportDocument[] }[]>`
    select documents from reconciliation_reports where workspace_id = ${workspaceId} and flow_id = ${flowId} and day = ${day}`;
  if (!row) throw new Error("report not found");
  return row.documents;
}

async function replayDocument(db: Db, workspaceId: string, flowId: string, doc: ReportDocument, actor: Actor, enqueue: boolean): Promise<string> {
  if (doc.runId) return replayRun(db, workspaceId, doc.runId, { from: "start", version: "latest", actor });
  const [flow] = await db.sql<{ version_id: string }[]>`
    select coalesce(active_version_id, (select id from flow_versions v where v.flow_id = f.id order by version desc limit 1))::text as version_id
    from flows f where f.id = ${flowId} and f.workspace_id = ${workspaceId}`;
  if (!flow?.version_id) throw new Error("flow not found");
  const { created } = await db.sql.begin((tx) =>
    createRuns(tx, { workspaceId, flowId, versionId: flow.version_id, triggerKind: "manual" }, [doc.record], { enqueue }),
  );
  if (!created[0]) throw new Error(`${doc.label}: a run for this version exists already; replay it from the runs list`);
  return created[0];
}

export interface ReplayOptions {
  actor?: Actor;
  /** Queue the new runs for the workers (default); tests execute them themselves. */
  enqueue?: boolean;
}

export async function replayGap(db: Db, workspaceId: string, flowId: string, day: string, document: string, options: ReplayOptions = {}): Promise<string> {
  const doc = (await storedDocuments(db, workspaceId, flowId, day)).find((d) => d.document === document);
  if (!doc) throw new Error("document not found in this report");
  if (!doc.gap) throw new Error(`${doc.label} has no gap to replay`);
  if (doc.gap === "awaiting_approval") throw new Error(`${doc.label} waits for an approver: approve or reject it on the Approvals page`);
  return replayDocument(db, workspaceId, flowId, doc, options.actor ?? SYSTEM_ACTOR, options.enqueue ?? true);
}

export async function replayGapKind(db: Db, workspaceId: string, flowId: string, day: string, kind: Exclude<GapKind, "awaiting_approval">, options: ReplayOptions = {}) {
  const docs = (await storedDocuments(db, workspaceId, flowId, day)).filter((d) => d.gap === kind);
  const runIds: string[] = [];
  const errors: { document: string; message: string }[] = [];
  for (const doc of docs) {
    try {
      runIds.push(await replayDocument(db, workspaceId, flowId, doc, options.actor ?? SYSTEM_ACTOR, options.enqueue ?? true));
    } catch (error) {
      errors.push({ document: doc.document, message: (error as Error).message });
    }
  }
  return { runIds, errors };
}
