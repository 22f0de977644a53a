/**
 * Flows and their versions: save (a new immutable version each time; drafts with problems are
 * allowed), activate (only a version without problems), run now, dry run.
 */
import { randomUUID } from "node:crypto";
import { jsonb, type Db } from "../db/client";
import { changes, recordAudit, SYSTEM_ACTOR, type Actor } from "./audit";
import { executeRun } from "./executor/run";
import { type FlowDefinitionInput } from "./flow/schema";
import { FlowInvalidError, validateFlow, type ConnectionRef, type FlowProblem } from "./flow/validate";
import { createRuns } from "./runs";
import { findTrigger, syncSchedule } from "./triggers";

export async function workspaceConnections(db: Db, workspaceId: string): Promise<ConnectionRef[]> {
  return db.sql<ConnectionRef[]>`select id::text, system, name from connections where workspace_id = ${workspaceId}`;
}

export async function validateForWorkspace(db: Db, workspaceId: string, definition: unknown) {
  return validateFlow(definition, await workspaceConnections(db, workspaceId));
}

export async function createFlow(
  db: Db,
  workspaceId: string,
  input: { name: string; description?: string; definition: FlowDefinitionInput; templateId?: string },
  actor: Actor = SYSTEM_ACTOR,
): Promise<{ flowId: string; versionId: string; problems: FlowProblem[] }> {
  const sql = db.sql;
  const [flow] = await sql<{ id: string }[]>`
    insert into flows (workspace_id, name, description, template_id)
    values (${workspaceId}, ${input.name}, ${input.description ?? ""}, ${input.templateId ?? null}) returning id::text`;
  await recordAudit(sql, workspaceId, actor, { action: "flow.created", entityType: "flow", entityId: flow!.id, data: { name: input.name, templateId: input.templateId ?? null } });
  const saved = await saveVersion(db, workspaceId, flow!.id, input.definition, "Created", actor);
  return { flowId: flow!.id, ...saved };
}

/** Save a new version. The definition must parse; other problems are returned, not thrown. */
export async function saveVersion(
  db: Db,
  workspaceId: string,
  flowId: string,
  definition: unknown,
  note = "",
  actor: Actor = SYSTEM_ACTOR,
): Promise<{ versionId: string; version: number; problems: FlowProblem[] }> {
  const { flow, problems } = await validateForWorkspace(db, workspaceId, definition);
  if (!flow) throw new FlowInvalidError(problems);
  return db.sql.begin(async (tx) => {
    const [row] = await tx<{ latest_version: number }[]>`
      update flows set latest_version = latest_version + 1, updated_at = now()
      where id = ${flowId} and workspace_id = ${workspaceId} returning latest_version`;
    if (!row) throw new Error("flow not found");
    const [version] = await tx<{ id: string }[]>`
      insert into flow_versions (workspace_id, flow_id, version, definition, note)
      values (${workspaceId}, ${flowId}, ${row.latest_version}, ${jsonb(flow)}::text::jsonb, ${note}) returning id::text`;
    await recordAudit(tx, workspaceId, actor, { action: "flow.saved", entityType: "flow", entityId: flowId, data: { version: row.latest_version, versionId: version!.id, note, problems: problems.length } });
    return { versionId: version!.id, version: row.latest_version, problems };
  });
}

/** Activate a version (default: the latest). Refused while it has problems. */
export async function activateFlow(db: Db, workspaceId: string, flowId: string, versionId?: string, actor: Actor = SYSTEM_ACTOR): Promise<{ versionId: string; nextTickAt?: Date }> {
  const sql = db.sql;
  const version = await versionFor(db, workspaceId, flowId, versionId);
  await sql.begin(async (tx) => {
    const [before] = await tx<{ activeVersionId: string | null; active: boolean }[]>`
      select active_version_id::text as "activeVersionId", active from flows where id = ${flowId} and workspace_id = ${workspaceId} for update`;
    await tx`
      update flows set active = true, active_version_id = ${version.id}, updated_at = now()
      where id = ${flowId} and workspace_id = ${workspaceId}`;
    await recordAudit(tx, workspaceId, actor, { action: "flow.activated", entityType: "flow", entityId: flowId, data: { versionId: version.id, changes: changes(before ?? {}, { active: true, activeVersionId: version.id }) } });
  });
  const nextTickAt = await syncSchedule(db, workspaceId, flowId, { pollNow: true });
  return { versionId: version.id, nextTickAt };
}

