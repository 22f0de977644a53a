"use client";
/**
 * Form fields generated from a connector's JSON Schema (the same zod schema the engine parses,
 * house rule 1). Strings, integers, numbers, booleans, enums and string arrays (one per line).
 * Secret fields are write-only: never prefilled, "•••• set" when a value is stored.
 */
import { useState } from "react";

export interface JsonSchemaProp {
  type?: string;
  enum?: string[];
  description?: string;
  default?: unknown;
  format?: string;
  items?: { type?: string };
  minimum?: number;
  maximum?: number;
}
export interface ObjectSchema {
  properties?: Record<string, JsonSchemaProp>;
  required?: string[];
}

/** Form state is text per field; `toValues` converts it back to what the schema expects. */
export type FieldText = Record<string, string>;

export function textFromValues(schema: ObjectSchema, values: Record<string, unknown> | null | undefined): FieldText {
  const out: FieldText = {};
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const v = values?.[name];
    if (v === undefined || v === null) continue;
    out[name] = prop.type === "array" && Array.isArray(v) ? v.join("\n") : String(v);
  }
  return out;
}

export function toValues(schema: ObjectSchema, text: FieldText): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const raw = text[name];
    if (raw === undefined || raw.trim() === "") continue;
    if (prop.type === "integer" || prop.type === "number") out[name] = Number(raw);
    else if (prop.type === "boolean") out[name] = raw === "true";
    else if (prop.type === "array") out[name] = raw.split("\n").map((s) => s.trim()).filter(Boolean);
    else out[name] = raw.trim();
  }
  return out;
}

function humanize(name: string) {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase()).replace(/\bUrl\b/, "URL").replace(/\bId\b/, "ID").replace(/\bMs\b/, "(ms)");
}

function Field({ name, prop, required, value, onChange, secret, isSet, idPrefix }: { name: string; prop: JsonSchemaProp; required: boolean; value: string; onChange: (v: string) => void; secret?: boolean; isSet?: boolean; idPrefix: string }) {
  const id = `${idPrefix}-${name}`;
  const placeholder = secret ? (isSet ? "•••• set (leave empty to keep)" : required ? "required" : "optional") : prop.default !== undefined && !Array.isArray(prop.default) ? `default: ${String(prop.default)}` : required ? "required" : "";
  return (
    <div className="field">
      <label htmlFor={id}>
        {humanize(name)}
        {required ? <span style={{ color: "var(--fail)" }}> *</span> : null}
        {secret ? <span className="badge plain" style={{ marginLeft: 6, fontSize: 10 }}>secret</span> : null}
      </label>
      {prop.enum ? (
        <select id={id} name={name} className="select" value={value} onChange={(e) => onChange(e.target.value)}>
          {!required || !value ? <option value="">{prop.default !== undefined ? `Default (${String(prop.default)})` : "Choose…"}</option> : null}
          {prop.enum.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      ) : prop.type === "boolean" ? (
        <select id={id} name={name} className="select" value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">Default</option>
          <option value="true">Yes</option>
          <option value="false">No</option>
        </select>
      ) : prop.type === "array" || (prop.description?.includes("PEM") ?? false) ? (
        <textarea id={id} name={name} className="textarea" rows={3} value={value} placeholder={prop.type === "array" ? "one per line" : placeholder} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          id={id}
          name={name}
          className="input"
          type={secret ? "password" : prop.type === "integer" || prop.type === "number" ? "number" : "text"}
          autoComplete={secret ? "new-password" : "off"}
          value={value}
          placeholder={placeholder}
          min={prop.minimum}
          max={prop.maximum}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {prop.description ? <span className="hint">{prop.description}</span> : null}
    </div>
  );
}

export function SchemaFields({ schema, text, onChange, secret, setFields = [], idPrefix }: { schema: ObjectSchema; text: FieldText; onChange: (t: FieldText) => void; secret?: boolean; setFields?: string[]; idPrefix: string }) {
  const [showAdvanced, setShowAdvanced] = useState(false);
  const props = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  // Secrets are few and all matter; for settings, optional fields with a default go under "Advanced".
  const main = props.filter(([n, p]) => secret || required.has(n) || p.default === undefined);
  const advanced = props.filter(([n]) => !main.some(([m]) => m === n));
  const render = ([name, prop]: [string, JsonSchemaProp]) => (
    <Field key={name} idPrefix={idPrefix} name={name} prop={prop} required={required.has(name) && !(secret && setFields.includes(name))} value={text[name] ?? ""} onChange={(v) => onChange({ ...text, [name]: v })} secret={secret} isSet={setFields.includes(name)} />
  );
  if (props.length === 0) return <div className="muted small">Nothing to fill in.</div>;
  return (
    <div>
      {main.map(render)}
      {advanced.length ? (
        <>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setShowAdvanced(!showAdvanced)} style={{ marginBottom: 8 }}>
            {showAdvanced ? "▾" : "▸"} Advanced settings ({advanced.length})
          </button>
          {showAdvanced ? advanced.map(render) : null}
        </>
      ) : null}
    </div>
  );
}
