/** What the mapping table's grid, CSV import and unmapped-value panel share: row and column shapes, the key column, spreadsheet paste parsing. */
import Papa from "papaparse";

export const KEY = "__key";
export interface GridRow { key: string; values: Record<string, string> }
export interface Column { name: string; label: string; picker?: string }
export interface Option { value: string; label?: string }
export type Cell = { key: string; col: string };

export function cellValue(row: GridRow, col: string) {
  return col === KEY ? row.key : (row.values[col] ?? "");
}

/** Parse a block copied from a spreadsheet (tab-separated lines). */
export function parseTsv(text: string): string[][] {
  const parsed = Papa.parse<string[]>(text.replace(/\r?\n$/, ""), { delimiter: "\t", skipEmptyLines: false });
  return parsed.data.filter((line) => line.some((c) => c.trim() !== ""));
}
