/**
 * JSONata expressions in node configs: one compile cache, one set of bindings.
 *
 * Bindings available in every expression:
 *   $           the node's input (the upstream node's output)
 *   $trigger    the source record (trigger output)
 *   $nodes      outputs of earlier nodes by node id: $nodes.tax.totalTax
 *   $mapping(tableId, key) a mapping-table row's values, or null: $mapping("…", region).glAccount
 *
 * (Named $mapping so JSONata's own $lookup(object, key) keeps working.)
 */
import jsonata from "jsonata";
import { z } from "zod";
import { PermanentError, type NodeRunContext } from "../../connectors/sdk";

const cache = new Map<string, jsonata.Expression>();

export function compile(expression: string): jsonata.Expression {
  let compiled = cache.get(expression);
  if (!compiled) {
    compiled = jsonata(expression);
    if (cache.size > 5000) cache.clear();
    cache.set(expression, compiled);
  }
  return compiled;
}

export function expressionProblem(expression: string): string | undefined {
  try {
    compile(expression);
    return undefined;
  } catch (error) {
    const e = error as { message?: string; position?: number };
    return `${e.message ?? String(error)}${e.position !== undefined ? ` (at character ${e.position})` : ""}`;
  }
}

/** A config field holding a JSONata expression: checked when the flow is validated. */
export const jsonataExpression = (description: string) =>
  z
    .string()
    .min(1, "an expression is required")
    .superRefine((value, ctx) => {
      const problem = expressionProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: `invalid expression: ${problem}` });
    })
    .describe(description)
    .meta({ format: "jsonata" });

export async function evaluate(
  expression: string,
  input: unknown,
  ctx: Pick<NodeRunContext, "trigger" | "nodes" | "lookup">,
  what: string,
): Promise<unknown> {
  let compiled: jsonata.Expression;
  try {
    compiled = compile(expression);
  } catch (error) {
    throw new PermanentError(`${what}: invalid expression: ${(error as Error).message}`);
  }
  try {
    const result = await compiled.evaluate(input, {
      trigger: ctx.trigger,
      nodes: ctx.nodes,
      mapping: async (tableId: unknown, key: unknown) => {
        if (typeof tableId !== "string") throw new Error("$mapping(tableId, key): the first argument is the mapping table's id");
        if (key === undefined || key === null) return null;
        const row = await ctx.lookup(String(tableId), String(key));
        return row ? { key: row.key, ...row.values } : null;
      },
    });
    return normalise(result);
  } catch (error) {
    throw new PermanentError(`${what}: ${(error as Error).message}`, { details: { expression } });
  }
}

/** JSONata returns sequences with extra properties; give downstream plain JSON. */
function normalise(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value));
}

/** Set `value` at a dot path (`lines.0.amount` style keys are plain property names). */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let cursor: Record<string, unknown> = target;
  for (const part of parts.slice(0, -1)) {
    const next = cursor[part];
    if (!next || typeof next !== "object" || Array.isArray(next)) cursor[part] = {};
    cursor = cursor[part] as Record<string, unknown>;
  }
  cursor[parts[parts.length - 1]!] = value;
}
