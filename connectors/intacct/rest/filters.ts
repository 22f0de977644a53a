/**
 * The nodes' XML queries as query-service filters (intacct-rest.md 2.3): a readByQuery string
 * (`VENDORID = 'V1' AND WHENMODIFIED >= '06/30/2024 12:00:00'`) or a `query` filter tree becomes
 * `filters` (`[{"$eq": {"id": "V1"}}, ...]`) plus a `filterExpression` ("1 and (2 or 3)"), with
 * field names and values in their REST form. Anything without a REST equivalent (a field REST does
 * not have, NOT of a group, a LIKE pattern with a wildcard inside) answers undefined: the client
 * then sends the query over the XML gateway, or refuses it on a REST-only connection.
 */
import type { QueryFilter } from "../client";
import { COMPARISON_BY_OPERATOR, COMPARISON_BY_SYMBOL, QueryError, tokenizeQuery, type QueryToken } from "../query-language";
import { restFieldFor, toRestValue, type RestObject } from "./objects";

export interface RestFilters {
  filters: Array<Record<string, Record<string, unknown>>>;
  filterExpression?: string;
}

type Node = { and: Node[] } | { or: Node[] } | { op: string; field: string; value: unknown };

function build(node: Node | undefined): RestFilters {
  const filters: RestFilters["filters"] = [];
  let grouped = false;
  const walk = (n: Node): string => {
    if ("and" in n || "or" in n) {
      const parts = ("and" in n ? n.and : n.or).map(walk);
      if ("or" in n) grouped = true;
      if (parts.length === 1) return parts[0]!;
      return `(${parts.join("and" in n ? " and " : " or ")})`;
    }
    filters.push({ [n.op]: { [n.field]: n.value } });
    return String(filters.length);
  };
  if (!node) return { filters };
  const expression = walk(node);
  return grouped ? { filters, filterExpression: expression.replace(/^\((.*)\)$/, "$1") } : { filters };
}

function value(obj: RestObject, xmlField: string, raw: unknown): { field: string; value: string } | undefined {
  const m = restFieldFor(obj, xmlField);
  if (!m) return undefined;
  const v = toRestValue(m.kind, raw);
  return { field: m.rest, value: v ?? "" };
}

/** LIKE pattern -> $startsWith / $endsWith / $contains / $eq, when its wildcards allow. */
function likeOp(pattern: string, negated: boolean): { op: string; value: string } | undefined {
  const inner = pattern.replace(/^%/, "").replace(/%$/, "");
  if (/[%_]/.test(inner)) return undefined;
  const starts = pattern.endsWith("%") && !pattern.startsWith("%");
  const ends = pattern.startsWith("%") && !pattern.endsWith("%");
  const contains = pattern.startsWith("%") && pattern.endsWith("%") && pattern.length > 1;
  const op = starts ? "StartsWith" : ends ? "EndsWith" : contains ? "Contains" : "";
  if (!op) return { op: negated ? "$ne" : "$eq", value: pattern };
  return { op: negated ? `$not${op}` : `$${op.charAt(0).toLowerCase()}${op.slice(1)}`, value: inner };
}

// -------------------------------------------------------------------------------------------------
// readByQuery strings

/** The query's tokens; undefined when it does not tokenize (then it has no REST form either). */
function tokenize(input: string): QueryToken[] | undefined {
  try {
    return tokenizeQuery(input);
  } catch (error) {
    if (error instanceof QueryError) return undefined;
    throw error;
  }
}

class Unsupported extends Error {}

