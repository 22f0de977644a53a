import { describe, expect, it } from "vitest";
import { validateFlow } from "./validate";

const trigger = { id: "t", type: "core.manualTrigger", typeVersion: 1, config: {} };
const map = (id: string, expression = "a") => ({ id, type: "core.mapFields", typeVersion: 1, config: { fields: [{ target: "x", expression }] } });

describe("flow validation", () => {
  it("accepts a valid flow", () => {
    const { problems, flow } = validateFlow({ schemaVersion: 1, nodes: [trigger, map("m")], edges: [{ id: "e", source: "t", target: "m" }] });
    expect(problems).toEqual([]);
    expect(flow?.settings.retry.maxAttempts).toBe(5);
  });

  it("names the node for every problem and reports them all at once", () => {
    const { problems } = validateFlow(
      {
        schemaVersion: 1,
        nodes: [
          trigger,
          { ...trigger, id: "t2" },
          map("bad", "$sum("),
          { id: "ghost", type: "intacct.noSuchThing", typeVersion: 1, config: {} },
          map("a"),
          map("b"),
          map("lonely"),
          { id: "post", type: "core.webhookTrigger", typeVersion: 1, config: {} },
        ],
        edges: [
          { id: "e1", source: "t", target: "bad" },
          { id: "e2", source: "a", target: "b" },
          { id: "e3", source: "b", target: "a" },
          { id: "e4", source: "t", target: "nowhere" },
        ],
      },
      [],
    );
    const by = (code: string) => problems.filter((p) => p.code === code);
    expect(by("invalid_config")).toEqual([
      expect.objectContaining({ nodeId: "bad", field: "fields.0.expression", message: expect.stringContaining("invalid expression") }),
    ]);
    expect(by("unknown_type")).toEqual([expect.objectContaining({ nodeId: "ghost", message: "intacct.noSuchThing node ghost: unknown node type intacct.noSuchThing" })]);
    expect(by("cycle").map((p) => p.nodeId).sort()).toEqual(["a", "b"]);
    expect(by("dangling_edge")).toEqual([expect.objectContaining({ edgeId: "e4", message: expect.stringContaining("nowhere") })]);
    expect(by("trigger_count")[0]!.message).toBe("The flow has 3 triggers; keep exactly one");
    expect(by("missing_connection")).toEqual([expect.objectContaining({ nodeId: "post", message: "core.webhookTrigger node post needs a Webhook signing secret connection" })]);
    expect(by("unreachable").map((p) => p.nodeId)).toEqual(expect.arrayContaining(["lonely", "a", "b"]));
  });

  it("rejects a connection of the wrong system and branch handles that do not exist", () => {
    const { problems } = validateFlow(
      {
        schemaVersion: 1,
        nodes: [
          { id: "w", type: "core.webhookTrigger", typeVersion: 1, config: {}, connectionId: "00000000-0000-4000-8000-000000000001" },
          { id: "br", type: "core.branch", typeVersion: 1, config: { condition: "x > 1" } },
          map("m"),
        ],
        edges: [
          { id: "e1", source: "w", target: "br" },
          { id: "e2", source: "br", sourceHandle: "maybe", target: "m" },
        ],
      },
      [{ id: "00000000-0000-4000-8000-000000000001", system: "avalara", name: "Avalara sandbox" }],
    );
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        'core.webhookTrigger node w needs a Webhook signing secret connection, not "Avalara sandbox" (avalara)',
        'core.branch node br has no output "maybe" (it has true, false)',
      ]),
    );
  });

  it("explains a definition that does not parse", () => {
    const { problems, flow } = validateFlow({ schemaVersion: 1, nodes: [{ id: "has space", type: "x" }], edges: [] });
    expect(flow).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining(["nodes.0.id: node ids use letters, digits, - and _", expect.stringContaining("nodes.0.typeVersion")]),
    );
  });
});
