/**
 * Order cancellation as Magento does it (`Order::cancel`, `POST /V1/orders/{id}/cancel`): only an
 * order that can still be cancelled (new, pending payment, processing or on hold, and not fully
 * invoiced) becomes `canceled`, with what was not invoiced counted in `total_canceled` and
 * `tax_canceled`; the API answers `true`, or `false` when it cannot cancel. Saving the order
 * raises the same order-save event as any change (`observer.sales_order_save_commit_after`).
 * https://developer.adobe.com/commerce/webapi/rest/ (admin-schema: salesOrderManagementV1CancelPost)
 */
import type { Rec } from "./seed";
import { magentoDate } from "./seed";

const CANCELLABLE = new Set(["new", "pending_payment", "processing", "holded"]);

export function cancelOrder(order: Rec, at: number): boolean {
  if (!CANCELLABLE.has(String(order.state))) return false;
  const grand = Number(order.grand_total ?? 0);
  const invoiced = Number(order.total_invoiced ?? 0);
  if (invoiced > 0 && invoiced >= grand) return false;
  const share = grand === 0 ? 1 : (grand - invoiced) / grand;
  const round2 = (n: number) => Math.round(n * 100) / 100;
  order.state = "canceled";
  order.status = "canceled";
  order.total_canceled = round2(grand - invoiced);
  order.tax_canceled = round2(Number(order.tax_amount ?? 0) * share);
  for (const item of (order.items as Rec[]) ?? []) item.qty_canceled = Number(item.qty_ordered ?? 0) - Number(item.qty_invoiced ?? 0);
  order.updated_at = magentoDate(at);
  return true;
}
