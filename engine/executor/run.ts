/**
 * The executor: runs one run's nodes in graph order, resuming after the last checkpoint.
 *
 * A node is reached when an edge leads to it from a completed node on the handle that node chose
 * (branches choose one). Completed nodes (succeeded / already done) are never executed again, so
 * a retried or crashed job resumes where it stopped and never repeats a completed write.
 *
 * A run executes under a lease (./lease.ts), renewed while it runs. When the worker drains
 * (SIGTERM), the run stops at the next node boundary and is released to resume; when the lease is
 * lost, LeaseLostError is thrown and nothing more is written.
 */
import { PermanentError, serializeError, type SerializedError } from "../../connectors/sdk";
import type { Db } from "../../db/client";
import { isDatabaseUnavailable, waitForDatabase } from "../../db/errors";
import type { LoadedConnection } from "../connections";
import { buildGraph } from "../flow/graph";
import { runLogger, type Logger } from "../logging";
import { registry } from "../registry";
import { isAgentDryRun } from "../runs";
import { LeaseLostError, type Lease } from "./lease";
import { executeNode } from "./node";
import { finishRun, loadVersion, parkForApproval, releaseRun, saveNodeRuns, startRun, type NodeRunRow, type RunRow, type RunStatus } from "./store";

export interface ExecuteOptions {
  /** Stop now (the shutdown grace period is over): in-flight calls are aborted, the run is released. */
  signal?: AbortSignal;
  /** The worker is draining: finish the node in flight, then release the run. */
  drain?: AbortSignal;
  /** Run reads, transforms and write previews (tax quotes, rendered postings); send no write. */
  dryRun?: boolean;
  /** Who holds the lease (shown to operators) and for how long a claim lives without renewal. */
  owner?: string;
  leaseTtlMs?: number;
  /** Logs a database outage once (the worker's). */
  outage?: { note(error: unknown): boolean; ok(): void };
}

/** After database trouble, the released run is tried again this much later. */
const RETRY_AFTER_INTERRUPTION_MS = 2000;

export type ExecuteResult = { status: RunStatus; rescheduleAt?: Date };

const COMPLETED = new Set(["succeeded", "already_done", "skipped"]);

export async function executeRun(db: Db, runId: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const started = await startRun(db, runId, { owner: options.owner, ttlMs: options.leaseTtlMs });
  if (!started) throw new Error(`run ${runId} not found`);
  if ("terminal" in started) return { status: started.terminal };
  if ("busyUntil" in started) return { status: "running", rescheduleAt: new Date(Math.max(Date.now(), started.busyUntil.getTime()) + 1000) };
  const { run, lease, nodeRuns } = started;
  // One signal per run, following the worker's and the lease: requests and waits listen to it.
  const controller = new AbortController();
  const follow = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) follow();
  options.signal?.addEventListener("abort", follow, { once: true });
  const stopFollowingLease = lease.onLost((error) => controller.abort(error));
  const stopRenewing = lease.keepAlive();
  const lines = runLogger(run);
  lines.debug({ triggerKind: run.triggerKind, recordKey: run.recordKey, resumedNodes: nodeRuns.size }, "run claimed");
  try {
    const result = await executeNodes(db, run, lease, nodeRuns, controller.signal, options, lines);
    const level = result.status === "failed" ? "error" : result.status === "needs_review" ? "warn" : "info";
    lines[level]({ status: result.status, ...(result.rescheduleAt ? { rescheduleAt: result.rescheduleAt.toISOString() } : {}) }, `run ${result.status}`);
    return result;
  } catch (error) {
    if (error instanceof LeaseLostError || !isDatabaseUnavailable(error)) throw error;
    // The database went away under the run (loading it, a checkpoint, the release): that is never
    // the run's fault. Once it answers again the run is released to resume from its checkpoints;
    // if our lease ran out meanwhile, its next claim takes the run over instead.
    options.outage?.note(error);
    await waitForDatabase(() => db.sql`select 1`, { signal: controller.signal });
    options.outage?.ok();
    await releaseRun(db, run, lease);
    return { status: "waiting", rescheduleAt: new Date(Date.now() + RETRY_AFTER_INTERRUPTION_MS) };
  } finally {
    stopRenewing();
    stopFollowingLease();
    options.signal?.removeEventListener("abort", follow);
  }
}

