/**
 * Recovery after a fault: which runs a worker held when it was hit (its graphile-worker jobs, found
 * through its heartbeat rows by pid), and how long until each of them did anything again (a node
 * started or finished, or the run finished), whichever worker did it.
 */
import type { Db } from "../../db/client";

export interface FaultEvent {
  kind: "SIGKILL" | "SIGSTOP" | "SIGTERM" | "postgres restart";
  at: number;
  /** worker number, for worker faults */
  worker?: number;
  /** runs in flight on the worker (or anywhere, for a database restart) when it was hit */
  runIds: string[];
  note?: string;
  /** run id -> lease token at the fault (a new token means another claim took it over) */
  tokens?: Map<string, string | null>;
  /** run id -> when the bench first saw it claimed again, released or finished */
  reclaimedAt?: Map<string, number>;
}

export interface Recovery {
  event: FaultEvent;
  /** ms from the fault to the slowest of its runs being claimed again (or released, or finished) */
  slowestReclaimMs?: number;
  /** ms from the fault to the slowest of its runs' next step (an attempt started, included); undefined: no run was in flight */
  slowestMs?: number;
  /** ms from the fault to the slowest of its runs' next node start or finish, not counting attempts (includes retry waits and later faults) */
  slowestNodeDoneMs?: number;
  /** runs that never moved again */
  stuck: string[];
  /** The slowest run's story (its nodes and their attempts, times from the fault): why it took that long. */
  slowestRun?: { runId: string; ms: number; trace: string[] };
}

/** Runs whose jobs are locked by the worker ids of these processes. */
export async function runsHeldBy(db: Db, pids: number[]): Promise<string[]> {
  if (pids.length === 0) return [];
  const rows = await db.sql<{ run_id: string }[]>`
    select substring(j.key from 5) as run_id
    from graphile_worker._private_jobs j
    where j.key like 'run:%'
      and j.locked_by in (select worker_id from worker_heartbeats where pid = any(${pids}::int[]))`;
  return rows.map((r) => r.run_id);
}

export async function runsRunning(db: Db, runIds?: string[]): Promise<string[]> {
  const rows = runIds
    ? await db.sql<{ id: string }[]>`select id::text from runs where status = 'running' and id = any(${runIds}::uuid[])`
    : await db.sql<{ id: string }[]>`select id::text from runs where status = 'running'`;
  return rows.map((r) => r.id);
}

/** Lease tokens of runs at the moment of a fault. */
export async function leaseTokens(db: Db, runIds: string[]): Promise<Map<string, string | null>> {
  if (runIds.length === 0) return new Map();
  const rows = await db.sql<{ id: string; token: string | null }[]>`select id::text, lease_token::text as token from runs where id = any(${runIds}::uuid[])`;
  return new Map(rows.map((r) => [r.id, r.token]));
}

/**
 * One look at every fault's runs that have not been taken over yet: a run whose lease token
 * changed, or that is no longer running, has been claimed again (or released, or finished).
 */
export async function watchReclaims(db: Db, events: FaultEvent[]): Promise<void> {
  const open = events.flatMap((e) => [...(e.tokens ?? new Map()).keys()].filter((id) => !e.reclaimedAt?.has(id)).map((id) => ({ e, id })));
  if (open.length === 0) return;
  const rows = await db.sql<{ id: string; token: string | null; status: string }[]>`
    select id::text, lease_token::text as token, status from runs where id = any(${[...new Set(open.map((o) => o.id))]}::uuid[])`;
  const now = Date.now();
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const { e, id } of open) {
    const row = byId.get(id);
    if (!row || row.status !== "running" || row.token !== e.tokens!.get(id)) {
      e.reclaimedAt ??= new Map();
      e.reclaimedAt.set(id, now);
    }
  }
}

/**
 * The next step of each interrupted run after the fault: an attempt of a node started (every
 * attempt is recorded with its start, also the attempts of a node that was already retrying when
 * the fault hit, whose node row keeps its first start), a node started or finished, or the run
 * finished. Also, apart, when each run's node next finished or started for the first time (the
 * figure before attempts were counted): it includes the node's own retry waits, and any later
 * fault the run met on its next worker.
 */
