/**
 * What the tax templates share: the jurisdictions of an Avalara result that carry tax, and the
 * last two steps, which commit the synced tax in Avalara once the books hold it.
 */
import type { FlowNode } from "../flow/schema";
import { at, cents } from "./types";

/** Jurisdictions of the Avalara result that carry tax, rounded to cents. */
export const NON_ZERO_JURISDICTIONS = `jurisdictions[${cents("tax")} != 0]`;

/**
 * "What to commit" then "Commit tax (Avalara), last" at positions 10 and 11: the tax becomes
 * reportable only after the posting node has put it in the books. `sourceVersion` is the
 * template's expression for the source document's version; `notes` says what "the books" are.
 */
export function commitTaxLast(avalaraConnectionId: FlowNode["connectionId"], sourceVersion: string, notes: string): FlowNode[] {
  return [
    {
      id: "commitInput",
      type: "core.mapFields",
      typeVersion: 1,
      name: "What to commit",
      position: at(10),
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
      position: at(11),
      config: {},
      connectionId: avalaraConnectionId,
      notes,
    },
  ];
}
