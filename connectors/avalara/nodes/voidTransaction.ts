/**
 * Void a transaction (it reads back as Cancelled). Voiding a document that is already Cancelled
 * is reported as already done with the document read back.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/VoidTransaction/
 */
import { z } from "zod";
import { AlreadyDoneError } from "../../sdk";
import { transactionOutput } from "../schemas";
import { isFinalizedCodeError } from "../transport";
import { documentConfig, documentKey, documentRef, documentRefInput, node } from "./shared";

const VOID_REASONS = ["DocVoided", "DocDeleted", "PostFailed", "AdjustmentCancelled", "Unspecified"] as const;

const config = documentConfig.extend({
  reasonCode: z
    .enum(VOID_REASONS)
    .default("DocVoided")
    .describe("DocVoided for a committed document, DocDeleted for a saved one, PostFailed when posting it failed."),
});

const input = documentRefInput.extend({
  reasonCode: z.enum(VOID_REASONS).optional().describe("Overrides the configured void reason."),
});

export const voidTransaction = node({
  type: "avalara.voidTransaction",
  version: 1,
  title: "Void transaction (Avalara)",
  description: "Void an AvaTax document (credit, cancelled invoice, failed posting). It reads back as Cancelled.",
  category: "connector",
  icon: "x-circle",
  config,
  input,
  output: transactionOutput,
  effect: {
    kind: "write",
    key: (i, c) => `${documentKey(documentRef(i, c))}:void`,
    reconcile: async (ctx, i, c) => {
      const found = await ctx.client.getTransactionByCode(documentRef(i, c));
      return found?.status === "Cancelled" ? found : undefined;
    },
  },
  async run(ctx, i, c) {
    const ref = documentRef(i, c);
    try {
      return await ctx.client.voidTransaction(ref, i.reasonCode ?? c.reasonCode);
    } catch (error) {
      if (!isFinalizedCodeError(error)) throw error;
      const existing = await ctx.client.getTransactionByCode(ref);
      if (existing?.status !== "Cancelled") throw error;
      throw new AlreadyDoneError(`Avalara document ${ref.code} is already voided`, { system: error.system, code: error.code, result: existing });
    }
  },
});
