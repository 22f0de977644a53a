/**
 * The reconciliation report of the Intacct sales -> Avalara -> tax through AR flow, against the
 * Intacct and Avalara sandboxes over real HTTP: four sales invoices are polled and run; one gets a
 * second AR adjustment in Intacct (duplicated), one's tax changes in Avalara after posting
 * (amount mismatch), one waits for an approver (awaiting approval); a fifth invoice no run ever
 * saw is missing. The report lists exactly those four gaps; replaying the missing one posts it
 * (checked in Intacct's own AR adjustments) and closes its gap. The hourly reconciliation is on
 * every worker's crontab from its start, before any report was built.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IntacctClient } from "../../connectors/intacct/client";
import { legacyDate } from "../../connectors/intacct/schemas";
import { Redactor } from "../../connectors/sdk";
import { createDb } from "../../db/client";
import { buildEnv, loadConnection } from "../connections";
import { executeRun } from "../executor/run";
import { activateFlow, saveVersion } from "../flows";
import { parseFlowDefinition } from "../flow/schema";
import { instantiateTemplate } from "../templates";
import { sandboxConnection, sandboxPost, sandboxState, startSandboxes, type Sandboxes } from "../templates/test-helpers";
import { createWorkspace, isolatedDatabase, testDb } from "../test/helpers";
import { tick } from "../triggers";
import { startWorker } from "../worker/start";
import { runReport } from "./reconcile";
import { replayGap, replayGapKind } from "./replay";
import { TASK_RECONCILE } from "./task";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Rec = Record<string, any>;

const db = testDb();
let sb: Sandboxes;
let workspaceId: string;
let flowId: string;
let client: IntacctClient;

beforeAll(async () => {
  sb = await startSandboxes();
  workspaceId = await createWorkspace(db, "Intacct reconciliation");
  const intacctId = await sandboxConnection(db, workspaceId, "intacct", sb.urls.intacct);
  await sandboxConnection(db, workspaceId, "avalara", sb.urls.avalara);
  const created = await instantiateTemplate(db, workspaceId, "intacct-sales-avalara-gl", { demo: true });
  expect(created.problems).toEqual([]);
  flowId = created.flowId;
  // Tax over AR for Globex (C200) waits for an approver.
  const [version] = await db.sql<{ definition: unknown }[]>`select definition from flow_versions where id = ${created.versionId}`;
  const definition = parseFlowDefinition(version!.definition);
  definition.nodes.find((n) => n.id === "post")!.approval = { when: `customerId = "C200"` };
  const saved = await saveVersion(db, workspaceId, flowId, definition);
  await activateFlow(db, workspaceId, flowId, saved.versionId);
  // The seeded invoices are read past: this test's documents are its own.
  await tick(db, flowId);
  await db.sql`delete from runs where flow_id = ${flowId}`;
  const connection = await loadConnection(db, workspaceId, intacctId);
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  client = connection.connector.createClient(buildEnv(db, connection, { log, signal: new AbortController().signal, redactor: new Redactor() })) as IntacctClient;
});
afterAll(async () => {
  await sb.close();
  await db.close();
});

const company = async (): Promise<Rec> => (await sandboxState(sb.urls.intacct)).companies["LEDGERLINE-DEMO"];
const code = (so: Rec) => `INTACCT-SO-${so.DOCNO}`;
const memosOf = async (so: Rec): Promise<Rec[]> => ((await company()).records.ARADJUSTMENT as Rec[]).filter((a) => String(a.EXTERNALID).startsWith(`tax:${code(so)}|`));
const sell = async (customerId: string, lines: Rec[]) => (await sandboxPost(sb.urls.intacct, "/__sandbox/sales-transactions", { customerId, lines })) as Rec;
const runOf = async (so: Rec) => {
  const [row] = await db.sql<{ id: string }[]>`
    select id::text from runs where flow_id = ${flowId} and record_key = ${`intacct:LEDGERLINE-DEMO:SODOCUMENT:${so.RECORDNO}`} order by created_at desc limit 1`;
  return row!.id;
};

describe("reconciliation of the Intacct flow", () => {
  it("lists exactly the duplicated, mismatched, waiting and missing documents, and replaying the missing one closes its gap", { timeout: 120_000 }, async () => {
    const day = new Date().toISOString().slice(0, 10);
    const before = await runReport(db, workspaceId, flowId, day);
    const alreadyThere = new Set(before.documents.map((d) => d.document));

    const ok = await sell("C400", [{ itemId: "HW-ROUTER", quantity: 1 }]);
    const dup = await sell("C400", [{ itemId: "HW-ROUTER", quantity: 2 }]);
    const off = await sell("C400", [{ itemId: "HW-ROUTER", quantity: 3 }]);
    const waiting = await sell("C200", [{ itemId: "SW-STD", quantity: 2 }]);
    await tick(db, flowId);
    const statuses = [];
    for (const so of [ok, dup, off, waiting]) statuses.push((await executeRun(db, await runOf(so))).status);
    expect(statuses).toEqual(["succeeded", "succeeded", "succeeded", "awaiting_approval"]);
    // Missing: a sale no poll saw yet, so no run exists.
    const lost = await sell("C400", [{ itemId: "HW-ROUTER", quantity: 4 }]);

    // Duplicated: the flow's debit memo entered a second time in Intacct, outside the flow.
    const [memo] = await memosOf(dup);
    const items = [memo!.ARADJUSTMENTITEMS.ARADJUSTMENTITEM].flat() as Rec[];
    await client.legacyCreate(
      "create_aradjustment",
      {
        customerid: "C400",
        datecreated: legacyDate(day),
        adjustmentno: `MANUAL-${dup.DOCNO}`,
        externalid: memo!.EXTERNALID,
        aradjustmentitems: { lineitem: items.map((l) => ({ glaccountno: l.ACCOUNTNO, amount: String(l.AMOUNT) })) },
      },
      `manual-${dup.DOCNO}`,
      async () => undefined,
    );
    expect(await memosOf(dup)).toHaveLength(2);
    // Mismatch: the document's tax changed in AvaTax after it was posted.
    const [doc] = sb.avalara.documents("DEFAULT", code(off));
    (doc!.transaction as { totalTax: number }).totalTax = Math.round(((doc!.transaction as { totalTax: number }).totalTax + 7.25) * 100) / 100;

    const report = await runReport(db, workspaceId, flowId, day);
    const ours = report.documents.filter((d) => !alreadyThere.has(d.document));
    expect(ours.map((d) => [d.document, d.gap]).sort()).toEqual(
      [
        [code(ok), null],
        [code(dup), "duplicated"],
        [code(off), "amount_mismatch"],
        [code(waiting), "awaiting_approval"],
        [code(lost), "missing"],
      ].sort(),
    );
    expect(report.documents.filter((d) => d.gap).map((d) => d.document).sort()).toEqual([code(dup), code(off), code(waiting), code(lost)].sort());
    expect(report.summary.gaps).toEqual({ parked_for_review: 0, awaiting_approval: 1, missing: 1, duplicated: 1, amount_mismatch: 1 });
    // The posted tax is what Intacct's own adjustments hold for the document.
    const arCents = async (so: Rec) => (await memosOf(so)).flatMap((m) => [m.ARADJUSTMENTITEMS.ARADJUSTMENTITEM].flat()).reduce((s: number, l: Rec) => s + Math.round(Number(l.AMOUNT) * 100), 0);
    const okDoc = ours.find((d) => d.document === code(ok))!;
    expect(Math.round(okDoc.postedTax! * 100)).toBe(await arCents(ok));
    expect(okDoc.postedTax).toBe(okDoc.currentTax);
    expect(okDoc.postedTax).toBeGreaterThan(0);
    const mismatch = ours.find((d) => d.gap === "amount_mismatch")!;
    expect(Math.round((mismatch.currentTax! - mismatch.postedTax!) * 100)).toBe(725);
    expect(ours.find((d) => d.gap === "duplicated")!.entriesInForce).toBe(2);

    // A waiting approval is decided, not replayed.
    await expect(replayGap(db, workspaceId, flowId, day, code(waiting), { enqueue: false })).rejects.toThrow(/waits for an approver/);
    // One-click replay of the missing sale: its first run posts it, and the gap closes.
    const runId = await replayGap(db, workspaceId, flowId, day, code(lost), { enqueue: false });
    expect((await executeRun(db, runId)).status).toBe("succeeded");
    expect(await memosOf(lost)).toHaveLength(1);
    const again = await runReport(db, workspaceId, flowId, day);
    const lostNow = again.documents.find((d) => d.document === code(lost))!;
    expect(lostNow.gap).toBeNull();
    expect(Math.round(lostNow.postedTax! * 100)).toBe(await arCents(lost));
    expect(again.documents.filter((d) => d.gap).map((d) => d.document).sort()).toEqual([code(dup), code(off), code(waiting)].sort());
    expect(await replayGapKind(db, workspaceId, flowId, day, "missing", { enqueue: false })).toEqual({ runIds: [], errors: [] });
  });

  it("puts the hourly reconciliation on a worker's crontab when it starts, before any report exists", { timeout: 60_000 }, async () => {
    const isolated = await isolatedDatabase();
    const own = createDb(isolated.url, { max: 2 });
    const worker = await startWorker({ databaseUrl: isolated.url, concurrency: 1 });
    try {
      expect(await own.sql`select 1 from reconciliation_reports`).toHaveLength(0);
      const known = await own.sql<{ identifier: string }[]>`select identifier from graphile_worker._private_known_crontabs order by identifier`;
      expect(known.map((k) => k.identifier)).toContain(TASK_RECONCILE);
    } finally {
      await worker.stop();
      await own.close();
      await isolated.drop();
    }
  });
});
