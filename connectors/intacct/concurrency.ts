/**
 * The Intacct company's requests in flight. Intacct counts concurrent requests per company,
 * whatever the channel ("6/8": an application may run 6 at once, the company 8 in all;
 * intacct-rest.md 3.4), and more get GW-0010 (HTTP 429). So the XML gateway and the REST API of
 * one company take their slots from one limit, keyed by the company, across every worker process
 * (the engine keeps the slots in PostgreSQL: engine/rate-limit.ts).
 */
import type { ConnectorEnv } from "../sdk";
import { ConcurrencyLimit } from "../sdk/limits";
import type { IntacctConfig, IntacctSecrets } from "./connection";

/** Concurrent requests per company: "most customers are allowed 2"; more gets GW-0010 (429). */
export const CONCURRENT_REQUESTS = 2;

/** The slots' key: the company, so every connection of it (XML, REST, any entity) shares them. */
export const companyKey = (companyId: string) => `intacct|${companyId}`;

/** At most CONCURRENT_REQUESTS in flight for the connection's company. */
export function companyRequests(env: ConnectorEnv<IntacctConfig, IntacctSecrets>): ConcurrencyLimit {
  // A slot outlives its request by a little only when the process died holding it.
  return new ConcurrencyLimit(env, "intacct", companyKey(env.config.companyId), CONCURRENT_REQUESTS, env.config.timeoutMs + 5_000);
}
