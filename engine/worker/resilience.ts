/**
 * Surviving a database restart in a worker process.
 *
 * - `DatabaseOutage` logs once when the database goes away and once when it is back, however
 *   many attempts fail in between.
 * - `PatientPool` is the pg pool graphile-worker uses: its idle and active clients have error
 *   handlers (a restart terminates them), and `connect()` waits for the database to come back
 *   instead of failing, so completing or failing a job after a restart goes through.
 * - `survive` keeps a database error that escapes a promise nobody awaits (graphile-worker
 *   completes and fails jobs without awaiting) from ending the process.
 */
import pg from "pg";
import { isDatabaseUnavailable } from "../../db/errors";
import { errorFields, logger } from "../logging";

export class DatabaseOutage {
  private since: number | null = null;
  constructor(private readonly component = "worker") {}
  get down(): boolean {
    return this.since !== null;
  }
  /** Record a failure; returns whether it was a database outage (logged on the first only). */
  note(error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false;
    if (this.since === null) {
      this.since = Date.now();
      logger().error({ component: this.component, err: errorFields(error) }, "the database is unavailable; retrying until it is back");
    }
    return true;
  }
  /** A database round trip worked. */
  ok(): void {
    if (this.since === null) return;
    logger().info({ component: this.component, downMs: Date.now() - this.since }, "the database is back");
    this.since = null;
  }
}

export class PatientPool extends pg.Pool {
  private closing = false;
  constructor(
    config: pg.PoolConfig,
    private readonly outage: DatabaseOutage,
    private readonly retryEveryMs = 500,
  ) {
    super(config);
    // A restart terminates idle clients (they emit "error"): without a listener that ends the process.
    this.on("error", (error) => void this.outage.note(error));
    this.on("connect", (client) => client.on("error", (error) => void this.outage.note(error)));
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void) {
    if (callback) return super.connect(callback);
    return this.connectPatiently();
  }

  private async connectPatiently(): Promise<pg.PoolClient> {
    for (;;) {
      try {
        const client = await super.connect();
        this.outage.ok();
        return client;
      } catch (error) {
        if (this.closing || this.ending || !this.outage.note(error)) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, this.retryEveryMs));
    }
  }

  override end(): Promise<void>;
  override end(callback: () => void): void;
  override end(callback?: () => void) {
    this.closing = true;
    return callback ? super.end(callback) : super.end();
  }
}

let surviving = false;

/**
 * Process-wide: a rejected promise nobody handles is logged and survived when it is a database
 * outage (the job it belonged to is recovered by the sweeper); anything else still ends the
 * process, as Node would.
 */
export function survive(outage: DatabaseOutage): void {
  if (surviving) return;
  surviving = true;
  process.on("unhandledRejection", (reason) => {
    if (outage.note(reason)) return;
    logger().fatal({ err: errorFields(reason) }, "unhandled rejection");
    process.exit(1);
  });
}
