/**
 * Alerts: rules (what to watch), channels (where to say it; secrets write-only), test-send, the
 * recent alerts with their deliveries, and review ownership (assignment rules per flow, assigning
 * items by hand). Reading is for viewers; changing rules and channels is for admins; assigning
 * review items is for operators.
 */
import { z } from "zod";
import { assignReviews, deleteAssignmentRule, listAssignmentRules, setAssignmentRule, workspaceMembers } from "../../../engine/alerts/assign";
import { deleteChannel, deleteRule, listChannels, listRules, recentAlerts, saveChannel, saveRule, sendTestMessage } from "../../../engine/alerts/store";
import { ensureAlertSchedule } from "../../../engine/alerts/task";
import { channelKindSchema, deliveryModeSchema, RULE_KIND_LABELS, ruleKindSchema } from "../../../engine/alerts/types";
import { recordAudit } from "../../../engine/audit";
import { actorOf, attempt } from "../procedure";
import { adminProcedure, operatorProcedure, router, viewerProcedure } from "../trpc";

const id = z.string().uuid();

const ruleInput = z.object({
  ruleId: id.optional(),
  kind: ruleKindSchema,
  name: z.string().trim().min(1).max(120),
  flowId: id.nullable().default(null),
  params: z.record(z.string(), z.number()).default({}),
  channelIds: z.array(id).max(20).default([]),
  enabled: z.boolean().default(true),
});

const channelInput = z.object({
  channelId: id.optional(),
  kind: channelKindSchema,
  name: z.string().trim().min(1).max(120),
  config: z.record(z.string(), z.unknown()).default({}),
  /** Omit to keep the stored secrets (they are never sent back). */
  secrets: z.record(z.string(), z.string().max(2000)).optional(),
  delivery: deliveryModeSchema.default("immediate"),
  digestHour: z.number().int().min(0).max(23).default(8),
  enabled: z.boolean().default(true),
});

export const alertsRouter = router({
  ruleKinds: viewerProcedure.query(() => ruleKindSchema.options.map((kind) => ({ kind, label: RULE_KIND_LABELS[kind] }))),

  rules: viewerProcedure.query(({ ctx }) => listRules(ctx.db, ctx.workspaceId)),

  saveRule: adminProcedure.input(ruleInput).mutation(async ({ ctx, input }) => {
    const { ruleId, ...rule } = input;
    const saved = await attempt(saveRule(ctx.db, ctx.workspaceId, rule, ruleId));
    await recordAudit(ctx.db.sql, ctx.workspaceId, actorOf(ctx), {
      action: ruleId ? "alert_rule.updated" : "alert_rule.created",
      entityType: "alert_rule",
      entityId: saved,
      data: { kind: rule.kind, name: rule.name, flowId: rule.flowId, params: rule.params, channelIds: rule.channelIds, enabled: rule.enabled },
    });
    await ensureAlertSchedule(ctx.db.sql);
    return { id: saved };
  }),

  deleteRule: adminProcedure.input(z.object({ ruleId: id })).mutation(async ({ ctx, input }) => {
    const deleted = await deleteRule(ctx.db, ctx.workspaceId, input.ruleId);
    if (deleted) await recordAudit(ctx.db.sql, ctx.workspaceId, actorOf(ctx), { action: "alert_rule.deleted", entityType: "alert_rule", entityId: input.ruleId });
    return { deleted };
  }),

  channels: viewerProcedure.query(({ ctx }) => listChannels(ctx.db, ctx.workspaceId)),

  saveChannel: adminProcedure.input(channelInput).mutation(async ({ ctx, input }) => {
    const { channelId, ...channel } = input;
    const saved = await attempt(saveChannel(ctx.db, ctx.workspaceId, channel, channelId));
    await recordAudit(ctx.db.sql, ctx.workspaceId, actorOf(ctx), {
      action: channelId ? "alert_channel.updated" : "alert_channel.created",
      entityType: "alert_channel",
      entityId: saved,
      // Which secrets were replaced, never their values.
      data: { kind: channel.kind, name: channel.name, delivery: channel.delivery, secretsReplaced: Object.keys(channel.secrets ?? {}) },
    });
    await ensureAlertSchedule(ctx.db.sql);
    return { id: saved };
  }),

  deleteChannel: adminProcedure.input(z.object({ channelId: id })).mutation(async ({ ctx, input }) => {
    const deleted = await deleteChannel(ctx.db, ctx.workspaceId, input.channelId);
    if (deleted) await recordAudit(ctx.db.sql, ctx.workspaceId, actorOf(ctx), { action: "alert_channel.deleted", entityType: "alert_channel", entityId: input.channelId });
    return { deleted };
  }),

  testChannel: adminProcedure.input(z.object({ channelId: id })).mutation(async ({ ctx, input }) => {
    const result = await attempt(sendTestMessage(ctx.db, ctx.workspaceId, input.channelId, ctx.actor));
    return { ok: true, recipients: result.recipients };
  }),

  recent: viewerProcedure
    .input(z.object({ limit: z.number().int().min(1).max(500).default(100) }).default({ limit: 100 }))
    .query(({ ctx, input }) => recentAlerts(ctx.db, ctx.workspaceId, input.limit)),

  members: viewerProcedure.query(({ ctx }) => workspaceMembers(ctx.db, ctx.workspaceId)),

  assignmentRules: viewerProcedure.query(({ ctx }) => listAssignmentRules(ctx.db, ctx.workspaceId)),

  saveAssignmentRule: adminProcedure
    .input(z.object({ flowId: id, reasonCode: z.string().trim().min(1).max(100).nullable().default(null), userId: id }))
    .mutation(async ({ ctx, input }) => {
      const saved = await attempt(setAssignmentRule(ctx.db, ctx.workspaceId, input));
      await recordAudit(ctx.db.sql, ctx.workspaceId, actorOf(ctx), { action: "review_assignment_rule.saved", entityType: "review_assignment_rule", entityId: saved, data: input });
      return { id: saved };
    }),

  deleteAssignmentRule: adminProcedure.input(z.object({ assignmentRuleId: id })).mutation(async ({ ctx, input }) => {
    const deleted = await deleteAssignmentRule(ctx.db, ctx.workspaceId, input.assignmentRuleId);
    if (deleted) {
      await recordAudit(ctx.db.sql, ctx.workspaceId, actorOf(ctx), { action: "review_assignment_rule.deleted", entityType: "review_assignment_rule", entityId: input.assignmentRuleId });
    }
    return { deleted };
  }),

  assignReviews: operatorProcedure.input(z.object({ reviewIds: z.array(id).min(1).max(500), userId: id.nullable() })).mutation(async ({ ctx, input }) => {
    const changed = await attempt(assignReviews(ctx.db, ctx.workspaceId, input.reviewIds, input.userId, ctx.actor));
    await recordAudit(ctx.db.sql, ctx.workspaceId, actorOf(ctx), {
      action: "review.assigned",
      entityType: "review",
      entityId: input.reviewIds.join(",").slice(0, 500),
      data: { reviewIds: input.reviewIds, userId: input.userId, changed },
    });
    return { changed };
  }),
});
