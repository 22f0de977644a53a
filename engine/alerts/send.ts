/**
 * Sending one message on one channel. E-mail goes over the channel's own SMTP server
 * (nodemailer); Slack, Teams and generic webhooks are one POST through the shared HTTP client, so
 * they pass the same egress rules as the HTTP node (public hosts, loopback, the allowed list;
 * never metadata addresses).
 *
 * Generic webhooks are signed like Stripe's: header `Ledgerline-Signature: t=<unix seconds>,v1=<hex>`
 * where v1 = HMAC-SHA256(signing secret, `<t>.<raw body>`). A receiver recomputes it and rejects
 * timestamps older than a few minutes.
 */
import { createHmac } from "node:crypto";
import nodemailer from "nodemailer";
import { HttpClient, Redactor } from "../../connectors/sdk";
import { egressFor } from "../connections";
import { SMTP_TIMEOUTS } from "../mail";
import {
  digestEmailText,
  digestSlackPayload,
  digestSubject,
  digestTeamsPayload,
  digestWebhookPayload,
  emailText,
  slackPayload,
  subject,
  teamsPayload,
  webhookPayload,
  type AlertMessage,
  type DigestMessage,
} from "./messages";
import type { ChannelKind, EmailConfig } from "./types";

export interface LoadedChannel {
  id: string;
  workspaceId: string;
  kind: ChannelKind;
  name: string;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
}

export interface SendResult {
  recipients: string[];
}

export function signWebhook(secret: string, body: string, at = Date.now()): string {
  const t = Math.floor(at / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

async function postJson(channel: LoadedChannel, url: string, payload: unknown, extraHeaders: (body: string) => Record<string, string> = () => ({})) {
  const redactor = new Redactor(Object.values(channel.secrets));
  const http = new HttpClient({ redactor, egress: egressFor("core"), defaultTimeoutMs: 15_000, system: "alerts" });
  const body = JSON.stringify(payload);
  const response = await http.request({
    method: "POST",
    url,
    headers: { "content-type": "application/json", "user-agent": "Ledgerline-Alerts/1", ...extraHeaders(body) },
    body,
  });
  if (response.status < 200 || response.status >= 300) {
    // The URL is a credential (Slack, Teams): only the status and the channel's name are told.
    throw new Error(`${channel.kind} channel "${channel.name}" answered HTTP ${response.status}`);
  }
}

async function sendEmail(channel: LoadedChannel, to: string[], subjectLine: string, text: string): Promise<SendResult> {
  const config = channel.config as EmailConfig;
  if (to.length === 0) throw new Error(`e-mail channel "${channel.name}" has no recipients`);
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.user ? { user: config.user, pass: channel.secrets.password ?? "" } : undefined,
    ...SMTP_TIMEOUTS,
  });
  try {
    await transport.sendMail({ from: config.from, to, subject: subjectLine, text });
  } catch (error) {
    const message = new Redactor(Object.values(channel.secrets)).text((error as Error).message ?? String(error));
    throw new Error(`e-mail channel "${channel.name}": ${message}`);
  } finally {
    transport.close();
  }
  return { recipients: to };
}

/** One alert (opened, resolved, test). E-mail goes to the assignee when there is one, else to the channel's list. */
export async function sendAlert(channel: LoadedChannel, message: AlertMessage): Promise<SendResult> {
  switch (channel.kind) {
    case "email": {
      const to = message.assignee ? [message.assignee.email] : ((channel.config as EmailConfig).to ?? []);
      return sendEmail(channel, to, subject(message), emailText(message));
    }
    case "slack":
      await postJson(channel, channel.secrets.webhookUrl!, slackPayload(message));
      return { recipients: [] };
    case "teams":
      await postJson(channel, channel.secrets.webhookUrl!, teamsPayload(message));
      return { recipients: [] };
    case "webhook":
      await postJson(channel, String(channel.config.url), webhookPayload(message), (body) => ({
        "ledgerline-signature": signWebhook(channel.secrets.signingSecret!, body),
        "ledgerline-event": `alert.${message.event}`,
      }));
      return { recipients: [] };
  }
}

export async function sendDigest(channel: LoadedChannel, digest: DigestMessage): Promise<SendResult> {
  switch (channel.kind) {
    case "email":
      return sendEmail(channel, (channel.config as EmailConfig).to ?? [], digestSubject(digest), digestEmailText(digest));
    case "slack":
      await postJson(channel, channel.secrets.webhookUrl!, digestSlackPayload(digest));
      return { recipients: [] };
    case "teams":
      await postJson(channel, channel.secrets.webhookUrl!, digestTeamsPayload(digest));
      return { recipients: [] };
    case "webhook":
      await postJson(channel, String(channel.config.url), digestWebhookPayload(digest), (body) => ({
        "ledgerline-signature": signWebhook(channel.secrets.signingSecret!, body),
        "ledgerline-event": "alert.digest",
      }));
      return { recipients: [] };
  }
}
