/** List this division's webhook subscriptions of the app. */
import { z } from "zod";
import { WebhookSubscription } from "../schemas";
import { exactNode } from "./_factory";

export const listWebhookSubscriptions = exactNode({
  type: "exact.listWebhookSubscriptions",
  version: 1,
  title: "List webhook subscriptions",
  description: "The app's webhook subscriptions in this division (topic, callback URL).",
  category: "connector",
  config: z.object({}),
  input: z.object({}).default({}),
  output: z.object({ items: z.array(WebhookSubscription.schema) }),
  effect: { kind: "read" },
  run: async (ctx) => ({ items: await ctx.client.listWebhookSubscriptions() }),
});
