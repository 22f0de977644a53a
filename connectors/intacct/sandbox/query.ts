/**
 * Query evaluation for the sandbox:
 * - readByQuery strings: `< > >= <= = like, not like, in, not in, IS NULL, IS NOT NULL, AND, OR,
 *   NOT`, parentheses, single-quoted strings with `\'` escapes; string operands case-sensitive.
 * - query filter trees: equalto … isnotnull combined with and/or (parsed XML objects).
 * https://developer.intacct.com/web-services/queries/
 */
import { COMPARISON_BY_OPERATOR, COMPARISON_BY_SYMBOL, FILTER_OPERATORS, QueryError, tokenizeQuery, type QueryToken } from "../query-language";
import { asArray, obj, text } from "../xml";
import { parseUsDate, valueAt, type Rec } from "./store";

export { QueryError };

export type Predicate = (rec: Rec) => boolean;

function scalar(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object") return undefined;
  return String(value);
}

/** Compare as numbers, as US dates, or as strings (case-sensitive unless told otherwise). */
export function compare(a: string, b: string, caseInsensitive = false): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== "" && b.trim() !== "" && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const da = parseUsDate(a);
  const db = parseUsDate(b);
  if (da !== undefined && db !== undefined) return da - db;
  const x = caseInsensitive ? a.toLowerCase() : a;
  const y = caseInsensitive ? b.toLowerCase() : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function like(value: string, pattern: string, caseInsensitive = false): boolean {
  const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".");
  return new RegExp(`^${re}$`, caseInsensitive ? "is" : "s").test(value);
}

/** Parse a readByQuery query string; `fields` validates field names. */
export function parseReadByQuery(query: string, isField: (name: string) => boolean): Predicate {
  if (query.trim() === "") return () => true;
  const tokens = tokenizeQuery(query);
  let pos = 0;
  const peek = () => tokens[pos];
  const word = (w: string) => peek()?.t === "word" && peek()!.v.toUpperCase() === w;
  const expect = (t: QueryToken["t"]) => {
    const tok = tokens[pos++];
    if (!tok || tok.t !== t) throw new QueryError(`expected ${t} near token ${pos}`);
    return tok;
  };
  const literal = (): string => {
    const tok = tokens[pos++];
    if (!tok || (tok.t !== "str" && tok.t !== "num")) throw new QueryError(`expected a value near token ${pos}`);
    return tok.v;
  };

  const orExpr = (): Predicate => {
    let left = andExpr();
    while (word("OR")) {
      pos++;
      const l = left;
      const r = andExpr();
      left = (rec) => l(rec) || r(rec);
    }
    return left;
  };
  const andExpr = (): Predicate => {
    let left = notExpr();
    while (word("AND")) {
      pos++;
      const l = left;
      const r = notExpr();
      left = (rec) => l(rec) && r(rec);
    }
    return left;
  };
  const notExpr = (): Predicate => {
    if (word("NOT")) {
      pos++;
      const inner = notExpr();
      return (rec) => !inner(rec);
    }
    return primary();
  };
  const primary = (): Predicate => {
    if (peek()?.t === "(") {
      pos++;
      const inner = orExpr();
      expect(")");
      return inner;
    }
    const fieldTok = expect("word");
    const field = fieldTok.v;
    if (!isField(field)) throw new QueryError(`unknown field ${field}`);
    const get = (rec: Rec) => scalar(valueAt(rec, field));
    if (word("IS")) {
      pos++;
      const negate = word("NOT");
      if (negate) pos++;
      if (!word("NULL")) throw new QueryError("expected NULL");
      pos++;
      return (rec) => {
        const v = get(rec);
        const isNull = v === undefined || v === "";
        return negate ? !isNull : isNull;
      };
    }
    let negate = false;
    if (word("NOT")) {
      negate = true;
      pos++;
    }
    if (word("LIKE")) {
      pos++;
      const pattern = literal();
      return (rec) => like(get(rec) ?? "", pattern) !== negate;
    }
    if (word("IN")) {
      pos++;
      expect("(");
      const values = [literal()];
      while (peek()?.t === ",") {
        pos++;
        values.push(literal());
      }
      expect(")");
      return (rec) => {
        const v = get(rec);
        return (v !== undefined && values.some((x) => compare(v, x) === 0)) !== negate;
      };
    }
    if (negate) throw new QueryError("NOT must be followed by LIKE or IN here");
    const comparison = COMPARISON_BY_SYMBOL.get(expect("op").v)!;
    const value = literal();
    return (rec) => {
      const v = get(rec);
      return v === undefined ? comparison.holdsWhenAbsent : comparison.holds(compare(v, value));
    };
  };

  const predicate = orExpr();
  if (pos !== tokens.length) throw new QueryError(`unexpected '${tokens[pos].v}'`);
  return predicate;
}

const OPERATORS: ReadonlySet<string> = new Set(FILTER_OPERATORS);

/** Parse a `<filter>` element (already parsed to objects) into a predicate. */
export function parseFilter(filter: Record<string, unknown>, isField: (name: string) => boolean, caseInsensitive: boolean): Predicate {
  const entries = Object.entries(filter).filter(([k]) => !k.startsWith("@"));
  if (entries.length !== 1) throw new QueryError("filter must hold exactly one expression");
  const [op, raw] = entries[0];
  const nodes = asArray(raw);
  if (nodes.length !== 1) throw new QueryError(`filter must hold exactly one expression, found ${nodes.length} ${op}`);
  return expression(op, obj(nodes[0]), isField, caseInsensitive);
}

function expression(op: string, node: Record<string, unknown>, isField: (name: string) => boolean, ci: boolean): Predicate {
  if (op === "and" || op === "or") {
    const parts: Predicate[] = [];
    for (const [childOp, raw] of Object.entries(node)) {
      if (childOp.startsWith("@")) continue;
      for (const child of asArray(raw)) parts.push(expression(childOp, obj(child), isField, ci));
    }
    if (parts.length < 2) throw new QueryError(`${op} needs at least two expressions`);
    return op === "and" ? (r) => parts.every((p) => p(r)) : (r) => parts.some((p) => p(r));
  }
  if (!OPERATORS.has(op)) throw new QueryError(`unknown filter operator ${op}`);
  const field = text(node.field);
  if (!field) throw new QueryError(`${op} needs a field`);
  if (!isField(field)) throw new QueryError(`unknown field ${field}`);
  const values = asArray(node.value).map(text);
  const get = (rec: Rec) => scalar(valueAt(rec, field));
  const need = (n: number, exact = false) => {
    if (exact ? values.length !== n : values.length < n) throw new QueryError(`${op} on ${field} needs ${n} value(s)`);
  };
  switch (op) {
    case "isnull":
      return (r) => (get(r) ?? "") === "";
    case "isnotnull":
      return (r) => (get(r) ?? "") !== "";
    case "in":
    case "notin":
      need(1);
      return (r) => {
        const v = get(r);
        return (v !== undefined && values.some((x) => compare(v, x, ci) === 0)) === (op === "in");
      };
    case "between":
      need(2, true);
      return (r) => {
        const v = get(r);
        return v !== undefined && compare(v, values[0], ci) >= 0 && compare(v, values[1], ci) <= 0;
      };
    case "like":
    case "notlike":
      need(1, true);
      return (r) => like(get(r) ?? "", values[0], ci) === (op === "like");
    default: {
      need(1, true);
      const value = values[0];
      const comparison = COMPARISON_BY_OPERATOR.get(op)!;
      return (r) => {
        const v = get(r);
        return v === undefined ? comparison.holdsWhenAbsent : comparison.holds(compare(v, value, ci));
      };
    }
  }
}
