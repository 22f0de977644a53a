/**
 * Trigger (webhook): order save events, from Adobe I/O Events (the asynchronous feed, RSA-SHA256
 * signatures x-adobe-digital-signature-1/-2, recipient_client_id) or from a Commerce webhook
 * (x-adobe-commerce-webhook-signature, the store's RSA key). The run reads the full order: events
 * carry only the fields configured for them.
 * https://developer.adobe.com/commerce/extensibility/events/
 * https://developer.adobe.com/commerce/extensibility/webhooks/
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { WebhookRejected, header, type TriggerRecord, type WebhookResult } from "../../sdk";
import { order } from "../schemas";
import { isCommerceWebhookDelivery, isIoEventsDelivery, verifyCommerceWebhook, verifyIoEvent } from "../webhooks";
import { commerceNode } from "./factory";

const config = z.object({
  channel: z
    .enum(["auto", "ioEvents", "commerceWebhook"])
    .default("auto")
    .describe("Which sender to accept: Adobe I/O Events, Commerce webhooks, or either (told apart by their signature headers)."),
  eventNames: z
    .array(z.string())
    .default(["observer.sales_order_save_commit_after", "observer.sales_order_save_after"])
    .describe("Order events that start a run (the end of the event type, e.g. observer.sales_order_save_commit_after). Others are acknowledged and ignored."),
  recipientClientId: z
    .string()
    .optional()
    .describe("I/O Events: the client id deliveries must be addressed to. Empty: the connection's IMS client id."),
});

const recordData = z.object({
  source: z.enum(["ioEvents", "commerceWebhook"]),
  eventId: z.string().nullable(),
  eventType: z.string().nullable(),
  orderId: z.coerce.number().int().positive().describe("Order entity_id."),
  incrementId: z.string().nullable(),
  updatedAt: z.string().nullable(),
  fields: z.record(z.string(), z.unknown()).describe("Order fields the event carried."),
});

function matchesEvent(type: string | undefined, names: string[]): boolean {
  if (!type) return false;
  return names.some((n) => type === n || type.endsWith(`.${n}`));
}

function orderRecord(data: z.infer<typeof recordData>): TriggerRecord {
  const version = data.updatedAt ?? data.eventId ?? "unknown";
  return {
    key: `commerce:order:${data.orderId}`,
    version,
    label: `Order ${data.incrementId ?? data.orderId}`,
    data,
  };
}

const pick = (o: Record<string, unknown>, k: string) => (typeof o[k] === "string" || typeof o[k] === "number" ? String(o[k]) : null);

export const orderEvent = commerceNode({
  type: "commerce.orderEvent",
  version: 1,
  title: "Order event (Adobe I/O Events / webhook)",
  description:
    "Starts a run when Adobe Commerce reports an order save, through Adobe I/O Events or a Commerce webhook. Signatures are verified with the connection's public keys.",
  category: "trigger",
  icon: "zap",
  config,
  input: recordData,
  output: z.object({
    source: z.enum(["ioEvents", "commerceWebhook"]),
    eventId: z.string().nullable(),
    eventType: z.string().nullable(),
    order,
  }),
  effect: { kind: "read" },
  trigger: {
    mode: "webhook",
    async webhook(ctx, req, c): Promise<WebhookResult> {
      const client = ctx.client;
      // I/O Events registration handshake: echo the challenge.
      if (req.method.toUpperCase() === "GET") {
        const challenge = req.query.challenge;
        if (!challenge || c.channel === "commerceWebhook") throw new WebhookRejected("GET without an I/O Events challenge");
        return { status: 200, body: { challenge }, headers: { "content-type": "application/json" }, records: [] };
      }
      const io = isIoEventsDelivery(req);
      const hook = isCommerceWebhookDelivery(req);
      if (io && c.channel !== "commerceWebhook") {
        const event = await verifyIoEvent(req, {
          publicKeys: client.config.ioEventsPublicKeys,
          fetchKey: (path) => client.transport.ioEventsPublicKey(path),
          recipientClientId: c.recipientClientId ?? client.config.imsClientId,
        });
        const eventId = event.id ?? event.event_id ?? header(req.headers, "x-adobe-event-id") ?? null;
        const type = event.type ?? header(req.headers, "x-adobe-event-code");
        if (!matchesEvent(type, c.eventNames)) {
          ctx.log.info(`Ignoring I/O event ${type ?? "(no type)"}`);
          return { records: [], eventId: eventId ?? undefined };
        }
        const value = event.data?.value ?? {};
        const orderId = Number(value.entity_id ?? value.id);
        if (!Number.isInteger(orderId) || orderId <= 0) {
          ctx.log.warn("I/O order event without entity_id: nothing to read", { eventId });
          return { records: [], eventId: eventId ?? undefined };
        }
        const data = recordData.parse({
          source: "ioEvents",
          eventId,
          eventType: type ?? null,
          orderId,
          incrementId: pick(value, "increment_id"),
          updatedAt: pick(value, "updated_at"),
          fields: value,
        });
        return { records: [orderRecord(data)], eventId: eventId ?? undefined };
      }
      if (hook && c.channel !== "ioEvents") {
        const body = verifyCommerceWebhook(req, client.config.webhookPublicKey);
        const eventName = typeof body.eventName === "string" ? body.eventName : null;
        // Commerce webhooks are synchronous: always answer with an operation so checkout goes on.
        const ok = { status: 200, body: { op: "success" }, headers: { "content-type": "application/json" } };
        if (eventName && !matchesEvent(eventName, c.eventNames)) return { ...ok, records: [] };
        const dataObj = (body.data && typeof body.data === "object" ? body.data : {}) as Record<string, unknown>;
        const value = (dataObj.order && typeof dataObj.order === "object" ? dataObj.order : dataObj) as Record<string, unknown>;
        const orderId = Number(value.entity_id ?? value.id);
        if (!Number.isInteger(orderId) || orderId <= 0) return { ...ok, records: [] };
        const eventId = createHash("sha256").update(req.rawBody).digest("hex").slice(0, 32);
        const data = recordData.parse({
          source: "commerceWebhook",
          eventId,
          eventType: eventName,
          orderId,
          incrementId: pick(value, "increment_id"),
          updatedAt: pick(value, "updated_at"),
          fields: value,
        });
        return { ...ok, records: [orderRecord(data)], eventId };
      }
      throw new WebhookRejected(
        io || hook ? `delivery from a channel this trigger does not accept (${c.channel})` : "unsigned delivery: no Adobe signature header",
      );
    },
  },
  async run(ctx, input) {
    return {
      source: input.source,
      eventId: input.eventId,
      eventType: input.eventType,
      order: await ctx.client.getOrder(input.orderId),
    };
  },
});
