/**
 * One tool call of an agent, as a run of the executor.
 *
 *   find the tool (exposure, role) -> check the arguments with the node's own zod schemas ->
 *   the tool's flow version (./tool-flows.ts) -> create the run (trigger kind `agent`, audited
 *   with the token) -> execute it here, now -> answer from the run (./answers.ts)
 *
 * Idempotency, twice over: a write or flow call's record key is `agent:<requestId>`, and runs are
 * unique per (flow, record key), so the same requestId finds the first run and answers with its
 * result (a requestId reused with other arguments is refused). The node's own business key still
 * guards the posting in the ledger, so even a new requestId for the same document (journal and
 * reference, say) posts nothing twice: it answers with what the ledger recorded.
 * Approvals are the executor's: a write whose rule holds parks the run; the agent polls
 * `ledgerline_get_run`. A run that must wait for a retry is handed to the workers.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { jsonb, type Db } from "../../db/client";
import { recordAudit, type Actor } from "../audit";
import { roleAtLeast, type Role } from "../auth/roles";
import { executeRun } from "../executor/run";
import { validateForWorkspace } from "../flows";
import { enqueueRun, queueNameFor, RESUMED_RUN_PRIORITY } from "../queue";
import { checkRunInput } from "../run-input";
import { AGENT_DRY_RUN_KEY_PREFIX, createRuns, flowConcurrency } from "../runs";
import { isTerminalRunStatus } from "../status";
import { describeRun, toolError, type ToolAnswer } from "./answers";
import { GET_RUN_TOOL, MAX_PAGE_SIZE, POST_ROLE, workspaceCatalog, type AgentTool } from "./catalog";
import { readMcpSettings } from "./settings";
import { toolFlowVersion } from "./tool-flows";

export interface AgentCaller {
  workspaceId: string;
  role: Role;
  actor: Actor;
  tokenName: string;
  /** Links in answers (runs, approvals) start here. */
  publicUrl: string;
}

const requestId = z
  .string()
  .min(8, "requestId: at least 8 characters")
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, "requestId: letters, digits and . _ : - only");

const connectorArgs = z
  .object({
    connection: z.string().min(1).optional(),
    input: z.unknown().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    requestId: requestId.optional(),
    dryRun: z.boolean().optional(),
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  })
  .strict();

const flowArgs = z.object({ input: z.unknown().optional(), requestId }).strict();
const getRunArgs = z
  .object({ runId: z.string().uuid(), offset: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(MAX_PAGE_SIZE).optional() })
  .strict();

