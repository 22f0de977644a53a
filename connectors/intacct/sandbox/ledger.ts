/**
 * The records an object reads from: stored records, or for GLENTRY the ledger rows (each GLBATCH
 * line with its batch's RECORDNO as BATCHKEY, BATCHNO, JOURNAL, BATCH_DATE, REFERENCENO and entity),
 * so lines, dimensions and user-defined dimensions read back by query like Intacct's GLENTRY object.
 * https://developer.intacct.com/api/general-ledger/journal-entries/ (GLENTRY is the line object)
 */
import type { Company, Rec } from "./store";

export function recordsOf(company: Company, object: string): Rec[] {
  if (object !== "GLENTRY") return company.records[object] ?? [];
  const rows: Rec[] = [];
  for (const batch of company.records.GLBATCH ?? []) {
    const entries = (batch.ENTRIES as { GLENTRY?: Rec[] } | undefined)?.GLENTRY ?? [];
    for (const e of entries) {
      rows.push({
        ...e,
        BATCHKEY: batch.RECORDNO,
        BATCHNO: batch.BATCHNO,
        JOURNAL: batch.JOURNAL,
        BATCH_DATE: batch.BATCH_DATE,
        REFERENCENO: batch.REFERENCENO,
        STATE: batch.STATE,
        MEGAENTITYID: batch.MEGAENTITYID ?? "",
        WHENCREATED: batch.WHENCREATED,
        WHENMODIFIED: batch.WHENMODIFIED,
      });
    }
  }
  return rows;
}
