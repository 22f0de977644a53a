/**
 * The steps both tax templates share: Avalara line mapping, calculate tax, "any tax to post?",
 * and the tax GL account per jurisdiction (zero-tax jurisdictions left out).
 */
import type { FlowNode } from "../flow/schema";
import { at, cents, literal, opt } from "./types";

/** Jurisdictions of the Avalara result that carry tax, rounded to cents. */
export const NON_ZERO_JURISDICTIONS = `jurisdictions[${cents("tax")} != 0]`;

/**
 * JSONata building Avalara transaction lines from source lines `$l` (index `$i`), each line's tax
 * code read from the item tax-code mapping table.
 */
export function avalaraLines(source: {
  list: string;
  number: string;
  quantity: string;
  amount: string;
  itemCode: string;
  description: string;
  taxCodesTableId: string | undefined;
}): string {
  return (
    `[$map(${source.list}, function($l, $i) { {` +
    `"number": ${source.number}, ` +
    `"quantity": ${source.quantity}, ` +
    `"amount": ${source.amount}, ` +
    `"itemCode": ${opt(source.itemCode)}, ` +
    `"description": ${opt(source.description)}, ` +
    `"taxCode": $mapping(${literal(source.taxCodesTableId ?? "")}, ${source.itemCode}).taxCode` +
    `} })]`
  );
}

/** tax -> hasTax -> taxGl, starting at canvas column `column`. */
export function taxSteps(args: { column: number; avalaraConnectionId: string | null | undefined; taxGlTableId: string | undefined; noTaxNote: string }): FlowNode[] {
  return [
    {
      id: "tax",
      type: "avalara.createTransaction",
      typeVersion: 1,
      name: "Calculate tax (Avalara)",
      position: at(args.column),
      config: { companyCode: "DEFAULT", documentType: "SalesInvoice", commit: true },
      connectionId: args.avalaraConnectionId,
    },
    {
      id: "hasTax",
      type: "core.filter",
      typeVersion: 1,
      name: "Any tax to post?",
      position: at(args.column + 1),
      config: { condition: `$count(${NON_ZERO_JURISDICTIONS}) > 0` },
      notes: args.noTaxNote,
    },
    {
      id: "taxGl",
      type: "core.lookup",
      typeVersion: 1,
      name: "Tax GL account per jurisdiction",
      position: at(args.column + 2),
      config: { tableId: args.taxGlTableId, items: NON_ZERO_JURISDICTIONS, key: "key", target: "taxLines" },
      notes: "Zero-tax jurisdictions are left out; a jurisdiction without a row parks the run for review, naming it.",
    },
  ];
}
