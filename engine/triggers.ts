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
  type TriggerRecord,
  type WebhookRequest,
} from "../connectors/sdk";
import { jsonb, type Db } from "../db/client";
import { buildEnv, loadConnection, setConnectionHealth, type LoadedConnection } from "./connections";
import { parseFlowDefinition, type FlowDefinition, type FlowNode } from "./flow/schema";
import { bindSummaryStore } from "./nodes/aggregate-store";
import { cancelTick, newRunJobs, queueNameFor, scheduleTick } from "./queue";
import { recordVersion } from "./record-version";
import { registry } from "./registry";
import { createRuns } from "./runs";
import { cachedWebhookTarget, forgetWebhookTarget, rememberWebhookTarget, type WebhookTarget } from "./webhook-cache";

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

/** Reads of fresh rows per delivery when each changes before the delivery is stored. */
const FRESH_READS = 3;

const webhookParams = z.object({ flowId: z.string().uuid(), nodeId: z.string().min(1).max(64) });

/**
 * The connection's fingerprint as the intake statement recomputes it: what a delivery uses (its
 * config and encrypted secrets), not updated_at, which a connection's health also moves (a run's
 * first success marks an untested connection ok), so that a run would not send every webhook
 * sender of the flow back to fresh rows, or a racing delivery to a 503.
 */
const CONNECTION_FINGERPRINT = "md5(coalesce(c.secrets_enc, '') || c.config::text)";

/**
 * Read the flow's active version and its trigger's connection (a cache miss or a stale entry).
 * The fingerprint is read before the secrets: a change in between leaves an older fingerprint,
 * which the intake statement refuses, so a newer secret is never cached under it.
 */
async function loadWebhookTarget(db: Db, flowId: string): Promise<WebhookTarget | undefined> {
  const sql = db.sql;
  const [flow] = await sql<{ workspace_id: string; active: boolean; active_version_id: string | null; definition: unknown }[]>`
    select f.workspace_id::text, f.active, f.active_version_id::text, v.definition
    from flows f left join flow_versions v on v.id = f.active_version_id and v.workspace_id = f.workspace_id where f.id = ${flowId}`;
  if (!flow?.active || !flow.definition || !flow.active_version_id) return undefined;
  const definition = parseFlowDefinition(flow.definition);
  const trigger = findTrigger(definition);
  let connection: LoadedConnection | undefined;
  let connectionFingerprint: string | null = null;
  if (trigger?.def.connection && trigger.node.connectionId) {
    const [row] = await sql<{ fingerprint: string }[]>`
      select ${sql.unsafe(CONNECTION_FINGERPRINT)} as fingerprint from connections c
      where c.id = ${trigger.node.connectionId} and c.workspace_id = ${flow.workspace_id}`;
    connection = await loadConnection(db, flow.workspace_id, trigger.node.connectionId);
    connectionFingerprint = row?.fingerprint ?? null;
  }
  const target: WebhookTarget = {
    workspaceId: flow.workspace_id,
    flowId,
    versionId: flow.active_version_id,
    definition,
    trigger,
    config: trigger?.def.trigger?.webhook ? trigger.def.config.parse(trigger.node.config) : undefined,
    queueName: queueNameFor(flowId, definition.settings.concurrency),
    connection,
    connectionFingerprint,
  };
  rememberWebhookTarget(target);
  return target;
}

/**
 * One statement: check the cached target is still current (flow active on that version, the
 * connection unchanged), record the event id (a redelivery stops here), insert the runs and
 * enqueue their jobs. `current` is false when the target was stale: nothing was stored.
 */
async function storeDelivery(
  db: Db,
  target: WebhookTarget,
  nodeId: string,
  eventId: string | undefined,
  records: TriggerRecord[],
): Promise<{ current: boolean; duplicate: boolean; created: string[] }> {
  const sql = db.sql;
  const connectionId = target.connection ? target.connection.id : null;
  const rows = records.map((record) => ({ key: record.key, version: recordVersion(record), label: record.label ?? null, data: record.data ?? null }));
  const [row] = await sql<{ current: boolean; fresh: boolean; notified: number; runs: string[] }[]>`
    with target as (
      select f.workspace_id from flows f
      where f.id = ${target.flowId} and f.workspace_id = ${target.workspaceId} and f.active and f.active_version_id = ${target.versionId}
        and (${connectionId}::uuid is null or exists (
          select 1 from connections c where c.id = ${connectionId}::uuid and c.workspace_id = f.workspace_id
            and ${sql.unsafe(CONNECTION_FINGERPRINT)} = ${target.connectionFingerprint}::text))
    ),
    event as (
      insert into webhook_events (workspace_id, flow_id, node_id, event_id, record_count)
      select workspace_id, ${target.flowId}, ${nodeId}, ${eventId ?? null}::text, ${records.length} from target where ${eventId ?? null}::text is not null
      on conflict (flow_id, node_id, event_id) do nothing returning id
    ),
    created as (
      insert into runs (workspace_id, flow_id, flow_version_id, trigger_kind, record_key, record_version, record_label, input)
      select t.workspace_id, ${target.flowId}, ${target.versionId}, 'webhook', e.rec->>'key', e.rec->>'version', e.rec->>'label', e.rec->'data'
      from target t, jsonb_array_elements(${jsonb(rows)}::text::jsonb) with ordinality as e(rec, ord)
      where ${eventId ?? null}::text is null or exists (select 1 from event)
      order by e.ord
      on conflict (flow_id, record_key, record_version) where parent_run_id is null do nothing
      returning id
    ),
    ${newRunJobs(sql, target.queueName)}
    select exists (select 1 from target) as current, exists (select 1 from event) as fresh,
           (select count(*)::int from run_jobs_notified) as notified, array(select id::text from created) as runs`;
  if (!row!.current) return { current: false, duplicate: false, created: [] };
  return { current: true, duplicate: eventId !== undefined && !row!.fresh, created: row!.runs };
}

