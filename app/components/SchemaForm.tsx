"use client";
/**
 * The one form generated from a JSON Schema (zod `toJSONSchema`, io "input"): one schema, three
 * uses (type, runtime check, this form). Node configs and flow settings on the canvas, a trigger's
 * input in Run now, and connection settings and credentials all use it.
 *
 * Supported: strings (with `format: "jsonata"` and `picker` metadata), numbers, booleans, enums,
 * nested objects, arrays of objects or scalars as repeatable rows, records as key/value rows;
 * anything else falls back to a JSON textarea.
 *
 * Options (`context`): `secret` renders write-only fields (password inputs, never prefilled,
 * "•••• set" for the `setFields` already stored); `advanced` puts optional top-level fields that
 * have a default under "Advanced settings"; `stableIds` gives each control the id
 * `<idPrefix>-<path>` (forms and tests address fields by it).
 */
import { createContext, useContext, useId, useState } from "react";
import { JsonataField } from "./editor/JsonataField";
import { PickerField } from "./editor/PickerField";
import "./editor/editor.css";

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  picker?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  title?: string;
}

export interface FormContext {
  /** Problems by config path ("fields.0.expression"), from the engine's validation. */
  problems: Record<string, string>;
  connectionId: string | null;
  /** Key used to merge quick edits of one field into one undo step; with `stableIds`, the id prefix. */
  idPrefix: string;
  /** Write-only fields: password inputs, never prefilled. */
  secret?: boolean;
  /** Secret fields that already have a stored value ("•••• set", may stay empty). */
  setFields?: string[];
  /** Optional top-level fields with a default go under "Advanced settings". */
  advanced?: boolean;
  /** Control ids `<idPrefix>-<path>` instead of generated ones. */
  stableIds?: boolean;
}
const Ctx = createContext<FormContext>({ problems: {}, connectionId: null, idPrefix: "f" });

/** "keepInput" -> "Keep input", "maxTotalDelayMs" -> "Max total delay (ms)". */
export function humanize(key: string): string {
  const ms = key.endsWith("Ms");
  const words = (ms ? key.slice(0, -2) : key).replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1) + (ms ? " (ms)" : "");
}

function schemaType(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== "null");
  if (s.type) return s.type;
  const alt = (s.anyOf ?? s.oneOf)?.filter((x) => x.type !== "null");
  if (alt && alt.length === 1) return schemaType(alt[0]!);
  if (s.enum) return "string";
  return undefined;
}
function unwrap(s: JsonSchema): JsonSchema {
  const alt = (s.anyOf ?? s.oneOf)?.filter((x) => x.type !== "null");
  if (alt && alt.length === 1) return { ...alt[0]!, description: s.description ?? alt[0]!.description, default: s.default ?? alt[0]!.default };
  return s;
}

export function SchemaForm({
  schema,
  value,
  onChange,
  context,
}: {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>, field: string) => void;
  context: FormContext;
}) {
  const props = schema.properties ?? {};
  if (Object.keys(props).length === 0) return <p className="ed-muted">{context.secret ? "No credentials to enter." : "Nothing to fill in."}</p>;
  return (
    <Ctx.Provider value={context}>
      <ObjectFields schema={schema} value={value} path="" advanced={context.advanced && !context.secret} onChange={(v, field) => onChange(v as Record<string, unknown>, field)} />
    </Ctx.Provider>
  );
}

/** Values ready to send: empty strings and unset fields left out (an empty secret keeps the stored one). */
export function compactValues(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "")).map(([k, v]) => [k, typeof v === "string" ? v.trim() : v]));
}

type Change = (value: unknown, field: string) => void;

