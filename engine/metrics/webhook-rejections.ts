/**
 * Counting refused webhook deliveries where every web process can add to and /api/metrics can
 * read: one row per day, flow, node and HTTP status. A delivery to an address that names no
 * active flow (404, or refused before it was looked up) counts under no flow.
 */
import type { Db } from "../../db/client";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function recordWebhookRejection(db: Db, target: { flowId: string; nodeId: string } | null, status: number): Promise<void> {
  const known = target && status !== 404 && UUID.test(target.flowId) ? target : null;
  const day = new Date().toISOString().slice(0, 10);
  await db.sql`
    insert into webhook_rejections (day, flow_id, node_id, status, count, last_at)
    values (${day}, ${known?.flowId ?? ""}, ${known?.nodeId.slice(0, 64) ?? ""}, ${status}, 1, now())
    on conflict (day, flow_id, node_id, status) do update set count = webhook_rejections.count + 1, last_at = now()`;
}
