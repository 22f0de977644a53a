/**
 * Template wizard progress, kept on the flow it created (flows.wizard) so the wizard can be left
 * and resumed: the step reached and the choices made. Cleared when the flow is activated from it.
 */
import { z } from "zod";
import { jsonb, type Db } from "../../db/client";

export const WIZARD_STEPS = ["connections", "accounts", "mappings", "schedule", "dryRun", "activate"] as const;

export const wizardStateSchema = z.object({
  templateId: z.string().max(100),
  step: z.enum(WIZARD_STEPS),
  connectionIds: z.record(z.string().max(40), z.string().uuid()).default({}),
  parameters: z.record(z.string().max(80), z.string().max(200)).default({}),
  schedule: z.string().max(100).optional(),
  dryRunDone: z.boolean().optional(),
});
export type WizardState = z.infer<typeof wizardStateSchema>;

export async function saveWizard(db: Db, workspaceId: string, flowId: string, state: WizardState | null): Promise<void> {
  const rows = await db.sql`
    update flows set wizard = ${state === null ? null : jsonb(state)}::text::jsonb where id = ${flowId} and workspace_id = ${workspaceId} returning id`;
  if (rows.length === 0) throw new Error("flow not found");
}

export async function loadWizard(db: Db, workspaceId: string, flowId: string): Promise<(WizardState & { flowId: string; flowName: string; active: boolean }) | null> {
  const [row] = await db.sql<{ wizard: unknown; name: string; active: boolean }[]>`
    select wizard, name, active from flows where id = ${flowId} and workspace_id = ${workspaceId}`;
  if (!row) throw new Error("flow not found");
  const parsed = wizardStateSchema.safeParse(row.wizard);
  return parsed.success ? { ...parsed.data, flowId, flowName: row.name, active: row.active } : null;
}

/** Wizards left before activation, newest first. */
export async function wizardsInProgress(db: Db, workspaceId: string): Promise<{ flowId: string; name: string; templateId: string; step: string }[]> {
  return db.sql<{ flowId: string; name: string; templateId: string; step: string }[]>`
    select id::text as "flowId", name, wizard->>'templateId' as "templateId", wizard->>'step' as step
    from flows where workspace_id = ${workspaceId} and wizard is not null order by updated_at desc limit 20`;
}
