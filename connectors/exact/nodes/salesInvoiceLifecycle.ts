/**
 * Triggers for a sales invoice's whole life: created, changed and deleted. The webhook takes
 * Create, Update and Delete notifications; the poll reads the sync endpoint for changes and
 * `sync/Deleted` (EntityType 13) for deletions, because a Delete notification can be missed and
 * Exact's notifications carry no record data.
 *
 * The output is the full invoice, or `deleted: true` with the InvoiceID when it is gone (a
 * notification for an invoice deleted since counts as a deletion too).
 * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SyncDeleted
 */
import { z } from "zod";
import type { TriggerRecord } from "../../sdk";
import type { ExactClient } from "../client";
import { SalesInvoice, fullSalesInvoiceSchema } from "../schemas";
import { exactNode, guidString, isoDate, resumeSyncTimestamp } from "./_factory";

const SALES_INVOICES = 13;

const refSchema = z.object({
  division: z.number().int(),
  invoiceId: guidString,
  action: z.enum(["Create", "Update", "Delete", "Sync"]),
  eventCreatedOn: z.string().nullable().optional(),
  deletedDate: z.string().nullable().optional(),
});

export const invoiceLifecycleSchema = fullSalesInvoiceSchema.extend({
  invoiceId: z.string().describe("InvoiceID (GUID)"),
  action: z.enum(["Create", "Update", "Delete", "Sync"]),
  deleted: z.boolean().describe("True when the invoice no longer exists in Exact"),
  deletedDate: z.string().nullable().describe("When it was deleted (YYYY-MM-DD), if known"),
  invoice: SalesInvoice.schema.nullable(),
});

async function load(connection: ExactClient, ref: z.output<typeof refSchema>): Promise<z.input<typeof invoiceLifecycleSchema>> {
  const client = connection.forDivision(ref.division);
  const found = await client.getSalesInvoice(ref.invoiceId);
  const deletedDate = (ref.deletedDate ?? ref.eventCreatedOn ?? new Date(client.now()).toISOString()).slice(0, 10);
  if (!found) {
    return {
      division: ref.division,
      invoiceId: ref.invoiceId,
      action: ref.action,
      deleted: true,
      deletedDate,
      invoice: null,
      lines: [],
      account: null,
      addresses: [],
      billingAddress: null,
      idempotencyKey: `exact:${ref.division}:${ref.invoiceId}:journal`,
    };
  }
  // Present again (a Delete that arrived out of order, or was refused): the invoice as it is.
  const full = await client.withInvoiceAccount(found, ref.invoiceId);
  return { ...full, invoiceId: ref.invoiceId, action: ref.action, deleted: false, deletedDate: null };
}

export const salesInvoiceEvents = exactNode({
  type: "exact.salesInvoiceEvents",
  version: 1,
  title: "Sales invoice created, changed or deleted (webhook)",
  description:
    "Starts a run for each SalesInvoices notification, deletions included. Output: the full invoice, or deleted = true with its InvoiceID.",
  category: "trigger",
  config: z.object({}),
  input: refSchema,
  output: invoiceLifecycleSchema,
  effect: { kind: "read" },
  trigger: {
    mode: "webhook",
    webhook: async (ctx, req) => {
      const delivery = ctx.client.verifyWebhook(req.rawBody);
      if (delivery.kind === "validation") return { status: 200, body: { ok: true }, records: [] };
      const { content } = delivery;
      const eventId = `${content.Division}:${content.Topic}:${content.Key.toLowerCase()}:${content.Action}:${content.EventCreatedOn ?? delivery.hashCode}`;
      if (content.Topic !== "SalesInvoices" || !ctx.client.serves(content.Division) || !["Create", "Update", "Delete"].includes(content.Action)) {
        ctx.log.info("Exact notification ignored", { topic: content.Topic, action: content.Action, division: content.Division });
        return { status: 200, body: { ok: true, ignored: true }, records: [], eventId };
      }
      const invoiceId = content.Key.toLowerCase();
      const record: TriggerRecord = {
        key: `exact:${content.Division}:${invoiceId}`,
        version: `${content.Action === "Delete" ? "deleted:" : ""}${content.EventCreatedOn ?? delivery.hashCode}`,
        label: `Sales invoice ${invoiceId} (${content.Action})`,
        data: { division: content.Division, invoiceId, action: content.Action, eventCreatedOn: content.EventCreatedOn ?? null },
      };
      return { status: 200, body: { ok: true }, records: [record], eventId };
    },
  },
  run: async (ctx, input) => load(ctx.client, input),
});

