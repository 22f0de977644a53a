/**
 * What the Avalara nodes share: the node factory bound to the client, the document reference
 * (company + code + type) and its business key for the idempotency ledger.
 */
import { z } from "zod";
import { nodeFactory } from "../../sdk";
import type { AvalaraClient, DocumentRef } from "../client";
import { companyCode, documentCode, documentType } from "../schemas";

export const node = nodeFactory<AvalaraClient>("avalara", { connection: "avalara" });

export const documentConfig = z.object({
  companyCode: companyCode
    .default("DEFAULT")
    .describe("AvaTax company code (the company's tax profile and nexus).")
    .meta({ picker: "companies" }),
  documentType: documentType.default("SalesInvoice"),
});

export const documentRefInput = z.object({
  code: documentCode,
  companyCode: companyCode.optional().describe("Overrides the configured company code."),
  documentType: documentType.optional().describe("Overrides the configured document type."),
});

export function documentRef(
  input: { code: string; companyCode?: string; documentType?: string },
  config: { companyCode: string; documentType: string },
): DocumentRef {
  return {
    companyCode: input.companyCode ?? config.companyCode,
    code: input.code,
    documentType: input.documentType ?? config.documentType,
  };
}

/** `avalara:<companyCode>:<documentType>:<code>`: the document's business key. */
export const documentKey = (ref: DocumentRef): string => `avalara:${ref.companyCode}:${ref.documentType}:${ref.code}`;
