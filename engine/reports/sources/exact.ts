/**
 * Exact Online sales invoices -> Avalara -> tax journal in Exact: the invoices Exact's sync
 * endpoint reports as changed on the day (drafts left out), the journal entries in force for each
 * document key (`tax:EXACT-<division>-<InvoiceID>|…` in the lines' Notes, reversals netted), and
 * Avalara's current total tax.
 */
import type { AvalaraClient } from "../../../connectors/avalara/client";
import type { ExactClient } from "../../../connectors/exact/client";
import type { Db } from "../../../db/client";
import type { FlowDefinition } from "../../flow/schema";
import { EXACT_OFFSET_ACCOUNT } from "../../templates/exact-avalara-journal";
import { avalaraTaxCents, cents, clientFor, MAX_DOCUMENTS, MAX_SOURCE_PAGES, type CheckedDocument, type SourceReading } from "./types";

export interface ExactProfile {
  kind: "exact";
  exactConnectionId: string;
  avalaraConnectionId: string;
  companyCode: string;
  documentType: string;
}

export function exactProfile(definition: FlowDefinition): ExactProfile | undefined {
  const trigger = definition.nodes.find((n) => n.type.startsWith("exact.salesInvoice"));
  const sync = definition.nodes.find((n) => n.type === "avalara.syncDocument" || n.type === "avalara.createTransaction");
  const post = definition.nodes.find((n) => n.type === "exact.syncTaxJournal");
  if (!trigger?.connectionId || !sync?.connectionId || !post) return undefined;
  const config = (sync.config ?? {}) as { companyCode?: string; documentType?: string };
  return { kind: "exact", exactConnectionId: trigger.connectionId, avalaraConnectionId: sync.connectionId, companyCode: config.companyCode ?? "DEFAULT", documentType: config.documentType ?? "SalesInvoice" };
}

/** The journal lines in force for a document: reversals and the entries they reverse cancel out. */
function inForce(lines: { EntryID?: string | null; Notes?: string | null; GLAccountCode?: string | null; AmountFC?: number | null }[]) {
  const reversed = new Set(lines.map((l) => /\|reverses=([0-9a-f-]{36})/i.exec(l.Notes ?? "")?.[1]?.toLowerCase()).filter(Boolean));
  const entries = new Map<string, typeof lines>();
  for (const l of lines) if (l.EntryID) entries.set(l.EntryID, [...(entries.get(l.EntryID) ?? []), l]);
  const live = [...entries.entries()].filter(([id, ls]) => !reversed.has(id.toLowerCase()) && !/\|reverses=/.test(ls[0]!.Notes ?? ""));
  // The posted tax is what the offset account carries net of every entry and reversal.
  const offset = lines.filter((l) => l.GLAccountCode === EXACT_OFFSET_ACCOUNT).reduce((s, l) => s + cents(l.AmountFC ?? 0), 0);
  return { entryIds: live.map(([id]) => id), postedCents: offset };
}

export async function readExact(db: Db, workspaceId: string, profile: ExactProfile, day: string): Promise<SourceReading> {
  const exact = await clientFor<ExactClient>(db, workspaceId, profile.exactConnectionId);
  const avalara = await clientFor<AvalaraClient>(db, workspaceId, profile.avalaraConnectionId);

  // Source: invoices changed on `day`, through the sync endpoint, page by page.
  let timestamp = await exact.syncTimestamp(day);
  const latest = new Map<string, { invoiceId: string; number: number | null; status: number | null; modified: string; timestamp: bigint }>();
  let truncated = false;
  for (let page = 0; ; page++) {
    if (page >= MAX_SOURCE_PAGES) {
      truncated = true;
      break;
    }
    const { rows, more } = await exact.syncSalesInvoices(timestamp);
    for (const row of rows) {
      const ts = BigInt(row.timestamp);
      if (ts > BigInt(timestamp)) timestamp = row.timestamp;
      const modified = row.modified ?? "";
      if (modified.slice(0, 10) !== day) continue;
      const seen = latest.get(row.invoiceId);
      if (!seen || seen.timestamp < ts) latest.set(row.invoiceId, { invoiceId: row.invoiceId, number: row.invoiceNumber, status: row.status, modified, timestamp: ts });
    }
    if (!more) break;
  }
  // Drafts can still change and are never posted.
  let invoices = [...latest.values()].filter((i) => i.status !== 10);
  if (invoices.length > MAX_DOCUMENTS) {
    invoices = invoices.slice(0, MAX_DOCUMENTS);
    truncated = true;
  }

  const documents: CheckedDocument[] = [];
  for (const inv of invoices) {
    const document = `EXACT-${exact.division}-${inv.invoiceId}`;
    const recordKey = `exact:${exact.division}:${inv.invoiceId}`;
    const { entryIds, postedCents } = inForce(await exact.listJournalLinesByNotes(`tax:${document}|`));
    let current = await avalara.getTransactionByCode({ companyCode: profile.companyCode, code: document, documentType: profile.documentType });
    if (!current && profile.documentType === "SalesInvoice") {
      current = await avalara.getTransactionByCode({ companyCode: profile.companyCode, code: document, documentType: "ReturnInvoice" });
    }
    const label = inv.number ? `Invoice ${inv.number}` : `Invoice ${inv.invoiceId}`;
    documents.push({
      document,
      recordKey,
      label,
      version: inv.modified,
      entryIds,
      postedCents,
      expectedCents: avalaraTaxCents(current),
      record: { key: recordKey, version: inv.modified, label, data: { division: exact.division, invoiceId: inv.invoiceId, action: "Sync", eventCreatedOn: inv.modified } },
    });
  }
  return { documents, truncated };
}
