/**
 * "Try it" in the demo workspace: switch the demo flows on, create a few sample documents in the
 * sandboxes through their own routes (one customer whose address Avalara cannot validate, one
 * order with a SKU the mapping table lacks, and ordinary ones), and poll right away so runs, a
 * review item and a posting appear within a minute (the worker runs them).
 */
import type { Db } from "../../db/client";
import type { Actor } from "../audit";
import { activateFlow } from "../flows";
import { tick } from "../triggers";

export interface TryItResult {
  activated: string[];
  /** Flows that could not be switched on, with why (e.g. the Exact connection not authorised). */
  skipped: { name: string; reason: string }[];
  documents: string[];
  runsCreated: number;
}

async function sandboxOrigin(db: Db, workspaceId: string, system: string): Promise<string | null> {
  const [row] = await db.sql<{ base: string | null }[]>`
    select config->>'baseUrl' as base from connections where workspace_id = ${workspaceId} and system = ${system} order by created_at limit 1`;
  return row?.base ? new URL(row.base).origin : null;
}

async function post(origin: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${origin}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new Error(`the sandbox answered ${response.status} to ${path}`);
  return json;
}

export async function tryDemo(db: Db, workspaceId: string, actor: Actor): Promise<TryItResult> {
  const result: TryItResult = { activated: [], skipped: [], documents: [], runsCreated: 0 };
  const intacct = await sandboxOrigin(db, workspaceId, "intacct");
  if (intacct) {
    // C100 (Acme) has a ship-to address Avalara cannot validate: that run waits in review.
    for (const [customerId, label] of [["C100", "bad address"], ["C200", "posts"]] as const) {
      const created = await post(intacct, "/__sandbox/sales-transactions", { customerId, lines: [{ itemId: "HW-ROUTER", quantity: 1 }] });
      result.documents.push(`Intacct sales invoice ${JSON.stringify(created.documentId ?? created.documentNumber ?? "")} for ${customerId} (${label})`);
    }
  }
  const commerce = await sandboxOrigin(db, workspaceId, "commerce");
  if (commerce) {
    // GIFT-CARD-50 has no expense account in the mapping table: that order waits in review.
    for (const [lines, label] of [[[{ sku: "GIFT-CARD-50", qty: 1, price: 50 }], "unmapped SKU"], [[{ sku: "ACC-PRO-12M", qty: 1 }], "posts"]] as const) {
      const created = (await post(commerce, "/__sandbox/orders", { customerId: 1, lines })) as { order?: { increment_id?: string } };
      result.documents.push(`Commerce order ${created.order?.increment_id ?? ""} (${label})`);
    }
  }

  // Documents first, then the flows on.
  const flows = await db.sql<{ id: string; name: string; active: boolean }[]>`
    select id::text, name, active from flows where workspace_id = ${workspaceId} order by created_at`;
  for (const flow of flows) {
    if (flow.active) continue;
    try {
      await activateFlow(db, workspaceId, flow.id, undefined, actor);
      result.activated.push(flow.name);
    } catch (error) {
      result.skipped.push({ name: flow.name, reason: (error as Error).message });
    }
  }

  // Poll now rather than at the next scheduled tick (the cursor keeps a later tick from re-reading).
  const active = await db.sql<{ id: string }[]>`select id::text from flows where workspace_id = ${workspaceId} and active`;
  for (const flow of active) {
    try {
      result.runsCreated += (await tick(db, flow.id)).created;
    } catch {
      // A webhook flow has nothing to poll; a failing poll shows on the flow itself.
    }
  }
  return result;
}
