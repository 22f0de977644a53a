/**
 * One node of a run, as a short sequence of named steps:
 *
 *   build the context -> claim the write through the ledger -> call the node -> settle a failure
 *   (ledger, connection health) -> decide the retry -> save the checkpoint once -> (wait, again)
 *
 * Fencing: every save and ledger transition is conditional on the run's lease, and requests that
 * may change something remotely check the lease first (`Lease.check`). A claim that lost its lease
 * throws LeaseLostError out of here and writes nothing more.
 *
 * Interruptions: a shutdown past its grace period (the abort signal) or the database failing under
 * the executor does not fail the node. Its ledger key stays pending (the outcome of a write that
 * had started is unknown, so the next attempt reads back before sending) and the run is released.
 */
import {
  AlreadyDoneError,
  backoffDelay,
  HttpClient,
  isClassified,
  PermanentError,
  Redactor,
  RetryableError,
  serializeError,
  sleep,
  type AnyNodeDefinition,
  type HttpCallRecord,
  type HttpRequest,
  type Logger,
  type NodeRunContext,
  type SerializedError,
  type WriteEffect,
} from "../../connectors/sdk";
import type { Db } from "../../db/client";
import { isDatabaseUnavailable } from "../../db/errors";
import { buildEnv, egressFor, loadConnection, setConnectionHealth, type LoadedConnection } from "../connections";
import type { FlowNode, RetryPolicy } from "../flow/schema";
import { claim, markDone, markFailed, type ClaimResult, type LedgerKey } from "../ledger";
import { runLogger, type Logger as LineLogger } from "../logging";
import { bindSummaryStore } from "../nodes/aggregate-store";
import { bindExpressionScope, evaluate } from "../nodes/expressions";
import { Lease, LeaseLostError } from "./lease";
import { mappingRowAt } from "./mapping-rows";
import { approvalFor, saveNodeRun, type AttemptRecord, type LogRecord, type NodeRunRow, type RunRow } from "./store";

/** Waits up to this long happen inside the job; longer ones reschedule the job. */
export const INLINE_RETRY_MAX_MS = 2000;

export type NodeResult =
  | { kind: "done"; output: unknown; handle: string | null; stop: boolean }
  | { kind: "wait"; until: Date }
  | { kind: "failed"; error: SerializedError }
  | { kind: "review"; error: SerializedError }
  | { kind: "dry_run" }
  /** The write's approval condition held: the run waits for a person with this request. */
  | { kind: "approval"; request: unknown; condition: string }
  /** Shutdown or database trouble: release the run; it resumes from this node. */
  | { kind: "interrupted"; reason: string };

export interface NodeExecution {
  db: Db;
  run: RunRow;
  lease: Lease;
  node: FlowNode;
  def: AnyNodeDefinition;
  config: unknown;
  input: unknown;
  previous?: NodeRunRow;
  seq: number;
  policy: RetryPolicy;
  expressionTimeoutMs: number;
  nodes: Record<string, unknown>;
  trigger: unknown;
  /** Aborted when the run must stop now (shutdown grace over, lease lost). */
  signal: AbortSignal;
  /** Aborted when the worker is draining: finish the current call, then release. */
  drain?: AbortSignal;
  dryRun: boolean;
  connections: Map<string, LoadedConnection>;
  /** Structured log lines about this run (engine/logging.ts); its node fields are added here. */
  lines?: LineLogger;
  /**
   * Takes the completed checkpoint of a read or transform node instead of saving it now: the run
   * saves it with its next statement (before a write, or as it ends). Such a node may run again,
   * so a run resumed before that statement computes it again.
   */
  defer?: (row: NodeRunRow) => void;
}

/** A persistence step failed (database down, connection cut): not the node's fault. */
class InterruptedError extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "InterruptedError";
  }
}

