/**
 * Sandbox event delivery. Holds the RSA key pairs Adobe would hold:
 * - two Adobe I/O Events keys (signatures `x-adobe-digital-signature-1/-2` over the raw body,
 *   public keys served at `/prod/keys/pub-key-<uuid>.pem` like static.adobeioevents.com);
 * - the store's Commerce webhook key (`x-adobe-commerce-webhook-signature` over base64(body)).
 * Subscribed URLs receive a signed delivery whenever an order changes.
 */
import { generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { DEMO } from "./auth";
import type { Rec } from "./seed";

interface KeyPair {
  publicKey: string;
  privateKey: string;
}

function rsa(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { publicKey, privateKey };
}

export const signRsaSha256 = (payload: string, privateKey: string) => sign("RSA-SHA256", Buffer.from(payload, "utf8"), privateKey).toString("base64");

export interface Subscription {
  id: string;
  url: string;
  channel: "ioEvents" | "commerceWebhook";
  recipientClientId: string;
}

export interface Delivery {
  subscriptionId: string;
  channel: Subscription["channel"];
  url: string;
  eventId: string;
  orderId: number;
  status?: number;
  error?: string;
  at: string;
}

export const IO_EVENT_TYPE = "com.adobe.commerce.observer.sales_order_save_commit_after";
export const WEBHOOK_EVENT_NAME = "observer.sales_order_save_after";
const PROVIDER_ID = "3f6e2a9c-5b1d-4e8f-9a7c-0d2b4c6e8f10";

export class EventHub {
  readonly ioKeys: Array<KeyPair & { path: string }>;
  readonly webhookKey: KeyPair;
  subscriptions: Subscription[] = [];
  deliveries: Delivery[] = [];

  constructor(private readonly now: () => number) {
    this.ioKeys = [rsa(), rsa()].map((k) => ({ ...k, path: `/prod/keys/pub-key-${randomUUID()}.pem` }));
    this.webhookKey = rsa();
  }

  publicKeys() {
    return {
      ioEvents: this.ioKeys.map((k) => ({ path: k.path, pem: k.publicKey })),
      commerceWebhook: this.webhookKey.publicKey,
    };
  }

  keyByPath(path: string): string | undefined {
    return this.ioKeys.find((k) => k.path === path)?.publicKey;
  }

  subscribe(input: { url?: unknown; channel?: unknown; recipientClientId?: unknown }): Subscription | string {
    if (typeof input.url !== "string" || !/^https?:\/\//.test(input.url)) return "url must be an http(s) URL";
    const channel = input.channel ?? "ioEvents";
    if (channel !== "ioEvents" && channel !== "commerceWebhook") return 'channel must be "ioEvents" or "commerceWebhook"';
    const sub: Subscription = {
      id: randomUUID(),
      url: input.url,
      channel,
      recipientClientId: typeof input.recipientClientId === "string" ? input.recipientClientId : DEMO.imsClientId,
    };
    this.subscriptions.push(sub);
    return sub;
  }

  /** The order fields Commerce's event sends (io_events.xml can narrow them; the sandbox sends these). */
  private eventOrderFields(order: Rec): Rec {
    const ext = (order.extension_attributes as Rec | undefined) ?? {};
    return {
      entity_id: order.entity_id,
      increment_id: order.increment_id,
      state: order.state,
      status: order.status,
      customer_id: order.customer_id,
      customer_email: order.customer_email,
      grand_total: order.grand_total,
      order_currency_code: order.order_currency_code,
      created_at: order.created_at,
      updated_at: order.updated_at,
      company_order_attributes: ext.company_order_attributes ?? null,
    };
  }

  /** Build one signed delivery (body and headers) for a subscription. */
  buildDelivery(sub: Subscription, order: Rec): { eventId: string; body: string; headers: Record<string, string> } {
    const eventId = randomUUID();
    if (sub.channel === "ioEvents") {
      const body = JSON.stringify({
        specversion: "1.0",
        id: eventId,
        source: `urn:uuid:${PROVIDER_ID}`,
        type: IO_EVENT_TYPE,
        datacontenttype: "application/json",
        time: new Date(this.now()).toISOString(),
        event_id: randomUUID(),
        recipient_client_id: sub.recipientClientId,
        data: {
          key: randomUUID(),
          value: this.eventOrderFields(order),
          source: `${DEMO.tenantId}.sandbox`,
          _metadata: { commerceEdition: "Adobe Commerce", commerceVersion: "2.4.8", eventsClientVersion: "1.12.0", storeId: "1", websiteId: "1", storeGroupId: "1" },
        },
      });
      return {
        eventId,
        body,
        headers: {
          "content-type": "application/json",
          "x-adobe-event-code": IO_EVENT_TYPE,
          "x-adobe-event-id": eventId,
          "x-adobe-digital-signature-1": signRsaSha256(body, this.ioKeys[0].privateKey),
          "x-adobe-digital-signature-2": signRsaSha256(body, this.ioKeys[1].privateKey),
          "x-adobe-public-key1-path": this.ioKeys[0].path,
          "x-adobe-public-key2-path": this.ioKeys[1].path,
        },
      };
    }
    const body = JSON.stringify({ eventName: WEBHOOK_EVENT_NAME, data: { order: this.eventOrderFields(order) } });
    return {
      eventId,
      body,
      headers: {
        "content-type": "application/json",
        "x-adobe-commerce-webhook-signature": signRsaSha256(Buffer.from(body, "utf8").toString("base64"), this.webhookKey.privateKey),
      },
    };
  }

  /** Deliver an order change to every subscriber; resolves when all answered (or failed). */
  async publish(order: Rec): Promise<Delivery[]> {
    const results = await Promise.all(
      this.subscriptions.map(async (sub): Promise<Delivery> => {
        const { eventId, body, headers } = this.buildDelivery(sub, order);
        const delivery: Delivery = {
          subscriptionId: sub.id,
          channel: sub.channel,
          url: sub.url,
          eventId,
          orderId: order.entity_id as number,
          at: new Date(this.now()).toISOString(),
        };
        try {
          const res = await fetch(sub.url, { method: "POST", headers, body, signal: AbortSignal.timeout(5000) });
          await res.text();
          delivery.status = res.status;
        } catch (error) {
          delivery.error = (error as Error).message;
        }
        return delivery;
      }),
    );
    this.deliveries.push(...results);
    return results;
  }
}
