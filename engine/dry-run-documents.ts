/**
 * Dry run of N documents: the trigger's recent source documents (read live, as Run now lists
 * them; never checkpointed) each dry-run in turn, and per document what would be posted.
 *
 * Every document gets a dry run of its own (engine/flows.ts dryRun): reads and tax quotes happen,
 * writes are rendered by each node's preview and never sent, nothing reaches the idempotency
 * ledger or the review queue. The summary lists, per document, each rendered posting (the nodes
 * that ended as `dry_run`, with what they would post or send), how the run ended (a document
 * that would wait for review says why, and names the values it could not map), and the total each posting would book; the totals are
 * added up per currency over all documents.
 */
import { z } from "zod";
import type { Db } from "../db/client";
import { SYSTEM_ACTOR, type Actor } from "./audit";
import { dryRun } from "./flows";
import { recentSourceRecords } from "./run-input";
import { missingMappings } from "./templates/mapping-check";

export const MAX_DRY_RUN_DOCUMENTS = 10;

export interface DryRunPosting {
  nodeId: string;
  nodeName: string;
  nodeType: string;
  /** What the node's preview renders (a journal, an AR memo, a bill), or the input it would send. */
  wouldPost: unknown;
  /** True when the node has no preview: `wouldPost` is the request it would send, and its branch ends there. */
  rendersInput: boolean;
  /** What the posting books (its total, or its debit total for a journal), in `currency`; null when it names none. */
  total: string | null;
  currency: string | null;
}

export interface DryRunDocument {
  key: string;
  label: string;
  runId: string;
  /** dry_run when it went through; needs_review / failed / skipped say how a real run would end. */
  status: string;
  /** The reason a real run would stop here (an invalid address, an unmapped value...). */
  error: { nodeId: string | null; message: string; missing: { tableId: string; keys: string[] } | null } | null;
  postings: DryRunPosting[];
}

export interface DryRunBatch {
  documents: DryRunDocument[];
  /** Per currency ("" when the postings name none): the sum of the postings' totals. */
  totals: { currency: string; total: string; postings: number }[];
}

const money = z.union([z.string().regex(/^-?\d+(\.\d+)?$/), z.number()]);
const rendered = z.object({ total: money.optional(), totalDebit: money.optional(), currency: z.string().nullish() }).passthrough();
const toCents = (value: string | number) => Math.round(Number(value) * 100);

/** The total and currency a rendered posting names, if any. */
function totalOf(wouldPost: unknown): { total: string | null; currency: string | null } {
  const parsed = rendered.safeParse(wouldPost);
  if (!parsed.success) return { total: null, currency: null };
  const amount = parsed.data.total ?? parsed.data.totalDebit;
  return { total: amount === undefined ? null : (toCents(amount) / 100).toFixed(2), currency: parsed.data.currency ?? null };
}

/** What one dry run would post, read from its node runs. */
export async function summarizeDryRun(db: Db, workspaceId: string, runId: string): Promise<Pick<DryRunDocument, "status" | "error" | "postings">> {
  const [run] = await db.sql<{ status: string; error: { message?: string; reasonCode?: string; details?: unknown } | null; failed_node_id: string | null; definition: { nodes?: { id: string; name?: string }[] } }[]>`
    select r.status, r.error, r.failed_node_id, v.definition
    from runs r join flow_versions v on v.id = r.flow_version_id
    where r.id = ${runId} and r.workspace_id = ${workspaceId}`;
  if (!run) throw new Error("run not found");
  const names = new Map((run.definition.nodes ?? []).map((n) => [n.id, n.name]));
  const rows = await db.sql<{ node_id: string; node_type: string; output: { wouldPost?: unknown; wouldSend?: unknown } | null }[]>`
    select node_id, node_type, output from node_runs where run_id = ${runId} and workspace_id = ${workspaceId} and status = 'dry_run' order by seq`;
  const postings = rows.map((r): DryRunPosting => {
    const rendersInput = r.output?.wouldPost === undefined;
    const wouldPost = rendersInput ? (r.output?.wouldSend ?? null) : r.output!.wouldPost;
    return { nodeId: r.node_id, nodeName: names.get(r.node_id) ?? r.node_id, nodeType: r.node_type, wouldPost, rendersInput, ...(rendersInput ? { total: null, currency: null } : totalOf(wouldPost)) };
  });
  const error = run.status === "dry_run" || run.status === "skipped" ? null : { nodeId: run.failed_node_id, message: run.error?.message ?? run.status, missing: missingMappings(run.error) };
  return { status: run.status, error, postings };
}

/**
 * Dry-run the `count` most recent source documents of the flow's trigger (newest first). Throws
 * when the trigger cannot list its source (not a poll trigger with a connection) or lists none.
 */
export async function dryRunRecentDocuments(
  db: Db,
  workspaceId: string,
  flowId: string,
  options: { count: number; versionId?: string; actor?: Actor },
): Promise<DryRunBatch> {
  const count = Math.trunc(options.count);
  if (!(count >= 1 && count <= MAX_DRY_RUN_DOCUMENTS)) throw new Error(`Choose between 1 and ${MAX_DRY_RUN_DOCUMENTS} documents`);
  const records = await recentSourceRecords(db, workspaceId, flowId, count);
  if (records.length === 0) {
    throw new Error("The trigger found no recent source documents to dry-run (only a poll trigger with a connection can list them; dry-run one record from Run now instead)");
  }
  const documents: DryRunDocument[] = [];
  for (const record of [...records].reverse()) {
    const runId = await dryRun(db, workspaceId, flowId, record.data, options.versionId, options.actor ?? SYSTEM_ACTOR);
    documents.push({ key: record.key, label: record.label, runId, ...(await summarizeDryRun(db, workspaceId, runId)) });
  }
  const sums = new Map<string, { cents: number; postings: number }>();
  for (const posting of documents.flatMap((d) => d.postings)) {
    if (posting.total === null) continue;
    const currency = posting.currency ?? "";
    const sum = sums.get(currency) ?? { cents: 0, postings: 0 };
    sums.set(currency, { cents: sum.cents + toCents(posting.total), postings: sum.postings + 1 });
  }
  const totals = [...sums].map(([currency, s]) => ({ currency, total: (s.cents / 100).toFixed(2), postings: s.postings }));
  return { documents, totals };
}
