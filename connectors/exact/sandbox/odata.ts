/**
 * The sandbox's OData v2 query engine: `$filter` (eq ne gt ge lt le, and or not, parentheses,
 * substringof/startswith/endswith; literals 'text', guid'…', datetime'…', 123, 123L, true,
 * false, null), `$select` (with `Nav/Field` for expanded navigation properties), `$expand`,
 * `$top`, `$skiptoken` paging, and verbose JSON serialisation with `__metadata`/`__deferred`.
 */

export type Row = Record<string, unknown>;

export class ODataError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

// ------------------------------------------------------------------------------ $filter

type Token =
  | { t: "lit"; v: unknown }
  | { t: "id"; v: string }
  | { t: "op"; v: string }
  | { t: "("; v?: undefined }
  | { t: ")"; v?: undefined }
  | { t: ","; v?: undefined };

const DATE = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/;

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === " " || c === "\t" || c === "\n") {
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === ",") {
      out.push({ t: c } as Token);
      i++;
      continue;
    }
    const prefixed = /^(guid|datetime|datetimeoffset|X)'/.exec(input.slice(i));
    if (c === "'" || prefixed) {
      const kind = prefixed ? prefixed[1] : "";
      i += kind.length + 1;
      let text = "";
      for (;;) {
        if (i >= input.length) throw new ODataError("Unterminated string literal in $filter");
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += input[i++];
      }
      if (kind === "guid") out.push({ t: "lit", v: { guid: text.toLowerCase() } });
      else if (kind.startsWith("datetime")) {
        const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
        if (Number.isNaN(ms)) throw new ODataError(`Invalid datetime literal: ${text}`);
        out.push({ t: "lit", v: { date: ms } });
      } else out.push({ t: "lit", v: text });
      continue;
    }
    const number = /^-?\d+(\.\d+)?([LlMmDdFf])?/.exec(input.slice(i));
    if (number) {
      out.push({ t: "lit", v: Number(number[0].replace(/[LlMmDdFf]$/, "")) });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_/]*/.exec(input.slice(i));
    if (word) {
      const w = word[0];
      i += w.length;
      if (["eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not"].includes(w)) out.push({ t: "op", v: w });
      else if (w === "true" || w === "false") out.push({ t: "lit", v: w === "true" });
      else if (w === "null") out.push({ t: "lit", v: null });
      else out.push({ t: "id", v: w });
      continue;
    }
    throw new ODataError(`Unexpected character '${c}' in $filter`);
  }
  return out;
}

type Expr =
  | { k: "lit"; v: unknown }
  | { k: "field"; name: string }
  | { k: "cmp"; op: string; left: Expr; right: Expr }
  | { k: "bool"; op: "and" | "or"; left: Expr; right: Expr }
  | { k: "not"; e: Expr }
  | { k: "fn"; name: string; args: Expr[] };

function parse(tokens: Token[]): Expr {
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => tokens[pos++];
  const expect = (t: string) => {
    const tok = next();
    if (!tok || tok.t !== t) throw new ODataError(`Expected '${t}' in $filter`);
  };
  const primary = (): Expr => {
    const tok = next();
    if (!tok) throw new ODataError("Unexpected end of $filter");
    if (tok.t === "(") {
      const e = orExpr();
      expect(")");
      return e;
    }
    if (tok.t === "op" && tok.v === "not") return { k: "not", e: primary() };
    if (tok.t === "lit") return { k: "lit", v: tok.v };
    if (tok.t === "id") {
      if (peek()?.t === "(") {
        next();
        const args: Expr[] = [];
        if (peek()?.t !== ")") {
          args.push(orExpr());
          while (peek()?.t === ",") {
            next();
            args.push(orExpr());
          }
        }
        expect(")");
        return { k: "fn", name: tok.v.toLowerCase(), args };
      }
      return { k: "field", name: tok.v };
    }
    throw new ODataError(`Unexpected token in $filter`);
  };
  const comparison = (): Expr => {
    const left = primary();
    const tok = peek();
    if (tok?.t === "op" && ["eq", "ne", "gt", "ge", "lt", "le"].includes(tok.v)) {
      next();
      return { k: "cmp", op: tok.v, left, right: primary() };
    }
    return left;
  };
  const andExpr = (): Expr => {
    let left = comparison();
    while (peek()?.t === "op" && peek()!.v === "and") {
      next();
      left = { k: "bool", op: "and", left, right: comparison() };
    }
    return left;
  };
  const orExpr = (): Expr => {
    let left = andExpr();
    while (peek()?.t === "op" && peek()!.v === "or") {
      next();
      left = { k: "bool", op: "or", left, right: andExpr() };
    }
    return left;
  };
  const e = orExpr();
  if (pos < tokens.length) throw new ODataError("Unexpected trailing tokens in $filter");
  return e;
}

