/**
 * Alert rules and channels in the database: create, update, list, delete, always within one
 * workspace. Channel secrets are validated per kind, encrypted (db/crypto.ts) and never returned:
 * a list shows only which secrets are set.
 */
import { decryptJson, encryptJson } from "../../db/crypto";
import { jsonb, type Db } from "../../db/client";
import { env } from "../../db/env";
import type { AlertMessage } from "./messages";
import { sendAlert, type LoadedChannel } from "./send";
import {
  channelConfigSchemas,
  channelSecretsSchemas,
  parseRuleParams,
  type ChannelKind,
  type DeliveryMode,
  type RuleKind,
} from "./types";

export interface ChannelInput {
  kind: ChannelKind;
  name: string;
  config: unknown;
  /** Omitted on update: the stored secrets stay. */
  secrets?: unknown;
  delivery: DeliveryMode;
  digestHour: number;
  enabled: boolean;
}

export interface ChannelView {
  id: string;
  kind: ChannelKind;
  name: string;
  config: Record<string, unknown>;
  /** Which secret fields are stored (never their values). */
  secretsSet: string[];
  delivery: DeliveryMode;
  digestHour: number;
  enabled: boolean;
  lastDigestAt: Date | null;
}

interface ChannelRow {
  id: string;
  workspace_id: string;
  kind: ChannelKind;
  name: string;
  config: Record<string, unknown>;
  secrets_enc: string | null;
  delivery: DeliveryMode;
  digest_hour: number;
  enabled: boolean;
  last_digest_at: Date | null;
}

function secretsOf(row: { secrets_enc: string | null }): Record<string, string> {
  return row.secrets_enc ? decryptJson<Record<string, string>>(row.secrets_enc) : {};
}

function view(row: ChannelRow): ChannelView {
  const secrets = secretsOf(row);
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    config: row.config,
    secretsSet: Object.keys(secrets).filter((k) => secrets[k]),
    delivery: row.delivery,
    digestHour: row.digest_hour,
    enabled: row.enabled,
    lastDigestAt: row.last_digest_at,
  };
}

export function loaded(row: ChannelRow): LoadedChannel {
  return { id: row.id, workspaceId: row.workspace_id, kind: row.kind, name: row.name, config: row.config, secrets: secretsOf(row) };
}

const channelColumns = (db: Db) =>
  db.sql`id::text, workspace_id::text, kind, name, config, secrets_enc, delivery, digest_hour, enabled, last_digest_at`;

export async function listChannels(db: Db, workspaceId: string): Promise<ChannelView[]> {
  const rows = await db.sql<ChannelRow[]>`select ${channelColumns(db)} from alert_channels where workspace_id = ${workspaceId} order by name`;
  return rows.map(view);
}

export async function loadChannels(db: Db, workspaceId: string, ids?: string[]): Promise<(LoadedChannel & { delivery: DeliveryMode; enabled: boolean })[]> {
  const rows = await db.sql<ChannelRow[]>`
    select ${channelColumns(db)} from alert_channels where workspace_id = ${workspaceId}
      ${ids ? db.sql`and id = any(${ids}::uuid[])` : db.sql``}`;
  return rows.map((r) => ({ ...loaded(r), delivery: r.delivery, enabled: r.enabled }));
}

