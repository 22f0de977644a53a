/**
 * Calls per minute per API token: a fixed one-minute window counted in PostgreSQL, so every web
 * process shares it. One statement per call counts it and says whether it is over the limit.
 */
import type { Db } from "../../db/client";

export interface RateDecision {
  allowed: boolean;
  calls: number;
  limit: number;
  /** Seconds until the window resets. */
  retryAfterSeconds: number;
}

export async function countCall(db: Db, tokenId: string, limit: number): Promise<RateDecision> {
  const [row] = await db.sql<{ calls: number; retry_after: number }[]>`
    with counted as (
      insert into agent_call_windows (token_id, window_start, calls) values (${tokenId}, date_trunc('minute', now()), 1)
      on conflict (token_id, window_start) do update set calls = agent_call_windows.calls + 1
      returning calls
    ), pruned as (
      delete from agent_call_windows where token_id = ${tokenId} and window_start < date_trunc('minute', now())
    )
    select calls, greatest(1, ceil(extract(epoch from (date_trunc('minute', now()) + interval '1 minute' - now()))))::int as retry_after from counted`;
  const calls = row?.calls ?? 1;
  return { allowed: calls <= limit, calls, limit, retryAfterSeconds: row?.retry_after ?? 60 };
}
