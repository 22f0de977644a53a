/**
 * Triggers: activation (schedules the per-flow tick job), the tick (schedule and poll triggers,
 * with checkpoints) and webhook deliveries.
 *
 * Poll cursors move forward only in the transaction that creates the runs for the records they
 * cover; they reset when the trigger's config or connection changes; a tick polls at most
 * MAX_PAGES_PER_TICK pages and leaves the rest for the next tick (scheduled right away).
 */
import { createHash } from "node:crypto";
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import {
  isClassified,
  Redactor,
  serializeError,
  WebhookRejected,
  type AnyNodeDefinition,
  type Logger,
  type TriggerContext,
  type WebhookRequest,
} from "../connectors/sdk";
import { jsonb, type Db } from "../db/client";
import { buildEnv, loadConnection } from "./connections";
import { parseFlowDefinition, type FlowDefinition, type FlowNode } from "./flow/schema";
import { bindSummaryStore } from "./nodes/aggregate-store";
import { cancelTick, scheduleTick } from "./queue";
import { registry } from "./registry";
import { createRuns } from "./runs";

export const MAX_PAGES_PER_TICK = 5;
export const DEFAULT_POLL_SCHEDULE = "*/5 * * * *";

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function findTrigger(flow: FlowDefinition): { node: FlowNode; def: AnyNodeDefinition } | undefined {
  for (const node of flow.nodes) {
    const def = registry.node(node.type, node.typeVersion);
    if (def?.category === "trigger") return { node, def };
  }
  return undefined;
}

export function nextTickAt(flow: FlowDefinition, trigger: { node: FlowNode; def: AnyNodeDefinition }, from = new Date()): Date | undefined {
  const mode = trigger.def.trigger?.mode;
  if (mode !== "schedule" && mode !== "poll") return undefined;
  const cron =
    mode === "schedule"
      ? String((trigger.def.config.parse(trigger.node.config) as { schedule: string }).schedule)
      : (flow.settings.schedule ?? DEFAULT_POLL_SCHEDULE);
  return CronExpressionParser.parse(cron, { currentDate: from, tz: "UTC" }).next().toDate();
}

/**
 * Schedule (or cancel) the flow's tick job to match its active version. Only a flow of
 * `workspaceId` is touched: another workspace's flow id changes nothing.
 */
export async function syncSchedule(db: Db, workspaceId: string, flowId: string, options: { pollNow?: boolean } = {}): Promise<Date | undefined> {
  const sql = db.sql;
  const [flow] = await sql<{ active: boolean; definition: unknown }[]>`
    select f.active, v.definition from flows f left join flow_versions v on v.id = f.active_version_id and v.workspace_id = f.workspace_id
    where f.id = ${flowId} and f.workspace_id = ${workspaceId}`;
  if (!flow) return undefined;
  if (!flow.active || !flow.definition) {
    await cancelTick(sql, flowId);
    return undefined;
  }
  const definition = parseFlowDefinition(flow.definition);
  const trigger = findTrigger(definition);
  if (!trigger) return undefined;
  const mode = trigger.def.trigger?.mode;
  if (mode !== "schedule" && mode !== "poll") {
    await cancelTick(sql, flowId);
    return undefined;
  }
  const at = options.pollNow && mode === "poll" ? new Date() : nextTickAt(definition, trigger)!;
  await scheduleTick(sql, flowId, at);
  return at;
}

/** A checkpoint belongs to one config and connection of the trigger: a change resets it. */
export function configHash(node: FlowNode): string {
  return createHash("sha256").update(JSON.stringify({ config: node.config, connectionId: node.connectionId ?? null })).digest("hex");
}

async function triggerContext(db: Db, workspaceId: string, flowId: string, node: FlowNode, def: AnyNodeDefinition): Promise<TriggerContext> {
  const signal = new AbortController().signal;
  let client: unknown;
  if (def.connection && node.connectionId) {
    const connection = await loadConnection(db, workspaceId, node.connectionId);
    client = connection.connector.createClient(buildEnv(db, connection, { log: silent, signal, redactor: new Redactor() }));
  }
  const ctx: TriggerContext = { client, log: silent, signal, workspaceId, flowId, nodeId: node.id };
  // Summary close triggers read and close their windows in this database.
  bindSummaryStore(ctx, db);
  return ctx;
}

export interface TickResult {
  created: number;
  duplicates: number;
  pages: number;
  error?: string;
  nextAt?: Date;
}

