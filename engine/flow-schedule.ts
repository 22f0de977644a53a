/**
 * A flow's schedule, as the template wizard's schedule step shows and sets it.
 *
 * - A poll trigger ticks on the flow's `settings.schedule` (cron, UTC; default every 5 minutes).
 * - A schedule trigger ticks on its own `schedule` config field.
 * - Webhook and manual triggers have no schedule.
 *
 * A schedule is given as an interval (one of INTERVALS, in minutes) or as a five-field cron
 * expression (minute granularity: no seconds field), checked before anything is saved. Setting
 * it saves a new flow version (the active version, if any, keeps running until the new one is
 * activated).
 */
import { CronExpressionParser } from "cron-parser";
import { z } from "zod";
import type { Db } from "../db/client";
import { SYSTEM_ACTOR, type Actor } from "./audit";
import { parseFlowDefinition, type FlowDefinition } from "./flow/schema";
import { saveVersion } from "./flows";
import { DEFAULT_POLL_SCHEDULE, findTrigger } from "./triggers";

/** The intervals offered, in minutes. */
export const INTERVALS = [5, 10, 15, 30, 60, 120, 240, 360, 720, 1440] as const;

export const scheduleInputSchema = z.union([
  z.object({ everyMinutes: z.number().int() }),
  z.object({ cron: z.string().trim().min(1).max(100) }),
]);
export type ScheduleInput = z.infer<typeof scheduleInputSchema>;

/** A schedule the person can fix (an interval not offered, a cron that does not parse). */
export class ScheduleError extends Error {}

export function intervalCron(minutes: number): string {
  if (!(INTERVALS as readonly number[]).includes(minutes)) throw new ScheduleError(`Choose an interval of ${INTERVALS.join(", ")} minutes`);
  if (minutes < 60) return `*/${minutes} * * * *`;
  if (minutes === 1440) return "0 0 * * *";
  return minutes === 60 ? "0 * * * *" : `0 */${minutes / 60} * * *`;
}

/** The cron of an interval or a cron expression, checked; throws ScheduleError with the reason. */
export function scheduleCron(input: ScheduleInput): string {
  if ("everyMinutes" in input) return intervalCron(input.everyMinutes);
  const cron = input.cron.replace(/\s+/g, " ");
  if (cron.split(" ").length !== 5) throw new ScheduleError("A cron expression has five fields: minute hour day-of-month month day-of-week (UTC)");
  try {
    CronExpressionParser.parse(cron, { tz: "UTC" }).next();
  } catch (error) {
    throw new ScheduleError(`That cron expression does not parse: ${(error as Error).message}`);
  }
  return cron;
}

/** The next `count` times a cron fires, from `from`. */
export function nextTimes(cron: string, count = 3, from = new Date()): string[] {
  const parsed = CronExpressionParser.parse(cron, { currentDate: from, tz: "UTC" });
  return Array.from({ length: count }, () => parsed.next().toDate().toISOString());
}

export interface FlowSchedule {
  mode: "manual" | "schedule" | "webhook" | "poll" | null;
  /** Whether this flow runs on a schedule that can be set. */
  scheduled: boolean;
  cron: string | null;
  /** The interval in minutes when the cron is one of INTERVALS. */
  everyMinutes: number | null;
  next: string[];
  versionId: string;
}

async function latest(db: Db, workspaceId: string, flowId: string): Promise<{ versionId: string; flow: FlowDefinition }> {
  const [row] = await db.sql<{ id: string; definition: unknown }[]>`
    select id::text, definition from flow_versions where flow_id = ${flowId} and workspace_id = ${workspaceId} order by version desc limit 1`;
  if (!row) throw new Error("flow not found");
  return { versionId: row.id, flow: parseFlowDefinition(row.definition) };
}

function cronOf(flow: FlowDefinition): { mode: FlowSchedule["mode"]; cron: string | null } {
  const trigger = findTrigger(flow);
  const mode = trigger?.def.trigger?.mode ?? null;
  if (mode === "poll") return { mode, cron: flow.settings.schedule ?? DEFAULT_POLL_SCHEDULE };
  if (mode === "schedule") return { mode, cron: String((trigger!.node.config as { schedule?: unknown }).schedule ?? "") || null };
  return { mode, cron: null };
}

export async function describeSchedule(db: Db, workspaceId: string, flowId: string): Promise<FlowSchedule> {
  const { versionId, flow } = await latest(db, workspaceId, flowId);
  const { mode, cron } = cronOf(flow);
  const everyMinutes = cron ? (INTERVALS.find((m) => intervalCron(m) === cron) ?? null) : null;
  let next: string[] = [];
  try {
    next = cron ? nextTimes(cron) : [];
  } catch {
    next = [];
  }
  return { mode, scheduled: mode === "poll" || mode === "schedule", cron, everyMinutes, next, versionId };
}

export async function setSchedule(db: Db, workspaceId: string, flowId: string, input: ScheduleInput, actor: Actor = SYSTEM_ACTOR): Promise<FlowSchedule> {
  const cron = scheduleCron(input);
  const { flow } = await latest(db, workspaceId, flowId);
  const trigger = findTrigger(flow);
  const mode = trigger?.def.trigger?.mode;
  let next: FlowDefinition;
  if (mode === "poll") next = { ...flow, settings: { ...flow.settings, schedule: cron } };
  else if (mode === "schedule") next = { ...flow, nodes: flow.nodes.map((n) => (n.id === trigger!.node.id ? { ...n, config: { ...n.config, schedule: cron } } : n)) };
  else throw new ScheduleError(mode === "webhook" ? "This flow starts from a webhook: it runs when the system notifies it, not on a schedule" : "This flow starts by hand: it has no schedule");
  await saveVersion(db, workspaceId, flowId, next, `Schedule: ${cron} (UTC)`, actor);
  return describeSchedule(db, workspaceId, flowId);
}