/**
 * The database went away under the node (a restart, a cut connection), also when wrapped (drizzle's
 * "Failed query: ..." around the driver's error). Network errors of remote calls never arrive raw:
 * the HTTP client classifies them, so a classified error is never the database's.
 */
function databaseUnavailable(error: unknown): boolean {
  return !isClassified(error) && isDatabaseUnavailable(error);
}

async function persist<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    throw new InterruptedError(what, error);
  }
}

/** What one node keeps across its attempts (earlier jobs' included). */
interface NodeState {
  attempts: AttemptRecord[];
  httpCalls: HttpCallRecord[];
  logs: LogRecord[];
  log: Logger;
  redactor: Redactor;
  /** Structured lines about this node; everything written here was redacted first. */
  lines: LineLogger;
  /** The attempt in progress (or the last one), for the lines. */
  attempt: number;
}

type Attempt =
  | { ok: true; output: unknown; status: NodeRunRow["status"]; handle: string | null; stop: boolean }
  | { ok: false; error: unknown; claimedKey?: LedgerKey; connection?: LoadedConnection };

type Decision =
  | { kind: "result"; save: SaveRow; result: NodeResult }
  | { kind: "retry"; save: SaveRow; delay: number; until: Date };

type SaveRow = Pick<NodeRunRow, "status" | "output"> & { handle?: string | null; error?: SerializedError; nextAttemptAt?: Date; durationMs?: number };

export async function executeNode(x: NodeExecution): Promise<NodeResult> {
  const state = resumeState(x);
  const write = writeEffect(x.def);
  if (x.dryRun && write) return dryRunWrite(x, state, write);
  if (x.node.approval && writeEffect(x.def)) {
    const gate = await approvalGate(x, state);
    if (gate) return gate;
  }
  for (;;) {
    const startedAt = new Date();
    state.attempt = state.attempts.length + 1;
    const attempt = await attemptNode(x, state);
    const decision = await decide(x, state, startedAt, attempt);
    if (decision.kind === "result" && x.defer && !write && DEFERRABLE.has(decision.save.status)) {
      x.defer(nodeRunRow(x, state, startedAt, decision.save));
      logOutcome(state, decision.save, x.previous?.startedAt ?? startedAt);
      return decision.result;
    }
    try {
      await save(x, state, startedAt, decision.save);
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      // The checkpoint could not be written: the run is released and this node runs again.
      return { kind: "interrupted", reason: `saving node ${x.node.id}: ${(error as Error).message}` };
    }
    if (decision.kind === "result") return decision.result;
    if (!(await pause(x, decision.delay))) return { kind: "wait", until: decision.until };
  }
}

/** Step 1: attempts, calls and logs of a node resumed after a retry wait continue where they were. */
function resumeState(x: NodeExecution): NodeState {
  const resumed = x.previous?.status === "retrying";
  const redactor = new Redactor();
  const logs: LogRecord[] = resumed ? [...x.previous!.logs] : [];
  const attempts: AttemptRecord[] = resumed ? [...x.previous!.attempts] : [];
  const lines = (x.lines ?? runLogger(x.run)).child({ nodeId: x.node.id, nodeType: x.def.type });
  const state: NodeState = {
    attempts,
    httpCalls: resumed ? [...x.previous!.httpCalls] : [],
    logs,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    redactor,
    lines,
    attempt: attempts.length + 1,
  };
  // Every run-log entry is also a structured line, from the same redacted values.
  const push = (level: LogRecord["level"]) => (message: string, data?: unknown) => {
    const entry: LogRecord = { level, message: redactor.text(message), data: data === undefined ? undefined : redactor.value(data), at: new Date().toISOString() };
    logs.push(entry);
    lines[level]({ attempt: state.attempt, ...(entry.data === undefined ? {} : { data: entry.data }) }, entry.message);
  };
  state.log = { info: push("info"), warn: push("warn"), error: push("error") };
  return state;
}

