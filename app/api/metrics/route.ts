/**
 * GET /api/metrics: Prometheus text format, computed from the database at scrape time (so every
 * worker and web process is counted). Needs `Authorization: Bearer <LEDGERLINE_METRICS_TOKEN>`;
 * anything else answers 401.
 */
import { getDb } from "../../../db/client";
import { metricsAccess } from "../../../engine/metrics/auth";
import { collectMetrics } from "../../../engine/metrics/collect";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  const access = metricsAccess(req.headers.get("authorization"));
  if (!access.ok) {
    return Response.json({ error: access.reason }, { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"', "cache-control": "no-store" } });
  }
  const registry = await collectMetrics(getDb());
  return new Response(await registry.metrics(), { status: 200, headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
}
