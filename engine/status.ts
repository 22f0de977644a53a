/**
 * The status vocabulary of runs, node runs and review items, declared once. The database columns,
 * the executor, the routers' input schemas and the Studio pages all read these lists.
 *
 * - run: queued -> running -> (waiting -> running)* -> succeeded | failed | needs_review | skipped;
 *   dry_run for a dry run that stopped before its first write; awaiting_approval while a write
 *   waits for a person (maker-checker), then queued again (approved) or rejected (never posts).
 * - node run: one node's checkpoint; already_done is a write the ledger or the remote system had
 *   seen (read back, not repeated); retrying while a retry is due.
 * - review item: open until a person resolves it (the run is replayed) or dismisses it.
 * - error kind: the class of a run's final error, the engine's only basis for a decision.
 */
import { z } from "zod";

export const runStatusSchema = z.enum(["queued", "running", "waiting", "succeeded", "failed", "needs_review", "skipped", "dry_run", "awaiting_approval", "rejected"]);
export type RunStatus = z.infer<typeof runStatusSchema>;
export const RUN_STATUSES = runStatusSchema.options;
/** A run in one of these is finished: nothing more will happen to it unless it is replayed. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["succeeded", "failed", "needs_review", "skipped", "dry_run", "rejected"];
/** A run parked until a person decides (not executed by workers; an approval moves it on). */
export const PARKED_RUN_STATUSES: readonly RunStatus[] = ["awaiting_approval"];
/** A run in one of these can be replayed (alone or in bulk). */
export const REPLAYABLE_RUN_STATUSES: readonly RunStatus[] = ["failed", "needs_review"];
/** Order of outcomes in charts and progress bars: the good news first, then what needs a person. */
export const RUN_OUTCOME_ORDER: readonly RunStatus[] = ["succeeded", "needs_review", "awaiting_approval", "failed", "rejected", "skipped", "running", "queued", "waiting"];

export const nodeRunStatusSchema = z.enum(["running", "succeeded", "already_done", "failed", "needs_review", "skipped", "retrying", "dry_run", "awaiting_approval"]);
export type NodeRunStatus = z.infer<typeof nodeRunStatusSchema>;
export const NODE_RUN_STATUSES = nodeRunStatusSchema.options;
/** Node runs a replay from the failed node carries over. */
export const COMPLETED_NODE_RUN_STATUSES: readonly NodeRunStatus[] = ["succeeded", "already_done"];

export const reviewStatusSchema = z.enum(["open", "resolved", "dismissed"]);
export type ReviewStatus = z.infer<typeof reviewStatusSchema>;
export const REVIEW_STATUSES = reviewStatusSchema.options;

export const runErrorKindSchema = z.enum(["retryable", "permanent", "needs_review", "internal"]);
export type RunErrorKind = z.infer<typeof runErrorKindSchema>;
export const RUN_ERROR_KINDS = runErrorKindSchema.options;

export const isTerminalRunStatus = (status: string): boolean => (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);
