/**
 * What an alert says, rendered per channel: plain text for e-mail, Block Kit for Slack, an
 * Adaptive Card for Microsoft Teams, JSON for generic webhooks. Every message carries a link to
 * where a person acts (the run, the review item, the connection) and nothing else of the record:
 * no secrets, no payload bodies. `safeText` is the one door error messages pass through.
 *
 * Slack: https://api.slack.com/messaging/webhooks (JSON `text` + `blocks`, links as `<url|label>`)
 * Teams: https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
 *        (a `message` with one `application/vnd.microsoft.card.adaptive` attachment; Workflows
 *        webhooks and the older connectors both take it)
 */
import type { AlertEvent } from "./types";

export interface AlertFact {
  label: string;
  value: string;
}

export interface AlertMessage {
  event: Exclude<AlertEvent, "digest">;
  workspace: string;
  rule: string;
  title: string;
  summary: string;
  link: string;
  facts: AlertFact[];
  occurrences: number;
  firstSeenAt: Date;
  /** Who the alert is for (review items): shown in chat messages, the e-mail recipient. */
  assignee?: { name: string; email: string };
}

export interface DigestLine {
  title: string;
  rule: string;
  link: string;
  occurrences: number;
  status: "open" | "resolved";
  firstSeenAt: Date;
}

export interface DigestMessage {
  workspace: string;
  since: Date;
  until: Date;
  lines: DigestLine[];
}

const MAX_TEXT = 200;

/**
 * Error and status texts as an alert may show them: the first line, cut where a body starts
 * (`{`, `[`, `<`), long tokens masked, at most 200 characters. Bodies and secrets never get past.
 */
