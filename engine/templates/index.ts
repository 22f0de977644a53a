/**
 * The starter templates and `instantiateTemplate`, which turns one into a flow of a workspace:
 * 1. its mapping tables: reused by name when the workspace has them, else created with demo rows;
 * 2. its connections: the given ids, else the workspace's first connection of each system;
 * 3. the flow, saved with `createFlow` (problems such as a missing connection are returned, and the
 *    flow is kept as a draft to finish on the canvas).
 */
import { jsonb, type Db } from "../../db/client";
import { createFlow } from "../flows";
import type { FlowProblem } from "../flow/validate";
import { commerceOrderApBill } from "./commerce-intacct-ap";
import { exactInvoiceTaxJournal, exactInvoiceTaxReconciliation } from "./exact-avalara-journal";
import { intacctSalesTaxGl } from "./intacct-avalara-gl";
import type { StarterTemplate, TemplateSystem, TemplateTable } from "./types";

export type { StarterTemplate, TemplateSystem, TemplateTable } from "./types";

export const templates: StarterTemplate[] = [exactInvoiceTaxJournal, exactInvoiceTaxReconciliation, intacctSalesTaxGl, commerceOrderApBill];

export function findTemplate(templateId: string): StarterTemplate | undefined {
  return templates.find((t) => t.id === templateId);
}

export interface InstantiateOptions {
  /** Connection to use per system; default: the workspace's first connection of that system. */
  connectionIds?: Partial<Record<string, string>>;
  /** Flow name; default: the template's title. */
  name?: string;
}

export interface InstantiatedTemplate {
  flowId: string;
  versionId: string;
  problems: FlowProblem[];
  /** Lookup table id per table ref of the template (e.g. `taxGl`). */
  tableIds: Record<string, string>;
}

/** Find the workspace's table of this name, or create it with the template's demo rows. */
export async function ensureLookupTable(db: Db, workspaceId: string, table: TemplateTable): Promise<{ id: string; created: boolean }> {
  return db.sql.begin(async (tx) => {
    const inserted = await tx<{ id: string }[]>`
      insert into lookup_tables (workspace_id, name, kind, description, key_label, columns)
      values (${workspaceId}, ${table.name}, ${table.kind}, ${table.description}, ${table.keyLabel}, ${jsonb(table.columns)}::text::jsonb)
      on conflict (workspace_id, name) do nothing
      returning id::text`;
    if (inserted.length === 0) {
      const [existing] = await tx<{ id: string }[]>`
        select id::text from lookup_tables where workspace_id = ${workspaceId} and name = ${table.name}`;
      return { id: existing!.id, created: false };
    }
    const id = inserted[0]!.id;
    for (const row of table.demoRows) {
      await tx`
        insert into lookup_rows (workspace_id, table_id, key, values)
        values (${workspaceId}, ${id}, ${row.key}, ${jsonb(row.values)}::text::jsonb)
        on conflict (table_id, key) do nothing`;
    }
    return { id, created: true };
  });
}

async function firstConnection(db: Db, workspaceId: string, system: TemplateSystem): Promise<string | undefined> {
  const [row] = await db.sql<{ id: string }[]>`
    select id::text from connections where workspace_id = ${workspaceId} and system = ${system}
    order by created_at, name limit 1`;
  return row?.id;
}

export async function instantiateTemplate(
  db: Db,
  workspaceId: string,
  templateId: string,
  options: InstantiateOptions = {},
): Promise<InstantiatedTemplate> {
  const template = findTemplate(templateId);
  if (!template) throw new Error(`unknown template ${templateId}`);

  const tableIds: Record<string, string> = {};
  for (const table of template.tables) tableIds[table.ref] = (await ensureLookupTable(db, workspaceId, table)).id;

  const connections: Partial<Record<TemplateSystem, string>> = {};
  for (const system of template.systems) {
    const given = options.connectionIds?.[system];
    connections[system] = given ?? (await firstConnection(db, workspaceId, system));
  }

  const definition = template.build({ connections, tables: tableIds });
  const created = await createFlow(db, workspaceId, {
    name: options.name ?? template.title,
    description: template.description,
    definition,
    templateId: template.id,
  });
  return { flowId: created.flowId, versionId: created.versionId, problems: created.problems, tableIds };
}
