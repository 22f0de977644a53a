/**
 * Summary posting end to end, on a real PostgreSQL and the Intacct sandbox over real HTTP:
 * 500 source records deposited by per-record runs, the close posting one GLBATCH per group
 * (channel x day) in batched gateway requests, reconciled to the cent against the sandbox's
 * ledger; replays of a record and of the close post nothing new; a change after the close waits
 * for review.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_PATH } from "../../connectors/intacct/connection";
import { createSandbox as createExact } from "../../connectors/exact/sandbox";
import { createSandbox as createIntacct } from "../../connectors/intacct/sandbox";
import { listen, type SandboxServer } from "../../connectors/sdk";
import { createDb, type Db } from "../../db/client";
import { executeRun } from "../executor/run";
import type { FlowDefinitionInput } from "../flow/schema";
import { connectExactSandbox } from "../demo/seed";
import { activateFlow, createFlow, dryRun, runNow } from "../flows";
import { registry } from "../registry";
import { createRuns, replayRun } from "../runs";
import { createConnection, createWorkspace, isolatedDatabase, nodeRuns, runRow } from "../test/helpers";
import { executeToEnd } from "../templates/test-helpers";
import { tick } from "../triggers";
import { formatMinor, toMinor, windowOf } from "./aggregate-store";

let database: Awaited<ReturnType<typeof isolatedDatabase>>;
let db: Db;
let intacct: SandboxServer;
let exact: SandboxServer;
/** Gateway requests the sandbox received (counted in front of its handler). */
let gatewayRequests = 0;

beforeAll(async () => {
  database = await isolatedDatabase();
  db = createDb(database.url, { max: 10 });
  const sandbox = createIntacct({ concurrencyLimit: 20 });
  intacct = await listen((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "POST" && req.url?.startsWith(GATEWAY_PATH)) gatewayRequests++;
    sandbox.handler(req, res);
  });
  const exactSandbox = createExact();
  exactSandbox.world.settings.minutelyLimit = 100_000;
  exact = await exactSandbox.listen(0);
}, 60_000);
afterAll(async () => {
  await exact?.close();
  await intacct?.close();
  await db?.close();
  await database?.drop();
});

const CHANNELS = ["web", "store", "marketplace", "phone", "b2b"];
const DAYS = ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"];
const REVENUE: Record<string, string> = { web: "4000", store: "4000", marketplace: "4100", phone: "4100", b2b: "4200" };

/** 500 orders: channel, day and an amount in cents from a fixed sequence (no floats anywhere). */
function orders() {
  return Array.from({ length: 500 }, (_, i) => {
    const cents = ((i * 7919) % 99_991) + 1; // 0.01 .. 999.91
    return {
      number: `ORD-${String(i + 1).padStart(4, "0")}`,
      channel: CHANNELS[i % CHANNELS.length]!,
      date: `${DAYS[Math.floor(i / 5) % DAYS.length]!}T${String(8 + (i % 10)).padStart(2, "0")}:15:00Z`,
      total: formatMinor(BigInt(cents)),
    };
  });
}

function collectFlow(summary = "daily-sales", revenue: Record<string, string> = REVENUE, clearing = "1200"): FlowDefinitionInput {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "order", type: "core.manualTrigger", typeVersion: 1, config: {} },
      {
        id: "summary",
        type: "core.aggregate",
        typeVersion: 1,
        config: {
          summary,
          groupBy: "channel",
          date: "date",
          window: "day",
          // Summary to a clearing account: the order total debits clearing and credits the channel's revenue.
          lines: `[{"accountNo": "${clearing}", "type": "debit", "amount": total}, {"accountNo": $lookup(${JSON.stringify(revenue)}, channel), "type": "credit", "amount": total}]`,
        },
      },
    ],
    edges: [{ id: "e1", source: "order", target: "summary" }],
  };
}