/** Comparable form: dates -> ms, GUIDs and strings -> lower case. */
export function normValue(value: unknown): unknown {
  if (value && typeof value === "object") {
    if ("guid" in value) return (value as { guid: string }).guid;
    if ("date" in value) return (value as { date: number }).date;
  }
  if (typeof value === "string") {
    const d = DATE.exec(value);
    if (d) return Number(d[1]);
    return value.toLowerCase();
  }
  return value;
}

export type Filter = (row: Row) => boolean;

/**
 * The value a filter requires of `field` (`field eq value`, alone or and-ed with other conditions),
 * normalised as comparisons see it, or undefined. Lets a read look a key up instead of scanning.
 */
export function requiredValue(text: string | null, field: string): unknown {
  if (!text) return undefined;
  const find = (e: Expr): unknown => {
    if (e.k === "bool" && e.op === "and") return find(e.left) ?? find(e.right);
    if (e.k !== "cmp" || e.op !== "eq") return undefined;
    const [f, v] = e.left.k === "field" ? [e.left, e.right] : [e.right, e.left];
    return f.k === "field" && f.name === field && v.k === "lit" && v.v !== null ? normValue(v.v) : undefined;
  };
  return find(parse(tokenize(text)));
}

export function compileFilter(text: string | null, known?: string[]): Filter {
  if (!text) return () => true;
  const expr = parse(tokenize(text));
  const check = (e: Expr): void => {
    if (e.k === "field" && known && !known.includes(e.name)) {
      throw new ODataError(`No property '${e.name}' exists in type`);
    }
    if (e.k === "cmp" || e.k === "bool") {
      check(e.left);
      check(e.right);
    } else if (e.k === "not") check(e.e);
    else if (e.k === "fn") e.args.forEach(check);
  };
  check(expr);
  const value = (e: Expr, row: Row): unknown => {
    switch (e.k) {
      case "lit":
        return e.v;
      case "field":
        return row[e.name] ?? null;
      case "cmp": {
        const a = normValue(value(e.left, row));
        const b = normValue(value(e.right, row));
        switch (e.op) {
          case "eq":
            return a === b;
          case "ne":
            return a !== b;
          default: {
            if (a === null || b === null) return false;
            const x = a as number | string;
            const y = b as number | string;
            return e.op === "gt" ? x > y : e.op === "ge" ? x >= y : e.op === "lt" ? x < y : x <= y;
          }
        }
      }
      case "bool":
        return e.op === "and" ? Boolean(value(e.left, row)) && Boolean(value(e.right, row)) : Boolean(value(e.left, row)) || Boolean(value(e.right, row));
      case "not":
        return !value(e.e, row);
      case "fn": {
        const args = e.args.map((a) => normValue(value(a, row)));
        if (e.name === "substringof") return typeof args[1] === "string" && args[1].includes(String(args[0]));
        if (e.name === "startswith") return typeof args[0] === "string" && args[0].startsWith(String(args[1]));
        if (e.name === "endswith") return typeof args[0] === "string" && args[0].endsWith(String(args[1]));
        throw new ODataError(`Function ${e.name} is not supported`);
      }
    }
  };
  return (row) => Boolean(value(expr, row));
}

// ------------------------------------------------------------------------------ serialisation

export interface EntityShape {
  /** e.g. "salesinvoice/SalesInvoices" */
  path: string;
  key: string;
  type: string;
  /** Navigation properties: name -> row list getter. */
  nav?: Record<string, { rows: (row: Row) => Row[]; shape: EntityShape }>;
}

export function keyUri(base: string, division: number | string, shape: EntityShape, row: Row): string {
  return `${base}/api/v1/${division}/${shape.path}(guid'${String(row[shape.key])}')`;
}

/** Wire form of a row: public fields (no `_` prefix), `__metadata`, nav props expanded or deferred. */
export function serialize(
  row: Row,
  shape: EntityShape,
  ctx: { base: string; division: number | string; select?: string[]; expand?: string[] },
): Row {
  const uri = keyUri(ctx.base, ctx.division, shape, row);
  const out: Row = { __metadata: { uri, type: `Exact.Web.Api.Models.${shape.type}` } };
  const top = ctx.select?.filter((s) => !s.includes("/"));
  const want = (name: string) => !top || top.length === 0 || top.includes("*") || top.includes(name);
  for (const [name, value] of Object.entries(row)) {
    if (name.startsWith("_")) continue;
    if (want(name)) out[name] = value;
  }
  for (const [name, nav] of Object.entries(shape.nav ?? {})) {
    const expandedHere = ctx.expand?.includes(name);
    const selectedSub = ctx.select?.filter((s) => s.startsWith(`${name}/`)).map((s) => s.slice(name.length + 1));
    if (expandedHere) {
      out[name] = {
        results: nav.rows(row).map((r) => serialize(r, nav.shape, { ...ctx, select: selectedSub?.length ? selectedSub : undefined, expand: [] })),
      };
    } else if (want(name)) {
      out[name] = { __deferred: { uri: `${uri}/${name}` } };
    }
  }
  return out;
}

export function parseSelect(value: string | null): string[] | undefined {
  if (!value) return undefined;
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export function odataDate(ms: number): string {
  return `/Date(${ms})/`;
}