function ObjectFields({ schema, value, path, onChange, advanced }: { schema: JsonSchema; value: unknown; path: string; onChange: Change; advanced?: boolean }) {
  const [showAdvanced, setShowAdvanced] = useState(false);
  const obj = value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const entries = Object.entries(schema.properties ?? {});
  const isAdvanced = ([key, prop]: [string, JsonSchema]) => Boolean(advanced) && !schema.required?.includes(key) && prop.default !== undefined;
  const render = ([key, prop]: [string, JsonSchema]) => (
    <Field
      key={key}
      name={key}
      schema={prop}
      required={schema.required?.includes(key) ?? false}
      value={obj[key]}
      path={path ? `${path}.${key}` : key}
      onChange={(v, field) => {
        const next = { ...obj };
        if (v === undefined) delete next[key];
        else next[key] = v;
        onChange(next, field);
      }}
    />
  );
  const more = entries.filter(isAdvanced);
  return (
    <div className="ed-fields">
      {entries.filter((e) => !isAdvanced(e)).map(render)}
      {more.length > 0 && (
        <>
          <button type="button" className="ed-btn ed-btn-ghost ed-btn-small" onClick={() => setShowAdvanced(!showAdvanced)} aria-expanded={showAdvanced}>
            {showAdvanced ? "▾" : "▸"} Advanced settings ({more.length})
          </button>
          {showAdvanced && more.map(render)}
        </>
      )}
    </div>
  );
}

function problemUnder(problems: Record<string, string>, path: string): string | undefined {
  if (problems[path]) return problems[path];
  return undefined;
}

export function Field({
  name,
  schema: raw,
  required,
  value,
  path,
  onChange,
  compact,
}: {
  name: string;
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  path: string;
  onChange: Change;
  compact?: boolean;
}) {
  const ctx = useContext(Ctx);
  const generatedId = useId();
  const id = ctx.stableIds ? `${ctx.idPrefix}-${path}` : generatedId;
  const schema = unwrap(raw);
  const type = schemaType(schema);
  const problem = problemUnder(ctx.problems, path);
  const label = schema.title ?? humanize(name);
  const help = schema.description;
  let control: React.ReactNode;
  let block = false;

  if (schema.enum) {
    control = (
      <select id={id} value={value === undefined ? "" : String(value)} onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value, path)}>
        {(!required || value === undefined) && <option value="">{schema.default !== undefined ? `Default (${String(schema.default)})` : "Choose…"}</option>}
        {schema.enum.map((opt) => (
          <option key={String(opt)} value={String(opt)}>
            {String(opt)}
          </option>
        ))}
      </select>
    );
  } else if (type === "string" && schema.format === "jsonata") {
    block = true;
    control = <JsonataField id={id} value={typeof value === "string" ? value : ""} placeholder={schema.default !== undefined ? String(schema.default) : undefined} onChange={(v) => onChange(v === "" && !required ? undefined : v, path)} />;
  } else if (type === "string" && schema.picker) {
    control = (
      <PickerField
        id={id}
        picker={schema.picker}
        connectionId={ctx.connectionId}
        value={typeof value === "string" ? value : ""}
        placeholder={schema.default !== undefined ? String(schema.default) : undefined}
        onChange={(v) => onChange(v === "" ? undefined : v, path)}
      />
    );
  } else if (type === "string" && ctx.secret) {
    const isSet = ctx.setFields?.includes(path) ?? false;
    control = (
      <input
        id={id}
        type="password"
        autoComplete="new-password"
        value={typeof value === "string" ? value : ""}
        placeholder={isSet ? "•••• set (leave empty to keep)" : required ? "required" : "optional"}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value, path)}
      />
    );
  } else if (type === "string") {
    const long = (schema.maxLength ?? 0) > 200 || /\bPEM\b/.test(schema.description ?? "");
    control = long ? (
      <textarea id={id} rows={3} value={typeof value === "string" ? value : ""} placeholder={placeholderOf(schema)} onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value, path)} />
    ) : (
      <input id={id} type="text" value={typeof value === "string" ? value : ""} placeholder={placeholderOf(schema)} onChange={(e) => onChange(e.target.value === "" && !required ? undefined : e.target.value, path)} />
    );
  } else if (type === "number" || type === "integer") {
    control = <NumberInput id={id} value={value} schema={schema} onChange={(v) => onChange(v, path)} />;
  } else if (type === "boolean") {
    const checked = typeof value === "boolean" ? value : schema.default === true;
    return (
      <div className={`ed-field ed-field-check${problem ? " ed-field-error" : ""}`} data-field={path}>
        <label className="ed-check">
          <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked, path)} />
          <span>{label}</span>
        </label>
        {help && <div className="ed-help">{help}</div>}
        {problem && <div className="ed-field-problem">{problem}</div>}
      </div>
    );
  } else if (type === "array" && schema.items && (schemaType(schema.items) === "object" || schemaType(schema.items) === "string" || schemaType(schema.items) === "number" || schemaType(schema.items) === "integer") && !schema.items.enum) {
    block = true;
    control = <ArrayRows schema={schema} value={value} path={path} onChange={onChange} />;
  } else if (type === "array" && schema.items?.enum) {
    const selected = Array.isArray(value) ? value.map(String) : [];
    control = (
      <div className="ed-multi">
        {schema.items.enum.map((opt) => (
          <label key={String(opt)} className="ed-check">
            <input
              type="checkbox"
              checked={selected.includes(String(opt))}
              onChange={(e) => onChange(e.target.checked ? [...selected, String(opt)] : selected.filter((s) => s !== String(opt)), path)}
            />
            <span>{String(opt)}</span>
          </label>
        ))}
      </div>
    );
  } else if (type === "object" && schema.properties && Object.keys(schema.properties).length > 0) {
    return (
      <fieldset className={`ed-fieldset${problem ? " ed-field-error" : ""}`} data-field={path}>
        <legend>{label}</legend>
        {help && <div className="ed-help">{help}</div>}
        <ObjectFields schema={schema} value={value} path={path} onChange={onChange} />
      </fieldset>
    );
  } else if (type === "object" && typeof schema.additionalProperties === "object" && schema.additionalProperties !== null && schemaType(schema.additionalProperties) === "string") {
    block = true;
    control = <RecordRows value={value} path={path} onChange={onChange} />;
  } else {
    block = true;
    control = <JsonInput id={id} value={value} onChange={(v) => onChange(v, path)} />;
  }

  return (
    <div className={`ed-field${block ? " ed-field-block" : ""}${problem ? " ed-field-error" : ""}${compact ? " ed-field-compact" : ""}`} data-field={path}>
      <label htmlFor={id} className="ed-label">
        {label}
        {required && !(ctx.secret && ctx.setFields?.includes(path)) && <span className="ed-required" aria-label="required">*</span>}
        {ctx.secret && <span className="ed-pill ed-secret-tag">secret</span>}
      </label>
      {control}
      {help && !compact && <div className="ed-help">{help}</div>}
      {problem && <div className="ed-field-problem" data-testid="field-problem">{problem}</div>}
    </div>
  );
}

