/**
 * Flow export, import and restore.
 *
 * Export: one flow version as a JSON document a person can keep in git or move to another
 * workspace. Connections are referenced by system and name (`connectionRef` on the node, listed in
 * `connections`), mapping tables by name (`{{mappingTable:<ref>}}` wherever the table's id stood
 * in a node's config, listed in `mappingTables`). No id of the source workspace and nothing of a
 * connection's config or secrets leaves it.
 *
 * Import: `describeImport` lists each reference with the target workspace's candidates (the one
 * with the same name suggested); `importFlow` takes the person's choice for every reference,
 * checks each choice belongs to the workspace and has the right system, resolves the definition,
 * validates it with the engine's rules and only then saves it as a new flow. Nothing is saved
 * when a reference is left open, points elsewhere, or the definition does not parse.
 *
 * Restore: an earlier version saved again as the newest one (history is never rewritten).
 */
import { z } from "zod";
import type { Db } from "../db/client";
import type { Actor } from "./audit";
import { createFlow, saveVersion, validateForWorkspace } from "./flows";
import { flowEdgeSchema, flowNodeSchema, flowSettingsSchema, FLOW_SCHEMA_VERSION, parseFlowDefinition, type FlowDefinition } from "./flow/schema";
import type { FlowProblem } from "./flow/validate";

export const FLOW_EXPORT_FORMAT = "ledgerline.flow";
export const FLOW_EXPORT_FORMAT_VERSION = 1;

const refSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "references use letters, digits, - and _");

const exportedNodeSchema = flowNodeSchema.omit({ connectionId: true }).extend({ connectionRef: refSchema.optional() });

export const flowExportSchema = z.object({
  format: z.literal(FLOW_EXPORT_FORMAT, { error: `not a Ledgerline flow export (expected "format": "${FLOW_EXPORT_FORMAT}")` }),
  formatVersion: z.literal(FLOW_EXPORT_FORMAT_VERSION, { error: `this Ledgerline reads flow exports of format version ${FLOW_EXPORT_FORMAT_VERSION}` }),
  exportedAt: z.string().max(40),
  flow: z.object({
    name: z.string().trim().min(1).max(120),
    description: z.string().max(2000).default(""),
    version: z.number().int().min(1),
    note: z.string().max(500).default(""),
    templateId: z.string().max(120).nullable().default(null),
  }),
  connections: z.array(z.object({ ref: refSchema, system: z.string().min(1).max(64), name: z.string().min(1).max(200) })).max(200),
  mappingTables: z.array(z.object({ ref: refSchema, name: z.string().min(1).max(200) })).max(200),
  definition: z.object({
    schemaVersion: z.literal(FLOW_SCHEMA_VERSION),
    nodes: z.array(exportedNodeSchema).max(2000),
    edges: z.array(flowEdgeSchema).max(10_000),
    settings: flowSettingsSchema.optional(),
  }),
});
export type FlowExport = z.output<typeof flowExportSchema>;

const TOKEN = /\{\{mappingTable:([A-Za-z0-9_-]+)\}\}/g;
const tableToken = (ref: string) => `{{mappingTable:${ref}}}`;

/** Every string inside `value` passed through `fn` (objects and arrays copied). */
function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

function slugRef(prefix: string, name: string, taken: Set<string>): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 48) || prefix;
  let ref = base;
  for (let i = 2; taken.has(ref); i++) ref = `${base}-${i}`;
  taken.add(ref);
  return ref;
}

async function loadVersion(db: Db, workspaceId: string, flowId: string, versionId?: string) {
  const [flow] = await db.sql<{ name: string; description: string; templateId: string | null }[]>`
    select name, description, template_id as "templateId" from flows where id = ${flowId} and workspace_id = ${workspaceId}`;
  if (!flow) throw new Error("flow not found");
  const [version] = versionId
    ? await db.sql<{ id: string; version: number; note: string; definition: unknown }[]>`
        select id::text, version, note, definition from flow_versions
        where id = ${versionId} and flow_id = ${flowId} and workspace_id = ${workspaceId}`
    : await db.sql<{ id: string; version: number; note: string; definition: unknown }[]>`
        select id::text, version, note, definition from flow_versions
        where flow_id = ${flowId} and workspace_id = ${workspaceId} order by version desc limit 1`;
  if (!version) throw new Error("flow version not found");
  return { flow, version: { ...version, definition: parseFlowDefinition(version.definition) } };
}

