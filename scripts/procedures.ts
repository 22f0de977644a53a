/**
 * Prints every tRPC procedure with its kind and the access it declares, read from the appRouter:
 *   node --conditions=react-server --import tsx scripts/procedures.ts   (a Markdown table)
 * (`react-server`: the routers import "server-only", which refuses other conditions.)
 */
import { appRouter } from "../app/server/root";

interface Def {
  type: string;
  meta?: { access?: string };
}
const procedures = (appRouter as unknown as { _def: { procedures: Record<string, { _def: Def }> } })._def.procedures;
const rows = Object.entries(procedures)
  .map(([path, p]) => ({ path, type: p._def.type, access: p._def.meta?.access ?? "(none)" }))
  .sort((a, b) => a.path.localeCompare(b.path));
console.log("| procedure | kind | minimum access |\n| --- | --- | --- |");
for (const row of rows) console.log(`| \`${row.path}\` | ${row.type} | ${row.access} |`);
console.log(`\n${rows.length} procedures`);
