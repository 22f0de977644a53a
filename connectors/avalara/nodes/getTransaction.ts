/**
 * Read a transaction by company, code and type, normalised like the calculate-tax output.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/GetTransactionByCode/
 */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import { transactionOutput } from "../schemas";
import { SYSTEM } from "../transport";
import { documentConfig, documentRef, documentRefInput, node } from "./shared";

const config = documentConfig.extend({
  whenMissing: z
    .enum(["error", "empty"])
    .default("error")
    .describe("No such document: fail the record, or continue with found = false."),
});

const output = z.object({
  found: z.boolean(),
  transaction: transactionOutput.nullable(),
});

export const getTransaction = node({
  type: "avalara.getTransaction",
  version: 1,
  title: "Get transaction (Avalara)",
  description: "Read an AvaTax document by its code: status, totals and tax per jurisdiction.",
  category: "connector",
  icon: "file-search",
  config,
  input: documentRefInput,
  output,
  effect: { kind: "read" },
  async run(ctx, i, c) {
    const ref = documentRef(i, c);
    const transaction = await ctx.client.getTransactionByCode(ref);
    if (!transaction && c.whenMissing === "error") {
      throw new PermanentError(`Avalara has no ${ref.documentType} ${ref.code} in company ${ref.companyCode}`, {
        system: SYSTEM,
        status: 404,
        code: "EntityNotFoundError",
      });
    }
    return { found: Boolean(transaction), transaction: transaction ?? null };
  },
});
