/**
 * One evaluation pass: assign new review items by the flows' rules, run every enabled alert rule's
 * detector, open an alert per new cause (deduped by the partial unique index on open causes),
 * resolve the causes that cleared, then send what is due. Called by the scheduled worker task
 * (`./task.ts`); safe to run in several workers at once (rules are locked with SKIP LOCKED, each
 * delivery is claimed the same way).
 *
 * Deliveries are an outbox: they are written in the transaction that opens or resolves the alert
 * and sent after it commits, so a crash between the two sends them on the next pass instead of
 * losing them. A failed send is tried again on the next passes, five attempts in all.
 */
import type postgres from "postgres";
import type { Db } from "../../db/client";
import { jsonb } from "../../db/client";
import { detect, recoveredFailures, type RuleRow } from "./detectors";
import { sendDigests } from "./digest";
import { RULE_KIND_LABELS, type AlertEvent, type RuleKind } from "./types";
import type { AlertFact, AlertMessage } from "./messages";
import { sendAlert } from "./send";
import { loaded } from "./store";

export const MAX_SEND_ATTEMPTS = 5;

export interface EvaluateOptions {
  now?: Date;
  /** Only this workspace (tests, the router's "evaluate now"). */
  workspaceId?: string;
  /** Failed runs are read up to `now - settleMs`, so a run committed a moment late is not skipped. */
  settleMs?: number;
}

export interface EvaluationResult {
  opened: number;
  resolved: number;
  sent: number;
  failed: number;
  digests: number;
}

/** Give open, never-assigned review items the assignee of their flow's rule (a reason-specific rule wins). */
export async function applyAssignmentRules(db: Db, workspaceId?: string): Promise<number> {
  const sql = db.sql;
  const rows = await sql`
    update review_items i set assignee_user_id = pick.user_id, assigned_at = now(), assigned_by = 'rule'
    from (
      select distinct on (i2.id) i2.id, r.user_id
      from review_items i2 join review_assignment_rules r
        on r.workspace_id = i2.workspace_id and r.flow_id = i2.flow_id and (r.reason_code is null or r.reason_code = i2.reason_code)
      join memberships m on m.workspace_id = r.workspace_id and m.user_id = r.user_id
      where i2.status = 'open' and i2.assigned_at is null ${workspaceId ? sql`and i2.workspace_id = ${workspaceId}` : sql``}
      order by i2.id, (r.reason_code is null)
    ) pick
    where i.id = pick.id and i.assigned_at is null
    returning i.id`;
  return rows.length;
}

async function enabledRules(db: Db, workspaceId?: string): Promise<{ id: string }[]> {
  const sql = db.sql;
  return sql<{ id: string }[]>`
    select id::text from alert_rules where enabled ${workspaceId ? sql`and workspace_id = ${workspaceId}` : sql``} order by created_at`;
}

type Tx = postgres.TransactionSql;

async function queueDeliveries(tx: Tx, rule: RuleRow, alertIds: string[], event: "opened" | "resolved") {
  if (alertIds.length === 0 || rule.channelIds.length === 0) return;
  // Digest channels get opened alerts queued for the day's message; resolutions show there as a status.
  await tx`
    insert into alert_deliveries (workspace_id, alert_id, channel_id, event, status)
    select ${rule.workspaceId}, a.id, c.id, ${event}, case when c.delivery = 'digest' then 'queued' else 'pending' end
    from unnest(${alertIds}::uuid[]) as a(id)
    cross join alert_channels c
    where c.workspace_id = ${rule.workspaceId} and c.enabled and c.id = any(${rule.channelIds}::uuid[])
      and (c.delivery = 'immediate' or ${event} = 'opened')`;
}

async function evaluateRule(db: Db, ruleId: string, now: Date, until: Date): Promise<{ opened: number; resolved: number }> {
  return db.sql.begin(async (tx) => {
    const [rule] = await tx<RuleRow[]>`
      select r.id::text, r.workspace_id::text as "workspaceId", w.name as "workspaceName", r.kind, r.name, r.flow_id::text as "flowId",
             r.params, r.channel_ids as "channelIds", r.checked_until as "checkedUntil"
      from alert_rules r join workspaces w on w.id = r.workspace_id
      where r.id = ${ruleId} and r.enabled for update of r skip locked`;
    if (!rule) return { opened: 0, resolved: 0 };
    const txDb = { sql: tx } as unknown as Db;
    const detection = await detect(txDb, rule, now, until);
    const opened: string[] = [];
    const occurrences = detection.mode === "events" ? detection.occurrences : detection.active;
    for (const o of occurrences) {
      const [row] = await tx<{ id: string; inserted: boolean }[]>`
        insert into alerts (workspace_id, rule_id, cause_key, title, summary, facts, link, flow_id, run_id, review_item_id, connection_id,
                            assignee_user_id, occurrences, first_seen_at, last_seen_at)
        values (${rule.workspaceId}, ${rule.id}, ${o.causeKey}, ${o.title}, ${o.summary}, ${jsonb(o.facts)}::text::jsonb, ${o.link},
                ${o.flowId ?? null}, ${o.runId ?? null}, ${o.reviewItemId ?? null}, ${o.connectionId ?? null}, ${o.assigneeUserId ?? null},
                ${o.count}, ${o.at}, ${o.at})
        on conflict (rule_id, cause_key) where status = 'open' do update set
          occurrences = ${detection.mode === "events" ? tx`alerts.occurrences + excluded.occurrences` : tx`excluded.occurrences`},
          last_seen_at = greatest(alerts.last_seen_at, excluded.last_seen_at),
          title = excluded.title, summary = case when ${detection.mode === "state"} then excluded.summary else alerts.summary end
        returning id::text, (xmax = 0) as inserted`;
      if (row?.inserted) opened.push(row.id);
    }
    let resolvedIds: string[];
    if (detection.mode === "events") {
      await tx`update alert_rules set checked_until = ${detection.checkedUntil} where id = ${rule.id}`;
      resolvedIds = await recoveredFailures(txDb, rule, until);
    } else {
      const keys = detection.active.map((o) => o.causeKey);
      const rows = await tx<{ id: string }[]>`
        select id::text from alerts where rule_id = ${rule.id} and status = 'open' and not (cause_key = any(${keys}::text[]))`;
      resolvedIds = rows.map((r) => r.id);
    }
    if (resolvedIds.length) {
      await tx`update alerts set status = 'resolved', resolved_at = ${now} where id = any(${resolvedIds}::uuid[]) and status = 'open'`;
    }
    await queueDeliveries(tx, rule, opened, "opened");
    await queueDeliveries(tx, rule, resolvedIds, "resolved");
    return { opened: opened.length, resolved: resolvedIds.length };
  });
}

