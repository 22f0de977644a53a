/**
 * searchCriteria as Magento applies it: PHP-style bracket keys parsed into nested arrays, groups
 * AND'd, filters in a group OR'd, snake_case or camelCase keys, `eq` by default, several sort
 * orders, and paging where an out-of-range page answers the last page again (older Magento).
 */
import type { Rec } from "./seed";

type Nested = { [k: string]: Nested | string };

/** PHP `parse_str` for bracket keys: `a[b][0][c]=v` -> {a:{b:{0:{c:v}}}}. */
export function parseBracketQuery(params: URLSearchParams): Nested {
  const root: Nested = {};
  for (const [rawKey, value] of params) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match) continue;
    const path = [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])];
    let node: Nested = root;
    path.forEach((segment, i) => {
      if (i === path.length - 1) node[segment] = value;
      else {
        const next = node[segment];
        if (typeof next !== "object") node[segment] = {};
        node = node[segment] as Nested;
      }
    });
  }
  return root;
}

export interface ParsedFilter {
  field: string;
  value: string | undefined;
  condition_type: string;
}

export interface ParsedCriteria {
  filterGroups: ParsedFilter[][];
  sortOrders: Array<{ field: string; direction: "ASC" | "DESC" }>;
  pageSize?: number;
  currentPage?: number;
}

export class SearchCriteriaError extends Error {}

const CONDITIONS = new Set(["eq", "neq", "gt", "gteq", "lt", "lteq", "moreq", "like", "nlike", "in", "nin", "null", "notnull", "finset", "nfinset", "from", "to"]);

const asList = (v: Nested | string | undefined): Nested[] =>
  v && typeof v === "object"
    ? Object.keys(v)
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => v[k])
        .filter((x): x is Nested => typeof x === "object")
    : [];
const pick = (o: Nested, ...names: string[]): Nested | string | undefined => {
  for (const n of names) if (o[n] !== undefined) return o[n];
  return undefined;
};

export function readCriteria(params: URLSearchParams): ParsedCriteria {
  const sc = parseBracketQuery(params).searchCriteria;
  if (!sc || typeof sc !== "object") return { filterGroups: [], sortOrders: [] };
  const filterGroups = asList(pick(sc, "filter_groups", "filterGroups")).map((group) =>
    asList(group.filters).map((f) => {
      const field = f.field;
      if (typeof field !== "string" || !field) throw new SearchCriteriaError('"field" is required for a searchCriteria filter');
      const condition = (pick(f, "condition_type", "conditionType") as string | undefined) ?? "eq";
      if (!CONDITIONS.has(condition)) throw new SearchCriteriaError(`Invalid condition type: ${condition}`);
      return { field, value: typeof f.value === "string" ? f.value : undefined, condition_type: condition };
    }),
  );
  const sortOrders = asList(pick(sc, "sortOrders", "sort_orders")).map((s) => {
    const direction = String(s.direction ?? "ASC").toUpperCase();
    if (direction !== "ASC" && direction !== "DESC") throw new SearchCriteriaError(`Invalid sort direction: ${direction}`);
    return { field: String(s.field ?? ""), direction: direction as "ASC" | "DESC" };
  });
  const num = (v: Nested | string | undefined) => (typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);
  return {
    filterGroups,
    sortOrders,
    pageSize: num(pick(sc, "pageSize", "page_size")),
    currentPage: num(pick(sc, "currentPage", "current_page")),
  };
}

const numeric = (v: unknown) => (typeof v === "number" ? true : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)));

function compare(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (numeric(a) && numeric(b)) return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function likeToRegex(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".");
  return new RegExp(`^${escaped}$`, "is");
}

/** Top-level attribute, as the REST collection would see it (B2B company on orders too). */
function fieldValue(record: Rec, field: string): unknown {
  if (field in record) return record[field];
  return undefined;
}

function matches(record: Rec, f: ParsedFilter): boolean {
  const actual = fieldValue(record, f.field);
  const value = f.value ?? "";
  const isNull = actual === null || actual === undefined;
  switch (f.condition_type) {
    case "eq":
      // MySQL's default collation compares text case-insensitively.
      return !isNull && (numeric(actual) && numeric(value) ? Number(actual) === Number(value) : String(actual).toLowerCase() === value.toLowerCase());
    case "neq":
      return !isNull && compare(actual, value) !== 0;
    case "gt":
      return !isNull && compare(actual, value) > 0;
    case "gteq":
    case "moreq":
    case "from":
      return !isNull && compare(actual, value) >= 0;
    case "lt":
      return !isNull && compare(actual, value) < 0;
    case "lteq":
    case "to":
      return !isNull && compare(actual, value) <= 0;
    case "like":
      return !isNull && likeToRegex(value).test(String(actual));
    case "nlike":
      return !isNull && !likeToRegex(value).test(String(actual));
    case "in":
      return !isNull && value.split(",").some((v) => compare(actual, v.trim()) === 0);
    case "nin":
      return !isNull && !value.split(",").some((v) => compare(actual, v.trim()) === 0);
    case "null":
      return isNull;
    case "notnull":
      return !isNull;
    case "finset":
      return !isNull && String(actual).split(",").includes(value);
    case "nfinset":
      return isNull || !String(actual).split(",").includes(value);
    default:
      return false;
  }
}

export function applyCriteria(records: Rec[], criteria: ParsedCriteria): { items: Rec[]; total_count: number; search_criteria: Rec } {
  const filtered = records.filter((r) => criteria.filterGroups.every((group) => group.length === 0 || group.some((f) => matches(r, f))));
  const sorted = [...filtered];
  if (criteria.sortOrders.length) {
    sorted.sort((a, b) => {
      for (const s of criteria.sortOrders) {
        const c = compare(fieldValue(a, s.field), fieldValue(b, s.field));
        if (c !== 0) return s.direction === "DESC" ? -c : c;
      }
      return 0;
    });
  }
  let items = sorted;
  if (criteria.pageSize !== undefined && criteria.pageSize > 0) {
    const lastPage = Math.max(1, Math.ceil(sorted.length / criteria.pageSize));
    // Older Magento answers an out-of-range page with the last page again.
    const page = Math.min(Math.max(1, criteria.currentPage ?? 1), lastPage);
    items = sorted.slice((page - 1) * criteria.pageSize, page * criteria.pageSize);
  }
  const search_criteria: Rec = {
    filter_groups: criteria.filterGroups.map((g) => ({ filters: g.map((f) => ({ field: f.field, value: f.value ?? "", condition_type: f.condition_type })) })),
  };
  if (criteria.sortOrders.length) search_criteria.sort_orders = criteria.sortOrders;
  if (criteria.pageSize !== undefined) search_criteria.page_size = criteria.pageSize;
  if (criteria.currentPage !== undefined) search_criteria.current_page = criteria.currentPage;
  return { items, total_count: filtered.length, search_criteria };
}