/** One version of a flow (default: the latest) as a portable document. */
export async function exportFlowVersion(db: Db, workspaceId: string, flowId: string, versionId?: string): Promise<FlowExport> {
  const { flow, version } = await loadVersion(db, workspaceId, flowId, versionId);
  const def = version.definition;
  const usedConnectionIds = [...new Set(def.nodes.map((n) => n.connectionId).filter((c): c is string => !!c))];
  const connections = usedConnectionIds.length
    ? await db.sql<{ id: string; system: string; name: string }[]>`
        select id::text, system, name from connections where workspace_id = ${workspaceId} and id = any(${usedConnectionIds}::uuid[]) order by name`
    : [];
  const tables = await db.sql<{ id: string; name: string }[]>`select id::text, name from lookup_tables where workspace_id = ${workspaceId} order by name`;

  const taken = new Set<string>();
  const connectionRefs = new Map(connections.map((c) => [c.id, { ref: slugRef(c.system, c.name, taken), system: c.system, name: c.name }]));
  const tableRefs = new Map<string, { ref: string; name: string }>();
  const tableIdPattern = tables.length ? new RegExp(tables.map((t) => t.id).join("|"), "gi") : null;
  const replaceTables = (s: string) =>
    tableIdPattern
      ? s.replace(tableIdPattern, (id) => {
          const table = tables.find((t) => t.id === id.toLowerCase())!;
          let entry = tableRefs.get(table.id);
          if (!entry) tableRefs.set(table.id, (entry = { ref: slugRef("mapping-table", table.name, taken), name: table.name }));
          return tableToken(entry.ref);
        })
      : s;

  const nodes = def.nodes.map(({ connectionId, ...node }) => ({
    ...node,
    config: mapStrings(node.config, replaceTables) as Record<string, unknown>,
    // A connection of the node that is gone (deleted) exports as no connection: import then shows it missing.
    ...(connectionId && connectionRefs.has(connectionId) ? { connectionRef: connectionRefs.get(connectionId)!.ref } : {}),
  }));
  return flowExportSchema.parse({
    format: FLOW_EXPORT_FORMAT,
    formatVersion: FLOW_EXPORT_FORMAT_VERSION,
    exportedAt: new Date().toISOString(),
    flow: { name: flow.name, description: flow.description, version: version.version, note: version.note, templateId: flow.templateId },
    connections: [...connectionRefs.values()],
    mappingTables: [...tableRefs.values()],
    definition: { schemaVersion: def.schemaVersion, nodes, edges: def.edges, settings: def.settings },
  });
}

/** Parse a document (object or JSON text) with messages a person can act on. */
export function parseFlowExport(document: unknown): FlowExport {
  let json = document;
  if (typeof document === "string") {
    try {
      json = JSON.parse(document);
    } catch (error) {
      throw new Error(`The file is not JSON: ${(error as Error).message}`);
    }
  }
  const parsed = flowExportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` (at ${issue.path.join(".")})` : "";
    throw new Error(`This is not a flow export Ledgerline can import: ${issue.message}${where}`);
  }
  const doc = parsed.data;
  const refs = new Set<string>();
  for (const r of [...doc.connections, ...doc.mappingTables]) {
    if (refs.has(r.ref)) throw new Error(`This flow export lists the reference "${r.ref}" twice`);
    refs.add(r.ref);
  }
  for (const node of doc.definition.nodes) {
    if (node.connectionRef && !doc.connections.some((c) => c.ref === node.connectionRef)) {
      throw new Error(`Node "${node.name ?? node.id}" uses connection "${node.connectionRef}", which the export does not list`);
    }
  }
  for (const [, ref] of JSON.stringify(doc.definition.nodes).matchAll(TOKEN)) {
    if (!doc.mappingTables.some((t) => t.ref === ref)) throw new Error(`The flow uses mapping table "${ref}", which the export does not list`);
  }
  return doc;
}

export interface ImportReference {
  ref: string;
  name: string;
  /** Connections only. */
  system?: string;
  /** Nodes that use it (names). */
  usedBy: string[];
  candidates: { id: string; name: string }[];
  /** The candidate with the same name, when there is one. */
  suggestedId: string | null;
}

export interface ImportPreview {
  flow: FlowExport["flow"];
  nodeCount: number;
  connections: ImportReference[];
  mappingTables: ImportReference[];
}

/** What an import needs from the person: a choice per reference, with the workspace's candidates. */
export async function describeImport(db: Db, workspaceId: string, document: unknown): Promise<ImportPreview> {
  const doc = parseFlowExport(document);
  const connections = await db.sql<{ id: string; system: string; name: string }[]>`
    select id::text, system, name from connections where workspace_id = ${workspaceId} order by name`;
  const tables = await db.sql<{ id: string; name: string }[]>`select id::text, name from lookup_tables where workspace_id = ${workspaceId} order by name`;
  const label = (n: { id: string; name?: string }) => n.name ?? n.id;
  return {
    flow: doc.flow,
    nodeCount: doc.definition.nodes.length,
    connections: doc.connections.map((c) => {
      const candidates = connections.filter((x) => x.system === c.system).map(({ id, name }) => ({ id, name }));
      return {
        ref: c.ref,
        name: c.name,
        system: c.system,
        usedBy: doc.definition.nodes.filter((n) => n.connectionRef === c.ref).map(label),
        candidates,
        suggestedId: candidates.find((x) => x.name === c.name)?.id ?? null,
      };
    }),
    mappingTables: doc.mappingTables.map((t) => ({
      ref: t.ref,
      name: t.name,
      usedBy: doc.definition.nodes.filter((n) => JSON.stringify(n.config).includes(tableToken(t.ref))).map(label),
      candidates: tables.map(({ id, name }) => ({ id, name })),
      suggestedId: tables.find((x) => x.name === t.name)?.id ?? null,
    })),
  };
}