function postingFlow(intacctId: string): FlowDefinitionInput {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "close", type: "core.summaryClose", typeVersion: 1, config: { summary: "daily-sales", graceMinutes: 0 } },
      {
        id: "entry",
        type: "core.mapFields",
        typeVersion: 1,
        config: {
          fields: [
            { target: "date", expression: "window" },
            { target: "description", expression: "'Sales ' & groupKey & ' ' & window & ' (' & count & ' orders)'" },
            { target: "referenceNo", expression: "reference" },
            { target: "lines", expression: "lines.$merge([$, {'memo': 'Summary of ' & $$.count & ' orders', 'document': $$.reference}])" },
          ],
        },
      },
      { id: "post", type: "intacct.createJournalEntry", typeVersion: 1, config: { journal: "GJ" }, connectionId: intacctId },
    ],
    edges: [
      { id: "e1", source: "close", target: "entry" },
      { id: "e2", source: "entry", target: "post" },
    ],
  };
}

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

interface GlBatch {
  RECORDNO: string;
  REFERENCENO: string;
  BATCH_TITLE: string;
  ENTRIES: { GLENTRY: Array<{ ACCOUNTNO: string; TR_TYPE: string; TRX_AMOUNT: string; DOCUMENT?: string }> };
}

async function glBatches(): Promise<GlBatch[]> {
  const view = (await (await fetch(`${intacct.url}/__sandbox/state`)).json()) as { companies: Record<string, { records: { GLBATCH: GlBatch[] } }> };
  return view.companies["LEDGERLINE-DEMO"]!.records.GLBATCH;
}

