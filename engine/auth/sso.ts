/**
 * Single sign-on with OpenID Connect, configured per workspace: issuer, client id, client secret
 * (AES-256-GCM, db/crypto.ts; never sent back), allowed e-mail domains, and the role a person gets
 * on first sign-in (just-in-time membership). A person picks SSO on the sign-in page with their
 * e-mail; its domain finds the workspace. The code flow uses PKCE, state and nonce (openid-client).
 *
 * Endpoints (a Better Auth plugin, so the session is Better Auth's like any other):
 *   GET /api/auth/sso/start?email=&next=     to the identity provider
 *   GET /api/auth/sso/callback?code=&state=  back: ID token checked, user found or created, member
 *                                            of the workspace, session cookie set
 * Redirect URI to register at the provider: <LEDGERLINE_PUBLIC_URL>/api/auth/sso/callback.
 */
import { randomBytes } from "node:crypto";
import type { BetterAuthPlugin } from "better-auth";
import { createAuthEndpoint } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import * as oidc from "openid-client";
import { z } from "zod";
import type { Db } from "../../db/client";
import { decrypt, encrypt } from "../../db/crypto";
import { recordAudit, type Actor } from "../audit";
import { roleSchema, type Role } from "./roles";
import { ensureUser } from "./users";

export const SSO_CALLBACK_PATH = "/api/auth/sso/callback";
const STATE_MINUTES = 10;

const domainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "Enter domains like example.com");

export const ssoConfigInput = z.object({
  issuer: z.string().trim().url("The issuer is a URL, e.g. https://login.example.com/realms/finance").max(500),
  clientId: z.string().trim().min(1, "Enter the client id.").max(300),
  /** Write-only: omit (or send empty) to keep the stored secret. */
  clientSecret: z.string().max(2000).optional(),
  allowedDomains: z.array(domainSchema).min(1, "List at least one e-mail domain.").max(50),
  defaultRole: roleSchema.exclude(["owner"]),
  enabled: z.boolean(),
});
export type SsoConfigInput = z.infer<typeof ssoConfigInput>;

export interface SsoConfigView {
  issuer: string;
  clientId: string;
  hasSecret: boolean;
  allowedDomains: string[];
  defaultRole: Role;
  enabled: boolean;
  redirectUri: string;
}

export class SsoError extends Error {}

const isLoopback = (url: URL) => ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);

/** Issuers must be https, except on this machine (a local test provider). */
export function checkIssuerUrl(issuer: string): URL {
  const url = new URL(issuer);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url))) {
    throw new SsoError("The issuer must be an https URL.");
  }
  return url;
}

export async function getSsoConfig(db: Db, workspaceId: string, publicUrl: string): Promise<SsoConfigView | null> {
  const [row] = await db.sql<{ issuer: string; client_id: string; allowed_domains: string[]; default_role: Role; enabled: boolean }[]>`
    select issuer, client_id, allowed_domains, default_role, enabled from workspace_sso where workspace_id = ${workspaceId}`;
  if (!row) return null;
  return {
    issuer: row.issuer,
    clientId: row.client_id,
    hasSecret: true,
    allowedDomains: row.allowed_domains,
    defaultRole: row.default_role,
    enabled: row.enabled,
    redirectUri: `${publicUrl.replace(/\/+$/, "")}${SSO_CALLBACK_PATH}`,
  };
}

export async function saveSsoConfig(db: Db, workspaceId: string, input: SsoConfigInput, actor: Actor): Promise<void> {
  checkIssuerUrl(input.issuer);
  const domains = [...new Set(input.allowedDomains)];
  await db.sql.begin(async (tx) => {
    const [clash] = await tx<{ name: string; domain: string }[]>`
      select w.name, d.domain from workspace_sso s join workspaces w on w.id = s.workspace_id
      cross join lateral jsonb_array_elements_text(s.allowed_domains) as d(domain)
      where s.workspace_id <> ${workspaceId} and d.domain = any(${domains}::text[]) limit 1`;
    if (clash) throw new SsoError(`${clash.domain} already signs in to another workspace; each e-mail domain can belong to one workspace's SSO.`);
    const [existing] = await tx<{ issuer: string; client_id: string }[]>`select issuer, client_id from workspace_sso where workspace_id = ${workspaceId}`;
    const secret = input.clientSecret?.trim() ? input.clientSecret.trim() : null;
    if (!existing && !secret) throw new SsoError("Enter the client secret.");
    // A secret belongs to its provider: a new issuer or client id needs it entered again.
    if (existing && !secret && (existing.issuer !== input.issuer || existing.client_id !== input.clientId)) {
      throw new SsoError("The issuer or client id changed: enter the client secret again.");
    }
    if (existing) {
      await tx`
        update workspace_sso set issuer = ${input.issuer}, client_id = ${input.clientId},
          client_secret_enc = coalesce(${secret === null ? null : encrypt(secret)}, client_secret_enc),
          allowed_domains = ${JSON.stringify(domains)}::text::jsonb, default_role = ${input.defaultRole}, enabled = ${input.enabled}, updated_at = now()
        where workspace_id = ${workspaceId}`;
    } else {
      await tx`
        insert into workspace_sso (workspace_id, issuer, client_id, client_secret_enc, allowed_domains, default_role, enabled)
        values (${workspaceId}, ${input.issuer}, ${input.clientId}, ${encrypt(secret!)}, ${JSON.stringify(domains)}::text::jsonb, ${input.defaultRole}, ${input.enabled})`;
    }
    await recordAudit(tx, workspaceId, actor, {
      action: existing ? "sso.update" : "sso.create",
      entityType: "sso",
      entityId: workspaceId,
      data: { issuer: input.issuer, clientId: input.clientId, allowedDomains: domains, defaultRole: input.defaultRole, enabled: input.enabled, secretChanged: secret !== null },
    });
  });
}

