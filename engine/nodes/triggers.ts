/**
 * Built-in triggers: manual ("Run now" with sample data), schedule (cron) and a generic signed
 * webhook.
 */
import { createHmac } from "node:crypto";
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import { defineConnector, header, nodeFactory, safeEqual, WebhookRejected } from "../../connectors/sdk";
import { evaluate, jsonataExpression } from "./expressions";

const core = nodeFactory<undefined>("core");

export const cronExpression = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    try {
      CronExpressionParser.parse(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `invalid cron expression: ${(error as Error).message}` });
    }
  })
  .describe("Cron expression (minute hour day month weekday), UTC, e.g. */15 * * * *");

export const manualTrigger = core({
  type: "core.manualTrigger",
  version: 1,
  title: "Manual trigger",
  description: "Start a run by hand (\"Run now\"), with sample data or the data you enter.",
  category: "trigger",
  icon: "play",
  config: z.object({
    sample: z.record(z.string(), z.unknown()).default({}).describe("Data the run starts with when none is given"),
  }),
  input: z.unknown(),
  output: z.unknown(),
  effect: { kind: "read" },
  trigger: { mode: "manual" },
  run: async (_ctx, input, config) => (input === undefined || input === null ? config.sample : input),
});

export const scheduleTrigger = core({
  type: "core.scheduleTrigger",
  version: 1,
  title: "Schedule",
  description: "Start one run at every tick of a cron schedule.",
  category: "trigger",
  icon: "clock",
  config: z.object({ schedule: cronExpression.default("0 * * * *") }),
  input: z.object({ scheduledAt: z.string() }),
  output: z.object({ scheduledAt: z.string() }),
  effect: { kind: "read" },
  trigger: { mode: "schedule" },
  run: async (_ctx, input) => input,
});

/** The signing secret of a generic webhook lives in a connection of its own (encrypted, write-only). */
export const webhookSecretConnector = defineConnector({
  system: "webhook",
  title: "Webhook signing secret",
  description: "A shared secret the sender uses to sign deliveries (HMAC-SHA256).",
  icon: "key",
  config: z.object({}),
  secrets: z.object({ signingSecret: z.string().min(16, "use at least 16 characters").describe("Shared signing secret") }),
  createClient: (env) => ({ signingSecret: env.secrets.signingSecret }),
  test: async (client) => ({ ok: client.signingSecret.length >= 16, message: "Secret stored" }),
  nodes: [],
});

const webhookNode = nodeFactory<{ signingSecret: string }>("core", { connection: "webhook" });

/** Accept deliveries signed less than this long ago (replay protection). */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;

/**
 * `x-ledgerline-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. A delivery sent
 * again unchanged (same timestamp and signature) is dropped; a new version of a record, signed
 * anew, starts a new run; the same record content signed anew is dropped by its record version.
 */
export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

export const webhookTrigger = webhookNode({
  type: "core.webhookTrigger",
  version: 1,
  title: "Webhook",
  description:
    "Start a run per delivery POSTed to the flow's webhook URL, signed with HMAC-SHA256 (headers x-ledgerline-timestamp and x-ledgerline-signature).",
  category: "trigger",
  icon: "webhook",
  config: z.object({
    recordKey: jsonataExpression("Expression for the record's key, e.g. id").default("id"),
    recordVersion: jsonataExpression("Expression for the record's version, e.g. updatedAt").default("$string(updatedAt)"),
  }),
  input: z.unknown(),
  output: z.unknown(),
  effect: { kind: "read" },
  trigger: {
    mode: "webhook",
    connectionAtIntakeOnly: true,
    webhook: async (ctx, req, config) => {
      const timestamp = header(req.headers, "x-ledgerline-timestamp");
      const signature = header(req.headers, "x-ledgerline-signature");
      if (!timestamp || !signature) throw new WebhookRejected("missing signature headers");
      const age = Math.abs(Date.now() - Number(timestamp) * 1000);
      if (!Number.isFinite(age) || age > WEBHOOK_TOLERANCE_MS) throw new WebhookRejected("signature timestamp outside tolerance");
      if (!safeEqual(signWebhook(ctx.client.signingSecret, timestamp, req.rawBody), signature)) {
        throw new WebhookRejected("signature does not match");
      }
      let body: unknown;
      try {
        body = JSON.parse(req.rawBody);
      } catch {
        return { status: 400, body: { error: "body must be JSON" }, records: [] };
      }
      const items = Array.isArray(body) ? body : [body];
      const noLookups = { trigger: undefined, nodes: {}, lookup: async () => undefined };
      const records = [];
      for (const item of items) {
        const key = await evaluate(config.recordKey, item, noLookups, "record key");
        const version = await evaluate(config.recordVersion, item, noLookups, "record version");
        if (key === undefined || key === null || key === "") {
          return { status: 400, body: { error: "record key expression gave no value" }, records: [] };
        }
        records.push({ key: String(key), version: version === undefined ? "" : String(version), data: item });
      }
      // The event id is the verified signature itself: covered by the secret, one per (timestamp, body).
      // A sender's own event-id header is not signed, so it is not trusted (it would let anyone who
      // saw one delivery replay it under new ids, or spend the id of a delivery still to come).
      return { records, eventId: `sig:${signature.replace(/^sha256=/, "")}` };
    },
  },
  run: async (_ctx, input) => input,
});
