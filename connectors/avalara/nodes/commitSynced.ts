/**
 * The last step of a document's lifecycle change: commit what Sync document left uncommitted,
 * once the ledger is posted. Nothing to commit (a void, a delete, an unchanged document) is a
 * success that changes nothing. A failure here retries only this commit: the ledger write before
 * it is already checkpointed.
 * https://developer.avalara.com/api-reference/avatax/rest/v2/methods/Transactions/CommitTransaction/
 */
import { z } from "zod";
import { PermanentError } from "../../sdk";
import { transactionOutput } from "../schemas";
import { isFinalizedCodeError } from "../transport";
import { documentKey, node } from "./shared";

const input = z.object({
  version: z.string().min(1).max(120).describe("Source version the document was synced for (part of the idempotency key)."),
  commit: z
    .object({ code: z.string().min(1).max(50), companyCode: z.string().min(1), documentType: z.string().min(1) })
    .nullable()
    .describe("What Sync document says to commit (its `commit` output); null: nothing to commit."),
});

export const commitSynced = node({
  type: "avalara.commitSynced",
  version: 1,
  title: "Commit after posting (Avalara)",
  description: "Commit the document Sync document left uncommitted, after the ledger posting. Does nothing when there is nothing to commit.",
  category: "connector",
  icon: "check-circle",
  config: z.object({}),
  input,
  output: z.object({ committed: z.boolean(), document: transactionOutput.nullable() }),
  effect: {
    kind: "write",
    key: (i) => (i.commit ? `${documentKey(i.commit)}:commit:v:${i.version}` : `avalara:nothing-to-commit:${i.version}`),
    reconcile: async (ctx, i) => {
      if (!i.commit) return undefined;
      const found = await ctx.client.getTransactionByCode(i.commit);
      return found?.status === "Committed" ? { committed: true, document: found } : undefined;
    },
  },
  async run(ctx, i) {
    if (!i.commit) {
      ctx.log.info("Nothing to commit at Avalara");
      return { committed: false, document: null };
    }
    try {
      return { committed: true, document: await ctx.client.commitTransaction(i.commit, true) };
    } catch (error) {
      if (!isFinalizedCodeError(error)) throw error;
      const existing = await ctx.client.getTransactionByCode(i.commit);
      if (existing?.status === "Committed") return { committed: true, document: existing };
      throw new PermanentError(`Avalara document ${i.commit.code} cannot be committed: its status is ${existing?.status ?? "unknown"}`, { system: error.system, code: error.code, cause: error });
    }
  },
});
