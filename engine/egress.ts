/**
 * The egress rules the engine hands to every HTTP client it builds (see connectors/sdk/egress.ts):
 * one policy per caller and allowed-hosts setting, so each keeps its connection pool.
 * - a connector's connections: its official hosts, loopback sandboxes, LEDGERLINE_ALLOWED_HOSTS;
 * - built-in HTTP nodes and alert webhooks (`core`): any public host; loopback and private
 *   addresses only when LEDGERLINE_ALLOWED_HOSTS lists them.
 * Link-local and cloud-metadata addresses are refused for everyone.
 */
import { EgressPolicy, parseAllowedHosts, type AnyConnectorDefinition } from "../connectors/sdk";
import { env } from "../db/env";

const policies = new Map<string, EgressPolicy>();

export function egressFor(system: string, connector?: AnyConnectorDefinition): EgressPolicy {
  const allowedText = env.allowedHosts;
  const cacheKey = `${system}\n${allowedText}`;
  let policy = policies.get(cacheKey);
  if (!policy) {
    const core = system === "core";
    policy = new EgressPolicy({
      label: core ? "HTTP node" : (connector?.title ?? system),
      hosts: core ? undefined : (connector?.endpoints?.hosts ?? []),
      allowed: parseAllowedHosts(allowedText),
    });
    policies.set(cacheKey, policy);
  }
  return policy;
}