export function safeText(text: string | null | undefined): string {
  if (!text) return "";
  let line = String(text).split(/\r?\n/)[0] ?? "";
  const body = line.search(/[{[<]/);
  if (body >= 0) line = line.slice(0, body).trimEnd();
  // Long opaque runs (keys, tokens, signatures) are masked whatever their name.
  line = line.replace(/[A-Za-z0-9+/_=-]{24,}/g, "[…]");
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT - 1)}…` : line;
}

const headline = (m: AlertMessage) =>
  m.event === "resolved" ? `Resolved: ${m.title}` : m.event === "test" ? `Test alert from Ledgerline (${m.workspace})` : m.title;

export function subject(m: AlertMessage): string {
  return `[Ledgerline · ${m.workspace}] ${headline(m)}`;
}

function occurrenceLine(m: AlertMessage): string | undefined {
  if (m.event === "test") return undefined;
  return m.occurrences > 1 ? `${m.occurrences} occurrences since ${m.firstSeenAt.toISOString()}` : `Since ${m.firstSeenAt.toISOString()}`;
}

export function emailText(m: AlertMessage): string {
  const lines = [headline(m), "", m.summary];
  for (const f of m.facts) lines.push(`${f.label}: ${f.value}`);
  const occ = occurrenceLine(m);
  if (occ) lines.push(occ);
  if (m.assignee) lines.push(`Assigned to: ${m.assignee.name} <${m.assignee.email}>`);
  lines.push("", `Open in Ledgerline: ${m.link}`, "", `Rule: ${m.rule}`);
  return lines.join("\n");
}

/** Slack escapes &, < and > in text (https://api.slack.com/reference/surfaces/formatting#escaping). */
const slackEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function slackPayload(m: AlertMessage): unknown {
  const icon = m.event === "resolved" ? ":white_check_mark:" : m.event === "test" ? ":wave:" : ":rotating_light:";
  const facts = [...m.facts];
  const occ = occurrenceLine(m);
  if (occ) facts.push({ label: "Seen", value: occ });
  if (m.assignee) facts.push({ label: "Assigned to", value: m.assignee.name });
  return {
    text: `${headline(m)} (${m.workspace}) ${m.link}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${icon} *${slackEscape(headline(m))}*\n${slackEscape(m.summary)}` } },
      ...(facts.length
        ? [{ type: "section", fields: facts.slice(0, 10).map((f) => ({ type: "mrkdwn", text: `*${slackEscape(f.label)}*\n${slackEscape(f.value)}` })) }]
        : []),
      { type: "context", elements: [{ type: "mrkdwn", text: `<${m.link}|Open in Ledgerline> · ${slackEscape(m.workspace)} · ${slackEscape(m.rule)}` }] },
    ],
  };
}

export function teamsPayload(m: AlertMessage): unknown {
  const facts = [...m.facts];
  const occ = occurrenceLine(m);
  if (occ) facts.push({ label: "Seen", value: occ });
  if (m.assignee) facts.push({ label: "Assigned to", value: m.assignee.name });
  return adaptiveCard(
    [
      { type: "TextBlock", text: headline(m), weight: "Bolder", size: "Medium", wrap: true, color: m.event === "resolved" ? "Good" : m.event === "test" ? "Default" : "Attention" },
      { type: "TextBlock", text: m.summary, wrap: true },
      ...(facts.length ? [{ type: "FactSet", facts: facts.map((f) => ({ title: f.label, value: f.value })) }] : []),
      { type: "TextBlock", text: `${m.workspace} · ${m.rule}`, isSubtle: true, size: "Small", wrap: true },
    ],
    [{ type: "Action.OpenUrl", title: "Open in Ledgerline", url: m.link }],
  );
}

function adaptiveCard(body: unknown[], actions: unknown[]) {
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: { $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4", body, actions },
      },
    ],
  };
}

export function webhookPayload(m: AlertMessage): unknown {
  return {
    type: `alert.${m.event}`,
    workspace: m.workspace,
    rule: m.rule,
    title: m.title,
    summary: m.summary,
    link: m.link,
    facts: m.facts,
    occurrences: m.occurrences,
    firstSeenAt: m.firstSeenAt.toISOString(),
    assignee: m.assignee ?? null,
  };
}

// Digest: one message a day that groups what was queued for the channel, one line per cause.

const digestTitle = (d: DigestMessage) => `Daily alert digest: ${d.lines.length} ${d.lines.length === 1 ? "alert" : "alerts"}`;
const digestLine = (l: DigestLine) => `${l.status === "resolved" ? "[resolved] " : ""}${l.title} (${l.occurrences}×, ${l.rule})`;

export function digestSubject(d: DigestMessage): string {
  return `[Ledgerline · ${d.workspace}] ${digestTitle(d)}`;
}

export function digestEmailText(d: DigestMessage): string {
  const lines = [digestTitle(d), `From ${d.since.toISOString()} to ${d.until.toISOString()}`, ""];
  for (const l of d.lines) lines.push(`- ${digestLine(l)}`, `  ${l.link}`);
  return lines.join("\n");
}

export function digestSlackPayload(d: DigestMessage): unknown {
  const text = d.lines.map((l) => `• <${l.link}|${slackEscape(digestLine(l))}>`).join("\n");
  return {
    text: `${digestTitle(d)} (${d.workspace})`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${slackEscape(digestTitle(d))}* · ${slackEscape(d.workspace)}` } },
      { type: "section", text: { type: "mrkdwn", text: text.slice(0, 2900) } },
    ],
  };
}

export function digestTeamsPayload(d: DigestMessage): unknown {
  return adaptiveCard(
    [
      { type: "TextBlock", text: `${digestTitle(d)} · ${d.workspace}`, weight: "Bolder", size: "Medium", wrap: true },
      ...d.lines.map((l) => ({ type: "TextBlock", text: `[${digestLine(l)}](${l.link})`, wrap: true })),
    ],
    [],
  );
}

export function digestWebhookPayload(d: DigestMessage): unknown {
  return {
    type: "alert.digest",
    workspace: d.workspace,
    since: d.since.toISOString(),
    until: d.until.toISOString(),
    alerts: d.lines.map((l) => ({ ...l, firstSeenAt: l.firstSeenAt.toISOString() })),
  };
}
