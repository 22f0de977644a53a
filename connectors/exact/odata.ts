/**
 * OData v2 "verbose JSON" as Exact Online speaks it, client side.
 *
 * Glossary
 * - collection:  `{"d":{"results":[…],"__next":"<absolute url>"}}`, or `{"d":[…]}` for some
 *                queries (notably with `$top`); both shapes are accepted.
 * - __next:      present only when more pages exist; followed exactly as given.
 * - /Date(ms)/:  how Exact sends dates (UTC epoch ms); normalised to ISO 8601 strings here.
 * - padded code: fixed-width code fields (`Accounts.Code` is 18 wide, VAT codes 3 wide) arrive
 *                space-padded; normalised records carry them trimmed.
 * - literals:    filters write GUIDs `guid'…'`, dates `datetime'…'`, Int64 `123L`, strings `'…'`
 *                with a doubled quote as escape.
 * https://support.exactonline.com/community/s/knowledge-base#All-All-DNO-Content-odata
 */

const DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** `/Date(1641034800000)/` -> `2022-01-01T11:00:00.000Z`; anything else unchanged. */
export function parseODataDate(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== "string") return null;
  const match = DATE.exec(value);
  if (!match) return value;
  return new Date(Number(match[1])).toISOString();
}

export function odataDateMs(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = DATE.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Trim a space-padded code; null stays null. */
export function trimCode(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value).trim();
}

export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function guidLiteral(value: string): string {
  if (!isGuid(value)) throw new TypeError(`not a GUID: ${value}`);
  return `guid'${value.toLowerCase()}'`;
}

export function dateLiteral(isoDate: string): string {
  return `datetime'${isoDate}'`;
}

export function int64Literal(value: string | number | bigint): string {
  const text = String(value);
  if (!/^\d+$/.test(text)) throw new TypeError(`not an Int64: ${text}`);
  return `${text}L`;
}

/** `Accounts.Code` is stored right-aligned in 18 characters; a filter must match the padding. */
export function padAccountCode(code: string): string {
  return code.trim().padStart(18, " ");
}

/** `a eq 1 or a eq 2`, for batching lookups by code. */
export function anyOf(field: string, literals: string[]): string {
  return literals.map((l) => `${field} eq ${l}`).join(" or ");
}

export interface ODataPage {
  rows: Record<string, unknown>[];
  next?: string;
}

/** Read a collection body, whichever of the two shapes it has. Returns undefined when it is neither. */
export function readCollection(body: unknown): ODataPage | undefined {
  if (!body || typeof body !== "object") return undefined;
  const d = (body as { d?: unknown }).d;
  if (Array.isArray(d)) return { rows: d as Record<string, unknown>[] };
  if (d && typeof d === "object") {
    const results = (d as { results?: unknown }).results;
    const next = (d as { __next?: unknown }).__next;
    if (Array.isArray(results)) {
      return { rows: results as Record<string, unknown>[], next: typeof next === "string" && next ? next : undefined };
    }
  }
  return undefined;
}

/** Read a single-entity body (`{"d":{…}}`, as POST with `Prefer: return=representation` answers). */
export function readEntity(body: unknown): Record<string, unknown> | undefined {
  if (!body || typeof body !== "object") return undefined;
  const d = (body as { d?: unknown }).d;
  if (d && typeof d === "object" && !Array.isArray(d)) {
    const results = (d as { results?: unknown }).results;
    if (Array.isArray(results)) return results[0] as Record<string, unknown> | undefined;
    return d as Record<string, unknown>;
  }
  return undefined;
}

/** Rows of an expanded navigation property (`{"results":[…]}`); [] when deferred or absent. */
export function expanded(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value as Record<string, unknown>[];
  if (value && typeof value === "object") {
    const results = (value as { results?: unknown }).results;
    if (Array.isArray(results)) return results as Record<string, unknown>[];
  }
  return [];
}

/** Exact's error envelope: `{"error":{"code":"","message":{"lang":"","value":"…"}}}`. */
export function readErrorEnvelope(body: unknown): { code?: string; message: string } | undefined {
  if (!body || typeof body !== "object") return undefined;
  const error = (body as { error?: unknown }).error;
  if (!error || typeof error !== "object") return undefined;
  const code = (error as { code?: unknown }).code;
  const message = (error as { message?: unknown }).message;
  const text =
    message && typeof message === "object"
      ? String((message as { value?: unknown }).value ?? "")
      : typeof message === "string"
        ? message
        : "";
  return { code: typeof code === "string" && code ? code : undefined, message: text };
}

export function num(value: unknown): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

export function str(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}

export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === "true";
}
