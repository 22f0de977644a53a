/**
 * Deleted records, read from the audit trail: a deleted record can no longer be read, but
 * AUDITHISTORY keeps a row per deletion (OBJECTTYPE, OBJECTKEY = the RECORDNO, ACCESSMODE Deleted,
 * ACCESSTIME). The poll triggers read it on a cursor of their own (poll-window.ts) and deliver each
 * deletion once. Reading it needs the View permission for custom reports.
 * https://developer.intacct.com/api/company-console/audit-trails/
 */
import { quote, type IntacctClient } from "../client";
import { text } from "../xml";
import { advance, readFrom, stampText, type Window } from "./poll-window";

export interface Deletion {
  recordNo: string;
  /** OBJECTDESC: the record's description (a transaction's DOCID). */
  description: string;
  /** ACCESSTIME of the deletion ("MM/DD/YYYY HH:MM:SS"). */
  at: string;
}

/** Deletions of `object` since the window's cursor (or `firstFrom` on the first read). */
export async function readDeletions(
  client: IntacctClient,
  object: string,
  window: Window | undefined,
  options: { firstFrom: number; overlapSeconds: number; pageSize: number },
): Promise<{ deletions: Deletion[]; window: Window }> {
  const from = readFrom(window, options.overlapSeconds, options.firstFrom);
  // ASSUMED: OBJECTTYPE is the object's name in lower case (sodocument, apbill).
  // readByQuery has no ordering: every page is read (stopping part way could leave a deletion
  // behind a cursor that moved past it).
  const rows = await client.readByQuery(
    "AUDITHISTORY",
    `OBJECTTYPE = ${quote(object.toLowerCase())} AND ACCESSMODE = 'Deleted' AND ACCESSTIME >= ${quote(stampText(from))}`,
    { fields: ["OBJECTKEY", "OBJECTDESC", "ACCESSTIME"], pageSize: Math.min(1000, options.pageSize) },
  );
  const { fresh, next } = advance(window, rows, (r) => ({ key: text(r.OBJECTKEY), stamp: text(r.ACCESSTIME) }), options.overlapSeconds, from);
  return { deletions: fresh.map(({ row, key, stamp }) => ({ recordNo: key, description: text(row.OBJECTDESC), at: stamp })), window: next };
}
