/**
 * What the tax templates share: the jurisdictions of an Avalara result that carry tax, the
 * Avalara document as the source is now (upsert) or its void, the Sync document step itself, and
 * the last two steps, which commit the synced tax in Avalara once the books hold it.
 */
import type { FlowNode } from "../flow/schema";
import { at, cents, literal } from "./types";

/** JSONata: an Intacct timestamp (mm/dd/yyyy[ hh:mm:ss]) at `path` as the day YYYY-MM-DD. */
export const intacctDayOf = (path: string) => `($w := ${path}; $substring($w, 6, 4) & "-" & $substring($w, 0, 2) & "-" & $substring($w, 3, 2))`;

/** Jurisdictions of the Avalara result that carry tax, rounded to cents. */
export const NON_ZERO_JURISDICTIONS = `jurisdictions[${cents("tax")} != 0]`;

/**
 * "What to commit" then "Commit tax (Avalara), last" at canvas columns `column` and the next: the
 * tax becomes reportable only after the posting node has put it in the books. `sourceVersion` is
 * the template's expression for the source document's version; `notes` says what "the books" are.
 */
export function commitTaxLast(avalaraConnectionId: FlowNode["connectionId"], sourceVersion: string, notes: string, column = 10): FlowNode[] {
  return [
    {
      id: "commitInput",
      type: "core.mapFields",
      typeVersion: 1,
      name: "What to commit",
      position: at(column),
      config: {
        fields: [
          { target: "version", expression: sourceVersion },
          { target: "commit", expression: "$nodes.sync.commit" },
        ],
        keepInput: false,
      },
    },
    {
      id: "commit",
      type: "avalara.commitSynced",
      typeVersion: 1,
      name: "Commit tax (Avalara), last",
      position: at(column + 1),
      config: {},
      connectionId: avalaraConnectionId,
      notes,
    },
  ];
}

/**
 * "Void of the Avalara document": the input of `avalara.syncDocument` for a source document that
 * was deleted or reversed (`code` and `refundDate` are JSONata; a locked document is refunded in
 * full on that day).
 */
export function voidAvalaraInput(name: string, position: { x: number; y: number }, e: { sourceVersion: string; code: string; refundDate: string }): FlowNode {
  return {
    id: "voidInput",
    type: "core.mapFields",
    typeVersion: 1,
    name,
    position,
    config: {
      fields: [
        { target: "action", expression: literal("delete") },
        { target: "version", expression: e.sourceVersion },
        { target: "code", expression: e.code },
        { target: "refundDate", expression: e.refundDate },
      ],
      keepInput: false,
    },
  };
}

/** One field of a "map fields" step: its target path and JSONata expression. */
export interface MappedField {
  target: string;
  expression: string;
}

/**
 * "Avalara document (as the source is now)": the upsert input of `avalara.syncDocument` (node id
 * `taxInput`). The header fields every tax template sends are named; `type` (JSONata, e.g.
 * ReturnInvoice for a credit) and the rest of `transaction` (lines, addresses, a tax override…)
 * come in `fields`. All values are JSONata.
 */
export function avalaraDocumentInput(
  position: { x: number; y: number },
  e: {
    name: string;
    sourceVersion: string;
    code: string;
    type?: string;
    adjustmentDescription: string;
    date: string;
    customerCode: string;
    currency: string;
    referenceCode: string;
    fields: MappedField[];
    notes: string;
  },
): FlowNode {
  return {
    id: "taxInput",
    type: "core.mapFields",
    typeVersion: 1,
    name: e.name,
    position,
    config: {
      fields: [
        { target: "action", expression: literal("upsert") },
        { target: "version", expression: e.sourceVersion },
        { target: "code", expression: e.code },
        ...(e.type ? [{ target: "type", expression: e.type }] : []),
        { target: "adjustmentDescription", expression: e.adjustmentDescription },
        { target: "transaction.date", expression: e.date },
        { target: "transaction.customerCode", expression: e.customerCode },
        { target: "transaction.currencyCode", expression: e.currency },
        { target: "transaction.referenceCode", expression: e.referenceCode },
        ...e.fields,
      ],
      keepInput: false,
    },
    notes: e.notes,
  };
}

/**
 * "Sync tax document (Avalara, uncommitted)" (node id `sync`): created, replaced or adjusted with
 * PriceAdjusted while uncommitted, voided (refunded in full if locked) when the source is gone;
 * tax codes from the template's mapping table (items without one go to review).
 */
export function syncAvalaraDocument(
  avalaraConnectionId: FlowNode["connectionId"],
  position: { x: number; y: number },
  e: { name: string; documentType: "SalesInvoice" | "PurchaseInvoice"; taxCodeTableId: string | undefined; companyCode?: string; notes: string },
): FlowNode {
  return {
    id: "sync",
    type: "avalara.syncDocument",
    typeVersion: 1,
    name: e.name,
    position,
    config: { companyCode: e.companyCode ?? "DEFAULT", documentType: e.documentType, taxCodeTableId: e.taxCodeTableId, taxCodeColumn: "taxCode", adjustmentReason: "PriceAdjusted" },
    connectionId: avalaraConnectionId,
    notes: e.notes,
  };
}
