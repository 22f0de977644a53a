/**
 * A workspace holding data of every kind, made through the engine's own functions: members of
 * every role, a connection, a mapping table with rows, a flow with two versions, a run parked for
 * review (with its node runs and review item), a queued run, ledger entry, poll checkpoint,
 * webhook delivery and OAuth state, an API token, an open invitation and audit events.
 * `marker` is written into every name, so a test can tell whether any of it leaked.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../../../db/client";
import type { Role } from "../../../engine/auth/roles";
import { jsonb } from "../../../db/client";
import { createFlow, runNow, saveVersion } from "../../../engine/flows";
import { createRuns } from "../../../engine/runs";
import { templates } from "../../../engine/templates";
import { builtInFlow, createConnection, createLookupTable, createWorkspace } from "../../../engine/test/helpers";
import type { IdPicker } from "./procedures";
import { member, type Member } from "./caller";

export interface SeededWorkspace {
  workspaceId: string;
  marker: string;
  members: Record<Role, Member>;
  connectionId: string;
  tableId: string;
  flowId: string;
  versionIds: string[];
  runId: string;
  queuedRunId: string;
  reviewId: string;
  approvalId: string;
  tokenId: string;
  invitationId: string;
  /** An id for each id field a procedure takes (`flowId`, `ids`, `id` of connections...). */
  pickId: IdPicker;
  /** KNOWN_INPUTS and the fields that name this workspace's things (a flow definition on its table). */
  inputs: Record<string, Record<string, unknown>>;
}

/** Fields the generated inputs cannot guess (a system name, a picker): merged over them. */
export const KNOWN_INPUTS: Record<string, Record<string, unknown>> = {
  "connections.sandboxSettings": { system: "avalara" },
  "connections.createSandbox": { system: "avalara" },
  "connections.picker": { picker: "companies" },
  "connections.create": { system: "avalara" },
  "lookups.deleteRows": { keys: ["WA"] },
  "reports.get": { day: "2026-01-15" },
  "reports.run": { day: "2026-01-15" },
  "reports.replay": { day: "2026-01-15" },
  "reports.replayKind": { day: "2026-01-15" },
};

const ROLES: Role[] = ["owner", "admin", "editor", "operator", "viewer"];

