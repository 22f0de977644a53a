/**
 * Maker-checker against a real PostgreSQL and the Intacct sandbox: a journal over 10,000 waits with
 * the exact entry it would post, its maker cannot approve it under four eyes, an approver does and
 * it posts exactly once (the sandbox's own GLBATCH records); a rejected one never posts.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox as createIntacct } from "../connectors/intacct/sandbox";
import type { SandboxServer } from "../connectors/sdk";
import { evaluateAlerts } from "./alerts/evaluate";
import { saveChannel, saveRule } from "./alerts/store";
import { startHttpReceiver } from "./alerts/test-receivers";
import { decideApproval, getApproval, listApprovals, setFourEyes } from "./approvals";
import type { Actor } from "./audit";
import { executeRun } from "./executor/run";
import { createFlow, runNow } from "./flows";
import { validateFlow } from "./flow/validate";
import type { FlowDefinitionInput } from "./flow/schema";
import { registry } from "./registry";
import { createConnection, createWorkspace, nodeRuns, runRow, testDb } from "./test/helpers";

const db = testDb();
let intacct: SandboxServer;

beforeAll(async () => {
  intacct = await createIntacct().listen(0);
});
afterAll(async () => {
  await intacct.close();
  await db.close();
});

async function person(email: string): Promise<Actor> {
  const [row] = await db.sql<{ id: string }[]>`insert into users (email, name) values (${email}, ${email}) returning id::text`;
  return { label: email, kind: "user", userId: row!.id };
}

function journalFlow(connectionId: string): FlowDefinitionInput {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: {} },
      {
        id: "post",
        type: "intacct.createJournalEntry",
        typeVersion: 1,
        config: { journal: "GJ" },
        connectionId,
        approval: { when: "$sum(lines[type='debit'].$number(amount)) > 10000" },
      },
    ],
    edges: [{ id: "e1", source: "trigger", target: "post" }],
  };
}

const journal = (referenceNo: string, amount: string) => ({
  date: "2024-06-28",
  description: `Accrual ${referenceNo}`,
  referenceNo,
  lines: [
    { accountNo: "6000", type: "debit", amount, departmentId: "SALES", memo: "accrual" },
    { accountNo: "2000", type: "credit", amount, memo: "accrual" },
  ],
});

async function batches(referenceNo: string): Promise<Array<Record<string, unknown>>> {
  const state = (await (await fetch(`${intacct.url}/__sandbox/state`)).json()) as { companies: Record<string, { records: Record<string, Array<Record<string, unknown>>> }> };
  return Object.values(state.companies).flatMap((c) => (c.records.GLBATCH ?? []).filter((b) => b.REFERENCENO === referenceNo));
}

async function setup(name: string) {
  const workspaceId = await createWorkspace(db, name);
  const demo = registry.connector("intacct")!.sandbox!(intacct.url);
  const connectionId = await createConnection(db, workspaceId, "intacct", "Intacct (sandbox)", demo.config, demo.secrets);
  const { flowId, problems } = await createFlow(db, workspaceId, { name: "Accruals", definition: journalFlow(connectionId) });
  expect(problems).toEqual([]);
  return { workspaceId, flowId };
}

describe("approvals", () => {
  it("a journal over 10,000 waits with its exact entry; the maker cannot approve it; an approver does and it posts exactly once", async () => {
    const { workspaceId, flowId } = await setup("Approvals approve");
    const maker = await person(`maker-${randomUUID()}@finance.test`);
    const approver = await person(`approver-${randomUUID()}@finance.test`);
    await setFourEyes(db, workspaceId, true, approver);

    // Under the threshold: posts at once, no approval.
    const small = `ACC-S-${randomUUID().slice(0, 8)}`;
    const smallRun = await runNow(db, workspaceId, flowId, journal(small, "9999.99"), undefined, maker);
    expect(await executeRun(db, smallRun)).toEqual({ status: "succeeded" });
    expect(await batches(small)).toHaveLength(1);

    const ref = `ACC-B-${randomUUID().slice(0, 8)}`;
    const runId = await runNow(db, workspaceId, flowId, journal(ref, "12500.00"), undefined, maker);
    expect(await executeRun(db, runId)).toEqual({ status: "awaiting_approval" });
    expect((await runRow(db, runId)).status).toBe("awaiting_approval");
    expect(await batches(ref)).toEqual([]);
    // A second job for the parked run (a duplicate, the sweeper) does nothing.
    expect(await executeRun(db, runId)).toEqual({ status: "awaiting_approval" });

    const [pending] = await listApprovals(db, workspaceId, { status: "pending" });
    expect(pending).toMatchObject({ runId, nodeId: "post", status: "pending", maker: maker.label, makerUserId: maker.userId });
    const shown = await getApproval(db, workspaceId, pending!.id);
    expect(shown.request).toEqual(journal(ref, "12500.00"));
    expect((await nodeRuns(db, runId)).map((r) => [r.node_id, r.status])).toEqual([
      ["trigger", "succeeded"],
      ["post", "awaiting_approval"],
    ]);

    await expect(decideApproval(db, workspaceId, pending!.id, "approve", maker)).rejects.toThrow(/Four eyes/);
    expect((await getApproval(db, workspaceId, pending!.id)).status).toBe("pending");

    expect(await decideApproval(db, workspaceId, pending!.id, "approve", approver, "checked with the controller")).toEqual({ runId, status: "approved" });
    await expect(decideApproval(db, workspaceId, pending!.id, "approve", approver)).rejects.toThrow(/already approved/);
    expect((await runRow(db, runId)).status).toBe("queued");
    const [job] = await db.sql`select 1 from graphile_worker.jobs where key = ${`run:${runId}`}`;
    expect(job).toBeDefined();

    expect(await executeRun(db, runId)).toEqual({ status: "succeeded" });
    expect(await executeRun(db, runId)).toEqual({ status: "succeeded" });
    const posted = await batches(ref);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ JOURNAL: "GJ", REFERENCENO: ref });
    const [ledger] = await db.sql`select status from idempotency_ledger where workspace_id = ${workspaceId} and business_key = ${`intacct:glbatch:GJ:${ref}`}`;
    expect(ledger).toEqual({ status: "done" });

    const audit = await db.sql`select action, actor, actor_user_id::text as "userId" from audit_events where workspace_id = ${workspaceId} and entity_type = 'approval' order by at, id`;
    expect(audit).toEqual([
      { action: "approval.requested", actor: "engine", userId: null },
      { action: "approval.approved", actor: approver.label, userId: approver.userId },
    ]);
  });

  it("a rejected journal never posts; a waiting approval alerts once and resolves when decided", async () => {
    const { workspaceId, flowId } = await setup("Approvals reject");
    const http = await startHttpReceiver();
    const channelId = await saveChannel(db, workspaceId, { kind: "slack", name: "Approvers", config: {}, secrets: { webhookUrl: `${http.url}/slack/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX` }, delivery: "immediate", digestHour: 8, enabled: true });
    await saveRule(db, workspaceId, { kind: "approval_waiting", name: "Approvals", flowId: null, params: {}, channelIds: [channelId], enabled: true });
    const maker = await person(`maker-${randomUUID()}@finance.test`);
    const checker = await person(`checker-${randomUUID()}@finance.test`);
    const ref = `ACC-R-${randomUUID().slice(0, 8)}`;
    const runId = await runNow(db, workspaceId, flowId, journal(ref, "25000"), undefined, maker);
    expect(await executeRun(db, runId)).toEqual({ status: "awaiting_approval" });
    const [pending] = await listApprovals(db, workspaceId, { status: "pending" });
    for (let i = 0; i < 2; i++) await evaluateAlerts(db, { workspaceId });
    const slack = () => http.on("/slack/").map((h) => (h.body as { text: string }).text);
    expect(slack()).toHaveLength(1);
    expect(slack()[0]).toContain('1 write waiting for approval in "Accruals"');
    expect(slack()[0]).not.toContain("25000");

    expect(await decideApproval(db, workspaceId, pending!.id, "reject", checker, "wrong period")).toEqual({ runId, status: "rejected" });
    await evaluateAlerts(db, { workspaceId });
    expect(slack()).toHaveLength(2);
    expect(slack()[1]).toMatch(/^Resolved: /);
    await http.close();
    expect((await runRow(db, runId)).status).toBe("rejected");
    // Any later job for the run finds it ended.
    expect(await executeRun(db, runId)).toEqual({ status: "rejected" });
    expect(await batches(ref)).toEqual([]);
    const ledger = await db.sql`select 1 from idempotency_ledger where workspace_id = ${workspaceId}`;
    expect(ledger).toHaveLength(0);
    await expect(decideApproval(db, workspaceId, pending!.id, "approve", checker)).rejects.toThrow(/already rejected/);
    const [event] = await db.sql`select actor, data->>'note' as note from audit_events where workspace_id = ${workspaceId} and action = 'approval.rejected'`;
    expect(event).toEqual({ actor: checker.label, note: "wrong period" });
  });

  it("without four eyes the maker may approve; approval conditions are validated with the flow", async () => {
    const { workspaceId, flowId } = await setup("Approvals own");
    const maker = await person(`maker-${randomUUID()}@finance.test`);
    const ref = `ACC-O-${randomUUID().slice(0, 8)}`;
    const runId = await runNow(db, workspaceId, flowId, journal(ref, "10000.01"), undefined, maker);
    expect(await executeRun(db, runId)).toEqual({ status: "awaiting_approval" });
    const [pending] = await listApprovals(db, workspaceId, { status: "pending" });
    await decideApproval(db, workspaceId, pending!.id, "approve", maker);
    expect(await executeRun(db, runId)).toEqual({ status: "succeeded" });
    expect(await batches(ref)).toHaveLength(1);

    const bad = journalFlow("00000000-0000-4000-8000-000000000000");
    bad.nodes[1]!.approval = { when: "$sum(lines.amount" };
    bad.nodes[0]!.approval = { when: "true" };
    const problems = validateFlow(bad).problems.filter((p) => p.code === "invalid_approval");
    expect(problems.map((p) => p.nodeId)).toEqual(["trigger", "post"]);
    expect(problems[1]!.message).toMatch(/approval condition/);
  });
});