/**
 * A write in a dry run is never sent. A node with `preview` runs it instead (a quote that stores
 * nothing remotely, or a local rendering) and, when it gives an output, the dry run goes on to
 * the next nodes; otherwise the node's input is shown as what would be sent and its branch ends.
 */
async function dryRunWrite(x: NodeExecution, state: NodeState, write: WriteEffect<unknown, unknown, unknown, unknown>): Promise<NodeResult> {
  const startedAt = new Date();
  if (!write.preview) {
    await save(x, state, startedAt, { status: "dry_run", output: { wouldSend: x.input }, durationMs: 0 });
    return { kind: "dry_run" };
  }
  try {
    const connection = await connectionFor(x);
    const { ctx, route } = buildContext(x, state, connection);
    const input = x.def.input.parse(x.input);
    const preview = await write.preview(ctx, input, x.config);
    state.attempts.push({ attempt: 1, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() });
    if (preview.output === undefined) {
      await save(x, state, startedAt, { status: "dry_run", output: { wouldPost: preview.wouldPost } });
      return { kind: "dry_run" };
    }
    const parsed = x.def.output.safeParse(preview.output);
    if (!parsed.success) throw new PermanentError(`node ${x.def.type} previewed data that does not match its output schema: ${parsed.error.issues[0]?.message}`);
    const handle = route.handle ?? (x.def.outputs ?? ["out"])[0]!;
    await save(x, state, startedAt, { status: "dry_run", output: { wouldPost: preview.wouldPost, output: parsed.data }, handle });
    return { kind: "done", output: parsed.data, handle, stop: false };
  } catch (error) {
    if (error instanceof LeaseLostError || x.lease.lost) throw x.lease.markLost();
    const serialized = state.redactor.value(serializeError(error));
    // A record a real run would park for review (a value without a mapping row) says so in a dry run too.
    const review = isClassified(error) && error.kind === "needs_review";
    await save(x, state, startedAt, { status: review ? "needs_review" : "failed", output: null, error: serialized });
    return review ? { kind: "review", error: serialized } : { kind: "failed", error: serialized };
  }
}

/**
 * Maker-checker: a write whose approval condition holds over its input waits for a person. An
 * approved one goes on (through the ledger as usual); the condition is evaluated only once.
 */
async function approvalGate(x: NodeExecution, state: NodeState): Promise<NodeResult | undefined> {
  const existing = await persist("reading the approval", () => approvalFor(x.db, x.run, x.node.id));
  if (existing?.status === "approved") return undefined;
  if (existing?.status === "rejected") {
    return { kind: "failed", error: serializeError(new PermanentError(`the write of node ${x.node.name ?? x.node.id} was rejected`)) };
  }
  const condition = x.node.approval!.when;
  const startedAt = new Date();
  if (!existing) {
    let needed: unknown;
    try {
      const { ctx } = buildContext(x, state, undefined);
      needed = await evaluate(condition, x.input, ctx, "approval condition");
    } catch (error) {
      const serialized = serializeError(error);
      await save(x, state, startedAt, { status: "failed", output: null, error: serialized });
      return { kind: "failed", error: serialized };
    }
    if (!needed) return undefined;
  }
  state.log.info(`Approval required (${condition}): the run waits for an approver`);
  await save(x, state, startedAt, { status: "awaiting_approval", output: { wouldSend: x.input }, durationMs: 0 });
  return { kind: "approval", request: x.input, condition };
}

function writeEffect(def: AnyNodeDefinition): WriteEffect<unknown, unknown, unknown, unknown> | undefined {
  return def.effect.kind === "write" ? def.effect : undefined;
}