export async function deleteSsoConfig(db: Db, workspaceId: string, actor: Actor): Promise<boolean> {
  return db.sql.begin(async (tx) => {
    const [row] = await tx`delete from workspace_sso where workspace_id = ${workspaceId} returning workspace_id`;
    if (row) await recordAudit(tx, workspaceId, actor, { action: "sso.delete", entityType: "sso", entityId: workspaceId });
    return Boolean(row);
  });
}

interface ProviderRow {
  workspaceId: string;
  workspaceName: string;
  issuer: string;
  clientId: string;
  secret: string;
  allowedDomains: string[];
  defaultRole: Role;
}

async function providerFor(db: Db, where: { email?: string; workspaceId?: string }): Promise<ProviderRow | null> {
  const domain = where.email?.split("@")[1]?.toLowerCase() ?? null;
  const [row] = await db.sql<{ workspace_id: string; name: string; issuer: string; client_id: string; client_secret_enc: string; allowed_domains: string[]; default_role: Role }[]>`
    select s.workspace_id::text, w.name, s.issuer, s.client_id, s.client_secret_enc, s.allowed_domains, s.default_role
    from workspace_sso s join workspaces w on w.id = s.workspace_id
    where s.enabled and (${where.workspaceId ?? null}::uuid is null or s.workspace_id = ${where.workspaceId ?? null}::uuid)
      and (${domain}::text is null or s.allowed_domains ? ${domain})
    limit 1`;
  if (!row) return null;
  return {
    workspaceId: row.workspace_id,
    workspaceName: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    secret: decrypt(row.client_secret_enc),
    allowedDomains: row.allowed_domains,
    defaultRole: row.default_role,
  };
}

async function discover(provider: ProviderRow): Promise<oidc.Configuration> {
  const issuer = checkIssuerUrl(provider.issuer);
  return oidc.discovery(issuer, provider.clientId, undefined, oidc.ClientSecretBasic(provider.secret), {
    execute: issuer.protocol === "http:" ? [oidc.allowInsecureRequests] : [],
    timeout: 10,
  });
}

