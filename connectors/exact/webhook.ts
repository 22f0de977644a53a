/**
 * Exact Online webhook notifications.
 *
 * A delivery is `{"Content":{…},"HashCode":"<UPPERCASE HEX>"}` where HashCode is
 * HMAC-SHA256(key = the app's webhook secret, message = the Content JSON text exactly as sent).
 * The signature covers the Content text, not the whole body and not a re-serialisation: the
 * bytes are cut out of the raw body. The notification carries only the record's key.
 * Creating a subscription makes Exact POST to the callback first; that validation call carries
 * no Content and only needs a 2xx.
 * https://support.exactonline.com/community/s/knowledge-base#All-All-DNO-Content-webhooksc
 */
import { createHmac } from "node:crypto";
import { z } from "zod";
import { WebhookRejected, safeEqual } from "../sdk";

export const webhookContentSchema = z.object({
  Topic: z.string(),
  ClientId: z.string().optional(),
  Division: z.number().int(),
  Action: z.string(),
  Key: z.string(),
  ExactOnlineEndpoint: z.string().optional(),
  EventCreatedOn: z.string().optional(),
});
export type WebhookContent = z.infer<typeof webhookContentSchema>;

export type ParsedDelivery = { kind: "validation" } | { kind: "notification"; content: WebhookContent; contentText: string; hashCode: string };

export function signContent(contentText: string, secret: string): string {
  return createHmac("sha256", secret).update(contentText, "utf8").digest("hex").toUpperCase();
}

/** Cut the Content text and the HashCode out of the raw body, in either field order. */
function split(raw: string): { contentText: string; hashCode: string } | undefined {
  const contentFirst = /^\s*\{\s*"Content"\s*:\s*(\{[\s\S]*\})\s*,\s*"HashCode"\s*:\s*"([^"]*)"\s*\}\s*$/.exec(raw);
  if (contentFirst) return { contentText: contentFirst[1], hashCode: contentFirst[2] };
  const hashFirst = /^\s*\{\s*"HashCode"\s*:\s*"([^"]*)"\s*,\s*"Content"\s*:\s*(\{[\s\S]*\})\s*\}\s*$/.exec(raw);
  if (hashFirst) return { contentText: hashFirst[2], hashCode: hashFirst[1] };
  return undefined;
}

/**
 * Verify one delivery. Returns `validation` for the subscription's test POST (no Content at all);
 * throws WebhookRejected for anything that carries Content without a matching HashCode.
 */
export function verifyDelivery(rawBody: string, webhookSecret: string | undefined): ParsedDelivery {
  const trimmed = rawBody.trim();
  let parsed: unknown = undefined;
  if (trimmed) {
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new WebhookRejected("Exact webhook body is not JSON");
    }
  }
  if (!parsed || typeof parsed !== "object" || !("Content" in (parsed as object))) {
    if (parsed && typeof parsed === "object" && "HashCode" in (parsed as object)) {
      throw new WebhookRejected("Exact webhook carries a HashCode but no Content");
    }
    return { kind: "validation" };
  }
  if (!webhookSecret) {
    throw new WebhookRejected("No webhook secret is configured on the Exact connection, so deliveries cannot be verified");
  }
  const parts = split(trimmed);
  if (!parts || !parts.hashCode) throw new WebhookRejected("Exact webhook is not signed (no HashCode)");
  const expected = signContent(parts.contentText, webhookSecret);
  if (!safeEqual(expected, parts.hashCode.toUpperCase())) throw new WebhookRejected("Exact webhook HashCode does not match its Content");
  const content = webhookContentSchema.safeParse(JSON.parse(parts.contentText));
  if (!content.success) throw new WebhookRejected(`Exact webhook Content has an unexpected shape: ${content.error.issues[0]?.message}`);
  return { kind: "notification", content: content.data, contentText: parts.contentText, hashCode: parts.hashCode };
}
