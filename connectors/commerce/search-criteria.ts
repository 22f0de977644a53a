/**
 * searchCriteria: the query language of every Magento `getList` endpoint.
 *
 * - Filters inside one group are OR'd; groups are AND'd. Only top-level attributes filter.
 * - `condition_type` defaults to `eq`; `in`/`nin` take comma-separated values; `null`/`notnull`
 *   ignore the value; `from`/`to` are two filters in the same group.
 * - No `pageSize` means "everything": we always send one.
 * https://developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches/
 */
import { z } from "zod";
import { rfc3986 } from "./oauth1";

export const conditionTypes = [
  "eq",
  "neq",
  "gt",
  "gteq",
  "lt",
  "lteq",
  "moreq",
  "like",
  "nlike",
  "in",
  "nin",
  "null",
  "notnull",
  "finset",
  "nfinset",
  "from",
  "to",
] as const;
export type ConditionType = (typeof conditionTypes)[number];

export const searchFilter = z.object({
  field: z.string().regex(/^[a-z0-9_]+$/i, "a top-level attribute code").describe("Attribute code, e.g. updated_at, customer_email."),
  value: z.union([z.string(), z.number()]).optional().describe("Value; comma-separated for in/nin; % wildcards for like."),
  conditionType: z.enum(conditionTypes).default("eq"),
});
export type SearchFilter = z.input<typeof searchFilter>;

export interface SortOrder {
  field: string;
  direction: "ASC" | "DESC";
}

export interface SearchCriteria {
  /** AND of groups; each group is an OR of its filters. */
  filterGroups?: SearchFilter[][];
  sortOrders?: SortOrder[];
  pageSize?: number;
  currentPage?: number;
}

/** Shorthand for the common case: every filter in its own group (all must match). */
export function allOf(...filters: SearchFilter[]): SearchFilter[][] {
  return filters.map((f) => [f]);
}

/**
 * Encode criteria as query pairs, brackets percent-encoded (`searchCriteria%5Bfilter_groups%5D…`):
 * PHP decodes them back to nested arrays, and the OAuth signature covers the decoded pairs.
 */
export function searchCriteriaPairs(criteria: SearchCriteria): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  (criteria.filterGroups ?? []).forEach((group, g) => {
    group.forEach((raw, f) => {
      const filter = searchFilter.parse(raw);
      const prefix = `searchCriteria[filter_groups][${g}][filters][${f}]`;
      pairs.push([`${prefix}[field]`, filter.field]);
      if (filter.value !== undefined) pairs.push([`${prefix}[value]`, String(filter.value)]);
      else if (filter.conditionType !== "null" && filter.conditionType !== "notnull") {
        throw new Error(`filter on ${filter.field} (${filter.conditionType}) needs a value`);
      }
      pairs.push([`${prefix}[condition_type]`, filter.conditionType]);
    });
  });
  (criteria.sortOrders ?? []).forEach((sort, i) => {
    pairs.push([`searchCriteria[sortOrders][${i}][field]`, sort.field]);
    pairs.push([`searchCriteria[sortOrders][${i}][direction]`, sort.direction]);
  });
  if (criteria.pageSize !== undefined) pairs.push(["searchCriteria[pageSize]", String(criteria.pageSize)]);
  if (criteria.currentPage !== undefined) pairs.push(["searchCriteria[currentPage]", String(criteria.currentPage)]);
  return pairs;
}

/** `k=v&…` with RFC 3986 encoding (spaces as %20, never `+`, which PHP would read as a space). */
export function toQueryString(pairs: Array<[string, string]>): string {
  return pairs.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`).join("&");
}

/** Magento's datetime format: UTC `YYYY-MM-DD HH:MM:SS`, no `T`, no zone. */
export function toMagentoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** Parse a Magento datetime (UTC, no zone) into epoch ms. */
export function fromMagentoDate(value: string): number {
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`"${value}" is not a date`);
  return ms;
}
