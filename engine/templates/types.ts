/**
 * Starter templates: ready-made flows for the integrations finance teams ask for first, with the
 * mapping tables they need and demo rows that match the sandboxes' seeded data.
 *
 * Glossary
 * - template:  a declaration (id, title, systems, tables) plus `build`, which turns the ids of a
 *              workspace's connections and lookup tables into a flow definition (v1).
 * - table ref: the short name `build` uses for one of the template's tables ("taxGl"); the
 *              workspace table itself is found or created by its display `name`.
 * - demo rows: rows inserted when the table is created; they cover the jurisdictions, states and
 *              SKUs of the sandboxes' demo companies, so a fresh demo workspace runs end to end.
 */
import type { FlowDefinitionInput, FlowEdge } from "../flow/schema";

export type TemplateSystem = "exact" | "avalara" | "intacct" | "commerce";

export type LookupTableKind = "dimension" | "gl_account" | "cost_center" | "tax_gl" | "custom";

export interface TemplateTable {
  /** How `build` refers to the table (stable; never shown). */
  ref: string;
  /** Display name; a workspace table of this name is reused as it is. */
  name: string;
  kind: LookupTableKind;
  description: string;
  keyLabel: string;
  columns: { name: string; label: string }[];
  /** Inserted only when the table is created. */
  demoRows: { key: string; values: Record<string, string> }[];
}

export interface TemplateBuildArgs {
  /** Connection id per system; undefined when the workspace has none (the flow then saves with problems). */
  connections: Partial<Record<TemplateSystem, string>>;
  /** Lookup table id per table ref. */
  tables: Record<string, string>;
  /** Value per parameter key (every parameter of the template is present). */
  params: Record<string, string>;
}

/**
 * A value of the customer's books the template cannot know (an offset account, a journal, a tax
 * company, payment terms). The wizard asks for it from the connected system's live picker; only
 * the demo seed uses `demo`, which matches the sandboxes' seeded data.
 */
export interface TemplateParameter {
  key: string;
  label: string;
  description: string;
  system: TemplateSystem;
  /** Picker of the system's connector offering the values (absent: typed in). */
  picker?: string;
  demo: string;
  /** Node config fields set to the value after `build` (for values not used inside expressions). */
  bindings?: { node: string; field: string }[];
}

export interface StarterTemplate {
  id: string;
  title: string;
  description: string;
  /** Systems the flow needs a connection to. */
  systems: TemplateSystem[];
  tables: TemplateTable[];
  /** Values asked for when the template is used (default: none). */
  parameters?: TemplateParameter[];
  /** Raised whenever `build` changes what it produces; recorded on the flow (default 1). */
  version?: number;
  build(args: TemplateBuildArgs): FlowDefinitionInput;
}

// ---------------------------------------------------------------------------------------------
// Small helpers the template files share (layout and JSONata snippets).

/** Canvas grid: one column per step, left to right; branches get their own row. */
export const COLUMN = 280;
export const ROW = 170;
export const at = (column: number, row = 0) => ({ x: column * COLUMN, y: row * ROW });

/** Edges of a straight chain a -> b -> c, with ids `<source>-<target>`. */
export function chain(...ids: string[]): FlowEdge[] {
  return ids.slice(1).map((target, i) => edge(ids[i]!, target));
}

export function edge(source: string, target: string, sourceHandle = "out"): FlowEdge {
  return { id: `${source}-${target}`, source, sourceHandle, target, targetHandle: "in" };
}

/**
 * JSONata: the value at `path`, or nothing when it is null or empty. Node inputs declare optional
 * fields as "absent or a string", so nulls from the source system must not be passed on.
 */
export const opt = (path: string) => `${path} ? ${path}`;

/** JSONata: `expression` rounded to cents (JSONata rounds half to even). */
export const cents = (expression: string) => `$round(${expression}, 2)`;

/** JSONata string literal. */
export const literal = (value: string) => JSON.stringify(value);
