/**
 * One node of a run: attempts with backoff, the idempotency ledger around writes, and the
 * checkpoint row persisted before the run moves on.
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
  type Logger,
  type NodeRunContext,
  type SerializedError,
} from "../../connectors/sdk";
import type { Db } from "../../db/client";
import { buildEnv, egressFor, loadConnection, setConnectionHealth, type LoadedConnection } from "../connections";
import type { FlowNode, RetryPolicy } from "../flow/schema";
import { claim, markDone, markFailed, type LedgerKey } from "../ledger";
import { lookupRow, saveNodeRun, type AttemptRecord, type LogRecord, type NodeRunRow, type RunRow } from "./store";

/** Waits up to this long happen inside the job; longer ones reschedule the job. */
export const INLINE_RETRY_MAX_MS = 2000;

export type NodeResult =
  | { kind: "done"; output: unknown; handle: string | null; stop: boolean }
  | { kind: "wait"; until: Date }
  | { kind: "failed"; error: SerializedError }
  | { kind: "review"; error: SerializedError }
  | { kind: "dry_run" };

export interface NodeExecution {
  db: Db;
  run: RunRow;
  node: FlowNode;
  def: AnyNodeDefinition;
  config: unknown;
  input: unknown;
  previous?: NodeRunRow;
  seq: number;
  policy: RetryPolicy;
  nodes: Record<string, unknown>;
  trigger: unknown;
  signal: AbortSignal;
  dryRun: boolean;
  connections: Map<string, LoadedConnection>;
}

function recorder(logs: LogRecord[], redactor: Redactor): Logger {
  const push = (level: LogRecord["level"]) => (message: string, data?: unknown) =>
    logs.push({ level, message: redactor.text(message), data: data === undefined ? undefined : redactor.value(data), at: new Date().toISOString() });
  return { info: push("info"), warn: push("warn"), error: push("error") };
}

async function connectionFor(x: NodeExecution): Promise<LoadedConnection | undefined> {
  if (!x.def.connection) return undefined;
  if (!x.node.connectionId) throw new PermanentError(`node ${x.node.id} has no connection`);
  let connection = x.connections.get(x.node.connectionId);
  if (!connection) {
    connection = await loadConnection(x.db, x.run.workspaceId, x.node.connectionId);
    x.connections.set(connection.id, connection);
  }
  return connection;
}