const safeNext = (value: string | undefined) => (value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/flows");

interface SsoState {
  workspaceId: string;
  codeVerifier: string;
  nonce: string;
  next: string;
}

/** The person the provider vouched for: a user (found by this provider's subject, else by e-mail, else created) and a member. */
export async function provisionSsoUser(
  db: Db,
  provider: Pick<ProviderRow, "workspaceId" | "defaultRole" | "allowedDomains">,
  claims: { sub: string; email: string; name?: string | null },
  ip: string | null,
): Promise<{ userId: string; joined: boolean }> {
  const email = claims.email.trim().toLowerCase();
  const domain = email.split("@")[1] ?? "";
  if (!provider.allowedDomains.includes(domain)) throw new SsoError(`${email} is not in a domain allowed to sign in to this workspace.`);
  const providerId = `sso:${provider.workspaceId}`;
  return db.sql.begin(async (tx) => {
    const [linked] = await tx<{ user_id: string }[]>`select user_id::text from auth_accounts where provider_id = ${providerId} and account_id = ${claims.sub}`;
    let userId = linked?.user_id;
    if (!userId) {
      const user = await ensureUser(tx, { email, name: claims.name ?? undefined, emailVerified: true });
      userId = user.id;
      await tx`insert into auth_accounts (user_id, account_id, provider_id) values (${userId}, ${claims.sub}, ${providerId})`;
    }
    const [member] = await tx`select role from memberships where workspace_id = ${provider.workspaceId} and user_id = ${userId}`;
    if (!member) {
      await tx`insert into memberships (workspace_id, user_id, role) values (${provider.workspaceId}, ${userId}, ${provider.defaultRole})`;
      await recordAudit(tx, provider.workspaceId, { label: email, kind: "user", userId, ip }, {
        action: "member.join",
        entityType: "member",
        entityId: userId,
        data: { email, role: provider.defaultRole, via: "sso" },
      });
    }
    await tx`update users set last_workspace_id = ${provider.workspaceId}, updated_at = now() where id = ${userId}`;
    return { userId, joined: !member };
  });
}

export function workspaceSso(db: Db, options: { publicUrl: string; clientIp: (headers: Headers) => string | null }) {
  const base = options.publicUrl.replace(/\/+$/, "");
  const redirectUri = `${base}${SSO_CALLBACK_PATH}`;
  const toSignIn = (message: string) => `${base}/sign-in?error=${encodeURIComponent(message)}`;

  return {
    id: "ledgerline-workspace-sso",
    endpoints: {
      ssoStart: createAuthEndpoint(
        "/sso/start",
        { method: "GET", query: z.object({ email: z.string().max(320), next: z.string().max(2000).optional() }) },
        async (ctx) => {
          const email = ctx.query.email.trim().toLowerCase();
          const provider = await providerFor(db, { email });
          if (!provider) throw ctx.redirect(toSignIn(`No workspace signs in ${email.split("@")[1] ?? email} with single sign-on. Sign in with your password.`));
          let config: oidc.Configuration;
          try {
            config = await discover(provider);
          } catch (error) {
            throw ctx.redirect(toSignIn(`The sign-on provider of ${provider.workspaceName} could not be reached (${(error as Error).message}).`));
          }
          const codeVerifier = oidc.randomPKCECodeVerifier();
          const state = randomBytes(24).toString("base64url");
          const nonce = oidc.randomNonce();
          const value: SsoState = { workspaceId: provider.workspaceId, codeVerifier, nonce, next: safeNext(ctx.query.next) };
          await ctx.context.internalAdapter.createVerificationValue({
            identifier: `sso-state:${state}`,
            value: JSON.stringify(value),
            expiresAt: new Date(Date.now() + STATE_MINUTES * 60_000),
          });
          const url = oidc.buildAuthorizationUrl(config, {
            redirect_uri: redirectUri,
            scope: "openid email profile",
            code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
            code_challenge_method: "S256",
            state,
            nonce,
            login_hint: email,
          });
          throw ctx.redirect(url.toString());
        },
      ),
      ssoCallback: createAuthEndpoint(
        "/sso/callback",
        { method: "GET", query: z.object({ state: z.string().max(200).optional(), code: z.string().max(4000).optional(), error: z.string().max(200).optional(), error_description: z.string().max(1000).optional() }).passthrough() },
        async (ctx) => {
          const state = ctx.query.state;
          if (!state) throw ctx.redirect(toSignIn("The sign-on answer had no state; start again."));
          const stored = await ctx.context.internalAdapter.findVerificationValue(`sso-state:${state}`);
          if (stored) await ctx.context.internalAdapter.deleteVerificationByIdentifier(`sso-state:${state}`);
          if (!stored || stored.expiresAt < new Date()) throw ctx.redirect(toSignIn("That sign-on attempt expired or was already used; start again."));
          const saved = JSON.parse(stored.value) as SsoState;
          if (ctx.query.error) throw ctx.redirect(toSignIn(`The sign-on provider refused: ${ctx.query.error_description ?? ctx.query.error}`));
          const provider = await providerFor(db, { workspaceId: saved.workspaceId });
          if (!provider) throw ctx.redirect(toSignIn("Single sign-on was turned off for that workspace."));
          let claims: (oidc.IDToken & Record<string, unknown>) | undefined;
          try {
            const config = await discover(provider);
            const search = new URLSearchParams(ctx.request ? new URL(ctx.request.url).search : "");
            const tokens = await oidc.authorizationCodeGrant(config, new URL(`${redirectUri}?${search}`), {
              pkceCodeVerifier: saved.codeVerifier,
              expectedState: state,
              expectedNonce: saved.nonce,
              idTokenExpected: true,
            });
            claims = tokens.claims();
            // Providers that keep e-mail out of the ID token give it at the userinfo endpoint.
            if (claims && typeof claims.email !== "string" && tokens.access_token) {
              const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
              claims = { ...claims, email: info.email, email_verified: info.email_verified, name: claims.name ?? info.name };
            }
          } catch (error) {
            throw ctx.redirect(toSignIn(`Single sign-on failed: ${(error as Error).message}`));
          }
          const email = typeof claims?.email === "string" ? claims.email : null;
          if (!claims || !email) throw ctx.redirect(toSignIn("The sign-on provider did not say who you are (no e-mail in the ID token)."));
          if (claims.email_verified === false) throw ctx.redirect(toSignIn(`The sign-on provider has not verified ${email}.`));
          let userId: string;
          try {
            ({ userId } = await provisionSsoUser(db, provider, { sub: claims.sub, email, name: typeof claims.name === "string" ? claims.name : null }, options.clientIp(ctx.request?.headers ?? new Headers())));
          } catch (error) {
            throw ctx.redirect(toSignIn((error as Error).message));
          }
          const user = await ctx.context.internalAdapter.findUserById(userId);
          if (!user) throw ctx.redirect(toSignIn("The account could not be loaded."));
          const session = await ctx.context.internalAdapter.createSession(userId);
          await setSessionCookie(ctx, { session, user });
          throw ctx.redirect(`${base}${saved.next}`);
        },
      ),
    },
  } satisfies BetterAuthPlugin;
}
