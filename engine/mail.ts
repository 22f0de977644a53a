/**
 * Outgoing e-mail (password reset links, invitations) over SMTP with nodemailer. Configured by
 * LEDGERLINE_SMTP_URL; without it `mailConfigured()` is false and the UI says e-mail is off.
 */
import nodemailer, { type Transporter } from "nodemailer";
import { env } from "../db/env";

/**
 * How long a mail server may take to accept a connection, greet and answer: a server that stops
 * answering fails the send in seconds (the sender is told, an invitation shows its link) instead
 * of holding the request for nodemailer's defaults of 2 to 10 minutes. Alert e-mails use them too.
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

let cached: { url: string; transport: Transporter } | undefined;

export function mailConfigured(): boolean {
  return Boolean(env.smtpUrl);
}

function transport(): Transporter {
  const url = env.smtpUrl;
  if (!url) throw new Error("E-mail is not configured (LEDGERLINE_SMTP_URL is not set).");
  if (cached?.url !== url) cached = { url, transport: nodemailer.createTransport({ url, ...SMTP_TIMEOUTS }) };
  return cached.transport;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export async function sendMail(mail: Mail): Promise<void> {
  await transport().sendMail({ from: env.mailFrom, to: mail.to, subject: mail.subject, text: mail.text });
}
