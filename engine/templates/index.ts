/**
 * The starter templates and `instantiateTemplate`, which turns one into a flow of a workspace:
 * 1. its parameters (offset accounts, journals, tax company, terms): the given values; only the
 *    demo workspace may fall back to the demo values, anywhere else a missing one refuses the template;
 * 2. its mapping tables: reused by name when the workspace has them, else created (with the demo
 *    rows only in the demo workspace; elsewhere empty, for the wizard's mapping step);
 * 3. its connections: the given ids, else the workspace's first connection of each system;
 * 4. the flow, saved with `createFlow` (problems such as a missing connection are returned, and the
 *    flow is kept as a draft to finish on the canvas), with the template's id and version.
 */
import { jsonb, type Db } from "../../db/client";
import { createFlow } from "../flows";
import type { FlowDefinitionInput } from "../flow/schema";
import type { FlowProblem } from "../flow/validate";
import { commerceOrderApBill } from "./commerce-intacct-ap";
import { commerceB2bPurchaseOrder } from "./commerce-b2b-po";
import { commerceCompanyToVendor, intacctVendorToCompany } from "./vendor-company-sync";
import { avalaraExemptionToIntacct, intacctCustomerToAvalara } from "./customer-exemption-sync";
import { exactInvoiceTaxJournal, exactInvoiceTaxReconciliation } from "./exact-avalara-journal";
import { intacctSalesTaxGl, intacctSalesTaxSummary } from "./intacct-avalara-gl";
import { intacctArParameters, intacctSummaryParameters } from "./intacct-parameters";
import { intacctBillUseTax } from "./intacct-use-tax";
import type { StarterTemplate, TemplateParameter, TemplateSystem, TemplateTable } from "./types";

export type { StarterTemplate, TemplateParameter, TemplateSystem, TemplateTable } from "./types";

// The Intacct tax templates declare their parameters beside them (bound to node config fields).
intacctSalesTaxGl.parameters ??= intacctArParameters;
intacctSalesTaxGl.version ??= 3;
intacctSalesTaxSummary.parameters ??= intacctSummaryParameters;
intacctSalesTaxSummary.version ??= 3;

export const templates: StarterTemplate[] = [
  exactInvoiceTaxJournal,
  exactInvoiceTaxReconciliation,
  intacctSalesTaxGl,
  intacctSalesTaxSummary,
  intacctBillUseTax,
  commerceOrderApBill,
  commerceB2bPurchaseOrder,
  commerceCompanyToVendor,
  intacctVendorToCompany,
  intacctCustomerToAvalara,
  avalaraExemptionToIntacct,
];

export function findTemplate(templateId: string): StarterTemplate | undefined {
  return templates.find((t) => t.id === templateId);
}

export interface InstantiateOptions {
  /** Connection to use per system; default: the workspace's first connection of that system. */
  connectionIds?: Partial<Record<string, string>>;
  /** Flow name; default: the template's title. */
  name?: string;
  /** Value per parameter key of the template. */
  parameters?: Record<string, string>;
  /** Demo workspace only: missing parameters take their demo values and new tables get demo rows. */
  demo?: boolean;
}

/** A template's parameters, ready to ask for (the demo value only for the demo workspace). */
export function templateParameters(template: StarterTemplate): TemplateParameter[] {
  return template.parameters ?? [];
}

export function templateVersion(template: StarterTemplate): number {
  return template.version ?? 1;
}

/** The values `build` gets, or an error naming every parameter that is missing. */
export function resolveParameters(template: StarterTemplate, given: Record<string, string> = {}, demo = false): Record<string, string> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const parameter of templateParameters(template)) {
    const value = given[parameter.key]?.trim();
    if (value) values[parameter.key] = value;
    else if (demo) values[parameter.key] = parameter.demo;
    else missing.push(`${parameter.label} (${parameter.key})`);
  }
  if (missing.length > 0) throw new Error(`template "${template.title}" needs: ${missing.join(", ")}`);
  return values;
}

/** Parameters bound to node config fields are set after `build`. */
export function applyBindings(definition: FlowDefinitionInput, parameters: TemplateParameter[], values: Record<string, string>): FlowDefinitionInput {
  const nodes = definition.nodes.map((node) => {
    const bound = parameters.flatMap((p) => (p.bindings ?? []).filter((b) => b.node === node.id).map((b) => [b.field, values[p.key]!] as const));
    return bound.length === 0 ? node : { ...node, config: { ...(node.config as Record<string, unknown>), ...Object.fromEntries(bound) } };
  });
  return { ...definition, nodes };
}

export interface InstantiatedTemplate {
  flowId: string;
  versionId: string;
  problems: FlowProblem[];
  /** Lookup table id per table ref of the template (e.g. `taxGl`). */
  tableIds: Record<string, string>;
}

/** Find the workspace's table of this name, or create it with the template's demo rows. */
export async function ensureLookupTable(db: Db, workspaceId: string, table: TemplateTable, demoRows = true): Promise<{ id: string; created: boolean }> {
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
    for (const row of demoRows ? table.demoRows : []) {
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
  const demo = options.demo === true;
  const params = resolveParameters(template, options.parameters, demo);

  const tableIds: Record<string, string> = {};
  for (const table of template.tables) tableIds[table.ref] = (await ensureLookupTable(db, workspaceId, table, demo)).id;

  const connections: Partial<Record<TemplateSystem, string>> = {};
  for (const system of template.systems) {
    const given = options.connectionIds?.[system];
    connections[system] = given ?? (await firstConnection(db, workspaceId, system));
  }

  const definition = applyBindings(template.build({ connections, tables: tableIds, params }), templateParameters(template), params);
  const created = await createFlow(db, workspaceId, {
    name: options.name ?? template.title,
    description: template.description,
    definition,
    templateId: template.id,
  });
  await db.sql`
    update flows set template_version = ${templateVersion(template)}, template_parameters = ${jsonb(params)}::text::jsonb
    where id = ${created.flowId} and workspace_id = ${workspaceId}`;
  return { flowId: created.flowId, versionId: created.versionId, problems: created.problems, tableIds };
}