export async function executeNode(x: NodeExecution): Promise<NodeResult> {
  const attempts: AttemptRecord[] = x.previous?.status === "retrying" ? [...x.previous.attempts] : [];
  const write = x.def.effect.kind === "write" ? x.def.effect : undefined;
  const redactor = new Redactor();

  if (x.dryRun && write) {
    await save(x, { redactor, status: "dry_run", attempts, input: x.input, output: { wouldSend: x.input }, httpCalls: [], logs: [], startedAt: new Date(), durationMs: 0 });
    return { kind: "dry_run" };
  }

  // Calls and logs of every attempt of this node, earlier jobs' included.
  const resumed = x.previous?.status === "retrying";
  const httpCalls: HttpCallRecord[] = resumed ? [...x.previous!.httpCalls] : [];
  const logs: LogRecord[] = resumed ? [...x.previous!.logs] : [];
  const log = recorder(logs, redactor);

  for (;;) {
    const attempt = attempts.length + 1;
    const startedAt = new Date();
    let handle: string | null = (x.def.outputs ?? ["out"])[0]!;
    let stop = false;
    let ledgerKey: LedgerKey | undefined;
    let connection: LoadedConnection | undefined;
    try {
      connection = await connectionFor(x);
      const client = connection
        ? connection.connector.createClient(buildEnv(x.db, connection, { record: (c) => httpCalls.push(c), log, signal: x.signal, redactor }))
        : undefined;
      const ctx: NodeRunContext<unknown> = {
        client,
        http: new HttpClient({ redactor, record: (c) => httpCalls.push(c), signal: x.signal, system: x.def.system, egress: egressFor("core") }),
        log,
        lookup: (tableId, key) => lookupRow(x.db, x.run.workspaceId, tableId, key),
        workspaceId: x.run.workspaceId,
        flowId: x.run.flowId,
        runId: x.run.id,
        nodeId: x.node.id,
        attempt,
        signal: x.signal,
        nodes: x.nodes,
        trigger: x.trigger,
        route: (next) => {
          if (next === null) stop = true;
          else handle = next;
        },
      };
      const input = x.def.input.parse(x.input);
      let output: unknown;
      let status: NodeRunRow["status"] = "succeeded";
      if (write) {
        let businessKey: string;
        try {
          businessKey = write.key(input, x.config);
        } catch (error) {
          throw new PermanentError(`cannot derive the idempotency key: ${(error as Error).message}`);
        }
        ledgerKey = { workspaceId: x.run.workspaceId, system: x.def.connection ?? x.def.system, businessKey };
        const claimed = await claim(x.db, ledgerKey, x.run.id, x.def.type);
        if (claimed.kind === "done") {
          log.info(`Already posted earlier (idempotency key ${businessKey}): reading back the earlier result`);
          ledgerKey = undefined;
          output = claimed.result;
          status = "already_done";
        } else if (claimed.kind === "busy") {
          ledgerKey = undefined;
          throw new RetryableError(`another run (${claimed.runId}) is posting ${businessKey} right now`, { retryAfterMs: 5000 });
        } else {
          ctx.idempotency = { key: businessKey, previousOutcomeUnknown: claimed.previousOutcomeUnknown };
          let reconciled: unknown;
          if (claimed.previousOutcomeUnknown && write.reconcile) {
            log.info(`An earlier attempt's outcome is unknown: checking whether ${businessKey} was posted`);
            reconciled = await write.reconcile(ctx, input, x.config);
          }
          if (reconciled !== undefined) {
            log.info(`Found ${businessKey} already posted: not posting again`);
            output = reconciled;
            status = "already_done";
          } else {
            output = await x.def.run(ctx, input, x.config);
          }
          await markDone(x.db, ledgerKey, output ?? null);
          ledgerKey = undefined;
        }
      } else {
        output = await x.def.run(ctx, input, x.config);
      }
      const parsed = x.def.output.safeParse(output);
      if (!parsed.success) {
        throw new PermanentError(`node ${x.def.type} returned data that does not match its output schema: ${parsed.error.issues[0]?.message}`);
      }
      attempts.push({ attempt, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() });
      await save(x, { redactor, status: stop ? "skipped" : status, attempts, input: x.input, output: parsed.data, httpCalls, logs, startedAt, handle: stop ? null : handle });
      if (connection && (connection.status === "failing" || connection.status === "untested")) await markHealthy(x, connection);
      return { kind: "done", output: parsed.data, handle: stop ? null : handle, stop };
    } catch (error) {
      if (error instanceof AlreadyDoneError) {
        // The remote system says this was posted before: continue with what it read back.
        if (ledgerKey) await markDone(x.db, ledgerKey, error.result ?? null);
        log.info(`Already posted earlier: ${error.message}`);
        attempts.push({ attempt, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime() });
        await save(x, { redactor, status: "already_done", attempts, input: x.input, output: error.result, httpCalls, logs, startedAt });
        return { kind: "done", output: error.result, handle, stop: false };
      }
      // Secrets learnt during the attempt (session ids, tokens) were registered on the redactor.
      const serialized = redactor.value(serializeError(error));
      if (ledgerKey && !(error instanceof RetryableError && error.outcomeUnknown)) await markFailed(x.db, ledgerKey);
      if (isClassified(error) && error.connectionHealth && connection) {
        await setConnectionHealth(x.db, x.run.workspaceId, connection.id, error.connectionHealth, serialized.message);
      }
      const record: AttemptRecord = { attempt, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), error: serialized };
      attempts.push(record);
      if (error instanceof RetryableError && !x.signal.aborted) {
        const waited = attempts.reduce((sum, a) => sum + (a.delayMs ?? 0), 0);
        const delay = backoffDelay(x.policy, attempt, error.retryAfterMs);
        if (attempt < x.policy.maxAttempts && waited + delay <= x.policy.maxTotalDelayMs) {
          record.delayMs = delay;
          const until = new Date(Date.now() + delay);
          log.warn(`Attempt ${attempt} failed (${serialized.message}); retrying in ${delay} ms`);
          await save(x, { redactor, status: "retrying", attempts, input: x.input, output: null, httpCalls, logs, startedAt, error: serialized, nextAttemptAt: until });
          if (delay <= INLINE_RETRY_MAX_MS) {
            await sleep(delay, x.signal);
            continue;
          }
          return { kind: "wait", until };
        }
        serialized.message = `${serialized.message} (gave up after ${attempt} attempt${attempt === 1 ? "" : "s"})`;
      }
      const review = isClassified(error) && error.kind === "needs_review";
      await save(x, { redactor, status: review ? "needs_review" : "failed", attempts, input: x.input, output: null, httpCalls, logs, startedAt, error: serialized });
      return review ? { kind: "review", error: serialized } : { kind: "failed", error: serialized };
    }
  }
}

/** A connection that works again (or for the first time) says so; healthy ones cost no query. */
async function markHealthy(x: NodeExecution, connection: LoadedConnection): Promise<void> {
  connection.status = "ok";
  await x.db.sql`
    update connections set status = 'ok', status_message = null
    where id = ${connection.id} and workspace_id = ${x.run.workspaceId} and status in ('failing', 'untested')`.catch(() => undefined);
}

async function save(
  x: NodeExecution,
  p: {
    redactor: Redactor;
    status: NodeRunRow["status"];
    attempts: AttemptRecord[];
    input: unknown;
    output: unknown;
    httpCalls: HttpCallRecord[];
    logs: LogRecord[];
    startedAt: Date;
    durationMs?: number;
    handle?: string | null;
    error?: SerializedError;
    nextAttemptAt?: Date;
  },
): Promise<void> {
  const finished = p.status !== "retrying";
  await saveNodeRun(x.db, x.run, {
    nodeId: x.node.id,
    nodeType: x.def.type,
    status: p.status,
    attempt: p.attempts.length || 1,
    input: p.input,
    output: p.output,
    handle: p.handle ?? null,
    // Secrets learnt after a call was recorded (a new session id, a token) are masked again here.
    httpCalls: p.redactor.value(p.httpCalls),
    logs: p.redactor.value(p.logs),
    attempts: p.attempts,
    error: p.error ?? null,
    seq: x.seq,
    startedAt: x.previous?.startedAt ?? p.startedAt,
    finishedAt: finished ? new Date() : null,
    durationMs: p.durationMs ?? Date.now() - (x.previous?.startedAt ?? p.startedAt).getTime(),
    nextAttemptAt: p.nextAttemptAt ?? null,
  });
}
