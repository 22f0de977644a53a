/**
 * The alert vocabulary, declared once: rule kinds with their thresholds, channel kinds with their
 * settings and secrets. The router's input schemas, the evaluator and the Studio page read these.
 *
 * Glossary
 * - rule:      what to watch in one workspace (optionally one flow) and which channels to tell.
 * - cause:     what makes two occurrences the same problem (`cause_key`): a flow's node failing with
 *              one error code, one connection failing, one flow's poll stalling... An open cause is
 *              one alert, however often it recurs; when it clears, one "resolved" message follows.
 * - channel:   where messages go: e-mail (SMTP), Slack or Microsoft Teams incoming webhook, or a
 *              generic webhook signed with HMAC-SHA256. Delivered at once or in a daily digest.
 * - delivery:  one message on one channel: opened, resolved, digest or test.
 */
import { z } from "zod";

export const ruleKindSchema = z.enum(["run_failed", "review_opened", "review_stale", "connection_failing", "poll_stalled", "error_rate", "reconciliation_gaps", "approval_waiting"]);
export type RuleKind = z.infer<typeof ruleKindSchema>;

export const RULE_KIND_LABELS: Record<RuleKind, string> = {
  run_failed: "Run failed (first failure of a cause)",
  review_opened: "Review item opened",
  review_stale: "Review item still open after N hours",
  connection_failing: "Connection failing its test or needing reconnect",
  poll_stalled: "Poll trigger stalled",
  error_rate: "Error rate over X% in 15 minutes",
  reconciliation_gaps: "Reconciliation report with gaps",
  approval_waiting: "Write waiting for approval",
};

/** Thresholds per kind; defaults make a rule usable as created. */
export const ruleParamsSchemas = {
  run_failed: z.object({}).strict(),
  review_opened: z.object({}).strict(),
  review_stale: z.object({ hours: z.number().min(0.01).max(24 * 90).default(24) }).strict(),
  connection_failing: z.object({}).strict(),
  poll_stalled: z.object({ multiplier: z.number().min(1).max(100).default(3) }).strict(),
  error_rate: z
    .object({ percent: z.number().min(1).max(100).default(20), minRuns: z.number().int().min(1).max(10_000).default(5) })
    .strict(),
  reconciliation_gaps: z.object({}).strict(),
  approval_waiting: z.object({}).strict(),
} satisfies Record<RuleKind, z.ZodType>;

export function parseRuleParams(kind: RuleKind, params: unknown): Record<string, number> {
  return ruleParamsSchemas[kind].parse(params ?? {}) as Record<string, number>;
}

export const ERROR_RATE_WINDOW_MS = 15 * 60_000;

export const channelKindSchema = z.enum(["email", "slack", "teams", "webhook"]);
export type ChannelKind = z.infer<typeof channelKindSchema>;

const email = z.string().trim().email().max(320);
const httpUrl = z
  .string()
  .trim()
  .url()
  .max(2000)
  .refine((u) => /^https?:\/\//i.test(u), "http or https URL");

/** Settings shown back to the browser. */
export const channelConfigSchemas = {
  email: z
    .object({
      host: z.string().trim().min(1).max(255),
      port: z.number().int().min(1).max(65535).default(587),
      /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
      secure: z.boolean().default(false),
      user: z.string().max(320).default(""),
      /** `alerts@example.com` or `Ledgerline <alerts@example.com>`. */
      from: z
        .string()
        .trim()
        .max(320)
        .regex(/^(?:[^<>@]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/, "an address, or a name and <address>"),
      to: z.array(email).max(50).default([]),
    })
    .strict(),
  slack: z.object({}).strict(),
  teams: z.object({}).strict(),
  webhook: z.object({ url: httpUrl }).strict(),
} satisfies Record<ChannelKind, z.ZodType>;

/** Write-only: accepted from the browser, stored encrypted, never sent back. */
export const channelSecretsSchemas = {
  email: z.object({ password: z.string().max(1000).default("") }).strict(),
  /** The incoming-webhook URL is itself the credential. */
  slack: z.object({ webhookUrl: httpUrl }).strict(),
  teams: z.object({ webhookUrl: httpUrl }).strict(),
  webhook: z.object({ signingSecret: z.string().min(16).max(500) }).strict(),
} satisfies Record<ChannelKind, z.ZodType>;

export type EmailConfig = z.infer<(typeof channelConfigSchemas)["email"]>;

export const deliveryModeSchema = z.enum(["immediate", "digest"]);
export type DeliveryMode = z.infer<typeof deliveryModeSchema>;

export type AlertEvent = "opened" | "resolved" | "digest" | "test";
