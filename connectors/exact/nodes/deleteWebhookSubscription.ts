/**
 * Remove a webhook subscription (Exact cannot update one: delete and create again).
 * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=WebhooksWebhookSubscriptions
 */
import { z } from "zod";
import { exactNode, guidString } from "./_factory";

export const deleteWebhookSubscription = exactNode({
  type: "exact.deleteWebhookSubscription",
  version: 1,
  title: "Delete webhook subscription",
  description: "Delete an Exact Online webhook subscription by ID, or every subscription of a callback URL.",
  category: "connector",
  config: z.object({}),
  input: z
    .object({
      subscriptionId: guidString.optional().describe("ID of the subscription"),
      callbackUrl: z.string().optional().describe("Or: delete every subscription of this callback URL"),
    })
    .refine((v) => v.subscriptionId || v.callbackUrl, { message: "give subscriptionId or callbackUrl" }),
  output: z.object({ deleted: z.array(z.string()).describe("IDs deleted; empty when there was nothing to delete") }),
  effect: {
    kind: "write",
    key: (input) => `exact:webhook-delete:${input.subscriptionId ?? input.callbackUrl}`,
    reconcile: async (ctx, input) => {
      const left = (await ctx.client.listWebhookSubscriptions()).filter(
        (s) => s.ID === input.subscriptionId?.toLowerCase() || (input.callbackUrl !== undefined && s.CallbackURL === input.callbackUrl),
      );
      return left.length === 0 ? { deleted: [] } : undefined;
    },
  },
  run: async (ctx, input) => {
    // Look first: deleting what is not there is a 404, and Exact counts those against the app.
    const targets = (await ctx.client.listWebhookSubscriptions()).filter(
      (s) => s.ID === input.subscriptionId?.toLowerCase() || (input.callbackUrl !== undefined && s.CallbackURL === input.callbackUrl),
    );
    for (const s of targets) await ctx.client.deleteWebhookSubscription(s.ID!);
    return { deleted: targets.map((s) => s.ID!) };
  },
});
