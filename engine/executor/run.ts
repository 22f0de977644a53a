/**
 * The executor: runs one run's nodes in graph order, resuming after the last checkpoint.
 *
 * A node is reached when an edge leads to it from a completed node on the handle that node chose
 * (branches choose one). Completed nodes (succeeded / already done) are never executed again, so
 * a retried or crashed job resumes where it stopped and never repeats a completed write.
 */
import { PermanentError, serializeError, type SerializedError } from "../../connectors/sdk";
import type { Db } from "../../db/client";
import type { LoadedConnection } from "../connections";
import { buildGraph } from "../flow/graph";
import { registry } from "../registry";
import { executeNode } from "./node";
import { finishRun, loadVersion, markRunWaiting, startRun, type NodeRunRow, type RunRow, type RunStatus } from "./store";

export interface ExecuteOptions {
  signal?: AbortSignal;
  /** Run reads and transforms, stop before the first write. */
  dryRun?: boolean;
}

export type ExecuteResult = { status: RunStatus; rescheduleAt?: Date };

const COMPLETED = new Set(["succeeded", "already_done", "skipped"]);

export async function executeRun(db: Db, runId: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const started = await startRun(db, runId);
  if (!started) throw new Error(`run ${runId} not found`);
  if ("terminal" in started) return { status: started.terminal };
  const { run, nodeRuns } = started;
  // One signal per run, following the worker's: requests and waits listen to this short-lived one.
  const controller = new AbortController();
  const follow = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) follow();
  options.signal?.addEventListener("abort", follow, { once: true });
  try {
    return await executeNodes(db, run, nodeRuns, controller.signal, options);
  } finally {
    options.signal?.removeEventListener("abort", follow);
  }
}

async function executeNodes(
  db: Db,
  run: RunRow,
  nodeRuns: Map<string, NodeRunRow>,
  signal: AbortSignal,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const dryRun = options.dryRun ?? run.triggerKind === "dry_run";
  const flow = await loadVersion(db, run.flowVersionId);
  const graph = buildGraph(flow);
  const byId = new Map(flow.nodes.map((n) => [n.id, n]));

  const fail = async (status: RunStatus, error: SerializedError, nodeId: string | null) => {
    await finishRun(db, run, { status, error, failedNodeId: nodeId });
    return { status };
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
        await finishRun(db, run, { status: "skipped" });
        return { status: "skipped" };
      }
      handles.set(nodeId, previous.handle);
      continue;
    }

    const input = isTrigger ? run.input : outputs[from[from.length - 1]!.source];
    const config = def.config.safeParse(node.config);
    if (!config.success) {
      return fail("failed", serializeError(new PermanentError(`node ${node.name ?? nodeId}: invalid config: ${config.error.issues[0]?.message}`)), nodeId);
    }
    const result = await executeNode({
      db,
      run,
      node,
      def,
      config: config.data,
      input,
      previous,
      seq: previous?.seq ?? seq++,
      policy: flow.settings.retry,
      nodes: outputs,
      trigger,
      signal,
      dryRun,
      connections,
    });
    switch (result.kind) {
      case "done":
        outputs[nodeId] = result.output;
        if (isTrigger) trigger = result.output;
        if (result.stop) {
          await finishRun(db, run, { status: "skipped" });
          return { status: "skipped" };
        }
        handles.set(nodeId, result.handle);
        break;
      case "wait":
        await markRunWaiting(db, run);
        return { status: "waiting", rescheduleAt: result.until };
      case "dry_run":
        await finishRun(db, run, { status: "dry_run" });
        return { status: "dry_run" };
      case "review":
        return fail("needs_review", result.error, nodeId);
      case "failed":
        return fail("failed", result.error, nodeId);
    }
  }
  await finishRun(db, run, { status: dryRun ? "dry_run" : "succeeded" });
  return { status: dryRun ? "dry_run" : "succeeded" };
}
