/**
 * The expression thread (a piscina worker): evaluates JSONata off the event loop of the web
 * process and of the worker. Plain JavaScript on purpose: it needs no TypeScript loader, in any
 * process (tsx, vitest, Next.js).
 *
 * Limits: JSONata's own guardrails stop an evaluation past its time limit (checked at every step)
 * or past a stack depth; the pool terminates a thread that still does not answer, and the thread
 * runs under `resourceLimits` (memory). Results are returned as JSON text, refused past a size cap.
 *
 * Each expression is compiled once per (cache key, limit, text): the cache key is the flow version.
 * `$mapping(table, key)` asks the calling process over the task's MessagePort.
 */
import jsonata from "jsonata";

const MAX_CACHED = 5000;
/** Deeper than any sane expression; a runaway non-tail recursion stops here, long before memory. */
const MAX_DEPTH = 2000;
/** Longest sequence an expression may build (JSONata guardrail D2015), well inside the heap limit. */
const MAX_SEQUENCE = 1_000_000;
const cache = new Map();

function compiled(cacheKey, timeoutMs, expression) {
  const key = `${cacheKey}\u0000${timeoutMs}\u0000${expression}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = jsonata(expression, { timeout: timeoutMs, stack: MAX_DEPTH, sequence: MAX_SEQUENCE });
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, entry);
  }
  return entry;
}

function lookupOver(port) {
  let next = 0;
  const waiting = new Map();
  port.on("message", (message) => {
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(message.error));
    else pending.resolve(message.row);
  });
  return (tableId, key) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      port.postMessage({ id, tableId, key });
    });
}

function describe(error, timeoutMs) {
  if (error && error.code === "D1012") return { kind: "time", message: `took longer than ${timeoutMs} ms (the time limit of an expression)` };
  if (error && error.code === "D1011") return { kind: "depth", message: "recursed too deeply (a function that never stops calling itself?)" };
  if (error instanceof RangeError) return { kind: "memory", message: `needs more room than allowed (${error.message})` };
  const message = (error && error.message) || String(error);
  return { kind: "error", message: error && error.position !== undefined ? `${message} (at character ${error.position})` : message };
}

/**
 * task: { cacheKey, timeoutMs, maxResultBytes, inputs: unknown[], items: { expression, input }[],
 *         trigger, nodes, port? }  ->  ({ ok: true, json?: string } | { ok: false, kind, message })[]
 */
export default async function evaluateTask(task) {
  const lookup = task.port ? lookupOver(task.port) : undefined;
  const bindings = {
    trigger: task.trigger,
    nodes: task.nodes,
    mapping: async (tableId, key) => {
      if (typeof tableId !== "string") throw new Error("$mapping(tableId, key): the first argument is the mapping table's id");
      if (key === undefined || key === null) return null;
      if (!lookup) return null;
      return lookup(String(tableId), String(key));
    },
  };
  const results = [];
  try {
    for (const item of task.items) {
      let expression;
      try {
        expression = compiled(task.cacheKey, task.timeoutMs, item.expression);
      } catch (error) {
        results.push({ ok: false, kind: "syntax", message: `invalid expression: ${describe(error, task.timeoutMs).message}` });
        continue;
      }
      try {
        const value = await expression.evaluate(task.inputs[item.input], bindings);
        if (value === undefined) {
          results.push({ ok: true });
          continue;
        }
        const json = JSON.stringify(value);
        if (json === undefined) results.push({ ok: true });
        else if (json.length > task.maxResultBytes) {
          results.push({ ok: false, kind: "size", message: `gave a result of ${json.length} bytes, more than the ${task.maxResultBytes} allowed` });
        } else results.push({ ok: true, json });
      } catch (error) {
        results.push({ ok: false, ...describe(error, task.timeoutMs) });
      }
    }
  } finally {
    task.port?.close();
  }
  return results;
}
