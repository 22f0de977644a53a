/**
 * Batched writes against the sandbox gateway over real HTTP: writes of one connection that arrive
 * together share a request, each function with its own controlid and its own result.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AlreadyDoneError, isClassified, memoryStateStore } from "../sdk";
import type { IntacctClient } from "./client";
import { createJournalEntry } from "./nodes/createJournalEntry";
import { START, startKit, type Kit, nodeCtx, DEMO_COMPANY } from "./testkit";

let kit: Kit;
beforeAll(async () => {
  kit = await startKit({ concurrencyLimit: 100 });
});
afterAll(() => kit.close());
beforeEach(async () => {
  await kit.reset();
  kit.clock.now = START;
});

const entry = (ref: string, amount: string, account = "4000") => ({
  date: "2024-06-28",
  description: `Summary ${ref}`,
  referenceNo: ref,
  lines: [
    { accountNo: "1200", type: "debit" as const, amount },
    { accountNo: account, type: "credit" as const, amount },
  ],
});

/** Clients of one connection as separate runs get them: one shared session store, one log each. */
function runsOfOneConnection(n: number, config: Record<string, unknown> = {}) {
  const state = memoryStateStore();
  return Array.from({ length: n }, () => kit.client({ state, config }));
}

async function post(client: IntacctClient, ref: string, amount: string, account?: string) {
  const input = createJournalEntry.input.parse(entry(ref, amount, account));
  const config = createJournalEntry.config.parse({ journal: "GJ" });
  const key = createJournalEntry.effect.kind === "write" ? createJournalEntry.effect.key(input, config) : "";
  return createJournalEntry.run(nodeCtx(client, { idempotency: { key, previousOutcomeUnknown: false } }), input, config);
}

const gatewayWrites = (envs: Array<{ calls: Array<{ label?: string; requestBody?: string; responseBody?: string }> }>) =>
  envs.flatMap((e) => e.calls).filter((c) => c.requestBody?.includes("<uniqueid>true</uniqueid>"));