/** Deactivate a flow of the workspace; false (and nothing touched) when it has no such flow. */
export async function deactivateFlow(db: Db, workspaceId: string, flowId: string, actor: Actor = SYSTEM_ACTOR): Promise<boolean> {
  const found = await db.sql.begin(async (tx) => {
    const rows = await tx`update flows set active = false, updated_at = now() where id = ${flowId} and workspace_id = ${workspaceId} returning id`;
    if (rows.length === 0) return false;
    await recordAudit(tx, workspaceId, actor, { action: "flow.deactivated", entityType: "flow", entityId: flowId });
    return true;
  });
  if (found) await syncSchedule(db, workspaceId, flowId);
  return found;
}

/** Rename or describe a flow. Throws when the workspace has no such flow. */
export async function updateFlow(db: Db, workspaceId: string, flowId: string, patch: { name?: string; description?: string }, actor: Actor = SYSTEM_ACTOR): Promise<void> {
  await db.sql.begin(async (tx) => {
    const [before] = await tx<{ name: string; description: string }[]>`
      select name, description from flows where id = ${flowId} and workspace_id = ${workspaceId} for update`;
    if (!before) throw new Error("flow not found");
    await tx`
      update flows set name = coalesce(${patch.name ?? null}, name), description = coalesce(${patch.description ?? null}, description), updated_at = now()
      where id = ${flowId} and workspace_id = ${workspaceId}`;
    await recordAudit(tx, workspaceId, actor, { action: "flow.updated", entityType: "flow", entityId: flowId, data: { changes: changes(before, patch) } });
  });
}

/** Delete a flow with its versions and runs (its schedule is cancelled first). */
export async function deleteFlow(db: Db, workspaceId: string, flowId: string, actor: Actor = SYSTEM_ACTOR): Promise<void> {
  const [flow] = await db.sql<{ name: string }[]>`select name from flows where id = ${flowId} and workspace_id = ${workspaceId}`;
  if (!flow) throw new Error("flow not found");
  await deactivateFlow(db, workspaceId, flowId, actor);
  await db.sql.begin(async (tx) => {
    await tx`delete from flows where id = ${flowId} and workspace_id = ${workspaceId}`;
    await recordAudit(tx, workspaceId, actor, { action: "flow.deleted", entityType: "flow", entityId: flowId, data: { name: flow.name } });
  });
}

/** A version (default: the latest) that validates without problems, or FlowInvalidError. */
async function versionFor(db: Db, workspaceId: string, flowId: string, versionId?: string) {
  const sql = db.sql;
  const [version] = versionId
    ? await sql<{ id: string; definition: unknown }[]>`
        select id::text, definition from flow_versions where id = ${versionId} and flow_id = ${flowId} and workspace_id = ${workspaceId}`
    : await sql<{ id: string; definition: unknown }[]>`
        select id::text, definition from flow_versions where flow_id = ${flowId} and workspace_id = ${workspaceId}
        order by version desc limit 1`;
  if (!version) throw new Error("flow version not found");
  const { flow, problems } = await validateForWorkspace(db, workspaceId, version.definition);
  if (!flow || problems.length > 0) throw new FlowInvalidError(problems);
  return { id: version.id, flow };
}

/** "Run now": a manual run of a version (default latest) with the given data, queued for the worker. */
export async function runNow(db: Db, workspaceId: string, flowId: string, data?: unknown, versionId?: string, actor: Actor = SYSTEM_ACTOR): Promise<string> {
  const version = await versionFor(db, workspaceId, flowId, versionId);
  const trigger = findTrigger(version.flow)!;
  const key = `manual:${randomUUID()}`;
  const created = await db.sql.begin(async (tx) => {
    const runs = await createRuns(tx, { workspaceId, flowId, versionId: version.id, triggerKind: "manual" }, [
      { key, version: "", data: data ?? null, label: trigger.node.name ?? "Manual run" },
    ]);
    await recordAudit(tx, workspaceId, actor, { action: "flow.run_now", entityType: "flow", entityId: flowId, runId: runs.created[0]!, recordKey: key, data: { versionId: version.id } });
    return runs;
  });
  return created.created[0]!;
}

/** Dry run: executes reads and transforms right away and stops before the first write. */
export async function dryRun(db: Db, workspaceId: string, flowId: string, data?: unknown, versionId?: string, actor: Actor = SYSTEM_ACTOR): Promise<string> {
  const version = await versionFor(db, workspaceId, flowId, versionId);
  const created = await db.sql.begin(async (tx) => {
    const runs = await createRuns(tx, { workspaceId, flowId, versionId: version.id, triggerKind: "dry_run" }, [{ key: `dry:${randomUUID()}`, version: "", data: data ?? null, label: "Dry run" }], {
      enqueue: false,
    });
    await recordAudit(tx, workspaceId, actor, { action: "flow.dry_run", entityType: "flow", entityId: flowId, runId: runs.created[0]!, data: { versionId: version.id } });
    return runs;
  });
  const runId = created.created[0]!;
  await executeRun(db, runId, { dryRun: true });
  return runId;
}
