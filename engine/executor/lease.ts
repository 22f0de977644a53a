/**
 * Run leases: one executor per run at a time, fenced.
 *
 * Glossary
 * - claim:   `startRun` marks a run running and gives it a new fencing token (`runs.lease_token`)
 *            with an expiry (`lease_expires_at`). A run that is running under a lease that has not
 *            expired cannot be claimed by anyone else.
 * - holder:  the executor that claimed it. It renews the lease every third of its lifetime; once the
 *            expiry has passed, the lease is dead for good (a renewal past the expiry is refused), so
 *            a worker that was paused (SIGSTOP, a long GC pause, a frozen VM) and wakes up holds
 *            nothing, even when nobody has taken the run over yet.
 * - fence:   every checkpoint, ledger transition and run update is conditional on the token being
 *            current and unexpired (`heldBy`), and `check()` runs before each request that may change
 *            something remotely: a stale holder's writes are refused and it sends nothing more.
 *
 * Why a local clock as well: `check()` asks the database only when the last confirmation is older
 * than half the lease's lifetime (monotonic time, which keeps running while a process is stopped),
 * so the hot path costs no query and a process that was paused always asks.
 */
import { performance } from "node:perf_hooks";
import type { Db } from "../../db/client";

/** A claim's lifetime without renewal: the workers' stale window (../worker/heartbeat.ts). Renewed every third of it. */
export const DEFAULT_LEASE_MS = 12_000;

/** Not a classified error: the engine stops executing the run and leaves everything to the new holder. */
export class LeaseLostError extends Error {
  constructor(runId: string) {
    super(`run ${runId}: another worker holds it now (this claim's lease expired); stopping without writing`);
    this.name = "LeaseLostError";
  }
}

export interface RunLeaseRef {
  runId: string;
  token: string;
}

export class Lease implements RunLeaseRef {
  private confirmedAt: number;
  private lostError: LeaseLostError | undefined;
  private readonly listeners = new Set<(error: LeaseLostError) => void>();

  constructor(
    private readonly db: Db,
    readonly runId: string,
    readonly token: string,
    readonly ttlMs: number,
    confirmedAt = performance.now(),
  ) {
    this.confirmedAt = confirmedAt;
  }

  get lost(): boolean {
    return this.lostError !== undefined;
  }

  onLost(listener: (error: LeaseLostError) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Before a side effect: throws LeaseLostError unless this claim still holds the run. */
  async check(): Promise<void> {
    if (this.lostError) throw this.lostError;
    if (performance.now() - this.confirmedAt < this.ttlMs / 2) return;
    await this.renew();
  }

  /** Extend the lease; refused (and lost for good) once it expired or another claim replaced it. */
  async renew(): Promise<void> {
    if (this.lostError) throw this.lostError;
    const sent = performance.now();
    const rows = await this.db.sql`
      update runs set lease_expires_at = now() + ${`${this.ttlMs} milliseconds`}::interval
      where id = ${this.runId} and lease_token = ${this.token} and lease_expires_at > now()
      returning 1`;
    if (rows.length === 0) throw this.markLost();
    if (sent > this.confirmedAt) this.confirmedAt = sent;
  }

  /** Record that a fenced write was refused: the lease is gone. */
  markLost(): LeaseLostError {
    if (!this.lostError) {
      this.lostError = new LeaseLostError(this.runId);
      for (const listener of this.listeners) listener(this.lostError);
    }
    return this.lostError;
  }

  /** Renew every third of the lifetime until stopped; a refused renewal reports the loss. */
  keepAlive(): () => void {
    const timer = setInterval(() => {
      this.renew().catch(() => undefined); // database trouble: the next tick tries again; a loss is reported by markLost
    }, Math.max(100, Math.floor(this.ttlMs / 3)));
    timer.unref();
    return () => clearInterval(timer);
  }
}