/** Steps 2-4 of one attempt: context, ledger claim, call. Never throws except for a lost lease. */
async function attemptNode(x: NodeExecution, state: NodeState): Promise<Attempt> {
  let claimedKey: LedgerKey | undefined;
  let connection: LoadedConnection | undefined;
  try {
    connection = await connectionFor(x);
    const { ctx, route } = buildContext(x, state, connection);
    const input = x.def.input.parse(x.input);
    const write = writeEffect(x.def);
    let output: unknown;
    let status: NodeRunRow["status"] = "succeeded";
    try {
      if (!write) {
        output = await x.def.run(ctx, input, x.config);
      } else {
        const key = ledgerKeyFor(x, write, input);
        const claimed = await persist("claiming the idempotency key", () => claim(x.db, key, x.lease, x.def.type));
        if (claimed.kind !== "claimed") {
          ({ output, status } = alreadyClaimed(state, key, claimed));
        } else {
          claimedKey = key;
          ({ output, status } = await callWrite(x, state, ctx, write, input, key, claimed.previousOutcomeUnknown));
          await persist("recording the write in the ledger", () => markDone(x.db, key, x.lease, output ?? null));
          claimedKey = undefined;
        }
      }
    } catch (error) {
      if (!(error instanceof AlreadyDoneError)) throw error;
      // The remote system says this was posted before: continue with what it read back.
      if (claimedKey) {
        const key = claimedKey;
        await persist("recording the write in the ledger", () => markDone(x.db, key, x.lease, error.result ?? null));
        claimedKey = undefined;
      }
      state.log.info(`Already posted earlier: ${error.message}`);
      return { ok: true, output: error.result, status: "already_done", handle: route.handle, stop: false };
    }
    const parsed = x.def.output.safeParse(output);
    if (!parsed.success) {
      throw new PermanentError(`node ${x.def.type} returned data that does not match its output schema: ${parsed.error.issues[0]?.message}`);
    }
    return { ok: true, output: parsed.data, status: route.stop ? "skipped" : status, handle: route.stop ? null : route.handle, stop: route.stop };
  } catch (error) {
    if (error instanceof LeaseLostError || x.lease.lost) throw x.lease.markLost();
    return { ok: false, error, claimedKey, connection };
  }
}

async function connectionFor(x: NodeExecution): Promise<LoadedConnection | undefined> {
  if (!x.def.connection || x.def.trigger?.connectionAtIntakeOnly) return undefined;
  if (!x.node.connectionId) throw new PermanentError(`node ${x.node.id} has no connection`);
  let connection = x.connections.get(x.node.connectionId);
  if (!connection) {
    connection = await loadConnection(x.db, x.run.workspaceId, x.node.connectionId);
    x.connections.set(connection.id, connection);
  }
  return connection;
}

/** Step 2: the node's context; every request that may change something checks the lease first. */
function buildContext(x: NodeExecution, state: NodeState, connection: LoadedConnection | undefined) {
  const route = { handle: (x.def.outputs ?? ["out"])[0]! as string | null, stop: false };
  const record = (c: HttpCallRecord) => {
    state.httpCalls.push(c);
    // Method, redacted URL, status and time only: bodies and headers stay in the run log.
    state.lines.debug(
      { attempt: state.attempt, http: { label: c.label, method: c.method, url: state.redactor.text(c.url), status: c.status, durationMs: c.durationMs, error: c.error && state.redactor.text(c.error) } },
      "http call",
    );
  };
  const beforeSend = async (req: HttpRequest) => {
    if (req.method !== "GET" && req.method !== "HEAD") await x.lease.check();
  };
  const client = connection
    ? connection.connector.createClient(buildEnv(x.db, connection, { record, log: state.log, signal: x.signal, redactor: state.redactor, beforeSend }))
    : undefined;
  const ctx: NodeRunContext<unknown> = {
    client,
    // Built-in HTTP nodes reach public hosts (and LEDGERLINE_ALLOWED_HOSTS) only.
    http: new HttpClient({ redactor: state.redactor, record, signal: x.signal, system: x.def.system, egress: egressFor("core"), beforeSend }),
    log: state.log,
    lookup: (tableId, key) => mappingRowAt(x.db, x.run.workspaceId, tableId, key, x.run.mappingVersion),
    workspaceId: x.run.workspaceId,
    flowId: x.run.flowId,
    runId: x.run.id,
    nodeId: x.node.id,
    attempt: state.attempts.length + 1,
    signal: x.signal,
    nodes: x.nodes,
    trigger: x.trigger,
    route: (next) => {
      if (next === null) route.stop = true;
      else route.handle = next;
    },
  };
  bindExpressionScope(ctx, { cacheKey: x.run.flowVersionId, timeoutMs: x.expressionTimeoutMs, nodeLabel: x.node.name ?? x.node.id });
  bindSummaryStore(ctx, x.db, { dryRun: x.dryRun });
  return { ctx, route };
}

