/**
 * Flows and their versions: save (a new immutable version each time; drafts with problems are
 * allowed), activate (only a version without problems), run now, dry run.
 */
import { randomUUID } from "node:crypto";
import { jsonb, type Db } from "../db/client";
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
): Promise<{ flowId: string; versionId: string; problems: FlowProblem[] }> {
  const sql = db.sql;
  const [flow] = await sql<{ id: string }[]>`
    insert into flows (workspace_id, name, description, template_id)
    values (${workspaceId}, ${input.name}, ${input.description ?? ""}, ${input.templateId ?? null}) returning id::text`;
  const saved = await saveVersion(db, workspaceId, flow!.id, input.definition, "Created");
  return { flowId: flow!.id, ...saved };
}

/** Save a new version. The definition must parse; other problems are returned, not thrown. */
export async function saveVersion(
  db: Db,
  workspaceId: string,
  flowId: string,
  definition: unknown,
  note = "",
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
    await tx`
      insert into audit_events (workspace_id, actor, action, entity_type, entity_id, data)
      values (${workspaceId}, 'user', 'flow.saved', 'flow', ${flowId}, ${jsonb({ version: row.latest_version, problems: problems.length })}::text::jsonb)`;
    return { versionId: version!.id, version: row.latest_version, problems };
  });
}

/** Activate a version (default: the latest). Refused while it has problems. */
export async function activateFlow(db: Db, workspaceId: string, flowId: string, versionId?: string): Promise<{ versionId: string; nextTickAt?: Date }> {
  const sql = db.sql;
  const version = await versionFor(db, workspaceId, flowId, versionId);
  await sql`
    update flows set active = true, active_version_id = ${version.id}, updated_at = now()
    where id = ${flowId} and workspace_id = ${workspaceId}`;
  await sql`
    insert into audit_events (workspace_id, actor, action, entity_type, entity_id, data)
    values (${workspaceId}, 'user', 'flow.activated', 'flow', ${flowId}, ${jsonb({ versionId: version.id })}::text::jsonb)`;
  const nextTickAt = await syncSchedule(db, flowId, { pollNow: true });
  return { versionId: version.id, nextTickAt };
}

export async function deactivateFlow(db: Db, workspaceId: string, flowId: string): Promise<void> {
  const sql = db.sql;
  await sql`update flows set active = false, updated_at = now() where id = ${flowId} and workspace_id = ${workspaceId}`;
  await sql`
    insert into audit_events (workspace_id, actor, action, entity_type, entity_id)
    values (${workspaceId}, 'user', 'flow.deactivated', 'flow', ${flowId})`;
  await syncSchedule(db, flowId);
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
export async function runNow(db: Db, workspaceId: string, flowId: string, data?: unknown, versionId?: string): Promise<string> {
  const version = await versionFor(db, workspaceId, flowId, versionId);
  const trigger = findTrigger(version.flow)!;
  const key = `manual:${randomUUID()}`;
  const created = await db.sql.begin((tx) =>
    createRuns(tx, { workspaceId, flowId, versionId: version.id, triggerKind: "manual" }, [
      { key, version: "", data: data ?? null, label: trigger.node.name ?? "Manual run" },
    ]),
  );
  return created.created[0]!;
}

/** Dry run: executes reads and transforms right away and stops before the first write. */
export async function dryRun(db: Db, workspaceId: string, flowId: string, data?: unknown, versionId?: string): Promise<string> {
  const version = await versionFor(db, workspaceId, flowId, versionId);
  const created = await db.sql.begin((tx) =>
    createRuns(tx, { workspaceId, flowId, versionId: version.id, triggerKind: "dry_run" }, [{ key: `dry:${randomUUID()}`, version: "", data: data ?? null, label: "Dry run" }], {
      enqueue: false,
    }),
  );
  const runId = created.created[0]!;
  await executeRun(db, runId, { dryRun: true });
  return runId;
}
