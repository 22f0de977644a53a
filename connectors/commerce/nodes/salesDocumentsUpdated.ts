/**
 * Trigger (poll): orders, invoices and credit memos updated since the last poll.
 *
 * Cursor rules (house rule 9):
 * - per entity, the SDK's overlap window (connectors/sdk/poll-window.ts): `since` = the newest
 *   `updated_at` handed over; each poll re-reads from `since - overlap` (clock skew, late
 *   commits) and drops what it already handed over, keyed by `entity_id@updated_at` (records
 *   sharing the newest timestamp are not lost or repeated);
 * - pages advance by keyset (`updated_at >= last seen`, page 1 again) so records that move while
 *   we page cannot slip between pages; `currentPage` only advances inside one timestamp;
 * - at most `maxPagesPerPoll` pages per poll, `hasMore` when capped;
 * - the cursor resets when the trigger's settings change.
 * https://developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches/
 */
import { z } from "zod";
import { PermanentError, type TriggerRecord } from "../../sdk";
import { advanceWindow, type PollWindow, type StampClock } from "../../sdk/poll-window";
import type { CommerceClient, SalesEntity } from "../client";
import { creditMemo, invoice, order } from "../schemas";
import { fromMagentoDate, toMagentoDate, type SearchFilter } from "../search-criteria";
import { commerceNode } from "./factory";

const entityEnum = z.enum(["order", "invoice", "creditmemo"]);

const config = z.object({
  entities: z.array(entityEnum).min(1).default(["order"]).describe("Which documents start a run: order, invoice, creditmemo."),
  orderStatuses: z.array(z.string()).default([]).describe("Orders only: start runs only for these statuses (e.g. processing, complete). Empty: all."),
  startFrom: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$/, "a date such as 2026-01-31 or 2026-01-31 08:00:00 (UTC)")
    .optional()
    .describe("First poll: documents updated from this UTC date on. Empty: the last lookbackHours."),
  lookbackHours: z.number().int().min(0).max(24 * 90).default(24).describe("First poll without startFrom: how far back to start."),
  overlapSeconds: z.number().int().min(0).max(3600).default(120).describe("Each poll re-reads this much before the cursor (late commits); repeats are dropped."),
  maxPagesPerPoll: z.number().int().min(1).max(50).default(5).describe("Pages per document type per poll; the engine polls again when more are waiting."),
});
type Config = z.output<typeof config>;

