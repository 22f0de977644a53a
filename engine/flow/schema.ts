/**
 * Flow definition v1: the immutable JSON a flow version stores (jsonb), parsed by this one schema
 * everywhere (saving, loading, executing, the canvas).
 *
 * Nodes and edges are keyed by id, never by display name; each node pins its type and type
 * version so a saved flow keeps running after node types evolve.
 */
import { z } from "zod";

export const FLOW_SCHEMA_VERSION = 1;

export const retryPolicySchema = z.object({
  maxAttempts: z.number().int().min(1).max(25).default(5).describe("Attempts per node, the first included"),
  baseDelayMs: z.number().int().min(10).max(600_000).default(1000).describe("First backoff ceiling"),
  maxDelayMs: z.number().int().min(10).max(3_600_000).default(60_000).describe("Largest single wait"),
  maxTotalDelayMs: z
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .default(900_000)
    .describe("Give up when the waits of one node add up to more than this"),
});
export type RetryPolicy = z.output<typeof retryPolicySchema>;

export const flowSettingsSchema = z.object({
  retry: retryPolicySchema.default(retryPolicySchema.parse({})),
  /** Runs of this flow executing at once (1 = strictly one after the other). */
  concurrency: z.number().int().min(1).max(50).default(5),
  /** Cron (UTC) for poll triggers: how often the source is asked for changes. */
  schedule: z.string().min(1).optional().describe("Poll schedule (cron, UTC); default every 5 minutes"),
  /** Why a limit: expressions are user input; one that loops must fail its run, not stall the worker. */
  expressionTimeoutMs: z
    .number()
    .int()
    .min(100)
    .max(10_000)
    .default(1000)
    .describe("Time limit of one expression evaluation, in ms (at most 10 s)"),
});
export type FlowSettings = z.output<typeof flowSettingsSchema>;

const nodeId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "node ids use letters, digits, - and _");

export const flowNodeSchema = z.object({
  id: nodeId,
  type: z.string().min(1),
  typeVersion: z.number().int().min(1),
  /** Display name on the canvas; free text, never used as a key. */
  name: z.string().max(120).optional(),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  config: z.record(z.string(), z.unknown()).default({}),
  connectionId: z.string().uuid().nullable().optional(),
  notes: z.string().max(2000).optional(),
  /**
   * Maker-checker on a write node: when this JSONata expression over the node's input is true, the
   * run waits for a person to approve the exact request before it is sent.
   */
  approval: z
    .object({ when: z.string().min(1).max(2000).describe("JSONata over the node's input; true means a person must approve the write") })
    .strict()
    .optional(),
});
export type FlowNode = z.output<typeof flowNodeSchema>;

export const flowEdgeSchema = z.object({
  id: z.string().min(1).max(128),
  source: nodeId,
  sourceHandle: z.string().min(1).default("out"),
  target: nodeId,
  targetHandle: z.string().min(1).default("in"),
});
export type FlowEdge = z.output<typeof flowEdgeSchema>;

export const flowDefinitionSchema = z.object({
  schemaVersion: z.literal(FLOW_SCHEMA_VERSION),
  nodes: z.array(flowNodeSchema),
  edges: z.array(flowEdgeSchema),
  settings: flowSettingsSchema.default(flowSettingsSchema.parse({})),
});
export type FlowDefinition = z.output<typeof flowDefinitionSchema>;
export type FlowDefinitionInput = z.input<typeof flowDefinitionSchema>;

/** Parse stored or submitted JSON; older shapes are migrated here when schemaVersion moves on. */
export function parseFlowDefinition(json: unknown): FlowDefinition {
  return flowDefinitionSchema.parse(json);
}
