/**
 * Subscribe a callback URL (this flow's webhook URL) to an Exact topic in the connection's
 * division. Exact POSTs to the callback before accepting, so the flow must be live.
 * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=WebhooksWebhookSubscriptions
 */
import { z } from "zod";
import { AlreadyDoneError } from "../../sdk";
import { WebhookSubscription } from "../schemas";
import { exactNode } from "./_factory";

const topicSchema = z.string().min(1).default("SalesInvoices").describe("Exact webhook topic, e.g. SalesInvoices");

export const createWebhookSubscription = exactNode({
  type: "exact.createWebhookSubscription",
  version: 1,
  title: "Create webhook subscription",
  description: "Subscribe a callback URL to an Exact Online topic in this division (once: an existing identical subscription is returned).",
  category: "connector",
  config: z.object({ topic: topicSchema }),
  input: z.object({
    callbackUrl: z.url().describe("HTTPS URL Exact will POST notifications to (the flow's webhook URL)"),
    description: z.string().optional(),
  }),
  output: WebhookSubscription.schema,
  effect: {
    kind: "write",
    key: (input, config) => `exact:webhook:${config.topic}:${input.callbackUrl}`,
    reconcile: async (ctx, input, config) =>
      (await ctx.client.listWebhookSubscriptions()).find((s) => s.CallbackURL === input.callbackUrl && s.Topic === config.topic),
  },
  run: async (ctx, input, config) => {
    const existing = (await ctx.client.listWebhookSubscriptions()).find((s) => s.CallbackURL === input.callbackUrl && s.Topic === config.topic);
    if (existing) throw new AlreadyDoneError(`Already subscribed to ${config.topic}`, { system: "exact", result: existing });
    return ctx.client.createWebhookSubscription(input.callbackUrl, config.topic, input.description);
  },
});
