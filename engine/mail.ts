/**
 * Outgoing e-mail (password reset links, invitations) over SMTP with nodemailer. Configured by
 * LEDGERLINE_SMTP_URL; without it `mailConfigured()` is false and the UI says e-mail is off.
 */
import nodemailer, { type Transporter } from "nodemailer";
import { env } from "../db/env";

let cached: { url: string; transport: Transporter } | undefined;

export function mailConfigured(): boolean {
  return Boolean(env.smtpUrl);
}

function transport(): Transporter {
  const url = env.smtpUrl;
  if (!url) throw new Error("E-mail is not configured (LEDGERLINE_SMTP_URL is not set).");
  if (cached?.url !== url) cached = { url, transport: nodemailer.createTransport(url) };
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
