/** Node factory bound to the Intacct client, plus helpers shared by write nodes. */
import { nodeFactory, type NodeRunContext } from "../../sdk";
import { quote, type IntacctClient } from "../client";
import { text } from "../xml";

export const node = nodeFactory<IntacctClient>("intacct", { connection: "intacct" });

export type Ctx = NodeRunContext<IntacctClient>;

/**
 * The write's idempotency key: the engine's (ctx.idempotency.key) when it runs the node, else the
 * node's own business key (manual runs and tests).
 */
export function writeKey(ctx: Ctx, fallback: string): string {
  return ctx.idempotency?.key ?? fallback;
}

/** When an earlier attempt's outcome is unknown, read back before writing again. */
export async function reconcileFirst<T>(ctx: Ctx, reconcile: () => Promise<T | undefined>): Promise<T | undefined> {
  if (!ctx.idempotency?.previousOutcomeUnknown) return undefined;
  const found = await reconcile();
  if (found !== undefined) ctx.log.info("Earlier attempt had already written the record; using it");
  return found;
}

/**
 * Read back an AP document (APBILL, APADJUSTMENT) by vendor and document number: the natural key
 * the write nodes reconcile on.
 */
export async function findApDocument(
  client: IntacctClient,
  object: "APBILL" | "APADJUSTMENT",
  vendorId: string,
  documentNumber: string,
): Promise<{ recordNo: string; total: string; state: string } | undefined> {
  const rows = await client.readByQuery(object, `VENDORID = ${quote(vendorId)} AND RECORDID = ${quote(documentNumber)}`, {
    fields: ["RECORDNO", "VENDORID", "RECORDID", "TOTALENTERED", "STATE"],
    pageSize: 10,
  });
  const r = rows[0];
  return r ? { recordNo: text(r.RECORDNO), total: text(r.TOTALENTERED), state: text(r.STATE) } : undefined;
}
