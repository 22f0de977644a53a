/**
 * Intacct sales transactions -> Avalara -> tax through AR in Intacct: the Order Entry documents
 * (or AR invoices) of the flow's trigger modified on the day (its excluded states, drafts, left
 * out), the AR adjustments Intacct holds for each document code (`tax:INTACCT-SO-<DOCNO>|v=…` in
 * the external ID, `|reverses=<RECORDNO>` on reversals, netted), and Avalara's current total tax.
 * https://developer.intacct.com/api/order-entry/transactions/ and
 * https://developer.intacct.com/api/accounts-receivable/ar-adjustments/
 */
import type { AvalaraClient } from "../../../connectors/avalara/client";
import { quote, type IntacctClient, type QueryFilter } from "../../../connectors/intacct/client";
import { asArray, obj, text } from "../../../connectors/intacct/xml";
import type { Db } from "../../../db/client";
import type { FlowDefinition } from "../../flow/schema";
import { avalaraTaxCents, cents, clientFor, MAX_DOCUMENTS, MAX_SOURCE_PAGES, type CheckedDocument, type SourceReading } from "./types";

export interface IntacctProfile {
  kind: "intacct";
  intacctConnectionId: string;
  avalaraConnectionId: string;
  object: "SODOCUMENT" | "ARINVOICE";
  docparid: string;
  excludeStates: string[];
  companyCode: string;
  documentType: string;
}

const PAGE_SIZE = 100;

export function intacctProfile(definition: FlowDefinition): IntacctProfile | undefined {
  const trigger = definition.nodes.find((n) => n.type === "intacct.pollSalesTransactions");
  const sync = definition.nodes.find((n) => n.type === "avalara.syncDocument");
  const post = definition.nodes.find((n) => n.type === "intacct.syncTaxAdjustment");
  if (!trigger?.connectionId || !sync?.connectionId || !post) return undefined;
  const t = (trigger.config ?? {}) as { object?: "SODOCUMENT" | "ARINVOICE"; docparid?: string; excludeStates?: string[] };
  const s = (sync.config ?? {}) as { companyCode?: string; documentType?: string };
  return {
    kind: "intacct",
    intacctConnectionId: trigger.connectionId,
    avalaraConnectionId: sync.connectionId,
    object: t.object ?? "SODOCUMENT",
    docparid: t.docparid ?? "Sales Invoice",
    excludeStates: t.excludeStates ?? ["Draft"],
    companyCode: s.companyCode ?? "DEFAULT",
    documentType: s.documentType ?? "SalesInvoice",
  };
}

/** Intacct's WHENMODIFIED form, MM/DD/YYYY HH:MM:SS (UTC, as the poll reads it). */
const stamp = (day: string, time: string) => `${day.slice(5, 7)}/${day.slice(8, 10)}/${day.slice(0, 4)} ${time}`;

/** The AR adjustments for a document: those in force and the net of all of them (reversals negate). */
async function adjustmentsOf(client: IntacctClient, document: string): Promise<{ entryIds: string[]; postedCents: number }> {
  const found = await client.readByQuery("ARADJUSTMENT", `EXTERNALID like ${quote(`tax:${document}|%`)}`, { fields: ["RECORDNO"], pageSize: 100 });
  if (found.length === 0) return { entryIds: [], postedCents: 0 };
  const rows = await client.read("ARADJUSTMENT", found.map((r) => text(r.RECORDNO)));
  const posted = rows.map((r) => ({
    recordNo: text(r.RECORDNO),
    externalId: text(r.EXTERNALID),
    cents: asArray(obj(r.ARADJUSTMENTITEMS).ARADJUSTMENTITEM)
      .map(obj)
      .reduce((sum, l) => sum + cents(Number(text(l.TRX_AMOUNT) || text(l.AMOUNT) || 0)), 0),
  }));
  const reversed = new Set(posted.map((p) => /\|reverses=(\d+)/.exec(p.externalId)?.[1]).filter(Boolean));
  const live = posted.filter((p) => !/\|reverses=/.test(p.externalId) && !reversed.has(p.recordNo));
  return { entryIds: live.map((p) => p.recordNo), postedCents: posted.reduce((sum, p) => sum + p.cents, 0) };
}

export async function readIntacct(db: Db, workspaceId: string, profile: IntacctProfile, day: string): Promise<SourceReading> {
  const intacct = await clientFor<IntacctClient>(db, workspaceId, profile.intacctConnectionId);
  const avalara = await clientFor<AvalaraClient>(db, workspaceId, profile.avalaraConnectionId);
  const isSo = profile.object === "SODOCUMENT";
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const filters: QueryFilter[] = [
    { field: "WHENMODIFIED", operator: "greaterthanorequalto", value: stamp(day, "00:00:00") },
    { field: "WHENMODIFIED", operator: "lessthan", value: stamp(next, "00:00:00") },
  ];
  if (profile.excludeStates.length > 0) filters.push({ field: "STATE", operator: "notin", values: profile.excludeStates });
  const { records, more } = await intacct.queryAll(
    {
      object: profile.object,
      select: isSo ? ["RECORDNO", "DOCID", "DOCNO", "STATE", "WHENMODIFIED"] : ["RECORDNO", "RECORDID", "STATE", "WHENMODIFIED"],
      docparid: isSo ? profile.docparid : undefined,
      filter: { and: filters },
      orderBy: [{ field: "WHENMODIFIED" }, { field: "RECORDNO" }],
      pageSize: PAGE_SIZE,
    },
    Math.min(MAX_DOCUMENTS, PAGE_SIZE * MAX_SOURCE_PAGES),
  );

  const documents: CheckedDocument[] = [];
  for (const r of records) {
    const recordNo = text(r.RECORDNO);
    const docId = isSo ? text(r.DOCID) : text(r.RECORDID);
    const prefix = `${profile.docparid}-`;
    const number = isSo ? text(r.DOCNO) || (docId.startsWith(prefix) ? docId.slice(prefix.length) : docId) : docId;
    // The template's document code: INTACCT-SO-<document number> (AR invoices: INTACCT-AR-<invoice number>).
    const document = `INTACCT-${isSo ? "SO" : "AR"}-${number}`.slice(0, 50);
    const recordKey = `intacct:${intacct.companyId}:${profile.object}:${recordNo}`;
    const whenModified = text(r.WHENMODIFIED);
    const label = isSo ? docId : `Invoice ${docId}`;
    const { entryIds, postedCents } = await adjustmentsOf(intacct, document);
    const current = await avalara.getTransactionByCode({ companyCode: profile.companyCode, code: document, documentType: profile.documentType });
    documents.push({
      document,
      recordKey,
      label,
      version: whenModified,
      entryIds,
      postedCents,
      expectedCents: avalaraTaxCents(current),
      record: { key: recordKey, version: whenModified, label, data: { object: profile.object, recordNo, whenModified, docparid: isSo ? profile.docparid : undefined } },
    });
  }
  return { documents, truncated: more };
}
