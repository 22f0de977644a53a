/**
 * Template improvements: what a newer version of a flow's template changes, and applying it.
 *
 * The flow's first version is what the template built at the version recorded on the flow
 * (flows.template_version). Rebuilding the flow with the template as it is now, from the same
 * connections, mapping tables and parameter values (flows.template_parameters), shows what the
 * template changed since: nodes added, removed or changed (config, name, notes, type), edges
 * added or removed, settings changed. The person's own edits are the difference between the first
 * version and the latest.
 *
 * Applying merges three ways, on the latest version: a node only the template changed takes the
 * template's (keeping the person's position on the canvas); a node both changed is a conflict,
 * kept as the person has it unless it is named in `take`; edges the template removed go, edges it
 * added come; settings likewise per key. The result is saved as a new version (activate it as
 * usual) and the flow records the new template version.
 */
import { isDeepStrictEqual } from "node:util";
import type { Db } from "../../db/client";
import { recordAudit, SYSTEM_ACTOR, type Actor } from "../audit";
import { parseFlowDefinition, type FlowDefinition, type FlowDefinitionInput, type FlowEdge, type FlowNode } from "../flow/schema";
import { saveVersion } from "../flows";
import { registry } from "../registry";
import { applyBindings, findTemplate, resolveParameters, templateParameters, templateVersion } from "./index";
import type { TemplateSystem } from "./types";

export interface NodeChange {
  nodeId: string;
  name: string;
  kind: "added" | "removed" | "changed";
  /** The fields the template changed (config keys as `config.<key>`). */
  fields: string[];
  /** The person changed this node too: applied only when named in `take`. */
  conflict: boolean;
}

export interface TemplateImprovements {
  templateId: string;
  title: string;
  fromVersion: number;
  toVersion: number;
  upToDate: boolean;
  nodes: NodeChange[];
  edges: { added: string[]; removed: string[] };
  settings: { key: string; from: unknown; to: unknown; conflict: boolean }[];
}

/** A node as compared: everything but its place on the canvas. */
const comparable = (n: FlowNode | undefined) => (n ? { ...n, position: undefined } : undefined);
const edgeKey = (e: FlowEdge) => `${e.source}:${e.sourceHandle ?? "out"}->${e.target}`;

function fieldsChanged(a: FlowNode | undefined, b: FlowNode | undefined): string[] {
  if (!a || !b) return [];
  const out: string[] = [];
  for (const key of ["type", "typeVersion", "name", "notes", "connectionId"] as const) if (!isDeepStrictEqual(a[key], b[key])) out.push(key);
  const ca = (a.config ?? {}) as Record<string, unknown>;
  const cb = (b.config ?? {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(ca), ...Object.keys(cb)])) if (!isDeepStrictEqual(ca[key], cb[key])) out.push(`config.${key}`);
  const extra = (n: FlowNode) => Object.fromEntries(Object.entries(n).filter(([k]) => !["type", "typeVersion", "name", "notes", "connectionId", "config", "position", "id"].includes(k)));
  if (!isDeepStrictEqual(extra(a), extra(b))) out.push("other");
  return out;
}

interface Loaded {
  templateId: string;
  fromVersion: number;
  base: FlowDefinition;
  latest: FlowDefinition;
  rebuilt: FlowDefinition;
  toVersion: number;
  title: string;
}

