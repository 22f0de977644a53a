/**
 * The authentication library, configured for Ledgerline: Better Auth over our own tables
 * (users, auth_sessions, auth_accounts, auth_verifications, two_factors) through its drizzle
 * adapter. Passwords are argon2id (./passwords.ts); sessions live in PostgreSQL and ride an
 * HttpOnly, SameSite=Lax cookie that is Secure when LEDGERLINE_PUBLIC_URL is https.
 *
 * What Ledgerline adds around it (hooks):
 * - sign-in rate limiting per account and per IP (./sign-in-limits.ts), with a clear message;
 * - no open sign-up: an account is made by the admin CLI, by an invitation (the invitation link's
 *   token in `x-ledgerline-invite` must match the e-mail) or by single sign-on;
 * - single sign-on with OpenID Connect per workspace (./sso.ts).
 * Workspaces, members, roles and invitations are Ledgerline's (engine/auth/workspaces.ts), enforced
 * by the tRPC role builders, rather than Better Auth's organization plugin: one role model, one place.
 */
import { createHmac } from "node:crypto";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { twoFactor } from "better-auth/plugins";
import type { Db } from "../../db/client";
import { encryptionKey } from "../../db/crypto";
import { env } from "../../db/env";
import * as schema from "../../db/schema";
import { mailConfigured, sendMail } from "../mail";
import { findOpenInvitation } from "./invitations";
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords";
import { clientIp } from "./request";
import { checkSignInAllowed, recordSignInAttempt } from "./sign-in-limits";
import { workspaceSso } from "./sso";

export const INVITE_HEADER = "x-ledgerline-invite";
export const SESSION_DAYS = 7;

function authSecret(): string {
  return env.authSecret ?? createHmac("sha256", encryptionKey()).update("ledgerline session cookies v1").digest("base64url");
}

const normalEmail = (value: unknown) => (typeof value === "string" ? value.trim().toLowerCase() : "");

export function createAuth(db: Db, options: { publicUrl?: string } = {}) {
  const publicUrl = (options.publicUrl ?? env.publicUrl).replace(/\/+$/, "");
  return betterAuth({
    appName: "Ledgerline",
    baseURL: publicUrl,
    basePath: "/api/auth",
    secret: authSecret(),
    trustedOrigins: [publicUrl],
    telemetry: { enabled: false },
    logger: { level: "error" },
    database: drizzleAdapter(db, {
      provider: "pg",
      schema: {
        user: schema.users,
        session: schema.authSessions,
        account: schema.authAccounts,
        verification: schema.authVerifications,
        twoFactor: schema.twoFactors,
      },
    }),
    advanced: {
      // A session is read with its user in one statement (relations in db/schema.ts).
      database: { generateId: "uuid", joins: true },
      cookiePrefix: "ledgerline",
      useSecureCookies: publicUrl.startsWith("https:"),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
      ipAddress: { ipAddressHeaders: ["x-forwarded-for", "x-real-ip"] },
    },
    user: {
      additionalFields: {
        lastWorkspaceId: { type: "string", required: false, input: false },
      },
    },
    session: { expiresIn: SESSION_DAYS * 86_400, updateAge: 86_400 },
    // Ledgerline limits sign-ins itself (per account and per IP, shared by every web process).
    rateLimit: { enabled: false },
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      password: { hash: hashPassword, verify: verifyPassword },
      revokeSessionsOnPasswordReset: true,
      resetPasswordTokenExpiresIn: 3600,
      async sendResetPassword({ user, url }) {
        if (!mailConfigured()) return;
        await sendMail({
          to: user.email,
          subject: "Reset your Ledgerline password",
          text: `Someone (hopefully you) asked to reset the password of ${user.email} on Ledgerline.\n\nChoose a new password here (the link works for one hour, once):\n${url}\n\nIf it was not you, ignore this e-mail; your password stays as it is.\n`,
        });
      },
    },
    plugins: [twoFactor({ issuer: "Ledgerline" }), workspaceSso(db, { publicUrl, clientIp })],
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        const headers = ctx.request?.headers ?? ctx.headers ?? new Headers();
        if (ctx.path === "/sign-in/email") {
          const email = normalEmail((ctx.body as { email?: unknown } | undefined)?.email);
          const verdict = await checkSignInAllowed(db, email, clientIp(headers));
          if (!verdict.allowed) {
            throw new APIError("TOO_MANY_REQUESTS", { message: verdict.message, code: "SIGN_IN_RATE_LIMITED" }, { "retry-after": String(verdict.retryAfterSeconds) });
          }
        }
        if (ctx.path === "/sign-up/email") {
          const email = normalEmail((ctx.body as { email?: unknown } | undefined)?.email);
          const invite = headers.get(INVITE_HEADER);
          if (!invite || !(await findOpenInvitation(db, invite, email))) {
            throw new APIError("FORBIDDEN", {
              message: "Accounts are created by invitation. Ask a workspace admin to invite this e-mail address.",
              code: "SIGN_UP_BY_INVITATION",
            });
          }
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const headers = ctx.request?.headers ?? ctx.headers ?? new Headers();
        const email = normalEmail((ctx.body as { email?: unknown } | undefined)?.email);
        const returned = ctx.context.returned;
        const failed = returned instanceof APIError;
        const limited = failed && (returned as APIError).status === "TOO_MANY_REQUESTS";
        if (email && !limited) await recordSignInAttempt(db, email, clientIp(headers), !failed);
      }),
    },
  });
}

export type LedgerlineAuth = ReturnType<typeof createAuth>;
