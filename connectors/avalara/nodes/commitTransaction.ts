/**
 * Commit a Saved transaction so it is reported on tax returns. Committing a Committed document is
 * a no-op at Avalara; a Cancelled (voided) one cannot be committed.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/CommitTransaction/
 */
import { AlreadyDoneError, PermanentError } from "../../sdk";
import { transactionOutput } from "../schemas";
import { isFinalizedCodeError } from "../transport";
import { documentConfig, documentKey, documentRef, documentRefInput, node } from "./shared";

export const commitTransaction = node({
  type: "avalara.commitTransaction",
  version: 1,
  title: "Commit transaction (Avalara)",
  description: "Commit a saved AvaTax document so it is reported on tax returns.",
  category: "connector",
  icon: "check-circle",
  config: documentConfig,
  input: documentRefInput,
  output: transactionOutput,
  effect: {
    kind: "write",
    key: (i, c) => `${documentKey(documentRef(i, c))}:commit`,
    reconcile: async (ctx, i, c) => {
      const found = await ctx.client.getTransactionByCode(documentRef(i, c));
      return found?.status === "Committed" ? found : undefined;
    },
  },
  async run(ctx, i, c) {
    const ref = documentRef(i, c);
    try {
      return await ctx.client.commitTransaction(ref, true);
    } catch (error) {
      if (!isFinalizedCodeError(error)) throw error;
      const existing = await ctx.client.getTransactionByCode(ref);
      if (existing?.status === "Committed") {
        throw new AlreadyDoneError(`Avalara document ${ref.code} is already committed`, { system: error.system, code: error.code, result: existing });
      }
      throw new PermanentError(`Avalara document ${ref.code} cannot be committed: its status is ${existing?.status ?? "unknown"}`, {
        system: error.system,
        status: error.status,
        code: error.code,
        body: error.body,
        details: error.details,
        cause: error,
      });
    }
  },
});
