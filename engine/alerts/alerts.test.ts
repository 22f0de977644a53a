/**
 * Alerts end to end against a real PostgreSQL, a real SMTP server and a local HTTP receiver
 * standing in for Slack, Teams and a generic webhook: a failing connection (a real test against
 * the Avalara sandbox) alerts once per channel and once more when fixed; 50 failures of one cause
 * are one alert; the digest groups what it queued; review alerts go to the item's assignee.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox as createAvalara } from "../../connectors/avalara/sandbox";
import type { SandboxServer } from "../../connectors/sdk";
import { encryptJson } from "../../db/crypto";
import { testConnection } from "../connection-actions";
import { executeRun } from "../executor/run";
import { createFlow } from "../flows";
import type { FlowDefinitionInput } from "../flow/schema";
import { registry } from "../registry";
import { createRuns } from "../runs";
import { builtInFlow, createConnection, createLookupTable, createWorkspace, startIdempotentApi, testDb, type IdempotentApi } from "../test/helpers";
import { assignReviews, setAssignmentRule } from "./assign";
import { evaluateAlerts } from "./evaluate";
import { saveChannel, saveRule, sendTestMessage } from "./store";
import { startHttpReceiver, startSmtp, type HttpReceiver, type SmtpReceiver } from "./test-receivers";

const db = testDb();
const SMTP = { user: "alerts@ledgerline.test", password: "smtp-Pass-9f3e1c77" };
const SIGNING_SECRET = "whsec_local_test_signing_secret_1234";
let smtp: SmtpReceiver;
let http: HttpReceiver;
let api: IdempotentApi;
let avalaraServer: SandboxServer;

beforeAll(async () => {
  smtp = await startSmtp(SMTP);
  http = await startHttpReceiver();
  api = await startIdempotentApi();
  avalaraServer = await createAvalara().listen(0);
});
afterAll(async () => {
  await Promise.all([smtp.close(), http.close(), api.close(), avalaraServer.close()]);
  await db.close();
});

async function channels(workspaceId: string, tag: string, delivery: "immediate" | "digest" = "immediate") {
  const email = await saveChannel(db, workspaceId, {
    kind: "email",
    name: `Ops e-mail ${tag}`,
    config: { host: "127.0.0.1", port: smtp.port, secure: false, user: SMTP.user, from: "Ledgerline <alerts@ledgerline.test>", to: [`ops-${tag}@finance.test`] },
    secrets: { password: SMTP.password },
    delivery,
    digestHour: new Date().getUTCHours(),
    enabled: true,
  });
  const slack = await saveChannel(db, workspaceId, {
    kind: "slack",
    name: `Slack ${tag}`,
    config: {},
    secrets: { webhookUrl: `${http.url}/slack/${tag}/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX` },
    delivery,
    digestHour: new Date().getUTCHours(),
    enabled: true,
  });
  return { email, slack };
}

const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));

function postFlow(url: string): FlowDefinitionInput {
  return {
    schemaVersion: 1,
    nodes: [
      { id: "trigger", type: "core.manualTrigger", typeVersion: 1, position: { x: 0, y: 0 }, config: {} },
      { id: "post", type: "core.httpPost", typeVersion: 1, position: { x: 200, y: 0 }, config: { url, keyPath: "invoice" } },
    ],
    edges: [{ id: "e1", source: "trigger", target: "post" }],
  };
}

async function runOnce(workspaceId: string, flow: { flowId: string; versionId: string }, data: unknown) {
  const { created } = await db.sql.begin((tx) =>
    createRuns(tx, { workspaceId, flowId: flow.flowId, versionId: flow.versionId, triggerKind: "manual" }, [{ key: `rec-${Math.random()}`, version: "1", data }], { enqueue: false }),
  );
  return (await executeRun(db, created[0]!)).status;
}

describe("alerts", () => {
  it("a failing connection sends exactly one e-mail and one Slack message, then one resolved message after the fix", async () => {
    const workspaceId = await createWorkspace(db, "Alerts connection");
    const { email, slack } = await channels(workspaceId, "conn");
    await saveRule(db, workspaceId, { kind: "connection_failing", name: "Connections", flowId: null, params: {}, channelIds: [email, slack], enabled: true });
    const demo = registry.connector("avalara")!.sandbox!(avalaraServer.url);
    const wrongKey = "WRONGKEY99887766";
    const connectionId = await createConnection(db, workspaceId, "avalara", "Avalara (sandbox)", demo.config, { ...(demo.secrets as object), licenseKey: wrongKey });

    const test = await testConnection(db, workspaceId, connectionId);
    expect(test.ok).toBe(false);
    for (let i = 0; i < 3; i++) await evaluateAlerts(db, { workspaceId });

    const to = "ops-conn@finance.test";
    expect(mailsTo(to)).toHaveLength(1);
    expect(http.on("/slack/conn/")).toHaveLength(1);
    const [mail] = mailsTo(to);
    expect(mail!.subject).toBe('[Ledgerline · Alerts connection] Connection "Avalara (sandbox)" is failing');
    expect(mail!.text).toContain(`/connections?connection=${connectionId}`);
    const slackBody = http.on("/slack/conn/")[0]!.body as { text: string; blocks: { type: string }[] };
    expect(slackBody.text).toContain('Connection "Avalara (sandbox)" is failing');
    expect(slackBody.blocks.map((b) => b.type)).toEqual(["section", "section", "context"]);
    // Neither the connection's secret nor the channel's own secrets travel in a message.
    for (const text of [mail!.raw, http.on("/slack/conn/")[0]!.raw]) {
      expect(text).not.toContain(wrongKey);
      expect(text).not.toContain(SMTP.password);
    }

    // Fixed: the right key, tested again.
    await db.sql`update connections set secrets_enc = ${encryptJson(demo.secrets)} where id = ${connectionId}`;
    expect((await testConnection(db, workspaceId, connectionId)).ok).toBe(true);
    for (let i = 0; i < 2; i++) await evaluateAlerts(db, { workspaceId });
    expect(mailsTo(to).map((m) => m.subject)).toEqual([
      '[Ledgerline · Alerts connection] Connection "Avalara (sandbox)" is failing',
      '[Ledgerline · Alerts connection] Resolved: Connection "Avalara (sandbox)" is failing',
    ]);
    const slacks = http.on("/slack/conn/").map((h) => (h.body as { text: string }).text);
    expect(slacks).toHaveLength(2);
    expect(slacks[1]).toMatch(/^Resolved: Connection "Avalara \(sandbox\)" is failing/);
    const [alert] = await db.sql`select status, occurrences from alerts where workspace_id = ${workspaceId}`;
    expect(alert).toEqual({ status: "resolved", occurrences: 1 });
  });

  it("50 failures of one cause produce one alert, which resolves when a run gets past the node", async () => {
    const workspaceId = await createWorkspace(db, "Alerts failures");
    const { email, slack } = await channels(workspaceId, "fail");
    await saveRule(db, workspaceId, { kind: "run_failed", name: "Failed runs", flowId: null, params: {}, channelIds: [email, slack], enabled: true });
    const flow = await createFlow(db, workspaceId, { name: "Post invoices", definition: postFlow(api.url) });
    for (let i = 0; i < 50; i++) api.script.push({ status: 400 });
    for (let i = 0; i < 50; i++) {
      expect(await runOnce(workspaceId, flow, { invoice: `INV-${i}`, customerTaxId: "PAYLOAD-TAX-ID-778" })).toBe("failed");
      if (i % 10 === 9) await evaluateAlerts(db, { workspaceId });
    }
    await evaluateAlerts(db, { workspaceId });
    const alerts = await db.sql`select status, occurrences, title from alerts where workspace_id = ${workspaceId}`;
    expect(alerts).toEqual([{ status: "open", occurrences: 50, title: 'Flow "Post invoices" failed at post' }]);
    expect(mailsTo("ops-fail@finance.test")).toHaveLength(1);
    expect(http.on("/slack/fail/")).toHaveLength(1);
    const mail = mailsTo("ops-fail@finance.test")[0]!;
    expect(mail.text).toContain("POST answered 400");
    expect(mail.text).toMatch(/\/runs\/[0-9a-f-]{36}/);
    expect(mail.raw).not.toContain("PAYLOAD-TAX-ID-778");

    expect(await runOnce(workspaceId, flow, { invoice: "INV-OK" })).toBe("succeeded");
    await evaluateAlerts(db, { workspaceId });
    expect(mailsTo("ops-fail@finance.test").map((m) => m.subject)).toEqual([
      '[Ledgerline · Alerts failures] Flow "Post invoices" failed at post',
      '[Ledgerline · Alerts failures] Resolved: Flow "Post invoices" failed at post',
    ]);
    const [after] = await db.sql`select status, occurrences from alerts where workspace_id = ${workspaceId}`;
    expect(after).toEqual({ status: "resolved", occurrences: 50 });
  });

  it("the daily digest groups queued alerts by cause, once a day", async () => {
    const workspaceId = await createWorkspace(db, "Alerts digest");
    const { email, slack } = await channels(workspaceId, "digest", "digest");
    await saveRule(db, workspaceId, { kind: "run_failed", name: "Failed runs", flowId: null, params: {}, channelIds: [email, slack], enabled: true });
    const flow = await createFlow(db, workspaceId, { name: "Digest flow", definition: postFlow(api.url) });
    for (let i = 0; i < 50; i++) api.script.push({ status: 400 });
    for (let i = 0; i < 50; i++) await runOnce(workspaceId, flow, { invoice: `D-${i}` });
    for (let i = 0; i < 3; i++) api.script.push({ status: 422 });
    for (let i = 0; i < 3; i++) await runOnce(workspaceId, flow, { invoice: `E-${i}` });

    // Due now (the channels' digest hour is this hour): one message per channel, two lines.
    await evaluateAlerts(db, { workspaceId });
    await evaluateAlerts(db, { workspaceId });
    const mails = mailsTo("ops-digest@finance.test");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("[Ledgerline · Alerts digest] Daily alert digest: 2 alerts");
    expect(mails[0]!.text).toContain('- Flow "Digest flow" failed at post (50×, Failed runs)');
    expect(mails[0]!.text).toContain('- Flow "Digest flow" failed at post (3×, Failed runs)');
    const slackDigests = http.on("/slack/digest/");
    expect(slackDigests).toHaveLength(1);
    expect((slackDigests[0]!.body as { text: string }).text).toBe("Daily alert digest: 2 alerts (Alerts digest)");

    // A new cause later the same day waits for tomorrow's digest.
    api.script.push({ status: 418 });
    await runOnce(workspaceId, flow, { invoice: "F-1" });
    await evaluateAlerts(db, { workspaceId });
    expect(mailsTo("ops-digest@finance.test")).toHaveLength(1);
    const tomorrow = new Date(Date.now() + 24 * 3_600_000);
    await evaluateAlerts(db, { workspaceId, now: tomorrow });
    const second = mailsTo("ops-digest@finance.test");
    expect(second).toHaveLength(2);
    expect(second[1]!.subject).toBe("[Ledgerline · Alerts digest] Daily alert digest: 1 alert");
    expect(http.on("/slack/digest/")).toHaveLength(2);
  });

  it("review alerts go to the assignee: set by the flow's rule, then by hand", async () => {
    const workspaceId = await createWorkspace(db, "Alerts review");
    const { email, slack } = await channels(workspaceId, "review");
    const users = await db.sql<{ id: string; email: string }[]>`
      insert into users (email, name) values (${`ana-${workspaceId}@finance.test`}, 'Ana Reviewer'), (${`ben-${workspaceId}@finance.test`}, 'Ben Backup')
      returning id::text, email`;
    for (const u of users) await db.sql`insert into memberships (workspace_id, user_id, role) values (${workspaceId}, ${u.id}, 'operator')`;
    const [ana, ben] = users;
    const tableId = await createLookupTable(db, workspaceId, "States", { WA: { value: "D-WEST" } });
    const flow = await createFlow(db, workspaceId, { name: "Departments", definition: builtInFlow(tableId) });
    await setAssignmentRule(db, workspaceId, { flowId: flow.flowId, reasonCode: null, userId: ana!.id });
    await saveRule(db, workspaceId, { kind: "review_opened", name: "Review", flowId: flow.flowId, params: {}, channelIds: [email, slack], enabled: true });
    await expect(setAssignmentRule(db, workspaceId, { flowId: flow.flowId, reasonCode: null, userId: "00000000-0000-4000-8000-000000000000" })).rejects.toThrow(/member/);

    const invoice = (n: string) => ({ number: n, address: { region: "zz" }, lines: [{ amount: 10 }] });
    expect(await runOnce(workspaceId, flow, invoice("R-1"))).toBe("needs_review");
    expect(await runOnce(workspaceId, flow, invoice("R-2"))).toBe("needs_review");
    await evaluateAlerts(db, { workspaceId });
    const items = await db.sql<{ id: string; assignee: string; assigned_by: string }[]>`
      select id::text, assignee_user_id::text as assignee, assigned_by from review_items where workspace_id = ${workspaceId}`;
    expect(items.map((i) => [i.assignee, i.assigned_by])).toEqual([
      [ana!.id, "rule"],
      [ana!.id, "rule"],
    ]);
    expect(mailsTo(ana!.email)).toHaveLength(1);
    expect(mailsTo("ops-review@finance.test")).toHaveLength(0);
    expect(mailsTo(ana!.email)[0]!.subject).toBe('[Ledgerline · Alerts review] 2 review items waiting in "Departments" (lookup_miss)');
    expect(JSON.stringify(http.on("/slack/review/")[0]!.body)).toContain("Ana Reviewer");

    // Handed to Ben: Ana's alert resolves, Ben gets his.
    await assignReviews(db, workspaceId, items.map((i) => i.id), ben!.id, "lead@finance.test");
    await evaluateAlerts(db, { workspaceId });
    expect(mailsTo(ben!.email)).toHaveLength(1);
    expect(mailsTo(ana!.email).map((m) => m.subject)).toEqual([
      '[Ledgerline · Alerts review] 2 review items waiting in "Departments" (lookup_miss)',
      '[Ledgerline · Alerts review] Resolved: 2 review items waiting in "Departments" (lookup_miss)',
    ]);
    await expect(assignReviews(db, workspaceId, [items[0]!.id], "00000000-0000-4000-8000-000000000000", "x")).rejects.toThrow(/member/);
  });

  it("a review item parked in the millisecond a pass reads the clock is in that pass's count", async () => {
    // PostgreSQL stamps microseconds, the pass's clock is whole milliseconds: an item parked at
    // 10:00:00.000400 is there when the pass reads 10:00:00.000.
    const workspaceId = await createWorkspace(db, "Alerts same millisecond");
    const { email, slack } = await channels(workspaceId, "same-ms");
    const tableId = await createLookupTable(db, workspaceId, "States", { WA: { value: "D-WEST" } });
    const flow = await createFlow(db, workspaceId, { name: "Departments", definition: builtInFlow(tableId) });
    await saveRule(db, workspaceId, { kind: "review_opened", name: "Review", flowId: flow.flowId, params: {}, channelIds: [email, slack], enabled: true });
    for (const n of ["S-1", "S-2"]) expect(await runOnce(workspaceId, flow, { number: n, address: { region: "zz" }, lines: [{ amount: 10 }] })).toBe("needs_review");
    await db.sql`update review_items set created_at = '2026-12-01T10:00:00.000400Z' where workspace_id = ${workspaceId}`;
    await evaluateAlerts(db, { workspaceId, now: new Date("2026-12-01T10:00:00.000Z") });
    expect(mailsTo("ops-same-ms@finance.test").map((m) => m.subject)).toEqual([
      '[Ledgerline · Alerts same millisecond] 2 review items waiting in "Departments" (lookup_miss)',
    ]);
  });

  it("Teams gets an Adaptive Card; a generic webhook is signed with HMAC-SHA256; test-send reports a failing channel", async () => {
    const workspaceId = await createWorkspace(db, "Alerts hooks");
    const teams = await saveChannel(db, workspaceId, {
      kind: "teams", name: "Teams", config: {}, secrets: { webhookUrl: `${http.url}/teams/workflows/abc` }, delivery: "immediate", digestHour: 8, enabled: true,
    });
    const hook = await saveChannel(db, workspaceId, {
      kind: "webhook", name: "Pager", config: { url: `${http.url}/hook/pager` }, secrets: { signingSecret: SIGNING_SECRET }, delivery: "immediate", digestHour: 8, enabled: true,
    });
    await sendTestMessage(db, workspaceId, teams, "lead@finance.test");
    await sendTestMessage(db, workspaceId, hook, "lead@finance.test");
    const card = http.on("/teams/workflows/abc")[0]!.body as { type: string; attachments: { contentType: string; content: { type: string; version: string; actions: { type: string; url: string }[] } }[] };
    expect(card.type).toBe("message");
    expect(card.attachments[0]!.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(card.attachments[0]!.content).toMatchObject({ type: "AdaptiveCard", version: "1.4" });
    expect(card.attachments[0]!.content.actions[0]).toMatchObject({ type: "Action.OpenUrl" });

    const hit = http.on("/hook/pager")[0]!;
    const header = String(hit.headers["ledgerline-signature"]);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header)!;
    expect(v1).toBe(createHmac("sha256", SIGNING_SECRET).update(`${t}.${hit.raw}`).digest("hex"));
    expect(hit.body).toMatchObject({ type: "alert.test", workspace: "Alerts hooks" });

    http.status.set("/teams/", 500);
    await expect(sendTestMessage(db, workspaceId, teams, "lead@finance.test")).rejects.toThrow('teams channel "Teams" answered HTTP 500');
    http.status.delete("/teams/");
    const deliveries = await db.sql`select event, status from alert_deliveries where channel_id = ${teams} order by created_at`;
    expect(deliveries).toEqual([
      { event: "test", status: "sent" },
      { event: "test", status: "failed" },
    ]);
    // Bad input: a Slack channel without its webhook URL is refused and nothing is stored.
    await expect(saveChannel(db, workspaceId, { kind: "slack", name: "No URL", config: {}, delivery: "immediate", digestHour: 8, enabled: true })).rejects.toThrow();
    const [count] = await db.sql`select count(*)::int as n from alert_channels where workspace_id = ${workspaceId}`;
    expect(count).toEqual({ n: 2 });
  });
});