const checkpointSchema = z.object({ timestamp: z.string().regex(/^\d+$/), deleted: z.string().regex(/^\d+$/), startFrom: z.string() });

export const salesInvoiceChanges = exactNode({
  type: "exact.salesInvoiceChanges",
  version: 1,
  title: "Sales invoices changed or deleted (scheduled reconciliation)",
  description:
    "Polls Exact Online's sync endpoints for sales invoices created, changed (sync/SalesInvoice/SalesInvoices) or deleted (sync/Deleted) since the last poll. One run per invoice version.",
  category: "trigger",
  config: z.object({
    startFrom: isoDate.optional().describe("First poll only: changes on or after this date (YYYY-MM-DD). Empty: from the day the flow is switched on"),
  }),
  input: refSchema,
  output: invoiceLifecycleSchema,
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    poll: async (ctx, config, checkpoint) => {
      const client = ctx.client;
      const startFrom = config.startFrom ?? "";
      const saved = checkpointSchema.safeParse(checkpoint).data;
      const timestamp = await resumeSyncTimestamp(client, config.startFrom, saved);
      const deletedTs = await resumeSyncTimestamp(client, config.startFrom, saved && { timestamp: saved.deleted, startFrom: saved.startFrom }, "Deleted");
      const changes = await client.syncSalesInvoices(timestamp);
      const deletions = await client.syncDeleted(deletedTs, SALES_INVOICES);
      let highest = BigInt(timestamp);
      const latest = new Map<string, (typeof changes.rows)[number]>();
      for (const row of changes.rows) {
        const ts = BigInt(row.timestamp);
        if (ts > highest) highest = ts;
        const seen = latest.get(row.invoiceId);
        if (!seen || BigInt(seen.timestamp) < ts) latest.set(row.invoiceId, row);
      }
      let highestDeleted = BigInt(deletedTs);
      const records: TriggerRecord[] = [];
      const gone = new Set<string>();
      for (const row of deletions.rows) {
        if (row.Timestamp !== null && BigInt(row.Timestamp) > highestDeleted) highestDeleted = BigInt(row.Timestamp);
        const invoiceId = (row.EntityKey ?? "").toLowerCase();
        if (!invoiceId) continue;
        gone.add(invoiceId);
        records.push({
          key: `exact:${client.division}:${invoiceId}`,
          version: `deleted:${row.DeletedDate ?? row.Timestamp}`,
          label: `Invoice ${invoiceId} (deleted)`,
          data: { division: client.division, invoiceId, action: "Delete", deletedDate: row.DeletedDate },
        });
      }
      for (const row of latest.values()) {
        if (gone.has(row.invoiceId)) continue;
        records.push({
          key: `exact:${client.division}:${row.invoiceId}`,
          version: row.modified ?? row.timestamp,
          label: row.invoiceNumber ? `Invoice ${row.invoiceNumber}` : `Invoice ${row.invoiceId}`,
          data: { division: client.division, invoiceId: row.invoiceId, action: "Sync", eventCreatedOn: row.modified },
        });
      }
      return {
        records,
        checkpoint: { timestamp: highest.toString(), deleted: highestDeleted.toString(), startFrom },
        hasMore: changes.more || deletions.more,
      };
    },
  },
  run: async (ctx, input) => load(ctx.client, input),
});