function ledgerKeyFor(x: NodeExecution, write: WriteEffect<unknown, unknown, unknown, unknown>, input: unknown): LedgerKey {
  let businessKey: string;
  try {
    businessKey = write.key(input, x.config);
  } catch (error) {
    throw new PermanentError(`cannot derive the idempotency key: ${(error as Error).message}`);
  }
  return { workspaceId: x.run.workspaceId, system: x.def.connection ?? x.def.system, businessKey };
}

/** Step 3 when the ledger did not grant the key: done before (read back) or held by a live attempt. */
function alreadyClaimed(state: NodeState, key: LedgerKey, claimed: Exclude<ClaimResult, { kind: "claimed" }>): { output: unknown; status: NodeRunRow["status"] } {
  if (claimed.kind === "busy") {
    throw new RetryableError(`another run (${claimed.runId}) is posting ${key.businessKey} right now`, { retryAfterMs: 5000, code: KEY_BUSY });
  }
  state.log.info(`Already posted earlier (idempotency key ${key.businessKey}): reading back the earlier result`);
  return { output: claimed.result, status: "already_done" };
}

/** Step 3: the write, after reading back an earlier attempt whose outcome is unknown. */
async function callWrite(
  x: NodeExecution,
  state: NodeState,
  ctx: NodeRunContext<unknown>,
  write: WriteEffect<unknown, unknown, unknown, unknown>,
  input: unknown,
  key: LedgerKey,
  previousOutcomeUnknown: boolean,
): Promise<{ output: unknown; status: NodeRunRow["status"] }> {
  ctx.idempotency = { key: key.businessKey, previousOutcomeUnknown };
  if (previousOutcomeUnknown && write.reconcile) {
    state.log.info(`An earlier attempt's outcome is unknown: checking whether ${key.businessKey} was posted`);
    const reconciled = await write.reconcile(ctx, input, x.config);
    if (reconciled !== undefined) {
      state.log.info(`Found ${key.businessKey} already posted: not posting again`);
      return { output: reconciled, status: "already_done" };
    }
  }
  await x.lease.check();
  return { output: await x.def.run(ctx, input, x.config), status: "succeeded" };
}

