/**
 * The daily digest: a channel set to `digest` gets opened alerts queued instead of sent, and once a
 * day, at its `digest_hour` (UTC), one message that groups them by cause (how often each occurred,
 * whether it has resolved since, a link to each).
 */
import type { Db } from "../../db/client";
import { jsonb } from "../../db/client";
import type { DigestLine } from "./messages";
import { sendDigest } from "./send";
import { loaded } from "./store";

/** A failed digest is tried again, but not more often than this. */
const DIGEST_RETRY_MS = 10 * 60_000;

export async function sendDigests(db: Db, now: Date, workspaceId?: string): Promise<number> {
  const sql = db.sql;
  const due = await sql<{ id: string }[]>`
    select c.id::text from alert_channels c
    where c.enabled and c.delivery = 'digest' ${workspaceId ? sql`and c.workspace_id = ${workspaceId}` : sql``}
      and ${now} >= date_trunc('day', ${now}::timestamptz at time zone 'UTC') at time zone 'UTC' + make_interval(hours => c.digest_hour)
      and (c.last_digest_at is null
           or c.last_digest_at < date_trunc('day', ${now}::timestamptz at time zone 'UTC') at time zone 'UTC' + make_interval(hours => c.digest_hour))
      and not exists (select 1 from alert_deliveries f where f.channel_id = c.id and f.event = 'digest' and f.status = 'failed'
                      and f.created_at > ${new Date(now.getTime() - DIGEST_RETRY_MS)})`;
  let sent = 0;
  for (const { id } of due) {
    await sql.begin(async (tx) => {
      const [channel] = await tx<(Parameters<typeof loaded>[0] & { workspace_name: string; last_digest_at: Date | null })[]>`
        select c.id::text, c.workspace_id::text, c.kind, c.name, c.config, c.secrets_enc, c.delivery, c.digest_hour, c.enabled, c.last_digest_at,
               w.name as workspace_name
        from alert_channels c join workspaces w on w.id = c.workspace_id where c.id = ${id} for update of c skip locked`;
      if (!channel) return;
      const queued = await tx<{ id: string; rule_id: string; cause_key: string; title: string; rule_name: string; link: string; occurrences: number; status: "open" | "resolved"; first_seen_at: Date; created_at: Date }[]>`
        select d.id::text, a.rule_id::text, a.cause_key, a.title, r.name as rule_name, a.link, a.occurrences, a.status, a.first_seen_at, d.created_at
        from alert_deliveries d join alerts a on a.id = d.alert_id join alert_rules r on r.id = a.rule_id
        where d.channel_id = ${id} and d.status = 'queued' order by a.first_seen_at`;
      if (queued.length === 0) {
        await tx`update alert_channels set last_digest_at = ${now} where id = ${id}`;
        return;
      }
      // One line per cause: an alert that resolved and came back is still one line.
      const lines = new Map<string, DigestLine>();
      for (const q of queued) {
        const key = `${q.rule_id}\n${q.cause_key}`;
        const line = lines.get(key);
        if (line) {
          line.occurrences += q.occurrences;
          line.status = q.status === "open" ? "open" : line.status;
          line.link = q.link;
        } else {
          lines.set(key, { title: q.title, rule: q.rule_name, link: q.link, occurrences: q.occurrences, status: q.status, firstSeenAt: q.first_seen_at });
        }
      }
      const since = channel.last_digest_at ?? queued.reduce((min, q) => (q.created_at < min ? q.created_at : min), queued[0]!.created_at);
      try {
        const result = await sendDigest(loaded(channel), { workspace: channel.workspace_name, since, until: now, lines: [...lines.values()] });
        const [digest] = await tx<{ id: string }[]>`
          insert into alert_deliveries (workspace_id, channel_id, event, status, recipients, attempts, sent_at)
          values (${channel.workspace_id}, ${id}, 'digest', 'sent', ${jsonb(result.recipients)}::text::jsonb, 1, now()) returning id::text`;
        await tx`update alert_deliveries set status = 'sent', sent_at = now(), digest_id = ${digest!.id} where id = any(${queued.map((q) => q.id)}::uuid[])`;
        await tx`update alert_channels set last_digest_at = ${now} where id = ${id}`;
        sent++;
      } catch (error) {
        await tx`
          insert into alert_deliveries (workspace_id, channel_id, event, status, attempts, error)
          values (${channel.workspace_id}, ${id}, 'digest', 'failed', 1, ${String((error as Error).message).slice(0, 500)})`;
      }
    });
  }
  return sent;
}