export async function saveChannel(db: Db, workspaceId: string, input: ChannelInput, channelId?: string): Promise<string> {
  const config = channelConfigSchemas[input.kind].parse(input.config ?? {});
  const sql = db.sql;
  let secretsEnc: string | null | undefined;
  if (input.secrets !== undefined) secretsEnc = encryptJson(channelSecretsSchemas[input.kind].parse(input.secrets));
  if (!channelId) {
    if (secretsEnc === undefined) {
      // Kinds whose secrets are required (a webhook URL, a signing secret) say so here.
      secretsEnc = encryptJson(channelSecretsSchemas[input.kind].parse({}));
    }
    const [row] = await sql<{ id: string }[]>`
      insert into alert_channels (workspace_id, kind, name, config, secrets_enc, delivery, digest_hour, enabled)
      values (${workspaceId}, ${input.kind}, ${input.name}, ${jsonb(config)}::text::jsonb, ${secretsEnc}, ${input.delivery}, ${input.digestHour}, ${input.enabled})
      returning id::text`;
    return row!.id;
  }
  const [current] = await sql<{ kind: string }[]>`select kind from alert_channels where id = ${channelId} and workspace_id = ${workspaceId}`;
  if (!current) throw new Error("No such channel in this workspace.");
  if (current.kind !== input.kind) throw new Error("A channel's kind cannot change; create a new channel.");
  await sql`
    update alert_channels set name = ${input.name}, config = ${jsonb(config)}::text::jsonb, delivery = ${input.delivery},
      digest_hour = ${input.digestHour}, enabled = ${input.enabled}, updated_at = now()
      ${secretsEnc !== undefined ? sql`, secrets_enc = ${secretsEnc}` : sql``}
    where id = ${channelId} and workspace_id = ${workspaceId}`;
  return channelId;
}

export async function deleteChannel(db: Db, workspaceId: string, channelId: string): Promise<boolean> {
  const sql = db.sql;
  return sql.begin(async (tx) => {
    const gone = await tx`delete from alert_channels where id = ${channelId} and workspace_id = ${workspaceId} returning id`;
    if (gone.length) {
      await tx`update alert_rules set channel_ids = channel_ids - ${channelId}::text, updated_at = now() where workspace_id = ${workspaceId} and channel_ids ? ${channelId}::text`;
    }
    return gone.length > 0;
  });
}

export interface RuleInput {
  kind: RuleKind;
  name: string;
  flowId: string | null;
  params: unknown;
  channelIds: string[];
  enabled: boolean;
}

export interface RuleView {
  id: string;
  kind: RuleKind;
  name: string;
  flowId: string | null;
  flowName: string | null;
  params: Record<string, number>;
  channelIds: string[];
  enabled: boolean;
  openAlerts: number;
}

async function checkRefs(db: Db, workspaceId: string, input: RuleInput) {
  if (input.flowId) {
    const [flow] = await db.sql`select 1 from flows where id = ${input.flowId} and workspace_id = ${workspaceId}`;
    if (!flow) throw new Error("No such flow in this workspace.");
  }
  if (input.channelIds.length) {
    const found = await db.sql<{ id: string }[]>`select id::text from alert_channels where workspace_id = ${workspaceId} and id = any(${input.channelIds}::uuid[])`;
    const missing = input.channelIds.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw new Error(`No such channel in this workspace: ${missing.join(", ")}`);
  }
}

export async function saveRule(db: Db, workspaceId: string, input: RuleInput, ruleId?: string): Promise<string> {
  const params = parseRuleParams(input.kind, input.params);
  await checkRefs(db, workspaceId, input);
  const channelIds = [...new Set(input.channelIds)];
  const sql = db.sql;
  if (!ruleId) {
    // Failures before the rule existed are not news: it looks at runs that finish from now on.
    const [row] = await sql<{ id: string }[]>`
      insert into alert_rules (workspace_id, kind, name, flow_id, params, channel_ids, enabled, checked_until)
      values (${workspaceId}, ${input.kind}, ${input.name}, ${input.flowId}, ${jsonb(params)}::text::jsonb, ${jsonb(channelIds)}::text::jsonb, ${input.enabled}, now())
      returning id::text`;
    return row!.id;
  }
  const updated = await sql`
    update alert_rules set kind = ${input.kind}, name = ${input.name}, flow_id = ${input.flowId}, params = ${jsonb(params)}::text::jsonb,
      channel_ids = ${jsonb(channelIds)}::text::jsonb, enabled = ${input.enabled}, updated_at = now()
    where id = ${ruleId} and workspace_id = ${workspaceId} returning id`;
  if (!updated.length) throw new Error("No such rule in this workspace.");
  return ruleId;
}