/** Flow still active on the cached version and connection unchanged (a delivery that stores nothing). */
async function targetCurrent(db: Db, target: WebhookTarget): Promise<boolean> {
  const sql = db.sql;
  const connectionId = target.connection ? target.connection.id : null;
  const rows = await sql`
    select 1 from flows f
    where f.id = ${target.flowId} and f.workspace_id = ${target.workspaceId} and f.active and f.active_version_id = ${target.versionId}
      and (${connectionId}::uuid is null or exists (
        select 1 from connections c where c.id = ${connectionId}::uuid and c.workspace_id = f.workspace_id
          and ${sql.unsafe(CONNECTION_FINGERPRINT)} = ${target.connectionFingerprint}::text))`;
  return rows.length > 0;
}

function webhookContext(db: Db, target: WebhookTarget, node: FlowNode): TriggerContext {
  const signal = new AbortController().signal;
  const client = target.connection
    ? target.connection.connector.createClient(buildEnv(db, target.connection, { log: silent, signal, redactor: new Redactor() }))
    : undefined;
  const ctx: TriggerContext = { client, log: silent, signal, workspaceId: target.workspaceId, flowId: target.flowId, nodeId: node.id };
  bindSummaryStore(ctx, db);
  return ctx;
}

/**
 * A delivery to /api/webhooks/<flowId>/<nodeId>. The signature is verified before anything is
 * stored; redeliveries of an event id are acknowledged and dropped.
 *
 * The flow's active version and the trigger's connection come from an in-process cache
 * (engine/webhook-cache.ts); an accepted delivery then costs one statement, which also checks
 * the cached rows are still current. A stale entry (the flow deactivated or moved to another
 * version, the connection's secret or settings changed) stores nothing and the delivery is
 * handled again from fresh rows; so is a signature that the cached secret refuses.
 */
export async function handleWebhook(db: Db, params: { flowId: string; nodeId: string }, req: WebhookRequest): Promise<WebhookResponse> {
  const parsed = webhookParams.safeParse(params);
  if (!parsed.success) return { status: 404, body: { error: "unknown webhook" } };
  const cached = cachedWebhookTarget(parsed.data.flowId);
  if (cached) {
    const answer = await answerWebhook(db, cached, parsed.data.nodeId, req, true);
    if (answer !== "stale") return answer;
    forgetWebhookTarget(parsed.data.flowId);
  }
  for (let attempt = 1; ; attempt++) {
    const target = await loadWebhookTarget(db, parsed.data.flowId);
    if (!target) return { status: 404, body: { error: "no active flow at this address" } };
    const answer = await answerWebhook(db, target, parsed.data.nodeId, req, false);
    if (answer !== "stale") return answer;
    // Changed between reading the rows and storing the delivery: read them again, a few times,
    // then the sender retries (503).
    forgetWebhookTarget(parsed.data.flowId);
    if (attempt === FRESH_READS) throw new Error("the flow or its connection changed while the delivery was handled");
  }
}

async function answerWebhook(db: Db, target: WebhookTarget, nodeId: string, req: WebhookRequest, fromCache: boolean): Promise<WebhookResponse | "stale"> {
  const trigger = target.trigger;
  if (!trigger || trigger.node.id !== nodeId || !trigger.def.trigger?.webhook) {
    if (fromCache) return "stale";
    return { status: 404, body: { error: "no webhook trigger at this address" } };
  }
  let result;
  try {
    result = await trigger.def.trigger.webhook(webhookContext(db, target, trigger.node), req, target.config);
  } catch (error) {
    // The cached secret may be an old one: check again from fresh rows before refusing.
    if (fromCache && (error instanceof WebhookRejected || isClassified(error))) return "stale";
    if (error instanceof WebhookRejected) return { status: 401, body: { error: "invalid signature" } };
    if (isClassified(error) && error.kind === "permanent") return { status: 400, body: { error: error.message } };
    throw error;
  }
  if (result.records.length === 0) {
    if (fromCache && !(await targetCurrent(db, target))) return "stale";
    await markVerified(db, target, trigger.def);
    return { status: result.status ?? 200, body: result.body ?? { ok: true }, headers: result.headers };
  }
  const outcome = await storeDelivery(db, target, trigger.node.id, result.eventId, result.records);
  if (!outcome.current) return "stale";
  await markVerified(db, target, trigger.def);
  return {
    status: result.status ?? 200,
    body: result.body ?? { ok: true, duplicate: outcome.duplicate, runs: outcome.created },
    headers: result.headers,
  };
}

/**
 * A connection used only to verify deliveries (its runs never load it) is proven by a delivery
 * that verifies: an untested or failing one is marked ok, once per process while it stays so.
 */
async function markVerified(db: Db, target: WebhookTarget, def: AnyNodeDefinition): Promise<void> {
  const connection = target.connection;
  if (!connection || !def.trigger?.connectionAtIntakeOnly) return;
  if (connection.status !== "untested" && connection.status !== "failing") return;
  connection.status = "ok";
  await setConnectionHealth(db, target.workspaceId, connection.id, "ok", null).catch(() => undefined);
}
