/**
 * Trigger: sales invoices changed since the last poll, through the sync endpoint's Timestamp
 * (a rowversion: unique and increasing, so `Timestamp gt <checkpoint>` never skips nor repeats
 * a row). The reconciliation behind the webhook: it catches invoices whose notification was lost.
 * https://start.exactonline.nl/docs/HlpRestAPIResourcesDetails.aspx?name=SyncSalesInvoiceSalesInvoices
 */
import { z } from "zod";
import type { TriggerRecord } from "../../sdk";
import { fullSalesInvoiceSchema } from "../schemas";
import { exactNode, invoiceRefSchema, isoDate, resumeSyncTimestamp } from "./_factory";

const checkpointSchema = z.object({ timestamp: z.string().regex(/^\d+$/), startFrom: z.string() });

export const salesInvoicePoll = exactNode({
  type: "exact.salesInvoicePoll",
  version: 1,
  title: "Sales invoices changed (scheduled reconciliation)",
  description:
    "Polls Exact Online's sync endpoint for sales invoices created or changed since the last poll, including those created " +
    "while webhooks were not delivered. One run per invoice version; the output is the full invoice like the webhook trigger's.",
  category: "trigger",
  config: z.object({
    startFrom: isoDate
      .optional()
      .describe("First poll only: invoices changed on or after this date (YYYY-MM-DD). Empty: from the day the flow is switched on"),
    statuses: z
      .array(z.number().int())
      .default([])
      .describe("Only invoices with these statuses (10 draft, 20 open, 50 processed); empty = all"),
  }),
  input: invoiceRefSchema,
  output: fullSalesInvoiceSchema,
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    poll: async (ctx, config, checkpoint) => {
      const client = ctx.client;
      const startFrom = config.startFrom ?? "";
      const saved = checkpointSchema.safeParse(checkpoint);
      const timestamp = await resumeSyncTimestamp(client, config.startFrom, saved.data);
      const { rows, more } = await client.syncSalesInvoices(timestamp);
      let highest = BigInt(timestamp);
      const byInvoice = new Map<string, (typeof rows)[number]>();
      for (const row of rows) {
        const ts = BigInt(row.timestamp);
        if (ts > highest) highest = ts;
        const seen = byInvoice.get(row.invoiceId);
        if (!seen || BigInt(seen.timestamp) < ts) byInvoice.set(row.invoiceId, row);
      }
      const records: TriggerRecord[] = [];
      for (const row of byInvoice.values()) {
        if (config.statuses.length && (row.status === null || !config.statuses.includes(row.status))) continue;
        records.push({
          key: `exact:${client.division}:${row.invoiceId}`,
          // Modified is the same on every line row of one invoice, so an invoice split across two
          // pages still yields one (key, version).
          version: row.modified ?? row.timestamp,
          label: row.invoiceNumber ? `Invoice ${row.invoiceNumber}` : `Invoice ${row.invoiceId}`,
          data: {
            division: client.division,
            invoiceId: row.invoiceId,
            action: "Sync",
            eventCreatedOn: row.modified,
            invoiceNumber: row.invoiceNumber,
          },
        });
      }
      return { records, checkpoint: { timestamp: highest.toString(), startFrom }, hasMore: more };
    },
    // The sync API pages by rowversion: start at the first rowversion of the day of `since` (UTC).
    rewind: async (ctx, config, since) => ({ timestamp: await ctx.client.syncTimestamp(since.toISOString().slice(0, 10)), startFrom: config.startFrom ?? "" }),
  },
  run: async (ctx, input) => ctx.client.getFullSalesInvoice(input.invoiceId),
});
