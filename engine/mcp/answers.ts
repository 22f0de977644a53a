/**
 * What a tool call answers, read from its run: status, the result page, the rendered posting of a
 * dry run, the approval to wait for, or the run's error. Every answer carries the run id and link.
 *
 * Limits: every list in a result is paged (`offset`, `limit`, `nextOffset`; the next page is read
 * from the stored run with `ledgerline_get_run`, no second remote call), and the answer's JSON is
 * capped at MAX_ANSWER_CHARS (the page shrinks until it fits). Secrets: the values of the run's
 * connections' secrets and fields named like secrets are masked before anything leaves.
 * Viewers get the status only, never record data (the product's role rule).
 */
import { Redactor } from "../../connectors/sdk";
import type { Db } from "../../db/client";
import { roleAtLeast } from "../auth/roles";
import { loadConnection } from "../connections";
import { parseFlowDefinition } from "../flow/schema";
import { GET_RUN_TOOL, DEFAULT_PAGE_SIZE } from "./catalog";
import type { AgentCaller } from "./call";

export const MAX_ANSWER_CHARS = 100_000;

export interface ToolAnswer {
  isError: boolean;
  structured: Record<string, unknown>;
}

export function toolError(message: string, extra: Record<string, unknown> = {}): ToolAnswer {
  return { isError: true, structured: { error: message, ...extra } };
}

interface Page {
  offset: number;
  limit: number;
  /** Length of each list in the full result, by path. */
  totals: Record<string, number>;
  nextOffset: number | null;
}

/** The result with every list (to two levels of nesting) cut to [offset, offset + limit). */
export function pageResult(value: unknown, offset: number, limit: number): { value: unknown; page: Page | null } {
  const totals: Record<string, number> = {};
  const walk = (v: unknown, path: string, depth: number): unknown => {
    if (Array.isArray(v)) {
      totals[path || "(result)"] = v.length;
      return v.slice(offset, offset + limit);
    }
    if (v && typeof v === "object" && depth < 3) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k, depth + 1)]));
    }
    return v;
  };
  const paged = walk(value, "", 0);
  const lengths = Object.values(totals);
  if (lengths.length === 0) return { value, page: null };
  const more = lengths.some((n) => n > offset + limit);
  return { value: paged, page: { offset, limit, totals, nextOffset: more ? offset + limit : null } };
}

/** The page that fits the answer cap: the limit halves until the JSON is small enough. */
export function fittedPage(value: unknown, offset: number, limit: number): { value: unknown; page: Page | null; capped: boolean } {
  let size = limit;
  for (;;) {
    const { value: paged, page } = pageResult(value, offset, size);
    if (JSON.stringify(paged ?? null).length <= MAX_ANSWER_CHARS) return { value: paged, page, capped: size < limit };
    if (!page || size === 1) return { value: undefined, page, capped: true };
    size = Math.max(1, Math.floor(size / 2));
  }
}

interface RunRecord {
  id: string;
  status: string;
  flowId: string;
  flowVersionId: string;
  triggerKind: string;
  recordKey: string;
  error: { message?: string; kind?: string; code?: string } | null;
  failedNodeId: string | null;
}

interface NodeRecord {
  nodeId: string;
  nodeType: string;
  status: string;
  output: unknown;
  seq: number;
}

/** Masks the secrets of the connections this run's flow version uses. */
async function redactorFor(db: Db, workspaceId: string, definition: unknown): Promise<Redactor> {
  const redactor = new Redactor();
  const ids = new Set(parseFlowDefinition(definition).nodes.map((n) => n.connectionId).filter((id): id is string => Boolean(id)));
  for (const id of ids) {
    try {
      redactor.add((await loadConnection(db, workspaceId, id)).secrets);
    } catch {
      // a connection deleted since: nothing of it to mask
    }
  }
  return redactor;
}

