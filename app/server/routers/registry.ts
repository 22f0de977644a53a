/**
 * The node registry and connector catalogue as the canvas needs them: palette entries and the
 * JSON Schema of each config, so forms are generated from the same zod schemas the engine runs.
 */
import { z } from "zod";
import { jsonSchemaOf, registry } from "../../../engine/registry";
import { router, viewerProcedure } from "../trpc";

export const nodeTypes = () =>
  registry.nodes().map((def) => ({
    type: def.type,
    version: def.version,
    title: def.title,
    description: def.description,
    category: def.category,
    system: def.system,
    icon: def.icon ?? null,
    connection: def.connection ?? null,
    outputs: [...(def.outputs ?? ["out"])],
    effect: def.effect.kind,
    triggerMode: def.trigger?.mode ?? null,
    configSchema: jsonSchemaOf(def.config),
    inputSchema: jsonSchemaOf(def.input),
    outputSchema: jsonSchemaOf(def.output),
  }));

export const registryRouter = router({
  nodes: viewerProcedure.query(() => nodeTypes()),
  connectors: viewerProcedure.query(() =>
    registry.connectors().map((c) => ({
      system: c.system,
      title: c.title,
      description: c.description,
      icon: c.icon ?? null,
      configSchema: jsonSchemaOf(c.config),
      secretsSchema: jsonSchemaOf(c.secrets),
      oauth: Boolean(c.oauth),
      sandbox: Boolean(c.sandbox),
      /** Settings that choose the host, region or deployment: changing one needs the credentials again. */
      endpointFields: [...(c.endpoints?.fields ?? [])],
      pickers: Object.entries(c.pickers ?? {}).map(([name, p]) => ({ name, title: p.title, argument: p.argument ?? null })),
    })),
  ),
  node: viewerProcedure.input(z.object({ type: z.string(), version: z.number().int() })).query(({ input }) => {
    return nodeTypes().find((n) => n.type === input.type && n.version === input.version) ?? null;
  }),
});
