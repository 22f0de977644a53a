/**
 * Adobe Commerce orders -> Intacct AP bills: the orders updated on the day (the statuses the
 * trigger takes), the AP bills Intacct holds under each order's bill number (`COM-<order number>`;
 * a reversed bill is no longer in force) and the amount the books should hold: the order's grand
 * total, or nothing once it is cancelled. Credit memos (AP adjustments) are documents of their own
 * and are not part of this report.
 * https://developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches/ and
 * https://developer.intacct.com/api/accounts-payable/bills/
 */
import type { CommerceClient } from "../../../connectors/commerce/client";
import { toMagentoDate, type SearchFilter } from "../../../connectors/commerce/search-criteria";
import { quote, type IntacctClient } from "../../../connectors/intacct/client";
import { text } from "../../../connectors/intacct/xml";
import type { Db } from "../../../db/client";
import type { FlowDefinition } from "../../flow/schema";
import { cents, clientFor, MAX_DOCUMENTS, MAX_SOURCE_PAGES, type CheckedDocument, type SourceReading } from "./types";

export interface CommerceProfile {
  kind: "commerce";
  commerceConnectionId: string;
  intacctConnectionId: string;
  orderStatuses: string[];
}

export function commerceProfile(definition: FlowDefinition): CommerceProfile | undefined {
  const trigger = definition.nodes.find((n) => n.type === "commerce.salesDocumentsUpdated");
  const bill = definition.nodes.find((n) => n.type === "intacct.createApBill");
  const config = (trigger?.config ?? {}) as { entities?: string[]; orderStatuses?: string[] };
  if (!trigger?.connectionId || !bill?.connectionId || !(config.entities ?? ["order"]).includes("order")) return undefined;
  return { kind: "commerce", commerceConnectionId: trigger.connectionId, intacctConnectionId: bill.connectionId, orderStatuses: config.orderStatuses ?? [] };
}

/** The AP bills under a bill number: those in force (not reversed) and their total. */
async function billsOf(client: IntacctClient, billNumber: string): Promise<{ entryIds: string[]; postedCents: number }> {
  const bills = await client.readByQuery("APBILL", `RECORDID = ${quote(billNumber)}`, { fields: ["RECORDNO", "RECORDID", "STATE", "TOTALENTERED"], pageSize: 100 });
  const live = bills.filter((b) => text(b.STATE) !== "Reversed");
  return { entryIds: live.map((b) => text(b.RECORDNO)), postedCents: live.reduce((sum, b) => sum + cents(Number(text(b.TOTALENTERED) || 0)), 0) };
}

export async function readCommerce(db: Db, workspaceId: string, profile: CommerceProfile, day: string): Promise<SourceReading> {
  const commerce = await clientFor<CommerceClient>(db, workspaceId, profile.commerceConnectionId);
  const intacct = await clientFor<IntacctClient>(db, workspaceId, profile.intacctConnectionId);
  const start = Date.parse(`${day}T00:00:00Z`);
  const filterGroups: SearchFilter[][] = [
    [{ field: "updated_at", value: toMagentoDate(start), conditionType: "gteq" }],
    [{ field: "updated_at", value: toMagentoDate(start + 86_400_000), conditionType: "lt" }],
  ];
  if (profile.orderStatuses.length) filterGroups.push([{ field: "status", value: profile.orderStatuses.join(","), conditionType: "in" }]);
  const pageSize = Math.min(100, commerce.config.pageSize);
  const orders: Record<string, unknown>[] = [];
  let truncated = false;
  for (let page = 1; ; page++) {
    if (page > MAX_SOURCE_PAGES || orders.length >= MAX_DOCUMENTS) {
      truncated = true;
      break;
    }
    const result = await commerce.searchSales("order", {
      filterGroups,
      sortOrders: [
        { field: "updated_at", direction: "ASC" },
        { field: "entity_id", direction: "ASC" },
      ],
      pageSize,
      currentPage: page,
    });
    orders.push(...result.items);
    if (result.items.length === 0 || page * pageSize >= result.total_count) break;
  }

  const documents: CheckedDocument[] = [];
  for (const raw of orders.slice(0, MAX_DOCUMENTS)) {
    const order = commerce.normalize("order", raw);
    const document = `COM-${order.incrementId}`;
    const recordKey = `commerce:order:${order.entityId}`;
    const label = `Order ${order.incrementId}`;
    const updatedAt = order.updatedAt ?? "";
    const cancelled = order.state === "canceled" || order.status === "canceled";
    const { entryIds, postedCents } = await billsOf(intacct, document);
    documents.push({
      document,
      recordKey,
      label,
      version: updatedAt,
      entryIds,
      postedCents,
      expectedCents: cancelled ? 0 : cents(order.totals.grandTotal),
      record: { key: recordKey, version: updatedAt, label, data: { entity: "order", entityId: order.entityId, updatedAt } },
    });
  }
  return { documents, truncated };
}
