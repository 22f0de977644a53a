/**
 * The demo workspace, seeded on every start (idempotent): workspace "Demo Finance Co" (slug
 * `demo`), the demo user as its owner (password: engine/demo/owner.ts), one connection per sandbox, the Exact connection
 * authorised through the sandbox's OAuth code flow, and one flow per starter template.
 *
 * Why Exact is re-authorised on every seed: the sandboxes keep their token stores in memory, so
 * after a restart the token pair saved in the connection state is unknown to them. A fresh code
 * exchange (the sandbox auto-approves the demo user) gives a working pair again.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../../connectors/sdk";
import { jsonb, type Db } from "../../db/client";
import { encryptJson } from "../../db/crypto";
import { env } from "../../db/env";
import { buildEnv, loadConnection } from "../connections";
import { registry } from "../registry";
import { instantiateTemplate, templates } from "../templates";

export const DEMO_WORKSPACE_SLUG = "demo";
export const DEMO_WORKSPACE_NAME = "Demo Finance Co";
export const DEMO_USER = { email: "demo@ledgerline.example", name: "Demo User" } as const;

export type DemoSystem = "intacct" | "avalara" | "exact" | "commerce";
export const DEMO_SYSTEMS: readonly DemoSystem[] = ["intacct", "avalara", "exact", "commerce"];

export interface SeedOptions {
  sandboxUrls: Record<DemoSystem, string>;
  /** OAuth redirect URI sent to the Exact sandbox (default: the app's callback). */
  redirectUri?: string;
  log?: (message: string) => void;
}

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function ensureWorkspace(db: Db): Promise<string> {
  await db.sql`insert into workspaces (name, slug) values (${DEMO_WORKSPACE_NAME}, ${DEMO_WORKSPACE_SLUG}) on conflict (slug) do nothing`;
  const [workspace] = await db.sql<{ id: string }[]>`select id::text from workspaces where slug = ${DEMO_WORKSPACE_SLUG}`;
  await db.sql`insert into users (email, name) values (${DEMO_USER.email}, ${DEMO_USER.name}) on conflict (email) do nothing`;
  const [user] = await db.sql<{ id: string }[]>`select id::text from users where email = ${DEMO_USER.email}`;
  await db.sql`
    insert into memberships (workspace_id, user_id, role) values (${workspace!.id}, ${user!.id}, 'owner')
    on conflict (workspace_id, user_id) do nothing`;
  // The demo user owns the demo workspace (older data had it as admin, before roles were enforced).
  await db.sql`
    update memberships set role = 'owner'
    where workspace_id = ${workspace!.id} and user_id = ${user!.id}
      and not exists (select 1 from memberships where workspace_id = ${workspace!.id} and role = 'owner')`;
  return workspace!.id;
}

/**
 * The sandbox connection of one system, by its sandbox name: created when missing, and pointed at
 * the current sandbox URL when that moved (ports can change between starts).
 */
async function ensureSandboxConnection(db: Db, workspaceId: string, system: DemoSystem, baseUrl: string): Promise<{ id: string; changed: boolean }> {
  const connector = registry.connector(system);
  if (!connector?.sandbox) throw new Error(`connector ${system} has no sandbox settings`);
  const values = connector.sandbox(baseUrl);
  const [existing] = await db.sql<{ id: string; config: unknown }[]>`
    select id::text, config from connections where workspace_id = ${workspaceId} and name = ${values.name}`;
  if (!existing) {
    const [row] = await db.sql<{ id: string }[]>`
      insert into connections (workspace_id, system, name, config, secrets_enc, status)
      values (${workspaceId}, ${system}, ${values.name}, ${jsonb(values.config)}::text::jsonb, ${encryptJson(values.secrets)}, 'untested')
      returning id::text`;
    return { id: row!.id, changed: true };
  }
  if (JSON.stringify(existing.config) === JSON.stringify(values.config)) return { id: existing.id, changed: false };
  await db.sql`
    update connections set config = ${jsonb(values.config)}::text::jsonb, secrets_enc = ${encryptJson(values.secrets)},
           state_enc = null, status = 'untested', status_message = null, updated_at = now()
    where id = ${existing.id} and workspace_id = ${workspaceId}`;
  return { id: existing.id, changed: true };
}

