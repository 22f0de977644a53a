/**
 * A connector's picker lists (GL accounts, vendors, departments...) as one read node per connector,
 * `<system>.readList`, declared from `ConnectorDefinition.pickers`: the lists a config field or a
 * mapping grid picks from become readable by flows and by agents (MCP tools) through the executor,
 * with the run log and recorded HTTP of any other node.
 */
import { z } from "zod";
import { PermanentError } from "./errors";
import type { AnyConnectorDefinition, AnyNodeDefinition } from "./define";

export const READ_LIST_NODE_SUFFIX = "readList";

const option = z.object({ value: z.string(), label: z.string() });

/** The list-reading node of a connector, or undefined when it declares no pickers. */
export function pickerNode(connector: AnyConnectorDefinition): AnyNodeDefinition | undefined {
  const pickers = connector.pickers ?? {};
  const names = Object.keys(pickers);
  if (names.length === 0) return undefined;
  const titles = names.map((n) => `${n} (${pickers[n]!.title})`).join(", ");
  return {
    type: `${connector.system}.${READ_LIST_NODE_SUFFIX}`,
    version: 1,
    title: `Read a ${connector.title} list`,
    description: `Read one of ${connector.title}'s reference lists as value and label pairs: ${titles}.`,
    category: "connector",
    system: connector.system,
    connection: connector.system,
    config: z.object({ list: z.enum(names as [string, ...string[]]).describe("Which list to read.") }),
    input: z.object({}).describe("No input: the list is chosen in the configuration."),
    output: z.object({ list: z.string(), count: z.number().int(), options: z.array(option) }),
    effect: { kind: "read" },
    async run(ctx, _input, config) {
      const picker = pickers[(config as { list: string }).list];
      if (!picker) throw new PermanentError(`${connector.title} has no list ${(config as { list: string }).list}`);
      const options = await picker.load(ctx.client);
      return { list: (config as { list: string }).list, count: options.length, options };
    },
  };
}
