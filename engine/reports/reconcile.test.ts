/**
 * The reconciliation report against the Exact and Avalara sandboxes over real HTTP: three invoices
 * are posted by the Exact -> Avalara -> journal flow; then a fourth invoice is created that no run
 * ever sees (missing), one posted invoice gets a second journal entry in Exact (duplicated), and
 * one document's tax is changed in Avalara after posting (amount mismatch). The report lists
 * exactly those three; replaying the missing one posts it (checked in the sandbox's own journal)
 * and closes its gap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExactClient } from "../../connectors/exact";
import { Redactor } from "../../connectors/sdk";
import { buildEnv, loadConnection } from "../connections";
import { connectExactSandbox } from "../demo/seed";
import { executeRun } from "../executor/run";
import { instantiateTemplate } from "../templates";
import { runRecords, sandboxConnection, sandboxPost, sandboxState, startSandboxes, type Sandboxes } from "../templates/test-helpers";
import { createWorkspace, testDb } from "../test/helpers";
import { evaluateAlerts } from "../alerts/evaluate";
import { saveChannel, saveRule } from "../alerts/store";
import { startSmtp, type SmtpReceiver } from "../alerts/test-receivers";
import { runReport } from "./reconcile";
import { replayGap, replayGapKind } from "./replay";

const db = testDb();
let sb: Sandboxes;
let workspaceId: string;
let flowId: string;
let versionId: string;
let client: ExactClient;
let smtp: SmtpReceiver;
const division = 1001;

beforeAll(async () => {
  smtp = await startSmtp({ user: "recon", password: "recon-smtp-pw-1234" });
  sb = await startSandboxes();
  workspaceId = await createWorkspace(db, "Reconciliation");
  const exactId = await sandboxConnection(db, workspaceId, "exact", sb.urls.exact);
  await sandboxConnection(db, workspaceId, "avalara", sb.urls.avalara);
  await connectExactSandbox(db, workspaceId, exactId, "https://app.ledgerline.example/api/oauth/callback");
  const created = await instantiateTemplate(db, workspaceId, "exact-invoice-avalara-journal", { demo: true });
  expect(created.problems).toEqual([]);
  ({ flowId, versionId } = created);
  const connection = await loadConnection(db, workspaceId, exactId);
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  client = connection.connector.createClient(buildEnv(db, connection, { log, signal: new AbortController().signal, redactor: new Redactor() })) as ExactClient;
});
afterAll(async () => {
  await smtp.close();
  await sb.close();
  await db.close();
});

const accountId = (name: string) => sb.exact.world.regions.get("us")!.divisions.get(division)!.accounts.find((a) => a.Name === name)!.ID as string;
const newInvoice = async () =>
  (await sandboxPost(sb.urls.exact, "/__sandbox/invoices", {
    invoice: { InvoiceTo: accountId("Lone Star Components Inc."), SalesInvoiceLines: [{ ItemCode: "LIC-STD", Quantity: 1 }] },
  })) as { InvoiceID: string; InvoiceNumber: number };
const code = (invoiceId: string) => `EXACT-${division}-${invoiceId.toLowerCase()}`;
const record = (invoiceId: string) => ({ key: `exact:${division}:${invoiceId.toLowerCase()}`, version: "v1", data: { division, invoiceId: invoiceId.toLowerCase(), action: "Create" } });
const journalOf = async (invoiceId: string) => {
  const state = await sandboxState(sb.urls.exact);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const entries = state.regions.us.divisions.find((d: any) => d.code === division).journalEntries as { lines: { Notes: string; AmountFC: number; GLAccountCode: string }[] }[];
  return entries.filter((e) => e.lines.some((l) => l.Notes?.startsWith(`tax:${code(invoiceId)}|`)));
};

describe("reconciliation report", () => {
  it("lists exactly the missing, duplicated and mismatched documents, and replaying the missing one closes its gap", async () => {
    const day = new Date().toISOString().slice(0, 10);
    const before = await runReport(db, workspaceId, flowId, day);
    const alreadyThere = new Set(before.documents.map((d) => d.document));

    const [ok, dup, off, lost] = [await newInvoice(), await newInvoice(), await newInvoice(), await newInvoice()];
    const results = await runRecords(db, { workspaceId, flowId, versionId }, [record(ok.InvoiceID), record(dup.InvoiceID), record(off.InvoiceID)]);
    expect(results.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);

    // Duplicated: the same posting entered a second time in Exact, outside the flow.
    const lines = await client.listJournalLinesByNotes(`tax:${code(dup.InvoiceID)}|`);
    expect(lines.length).toBeGreaterThan(1);
    await client.createGeneralJournalEntry({
      journalCode: "90",
      lines: lines.map((l) => ({ glAccount: l.GLAccount!, amount: l.AmountFC!, costCenter: l.CostCenter ?? undefined, date: day, notes: l.Notes ?? undefined })),
    });
    expect(await journalOf(dup.InvoiceID)).toHaveLength(2);
    // Mismatch: the document's tax changed in AvaTax after it was posted.
    const [doc] = sb.avalara.documents("DEFAULT", code(off.InvoiceID));
    (doc!.transaction as { totalTax: number }).totalTax = Math.round(((doc!.transaction as { totalTax: number }).totalTax + 12.5) * 100) / 100;

    const report = await runReport(db, workspaceId, flowId, day);
    const ours = report.documents.filter((d) => !alreadyThere.has(d.document));
    expect(ours.map((d) => [d.document, d.gap])).toEqual(
      expect.arrayContaining([
        [code(ok.InvoiceID), null],
        [code(dup.InvoiceID), "duplicated"],
        [code(off.InvoiceID), "amount_mismatch"],
        [code(lost.InvoiceID), "missing"],
      ]),
    );
    expect(ours).toHaveLength(4);
    const gaps = report.documents.filter((d) => d.gap).map((d) => d.document).sort();
    expect(gaps).toEqual([code(dup.InvoiceID), code(off.InvoiceID), code(lost.InvoiceID)].sort());
    expect(report.summary.gaps).toEqual({ parked_for_review: 0, awaiting_approval: 0, missing: 1, duplicated: 1, amount_mismatch: 1 });
    const mismatch = ours.find((d) => d.gap === "amount_mismatch")!;
    expect(Math.round((mismatch.currentTax! - mismatch.postedTax!) * 100)).toBe(1250);
    const okDoc = ours.find((d) => d.document === code(ok.InvoiceID))!;
    expect(okDoc.postedTax).toBe(okDoc.currentTax);
    expect(okDoc.postedTax).toBeGreaterThan(0);

    // The report's gaps are sent by e-mail (an alert rule on reconciliation gaps), once.
    const channel = await saveChannel(db, workspaceId, {
      kind: "email", name: "Controller", delivery: "immediate", digestHour: 8, enabled: true,
      config: { host: "127.0.0.1", port: smtp.port, secure: false, user: "recon", from: "alerts@ledgerline.test", to: ["controller@finance.test"] },
      secrets: { password: "recon-smtp-pw-1234" },
    });
    await saveRule(db, workspaceId, { kind: "reconciliation_gaps", name: "Reconciliation", flowId, params: {}, channelIds: [channel], enabled: true });
    await evaluateAlerts(db, { workspaceId });
    await evaluateAlerts(db, { workspaceId });
    const [flow] = await db.sql<{ name: string }[]>`select name from flows where id = ${flowId}`;
    expect(smtp.mails.map((m) => m.subject)).toEqual([`[Ledgerline · Reconciliation] Reconciliation of "${flow!.name}" on ${day}: 3 gaps`]);
    expect(smtp.mails[0]!.text).toContain("1 missing, 1 duplicated, 1 amount mismatch");
    expect(smtp.mails[0]!.text).toContain(`/reports?flow=${flowId}&day=${day}`);

    // One-click replay of the missing invoice: its first run posts it, and the gap closes.
    const runId = await replayGap(db, workspaceId, flowId, day, code(lost.InvoiceID), { enqueue: false });
    expect((await executeRun(db, runId)).status).toBe("succeeded");
    const posted = await journalOf(lost.InvoiceID);
    expect(posted).toHaveLength(1);
    const again = await runReport(db, workspaceId, flowId, day);
    const lostNow = again.documents.find((d) => d.document === code(lost.InvoiceID))!;
    expect(lostNow.gap).toBeNull();
    expect(lostNow.postedTax).toBe(lostNow.currentTax);
    expect(again.documents.filter((d) => d.gap).map((d) => d.document).sort()).toEqual([code(dup.InvoiceID), code(off.InvoiceID)].sort());

    // Bulk replay of a kind with nothing in it does nothing; a document without a gap is refused.
    expect(await replayGapKind(db, workspaceId, flowId, day, "missing", { enqueue: false })).toEqual({ runIds: [], errors: [] });
    await expect(replayGap(db, workspaceId, flowId, day, code(ok.InvoiceID))).rejects.toThrow(/no gap/);
  });
});
