/**
 * JSONata expressions in node configs: checked here (syntax, when a flow is validated), evaluated
 * in a pool of worker threads (./expression-pool.ts), never on the event loop of the web process
 * or the worker.
 *
 * Bindings available in every expression:
 *   $           the node's input (the upstream node's output)
 *   $trigger    the source record (trigger output)
 *   $nodes      outputs of earlier nodes by node id: $nodes.tax.totalTax
 *   $mapping(tableId, key) a mapping-table row's values, or null: $mapping("…", region).glAccount
 *
 * (Named $mapping so JSONata's own $lookup(object, key) keeps working.)
 *
 * Limits per evaluation: time (the flow's `expressionTimeoutMs`, default 1 s, at most 10 s),
 * memory (the threads' resourceLimits) and result size. Exceeding one is a PermanentError that
 * names the node and the field.
 *
 * The hot path: an expression that cannot run long, because it defines no function, binds no
 * variable, builds no range and calls only built-ins that are linear in their input (field paths,
 * filters, comparisons, arithmetic, $uppercase, $sum...: most mappings), is evaluated in place;
 * the trip to a thread would cost more than the evaluation. Everything else goes to the threads.
 * Both compile once per flow version.
 */
import jsonata from "jsonata";
import { z } from "zod";
import { PermanentError, type NodeRunContext } from "../../connectors/sdk";
import { DEFAULT_EXPRESSION_TIMEOUT_MS, MAX_RESULT_BYTES, runInPool, type EvaluationResult, type EvaluationTask } from "./expression-pool";

/** Where an evaluation belongs: its compile cache (the flow version), its limit, its node. */
export interface ExpressionScope {
  cacheKey: string;
  timeoutMs: number;
  nodeLabel?: string;
}

const scopes = new WeakMap<object, ExpressionScope>();

/** The executor ties each node context to its flow version's scope. */
export function bindExpressionScope(ctx: object, scope: ExpressionScope): void {
  scopes.set(ctx, scope);
}

const syntaxCache = new Map<string, jsonata.Expression>();

/** Built-ins whose cost is linear (or n log n) in their input, with no function arguments. */
const LINEAR_FUNCTIONS = new Set([
  "string", "length", "substring", "substringBefore", "substringAfter", "uppercase", "lowercase", "trim", "contains",
  "split", "join", "number", "abs", "floor", "ceil", "round", "sum", "max", "min", "average", "count", "exists",
  "boolean", "not", "append", "keys", "lookup", "merge", "spread", "type", "distinct", "reverse", "now", "millis",
  "fromMillis", "toMillis", "formatNumber", "base64encode", "base64decode", "encodeUrlComponent", "encodeUrl",
  "decodeUrlComponent", "decodeUrl", "zip", "sort", "mapping",
]);
const UNBOUNDED_NODES = new Set(["lambda", "bind", "apply", "regex", "transform", "partial"]);

/** Can this syntax tree run long? (See the header: functions, bindings, ranges, other built-ins.) */
function bounded(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(bounded);
  if (!node || typeof node !== "object") return true;
  const n = node as { type?: string; value?: unknown; procedure?: { type?: string; value?: unknown } };
  if (n.type && UNBOUNDED_NODES.has(n.type)) return false;
  if (n.type === "binary" && n.value === "..") return false;
  if (n.type === "function" && !(n.procedure?.type === "variable" && LINEAR_FUNCTIONS.has(String(n.procedure.value)))) return false;
  return Object.entries(node).every(([key, child]) => key === "position" || bounded(child));
}

interface InlineEntry {
  expression: jsonata.Expression | undefined;
}
const inlineCache = new Map<string, InlineEntry>();

/** The compiled expression when it may run in place (cached per flow version), else undefined. */
function inlineCompiled(cacheKey: string, timeoutMs: number, text: string): jsonata.Expression | undefined {
  const key = `${cacheKey}\u0000${timeoutMs}\u0000${text}`;
  let entry = inlineCache.get(key);
  if (!entry) {
    let expression: jsonata.Expression | undefined;
    try {
      const parsed = jsonata(text);
      // Bounded by construction: no guardrails to pay for on every step (they are for the threads).
      expression = bounded(parsed.ast()) ? parsed : undefined;
    } catch {
      expression = undefined; // a syntax error: the threads report it like any other
    }
    entry = { expression };
    if (inlineCache.size > 5000) inlineCache.clear();
    inlineCache.set(key, entry);
  }
  return entry.expression;
}