export async function seedWorkspace(db: Db, label: string): Promise<SeededWorkspace> {
  const marker = `${label}-${randomUUID().slice(0, 6)}`;
  const workspaceId = await createWorkspace(db, `Workspace ${marker}`);
  const members = {} as Record<Role, Member>;
  for (const role of ROLES) members[role] = await member(db, workspaceId, role, `${role} ${marker}`);
  const actor = { label: members.editor.actor, kind: "user" as const, userId: members.editor.user.id, ip: "198.51.100.4" };

  // Points at a closed local port: a procedure that calls it gets a network error, never a real system.
  const connectionId = await createConnection(
    db,
    workspaceId,
    "avalara",
    `Avalara ${marker}`,
    { environment: "custom", baseUrl: "http://127.0.0.1:9", appName: "Ledgerline", appVersion: "0.1", machineName: "test", timeoutMs: 2000 },
    { accountId: "2000134479", licenseKey: `licence-${marker}` },
  );
  const tableId = await createLookupTable(db, workspaceId, `Regions ${marker}`, { WA: { value: `D-${marker}` } });
  const { flowId, versionId } = await createFlow(db, workspaceId, { name: `Flow ${marker}`, description: `About ${marker}`, definition: builtInFlow(tableId) }, actor);
  const second = await saveVersion(db, workspaceId, flowId, builtInFlow(tableId), `Second ${marker}`, actor);

  // A run that missed its mapping ("TX") and parked for review, with node runs up to the lookup
  // (written as the executor writes them: input, output, an HTTP call with bodies, a log line).
  const { created } = await db.sql.begin((tx) =>
    createRuns(tx, { workspaceId, flowId, versionId, triggerKind: "manual" }, [
      { key: `record-${marker}`, version: "1", label: `Invoice ${marker}`, data: { number: `INV-${marker}`, address: { region: "tx" }, lines: [{ amount: 10 }] } },
    ], { enqueue: false }),
  );
  const runId = created[0]!;
  const input = { number: `INV-${marker}`, address: { region: "tx" }, lines: [{ amount: 10 }] };
  const mapped = { invoice: `INV-${marker}`, state: "TX", amount: 10 };
  const call = { method: "POST", url: `http://127.0.0.1:9/api/v2/addresses/resolve?documentCode=INV-${marker}`, status: 200, durationMs: 12, requestHeaders: { authorization: "[redacted]" }, requestBody: JSON.stringify(input), responseBody: JSON.stringify({ ok: `INV-${marker}` }), at: new Date().toISOString() };
  const nodes: [string, string, string, unknown, unknown, unknown[]][] = [
    ["trigger", "core.manualTrigger", "succeeded", input, input, []],
    ["map", "core.mapFields", "succeeded", input, mapped, [call]],
    ["dept", "core.lookup", "needs_review", mapped, null, []],
  ];
  for (const [seq, [nodeId, nodeType, status, nodeInput, output, httpCalls]] of nodes.entries()) {
    await db.sql`
      insert into node_runs (workspace_id, run_id, node_id, node_type, status, input, output, http_calls, logs, seq, finished_at, duration_ms)
      values (${workspaceId}, ${runId}, ${nodeId}, ${nodeType}, ${status}, ${jsonb(nodeInput)}::text::jsonb, ${jsonb(output)}::text::jsonb,
              ${jsonb(httpCalls)}::text::jsonb, ${jsonb([{ level: "info", message: "step done", data: { invoice: `INV-${marker}` }, at: new Date().toISOString() }])}::text::jsonb,
              ${seq}, now(), 5)`;
  }
  const error = { kind: "needs_review", name: "NeedsReviewError", message: 'No mapping for "TX" in the mapping table', reasonCode: "lookup_miss", details: { missing: ["TX"], tableId } };
  await db.sql`
    update runs set status = 'needs_review', error = ${jsonb(error)}::text::jsonb, error_kind = 'needs_review', failed_node_id = 'dept',
           started_at = now(), finished_at = now(), duration_ms = 20
    where id = ${runId}`;
  const [review] = await db.sql<{ id: string }[]>`
    insert into review_items (workspace_id, run_id, flow_id, node_id, reason_code, reason, details)
    values (${workspaceId}, ${runId}, ${flowId}, 'dept', 'lookup_miss', ${error.message}, ${jsonb(error.details)}::text::jsonb)
    returning id::text`;
  await db.sql`
    insert into audit_events (workspace_id, actor, action, entity_type, entity_id, run_id, record_key, data)
    values (${workspaceId}, 'engine', 'run.needs_review', 'run', ${runId}, ${runId}, ${`record-${marker}`}, ${jsonb({ flowId, error: error.message })}::text::jsonb)`;
  // What the engine keeps beside runs: a posted write in the ledger, a poll checkpoint, a webhook delivery, an OAuth state.
  await db.sql`
    insert into idempotency_ledger (workspace_id, system, business_key, status, result, node_type, first_run_id, last_run_id)
    values (${workspaceId}, 'avalara', ${`INV-${marker}`}, 'done', ${jsonb({ code: `INV-${marker}` })}::text::jsonb, 'avalara.createTransaction', ${runId}, ${runId})`;
  await db.sql`
    insert into trigger_checkpoints (workspace_id, flow_id, node_id, config_hash, cursor) values (${workspaceId}, ${flowId}, 'trigger', 'h', ${jsonb({ since: marker })}::text::jsonb)`;
  await db.sql`insert into webhook_events (workspace_id, flow_id, node_id, event_id) values (${workspaceId}, ${flowId}, 'trigger', ${`evt-${marker}`})`;
  await db.sql`
    insert into oauth_states (state, workspace_id, connection_id, redirect_uri) values (${`state-${marker}`}, ${workspaceId}, ${connectionId}, 'http://localhost/cb')`;
  // A second run, queued for the worker (its job is part of what must not change).
  const queuedRunId = await runNow(db, workspaceId, flowId, { number: `Q-${marker}`, address: { region: "wa" }, lines: [{ amount: 5 }] }, undefined, actor);

  // A write waiting for approval (maker-checker), with the request it would send.
  const [approval] = await db.sql<{ id: string }[]>`
    insert into approvals (workspace_id, run_id, flow_id, node_id, node_type, request, condition, maker)
    values (${workspaceId}, ${queuedRunId}, ${flowId}, 'big', 'core.filter', ${jsonb({ number: `Q-${marker}` })}::text::jsonb, 'amount > 1', 'engine')
    returning id::text`;

  const secret = `llt_${randomBytes(32).toString("base64url")}`;
  const [token] = await db.sql<{ id: string }[]>`
    insert into api_tokens (workspace_id, user_id, name, prefix, token_hash, role)
    values (${workspaceId}, ${members.admin.user.id}, ${`CI ${marker}`}, ${secret.slice(0, 12)}, ${createHash("sha256").update(secret).digest("hex")}, 'operator')
    returning id::text`;
  const [invitation] = await db.sql<{ id: string }[]>`
    insert into invitations (workspace_id, email, role, token_hash, invited_by, expires_at)
    values (${workspaceId}, ${`invitee.${marker}@ledgerline.test`}, 'viewer', ${createHash("sha256").update(randomUUID()).digest("hex")}, ${members.owner.user.id}, now() + interval '7 days')
    returning id::text`;

  const [alertChannel] = await db.sql<{ id: string }[]>`
    insert into alert_channels (workspace_id, kind, name, config) values (${workspaceId}, 'webhook', ${`Pager ${marker}`}, ${jsonb({ url: "http://127.0.0.1:9/hook" })}::text::jsonb)
    returning id::text`;
  const [alertRule] = await db.sql<{ id: string }[]>`
    insert into alert_rules (workspace_id, kind, name, flow_id, channel_ids) values (${workspaceId}, 'run_failed', ${`Failures ${marker}`}, ${flowId}, ${jsonb([alertChannel!.id])}::text::jsonb)
    returning id::text`;
  const [assignmentRule] = await db.sql<{ id: string }[]>`
    insert into review_assignment_rules (workspace_id, flow_id, user_id) values (${workspaceId}, ${flowId}, ${members.operator.user.id}) returning id::text`;

  const seeded = {
    workspaceId,
    marker,
    members,
    connectionId,
    tableId,
    flowId,
    versionIds: [versionId, second.versionId],
    runId,
    queuedRunId,
    reviewId: review!.id,
    approvalId: approval!.id,
    tokenId: token!.id,
    invitationId: invitation!.id,
  };
  const pickId: IdPicker = (field, path) => {
    const router = path.split(".")[0];
    switch (field) {
      case "flowId":
        return flowId;
      case "versionId":
      case "fromVersionId":
        return versionId;
      case "toVersionId":
        return second.versionId;
      case "runId":
      case "runIds":
        return runId;
      case "tableId":
        return tableId;
      case "connectionId":
        return connectionId;
      case "reviewId":
      case "reviewIds":
        return review!.id;
      case "tokenId":
        return token!.id;
      case "invitationId":
        return invitation!.id;
      case "workspaceId":
        return workspaceId;
      case "userId":
      case "memberId":
      case "actorUserId":
        return members.viewer.user.id;
      case "ids":
        return router === "reviews" ? review!.id : undefined;
      case "ruleId":
        return alertRule!.id;
      case "channelId":
      case "channelIds":
        return alertChannel!.id;
      case "assignmentRuleId":
        return assignmentRule!.id;
      case "id":
        if (router === "connections") return connectionId;
        if (router === "tokens") return token!.id;
        if (router === "members") return invitation!.id;
        if (router === "flows") return flowId;
        if (router === "runs") return runId;
        if (router === "reviews") return review!.id;
        if (router === "lookups") return tableId;
        if (router === "approvals") return approval!.id;
        return undefined;
      default:
        return undefined;
    }
  };
  const inputs = {
    ...KNOWN_INPUTS,
    "flows.save": { definition: builtInFlow(tableId), note: "From the test" },
    "flows.validate": { definition: builtInFlow(tableId) },
    "templates.use": { templateId: templates[0]!.id },
    "members.invite": { email: `new.${marker}@ledgerline.test`, role: "viewer" },
    "members.changeRole": { role: "operator" },
    "tokens.create": { name: `Script ${marker}`, role: "viewer", expiresInDays: 30 },
  };
  return { ...seeded, pickId, inputs };
}