async function load(db: Db, workspaceId: string, flowId: string): Promise<Loaded> {
  const [flow] = await db.sql<{ template_id: string | null; template_version: number | null; template_parameters: Record<string, string> | null; slug: string }[]>`
    select f.template_id, f.template_version, f.template_parameters, w.slug from flows f join workspaces w on w.id = f.workspace_id
    where f.id = ${flowId} and f.workspace_id = ${workspaceId}`;
  if (!flow) throw new Error("flow not found");
  const template = flow.template_id ? findTemplate(flow.template_id) : undefined;
  if (!template || flow.template_version === null) throw new Error("This flow was not made from a template version this product knows");
  const versions = await db.sql<{ version: number; definition: unknown }[]>`
    select version, definition from flow_versions where flow_id = ${flowId} and workspace_id = ${workspaceId}
    and version in (1, (select max(version) from flow_versions where flow_id = ${flowId} and workspace_id = ${workspaceId})) order by version`;
  const base = parseFlowDefinition(versions[0]!.definition);
  const latest = parseFlowDefinition(versions[versions.length - 1]!.definition);

  // The same connections (per system, from the first version), tables (by name) and values.
  const connections: Partial<Record<TemplateSystem, string>> = {};
  for (const node of base.nodes) {
    const system = registry.node(node.type, node.typeVersion)?.connection as TemplateSystem | undefined;
    if (system && node.connectionId && !connections[system]) connections[system] = node.connectionId;
  }
  const tables: Record<string, string> = {};
  for (const table of template.tables) {
    const [row] = await db.sql<{ id: string }[]>`select id::text from lookup_tables where workspace_id = ${workspaceId} and name = ${table.name}`;
    // A table the newer version adds is created when the improvements are applied.
    tables[table.ref] = row?.id ?? `new:${table.ref}`;
  }
  let params: Record<string, string>;
  try {
    params = resolveParameters(template, flow.template_parameters ?? {}, flow.slug === "demo");
  } catch {
    throw new Error("The values picked when this flow was set up are not recorded, so the template's changes cannot be shown; set it up again from the template to get them");
  }
  const rebuilt = parseFlowDefinition(applyBindings(template.build({ connections, tables, params }), templateParameters(template), params) as FlowDefinitionInput);
  return { templateId: template.id, title: template.title, fromVersion: flow.template_version, toVersion: templateVersion(template), base, latest, rebuilt };
}

function diff({ base, latest, rebuilt }: Pick<Loaded, "base" | "latest" | "rebuilt">) {
  const byId = (d: FlowDefinition) => new Map(d.nodes.map((n) => [n.id, n]));
  const [b, l, r] = [byId(base), byId(latest), byId(rebuilt)];
  const nodes: NodeChange[] = [];
  for (const id of new Set([...b.keys(), ...r.keys()])) {
    const before = b.get(id);
    const after = r.get(id);
    if (isDeepStrictEqual(comparable(before), comparable(after))) continue;
    const mine = l.get(id);
    const personChanged = !isDeepStrictEqual(comparable(before), comparable(mine));
    const kind = !before ? "added" : !after ? "removed" : "changed";
    // Adding a node the person already added under the same id, identically, is no conflict.
    const conflict = personChanged && !isDeepStrictEqual(comparable(mine), comparable(after));
    nodes.push({ nodeId: id, name: after?.name ?? before?.name ?? id, kind, fields: kind === "changed" ? fieldsChanged(before, after) : [], conflict });
  }
  const keys = (d: FlowDefinition) => new Set(d.edges.map(edgeKey));
  const [be, re] = [keys(base), keys(rebuilt)];
  const edges = { added: [...re].filter((k) => !be.has(k)), removed: [...be].filter((k) => !re.has(k)) };
  const settings = [];
  const [bs, ls, rs] = [base.settings as Record<string, unknown>, latest.settings as Record<string, unknown>, rebuilt.settings as Record<string, unknown>];
  for (const key of new Set([...Object.keys(bs), ...Object.keys(rs)])) {
    if (isDeepStrictEqual(bs[key], rs[key])) continue;
    settings.push({ key, from: bs[key] ?? null, to: rs[key] ?? null, conflict: !isDeepStrictEqual(bs[key], ls[key]) && !isDeepStrictEqual(ls[key], rs[key]) });
  }
  return { nodes, edges, settings };
}

/** The improvements of the flow's template since its version; null for a flow not made from a template. */
export async function templateImprovements(db: Db, workspaceId: string, flowId: string): Promise<TemplateImprovements | null> {
  const [flow] = await db.sql<{ template_id: string | null; template_version: number | null }[]>`
    select template_id, template_version from flows where id = ${flowId} and workspace_id = ${workspaceId}`;
  if (!flow) throw new Error("flow not found");
  if (!flow.template_id || !findTemplate(flow.template_id) || flow.template_version === null) return null;
  const loaded = await load(db, workspaceId, flowId);
  const changes = diff(loaded);
  const upToDate = loaded.fromVersion >= loaded.toVersion || (changes.nodes.length === 0 && changes.edges.added.length === 0 && changes.edges.removed.length === 0 && changes.settings.length === 0);
  return { templateId: loaded.templateId, title: loaded.title, fromVersion: loaded.fromVersion, toVersion: loaded.toVersion, upToDate, ...changes };
}

