/**
 * Trigger (poll): B2B purchase orders created, approved, changed, placed, rejected or cancelled.
 *
 * Commerce lists purchase orders only in GraphQL, to a company user, filtered by created date and
 * status, with no updated_at filter and no sort (purchase-orders.ts). So the poll watches a
 * window: every purchase order created in the last `watchDays` is read each poll, and one whose
 * version (updated_at, status and its lines) differs from the version last handed over starts a run.
 *
 * Cursor rules (house rule 9): the checkpoint keeps the version delivered per purchase order of
 * the window; it is saved only after the runs are enqueued (the engine's contract), pages are
 * capped per poll (`hasMore`, and the next poll continues at the next page), entries that left
 * the window are dropped after a full pass, and the checkpoint resets when the settings change.
 * https://developer.adobe.com/commerce/webapi/graphql/schema/b2b/purchase-order/
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { PermanentError, type TriggerRecord } from "../../sdk";
import { purchaseOrder, type PurchaseOrder } from "../purchase-orders";
import { toMagentoDate } from "../search-criteria";
import { commerceNode } from "./factory";
import { parseStartFrom } from "./salesDocumentsUpdated";

const config = z.object({
  statuses: z
    .array(z.string().regex(/^[A-Z_]+$/, "a status such as APPROVED"))
    .default([])
    .describe("Start runs only for these statuses (e.g. APPROVED, ORDER_PLACED, CANCELED). Empty: every status."),
  watchDays: z.number().int().min(1).max(366).default(90).describe("Purchase orders created in the last this many days are watched for changes."),
  startFrom: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$/, "a date such as 2026-01-31 (UTC)")
    .optional()
    .describe("Watch purchase orders created from this UTC date on instead (when later than the window's start)."),
  pageSize: z.number().int().min(1).max(100).default(20).describe("Purchase orders per GraphQL page."),
  maxPagesPerPoll: z.number().int().min(1).max(50).default(10).describe("Pages per poll; the engine polls again when more are waiting."),
});
type Config = z.output<typeof config>;

const checkpointSchema = z.object({
  v: z.literal(1),
  settings: z.string(),
  /** Purchase order number -> version handed over. */
  delivered: z.record(z.string(), z.string()),
  /** Page the next poll starts at (1 after a full pass). */
  nextPage: z.number().int().min(1),
  /** Numbers seen in the pass under way (for pruning once it is complete). */
  pass: z.array(z.string()),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

const settingsKey = (c: Config) => JSON.stringify({ s: [...c.statuses].sort(), f: c.startFrom ?? null });
/**
 * A version per state of the purchase order: updated_at has whole seconds, so the status and a
 * digest of the lines are part of it (two changes in one second are still two versions).
 */
function versionOf(po: PurchaseOrder): string {
  const digest = createHash("sha256").update(JSON.stringify([po.lines, po.totals, po.orderNumber])).digest("hex").slice(0, 12);
  return `${po.updatedAt}#${po.status}#${digest}`;
}

function createdFrom(c: Config, now: number): string {
  const window = now - c.watchDays * 86_400_000;
  return toMagentoDate(c.startFrom ? Math.max(window, parseStartFrom(c.startFrom)) : window);
}

const recordInput = z.object({
  uid: z.string().min(1).describe("GraphQL uid of the purchase order."),
  number: z.string().optional(),
  purchaseOrder: purchaseOrder.optional().describe("The purchase order as polled; read again from Commerce when absent."),
});

export const purchaseOrdersUpdated = commerceNode({
  type: "commerce.purchaseOrdersUpdated",
  version: 1,
  title: "B2B purchase orders updated",
  description:
    "Polls Adobe Commerce B2B purchase orders (GraphQL, as a company user) and starts one run per purchase order version: created, approved, changed, placed as an order, rejected or cancelled. Header, lines, company and approval status.",
  category: "trigger",
  icon: "refresh-cw",
  config,
  input: recordInput,
  output: purchaseOrder.extend({
    version: z.string().describe("This version of the purchase order (updated_at, status and a digest of its lines): one update per version downstream."),
  }),
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    async poll(ctx, c, checkpoint) {
      const parsed = checkpointSchema.safeParse(checkpoint);
      const settings = settingsKey(c);
      if (parsed.success && parsed.data.settings !== settings) ctx.log.info("Trigger settings changed: every watched purchase order is read again");
      const current: Checkpoint = parsed.success && parsed.data.settings === settings ? parsed.data : { v: 1, settings, delivered: {}, nextPage: 1, pass: [] };
      const from = createdFrom(c, ctx.client.now());
      const delivered = { ...current.delivered };
      const pass = new Set(current.pass);
      const records: TriggerRecord[] = [];
      let page = current.nextPage;
      for (let read = 0; read < c.maxPagesPerPoll; read++) {
        const result = await ctx.client.purchaseOrders(page, c.pageSize, from);
        for (const po of result.items) {
          pass.add(po.number);
          const version = versionOf(po);
          if (delivered[po.number] === version) continue;
          if (c.statuses.length && !c.statuses.includes(po.status)) {
            delivered[po.number] = version;
            continue;
          }
          delivered[po.number] = version;
          records.push({
            key: `commerce:purchaseorder:${po.number}`,
            version,
            label: `Purchase order ${po.number} (${po.status.toLowerCase().replace(/_/g, " ")})`,
            data: { uid: po.uid, number: po.number, purchaseOrder: po },
          });
        }
        const last = result.items.length === 0 || page >= result.totalPages;
        if (last) {
          // A full pass: forget purchase orders that left the window.
          const kept = Object.fromEntries(Object.entries(delivered).filter(([n]) => pass.has(n)));
          return { records, checkpoint: { v: 1, settings, delivered: kept, nextPage: 1, pass: [] } satisfies Checkpoint, hasMore: false };
        }
        page++;
      }
      return { records, checkpoint: { v: 1, settings, delivered, nextPage: page, pass: [...pass] } satisfies Checkpoint, hasMore: true };
    },
    // Everything in the window is handed over again; unchanged versions make no new runs.
    rewind: async (_ctx, c): Promise<Checkpoint> => ({ v: 1, settings: settingsKey(c), delivered: {}, nextPage: 1, pass: [] }),
  },
  async run(ctx, input) {
    const po = input.purchaseOrder ?? (await ctx.client.purchaseOrder(input.uid));
    if (!po) throw new PermanentError(`Commerce has no purchase order ${input.number ?? input.uid} for this company user`, { system: "commerce", code: "not_found" });
    return { ...po, version: versionOf(po) };
  },
});
