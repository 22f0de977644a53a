/**
 * The pool of expression threads (piscina), one per process, started on first use.
 *
 * Why threads: a JSONata evaluation is a chain of promises that never yields to the event loop, so
 * one that loops would freeze the process that runs it (the web app's health check, a worker's
 * heartbeats). In a thread it only occupies that thread until its limit stops it.
 *
 * Limits: the thread stops an evaluation at its time limit (JSONata's guardrails); a thread that
 * still does not answer (a pathological regular expression) is terminated by the pool after
 * HARD_KILL_FACTOR x the limit, and a fresh one takes its place. Each thread has its own heap limit.
 *
 * LEDGERLINE_EXPRESSION_THREADS sets the pool size (default: the CPU count, between 2 and 4).
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { Piscina } from "piscina";

export const DEFAULT_EXPRESSION_TIMEOUT_MS = 1000;
/** Largest JSON text an expression may give. */
export const MAX_RESULT_BYTES = 1_000_000;
/** Heap of one expression thread. */
export const THREAD_MEMORY_MB = 256;
const HARD_KILL_FACTOR = 2;
const HARD_KILL_SLACK_MS = 1000;

export interface EvaluationTask {
  cacheKey: string;
  timeoutMs: number;
  maxResultBytes: number;
  inputs: unknown[];
  items: { expression: string; input: number }[];
  trigger: unknown;
  nodes: unknown;
}

export type EvaluationResult = { ok: true; json?: string } | { ok: false; kind: "syntax" | "time" | "depth" | "memory" | "size" | "error"; message: string };

type Lookup = (tableId: string, key: string) => Promise<{ key: string; values: Record<string, string> } | undefined>;

const THREAD_FILE = "expression-thread.mjs";

/** Beside this module in the source tree; Next.js bundles move the module, so also from the project root. */
function threadFile(): string {
  const candidates = [path.join(process.cwd(), "engine", "nodes", THREAD_FILE)];
  try {
    candidates.unshift(path.join(path.dirname(fileURLToPath(import.meta.url)), THREAD_FILE));
  } catch {
    // A bundle without a file URL for this module: the project root it is.
  }
  return candidates.find((file) => existsSync(file)) ?? candidates[0]!;
}

let pool: Piscina | undefined;

function threads(): number {
  const configured = Number(process.env.LEDGERLINE_EXPRESSION_THREADS);
  if (Number.isInteger(configured) && configured > 0) return configured;
  return Math.min(4, Math.max(2, availableParallelism()));
}

function getPool(): Piscina {
  if (!pool) {
    const size = threads();
    pool = new Piscina({
      filename: threadFile(),
      minThreads: 1,
      maxThreads: size,
      idleTimeout: 60_000,
      concurrentTasksPerWorker: 1,
      // Plain JavaScript: no TypeScript loader in the threads.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: THREAD_MEMORY_MB, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
  }
  return pool;
}

/** Run a task in a thread; `lookup` answers `$mapping` over a channel of the task's own. */
export async function runInPool(task: EvaluationTask, lookup?: Lookup): Promise<EvaluationResult[]> {
  const hardLimitMs = task.timeoutMs * HARD_KILL_FACTOR * Math.max(1, task.items.length) + HARD_KILL_SLACK_MS;
  const signal = AbortSignal.timeout(hardLimitMs);
  let channel: MessageChannel | undefined;
  if (lookup) {
    channel = new MessageChannel();
    const port = channel.port1;
    port.on("message", (message: { id: number; tableId: string; key: string }) => {
      lookup(message.tableId, message.key).then(
        (row) => port.postMessage({ id: message.id, row: row ? { key: row.key, ...row.values } : null }),
        (error: Error) => port.postMessage({ id: message.id, error: `$mapping: ${error.message}` }),
      );
    });
  }
  try {
    const payload = channel ? { ...task, port: channel.port2 } : task;
    return (await getPool().run(payload, { signal, transferList: channel ? [channel.port2] : undefined })) as EvaluationResult[];
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string };
    if (e.code === "ERR_WORKER_OUT_OF_MEMORY") throw new Error(`the expression used more than the ${THREAD_MEMORY_MB} MB of memory allowed`);
    if (e.name === "AbortError" || signal.aborted) throw new Error(`the expression did not finish within ${hardLimitMs} ms and was stopped`);
    throw new Error(`the expression could not be evaluated: ${e.message ?? String(error)}`);
  } finally {
    channel?.port1.close();
  }
}

/** Stop the threads (worker shutdown); the next evaluation starts a new pool. */
export async function closeExpressionPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.destroy();
}
