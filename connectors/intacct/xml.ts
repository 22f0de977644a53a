/**
 * XML helpers shared by the Intacct transport and its sandbox.
 *
 * Glossary
 * - XmlValue: a JS value written as XML. Objects become child elements in key order, arrays
 *   repeat their parent element, `undefined`/`null` are skipped, numbers and booleans are
 *   written as text. Keys starting with `@` are attributes.
 * - forbidden characters: code points outside the XML 1.0 `Char` production (W3C XML 1.0 §2.2).
 *   They cannot appear in a document even escaped, so they are stripped before encoding.
 */
import { XMLParser } from "fast-xml-parser";

const FORBIDDEN = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Remove characters that XML 1.0 forbids (C0 controls except TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
export function stripForbidden(text: string): string {
  return text.replace(FORBIDDEN, "");
}

/** True when the text holds a character XML 1.0 forbids. */
export function hasForbidden(text: string): boolean {
  FORBIDDEN.lastIndex = 0;
  const found = FORBIDDEN.test(text);
  FORBIDDEN.lastIndex = 0;
  return found;
}

/** Escape text content and attribute values (after stripping forbidden characters). */
export function escapeXml(text: string): string {
  return stripForbidden(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

export type XmlScalar = string | number | boolean;
export type XmlValue = XmlScalar | null | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function scalarText(value: XmlScalar): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as XML`);
    return String(value);
  }
  return String(value);
}

/** Write `<name ...>value</name>`; arrays repeat the element. */
export function element(name: string, value: XmlValue): string {
  if (!NAME.test(name)) throw new TypeError(`invalid XML element name: ${JSON.stringify(name)}`);
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join("");
  if (typeof value !== "object") return `<${name}>${escapeXml(scalarText(value))}</${name}>`;
  let attrs = "";
  let inner = "";
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith("@")) {
      if (child === undefined || child === null) continue;
      const attr = key.slice(1);
      if (!NAME.test(attr)) throw new TypeError(`invalid XML attribute name: ${JSON.stringify(attr)}`);
      attrs += ` ${attr}="${escapeXml(scalarText(child as XmlScalar))}"`;
    } else if (key === "#raw") {
      // Pre-built XML (already escaped by its builder), e.g. a query filter tree.
      if (typeof child === "string") inner += child;
    } else if (key === "#text") {
      if (child !== undefined && child !== null) inner += escapeXml(scalarText(child as XmlScalar));
    } else {
      inner += element(key, child);
    }
  }
  return inner === "" ? `<${name}${attrs}/>` : `<${name}${attrs}>${inner}</${name}>`;
}

/** Children of an object written one after the other (no wrapping element). */
export function children(value: XmlObject): string {
  return Object.entries(value)
    .map(([k, v]) => element(k, v))
    .join("");
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** Parse XML into plain objects: every text is a string, attributes are `@name`. */
export function parseXml(text: string): Record<string, unknown> {
  return parser.parse(text) as Record<string, unknown>;
}

/** Normalise "one or many" as produced by the parser into an array. */
export function asArray<T = unknown>(value: unknown): T[] {
  if (value === undefined || value === null || value === "") return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** Text of a parsed element ("" for empty or missing, `#text` for elements with attributes). */
export function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && "#text" in (value as object)) return text((value as Record<string, unknown>)["#text"]);
  return "";
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A parsed element as an object ({} for empty elements). */
export function obj(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** A field by dotted path, whether the gateway returned it flat ("A.B") or nested (<A><B>). */
export function field(rec: Record<string, unknown>, path: string): string {
  if (path in rec) return text(rec[path]);
  let cur: unknown = rec;
  for (const part of path.split(".")) {
    if (!isRecord(cur)) return "";
    cur = cur[part];
  }
  return text(cur);
}