/** Steps 5-6: settle a failure (ledger, connection health) and decide what happens next. */
async function decide(x: NodeExecution, state: NodeState, startedAt: Date, attempt: Attempt): Promise<Decision> {
  const record: AttemptRecord = { attempt: state.attempts.length + 1, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() };
  state.attempts.push(record);
  if (attempt.ok) {
    await markHealthy(x);
    const handle = attempt.stop ? null : (attempt.handle ?? (x.def.outputs ?? ["out"])[0]!);
    return {
      kind: "result",
      save: { status: attempt.status, output: attempt.output, handle },
      result: { kind: "done", output: attempt.output, handle, stop: attempt.stop },
    };
  }
  const { error } = attempt;
  // Secrets learnt during the attempt (session ids, tokens) were registered on the redactor.
  const serialized = state.redactor.value(serializeError(error));
  record.error = serialized;

  if (error instanceof InterruptedError || x.signal.aborted || databaseUnavailable(error)) {
    // Not the node's fault: the ledger key (if any) stays pending, to be read back on resume.
    const reason =
      error instanceof InterruptedError
        ? error.message
        : x.signal.aborted
          ? `stopped: ${String((x.signal.reason as Error)?.message ?? x.signal.reason)}`
          : `the database is unavailable: ${String((error as Error)?.message ?? error)}`;
    state.log.warn(`Interrupted (${reason}); the run resumes from this node${attempt.claimedKey ? " and reads back before sending again" : ""}`);
    return { kind: "result", save: { status: "retrying", output: null, error: serialized, nextAttemptAt: new Date() }, result: { kind: "interrupted", reason } };
  }
  await settleFailure(x, attempt, serialized);

  if (error instanceof RetryableError) {
    const delay = retryDelay(x.policy, state.attempts, error);
    if (delay !== undefined) {
      record.delayMs = delay;
      const until = new Date(Date.now() + delay);
      state.log.warn(`Attempt ${record.attempt} failed (${serialized.message}); retrying in ${delay} ms`);
      return { kind: "retry", delay, until, save: { status: "retrying", output: null, error: serialized, nextAttemptAt: until } };
    }
    serialized.message = `${serialized.message} (gave up after ${record.attempt} attempt${record.attempt === 1 ? "" : "s"})`;
  }
  const review = isClassified(error) && error.kind === "needs_review";
  return {
    kind: "result",
    save: { status: review ? "needs_review" : "failed", output: null, error: serialized },
    result: review ? { kind: "review", error: serialized } : { kind: "failed", error: serialized },
  };
}

/** A failed write that surely did not happen frees its key; an outcome unknown keeps it pending. */
async function settleFailure(x: NodeExecution, attempt: Extract<Attempt, { ok: false }>, serialized: SerializedError): Promise<void> {
  const { error, claimedKey, connection } = attempt;
  if (claimedKey && !(error instanceof RetryableError && error.outcomeUnknown)) {
    await markFailed(x.db, claimedKey, x.lease).catch(() => undefined); // left pending: the next attempt reads back first
  }
  if (isClassified(error) && error.connectionHealth && connection) {
    await setConnectionHealth(x.db, x.run.workspaceId, connection.id, error.connectionHealth, serialized.message).catch(() => undefined);
  }
}

/** A rate-limited attempt can be repeated this often at most (its waits are capped by the total delay). */
const MAX_RATE_LIMITED_ATTEMPTS = 100;

/** The error code of an attempt that found its idempotency key held by another run's live attempt. */
const KEY_BUSY = "idempotency_key_busy";

/**
 * A wait, not a failure of the node: "too many requests" (429, or a system's own rate-limit code),
 * or the node's key held by another run that is posting it right now (that run's outcome decides;
 * waiting on it must not use up this node's attempts).
 */
function rateLimited(error: { status?: number; code?: string } | undefined): boolean {
  if (!error) return false;
  return error.status === 429 || error.code === KEY_BUSY || /^(RequestLimitExceeded|TooManyRequests|rate_?limit(ed)?)$/i.test(error.code ?? "");
}

/**
 * The backoff before the next attempt, or undefined when the policy says give up. Rate-limit
 * answers do not use up `maxAttempts` (that budget is for errors): they are bounded by
 * `maxTotalDelayMs`, the sum of all waits of the node.
 *
 * A rate limit that says when to come back (Retry-After) is waited out for that long, plus a
 * little jitter, however often it came. Why not the growing backoff: the server named the moment
 * its quota is back, so waiting longer only delays the work; and a node that makes several
 * requests (read an invoice, its lines, its customer) meets a 429 on most attempts when a service
 * limits often, so growing waits (up to 8 s, each past the inline limit and so a new job) kept
 * such a node, and a run resumed after a crash, going for a minute and more.
 */