/** One tick of a flow's schedule or poll trigger. */
export async function tick(db: Db, flowId: string, now = new Date()): Promise<TickResult> {
  const sql = db.sql;
  const [flow] = await sql<{ workspace_id: string; active: boolean; active_version_id: string | null; definition: unknown }[]>`
    select f.workspace_id::text, f.active, f.active_version_id::text, v.definition
    from flows f left join flow_versions v on v.id = f.active_version_id where f.id = ${flowId}`;
  const result: TickResult = { created: 0, duplicates: 0, pages: 0 };
  if (!flow?.active || !flow.active_version_id || !flow.definition) return result;
  const definition = parseFlowDefinition(flow.definition);
  const trigger = findTrigger(definition);
  if (!trigger) return result;
  const target = { workspaceId: flow.workspace_id, flowId, versionId: flow.active_version_id };
  const mode = trigger.def.trigger?.mode;
  let more = false;

  if (mode === "schedule") {
    const scheduledAt = now.toISOString();
    const created = await sql.begin((tx) =>
      createRuns(tx, { ...target, triggerKind: "schedule" }, [
        { key: `schedule:${scheduledAt.slice(0, 16)}`, version: "", data: { scheduledAt }, label: `Scheduled ${scheduledAt.slice(0, 16)}` },
      ]),
    );
    result.created = created.created.length;
    result.duplicates = created.duplicates;
  } else if (mode === "poll" && trigger.def.trigger?.poll) {
    const hash = configHash(trigger.node);
    const config = trigger.def.config.parse(trigger.node.config);
    try {
      const ctx = await triggerContext(db, flow.workspace_id, flowId, trigger.node, trigger.def);
      for (let page = 0; page < MAX_PAGES_PER_TICK; page++) {
        const [checkpoint] = await sql<{ cursor: unknown; config_hash: string }[]>`
          select cursor, config_hash from trigger_checkpoints where flow_id = ${flowId} and node_id = ${trigger.node.id}`;
        const cursor = checkpoint && checkpoint.config_hash === hash ? checkpoint.cursor : null;
        const polled = await trigger.def.trigger.poll(ctx, config, cursor ?? null);
        result.pages++;
        await sql.begin(async (tx) => {
          const created = await createRuns(tx, { ...target, triggerKind: "poll" }, polled.records);
          result.created += created.created.length;
          result.duplicates += created.duplicates;
          await tx`
            insert into trigger_checkpoints (workspace_id, flow_id, node_id, config_hash, cursor, last_polled_at, last_error, records_seen, pages_read)
            values (${flow.workspace_id}, ${flowId}, ${trigger.node.id}, ${hash}, ${jsonb((polled.checkpoint ?? null))}::text::jsonb, now(), null, ${polled.records.length}, 1)
            on conflict (flow_id, node_id) do update set
              config_hash = excluded.config_hash, cursor = excluded.cursor, last_polled_at = now(), last_error = null,
              records_seen = trigger_checkpoints.records_seen + excluded.records_seen, pages_read = trigger_checkpoints.pages_read + 1, updated_at = now()`;
        });
        more = polled.hasMore === true;
        if (!more) break;
      }
    } catch (error) {
      const serialized = serializeError(error);
      result.error = serialized.message;
      await sql`
        insert into trigger_checkpoints (workspace_id, flow_id, node_id, config_hash, cursor, last_polled_at, last_error)
        values (${flow.workspace_id}, ${flowId}, ${trigger.node.id}, ${hash}, null, now(), ${jsonb(serialized)}::text::jsonb)
        on conflict (flow_id, node_id) do update set last_polled_at = now(), last_error = excluded.last_error`;
      if (!isClassified(error)) throw error;
    }
  }
  const next = more ? new Date() : nextTickAt(definition, trigger, now);
  if (next) {
    await scheduleTick(sql, flowId, next);
    result.nextAt = next;
  }
  return result;
}

export interface WebhookResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const webhookParams = z.object({ flowId: z.string().uuid(), nodeId: z.string().min(1).max(64) });

/**
 * A delivery to /api/webhooks/<flowId>/<nodeId>. The signature is verified before anything is
 * stored; redeliveries of an event id are acknowledged and dropped.
 */
export async function handleWebhook(db: Db, params: { flowId: string; nodeId: string }, req: WebhookRequest): Promise<WebhookResponse> {
  const parsed = webhookParams.safeParse(params);
  if (!parsed.success) return { status: 404, body: { error: "unknown webhook" } };
  const sql = db.sql;
  const [flow] = await sql<{ workspace_id: string; active: boolean; active_version_id: string | null; definition: unknown }[]>`
    select f.workspace_id::text, f.active, f.active_version_id::text, v.definition
    from flows f left join flow_versions v on v.id = f.active_version_id where f.id = ${parsed.data.flowId}`;
  if (!flow?.active || !flow.definition || !flow.active_version_id) return { status: 404, body: { error: "no active flow at this address" } };
  const definition = parseFlowDefinition(flow.definition);
  const trigger = findTrigger(definition);
  if (!trigger || trigger.node.id !== parsed.data.nodeId || !trigger.def.trigger?.webhook) {
    return { status: 404, body: { error: "no webhook trigger at this address" } };
  }
  const config = trigger.def.config.parse(trigger.node.config);
  let result;
  try {
    const ctx = await triggerContext(db, flow.workspace_id, parsed.data.flowId, trigger.node, trigger.def);
    result = await trigger.def.trigger.webhook(ctx, req, config);
  } catch (error) {
    if (error instanceof WebhookRejected) return { status: 401, body: { error: "invalid signature" } };
    if (isClassified(error) && error.kind === "permanent") return { status: 400, body: { error: error.message } };
    throw error;
  }
  if (result.records.length === 0) return { status: result.status ?? 200, body: result.body ?? { ok: true }, headers: result.headers };
  const outcome = await sql.begin(async (tx) => {
    if (result.eventId) {
      const fresh = await tx`
        insert into webhook_events (workspace_id, flow_id, node_id, event_id, record_count)
        values (${flow.workspace_id}, ${parsed.data.flowId}, ${trigger.node.id}, ${result.eventId}, ${result.records.length})
        on conflict (flow_id, node_id, event_id) do nothing returning id`;
      if (fresh.length === 0) return { duplicate: true, created: [] as string[] };
    }
    const created = await createRuns(tx, { workspaceId: flow.workspace_id, flowId: parsed.data.flowId, versionId: flow.active_version_id!, triggerKind: "webhook" }, result.records);
    return { duplicate: false, created: created.created };
  });
  return {
    status: result.status ?? 200,
    body: result.body ?? { ok: true, duplicate: outcome.duplicate, runs: outcome.created },
    headers: result.headers,
  };
}
