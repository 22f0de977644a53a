/**
 * The health route keeps answering while an expression loops: evaluations run in the expression
 * threads, never on the web process's event loop (the editor's preview calls the same `evaluate`).
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { afterAll, describe, expect, it } from "vitest";
import { closeExpressionPool } from "../../../engine/nodes/expression-pool";
import { evaluate } from "../../../engine/nodes/expressions";
import { GET } from "./route";

afterAll(async () => {
  await closeExpressionPool();
});

describe("GET /api/health", () => {
  it("answers in under 100 ms while a preview evaluates a looping expression", { timeout: 30_000 }, async () => {
    const ctx = { trigger: null, nodes: {}, lookup: async () => undefined };
    await GET(); // the database connection, once
    await evaluate("1", null, ctx, "expression"); // the pool's first thread
    const loop = evaluate("($f := function($x){ $f($x) }; $f(1))", {}, ctx, "expression").then(
      () => "finished",
      (error: Error) => error.message,
    );
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const latencies: number[] = [];
    const loopStarted = performance.now();
    for (let i = 0; i < 8; i++) {
      const started = performance.now();
      const response = await GET();
      latencies.push(performance.now() - started);
      expect([200, 503]).toContain(response.status); // 503: no worker in this test, but it answers
      await new Promise((r) => setTimeout(r, 20));
    }
    lag.disable();
    const measuredForMs = performance.now() - loopStarted;
    const sorted = [...latencies].sort((a, b) => a - b);
    const report = `over ${measuredForMs.toFixed(0)} ms, health ms: ${latencies.map((l) => l.toFixed(1)).join(" ")}; event-loop delay max ${(lag.max / 1e6).toFixed(1)} ms`;
    // The answers came while the expression was still running (its limit is 1 s).
    expect(measuredForMs, report).toBeLessThan(1000);
    expect(sorted[Math.floor(sorted.length / 2)]!, report).toBeLessThan(100);
    // The event loop never stalled while the expression ran (it would have for the whole second).
    expect(lag.max / 1e6, report).toBeLessThan(100);
    expect(await loop).toMatch(/took longer than 1000 ms/);
  });
});
