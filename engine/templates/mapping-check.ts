/**
 * The wizard's mapping step: a template flow's mapping tables checked against the live values of
 * the connected systems.
 *
 * For each table of the flow's template:
 * - `unmapped`: the live values of its key that have no row yet (the Intacct items without an
 *   Avalara tax code), each to be mapped there;
 * - `unknown`: mapped values that do not exist in the target system (a GL account, location or
 *   cost center that is not in the chart of the connected company);
 * - `columns`: per column, the live values to pick from.
 *
 * Where the live values come from is declared here, per table, by the connector pickers that
 * list them. Keys no system can list (Avalara jurisdictions, US states) are found by the dry run
 * instead: a document whose value has no row says which (see `missingMappings`).
 */
import type { PickerOption } from "../../connectors/sdk";
import type { Db } from "../../db/client";
import { loadPicker } from "../connection-actions";
import { parseFlowDefinition } from "../flow/schema";
import { getTable } from "../lookups";
import { registry } from "../registry";
import { apExpenseAccountsTable } from "./commerce-intacct-ap";
import { exactItemTaxCodesTable, exactTaxGlTable } from "./exact-avalara-journal";
import { findTemplate } from "./index";
import { intacctDimensionsTable, intacctItemTaxCodesTable, intacctTaxGlTable, intacctTaxSetupTable } from "./intacct-avalara-gl";
import type { TemplateSystem } from "./types";

export interface LiveSource {
  system: TemplateSystem;
  picker: string;
}

/** Per table name: the picker listing its keys, and the picker listing each column's values. */
export const LIVE_VALUES: Record<string, { key?: LiveSource; columns: Record<string, LiveSource> }> = {
  [intacctTaxGlTable.name]: { columns: { accountNo: { system: "intacct", picker: "glAccounts" } } },
  [intacctDimensionsTable.name]: {
    columns: {
      locationId: { system: "intacct", picker: "locations" },
      departmentId: { system: "intacct", picker: "departments" },
      classId: { system: "intacct", picker: "classes" },
    },
  },
  [intacctItemTaxCodesTable.name]: { key: { system: "intacct", picker: "items" }, columns: { taxCode: { system: "avalara", picker: "taxCodes" } } },
  [intacctTaxSetupTable.name]: { columns: { accountNo: { system: "intacct", picker: "glAccounts" } } },
  [exactTaxGlTable.name]: { columns: { glAccount: { system: "exact", picker: "glAccounts" }, costCenter: { system: "exact", picker: "costCenters" } } },
  [exactItemTaxCodesTable.name]: { columns: { taxCode: { system: "avalara", picker: "taxCodes" } } },
  [apExpenseAccountsTable.name]: { columns: { accountNo: { system: "intacct", picker: "glAccounts" }, departmentId: { system: "intacct", picker: "departments" } } },
};

export interface ColumnCheck {
  name: string;
  label: string;
  source: LiveSource | null;
  /** The values to pick from ([] without a source, or when the list could not be read). */
  options: PickerOption[];
  error: string | null;
}

export interface TableCheck {
  tableId: string;
  name: string;
  keyLabel: string;
  rows: number;
  /** A `*` row maps every key without a row of its own. */
  hasDefault: boolean;
  keySource: (LiveSource & { error: string | null }) | null;
  unmapped: PickerOption[];
  /** Mapped values the system does not have, with the row's values (to correct one in place). */
  unknown: { key: string; column: string; value: string; values: Record<string, string> }[];
  columns: ColumnCheck[];
}

/** The system -> connection id the flow's nodes use (its latest version). */
export async function flowConnections(db: Db, workspaceId: string, flowId: string): Promise<{ templateId: string | null; connections: Partial<Record<string, string>> }> {
  const [row] = await db.sql<{ template_id: string | null; definition: unknown }[]>`
    select f.template_id, v.definition from flows f join flow_versions v on v.flow_id = f.id and v.workspace_id = f.workspace_id
    where f.id = ${flowId} and f.workspace_id = ${workspaceId} order by v.version desc limit 1`;
  if (!row) throw new Error("flow not found");
  const connections: Partial<Record<string, string>> = {};
  for (const node of parseFlowDefinition(row.definition).nodes) {
    const system = registry.node(node.type, node.typeVersion)?.connection;
    if (system && node.connectionId && !connections[system]) connections[system] = node.connectionId;
  }
  return { templateId: row.template_id, connections };
}

export async function checkTemplateMappings(db: Db, workspaceId: string, flowId: string): Promise<TableCheck[]> {
  const { templateId, connections } = await flowConnections(db, workspaceId, flowId);
  const template = templateId ? findTemplate(templateId) : undefined;
  if (!template) throw new Error("This flow was not made from a template");

  const lists = new Map<string, Promise<PickerOption[]>>();
  const live = (source: LiveSource): Promise<PickerOption[]> => {
    const connectionId = connections[source.system];
    if (!connectionId) return Promise.reject(new Error(`The flow has no ${source.system} connection`));
    const id = `${connectionId}:${source.picker}`;
    if (!lists.has(id)) lists.set(id, loadPicker(db, workspaceId, connectionId, source.picker));
    return lists.get(id)!;
  };
  const settle = async (source: LiveSource) => {
    try {
      return { options: await live(source), error: null };
    } catch (error) {
      return { options: [] as PickerOption[], error: (error as Error).message };
    }
  };

  const checks: TableCheck[] = [];
  for (const declared of template.tables) {
    const [found] = await db.sql<{ id: string }[]>`select id::text from lookup_tables where workspace_id = ${workspaceId} and name = ${declared.name}`;
    if (!found) continue;
    const { table, rows } = await getTable(db, workspaceId, found.id);
    const sources = LIVE_VALUES[table.name];
    const keys = new Set(rows.map((r) => r.key));
    const columns: ColumnCheck[] = [];
    const unknown: TableCheck["unknown"] = [];
    for (const column of table.columns) {
      const source = sources?.columns[column.name] ?? null;
      const { options, error } = source ? await settle(source) : { options: [], error: null };
      columns.push({ name: column.name, label: column.label, source, options, error });
      if (!source || error) continue;
      const valid = new Set(options.map((o) => o.value));
      for (const row of rows) {
        const value = row.values[column.name];
        if (value && !valid.has(value)) unknown.push({ key: row.key, column: column.name, value, values: row.values });
      }
    }
    let keySource: TableCheck["keySource"] = null;
    let unmapped: PickerOption[] = [];
    if (sources?.key) {
      const { options, error } = await settle(sources.key);
      keySource = { ...sources.key, error };
      unmapped = options.filter((o) => !keys.has(o.value));
    }
    checks.push({ tableId: table.id, name: table.name, keyLabel: table.keyLabel, rows: rows.length, hasDefault: keys.has("*"), keySource, unmapped, unknown, columns });
  }
  return checks;
}

/**
 * The values a stopped run could not map, from its error: the table and the keys (a lookup miss,
 * or an item without an Avalara tax code). Null for any other stop.
 */
export function missingMappings(error: { reasonCode?: string; details?: unknown } | null): { tableId: string; keys: string[] } | null {
  const details = error?.details as { tableId?: unknown; missing?: unknown } | undefined;
  if (!details || typeof details.tableId !== "string" || !Array.isArray(details.missing)) return null;
  const keys = details.missing
    .filter((m): m is string => typeof m === "string")
    .map((m) => (error?.reasonCode === "missing_tax_code" ? (/^item (.+)$/.exec(m)?.[1] ?? null) : m))
    .filter((m): m is string => Boolean(m));
  return keys.length ? { tableId: details.tableId, keys } : null;
}
