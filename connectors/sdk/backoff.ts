/**
 * Exponential backoff with full jitter (delay = random(0, min(cap, base * 2^attempt))), with a
 * server's Retry-After taking precedence when it asks for longer.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, jittered) : jittered;
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    // The listener goes when the wait ends: long-lived signals must not collect one per sleep.
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
