/**
 * Batched Intacct writes: writes of one connection that arrive within a few milliseconds of each
 * other (a backfill, a summary close posting many groups) go to the gateway together, several
 * `<function>`s in one request, instead of one request each.
 *
 * - Each function keeps its own controlid, derived from its caller's idempotency key, and the
 *   request is sent with `uniqueid=true`, so every function stays single-use on its own.
 * - The operation is non-transactional (`transaction="false"`, the gateway's default): each
 *   function succeeds or fails alone (API notes A4). A failed function fails only its caller; a
 *   repeated controlid answers "already posted" to that caller only, which reads its record back.
 * - A failure of the whole request (rate limit, 5xx, a lost response) reaches every caller of
 *   that request, each deciding for itself exactly as an unbatched write would (a lost response is
 *   "outcome unknown" to each, and each reads back before sending again).
 * - At most `writeBatchSize` functions per request (the connection's setting, default 20); with
 *   1 every write goes alone. Intacct documents no hard maximum of functions per request.
 *
 * The request is sent through the transport (session, retries, recording) of the first caller
 * still waiting, so it appears in that run's log; every other caller's log says which request
 * carried its write. Writes are grouped per process and per connection identity (gateway, sender,
 * company, user, entity): only writes that would use the same session travel together.
 *
 * Fencing: the engine checks each run's lease just before its write node runs, and the request
 * itself checks the sending run's lease. A run that lost its lease within the few milliseconds
 * its write waited may still have it sent; that is safe because the controlid is single-use (the
 * run's ledger transition is refused, and whoever takes the run over reads the record back). A
 * request cut off by the sending run's abort signal fails each write in it as outcome unknown.
 */
import { randomUUID } from "node:crypto";
import { RetryableError, isClassified } from "../sdk";
import { SYSTEM } from "./errors";
import type { FunctionResult, IntacctFunction, IntacctTransport } from "./transport";

export interface BatchSettings {
  /** Functions per request, at most. */
  maxFunctions: number;
  /** How long the first write of a batch waits for others, in ms. */
  windowMs: number;
}

interface Pending {
  fn: Required<IntacctFunction>;
  label: string;
  transport: IntacctTransport;
  signal: AbortSignal;
  log: (message: string, data?: unknown) => void;
  resolve: (result: FunctionResult) => void;
  reject: (error: unknown) => void;
}

/** The writes waiting for one connection identity, and the timer that sends them. */
class WriteQueue {
  private waiting: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: () => BatchSettings,
    private readonly onIdle: () => void,
  ) {}

  submit(p: Pending): void {
    this.waiting.push(p);
    const { maxFunctions, windowMs } = this.settings();
    if (this.waiting.length >= maxFunctions) {
      this.flushNow();
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.flushNow(), windowMs);
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const { maxFunctions } = this.settings();
    while (this.waiting.length > 0) {
      // One request never carries the same controlid twice: a repeat waits for the next request.
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      const ids = new Set<string>();
      for (const p of this.waiting) {
        if (batch.length < maxFunctions && !ids.has(p.fn.controlId) && !p.signal.aborted) {
          ids.add(p.fn.controlId);
          batch.push(p);
        } else if (p.signal.aborted) {
          p.reject(p.signal.reason ?? new Error("aborted"));
        } else {
          rest.push(p);
        }
      }
      this.waiting = rest;
      if (batch.length > 0) void send(batch);
      if (batch.length === 0) break;
    }
    this.onIdle();
  }

  get idle(): boolean {
    return this.waiting.length === 0 && !this.timer;
  }
}

async function send(batch: Pending[]): Promise<void> {
  const [first] = batch;
  const requestId = randomUUID().slice(0, 8);
  const label = batch.length === 1 ? first!.label : `${batch.length} writes (${[...new Set(batch.map((p) => p.fn.name))].join(", ")})`;
  try {
    const results = await first!.transport.execute(
      batch.map((p) => p.fn),
      { write: true, label },
    );
    batch.forEach((p, i) => {
      if (batch.length > 1) {
        p.log(`Intacct ${p.fn.name}: sent as function ${i + 1} of ${batch.length} in one request (batch ${requestId})`, {
          controlId: p.fn.controlId,
          status: results[i]!.status,
        });
      }
      p.resolve(results[i]!);
    });
  } catch (error) {
    for (const p of batch) {
      // The sender's own abort (a shutdown) is its own; to every other write the request was cut off.
      if (p === first || isClassified(error)) p.reject(error);
      else p.reject(new RetryableError(`Intacct ${p.fn.name}: the shared request was cut off (${(error as Error)?.message ?? String(error)}); outcome unknown`, { system: SYSTEM, outcomeUnknown: true, cause: error }));
    }
  }
}

const queues = new Map<string, WriteQueue>();

/**
 * Send one write function, together with the other writes of the same connection identity that
 * arrive within `windowMs`. Resolves with this function's own result.
 */
export function submitWrite(args: {
  identity: string;
  transport: IntacctTransport;
  fn: Required<IntacctFunction>;
  label: string;
  settings: BatchSettings;
  signal: AbortSignal;
  log: (message: string, data?: unknown) => void;
}): Promise<FunctionResult> {
  if (args.settings.maxFunctions <= 1) {
    return args.transport.execute([args.fn], { write: true, label: args.label }).then((r) => r[0]!);
  }
  let queue = queues.get(args.identity);
  if (!queue) {
    const q: WriteQueue = new WriteQueue(
      () => args.settings,
      () => {
        if (q.idle && queues.get(args.identity) === q) queues.delete(args.identity);
      },
    );
    queue = q;
    queues.set(args.identity, queue);
  }
  return new Promise<FunctionResult>((resolve, reject) => {
    queue.submit({ fn: args.fn, label: args.label, transport: args.transport, signal: args.signal, log: args.log, resolve, reject });
  });
}