/** Parse only (linear in the text, no evaluation): safe on the event loop. */
export function compile(expression: string): jsonata.Expression {
  let compiled = syntaxCache.get(expression);
  if (!compiled) {
    compiled = jsonata(expression);
    if (syntaxCache.size > 5000) syntaxCache.clear();
    syntaxCache.set(expression, compiled);
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

type EvaluationContext = Pick<NodeRunContext, "trigger" | "nodes" | "lookup">;

export interface EvaluationItem {
  expression: string;
  input: unknown;
  /** What the expression is for, in error messages: `field "amount"`. */
  what: string;
}

/** Evaluate one expression. */
export async function evaluate(expression: string, input: unknown, ctx: EvaluationContext, what: string): Promise<unknown> {
  const [value] = await evaluateAll([{ expression, input, what }], ctx);
  return value;
}

/** Evaluate several expressions in one trip to the pool (a node's fields, a list's items). */
export async function evaluateAll(items: EvaluationItem[], ctx: EvaluationContext): Promise<unknown[]> {
  if (items.length === 0) return [];
  const scope = scopes.get(ctx);
  const prefix = scope?.nodeLabel ? `node ${scope.nodeLabel}, ` : "";
  // Inputs are sent once each, however many expressions read them.
  const inputs: unknown[] = [];
  const index = new Map<unknown, number>();
  const taskItems = items.map((item) => {
    let i = index.get(item.input);
    if (i === undefined) {
      i = inputs.push(item.input) - 1;
      index.set(item.input, i);
    }
    return { expression: item.expression, input: i };
  });
  const task: EvaluationTask = {
    cacheKey: scope?.cacheKey ?? "adhoc",
    timeoutMs: scope?.timeoutMs ?? DEFAULT_EXPRESSION_TIMEOUT_MS,
    maxResultBytes: MAX_RESULT_BYTES,
    inputs,
    items: taskItems,
    trigger: ctx.trigger,
    nodes: ctx.nodes,
  };
  const inline = items.map((item) => inlineCompiled(task.cacheKey, task.timeoutMs, item.expression));
  let results: EvaluationResult[];
  if (inline.every(Boolean)) {
    results = await Promise.all(items.map((item, i) => evaluateInPlace(inline[i]!, item.input, ctx)));
  } else {
    const usesMapping = items.some((item) => item.expression.includes("$mapping"));
    try {
      results = await runInPool(task, usesMapping ? ctx.lookup : undefined);
    } catch (error) {
      throw new PermanentError(`${prefix}${items.length === 1 ? items[0]!.what : "expressions"}: ${(error as Error).message}`, {
        details: { expressions: items.map((item) => item.expression) },
      });
    }
  }
  return results.map((result, i) => {
    const item = items[i]!;
    if (!result.ok) {
      throw new PermanentError(`${prefix}${item.what}: ${result.kind === "syntax" || result.kind === "error" ? "" : "the expression "}${result.message}`, {
        code: `expression_${result.kind}`,
        details: { expression: item.expression },
      });
    }
    return result.json === undefined ? undefined : JSON.parse(result.json);
  });
}

/** A bounded expression, here: same bindings, same result rules as in the threads. */
async function evaluateInPlace(expression: jsonata.Expression, input: unknown, ctx: EvaluationContext): Promise<EvaluationResult> {
  try {
    const value = await expression.evaluate(input, {
      trigger: ctx.trigger,
      nodes: ctx.nodes,
      mapping: async (tableId: unknown, key: unknown) => {
        if (typeof tableId !== "string") throw new Error("$mapping(tableId, key): the first argument is the mapping table's id");
        if (key === undefined || key === null) return null;
        const row = await ctx.lookup(String(tableId), String(key));
        return row ? { key: row.key, ...row.values } : null;
      },
    });
    const json = value === undefined ? undefined : JSON.stringify(value);
    if (json === undefined) return { ok: true };
    if (json.length > MAX_RESULT_BYTES) return { ok: false, kind: "size", message: `gave a result of ${json.length} bytes, more than the ${MAX_RESULT_BYTES} allowed` };
    return { ok: true, json };
  } catch (error) {
    const e = error as { code?: string; message?: string; position?: number };
    if (e.code === "D1012") return { ok: false, kind: "time", message: "took longer than its time limit" };
    return { ok: false, kind: "error", message: `${e.message ?? String(error)}${e.position !== undefined ? ` (at character ${e.position})` : ""}` };
  }
}

/** Path segments that would reach an object's prototype instead of a field. */
const FORBIDDEN_SEGMENTS = new Set(["__proto__", "prototype", "constructor"]);

export function forbiddenSegment(path: string): string | undefined {
  return path.split(".").find((part) => FORBIDDEN_SEGMENTS.has(part));
}

/** A zod refinement for config fields that hold a dot path. */
export function safePath(schema: z.ZodString): z.ZodString {
  return schema.refine((path) => !forbiddenSegment(path), { message: "__proto__, prototype and constructor cannot be field names" });
}

/**
 * Set `value` at a dot path (`lines.0.amount` style keys are plain property names). Objects made
 * on the way have no prototype, and prototype segments are refused, so no path reaches one.
 */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const bad = forbiddenSegment(path);
  if (bad) throw new PermanentError(`"${path}": ${bad} cannot be a field name`);
  const parts = path.split(".");
  let cursor: Record<string, unknown> = target;
  for (const part of parts.slice(0, -1)) {
    const next = Object.hasOwn(cursor, part) ? cursor[part] : undefined;
    if (!next || typeof next !== "object" || Array.isArray(next)) cursor[part] = Object.create(null);
    cursor = cursor[part] as Record<string, unknown>;
  }
  cursor[parts[parts.length - 1]!] = value;
}

/** An output built with `setPath`, as plain JSON objects again (for zod and the database). */
export function plainObject(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
