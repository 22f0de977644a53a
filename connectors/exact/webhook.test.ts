import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AlreadyDoneError, PermanentError, WebhookRejected, readBody, type TriggerContext } from "../sdk";
import type { ExactClient } from "./client";
import { createWebhookSubscription } from "./nodes/createWebhookSubscription";
import { deleteWebhookSubscription } from "./nodes/deleteWebhookSubscription";
import { listWebhookSubscriptions } from "./nodes/listWebhookSubscriptions";
import { salesInvoiceWebhook } from "./nodes/salesInvoiceWebhook";
import { DEMO } from "./sandbox";
import { admin, connectedClient, nodeCtx, resetHarness, startHarness, type Harness } from "./testkit";
import { signContent } from "./webhook";

let h: Harness;
let callback: Server;
let callbackUrl: string;
let received: string[] = [];
let answerStatus = 200;

beforeAll(async () => {
  h = await startHarness();
  callback = createServer(async (req, res) => {
    received.push(await readBody(req));
    res.writeHead(answerStatus).end();
  });
  await new Promise<void>((resolve) => callback.listen(0, "127.0.0.1", resolve));
  callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/hooks/flow-42`;
});
afterAll(async () => {
  callback.closeAllConnections();
  await new Promise((resolve) => callback.close(resolve));
  await h.close();
});
beforeEach(async () => {
  await resetHarness(h);
  received = [];
  answerStatus = 200;
});

const D = DEMO.usDivision;
const cascade = () => h.sandbox.world.regions.get("us")!.divisions.get(D)!.accounts.find((a) => a.Name === "Cascade Analytics LLC")!.ID;
const triggerCtx = (client: ExactClient): TriggerContext<ExactClient> => ({
  client,
  log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  signal: new AbortController().signal,
  workspaceId: "w",
  flowId: "f",
  nodeId: "trigger",
});
const deliver = (client: ExactClient, rawBody: string, config = salesInvoiceWebhook.config.parse({})) =>
  salesInvoiceWebhook.trigger!.webhook!(triggerCtx(client), { method: "POST", headers: { "content-type": "application/json" }, rawBody, query: {} }, config);

async function subscribe(client: ExactClient) {
  const config = createWebhookSubscription.config.parse({});
  return createWebhookSubscription.run(nodeCtx(client), { callbackUrl }, config);
}

describe("webhook subscriptions", () => {
  it("creates a subscription after the callback answers the validation POST, once", async () => {
    const { client } = await connectedClient(h);
    const sub = await subscribe(client);
    expect(sub).toMatchObject({ CallbackURL: callbackUrl, Topic: "SalesInvoices", Division: D });
    expect(received).toEqual([""]);
    // The trigger answers that validation POST with a 2xx and no records.
    expect(await deliver(client, "")).toEqual({ status: 200, body: { ok: true }, records: [] });
    const again = await subscribe(client).catch((e) => e);
    expect(again).toBeInstanceOf(AlreadyDoneError);
    expect(again.result).toEqual(sub);
    const effect = createWebhookSubscription.effect;
    if (effect.kind !== "write") throw new Error("createWebhookSubscription must be a write");
    expect(effect.key({ callbackUrl }, { topic: "SalesInvoices" })).toBe(`exact:webhook:SalesInvoices:${callbackUrl}`);
    const reconciled = await effect.reconcile!(nodeCtx(client), { callbackUrl }, { topic: "SalesInvoices" });
    expect(reconciled).toEqual(sub);
    expect((await listWebhookSubscriptions.run(nodeCtx(client), {}, {})).items).toEqual([sub]);
    const removed = await deleteWebhookSubscription.run(nodeCtx(client), { callbackUrl }, {});
    expect(removed).toEqual({ deleted: [sub.ID] });
    expect(await deleteWebhookSubscription.run(nodeCtx(client), { subscriptionId: String(sub.ID) }, {})).toEqual({ deleted: [] });
    expect(await client.listWebhookSubscriptions()).toEqual([]);
  });

  it("refuses a subscription whose callback does not answer 2xx", async () => {
    const { client } = await connectedClient(h);
    answerStatus = 503;
    const error = await subscribe(client).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe("Exact Online POST " + D + "/webhooks/webhooksubscriptions failed: Invalid: Post to callback URL endpoint returns 503 Service Unavailable");
  });
});

describe("sales invoice webhook trigger", () => {
  it("verifies a delivery, then fetches the full invoice with lines and addresses", async () => {
    const { client } = await connectedClient(h);
    await subscribe(client);
    received = [];
    const created = await admin(h, "invoices", {
      invoice: { InvoiceTo: cascade(), Description: "Renewal", SalesInvoiceLines: [{ ItemCode: "LIC-PRO", Quantity: 1 }, { ItemCode: "SVC-IMPL", Quantity: 6 }] },
    });
    await h.sandbox.settle();
    expect(received).toHaveLength(1);
    const raw = received[0];
    const result = await deliver(client, raw);
    const id = String(created.InvoiceID);
    expect(result.records).toEqual([
      {
        key: `exact:${D}:${id}`,
        version: new Date(h.clock.t).toISOString().slice(0, 23),
        label: `Sales invoice ${id} (Create)`,
        data: { division: D, invoiceId: id, action: "Create", eventCreatedOn: new Date(h.clock.t).toISOString().slice(0, 23) },
      },
    ]);
    expect(result.eventId).toBe(`${D}:SalesInvoices:${id}:Create:${new Date(h.clock.t).toISOString().slice(0, 23)}`);

    const input = salesInvoiceWebhook.input.parse(result.records[0].data);
    const full = await salesInvoiceWebhook.run(nodeCtx(client), input, salesInvoiceWebhook.config.parse({}));
    expect(full.invoice).toMatchObject({ InvoiceID: id, InvoiceNumber: created.InvoiceNumber, InvoiceToName: "Cascade Analytics LLC", AmountFC: 13050, Currency: "USD" });
    expect(full.lines.map((l) => [l.LineNumber, l.ItemCode, l.Quantity, l.AmountFC])).toEqual([
      [1, "LIC-PRO", 1, 12000],
      [2, "SVC-IMPL", 6, 1050],
    ]);
    expect(full.billingAddress).toEqual({ line1: "PO Box 21877", line2: null, line3: null, city: "Seattle", region: "WA", postalCode: "98111", country: "US", source: "invoice" });
    expect(full.addresses).toHaveLength(2);
    expect(full.idempotencyKey).toBe(`exact:${D}:${id}:journal`);
    expect(salesInvoiceWebhook.output.parse(full)).toEqual(full);
  });

  it("sends Update notifications and honours the action filter", async () => {
    const { client } = await connectedClient(h);
    await subscribe(client);
    const invoice = h.sandbox.world.regions.get("us")!.divisions.get(D)!.invoices.find((i) => i.Status === 20)!;
    received = [];
    h.clock.t += 5_000;
    await admin(h, `invoices/${invoice.InvoiceID}`, { patch: { YourRef: "PO-CHANGED" } });
    await h.sandbox.settle();
    const all = await deliver(client, received[0]);
    expect((all.records[0].data as { action: string }).action).toBe("Update");
    const createOnly = await deliver(client, received[0], salesInvoiceWebhook.config.parse({ actions: ["Create"] }));
    expect(createOnly.records).toEqual([]);
    expect(createOnly.body).toEqual({ ok: true, ignored: "action Update" });
  });

  it("rejects forged, altered, re-serialised and unsigned deliveries; replays keep their event id", async () => {
    const { client } = await connectedClient(h);
    await subscribe(client);
    received = [];
    await admin(h, "invoices", { invoice: { InvoiceTo: cascade(), SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 1 }] } });
    await h.sandbox.settle();
    const raw = received[0];
    const match = /^\{"Content":(.*),"HashCode":"([0-9A-F]{64})"\}$/.exec(raw)!;
    expect(match).not.toBeNull();
    const [, contentText, hashCode] = match;
    expect(hashCode).toBe(signContent(contentText, DEMO.webhookSecret));

    const forged = `{"Content":${contentText},"HashCode":"${signContent(contentText, "not-the-secret")}"}`;
    await expect(deliver(client, forged)).rejects.toBeInstanceOf(WebhookRejected);
    const altered = raw.replace(/"Key":"[0-9a-f-]+"/, `"Key":"00000000-0000-4000-a000-000000000000"`);
    await expect(deliver(client, altered)).rejects.toThrow("HashCode does not match");
    const reserialised = `{"Content":${JSON.stringify(JSON.parse(contentText), null, 1)},"HashCode":"${hashCode}"}`;
    await expect(deliver(client, reserialised)).rejects.toBeInstanceOf(WebhookRejected);
    await expect(deliver(client, `{"Content":${contentText}}`)).rejects.toThrow("not signed");
    await expect(deliver(client, "not json")).rejects.toBeInstanceOf(WebhookRejected);
    // Lower-case hex from a sender is accepted (the comparison is on the value, in constant time).
    expect((await deliver(client, raw.replace(hashCode, hashCode.toLowerCase()))).records).toHaveLength(1);

    const first = await deliver(client, raw);
    const replay = await deliver(client, raw);
    expect(replay.eventId).toBe(first.eventId);
    expect(replay.records).toEqual(first.records);
  });

  it("ignores other divisions and topics, and refuses everything without a webhook secret", async () => {
    const { client } = await connectedClient(h);
    const content = (division: number, topic: string) =>
      JSON.stringify({ Topic: topic, ClientId: DEMO.clientId, Division: division, Action: "Create", Key: "9a1c2b3d-0000-4000-a000-000000000001", EventCreatedOn: "2026-03-16T09:00:00.000" });
    const signed = (text: string) => `{"Content":${text},"HashCode":"${signContent(text, DEMO.webhookSecret)}"}`;
    const other = await deliver(client, signed(content(DEMO.divisions.NL, "SalesInvoices")));
    expect(other.records).toEqual([]);
    expect(other.body).toEqual({ ok: true, ignored: `division ${DEMO.divisions.NL} is not this connection's` });
    expect((await deliver(client, signed(content(D, "Accounts")))).records).toEqual([]);
    const { client: noSecret } = await connectedClient(h, { webhookSecret: "" });
    await expect(deliver(noSecret, signed(content(D, "SalesInvoices")))).rejects.toThrow("No webhook secret");
  });
});
