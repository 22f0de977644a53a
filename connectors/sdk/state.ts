/**
 * Connection state: the encrypted cache a connector keeps per connection (Intacct session ids,
 * Exact token pairs, IMS tokens). The engine stores it encrypted in PostgreSQL and shares it
 * across worker processes; `withLock` serialises critical sections (a token refresh) across all
 * of them. `memoryStateStore` serves connector tests and sandboxes that run without a database.
 */

export interface StateStore {
  get<T = unknown>(): Promise<T | undefined>;
  set<T = unknown>(value: T | undefined): Promise<void>;
  /** Run `fn` while holding this connection's exclusive lock (across processes in the engine). */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
}

export function memoryStateStore(initial?: unknown): StateStore {
  let value: unknown = initial;
  let chain: Promise<unknown> = Promise.resolve();
  return {
    async get<T>() {
      return value === undefined ? undefined : (structuredClone(value) as T);
    },
    async set(next) {
      value = next === undefined ? undefined : structuredClone(next);
    },
    withLock<T>(fn: () => Promise<T>): Promise<T> {
      const result = chain.then(fn, fn);
      chain = result.catch(() => undefined);
      return result;
    },
  };
}

/**
 * One named slot of a connection's state (a session per Intacct entity, a token per Exact
 * division): reads and writes `state[key]`, keeping the other slots and fields; the lock is the
 * connection's. Why: one connection may hold several credentials at once, and each must survive
 * the renewal of the others.
 */
export function stateSlot(state: StateStore, key: string): StateStore {
  const slots = async (): Promise<Record<string, unknown>> => {
    const value = await state.get<unknown>();
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  };
  return {
    async get<T>() {
      return (await slots())[key] as T | undefined;
    },
    async set(next) {
      const { [key]: _previous, ...rest } = await slots();
      await state.set(next === undefined ? rest : { ...rest, [key]: next });
    },
    withLock: (fn) => state.withLock(fn),
  };
}