/**
 * Apply the template's changes to the latest version (see the file comment); `take` names the
 * conflicting nodes and settings to take from the template. Returns the new version.
 */
export async function applyTemplateImprovements(
  db: Db,
  workspaceId: string,
  flowId: string,
  options: { take?: string[]; actor?: Actor } = {},
): Promise<{ versionId: string; version: number; applied: string[]; kept: string[] }> {
  const loaded = await load(db, workspaceId, flowId);
  if (loaded.fromVersion >= loaded.toVersion) throw new Error(`This flow is already on version ${loaded.toVersion} of the template`);
  const { nodes: changes, settings } = diff(loaded);
  const take = new Set(options.take ?? []);
  const applied: string[] = [];
  const kept: string[] = [];
  const template = findTemplate(loaded.templateId)!;

  // Tables the newer version adds: created now (empty), and the placeholders replaced by their ids.
  let rebuilt = loaded.rebuilt;
  const placeholders = template.tables.filter((t) => JSON.stringify(rebuilt).includes(`new:${t.ref}`));
  if (placeholders.length) {
    const { ensureLookupTable } = await import("./index");
    let text = JSON.stringify(rebuilt);
    for (const table of placeholders) text = text.split(`new:${table.ref}`).join((await ensureLookupTable(db, workspaceId, table, false)).id);
    rebuilt = parseFlowDefinition(JSON.parse(text));
  }

  const rebuiltById = new Map(rebuilt.nodes.map((n) => [n.id, n]));
  let nodes = [...loaded.latest.nodes];
  for (const change of changes) {
    if (change.conflict && !take.has(change.nodeId)) {
      kept.push(change.nodeId);
      continue;
    }
    applied.push(change.nodeId);
    const mine = nodes.find((n) => n.id === change.nodeId);
    const theirs = rebuiltById.get(change.nodeId);
    if (!theirs) nodes = nodes.filter((n) => n.id !== change.nodeId);
    else if (mine) nodes = nodes.map((n) => (n.id === change.nodeId ? { ...theirs, position: mine.position ?? theirs.position } : n));
    else nodes.push(theirs);
  }
  const ids = new Set(nodes.map((n) => n.id));
  const removed = new Set(loaded.base.edges.map(edgeKey).filter((k) => !new Set(rebuilt.edges.map(edgeKey)).has(k)));
  const baseKeys = new Set(loaded.base.edges.map(edgeKey));
  const edges = [
    ...loaded.latest.edges.filter((e) => !removed.has(edgeKey(e))),
    ...rebuilt.edges.filter((e) => !baseKeys.has(edgeKey(e)) && !loaded.latest.edges.some((m) => edgeKey(m) === edgeKey(e))),
  ].filter((e) => ids.has(e.source) && ids.has(e.target));
  const nextSettings = { ...(loaded.latest.settings as Record<string, unknown>) };
  for (const s of settings) {
    if (s.conflict && !take.has(`settings.${s.key}`)) {
      kept.push(`settings.${s.key}`);
      continue;
    }
    applied.push(`settings.${s.key}`);
    if (s.to === null) delete nextSettings[s.key];
    else nextSettings[s.key] = s.to;
  }

  const note = `Template improvements: version ${loaded.fromVersion} to ${loaded.toVersion}${kept.length ? ` (kept as edited: ${kept.join(", ")})` : ""}`;
  const saved = await saveVersion(db, workspaceId, flowId, { ...loaded.latest, nodes, edges, settings: nextSettings }, note, options.actor ?? SYSTEM_ACTOR);
  await db.sql`update flows set template_version = ${loaded.toVersion} where id = ${flowId} and workspace_id = ${workspaceId}`;
  await recordAudit(db.sql, workspaceId, options.actor ?? SYSTEM_ACTOR, {
    action: "template.improvements_applied",
    entityType: "flow",
    entityId: flowId,
    data: { templateId: loaded.templateId, from: loaded.fromVersion, to: loaded.toVersion, applied, kept, versionId: saved.versionId },
  });
  return { versionId: saved.versionId, version: saved.version, applied, kept };
}
