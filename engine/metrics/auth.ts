/**
 * Who may scrape /api/metrics: whoever sends `Authorization: Bearer <LEDGERLINE_METRICS_TOKEN>`.
 * Metrics span every workspace of the installation, so they are guarded by an operator's token
 * from the environment, not a workspace API token. Unset: the endpoint refuses everyone.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "../../db/env";

export type MetricsAccess = { ok: true } | { ok: false; reason: string };

export function metricsAccess(authorization: string | null, token = env.metricsToken): MetricsAccess {
  if (!token) return { ok: false, reason: "metrics are off: set LEDGERLINE_METRICS_TOKEN and scrape with it as a Bearer token" };
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  if (!match) return { ok: false, reason: "send Authorization: Bearer <LEDGERLINE_METRICS_TOKEN>" };
  // Equal-length digests, so the comparison takes the same time whatever was sent.
  const sent = createHash("sha256").update(match[1]!.trim()).digest();
  const expected = createHash("sha256").update(token).digest();
  return timingSafeEqual(sent, expected) ? { ok: true } : { ok: false, reason: "wrong metrics token" };
}