export async function measureRecovery(db: Db, event: FaultEvent): Promise<Recovery> {
  if (event.runIds.length === 0) return { event, stuck: [] };
  const at = new Date(event.at);
  const rows = await db.sql<{ id: string; next_at: Date | null; node_done_at: Date | null; finished_before: boolean }[]>`
    select r.id::text,
      (select min(t) from (
         select (a->>'startedAt')::timestamptz as t from node_runs n, jsonb_array_elements(n.attempts) a
           where n.run_id = r.id and (a->>'startedAt')::timestamptz > ${at}
         union all select n.started_at from node_runs n where n.run_id = r.id and n.started_at > ${at}
         union all select n.finished_at from node_runs n where n.run_id = r.id and n.finished_at > ${at}
         union all select r.finished_at where r.finished_at > ${at}
       ) x) as next_at,
      (select min(t) from (
         select n.started_at as t from node_runs n where n.run_id = r.id and n.started_at > ${at}
         union all select n.finished_at from node_runs n where n.run_id = r.id and n.finished_at > ${at}
         union all select r.finished_at where r.finished_at > ${at}
       ) x) as node_done_at,
      coalesce(r.finished_at <= ${at}, false) as finished_before
    from runs r where r.id = any(${event.runIds}::uuid[])`;
  let slowest: number | undefined;
  let slowestId: string | undefined;
  let slowestNodeDone: number | undefined;
  const stuck: string[] = [];
  for (const row of rows) {
    if (row.finished_before) continue;
    if (!row.next_at) {
      stuck.push(row.id);
      continue;
    }
    const ms = row.next_at.getTime() - event.at;
    if (slowest === undefined || ms > slowest) {
      slowest = ms;
      slowestId = row.id;
    }
    const done = row.node_done_at ? row.node_done_at.getTime() - event.at : Number.POSITIVE_INFINITY;
    slowestNodeDone = Math.max(slowestNodeDone ?? 0, done);
  }
  const reclaims = [...(event.reclaimedAt?.values() ?? [])].map((t) => t - event.at);
  const traced = stuck[0] ?? slowestId;
  return {
    event,
    slowestMs: slowest,
    slowestNodeDoneMs: slowestNodeDone,
    slowestReclaimMs: reclaims.length ? Math.max(...reclaims) : undefined,
    stuck,
    slowestRun: traced ? { runId: traced, ms: stuck.length ? Number.POSITIVE_INFINITY : slowest!, trace: await traceRun(db, traced, event) } : undefined,
  };
}

interface TracedAttempt {
  attempt: number;
  startedAt: string;
  durationMs: number;
  delayMs?: number;
  error?: { message?: string };
}

/**
 * One run's story around a fault, times from the fault: when it was claimed again (the bench's
 * own observation), each node's first start and finish, and every attempt with its error and the
 * wait that followed. Attempts that started before the fault are left out after the first two.
 */
export async function traceRun(db: Db, runId: string, event: FaultEvent): Promise<string[]> {
  const from = (t: Date | string | null) => (t === null ? "-" : `${((new Date(t).getTime() - event.at) / 1000).toFixed(1)} s`);
  const [run] = await db.sql<{ flow: string; status: string; trigger_kind: string; finished_at: Date | null }[]>`
    select f.name as flow, r.status, r.trigger_kind, r.finished_at from runs r join flows f on f.id = r.flow_id where r.id = ${runId}`;
  if (!run) return [`run ${runId}: gone`];
  const nodes = await db.sql<{ node_id: string; node_type: string; status: string; started_at: Date; finished_at: Date | null; attempts: TracedAttempt[] | null }[]>`
    select node_id, node_type, status, started_at, finished_at, attempts from node_runs where run_id = ${runId} order by seq`;
  const reclaimed = event.reclaimedAt?.get(runId);
  const lines = [
    `run ${runId} (${run.flow}, ${run.trigger_kind}): ${run.status}, finished ${from(run.finished_at)}; claimed again (seen) ${reclaimed === undefined ? "-" : `${((reclaimed - event.at) / 1000).toFixed(1)} s`}`,
  ];
  for (const n of nodes) {
    if (n.finished_at && n.finished_at.getTime() < event.at) continue;
    lines.push(`  node ${n.node_id} (${n.node_type}) ${n.status}: started ${from(n.started_at)}, finished ${from(n.finished_at)}`);
    for (const a of n.attempts ?? []) {
      const wait = a.delayMs === undefined ? "" : `, then waits ${(a.delayMs / 1000).toFixed(1)} s`;
      lines.push(`    attempt ${a.attempt} at ${from(a.startedAt)} for ${(a.durationMs / 1000).toFixed(1)} s${a.error ? `: ${(a.error.message ?? "error").slice(0, 120)}` : ": ok"}${wait}`);
    }
  }
  return lines;
}