describe("summary posting", () => {
  it("posts 500 orders as one balanced GLBATCH per channel and day, to the cent, in batched requests; replays post nothing new", async () => {
    const workspaceId = await createWorkspace(db, "Summary posting");
    const ia = registry.connector("intacct")!.sandbox!(intacct.url);
    // A wider batch window than the default 5 ms: the posting runs start together on a busy test machine.
    const intacctId = await createConnection(db, workspaceId, "intacct", "Intacct (sandbox)", { ...ia.config, writeBatchWindowMs: 250 }, ia.secrets);
    const collect = await createFlow(db, workspaceId, { name: "Orders into the daily summary", definition: collectFlow() });
    const posting = await createFlow(db, workspaceId, { name: "Daily summary to Intacct", definition: postingFlow(intacctId) });
    expect(collect.problems).toEqual([]);
    expect(posting.problems).toEqual([]);

    // 1. One run per order deposits its lines.
    const source = orders();
    const { created } = await db.sql.begin((tx) =>
      createRuns(tx, { workspaceId, flowId: collect.flowId, versionId: collect.versionId, triggerKind: "manual" }, source.map((o) => ({ key: `order:${o.number}`, version: "1", data: o })), { enqueue: false }),
    );
    expect(created).toHaveLength(500);
    const started = Date.now();
    const statuses: string[] = [];
    await inParallel(created, 6, async (runId) => {
      statuses.push((await executeRun(db, runId)).status);
    });
    const depositMs = Date.now() - started;
    expect(statuses.filter((s) => s === "succeeded")).toHaveLength(500);
    const runOfRecord = new Map((await db.sql<{ id: string; record_key: string }[]>`select id::text, record_key from runs where flow_id = ${collect.flowId}`).map((r) => [r.record_key, r.id]));

    // The test's own figures per group, in cents.
    const expected = new Map<string, { cents: bigint; records: string[] }>();
    for (const o of source) {
      const key = `${o.channel}|${windowOf(o.date, "day").key}`;
      const g = expected.get(key) ?? { cents: 0n, records: [] };
      g.cents += toMinor(o.total);
      g.records.push(`order:${o.number}`);
      expected.set(key, g);
    }
    expect(expected.size).toBe(20);

    // 2. The close: one run per group, posted through the normal journal node.
    await activateFlow(db, workspaceId, posting.flowId);
    const before = new Set((await glBatches()).map((b) => b.RECORDNO));
    const requestsBefore = gatewayRequests;
    const closed = await tick(db, posting.flowId);
    expect(closed).toMatchObject({ created: 20, duplicates: 0 });
    const postingRuns = await db.sql<{ id: string; record_key: string }[]>`select id::text, record_key from runs where flow_id = ${posting.flowId} and parent_run_id is null`;
    expect(postingRuns).toHaveLength(20);
    const closeStarted = Date.now();
    const results = await Promise.all(postingRuns.map((r) => executeToEnd(db, r.id)));
    const closeMs = Date.now() - closeStarted;
    expect(results).toEqual(Array(20).fill("succeeded"));

    // 3. Reconcile against the sandbox's ledger: one entry per group, each balanced, each to the cent.
    const posted = (await glBatches()).filter((b) => !before.has(b.RECORDNO));
    expect(posted).toHaveLength(expected.size);
    let grand = 0n;
    for (const run of postingRuns) {
      const [trigger, , post] = await nodeRuns(db, run.id);
      const summary = trigger!.output as { groupKey: string; window: string; reference: string; total: string; totalDebit: string; count: number; records: Array<{ recordKey: string; runId: string; amount: string }> };
      const want = expected.get(`${summary.groupKey}|${summary.window}`)!;
      const entry = posted.find((b) => b.REFERENCENO === summary.reference)!;
      expect(entry, `entry ${summary.reference}`).toBeDefined();
      let debit = 0n;
      let credit = 0n;
      for (const e of entry.ENTRIES.GLENTRY) {
        if (e.TR_TYPE === "1") debit += toMinor(e.TRX_AMOUNT);
        else credit += toMinor(e.TRX_AMOUNT);
        expect(e.DOCUMENT).toBe(summary.reference);
      }
      expect(debit).toBe(credit);
      expect(debit).toBe(want.cents);
      expect(summary.totalDebit).toBe(formatMinor(want.cents));
      expect(entry.ENTRIES.GLENTRY.map((e) => e.ACCOUNTNO).sort()).toEqual(["1200", REVENUE[summary.groupKey]].sort());
      // The posting links to exactly its group's records, each with the run that deposited it.
      expect(summary.count).toBe(want.records.length);
      expect(summary.records.map((r) => r.recordKey).sort()).toEqual([...want.records].sort());
      for (const r of summary.records) expect(r.runId).toBe(runOfRecord.get(r.recordKey));
      expect(summary.records.reduce((sum, r) => sum + toMinor(r.amount), 0n)).toBe(want.cents);
      expect(post!.output).toMatchObject({ referenceNo: summary.reference, totalDebit: formatMinor(want.cents) });
      grand += debit;
    }
    expect(grand).toBe(source.reduce((sum, o) => sum + toMinor(o.total), 0n));

    // 4. The Intacct writes were batched: far fewer write requests than functions.
    const writeRequests = (await db.sql<{ calls: Array<{ requestBody?: string }> }[]>`
      select http_calls as calls from node_runs where run_id = any(${postingRuns.map((r) => r.id)}::uuid[]) and node_id = 'post'`)
      .flatMap((r) => r.calls)
      .filter((c) => c.requestBody?.includes("<uniqueid>true</uniqueid>"));
    const functionsSent = writeRequests.reduce((n, c) => n + [...c.requestBody!.matchAll(/<function /g)].length, 0);
    expect(functionsSent).toBe(20);
    expect(writeRequests.length).toBeLessThanOrEqual(5);
    console.log(
      `summary posting: 500 deposits in ${depositMs} ms; close of 20 groups in ${closeMs} ms; ` +
        `${functionsSent} GLBATCH functions in ${writeRequests.length} write requests; ${gatewayRequests - requestsBefore} gateway requests in all`,
    );

    // 5. Replays post nothing new: a source record, a posting run, and the close itself.
    const count = (await glBatches()).length;
    const replayedRecord = await replayRun(db, workspaceId, created[0]!, { from: "start", version: "own" });
    expect((await executeRun(db, replayedRecord)).status).toBe("succeeded");
    expect((await nodeRuns(db, replayedRecord)).at(-1)!.output).toMatchObject({ status: "unchanged" });
    const replayedPosting = await replayRun(db, workspaceId, postingRuns[0]!.id, { from: "start", version: "own" });
    expect((await executeRun(db, replayedPosting)).status).toBe("succeeded");
    expect((await nodeRuns(db, replayedPosting)).at(-1)!.status).toBe("already_done");
    expect(await tick(db, posting.flowId)).toMatchObject({ created: 0 });
    expect((await glBatches()).length).toBe(count);

    // 6. A changed order after its window was posted is not added silently: it waits for review.
    const changed = { ...source[0]!, total: "1.00" };
    const late = await db.sql.begin((tx) =>
      createRuns(tx, { workspaceId, flowId: collect.flowId, versionId: collect.versionId, triggerKind: "manual" }, [{ key: `order:${changed.number}`, version: "2", data: changed }], { enqueue: false }),
    );
    expect((await executeRun(db, late.created[0]!)).status).toBe("needs_review");
    const review = await runRow(db, late.created[0]!);
    expect(review.error).toMatchObject({ reasonCode: "summary_window_closed" });
    expect(review.error!.message).toContain(`order:${changed.number} was already posted`);
    const [item] = await db.sql<{ amount_minor: string }[]>`select amount_minor::text from summary_items where workspace_id = ${workspaceId} and record_key = ${`order:${changed.number}`}`;
    expect(item!.amount_minor).toBe(toMinor(source[0]!.total).toString());
    expect((await glBatches()).length).toBe(count);

    // 7. A posting typed in by hand ("Run now" with a summary record that is not the window's) is refused.
    const real = (await nodeRuns(db, postingRuns[1]!.id))[0]!.output as { records: Array<{ amount: string }> };
    const forged = { ...real, records: real.records.map((r, i) => (i === 0 ? { ...r, amount: "999.99" } : r)) };
    const manual = await runNow(db, workspaceId, posting.flowId, forged);
    expect((await executeRun(db, manual)).status).toBe("failed");
    expect((await runRow(db, manual)).error!.message).toMatch(/differ from what summary "daily-sales", window .* holds .*only the Summary close starts its postings/);
    expect((await glBatches()).length).toBe(count);
  }, 120_000);

  it("posts the same kind of summary as one Exact general journal entry per group, to the cent", async () => {
    const workspaceId = await createWorkspace(db, "Summary to Exact");
    const values = registry.connector("exact")!.sandbox!(exact.url);
    const exactId = await createConnection(db, workspaceId, "exact", values.name, values.config, values.secrets);
    await connectExactSandbox(db, workspaceId, exactId, "https://app.ledgerline.example/api/oauth/callback");
    const division = (values.config as { division: number }).division;
    const revenue = { web: "4000", store: "4000", marketplace: "4020", phone: "4020", b2b: "4030" };
    const collect = await createFlow(db, workspaceId, { name: "Orders into the Exact summary", definition: collectFlow("exact-daily", revenue, "1100") });
    const posting = await createFlow(db, workspaceId, {
      name: "Daily summary to Exact",
      definition: {
        schemaVersion: 1,
        nodes: [
          { id: "close", type: "core.summaryClose", typeVersion: 1, config: { summary: "exact-daily", graceMinutes: 0 } },
          {
            id: "entry",
            type: "core.mapFields",
            typeVersion: 1,
            config: {
              fields: [
                { target: "division", expression: String(division) },
                // Exact's journal node is keyed by a source document GUID: the posting's own GUID.
                { target: "invoiceId", expression: "postingId" },
                { target: "date", expression: "date" },
                { target: "description", expression: "'Sales ' & groupKey & ' ' & window" },
                { target: "lines", expression: "lines.{'glAccount': accountNo, 'amount': type = 'debit' ? $number(amount) : -$number(amount)}" },
              ],
            },
          },
          { id: "post", type: "exact.createGeneralJournalEntry", typeVersion: 1, config: { journalCode: "90" }, connectionId: exactId },
        ],
        edges: [
          { id: "e1", source: "close", target: "entry" },
          { id: "e2", source: "entry", target: "post" },
        ],
      },
    });
    expect(collect.problems).toEqual([]);
    expect(posting.problems).toEqual([]);
    const source = orders().filter((o) => o.channel === "web" || o.channel === "b2b").slice(0, 40); // 8 groups of 5
    const { created } = await db.sql.begin((tx) =>
      createRuns(tx, { workspaceId, flowId: collect.flowId, versionId: collect.versionId, triggerKind: "manual" }, source.map((o) => ({ key: `order:${o.number}`, version: "1", data: o })), { enqueue: false }),
    );
    await inParallel(created, 6, async (runId) => {
      expect((await executeRun(db, runId)).status).toBe("succeeded");
    });
    const expected = new Map<string, bigint>();
    for (const o of source) {
      const key = `${o.channel}|${windowOf(o.date, "day").key}`;
      expected.set(key, (expected.get(key) ?? 0n) + toMinor(o.total));
    }

    await activateFlow(db, workspaceId, posting.flowId);
    expect(await tick(db, posting.flowId)).toMatchObject({ created: expected.size });
    const runs = await db.sql<{ id: string }[]>`select id::text from runs where flow_id = ${posting.flowId}`;
    const results = await Promise.all(runs.map((r) => executeToEnd(db, r.id)));
    expect(results).toEqual(Array(expected.size).fill("succeeded"));

    type ExactEntry = { lines: Array<{ GLAccountCode: string; AmountFC: number; Notes?: string }> };
    const divisionState = async () => {
      const view = (await (await fetch(`${exact.url}/__sandbox/state`)).json()) as { regions: Record<string, { divisions: Array<{ code: number; journalEntries: ExactEntry[] }> }> };
      return Object.values(view.regions).flatMap((r) => r.divisions).find((d) => d.code === division)!;
    };
    for (const run of runs) {
      const [trigger] = await nodeRuns(db, run.id);
      const summary = trigger!.output as { groupKey: string; window: string; postingId: string };
      const entries = (await divisionState()).journalEntries.filter((e) => e.lines.some((l) => String(l.Notes ?? "").includes(summary.postingId)));
      expect(entries, `entry of ${summary.groupKey} ${summary.window}`).toHaveLength(1);
      const amounts = entries[0]!.lines.map((l) => toMinor(l.AmountFC.toFixed(2)));
      expect(amounts.reduce((a, b) => a + b, 0n)).toBe(0n);
      expect(amounts.filter((a) => a > 0n).reduce((a, b) => a + b, 0n)).toBe(expected.get(`${summary.groupKey}|${summary.window}`));
    }
    const count = (await divisionState()).journalEntries.length;
    const again = await replayRun(db, workspaceId, runs[0]!.id, { from: "start", version: "own" });
    expect((await executeRun(db, again)).status).toBe("succeeded");
    expect((await divisionState()).journalEntries.length).toBe(count);
  }, 60_000);

  it("a changed record replaces its own lines while its window is open; the close leaves open windows alone; a record after the close waits for review", async () => {
    const workspaceId = await createWorkspace(db, "Summary windows");
    const ia = registry.connector("intacct")!.sandbox!(intacct.url);
    const intacctId = await createConnection(db, workspaceId, "intacct", "Intacct (sandbox)", ia.config, ia.secrets);
    const collect = await createFlow(db, workspaceId, { name: "Orders", definition: collectFlow() });
    const posting = await createFlow(db, workspaceId, { name: "Summary", definition: postingFlow(intacctId) });
    const target = { workspaceId, flowId: collect.flowId, versionId: collect.versionId, triggerKind: "manual" as const };
    const deposit = async (version: string, data: unknown) => {
      const { created } = await db.sql.begin((tx) => createRuns(tx, target, [{ key: "order:OPEN-1", version, data }], { enqueue: false }));
      const status = (await executeRun(db, created[0]!)).status;
      return { status, runId: created[0]!, output: (await nodeRuns(db, created[0]!)).at(-1)!.output as { status: string } };
    };
    // A window in the future stays open.
    const first = await deposit("1", { number: "OPEN-1", channel: "web", date: "2099-01-05", total: "10.00" });
    expect(first.output.status).toBe("added");
    const second = await deposit("2", { number: "OPEN-1", channel: "web", date: "2099-01-05", total: "12.50" });
    expect(second.output.status).toBe("updated");
    const items = await db.sql<{ amount_minor: string; run_id: string }[]>`select amount_minor::text, run_id::text from summary_items where workspace_id = ${workspaceId}`;
    expect(items).toEqual([{ amount_minor: "1250", run_id: second.runId }]);
    await activateFlow(db, workspaceId, posting.flowId);
    expect(await tick(db, posting.flowId)).toMatchObject({ created: 0 });
    const [open] = await db.sql<{ closed_at: Date | null }[]>`select closed_at from summary_windows where workspace_id = ${workspaceId}`;
    expect(open!.closed_at).toBeNull();

    // A past window: closed by the tick, then a new order dated in it waits for review.
    const { created } = await db.sql.begin((tx) =>
      createRuns(tx, target, [{ key: "order:PAST-1", version: "1", data: { number: "PAST-1", channel: "store", date: "2026-11-20", total: "5.00" } }], { enqueue: false }),
    );
    expect((await executeRun(db, created[0]!)).status).toBe("succeeded");
    expect(await tick(db, posting.flowId)).toMatchObject({ created: 1 });
    const late = await db.sql.begin((tx) =>
      createRuns(tx, target, [{ key: "order:PAST-2", version: "1", data: { number: "PAST-2", channel: "store", date: "2026-11-20T16:00:00Z", total: "7.00" } }], { enqueue: false }),
    );
    expect((await executeRun(db, late.created[0]!)).status).toBe("needs_review");
    expect((await runRow(db, late.created[0]!)).error!.message).toMatch(/order:PAST-2 arrived after window 2026-11-20 of summary "daily-sales" closed/);
  });

  it("a dry run of a record shows where it would go and stores nothing", async () => {
    const workspaceId = await createWorkspace(db, "Summary dry run");
    const collect = await createFlow(db, workspaceId, { name: "Orders into the daily summary", definition: collectFlow() });
    const runId = await dryRun(db, workspaceId, collect.flowId, { number: "ORD-DRY", channel: "web", date: "2026-11-30", total: "10.00" });
    expect((await executeRun(db, runId)).status).toBe("dry_run");
    const rows = await nodeRuns(db, runId);
    expect(rows.at(-1)!.output).toMatchObject({ status: "added", window: "2026-11-30", groupKey: "web" });
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from summary_items where workspace_id = ${workspaceId}`;
    expect(n).toBe(0);
  });

  it("refuses amounts it cannot sum exactly and dates it cannot place, storing nothing", async () => {
    const workspaceId = await createWorkspace(db, "Summary checks");
    const collect = await createFlow(db, workspaceId, { name: "Orders into the daily summary", definition: collectFlow() });
    const { created } = await db.sql.begin((tx) =>
      createRuns(tx, { workspaceId, flowId: collect.flowId, versionId: collect.versionId, triggerKind: "manual" }, [
        { key: "order:X1", version: "1", data: { number: "X1", channel: "web", date: "2026-11-30", total: 0.1 + 0.2 } },
        { key: "order:X2", version: "1", data: { number: "X2", channel: "web", date: "not a date", total: "5.00" } },
      ], { enqueue: false }),
    );
    expect((await executeRun(db, created[0]!)).status).toBe("failed");
    expect((await runRow(db, created[0]!)).error!.message).toMatch(/more than 2 decimals/);
    expect((await executeRun(db, created[1]!)).status).toBe("failed");
    expect((await runRow(db, created[1]!)).error!.message).toMatch(/date must be YYYY-MM-DD/);
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from summary_items where workspace_id = ${workspaceId}`;
    expect(n).toBe(0);
  });
});
