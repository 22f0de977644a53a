/**
 * Intacct's query language, as the connector and the sandbox both read it: the tokens of a
 * readByQuery string and the comparisons, each with its readByQuery symbol, its `query` function
 * operator and its REST query-service operator. The connector translates queries with it
 * (rest/filters.ts), the sandbox evaluates them with it (sandbox/query.ts), so both agree on what
 * a query says. https://developer.intacct.com/web-services/queries/
 *
 * Glossary
 * - readByQuery string: `VENDORID = 'V1' AND WHENMODIFIED >= '06/30/2024 12:00:00'`; strings in
 *   single quotes with `\'` escapes, numbers bare, field names and keywords (AND OR NOT IN LIKE IS
 *   NULL) as words.
 * - filter operator: the element names of the `query` function's `<filter>` (equalto, in, ...).
 * - comparison: an ordering test (=, <, >= ...) of a field's value against one value.
 */

export class QueryError extends Error {}

export type QueryToken =
  | { t: "str"; v: string }
  | { t: "num"; v: string }
  | { t: "op"; v: string }
  | { t: "word"; v: string }
  | { t: "("; v: "(" }
  | { t: ")"; v: ")" }
  | { t: ","; v: "," };

/** The tokens of a readByQuery string; throws a QueryError naming what it cannot read. */
export function tokenizeQuery(input: string): QueryToken[] {
  const out: QueryToken[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = "";
      i++;
      for (;;) {
        if (i >= input.length) throw new QueryError("unterminated string literal");
        const ch = input[i]!;
        if (ch === "\\" && i + 1 < input.length) {
          v += input[i + 1];
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          v += ch;
          i++;
        }
      }
      out.push({ t: "str", v });
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ t: c, v: c } as QueryToken);
      i++;
    } else if ("<>=!".includes(c)) {
      const two = input.slice(i, i + 2);
      if (COMPARISON_BY_SYMBOL.has(two)) {
        out.push({ t: "op", v: two });
        i += 2;
      } else if (c === "!") {
        throw new QueryError("unexpected '!'");
      } else {
        out.push({ t: "op", v: c });
        i++;
      }
    } else if (/[0-9.-]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(input.slice(i));
      if (!m) throw new QueryError(`unexpected '${c}'`);
      out.push({ t: "num", v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(input.slice(i))!;
      out.push({ t: "word", v: m[0] });
      i += m[0].length;
    } else {
      throw new QueryError(`unexpected '${c}'`);
    }
  }
  return out;
}

/** The `query` function's filter operators (https://developer.intacct.com/web-services/queries/#filter). */
export const FILTER_OPERATORS = [
  "equalto",
  "notequalto",
  "lessthan",
  "lessthanorequalto",
  "greaterthan",
  "greaterthanorequalto",
  "between",
  "in",
  "notin",
  "like",
  "notlike",
  "isnull",
  "isnotnull",
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface Comparison {
  /** The `query` function's operator. */
  operator: FilterOperator;
  /** readByQuery's symbols for it. */
  symbols: readonly string[];
  /** The REST query service's operator. */
  rest: "$eq" | "$ne" | "$lt" | "$lte" | "$gt" | "$gte";
  /** Whether it holds, given the order of the field's value against the operand (<0, 0, >0). */
  holds(order: number): boolean;
  /** Whether it holds for a record without the field (only "not equal" does). */
  holdsWhenAbsent: boolean;
}

export const COMPARISONS: readonly Comparison[] = [
  { operator: "equalto", symbols: ["="], rest: "$eq", holds: (c) => c === 0, holdsWhenAbsent: false },
  { operator: "notequalto", symbols: ["<>", "!="], rest: "$ne", holds: (c) => c !== 0, holdsWhenAbsent: true },
  { operator: "lessthan", symbols: ["<"], rest: "$lt", holds: (c) => c < 0, holdsWhenAbsent: false },
  { operator: "lessthanorequalto", symbols: ["<="], rest: "$lte", holds: (c) => c <= 0, holdsWhenAbsent: false },
  { operator: "greaterthan", symbols: [">"], rest: "$gt", holds: (c) => c > 0, holdsWhenAbsent: false },
  { operator: "greaterthanorequalto", symbols: [">="], rest: "$gte", holds: (c) => c >= 0, holdsWhenAbsent: false },
];

export const COMPARISON_BY_SYMBOL: ReadonlyMap<string, Comparison> = new Map(COMPARISONS.flatMap((c) => c.symbols.map((s) => [s, c] as const)));
export const COMPARISON_BY_OPERATOR: ReadonlyMap<string, Comparison> = new Map(COMPARISONS.map((c) => [c.operator, c]));
