/**
 * What the tax templates share: the jurisdictions of an Avalara result that carry tax, the input
 * of an Avalara void, and the last two steps, which commit the synced tax in Avalara once the
 * books hold it.
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
