/**
 * Webhook side of the sandbox: subscriptions' validation POST and signed notifications.
 * A notification body is `{"Content":<compact JSON>,"HashCode":"<UPPER HEX HMAC-SHA256 of that
 * exact text, keyed by the app's webhook secret>"}`, posted to every subscription of the
 * division for the topic.
 */
import { createHmac } from "node:crypto";
import { newGuid, type Delivery, type DivisionData, type SandboxWorld } from "./store";

export const TOPICS = [
  "SalesInvoices",
  "GeneralJournalEntries",
  "FinancialTransactions",
  "SalesOrders",
  "PurchaseOrders",
  "GoodsDeliveries",
  "Accounts",
  "Items",
  "Contacts",
  "Documents",
  "Quotations",
  "BankAccounts",
  "StockPositions",
  "CostTransactions",
  "TimeTransactions",
];

const DELIVERY_TIMEOUT_MS = 5_000;

async function post(url: string, body: string): Promise<{ status?: number; statusText?: string; error?: string }> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status, statusText: response.statusText };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function remember(world: SandboxWorld, delivery: Delivery): void {
  world.deliveries.push(delivery);
  if (world.deliveries.length > 200) world.deliveries.splice(0, world.deliveries.length - 200);
}

/** Exact POSTs to the callback before accepting a subscription; anything but 2xx refuses it. */
export async function validateCallback(world: SandboxWorld, subscriptionId: string, url: string): Promise<string | undefined> {
  const body = "";
  const result = await post(url, body);
  remember(world, { id: newGuid(), subscriptionId, callbackUrl: url, body, status: result.status, error: result.error, at: world.now(), kind: "validation" });
  if (result.status !== undefined && result.status >= 200 && result.status < 300) return undefined;
  if (result.status !== undefined) return `Invalid: Post to callback URL endpoint returns ${result.status} ${result.statusText ?? ""}`.trim();
  return "Invalid: Post to callback URL endpoint returns 500 An error occurred while sending the request.";
}

export function signedBody(content: Record<string, unknown>, secret: string): { body: string; contentText: string; hashCode: string } {
  const contentText = JSON.stringify(content);
  const hashCode = createHmac("sha256", secret).update(contentText, "utf8").digest("hex").toUpperCase();
  return { body: `{"Content":${contentText},"HashCode":"${hashCode}"}`, contentText, hashCode };
}

/** Notify every subscription of `topic` in the division (asynchronously, like Exact). */
export function notify(
  world: SandboxWorld,
  div: DivisionData,
  topic: string,
  action: "Create" | "Update" | "Delete",
  key: string,
  entityPath: string,
): void {
  for (const sub of div.subscriptions) {
    if (sub.Topic !== topic) continue;
    const app = world.apps.get(String(sub.ClientID));
    if (!app) continue;
    const content = {
      Topic: topic,
      ClientId: app.clientId,
      Division: div.code,
      Action: action,
      Key: key,
      ExactOnlineEndpoint: `${String(sub._base)}/api/v1/${div.code}/${entityPath}(guid'${key}')`,
      // Exact sends local time without a zone.
      EventCreatedOn: new Date(world.now()).toISOString().slice(0, 23),
    };
    const { body } = signedBody(content, app.webhookSecret);
    const delivery: Delivery = { id: newGuid(), subscriptionId: String(sub.ID), callbackUrl: String(sub.CallbackURL), body, at: world.now(), kind: "notification" };
    remember(world, delivery);
    const task = post(delivery.callbackUrl, body).then((result) => {
      delivery.status = result.status;
      delivery.error = result.error;
    });
    world.pending.add(task);
    void task.finally(() => world.pending.delete(task));
  }
}