function placeholderOf(schema: JsonSchema): string | undefined {
  if (schema.default !== undefined) return String(schema.default);
  if (schema.format === "uuid") return "00000000-0000-0000-0000-000000000000";
  return undefined;
}

function NumberInput({ id, value, schema, onChange }: { id: string; value: unknown; schema: JsonSchema; onChange: (v: number | undefined) => void }) {
  const [text, setText] = useState(value === undefined || value === null ? "" : String(value));
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    // Undo or a reload changed the value underneath: show it (adjusting state while rendering).
    setSeen(value);
    if (!(Number(text) === value || (text === "" && value === undefined))) setText(value === undefined || value === null ? "" : String(value));
  }
  return (
    <input
      id={id}
      type="number"
      inputMode="decimal"
      value={text}
      min={schema.minimum}
      max={schema.maximum}
      step={schema.type === "integer" ? 1 : "any"}
      placeholder={schema.default !== undefined ? String(schema.default) : undefined}
      onChange={(e) => {
        setText(e.target.value);
        const n = e.target.value === "" ? undefined : Number(e.target.value);
        if (n === undefined || Number.isFinite(n)) onChange(n);
      }}
    />
  );
}

function ArrayRows({ schema, value, path, onChange }: { schema: JsonSchema; value: unknown; path: string; onChange: Change }) {
  const rows = Array.isArray(value) ? value : [];
  const item = unwrap(schema.items!);
  const isObject = schemaType(item) === "object";
  const blank = () => (isObject ? Object.fromEntries(Object.keys(item.properties ?? {}).map((k) => [k, item.properties![k]!.default ?? ""])) : "");
  return (
    <div className="ed-rows">
      {rows.length === 0 && <div className="ed-muted ed-rows-empty">No rows yet.</div>}
      {rows.map((row, i) => (
        <div className="ed-row" key={i} data-row={i}>
          <div className="ed-row-fields">
            {isObject ? (
              Object.entries(item.properties ?? {}).map(([key, prop]) => (
                <Field
                  key={key}
                  name={key}
                  schema={{ ...prop, title: prop.description && prop.description.length < 40 ? prop.description : undefined }}
                  required={item.required?.includes(key) ?? false}
                  value={(row as Record<string, unknown>)?.[key]}
                  path={`${path}.${i}.${key}`}
                  compact
                  onChange={(v, field) => {
                    const next = [...rows];
                    const r = { ...((row as Record<string, unknown>) ?? {}) };
                    if (v === undefined) delete r[key];
                    else r[key] = v;
                    next[i] = r;
                    onChange(next, field);
                  }}
                />
              ))
            ) : (
              <Field
                name={`${i + 1}`}
                schema={{ ...item, title: `#${i + 1}` }}
                required
                value={row}
                path={`${path}.${i}`}
                compact
                onChange={(v, field) => {
                  const next = [...rows];
                  next[i] = v;
                  onChange(next, field);
                }}
              />
            )}
          </div>
          <button type="button" className="ed-icon-btn" title="Remove this row" aria-label={`Remove row ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i), `${path}#remove`)}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="ed-btn ed-btn-small" onClick={() => onChange([...rows, blank()], `${path}#add`)}>
        + Add {isObject ? "row" : "value"}
      </button>
    </div>
  );
}

function RecordRows({ value, path, onChange }: { value: unknown; path: string; onChange: Change }) {
  const entries = value && typeof value === "object" && !Array.isArray(value) ? Object.entries(value as Record<string, string>) : [];
  const write = (next: [string, string][], field: string) => onChange(next.length === 0 ? undefined : Object.fromEntries(next), field);
  return (
    <div className="ed-rows">
      {entries.length === 0 && <div className="ed-muted ed-rows-empty">No entries.</div>}
      {entries.map(([k, v], i) => (
        <div className="ed-row ed-kv" key={i}>
          <input aria-label="Key" placeholder="key" value={k} onChange={(e) => write(entries.map((en, j) => (j === i ? [e.target.value, en[1]] : en)) as [string, string][], `${path}.${i}.key`)} />
          <input aria-label="Value" placeholder="value" value={String(v ?? "")} onChange={(e) => write(entries.map((en, j) => (j === i ? [en[0], e.target.value] : en)) as [string, string][], `${path}.${i}.value`)} />
          <button type="button" className="ed-icon-btn" aria-label="Remove entry" onClick={() => write(entries.filter((_, j) => j !== i) as [string, string][], `${path}#remove`)}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="ed-btn ed-btn-small" onClick={() => write([...(entries as [string, string][]), [`key${entries.length + 1}`, ""]], `${path}#add`)}>
        + Add entry
      </button>
    </div>
  );
}

export function JsonInput({ id, value, onChange, rows = 5 }: { id?: string; value: unknown; onChange: (v: unknown) => void; rows?: number }) {
  const pretty = value === undefined ? "" : JSON.stringify(value, null, 2);
  const [text, setText] = useState(pretty);
  const [error, setError] = useState<string | null>(null);
  const [seen, setSeen] = useState(pretty);
  if (seen !== pretty) {
    setSeen(pretty);
    let same = false;
    try {
      same = JSON.stringify(text.trim() === "" ? undefined : JSON.parse(text)) === JSON.stringify(value);
    } catch {
      same = false;
    }
    if (!same) {
      setText(pretty);
      setError(null);
    }
  }
  return (
    <>
      <textarea
        id={id}
        className="ed-code"
        rows={rows}
        spellCheck={false}
        value={text}
        placeholder="{ }"
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === "") {
            setError(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setError(null);
          } catch (err) {
            setError(`Not valid JSON yet: ${(err as Error).message}`);
          }
        }}
      />
      {error && <div className="ed-field-problem">{error}</div>}
    </>
  );
}
