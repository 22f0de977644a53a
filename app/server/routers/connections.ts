/**
 * Connections: CRUD with write-only secrets (never returned, only which fields are set), test
 * ("ping your real system"), pickers, the one-click sandbox connection, OAuth connect.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { encryptJson, decryptJson } from "../../../db/crypto";
import { env, SANDBOX_SYSTEMS, sandboxUrl, type SandboxSystem } from "../../../db/env";
import { loadPicker, startOAuth, testConnection } from "../../../engine/connection-actions";
import { registry } from "../../../engine/registry";
import { router, userError, workspaceProcedure } from "../trpc";

const id = z.string().uuid();

function connectorOf(system: string) {
  const connector = registry.connector(system);
  if (!connector) throw new TRPCError({ code: "BAD_REQUEST", message: `unknown system ${system}` });
  return connector;
}

function parseOrExplain<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `${what}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ")}`,
    });
  }
  return parsed.data;
}

export const connectionsRouter = router({
  list: workspaceProcedure.query(async ({ ctx }) => {
    const rows = await ctx.db.sql<{ id: string; system: string; name: string; config: unknown; secretsEnc: string | null; hasState: boolean; status: string; statusMessage: string | null; lastTestedAt: Date | null; updatedAt: Date }[]>`
      select id::text, system, name, config, secrets_enc as "secretsEnc", state_enc is not null as "hasState", status,
             status_message as "statusMessage", last_tested_at as "lastTestedAt", updated_at as "updatedAt"
      from connections where workspace_id = ${ctx.workspaceId} order by system, name`;
    return rows.map(({ secretsEnc, ...row }) => ({
      ...row,
      // Which secret fields are set, never their values.
      secretFields: secretsEnc ? Object.keys(decryptJson<Record<string, unknown>>(secretsEnc)).filter((k) => k) : [],
    }));
  }),

  create: workspaceProcedure
    .input(z.object({ system: z.string(), name: z.string().trim().min(1).max(120), config: z.unknown(), secrets: z.unknown() }))
    .mutation(async ({ ctx, input }) => {
      const connector = connectorOf(input.system);
      const config = parseOrExplain(connector.config, input.config ?? {}, "Settings");
      const secrets = parseOrExplain(connector.secrets, input.secrets ?? {}, "Credentials");
      try {
        const [row] = await ctx.db.sql<{ id: string }[]>`
          insert into connections (workspace_id, system, name, config, secrets_enc)
          values (${ctx.workspaceId}, ${input.system}, ${input.name}, ${JSON.stringify(config)}::text::jsonb, ${encryptJson(secrets)})
          returning id::text`;
        return { id: row!.id };
      } catch (error) {
        if ((error as { code?: string }).code === "23505") userError(new Error(`A connection named "${input.name}" already exists`));
        userError(error);
      }
    }),

  /** Update settings; secrets given replace those fields, omitted secret fields are kept. */
  update: workspaceProcedure
    .input(z.object({ id, name: z.string().trim().min(1).max(120).optional(), config: z.unknown().optional(), secrets: z.record(z.string(), z.unknown()).optional() }))
    .mutation(async ({ ctx, input }) => {
      const [row] = await ctx.db.sql<{ system: string; config: unknown; secretsEnc: string | null }[]>`
        select system, config, secrets_enc as "secretsEnc" from connections where id = ${input.id} and workspace_id = ${ctx.workspaceId}`;
      if (!row) userError(new Error("connection not found"));
      const connector = connectorOf(row!.system);
      const config = parseOrExplain(connector.config, input.config ?? row!.config, "Settings");
      const current = row!.secretsEnc ? decryptJson<Record<string, unknown>>(row!.secretsEnc) : {};
      const provided = Object.fromEntries(Object.entries(input.secrets ?? {}).filter(([, v]) => v !== "" && v !== undefined && v !== null));
      const secrets = parseOrExplain(connector.secrets, { ...current, ...provided }, "Credentials");
      const credentialsChanged = Object.keys(provided).length > 0 || JSON.stringify(config) !== JSON.stringify(row!.config);
      await ctx.db.sql`
        update connections set name = coalesce(${input.name ?? null}, name), config = ${JSON.stringify(config)}::text::jsonb,
               secrets_enc = ${encryptJson(secrets)}, updated_at = now(),
               status = case when ${credentialsChanged} then 'untested' else status end,
               state_enc = case when ${credentialsChanged} then null else state_enc end
        where id = ${input.id} and workspace_id = ${ctx.workspaceId}`;
      return { ok: true };
    }),

  delete: workspaceProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    const used = await ctx.db.sql<{ name: string }[]>`
      select f.name from flows f join flow_versions v on v.id = f.active_version_id
      where f.workspace_id = ${ctx.workspaceId} and f.active and v.definition::text like ${`%${input.id}%`}`;
    if (used.length > 0) userError(new Error(`Used by active flow${used.length > 1 ? "s" : ""} ${used.map((u) => `"${u.name}"`).join(", ")}: deactivate first`));
    await ctx.db.sql`delete from connections where id = ${input.id} and workspace_id = ${ctx.workspaceId}`;
    return { ok: true };
  }),

  test: workspaceProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => testConnection(ctx.db, ctx.workspaceId, input.id)),

  picker: workspaceProcedure.input(z.object({ connectionId: id, picker: z.string() })).query(async ({ ctx, input }) => {
    try {
      return await loadPicker(ctx.db, ctx.workspaceId, input.connectionId, input.picker);
    } catch (error) {
      userError(error);
    }
  }),

  /** The settings of the local sandbox (no secrets: the sandbox connection is created server-side). */
  sandboxSettings: workspaceProcedure.input(z.object({ system: z.string() })).query(({ input }) => {
    const connector = connectorOf(input.system);
    if (!connector.sandbox || !SANDBOX_SYSTEMS.includes(input.system as SandboxSystem)) return null;
    const demo = connector.sandbox(sandboxUrl(input.system as SandboxSystem));
    return { name: demo.name, config: demo.config, baseUrl: sandboxUrl(input.system as SandboxSystem) };
  }),

  /** One click: a connection to the local sandbox with its demo credentials. */
  createSandbox: workspaceProcedure.input(z.object({ system: z.string(), name: z.string().trim().min(1).max(120).optional() })).mutation(async ({ ctx, input }) => {
    const connector = connectorOf(input.system);
    if (!connector.sandbox || !SANDBOX_SYSTEMS.includes(input.system as SandboxSystem)) userError(new Error(`${connector.title} has no local sandbox`));
    const demo = connector.sandbox!(sandboxUrl(input.system as SandboxSystem));
    let name = input.name ?? demo.name;
    if (!input.name) {
      // "Use the local sandbox" again: the next free name ("… 2", "… 3").
      const taken = new Set((await ctx.db.sql<{ name: string }[]>`select name from connections where workspace_id = ${ctx.workspaceId}`).map((r) => r.name));
      for (let n = 2; taken.has(name); n++) name = `${demo.name} ${n}`;
    }
    try {
      const [row] = await ctx.db.sql<{ id: string }[]>`
        insert into connections (workspace_id, system, name, config, secrets_enc)
        values (${ctx.workspaceId}, ${input.system}, ${name}, ${JSON.stringify(demo.config)}::text::jsonb, ${encryptJson(demo.secrets)})
        returning id::text`;
      return { id: row!.id };
    } catch (error) {
      if ((error as { code?: string }).code === "23505") userError(new Error(`A connection named "${name}" already exists`));
      userError(error);
    }
  }),

  /** Start OAuth "Connect": returns the URL to send the browser to. */
  connect: workspaceProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    try {
      return { url: await startOAuth(ctx.db, ctx.workspaceId, input.id, `${env.publicUrl}/api/oauth/callback`) };
    } catch (error) {
      userError(error);
    }
  }),
});
