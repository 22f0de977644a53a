import { describe, expect, it } from "vitest";
import { diffFlows } from "./diff";
import { parseFlowDefinition } from "./schema";

const base = parseFlowDefinition({
  schemaVersion: 1,
  nodes: [
    { id: "t", type: "core.manualTrigger", typeVersion: 1, config: {} },
    { id: "m", type: "core.mapFields", typeVersion: 1, name: "Map", config: { fields: [{ target: "a", expression: "x" }, { target: "b", expression: "y" }] } },
  ],
  edges: [{ id: "e1", source: "t", target: "m" }],
});

describe("version diff", () => {
  it("lists added and removed nodes and edges, config changes field by field, and ignores moves", () => {
    const next = structuredClone(base);
    next.nodes[1]!.position = { x: 500, y: 80 };
    (next.nodes[1]!.config.fields as { expression: string }[])[1]!.expression = "$uppercase(y)";
    next.nodes.push({ id: "f", type: "core.filter", typeVersion: 1, position: { x: 0, y: 0 }, config: { condition: "a > 0" } });
    next.edges.push({ id: "e2", source: "m", sourceHandle: "out", target: "f", targetHandle: "in" });
    next.settings.retry.maxAttempts = 8;
    const diff = diffFlows(base, next);
    expect(diff.addedNodes).toEqual([{ id: "f", type: "core.filter", name: undefined }]);
    expect(diff.removedNodes).toEqual([]);
    expect(diff.changedNodes).toEqual([
      { id: "m", type: "core.mapFields", name: "Map", changes: [{ path: "config.fields.1.expression", before: "y", after: "$uppercase(y)" }] },
    ]);
    expect(diff.addedEdges).toEqual([{ id: "e2", source: "m", target: "f", sourceHandle: "out" }]);
    expect(diff.settings).toEqual([{ path: "settings.retry.maxAttempts", before: 5, after: 8 }]);
    expect(diffFlows(next, base).removedNodes).toEqual([{ id: "f", type: "core.filter", name: undefined }]);
  });
});
