/** The editor keeps what the flow definition says about a node, approval conditions included. */
import { describe, expect, it } from "vitest";
import { parseFlowDefinition } from "../../../engine/flow/schema";
import { fromDefinition, toDefinition } from "./editor-store";

describe("editor store", () => {
  it("a write node's approval condition survives opening and saving the flow in the editor", () => {
    const definition = parseFlowDefinition({
      schemaVersion: 1,
      nodes: [
        { id: "trigger", type: "core.manualTrigger", typeVersion: 1, config: {} },
        { id: "post", type: "intacct.createJournalEntry", typeVersion: 1, config: { journal: "GJ" }, approval: { when: "$sum(lines.$number(amount)) > 10000" } },
      ],
      edges: [{ id: "e1", source: "trigger", target: "post" }],
    });
    const snapshot = fromDefinition(definition);
    const saved = toDefinition({ ...snapshot, settings: definition.settings });
    expect(saved.nodes.find((n) => n.id === "post")?.approval).toEqual({ when: "$sum(lines.$number(amount)) > 10000" });
    expect(saved.nodes.find((n) => n.id === "trigger")?.approval).toBeUndefined();
  });
});
