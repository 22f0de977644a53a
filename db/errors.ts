/**
 * Is this error the database being away (a restart, a cut connection, too many clients) rather
 * than something wrong with the query? Such errors are worth waiting out: retry once it is back.
 *
 * Covers postgres.js (`CONNECTION_CLOSED`, `CONNECT_TIMEOUT`, ...), node-postgres and pg-pool
 * (socket errors, "Connection terminated"), SQLSTATE class 08 and the "shutting down / starting
 * up / too many clients" states, and errors that wrap one of these as their cause (drizzle's
 * "Failed query: ...").
 */
const CODES = /^(CONNECTION_(CLOSED|ENDED|DESTROYED)|CONNECT_TIMEOUT|ECONNREFUSED|ECONNRESET|ECONNABORTED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|08...|57P0[1-3]|53300)$/;
const MESSAGES = /Connection terminated|Client has encountered a connection error|the database system is (shutting down|starting up|in recovery mode)|terminating connection due to administrator command/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CODES.test(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
  }
  return false;
}

/** Resolves once `probe` succeeds, trying every `everyMs`; rejects only when `signal` aborts. */
export async function waitForDatabase(probe: () => Promise<unknown>, options: { everyMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  const everyMs = options.everyMs ?? 500;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      await probe();
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
