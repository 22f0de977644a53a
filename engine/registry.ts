/**
 * The node registry: every node type the product knows (built-in and from connectors), by type and
 * version. The engine, validation, the canvas palette and config forms all read it.
 */
import { z } from "zod";
import { connectors } from "../connectors";
import { pickerNode, type AnyConnectorDefinition, type AnyNodeDefinition } from "../connectors/sdk";
import { coreConnectors, coreNodes } from "./nodes";

const allConnectors: AnyConnectorDefinition[] = [...coreConnectors, ...connectors];
const byKey = new Map<string, AnyNodeDefinition>();
const latestByType = new Map<string, AnyNodeDefinition>();

// Each connector's picker lists are readable by one generated node (connectors/sdk/picker-node.ts).
const listNodes = connectors.flatMap((c) => pickerNode(c) ?? []);

for (const def of [...coreNodes, ...connectors.flatMap((c) => c.nodes), ...listNodes]) {
  const key = `${def.type}@${def.version}`;
  if (byKey.has(key)) throw new Error(`node type ${key} is declared twice`);
  byKey.set(key, def);
  const latest = latestByType.get(def.type);
  if (!latest || latest.version < def.version) latestByType.set(def.type, def);
}

export const registry = {
  node(type: string, version: number): AnyNodeDefinition | undefined {
    return byKey.get(`${type}@${version}`);
  },
  latest(type: string): AnyNodeDefinition | undefined {
    return latestByType.get(type);
  },
  nodes(): AnyNodeDefinition[] {
    return [...byKey.values()];
  },
  connector(system: string): AnyConnectorDefinition | undefined {
    return allConnectors.find((c) => c.system === system);
  },
  connectors(): AnyConnectorDefinition[] {
    return allConnectors;
  },
};

/** JSON Schema of a zod schema for the canvas forms (input side: defaults are optional). */
export function jsonSchemaOf(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  } catch (error) {
    return { description: `schema not representable: ${(error as Error).message}` };
  }
}