interface DeliveryRow {
  id: string;
  event: Exclude<AlertEvent, "digest" | "test">;
  alert_title: string;
  alert_summary: string;
  alert_facts: AlertFact[];
  alert_link: string;
  occurrences: number;
  first_seen_at: Date;
  rule_name: string;
  rule_kind: RuleKind;
  workspace_name: string;
  assignee_name: string | null;
  assignee_email: string | null;
  channel: Parameters<typeof loaded>[0];
}

/** Send every pending delivery (and failed ones with attempts left), one claimed row at a time. */
export async function sendPending(db: Db, workspaceId?: string): Promise<{ sent: number; failed: number }> {
  const sql = db.sql;
  let sent = 0;
  let failed = 0;
  const candidates = await sql<{ id: string }[]>`
    select id::text from alert_deliveries
    where (status = 'pending' or (status = 'failed' and attempts < ${MAX_SEND_ATTEMPTS})) and alert_id is not null
      ${workspaceId ? sql`and workspace_id = ${workspaceId}` : sql``}
    order by created_at limit 500`;
  for (const { id } of candidates) {
    await sql.begin(async (tx) => {
      const [d] = await tx<DeliveryRow[]>`
        select d.id::text, d.event, a.title as alert_title, a.summary as alert_summary, a.facts as alert_facts, a.link as alert_link,
               a.occurrences, a.first_seen_at, r.name as rule_name, r.kind as rule_kind, w.name as workspace_name,
               u.name as assignee_name, u.email as assignee_email,
               json_build_object('id', c.id::text, 'workspace_id', c.workspace_id::text, 'kind', c.kind, 'name', c.name, 'config', c.config,
                                 'secrets_enc', c.secrets_enc) as channel
        from alert_deliveries d join alerts a on a.id = d.alert_id join alert_rules r on r.id = a.rule_id
             join alert_channels c on c.id = d.channel_id join workspaces w on w.id = d.workspace_id
             left join users u on u.id = a.assignee_user_id
        where d.id = ${id} and (d.status = 'pending' or (d.status = 'failed' and d.attempts < ${MAX_SEND_ATTEMPTS}))
        for update of d skip locked`;
      if (!d) return;
      const message: AlertMessage = {
        event: d.event,
        workspace: d.workspace_name,
        rule: d.rule_name || RULE_KIND_LABELS[d.rule_kind],
        title: d.alert_title,
        summary: d.event === "resolved" ? "This has cleared." : d.alert_summary,
        link: d.alert_link,
        facts: d.event === "resolved" ? d.alert_facts.filter((f) => ["Flow", "Connection", "Node", "Reason"].includes(f.label)) : d.alert_facts,
        occurrences: d.occurrences,
        firstSeenAt: new Date(d.first_seen_at),
        assignee: d.assignee_email ? { name: d.assignee_name ?? d.assignee_email, email: d.assignee_email } : undefined,
      };
      try {
        const result = await sendAlert(loaded(d.channel), message);
        await tx`update alert_deliveries set status = 'sent', sent_at = now(), attempts = attempts + 1, error = null,
                   recipients = ${jsonb(result.recipients)}::text::jsonb where id = ${id}`;
        sent++;
      } catch (error) {
        await tx`update alert_deliveries set status = 'failed', attempts = attempts + 1, error = ${String((error as Error).message).slice(0, 500)} where id = ${id}`;
        failed++;
      }
    });
  }
  return { sent, failed };
}

export async function evaluateAlerts(db: Db, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const now = options.now ?? new Date();
  const until = new Date(now.getTime() - (options.settleMs ?? 0));
  await applyAssignmentRules(db, options.workspaceId);
  const result: EvaluationResult = { opened: 0, resolved: 0, sent: 0, failed: 0, digests: 0 };
  for (const { id } of await enabledRules(db, options.workspaceId)) {
    try {
      const r = await evaluateRule(db, id, now, until);
      result.opened += r.opened;
      result.resolved += r.resolved;
    } catch (error) {
      // One broken rule must not silence the others.
      console.error(`[alerts] rule ${id} failed to evaluate: ${(error as Error).message}`);
    }
  }
  const sends = await sendPending(db, options.workspaceId);
  result.sent = sends.sent;
  result.failed = sends.failed;
  result.digests = await sendDigests(db, now, options.workspaceId);
  return result;
}