async function executeNodes(
  db: Db,
  run: RunRow,
  lease: Lease,
  nodeRuns: Map<string, NodeRunRow>,
  signal: AbortSignal,
  options: ExecuteOptions,
  lines: Logger,
): Promise<ExecuteResult> {
  const dryRun = options.dryRun || run.triggerKind === "dry_run" || isAgentDryRun(run.recordKey);
  const flow = await loadVersion(db, run.flowVersionId);
  const graph = buildGraph(flow);
  const byId = new Map(flow.nodes.map((n) => [n.id, n]));

  // Checkpoints of read and transform nodes, saved with the run's next statement: before a write,
  // or in the statement that ends the run (one round trip and one commit for all of them).
  const pending: NodeRunRow[] = [];
  const flush = () => saveNodeRuns(db, run, lease, pending.splice(0));
  const finish = (status: RunStatus, error?: SerializedError, nodeId?: string) =>
    finishRun(db, run, lease, { status, error, failedNodeId: nodeId ?? null }, pending.splice(0));
  const fail = async (status: RunStatus, error: SerializedError, nodeId: string | null) => {
    await finish(status, error, nodeId ?? undefined);
    return { status };
  };
  const release = async (afterMs: number): Promise<ExecuteResult> => {
    await flush();
    await releaseRun(db, run, lease);
    return { status: "waiting", rescheduleAt: new Date(Date.now() + afterMs) };
  };

  const outputs: Record<string, unknown> = {};
  const handles = new Map<string, string | null>();
  const connections = new Map<string, LoadedConnection>();
  let trigger: unknown;
  let seq = nodeRuns.size;

  for (const nodeId of graph.order) {
    const node = byId.get(nodeId)!;
    const def = registry.node(node.type, node.typeVersion);
    const incoming = graph.incoming.get(nodeId)!;
    const isTrigger = def?.category === "trigger";
    const from = incoming.filter((e) => handles.has(e.source) && handles.get(e.source) === e.sourceHandle);
    if (!isTrigger && from.length === 0) continue;
    if (!def) return fail("failed", serializeError(new PermanentError(`unknown node type ${node.type}@${node.typeVersion}`)), nodeId);

    const previous = nodeRuns.get(nodeId);
    if (previous && COMPLETED.has(previous.status)) {
      outputs[nodeId] = previous.output;
      if (isTrigger) trigger = previous.output;
      if (previous.status === "skipped") {
        await finish("skipped");
        return { status: "skipped" };
      }
      handles.set(nodeId, previous.handle);
      continue;
    }
    if (options.drain?.aborted || signal.aborted) return release(0);

    const input = isTrigger ? run.input : outputs[from[from.length - 1]!.source];
    const config = def.config.safeParse(node.config);
    if (!config.success) {
      return fail("failed", serializeError(new PermanentError(`node ${node.name ?? nodeId}: invalid config: ${config.error.issues[0]?.message}`)), nodeId);
    }
    if (def.effect.kind === "write") await flush();
    const result = await executeNode({
      db,
      run,
      node,
      def,
      config: config.data,
      input,
      previous,
      seq: previous?.seq ?? seq++,
      lease,
      policy: flow.settings.retry,
      expressionTimeoutMs: flow.settings.expressionTimeoutMs,
      nodes: outputs,
      trigger,
      signal,
      drain: options.drain,
      dryRun,
      connections,
      lines,
      defer: (row) => pending.push(row),
    });
    switch (result.kind) {
      case "done":
        outputs[nodeId] = result.output;
        if (isTrigger) trigger = result.output;
        if (result.stop) {
          await finish("skipped");
          return { status: "skipped" };
        }
        handles.set(nodeId, result.handle);
        break;
      case "wait":
        await flush();
        await releaseRun(db, run, lease);
        return { status: "waiting", rescheduleAt: result.until };
      case "interrupted":
        return release(options.drain?.aborted || signal.aborted ? 0 : RETRY_AFTER_INTERRUPTION_MS);
      case "dry_run":
        // A write rendered, not sent: its branch ends here; other branches still run.
        outputs[nodeId] = undefined;
        break;
      case "approval":
        await flush();
        await parkForApproval(db, run, lease, { nodeId, nodeType: def.type, request: result.request, condition: result.condition });
        return { status: "awaiting_approval" };
      case "review":
        return fail("needs_review", result.error, nodeId);
      case "failed":
        return fail("failed", result.error, nodeId);
    }
  }
  await finish(dryRun ? "dry_run" : "succeeded");
  return { status: dryRun ? "dry_run" : "succeeded" };
}