export async function deleteRule(db: Db, workspaceId: string, ruleId: string): Promise<boolean> {
  const gone = await db.sql`delete from alert_rules where id = ${ruleId} and workspace_id = ${workspaceId} returning id`;
  return gone.length > 0;
}

export async function listRules(db: Db, workspaceId: string): Promise<RuleView[]> {
  const rows = await db.sql<{ id: string; kind: RuleKind; name: string; flowId: string | null; flowName: string | null; params: unknown; channelIds: string[]; enabled: boolean; openAlerts: number }[]>`
    select r.id::text, r.kind, r.name, r.flow_id::text as "flowId", f.name as "flowName", r.params, r.channel_ids as "channelIds", r.enabled,
           (select count(*)::int from alerts a where a.rule_id = r.id and a.status = 'open') as "openAlerts"
    from alert_rules r left join flows f on f.id = r.flow_id and f.workspace_id = r.workspace_id
    where r.workspace_id = ${workspaceId} order by r.created_at`;
  return rows.map((r) => ({ ...r, params: parseRuleParams(r.kind, r.params) }));
}

export async function recentAlerts(db: Db, workspaceId: string, limit = 100) {
  return db.sql<{ id: string; ruleId: string; ruleName: string; kind: string; status: string; title: string; summary: string; link: string; occurrences: number; firstSeenAt: Date; lastSeenAt: Date; resolvedAt: Date | null; deliveries: { channel: string; event: string; status: string; error: string | null }[] }[]>`
    select a.id::text, a.rule_id::text as "ruleId", r.name as "ruleName", r.kind, a.status, a.title, a.summary, a.link, a.occurrences,
           a.first_seen_at as "firstSeenAt", a.last_seen_at as "lastSeenAt", a.resolved_at as "resolvedAt",
           coalesce((select json_agg(json_build_object('channel', c.name, 'event', d.event, 'status', d.status, 'error', d.error) order by d.created_at)
                     from alert_deliveries d join alert_channels c on c.id = d.channel_id where d.alert_id = a.id), '[]'::json) as deliveries
    from alerts a join alert_rules r on r.id = a.rule_id
    where a.workspace_id = ${workspaceId} order by a.last_seen_at desc limit ${limit}`;
}

/** Send a test message on one channel now and record it; throws the send error (no secrets in it). */
export async function sendTestMessage(db: Db, workspaceId: string, channelId: string, actor: string): Promise<{ recipients: string[] }> {
  const [row] = await db.sql<(ChannelRow & { workspace_name: string })[]>`
    select ${channelColumns(db)}, (select name from workspaces where id = ${workspaceId}) as workspace_name
    from alert_channels where id = ${channelId} and workspace_id = ${workspaceId}`;
  if (!row) throw new Error("No such channel in this workspace.");
  const channel = loaded(row);
  const message: AlertMessage = {
    event: "test",
    workspace: row.workspace_name,
    rule: `test sent by ${actor}`,
    title: "Test alert",
    summary: `If you can read this, "${row.name}" reaches you. Alerts will link to the run or review item they are about.`,
    link: `${env.publicUrl.replace(/\/$/, "")}/alerts`,
    facts: [{ label: "Channel", value: row.name }],
    occurrences: 1,
    firstSeenAt: new Date(),
  };
  try {
    const result = await sendAlert(channel, message);
    await db.sql`
      insert into alert_deliveries (workspace_id, channel_id, event, status, recipients, attempts, sent_at)
      values (${workspaceId}, ${channelId}, 'test', 'sent', ${jsonb(result.recipients)}::text::jsonb, 1, now())`;
    return result;
  } catch (error) {
    const text = String((error as Error).message).slice(0, 500);
    await db.sql`
      insert into alert_deliveries (workspace_id, channel_id, event, status, attempts, error)
      values (${workspaceId}, ${channelId}, 'test', 'failed', 1, ${text})`;
    throw new Error(text);
  }
}
