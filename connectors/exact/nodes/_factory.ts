/** The node factory bound to the Exact client, and input pieces and cursors several nodes share. */
import { z } from "zod";
import { nodeFactory } from "../../sdk";
import type { ExactClient } from "../client";

export const exactNode = nodeFactory<ExactClient>("exact", { connection: "exact" });

export const guidString = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a GUID such as 3f2504e0-4f89-11d3-9a0c-0305e82c3301");

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD");

/** Input of the sales invoice triggers' run (what a webhook or poll record carries). */
export const invoiceRefSchema = z.object({
  division: z.number().int().describe("Exact division the invoice belongs to"),
  invoiceId: guidString.describe("InvoiceID (GUID) of the sales invoice"),
  action: z.enum(["Create", "Update", "Sync"]).describe("What happened: webhook Create/Update, or Sync from the reconciliation poll"),
  eventCreatedOn: z.string().nullable().optional().describe("When Exact raised the event (webhook), or the invoice's Modified (poll)"),
  invoiceNumber: z.number().nullable().optional(),
});

/**
 * Where a sync poll resumes: the checkpoint's timestamp while the flow's start date is unchanged;
 * otherwise (first poll, or the user asked for another window) the first timestamp on or after the
 * start date, today when there is none. `endpoint` is the sync endpoint the timestamp belongs to.
 */
export async function resumeSyncTimestamp(
  client: ExactClient,
  startFrom: string | undefined,
  saved: { timestamp: string; startFrom: string } | undefined,
  endpoint?: string,
): Promise<string> {
  if (saved && saved.startFrom === (startFrom ?? "")) return saved.timestamp;
  return client.syncTimestamp(startFrom ?? new Date(client.now()).toISOString().slice(0, 10), endpoint);
}
