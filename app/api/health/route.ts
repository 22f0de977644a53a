/**
 * GET /api/health: database, migrations and worker. HTTP 200 only when all three are up.
 */
import { getDb } from "../../../db/client";
import { migrationStatus, workerSchemaReady } from "../../../db/migration-status";
import { liveWorkers } from "../../../engine/worker/heartbeat";

export const dynamic = "force-dynamic";

export async function GET() {
  const started = Date.now();
  const result = {
    database: { ok: false, latencyMs: 0, error: undefined as string | undefined },
    migrations: { ok: false, expected: 0, applied: 0, workerSchema: false },
    worker: { ok: false, live: 0 },
  };
  try {
    const db = getDb();
    await db.sql`select 1`;
    result.database = { ok: true, latencyMs: Date.now() - started, error: undefined };
    const status = await migrationStatus(db.sql);
    const workerSchema = await workerSchemaReady(db.sql);
    result.migrations = { ok: status.applied >= status.expected && workerSchema, ...status, workerSchema };
    const live = await liveWorkers(db);
    result.worker = { ok: live > 0, live };
  } catch (error) {
    result.database.error = (error as Error).message.replace(/postgres:\/\/[^@\s]*@/g, "postgres://[redacted]@");
  }
  const ok = result.database.ok && result.migrations.ok && result.worker.ok;
  return Response.json({ status: ok ? "ok" : "degraded", ...result }, { status: ok ? 200 : 503 });
}