function retryDelay(policy: RetryPolicy, attempts: AttemptRecord[], error: RetryableError): number | undefined {
  const waited = attempts.reduce((sum, a) => sum + (a.delayMs ?? 0), 0);
  const failures = attempts.filter((a) => !rateLimited(a.error)).length;
  const limited = rateLimited(error);
  const delay =
    limited && error.retryAfterMs !== undefined
      ? error.retryAfterMs + Math.floor((Math.random() * Math.min(error.retryAfterMs, policy.baseDelayMs)) / 2)
      : backoffDelay(policy, limited ? Math.min(attempts.length, 4) : Math.max(1, failures), error.retryAfterMs);
  const budgetLeft = limited ? attempts.length < MAX_RATE_LIMITED_ATTEMPTS : failures < policy.maxAttempts;
  return budgetLeft && waited + delay <= policy.maxTotalDelayMs ? delay : undefined;
}

/** Wait inline for a short backoff; false when the job should be rescheduled instead (long wait, draining). */
async function pause(x: NodeExecution, delay: number): Promise<boolean> {
  if (delay > INLINE_RETRY_MAX_MS || x.drain?.aborted) return false;
  const signal = x.drain ? AbortSignal.any([x.signal, x.drain]) : x.signal;
  try {
    await sleep(delay, signal);
  } catch {
    if (x.lease.lost) throw x.lease.markLost();
    return false;
  }
  return true;
}

/** A connection that works again (or for the first time) says so; healthy ones cost no query. */
async function markHealthy(x: NodeExecution): Promise<void> {
  const connection = x.node.connectionId ? x.connections.get(x.node.connectionId) : undefined;
  if (!connection || (connection.status !== "failing" && connection.status !== "untested")) return;
  connection.status = "ok";
  await setConnectionHealth(x.db, x.run.workspaceId, connection.id, "ok", null).catch(() => undefined);
}

/** Outcomes of a read or transform node whose checkpoint can wait for the run's next statement. */
const DEFERRABLE = new Set<NodeRunRow["status"]>(["succeeded", "skipped"]);

/** Step 7: the node's checkpoint, once per attempt outcome. */
async function save(x: NodeExecution, state: NodeState, startedAt: Date, p: SaveRow): Promise<void> {
  await saveNodeRun(x.db, x.run, x.lease, nodeRunRow(x, state, startedAt, p));
  logOutcome(state, p, x.previous?.startedAt ?? startedAt);
}

function nodeRunRow(x: NodeExecution, state: NodeState, startedAt: Date, p: SaveRow): NodeRunRow {
  const finished = p.status !== "retrying";
  const firstStarted = x.previous?.startedAt ?? startedAt;
  return {
    nodeId: x.node.id,
    nodeType: x.def.type,
    status: p.status,
    attempt: state.attempts.length || 1,
    input: x.input,
    output: p.output,
    handle: p.handle ?? null,
    // Secrets learnt after a call was recorded (a new session id, a token) are masked again here.
    httpCalls: state.redactor.value(state.httpCalls),
    logs: state.redactor.value(state.logs),
    attempts: state.attempts,
    error: p.error ?? null,
    seq: x.seq,
    startedAt: firstStarted,
    finishedAt: finished ? new Date() : null,
    durationMs: p.durationMs ?? Date.now() - firstStarted.getTime(),
    nextAttemptAt: p.nextAttemptAt ?? null,
  };
}

function logOutcome(state: NodeState, p: SaveRow, firstStarted: Date): void {
  // A retry was announced by its own run-log line; every other outcome gets one line here.
  if (p.status === "retrying") return;
  // A node that succeeded is in the run log already; its line is for debugging (the run's own line says it ended).
  const level = p.status === "failed" ? "error" : p.status === "needs_review" ? "warn" : p.status === "succeeded" ? "debug" : "info";
  const error = p.error ? state.redactor.value({ code: p.error.code, kind: p.error.kind, status: p.error.status, message: p.error.message }) : undefined;
  state.lines[level]({ attempt: state.attempt, status: p.status, durationMs: p.durationMs ?? Date.now() - firstStarted.getTime(), ...(error ? { error } : {}) }, `node ${p.status}`);
}