describe("batched writes", () => {
  it("sends a mixed batch in one request: each function gets its own result (posted, refused, already posted)", async () => {
    // An entry posted earlier under the same reference: its controlid is used.
    const [earlier] = runsOfOneConnection(1);
    await post(earlier!.client, "SUM-DUP", "10.00");

    const runs = runsOfOneConnection(3);
    const outcomes = await Promise.allSettled([
      post(runs[0]!.client, "SUM-OK", "125.40"),
      post(runs[1]!.client, "SUM-BAD", "99.99", "9999"),
      post(runs[2]!.client, "SUM-DUP", "10.00"),
    ]);

    // One request carried the three writes: uniqueid=true, non-transactional, three controlids.
    const writes = gatewayWrites(runs.map((r) => r.env));
    expect(writes).toHaveLength(1);
    const body = writes[0]!.requestBody!;
    expect(body).toContain('<operation transaction="false">');
    expect([...body.matchAll(/<function controlid="([^"]+)">/g)].map((m) => m[1])).toEqual([
      "intacct:glbatch:GJ:SUM-OK",
      "intacct:glbatch:GJ:SUM-BAD",
      "intacct:glbatch:GJ:SUM-DUP",
    ]);
    expect(writes[0]!.label).toBe("Intacct 3 writes (create)");
    // The gateway answered each function on its own.
    const response = writes[0]!.responseBody!;
    const results = [...response.matchAll(/<result><status>(\w+)<\/status><function>create<\/function><controlid>([^<]+)<\/controlid>/g)].map((m) => [m[2], m[1]]);
    expect(results).toEqual([
      ["intacct:glbatch:GJ:SUM-OK", "success"],
      ["intacct:glbatch:GJ:SUM-BAD", "failure"],
      ["intacct:glbatch:GJ:SUM-DUP", "failure"],
    ]);
    expect(response).toContain("Duplicate function control ID");

    // Each caller got its own outcome.
    expect(outcomes[0]).toMatchObject({ status: "fulfilled", value: { referenceNo: "SUM-OK", totalDebit: "125.40", totalCredit: "125.40", state: "Posted" } });
    expect(outcomes[1]!.status).toBe("rejected");
    const refused = (outcomes[1] as PromiseRejectedResult).reason;
    expect(isClassified(refused)).toBe(true);
    expect(refused.message).toContain("9999");
    expect(outcomes[2]!.status).toBe("rejected");
    const duplicate = (outcomes[2] as PromiseRejectedResult).reason;
    expect(duplicate).toBeInstanceOf(AlreadyDoneError);
    expect((duplicate as AlreadyDoneError).result).toMatchObject({ referenceNo: "SUM-DUP", totalDebit: "10.00" });
    // Every other caller's run log names the request that carried its write.
    expect(runs[1]!.env.logs.map((l) => l.message).join("\n")).toMatch(/create: sent as function 2 of 3 in one request/);

    // The sandbox's ledger: SUM-OK posted once, SUM-BAD not at all, SUM-DUP still once.
    const batches = (await kit.state()).companies[DEMO_COMPANY]!.records.GLBATCH!;
    const refs = batches.map((b) => b.REFERENCENO).filter((r) => String(r).startsWith("SUM-"));
    expect(refs.sort()).toEqual(["SUM-DUP", "SUM-OK"]);
  });

  it("sends 45 writes arriving together in 3 requests of at most 20 functions, and each alone with a batch size of 1", async () => {
    const runs = runsOfOneConnection(45);
    await post(runs[0]!.client, "WARM-UP", "1.00"); // the session exists before the burst
    const before = gatewayWrites(runs.map((r) => r.env)).length;
    const posted = await Promise.all(runs.map((r, i) => post(r.client, `B-${i}`, `${i + 1}.05`)));
    expect(posted.map((p) => p.totalDebit)).toEqual(runs.map((_, i) => `${i + 1}.05`));
    const writes = gatewayWrites(runs.map((r) => r.env)).slice(before);
    expect(writes.map((w) => [...w.requestBody!.matchAll(/<function /g)].length)).toEqual([20, 20, 5]);

    const alone = runsOfOneConnection(4, { writeBatchSize: 1 });
    await Promise.all(alone.map((r, i) => post(r.client, `A-${i}`, "2.00")));
    const aloneWrites = gatewayWrites(alone.map((r) => r.env));
    expect(aloneWrites.map((w) => [...w.requestBody!.matchAll(/<function /g)].length)).toEqual([1, 1, 1, 1]);

    const batches = (await kit.state()).companies[DEMO_COMPANY]!.records.GLBATCH!;
    const refs = new Set(batches.map((b) => String(b.REFERENCENO)));
    for (let i = 0; i < 45; i++) expect(refs.has(`B-${i}`)).toBe(true);
    expect(batches.filter((b) => String(b.REFERENCENO).startsWith("B-"))).toHaveLength(45);
  });

  it("a request that fails as a whole (a lost response) leaves every write in it outcome unknown, and the read-back posts nothing twice", async () => {
    const runs = runsOfOneConnection(3);
    await post(runs[0]!.client, "WARM", "1.00");
    await kit.faults({ queue: ["dropAfterWrite"] });
    const lost = await Promise.allSettled(runs.map((r, i) => post(r.client, `L-${i}`, "3.00")));
    for (const o of lost) {
      expect(o.status).toBe("rejected");
      expect((o as PromiseRejectedResult).reason).toMatchObject({ kind: "retryable", outcomeUnknown: true });
    }
    // The engine's next attempt reads back first (reconcile): each entry is found, none is sent again.
    const again = await Promise.all(
      runs.map(async (r, i) => {
        const input = createJournalEntry.input.parse(entry(`L-${i}`, "3.00"));
        const config = createJournalEntry.config.parse({ journal: "GJ" });
        return createJournalEntry.effect.kind === "write" ? createJournalEntry.effect.reconcile!(nodeCtx(r.client), input, config) : undefined;
      }),
    );
    expect(again.map((a) => a?.totalDebit)).toEqual(["3.00", "3.00", "3.00"]);
    const batches = (await kit.state()).companies[DEMO_COMPANY]!.records.GLBATCH!;
    expect(batches.filter((b) => String(b.REFERENCENO).startsWith("L-"))).toHaveLength(3);
  });
});