const checkpointSchema = z.object({
  v: z.literal(1),
  settings: z.string(),
  cursors: z.record(z.string(), z.object({ since: z.string(), seen: z.array(z.string()) })),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

const MAX_SEEN = 5000;
const LABEL: Record<SalesEntity, string> = { order: "Order", invoice: "Invoice", creditmemo: "Credit memo" };

function settingsKey(c: Config): string {
  return JSON.stringify({ e: [...c.entities].sort(), s: [...c.orderStatuses].sort(), f: c.startFrom ?? null });
}

/** `startFrom` is UTC unless it names a zone: "2026-01-31", "2026-01-31 08:00", "2026-01-31T08:00:00+01:00". */
export function parseStartFrom(value: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(:\d{2})?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? "00:00"}${m[3] ?? ":00"}${m[4] ?? "Z"}`) : Number.NaN;
  if (Number.isNaN(ms)) throw new PermanentError(`startFrom "${value}" is not a date`, { system: "commerce", code: "invalid_config" });
  return ms;
}

function startDate(c: Config, now: number): string {
  return toMagentoDate(c.startFrom ? parseStartFrom(c.startFrom) : now - c.lookbackHours * 3_600_000);
}

/** Magento's `updated_at` ("YYYY-MM-DD HH:MM:SS", UTC). */
const MAGENTO_CLOCK: StampClock = { ms: fromMagentoDate, text: toMagentoDate };

async function pollEntity(
  client: CommerceClient,
  entity: SalesEntity,
  c: Config,
  start: PollWindow,
): Promise<{ records: TriggerRecord[]; cursor: PollWindow; hasMore: boolean }> {
  const pageSize = client.config.pageSize;
  const overlapMs = c.overlapSeconds * 1000;
  let cursor = start;
  let from = toMagentoDate(fromMagentoDate(cursor.since) - overlapMs);
  let page = 1;
  let pagesWithNew = 0;
  let requests = 0;
  const records: TriggerRecord[] = [];
  const extra: SearchFilter[][] = entity === "order" && c.orderStatuses.length ? [[{ field: "status", value: c.orderStatuses.join(","), conditionType: "in" }]] : [];
  for (;;) {
    const result = await client.searchSales(entity, {
      filterGroups: [[{ field: "updated_at", value: from, conditionType: "gteq" }], ...extra],
      sortOrders: [
        { field: "updated_at", direction: "ASC" },
        { field: "entity_id", direction: "ASC" },
      ],
      pageSize,
      currentPage: page,
    });
    requests++;
    let last: string | undefined;
    const step = advanceWindow(
      cursor,
      result.items,
      (raw) => {
        const updatedAt = typeof raw.updated_at === "string" ? raw.updated_at : undefined;
        const entityId = Number(raw.entity_id);
        if (!updatedAt || !Number.isInteger(entityId)) return undefined;
        last = updatedAt;
        return { key: String(entityId), stamp: updatedAt };
      },
      overlapMs,
      fromMagentoDate(from),
      MAGENTO_CLOCK,
    );
    cursor = step.next;
    const fresh = step.fresh.length;
    for (const { row: raw, key, stamp: updatedAt } of step.fresh) {
      const entityId = Number(key);
      const number = typeof raw.increment_id === "string" ? raw.increment_id : key;
      records.push({
        key: `commerce:${entity}:${entityId}`,
        version: updatedAt,
        label: `${LABEL[entity]} ${number}`,
        data: { entity, entityId, updatedAt, raw },
      });
    }
    if (fresh > 0) pagesWithNew++;
    const complete = result.items.length === 0 || page * pageSize >= result.total_count;
    const capped = pagesWithNew >= c.maxPagesPerPoll || requests >= c.maxPagesPerPoll * 4;
    if (complete || capped) return { records, cursor: { since: cursor.since, seen: cursor.seen.slice(-MAX_SEEN) }, hasMore: !complete };
    // Keyset paging: restart at page 1 from the newest timestamp read; page on only inside one timestamp.
    if (last !== undefined && last > from) {
      from = last;
      page = 1;
    } else page++;
  }
}

const recordInput = z.object({
  entity: entityEnum.describe("order, invoice or creditmemo"),
  entityId: z.coerce.number().int().positive().describe("entity_id of the document."),
  updatedAt: z.string().optional().describe("updated_at of the version that started the run."),
  raw: z.record(z.string(), z.unknown()).optional().describe("Magento's record as polled; read again from Commerce when absent."),
});

export const salesDocumentsUpdated = commerceNode({
  type: "commerce.salesDocumentsUpdated",
  version: 1,
  title: "Orders, invoices or credit memos updated",
  description:
    "Polls Adobe Commerce for orders, invoices and credit memos updated since the last poll. One run per document version; invoices and credit memos come with their order.",
  category: "trigger",
  icon: "refresh-cw",
  config,
  input: recordInput,
  output: z.object({
    entity: entityEnum,
    entityId: z.number(),
    updatedAt: z.string().nullable(),
    order: order.nullable().describe("The order, or for invoices and credit memos the order they belong to."),
    invoice: invoice.nullable(),
    creditMemo: creditMemo.nullable(),
  }),
  effect: { kind: "read" },
  trigger: {
    mode: "poll",
    async poll(ctx, c, checkpoint) {
      const parsed = checkpointSchema.safeParse(checkpoint);
      const settings = settingsKey(c);
      const current: Checkpoint = parsed.success && parsed.data.settings === settings ? parsed.data : { v: 1, settings, cursors: {} };
      if (parsed.success && parsed.data.settings !== settings) ctx.log.info("Trigger settings changed: polling starts again from the configured start");
      const start = startDate(c, ctx.client.now());
      const next: Checkpoint = { v: 1, settings, cursors: { ...current.cursors } };
      const records: TriggerRecord[] = [];
      let hasMore = false;
      for (const entity of c.entities) {
        const result = await pollEntity(ctx.client, entity, c, current.cursors[entity] ?? { since: start, seen: [] });
        records.push(...result.records);
        next.cursors[entity] = result.cursor;
        hasMore ||= result.hasMore;
      }
      return { records, checkpoint: next, hasMore };
    },
    // Every document type again from `since` (overlap included, as after any cursor).
    rewind: async (_ctx, c, since): Promise<Checkpoint> => ({
      v: 1,
      settings: settingsKey(c),
      cursors: Object.fromEntries(c.entities.map((entity) => [entity, { since: toMagentoDate(since.getTime() + c.overlapSeconds * 1000), seen: [] }])),
    }),
  },
  async run(ctx, input) {
    const client = ctx.client;
    const updatedAt = input.updatedAt ?? null;
    if (input.entity === "order") {
      const o = input.raw ? client.normalize("order", input.raw) : await client.getOrder(input.entityId);
      return { entity: "order" as const, entityId: input.entityId, updatedAt: updatedAt ?? o.updatedAt, order: o, invoice: null, creditMemo: null };
    }
    if (input.entity === "invoice") {
      const inv = input.raw ? client.normalize("invoice", input.raw) : await client.getInvoice(input.entityId);
      const o = await client.getOrder(inv.orderId);
      return { entity: "invoice" as const, entityId: input.entityId, updatedAt: updatedAt ?? inv.updatedAt, order: o, invoice: inv, creditMemo: null };
    }
    if (input.entity === "creditmemo") {
      const memo = input.raw ? client.normalize("creditmemo", input.raw) : await client.getCreditMemo(input.entityId);
      const o = await client.getOrder(memo.orderId);
      return { entity: "creditmemo" as const, entityId: input.entityId, updatedAt: updatedAt ?? memo.updatedAt, order: o, invoice: null, creditMemo: memo };
    }
    throw new PermanentError(`unknown entity ${String(input.entity)}`, { system: "commerce", code: "invalid_input" });
  },
});