export const importChoicesSchema = z.object({
  /** Connection id of the workspace per connection reference of the document. */
  connections: z.record(z.string(), z.string().uuid()).default({}),
  /** Mapping table id of the workspace per table reference. */
  mappingTables: z.record(z.string(), z.string().uuid()).default({}),
  /** Name of the new flow; default: the exported flow's name. */
  name: z.string().trim().min(1).max(120).optional(),
});
export type ImportChoices = z.input<typeof importChoicesSchema>;

export class ImportRefusedError extends Error {
  constructor(
    message: string,
    readonly problems: FlowProblem[] = [],
  ) {
    super(message);
    this.name = "ImportRefusedError";
  }
}

/** The document's definition with the chosen connections and tables of this workspace, validated. */
export async function resolveImport(db: Db, workspaceId: string, doc: FlowExport, choices: ImportChoices): Promise<{ definition: FlowDefinition; problems: FlowProblem[] }> {
  const { connections: pickedConnections, mappingTables: pickedTables } = importChoicesSchema.parse(choices);
  const connections = await db.sql<{ id: string; system: string; name: string }[]>`
    select id::text, system, name from connections where workspace_id = ${workspaceId}`;
  const tables = await db.sql<{ id: string; name: string }[]>`select id::text, name from lookup_tables where workspace_id = ${workspaceId}`;

  const connectionFor = new Map<string, string>();
  for (const ref of doc.connections) {
    const chosen = pickedConnections[ref.ref];
    if (!chosen) throw new ImportRefusedError(`Choose the ${ref.system} connection to use for "${ref.name}"`);
    const connection = connections.find((c) => c.id === chosen);
    if (!connection) throw new ImportRefusedError(`The connection chosen for "${ref.name}" is not one of this workspace's`);
    if (connection.system !== ref.system) {
      throw new ImportRefusedError(`"${ref.name}" needs a ${ref.system} connection, not "${connection.name}" (${connection.system})`);
    }
    connectionFor.set(ref.ref, connection.id);
  }
  const tableFor = new Map<string, string>();
  for (const ref of doc.mappingTables) {
    const chosen = pickedTables[ref.ref];
    if (!chosen) throw new ImportRefusedError(`Choose the mapping table to use for "${ref.name}"`);
    if (!tables.some((t) => t.id === chosen)) throw new ImportRefusedError(`The mapping table chosen for "${ref.name}" is not one of this workspace's`);
    tableFor.set(ref.ref, chosen);
  }

  const definition = {
    ...doc.definition,
    nodes: doc.definition.nodes.map(({ connectionRef, ...node }) => ({
      ...node,
      config: mapStrings(node.config, (s) => s.replace(TOKEN, (_, ref: string) => tableFor.get(ref)!)),
      connectionId: connectionRef ? connectionFor.get(connectionRef)! : null,
    })),
  };
  const { flow, problems } = await validateForWorkspace(db, workspaceId, definition);
  if (!flow) throw new ImportRefusedError("The flow in this export does not pass the engine's checks", problems);
  const broken = problems.filter((p) => p.code === "missing_connection" || p.code === "wrong_connection");
  // A node that needs a connection the export does not name (it was deleted in the source).
  if (broken.length) throw new ImportRefusedError(`Not imported: ${broken.map((p) => p.message).join("; ")}`, broken);
  return { definition: flow, problems };
}

/**
 * Import a flow export as a new flow of the workspace. Saved only when every reference resolves
 * and the definition parses; remaining problems (a field left empty, say) come back as with any
 * draft, so the flow cannot be activated until they are fixed.
 */
export async function importFlow(
  db: Db,
  workspaceId: string,
  document: unknown,
  choices: ImportChoices,
  actor: Actor,
): Promise<{ flowId: string; versionId: string; problems: FlowProblem[] }> {
  const doc = parseFlowExport(document);
  const { definition } = await resolveImport(db, workspaceId, doc, choices);
  const name = importChoicesSchema.parse(choices).name ?? doc.flow.name;
  const created = await createFlow(db, workspaceId, { name, description: doc.flow.description, definition, templateId: doc.flow.templateId ?? undefined }, actor);
  return created;
}

/** Save an earlier version again as the newest one; the flow's active version is not changed. */
export async function restoreVersion(
  db: Db,
  workspaceId: string,
  flowId: string,
  versionId: string,
  actor: Actor,
): Promise<{ versionId: string; version: number; restoredFrom: number; problems: FlowProblem[] }> {
  const { version } = await loadVersion(db, workspaceId, flowId, versionId);
  const saved = await saveVersion(db, workspaceId, flowId, version.definition, `Restored version ${version.version}`, actor);
  return { ...saved, restoredFrom: version.version };
}

