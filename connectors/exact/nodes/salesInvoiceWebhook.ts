/**
 * Trigger: a sales invoice was created or updated in Exact Online (webhook topic SalesInvoices).
 * The notification is verified (HashCode over the raw Content) and carries only the invoice key;
 * the run fetches the full invoice, its lines and the invoice-to account's addresses.
 */
import { z } from "zod";
import type { TriggerRecord } from "../../sdk";
import { fullSalesInvoiceSchema } from "../schemas";
import { exactNode, invoiceRefSchema } from "./_factory";

export const salesInvoiceWebhook = exactNode({
  type: "exact.salesInvoiceWebhook",
  version: 1,
  title: "Sales invoice created or updated (webhook)",
  description:
    "Starts a run when Exact Online notifies a new or changed sales invoice. Subscribe this flow's webhook URL with the " +
    "\"Create webhook subscription\" node (topic SalesInvoices). Output: the full invoice with lines, the customer account and its addresses.",
  category: "trigger",
  config: z.object({
    actions: z
      .array(z.enum(["Create", "Update"]))
      .min(1)
      .default(["Create", "Update"])
      .describe("Which notifications start a run (deletions never do: the invoice is gone)"),
  }),
  input: invoiceRefSchema,
  output: fullSalesInvoiceSchema,
  effect: { kind: "read" },
  trigger: {
    mode: "webhook",
    webhook: async (ctx, req, config) => {
      const delivery = ctx.client.verifyWebhook(req.rawBody);
      if (delivery.kind === "validation") {
        // Exact's test POST when a subscription is created: a 2xx is all it needs.
        return { status: 200, body: { ok: true }, records: [] };
      }
      const { content } = delivery;
      const eventId = `${content.Division}:${content.Topic}:${content.Key.toLowerCase()}:${content.Action}:${content.EventCreatedOn ?? delivery.hashCode}`;
      const ignore = (why: string) => {
        ctx.log.info(`Exact notification ignored: ${why}`, { topic: content.Topic, action: content.Action, division: content.Division });
        return { status: 200, body: { ok: true, ignored: why }, records: [], eventId };
      };
      if (content.Topic !== "SalesInvoices") return ignore(`topic ${content.Topic}`);
      if (content.Division !== ctx.client.division) return ignore(`division ${content.Division} is not this connection's`);
      if (!(config.actions as string[]).includes(content.Action)) return ignore(`action ${content.Action}`);
      const invoiceId = content.Key.toLowerCase();
      const record: TriggerRecord = {
        key: `exact:${content.Division}:${invoiceId}`,
        version: content.EventCreatedOn ?? delivery.hashCode,
        label: `Sales invoice ${invoiceId} (${content.Action})`,
        data: {
          division: content.Division,
          invoiceId,
          action: content.Action as "Create" | "Update",
          eventCreatedOn: content.EventCreatedOn ?? null,
        },
      };
      return { status: 200, body: { ok: true }, records: [record], eventId };
    },
  },
  run: async (ctx, input) => ctx.client.getFullSalesInvoice(input.invoiceId),
});