/** A readByQuery query string as REST filters; undefined when it has no REST form. */
export function legacyQueryToRest(obj: RestObject, query: string): RestFilters | undefined {
  if (!query.trim()) return { filters: [] };
  const tokens = tokenize(query);
  if (!tokens) return undefined;
  let i = 0;
  const peekWord = (w: string) => tokens[i]?.t === "word" && tokens[i]!.v.toUpperCase() === w;
  const literal = (): string => {
    const t = tokens[i++];
    if (!t || (t.t !== "str" && t.t !== "num")) throw new Unsupported();
    return t.v;
  };
  const comparison = (): Node => {
    if (tokens[i]?.t === "(") {
      i++;
      const inner = or();
      if (tokens[i++]?.t !== ")") throw new Unsupported();
      return inner;
    }
    const fieldTok = tokens[i++];
    if (!fieldTok || fieldTok.t !== "word") throw new Unsupported();
    const field = fieldTok.v;
    const mapped = (raw: unknown) => {
      const v = value(obj, field, raw);
      if (!v) throw new Unsupported();
      return v;
    };
    if (peekWord("IS")) {
      i++;
      const not = peekWord("NOT");
      if (not) i++;
      if (!peekWord("NULL")) throw new Unsupported();
      i++;
      return { op: not ? "$ne" : "$eq", field: mapped("").field, value: null };
    }
    const negated = peekWord("NOT");
    if (negated) i++;
    if (peekWord("IN")) {
      i++;
      if (tokens[i++]?.t !== "(") throw new Unsupported();
      const values: string[] = [];
      for (;;) {
        values.push(literal());
        const t = tokens[i++];
        if (t?.t === ")") break;
        if (t?.t !== ",") throw new Unsupported();
      }
      const converted = values.map((v) => mapped(v));
      return { op: negated ? "$notIn" : "$in", field: converted[0]!.field, value: converted.map((c) => c.value) };
    }
    if (peekWord("LIKE")) {
      i++;
      const pattern = literal();
      const like = likeOp(pattern, negated);
      if (!like) throw new Unsupported();
      return { op: like.op, field: mapped("").field, value: like.value };
    }
    if (negated) throw new Unsupported();
    const opTok = tokens[i++];
    if (!opTok || opTok.t !== "op") throw new Unsupported();
    const v = mapped(literal());
    return { op: COMPARISON_BY_SYMBOL.get(opTok.v)!.rest, field: v.field, value: v.value };
  };
  const and = (): Node => {
    const parts = [comparison()];
    while (peekWord("AND")) {
      i++;
      parts.push(comparison());
    }
    return parts.length === 1 ? parts[0]! : { and: parts };
  };
  const or = (): Node => {
    const parts = [and()];
    while (peekWord("OR")) {
      i++;
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : { or: parts };
  };
  try {
    const tree = or();
    if (i < tokens.length) return undefined;
    return build(tree);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/** A `query` filter tree as REST filters; undefined when it has no REST form. */
export function queryFilterToRest(obj: RestObject, filter: QueryFilter | undefined): RestFilters | undefined {
  if (!filter) return { filters: [] };
  const convert = (f: QueryFilter): Node => {
    if ("and" in f) return { and: f.and.map(convert) };
    if ("or" in f) return { or: f.or.map(convert) };
    const mapped = (raw: unknown) => {
      const v = value(obj, f.field, raw);
      if (!v) throw new Unsupported();
      return v;
    };
    const values = f.values ?? (f.value === undefined ? [] : [f.value]);
    switch (f.operator) {
      case "isnull":
      case "isnotnull":
        return { op: f.operator === "isnull" ? "$eq" : "$ne", field: mapped("").field, value: null };
      case "in":
      case "notin":
      case "between": {
        const converted = values.map((v) => mapped(String(v)));
        if (converted.length === 0) throw new Unsupported();
        return { op: f.operator === "in" ? "$in" : f.operator === "notin" ? "$notIn" : "$between", field: converted[0]!.field, value: converted.map((c) => c.value) };
      }
      case "like":
      case "notlike": {
        const like = likeOp(String(f.value ?? ""), f.operator === "notlike");
        if (!like) throw new Unsupported();
        return { op: like.op, field: mapped("").field, value: like.value };
      }
      default: {
        const comparison = COMPARISON_BY_OPERATOR.get(f.operator);
        if (!comparison) throw new Unsupported();
        const v = mapped(String(f.value ?? ""));
        return { op: comparison.rest, field: v.field, value: v.value };
      }
    }
  };
  try {
    return build(convert(filter));
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}
