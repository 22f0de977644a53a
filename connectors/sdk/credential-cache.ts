/**
 * A connection's credential (an API session, an access token) kept where every worker finds it,
 * and renewed by one caller at a time.
 *
 * Glossary
 * - slot:        where the credential lives inside the connection state (`pick` reads it, `put`
 *                writes it back into the rest of the state, or clears it with `undefined`).
 * - usable:      the connector's test of a stored credential: it belongs to this connection's
 *                identity (base URL, company, user, region...) and is not about to expire.
 * - issue:       the sign-in or token request that makes a new credential; it runs under the
 *                connection's lock (`StateStore.withLock`, across processes), after a second
 *                look at the state, so concurrent callers share one renewal (single flight).
 *                Callers in this process also share one pending renewal, without queueing on
 *                the lock one after the other.
 * - invalidate:  the remote refused a credential: drop it, unless another caller has already
 *                replaced it (only the refused secret is cleared).
 */
import type { StateStore } from "./state";

export interface CredentialCacheOptions<T, S> {
  state: StateStore;
  /** The credential inside the connection state. */
  pick: (state: S | undefined) => T | undefined;
  /** The connection state with the credential replaced (`undefined`: cleared). */
  put: (state: S | undefined, value: T | undefined) => S | undefined;
  /** Whether a stored credential may be used now by this connection. */
  usable: (value: T) => boolean;
  /** The secret that a refusal names (session id, access token). */
  secret: (value: T) => string | undefined;
  /** Make a new credential; given the state as read under the lock. */
  issue: (state: S | undefined) => Promise<T>;
  /** Runs for each credential read or made (register its secrets with the redactor). */
  adopt?: (value: T) => void;
}

export class CredentialCache<T, S = unknown> {
  /** The credential last used in this process: no state read per call. */
  private memo?: T;
  private pending?: Promise<T>;

  constructor(private readonly options: CredentialCacheOptions<T, S>) {}

  /** A usable credential: this process's, then the stored one, else one new one for all callers. */
  async get(): Promise<T> {
    if (this.memo !== undefined && this.options.usable(this.memo)) return this.memo;
    const stored = this.adopt(this.options.pick(await this.options.state.get<S>()));
    if (stored !== undefined && this.options.usable(stored)) return this.remember(stored);
    const pending =
      this.pending ??
      this.renew().finally(() => {
        this.pending = undefined;
      });
    this.pending = pending;
    return pending;
  }

  private renew(): Promise<T> {
    const { state, pick, put, usable, issue } = this.options;
    return state.withLock(async () => {
      const current = await state.get<S>();
      const again = this.adopt(pick(current));
      if (again !== undefined && usable(again)) return this.remember(again);
      const fresh = await issue(current);
      this.options.adopt?.(fresh);
      // Read again: `issue` may have written the state (a request counter, a marker).
      await state.set(put(await state.get<S>(), fresh));
      return this.remember(fresh);
    });
  }

  /** The remote refused `secret`: drop it here and in the state, unless it was replaced meanwhile. */
  async invalidate(secret: string): Promise<void> {
    const { state, pick, put } = this.options;
    if (this.memo !== undefined && this.options.secret(this.memo) === secret) this.memo = undefined;
    await state.withLock(async () => {
      const current = await state.get<S>();
      const stored = pick(current);
      if (stored !== undefined && this.options.secret(stored) === secret) await state.set(put(current, undefined));
    });
  }

  /** Forget this process's copy (the state was rewritten outside the cache, e.g. a new sign-in). */
  forget(): void {
    this.memo = undefined;
  }

  /** Store a newer form of the same credential (a later expiry), unless it was replaced meanwhile. */
  async update(next: T): Promise<void> {
    const { state, pick, put, secret } = this.options;
    const id = secret(next);
    if (this.memo !== undefined && secret(this.memo) === id) this.memo = next;
    await state.withLock(async () => {
      const current = await state.get<S>();
      const stored = pick(current);
      if (stored !== undefined && secret(stored) === id) await state.set(put(current, next));
    });
  }

  private remember(value: T): T {
    this.memo = value;
    return value;
  }

  private adopt(value: T | undefined): T | undefined {
    if (value !== undefined) this.options.adopt?.(value);
    return value;
  }
}