export async function describeRun(
  db: Db,
  caller: AgentCaller,
  runId: string,
  options: { offset: number; limit?: number; repeated?: boolean },
): Promise<ToolAnswer> {
  const [run] = await db.sql<(RunRecord & { definition: unknown })[]>`
    select r.id::text, r.status, r.flow_id::text as "flowId", r.flow_version_id::text as "flowVersionId", r.trigger_kind as "triggerKind",
           r.record_key as "recordKey", r.error, r.failed_node_id as "failedNodeId", v.definition
    from runs r join flow_versions v on v.id = r.flow_version_id
    where r.id = ${runId} and r.workspace_id = ${caller.workspaceId}`;
  // Agents read their own kind of runs only: other runs stay in the app.
  if (!run || run.triggerKind !== "agent") return toolError(`No agent run ${runId} in this workspace.`);
  const base = caller.publicUrl.replace(/\/$/, "");
  const answer: Record<string, unknown> = { runId: run.id, status: run.status, runUrl: `${base}/runs/${run.id}` };
  if (options.repeated) answer.repeated = "This requestId was sent before: this is the first call's run, nothing was sent again.";
  const poll = { tool: GET_RUN_TOOL, arguments: { runId: run.id } };

  if (run.status === "awaiting_approval") {
    const [approval] = await db.sql<{ id: string; condition: string; createdAt: Date }[]>`
      select id::text, condition, created_at as "createdAt" from approvals
      where run_id = ${run.id} and workspace_id = ${caller.workspaceId} and status = 'pending' order by created_at desc limit 1`;
    answer.message = "Awaiting approval: the workspace's approval rule holds for this posting, so a person must approve it on the Approvals page. Nothing is posted until then. Poll ledgerline_get_run with this runId.";
    answer.approval = approval ? { id: approval.id, condition: approval.condition, requestedAt: approval.createdAt.toISOString(), url: `${base}/approvals` } : null;
    answer.poll = poll;
    return { isError: false, structured: answer };
  }
  if (!["succeeded", "failed", "needs_review", "rejected", "dry_run", "skipped"].includes(run.status)) {
    answer.message = "In progress: the call goes on in Ledgerline (a retry is due or another call holds it). Poll ledgerline_get_run with this runId.";
    answer.poll = poll;
    return { isError: false, structured: answer };
  }
  if (run.status === "failed" || run.status === "needs_review" || run.status === "rejected") {
    const redactor = await redactorFor(db, caller.workspaceId, run.definition);
    answer.error = redactor.text(run.error?.message ?? `the run ended ${run.status}`);
    if (run.error?.kind) answer.errorKind = run.error.kind;
    if (run.status === "needs_review") answer.message = "A person must fix something first (it is in the review queue).";
    return { isError: true, structured: answer };
  }
  if (!roleAtLeast(caller.role, "operator")) {
    answer.message = "Results are record data, which the viewer role does not read.";
    return { isError: false, structured: answer };
  }
  const nodes = await db.sql<NodeRecord[]>`
    select node_id as "nodeId", node_type as "nodeType", status, output, seq from node_runs
    where run_id = ${run.id} and workspace_id = ${caller.workspaceId} order by seq`;
  const redactor = await redactorFor(db, caller.workspaceId, run.definition);
  const last = [...nodes].reverse().find((n) => n.nodeId !== "agent" || nodes.length === 1);
  if (run.status === "dry_run") {
    const rendered = (nodes.find((n) => n.status === "dry_run")?.output ?? null) as { wouldPost?: unknown; wouldSend?: unknown; output?: unknown } | null;
    answer.message = "Dry run: nothing was sent to any system or to the idempotency ledger.";
    answer.wouldPost = redactor.value(rendered?.wouldPost ?? rendered?.wouldSend ?? null);
    // A preview that answers like the write (a tax quote) gives its result too.
    if (rendered?.output !== undefined) {
      const { value, page } = fittedPage(redactor.value(rendered.output), options.offset, options.limit ?? DEFAULT_PAGE_SIZE);
      answer.result = value ?? null;
      if (page) answer.page = page;
    }
    return { isError: false, structured: answer };
  }
  if (last?.status === "already_done") answer.alreadyPosted = "The ledger had this posting already (same business key): nothing was sent again; this is what was posted.";
  const { value, page, capped } = fittedPage(redactor.value(last?.output ?? null), options.offset, options.limit ?? DEFAULT_PAGE_SIZE);
  answer.result = value ?? null;
  if (page) answer.page = page;
  if (capped) answer.note = `The answer is capped at ${MAX_ANSWER_CHARS} characters: fewer rows per page were sent.`;
  if (page?.nextOffset != null) answer.nextPage = { tool: GET_RUN_TOOL, arguments: { runId: run.id, offset: page.nextOffset, limit: page.limit } };
  return { isError: false, structured: answer };
}
