/**
 * Poll checkpoints as a person sees them, and "Reprocess since <date>".
 *
 * - `describeCheckpoint`: the poll trigger of the flow's active version (else its latest) with
 *   its cursor, last tick, next tick (the queued tick job), pages and records read, last error,
 *   and whether the cursor still belongs to the trigger's current settings.
 * - `reprocessSince`: moves the cursor back so the next poll re-reads every record changed since
 *   the date (the trigger's own `rewind`), and polls right away when the flow is active.
 *   Re-read records whose version is unchanged make no new run (runs dedupe on key and version);
 *   a changed record makes a new run whose writes the idempotency ledger guards, so nothing is
 *   posted twice.
 */
import { Redactor, type Logger, type TriggerContext } from "../connectors/sdk";
import { jsonb, type Db } from "../db/client";
import { recordAudit, type Actor } from "./audit";
import { buildEnv, loadConnection } from "./connections";
import { parseFlowDefinition } from "./flow/schema";
import { nextTick, scheduleTick } from "./queue";
import { configHash, findTrigger } from "./triggers";

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function pollTrigger(db: Db, workspaceId: string, flowId: string) {
  const [flow] = await db.sql<{ active: boolean; definition: unknown }[]>`
    select f.active, coalesce(av.definition, lv.definition) as definition
    from flows f
    left join flow_versions av on av.id = f.active_version_id and av.workspace_id = f.workspace_id and f.active
    left join lateral (select definition from flow_versions where flow_id = f.id and workspace_id = f.workspace_id order by version desc limit 1) lv on true
    where f.id = ${flowId} and f.workspace_id = ${workspaceId}`;
  if (!flow) throw new Error("flow not found");
  const trigger = flow.definition ? findTrigger(parseFlowDefinition(flow.definition)) : undefined;
  return { active: flow.active, trigger: trigger?.def.trigger?.mode === "poll" ? trigger : undefined };
}

export interface CheckpointView {
  nodeId: string;
  triggerTitle: string;
  active: boolean;
  /** The stored cursor (the connector's own shape), null before the first poll or after a reset. */
  cursor: unknown;
  /** False when the trigger's settings changed since: the next poll starts from its look-back. */
  current: boolean;
  lastPolledAt: Date | null;
  nextTickAt: Date | null;
  pagesRead: number;
  recordsSeen: number;
  lastError: { message?: string } | null;
  canReprocess: boolean;
}

/** The flow's poll checkpoint, or null when its trigger does not poll. */
export async function describeCheckpoint(db: Db, workspaceId: string, flowId: string): Promise<CheckpointView | null> {
  const { active, trigger } = await pollTrigger(db, workspaceId, flowId);
  if (!trigger) return null;
  const [row] = await db.sql<{ cursor: unknown; config_hash: string; last_polled_at: Date | null; last_error: { message?: string } | null; records_seen: number; pages_read: number }[]>`
    select cursor, config_hash, last_polled_at, last_error, records_seen, pages_read from trigger_checkpoints
    where flow_id = ${flowId} and node_id = ${trigger.node.id} and workspace_id = ${workspaceId}`;
  return {
    nodeId: trigger.node.id,
    triggerTitle: trigger.node.name ?? trigger.def.title,
    active,
    cursor: row?.cursor ?? null,
    current: row ? row.config_hash === configHash(trigger.node) : true,
    lastPolledAt: row?.last_polled_at ?? null,
    nextTickAt: active ? await nextTick(db.sql, flowId) : null,
    pagesRead: row?.pages_read ?? 0,
    recordsSeen: row?.records_seen ?? 0,
    lastError: row?.last_error ?? null,
    canReprocess: Boolean(trigger.def.trigger?.rewind && trigger.node.connectionId),
  };
}

/** Move the cursor back to `since`; the next poll (right away when active) re-reads from there. */
export async function reprocessSince(db: Db, workspaceId: string, flowId: string, since: Date, actor: Actor): Promise<{ cursor: unknown; nextTickAt: Date | null }> {
  if (Number.isNaN(since.getTime())) throw new Error("Choose the date to reprocess from");
  if (since.getTime() > Date.now()) throw new Error("The date to reprocess from is in the future");
  const { active, trigger } = await pollTrigger(db, workspaceId, flowId);
  if (!trigger) throw new Error("This flow's trigger does not poll: there is no checkpoint to move");
  const rewind = trigger.def.trigger?.rewind;
  if (!rewind) throw new Error(`${trigger.def.title} cannot reprocess from a date`);
  if (!trigger.node.connectionId) throw new Error(`${trigger.def.title} needs a connection first`);
  const config = trigger.def.config.safeParse(trigger.node.config);
  if (!config.success) throw new Error(`${trigger.def.title}: its settings have problems; fix them on the canvas first`);

  const signal = AbortSignal.timeout(20_000);
  const connection = await loadConnection(db, workspaceId, trigger.node.connectionId);
  const client = connection.connector.createClient(buildEnv(db, connection, { log: silent, signal, redactor: new Redactor() }));
  const ctx: TriggerContext = { client, log: silent, signal, workspaceId, flowId, nodeId: trigger.node.id };
  const cursor = await rewind(ctx, config.data, since);

  await db.sql.begin(async (tx) => {
    const [before] = await tx<{ cursor: unknown }[]>`
      select cursor from trigger_checkpoints where flow_id = ${flowId} and node_id = ${trigger.node.id} and workspace_id = ${workspaceId} for update`;
    await tx`
      insert into trigger_checkpoints (workspace_id, flow_id, node_id, config_hash, cursor)
      values (${workspaceId}, ${flowId}, ${trigger.node.id}, ${configHash(trigger.node)}, ${jsonb(cursor)}::text::jsonb)
      on conflict (flow_id, node_id) do update set config_hash = excluded.config_hash, cursor = excluded.cursor, last_error = null, updated_at = now()`;
    await recordAudit(tx, workspaceId, actor, {
      action: "trigger.reprocess_since",
      entityType: "flow",
      entityId: flowId,
      data: { nodeId: trigger.node.id, since: since.toISOString(), cursor: { from: before?.cursor ?? null, to: cursor } },
    });
    if (active) await scheduleTick(tx, flowId, new Date());
  });
  return { cursor, nextTickAt: active ? new Date() : null };
}