function issuesOf(error: z.ZodError, prefix: string): string {
  return error.issues
    .slice(0, 10)
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join(".") || "arguments"}: ${i.message}`)
    .join("; ");
}

/** The tool an agent may call by this name, or why not. */
export async function findTool(db: Db, caller: AgentCaller, name: string): Promise<AgentTool | ToolAnswer> {
  const { tools } = await workspaceCatalog(db, caller.workspaceId);
  const tool = tools.find((t) => t.name === name);
  if (!tool) return toolError(`No tool ${name} is exposed in this workspace (an admin chooses the tools on Settings > Agents).`);
  if (!roleAtLeast(caller.role, tool.minRole)) {
    return toolError(`The tool ${name} needs the ${tool.minRole} role or higher; this token acts as ${caller.role}.`);
  }
  return tool;
}

export async function callTool(db: Db, caller: AgentCaller, name: string, args: unknown): Promise<ToolAnswer> {
  const found = await findTool(db, caller, name);
  if (!("kind" in found)) return found;
  const tool = found;
  if (tool.kind === "run") {
    const parsed = getRunArgs.safeParse(args ?? {});
    if (!parsed.success) return toolError(issuesOf(parsed.error, ""));
    return describeRun(db, caller, parsed.data.runId, { offset: parsed.data.offset ?? 0, limit: parsed.data.limit });
  }
  if (tool.kind === "flow") return callFlowTool(db, caller, tool, args);
  return callConnectorTool(db, caller, tool, args);
}

async function callConnectorTool(db: Db, caller: AgentCaller, tool: AgentTool, args: unknown): Promise<ToolAnswer> {
  const def = tool.node!;
  const parsed = connectorArgs.safeParse(args ?? {});
  if (!parsed.success) return toolError(issuesOf(parsed.error, ""));
  const a = parsed.data;
  const write = tool.kind === "write";
  if (write && !a.requestId) return toolError("requestId is required for a write: send your own id for this request, and the same one again when you retry it.");
  if (!write && (a.requestId !== undefined || a.dryRun !== undefined)) return toolError(`${tool.name} is a read: it takes no requestId or dryRun.`);
  if (write && a.dryRun !== true && !roleAtLeast(caller.role, POST_ROLE)) {
    return toolError(`Posting with ${tool.name} needs the ${POST_ROLE} role or higher; this token acts as ${caller.role} (it may call it with dryRun: true).`);
  }
  const connections = tool.connections ?? [];
  const connection = a.connection ? connections.find((c) => c.name === a.connection) : connections.length === 1 ? connections[0] : undefined;
  if (!connection) {
    return toolError(a.connection ? `No exposed connection named ${a.connection}; choose one of: ${connections.map((c) => c.name).join(", ")}.` : `Name the connection: one of ${connections.map((c) => c.name).join(", ")}.`);
  }
  const config = { ...(a.config ?? {}), ...(tool.fixedConfig ?? {}) };
  const configCheck = def.config.safeParse(config);
  if (!configCheck.success) return toolError(`Invalid settings: ${issuesOf(configCheck.error, "config")}`);
  const input = a.input ?? {};
  const inputCheck = def.input.safeParse(input);
  if (!inputCheck.success) return toolError(`Invalid input: ${issuesOf(inputCheck.error, "input")}`);

  const settings = await readMcpSettings(db, caller.workspaceId);
  const approvalWhen = write ? settings.approvals[tool.name] : undefined;
  const { flowId, versionId } = await toolFlowVersion(db, caller.workspaceId, { name: tool.name, title: tool.title, def }, connection, config, approvalWhen, caller.actor);
  const dryRun = write && a.dryRun === true;
  const key = !write ? `agent:${randomUUID()}` : dryRun ? `${AGENT_DRY_RUN_KEY_PREFIX}${a.requestId}:${randomUUID()}` : `agent:${a.requestId}`;
  return startAndAnswer(db, caller, tool, { flowId, versionId, key, input, dryRun, requestId: a.requestId, limit: a.limit, config });
}

async function callFlowTool(db: Db, caller: AgentCaller, tool: AgentTool, args: unknown): Promise<ToolAnswer> {
  const parsed = flowArgs.safeParse(args ?? {});
  if (!parsed.success) return toolError(issuesOf(parsed.error, ""));
  const flow = tool.flow!;
  const [latest] = await db.sql<{ id: string; definition: unknown }[]>`
    select id::text, definition from flow_versions where flow_id = ${flow.id} and workspace_id = ${caller.workspaceId} order by version desc limit 1`;
  if (!latest) return toolError(`The flow ${flow.name} has no version yet.`);
  const { problems } = await validateForWorkspace(db, caller.workspaceId, latest.definition);
  if (problems.length > 0) return toolError(`The flow ${flow.name} has problems and cannot run: ${problems.map((p) => p.message).slice(0, 5).join("; ")}`);
  const input = parsed.data.input ?? null;
  const issues = await checkRunInput(db, caller.workspaceId, flow.id, input);
  if (issues.length > 0) return toolError(`Invalid input: ${issues.slice(0, 10).map((i) => `input${i.path ? `.${i.path}` : ""}: ${i.message}`).join("; ")}`);
  return startAndAnswer(db, caller, tool, { flowId: flow.id, versionId: latest.id, key: `agent:${parsed.data.requestId}`, input, dryRun: false, requestId: parsed.data.requestId });
}

/** When a worker looks at a write call's run in case the process executing it stopped. */
const SAFETY_NET_MS = 2 * 60_000;

interface RunRequest {
  flowId: string;
  versionId: string;
  key: string;
  input: unknown;
  dryRun: boolean;
  requestId?: string;
  limit?: number;
  /** Connector tools: the node settings, compared when a requestId comes again. */
  config?: Record<string, unknown>;
}

/** Create (or find, for a repeated requestId) the run, audit the call, execute it, answer from it. */
async function startAndAnswer(db: Db, caller: AgentCaller, tool: AgentTool, r: RunRequest): Promise<ToolAnswer> {
  const started = await db.sql.begin(async (tx) => {
    const created = await createRuns(
      tx,
      { workspaceId: caller.workspaceId, flowId: r.flowId, versionId: r.versionId, triggerKind: "agent" },
      // A fixed version: the run is found by its key alone, whatever the content (which is compared).
      [{ key: r.key, version: "agent-request", data: r.input, label: `${tool.name} (token ${caller.tokenName})` }],
      { enqueue: false },
    );
    let runId = created.created[0];
    let repeated = false;
    if (runId && !r.dryRun && tool.kind !== "read") {
      // A safety net for a posting: should this process stop mid-call, a worker resumes the run
      // (reading back before it sends again). It finds the run finished when all went well.
      await enqueueRun(tx, runId, { runAt: new Date(Date.now() + SAFETY_NET_MS), queueName: queueNameFor(r.flowId, await flowConcurrency(tx, r.versionId)), priority: RESUMED_RUN_PRIORITY });
    }
    if (!runId) {
      const [existing] = await tx<{ id: string; sameInput: boolean; sameConfig: boolean }[]>`
        select r.id::text, r.input = ${jsonb(r.input ?? null)}::text::jsonb as "sameInput",
               ${r.config === undefined}::boolean or coalesce((
                 select n->'config' = ${jsonb(r.config ?? {})}::text::jsonb
                 from flow_versions v, jsonb_array_elements(v.definition->'nodes') n
                 where v.id = r.flow_version_id and n->>'id' = 'tool'), false) as "sameConfig"
        from runs r
        where r.workspace_id = ${caller.workspaceId} and r.flow_id = ${r.flowId} and r.record_key = ${r.key} and r.parent_run_id is null`;
      if (!existing) throw new Error("the run of this requestId could not be found");
      if (!existing.sameInput || !existing.sameConfig) {
        return { refused: existing.id };
      }
      runId = existing.id;
      repeated = true;
    }
    await recordAudit(tx, caller.workspaceId, caller.actor, {
      action: "agent.tool_called",
      entityType: "flow",
      entityId: r.flowId,
      runId,
      recordKey: r.key,
      data: { tool: tool.name, kind: tool.kind, token: caller.tokenName, requestId: r.requestId ?? null, dryRun: r.dryRun, repeated },
    });
    return { runId, repeated };
  });
  if ("refused" in started) {
    return toolError(`requestId ${r.requestId} was already used for a different request (run ${started.refused}). Use a new requestId for a new request; send the same arguments to get the first result again.`);
  }
  const { runId, repeated } = started;
  await executeIfDue(db, runId, r.dryRun, repeated);
  return describeRun(db, caller, runId, { offset: 0, limit: r.limit, repeated });
}

/**
 * Execute the run in this process. A repeated requestId executes only a run that is not already
 * finished, parked, waiting for its retry (the workers have it) or held by another executor (the
 * lease decides): a run whose process stopped mid-call is resumed, reading back before sending. A run that must wait for a
 * retry goes to the workers; a dry run never does (it cannot wait: previews are not retried).
 */
async function executeIfDue(db: Db, runId: string, dryRun: boolean, repeated: boolean): Promise<void> {
  if (repeated) {
    const [row] = await db.sql<{ status: string }[]>`select status from runs where id = ${runId}`;
    // A waiting run has a worker job at its retry's time: an agent's retry must not skip the backoff.
    if (!row || isTerminalRunStatus(row.status) || row.status === "awaiting_approval" || row.status === "waiting") return;
  }
  const result = await executeRun(db, runId, { dryRun, owner: "mcp" });
  if (result.status === "waiting" && result.rescheduleAt && !dryRun) {
    const [run] = await db.sql<{ flow_id: string; flow_version_id: string }[]>`select flow_id::text, flow_version_id::text from runs where id = ${runId}`;
    await enqueueRun(db.sql, runId, {
      runAt: result.rescheduleAt,
      queueName: queueNameFor(run!.flow_id, await flowConcurrency(db.sql, run!.flow_version_id)),
      priority: RESUMED_RUN_PRIORITY,
    });
  }
}

export { GET_RUN_TOOL };