/** The "Connect" button, done for the demo user: authorize URL -> auto-approved code -> token pair in the connection state. */
export async function connectExactSandbox(db: Db, workspaceId: string, connectionId: string, redirectUri: string): Promise<void> {
  const connection = await loadConnection(db, workspaceId, connectionId);
  const oauth = connection.connector.oauth;
  if (!oauth) throw new Error(`connection ${connection.name} has no OAuth flow`);
  const state = randomUUID();
  const url = oauth.authorizeUrl({ config: connection.config, secrets: connection.secrets, state, redirectUri });
  const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
  const location = response.headers.get("location");
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 300 || response.status >= 400 || !location) {
    throw new Error(`the Exact sandbox did not approve the demo user (authorize answered ${response.status})`);
  }
  const answer = new URL(location);
  const code = answer.searchParams.get("code");
  if (answer.searchParams.get("state") !== state || !code) {
    throw new Error(`the Exact sandbox answered without a code (${answer.searchParams.get("error") ?? "state mismatch"})`);
  }
  const signal = new AbortController().signal;
  await oauth.exchangeCode(buildEnv(db, connection, { log: silent, signal }), { code, redirectUri });
  await db.sql`
    update connections set status = 'untested', status_message = null, updated_at = now()
    where id = ${connectionId} and workspace_id = ${workspaceId}`;
}

/** Advisory lock key: two processes starting at once must not both create the demo flows. */
const SEED_LOCK = 4_242_001;

/** Seed (or bring up to date) the demo workspace. Returns its id. */
export async function seedDemoWorkspace(db: Db, options: SeedOptions): Promise<string> {
  const reserved = await db.sql.reserve();
  try {
    await reserved`select pg_advisory_lock(${SEED_LOCK})`;
    return await seed(db, options);
  } finally {
    await reserved`select pg_advisory_unlock(${SEED_LOCK})`.catch(() => undefined);
    reserved.release();
  }
}

async function seed(db: Db, options: SeedOptions): Promise<string> {
  const log = options.log ?? (() => undefined);
  const workspaceId = await ensureWorkspace(db);

  const connectionIds: Partial<Record<DemoSystem, string>> = {};
  for (const system of DEMO_SYSTEMS) {
    const url = options.sandboxUrls[system];
    if (!url) continue;
    const { id, changed } = await ensureSandboxConnection(db, workspaceId, system, url.replace(/\/+$/, ""));
    connectionIds[system] = id;
    if (changed) log(`demo connection for ${system} points at ${url}`);
  }

  if (connectionIds.exact) {
    try {
      await connectExactSandbox(db, workspaceId, connectionIds.exact, options.redirectUri ?? `${env.publicUrl}/api/oauth/callback`);
    } catch (error) {
      // The rest of the demo works without Exact; the connection page offers "Connect" again.
      const message = `Demo sign-in to the Exact sandbox failed: ${(error as Error).message}`;
      await db.sql`
        update connections set status = 'needs_reconnect', status_message = ${message}, updated_at = now()
        where id = ${connectionIds.exact} and workspace_id = ${workspaceId}`;
      log(message);
    }
  }

  const existing = await db.sql<{ template_id: string }[]>`
    select distinct template_id from flows where workspace_id = ${workspaceId} and template_id is not null`;
  const done = new Set(existing.map((r) => r.template_id));
  for (const template of templates) {
    if (done.has(template.id)) continue;
    const { problems } = await instantiateTemplate(db, workspaceId, template.id, { connectionIds, demo: true });
    log(`demo flow "${template.title}" created${problems.length ? ` with ${problems.length} problem(s)` : ""}`);
  }
  return workspaceId;
}
