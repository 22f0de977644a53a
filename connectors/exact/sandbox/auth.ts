/**
 * The sandbox's OAuth 2.0 server, per region:
 * - GET  /api/oauth2/auth: auto-approves the demo user and redirects to redirect_uri with code and state;
 * - POST /api/oauth2/token: authorization_code and refresh_token grants, Exact's rules included:
 *   600 s access tokens (`expires_in` as a string), refresh-token rotation ("Old refresh token
 *   used." once the newer pair has been used), refresh tokens that expire after 30 days unused,
 *   no new token within 570 s of the previous one, 200 token calls per app and user per day;
 * - bearer checks for the API (tokens of another region are unknown here).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, send } from "../../sdk";
import { newGuid, type RegionData, type SandboxWorld, type TokenPair, type User } from "./store";

export const ACCESS_SECONDS = 600;
export const MIN_INTERVAL_MS = 570_000;
export const REFRESH_LIFETIME_MS = 30 * 86_400_000;
export const CODE_LIFETIME_MS = 180_000;

const token = (bytes = 32) => randomBytes(bytes).toString("base64url");

function oauthError(res: ServerResponse, status: number, error: string, description: string, headers: Record<string, string> = {}): void {
  send(res, status, { error, error_description: description }, headers);
}

const dayOf = (ms: number) => Math.floor(ms / 86_400_000);

/** GET /api/oauth2/auth */
export function handleAuthorize(world: SandboxWorld, region: RegionData, url: URL, res: ServerResponse): void {
  const clientId = url.searchParams.get("client_id") ?? "";
  const redirectUri = url.searchParams.get("redirect_uri") ?? "";
  const state = url.searchParams.get("state");
  const app = world.apps.get(clientId);
  if (!app) return send(res, 400, "<html><body><h1>Invalid client_id</h1></body></html>", { "content-type": "text/html; charset=utf-8" });
  if (url.searchParams.get("response_type") !== "code") {
    return send(res, 400, "<html><body><h1>Unsupported response_type (use code)</h1></body></html>", { "content-type": "text/html; charset=utf-8" });
  }
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    return send(res, 400, "<html><body><h1>Invalid redirect_uri</h1></body></html>", { "content-type": "text/html; charset=utf-8" });
  }
  // Demo users are approved at once: no login page, no consent screen.
  const user = [...region.users.values()][0];
  const code = `${token(12)}.${token(24)}.${token(16)}`;
  region.codes.set(code, { clientId, userId: user.id, redirectUri, expiresAt: world.now() + CODE_LIFETIME_MS, used: false });
  target.searchParams.set("code", code);
  if (state !== null) target.searchParams.set("state", state);
  res.writeHead(302, { location: target.toString() });
  res.end();
}

function issue(world: SandboxWorld, region: RegionData, clientId: string, userId: string, chainId: string): TokenPair {
  const now = world.now();
  const pair: TokenPair = {
    id: newGuid(),
    chainId,
    clientId,
    userId,
    accessToken: token(48),
    refreshToken: token(40),
    issuedAt: now,
    accessExpiresAt: now + ACCESS_SECONDS * 1000,
    used: false,
  };
  region.pairs.set(pair.id, pair);
  region.byAccess.set(pair.accessToken, pair.id);
  region.byRefresh.set(pair.refreshToken, pair.id);
  region.chains.set(chainId, { id: chainId, lastIssuedAt: now });
  return pair;
}

function answer(res: ServerResponse, pair: TokenPair): void {
  // expires_in is a string on the wire, as Exact sends it.
  send(res, 200, { access_token: pair.accessToken, token_type: "bearer", expires_in: String(ACCESS_SECONDS), refresh_token: pair.refreshToken });
}

/** Count a token call; false when the app+user already used up today's token calls. */
function countTokenCall(world: SandboxWorld, region: RegionData, clientId: string, userId: string): boolean {
  const now = world.now();
  const key = `${clientId}|${userId}`;
  const entry = region.tokenCalls.get(key);
  const today = dayOf(now);
  if (!entry || entry.day !== today) {
    region.tokenCalls.set(key, { day: today, count: 1 });
    return true;
  }
  entry.count += 1;
  return entry.count <= world.settings.tokenDailyLimit;
}

/** POST /api/oauth2/token */
export async function handleToken(world: SandboxWorld, region: RegionData, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  const now = world.now();
  const clientId = form.get("client_id") ?? "";
  const app = world.apps.get(clientId);
  if (!app || app.secret !== form.get("client_secret")) {
    return oauthError(res, 401, "invalid_client", "Client authentication failed");
  }
  const grant = form.get("grant_type");
  const limited = () =>
    oauthError(res, 429, "access_denied", "Maximum number of token requests per day for this app and user reached", {
      "x-ratelimit-limit": String(world.settings.tokenDailyLimit),
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String((dayOf(now) + 1) * 86_400_000),
    });
  if (grant === "authorization_code") {
    const code = form.get("code") ?? "";
    const entry = region.codes.get(code);
    if (!entry || entry.clientId !== clientId) return oauthError(res, 400, "invalid_grant", "Invalid authorization code");
    if (entry.used) return oauthError(res, 400, "invalid_grant", "Authorization code has already been used");
    if (now > entry.expiresAt) return oauthError(res, 400, "invalid_grant", "Authorization code has expired");
    if (entry.redirectUri !== form.get("redirect_uri")) return oauthError(res, 400, "invalid_grant", "redirect_uri does not match the authorization request");
    entry.used = true;
    if (!countTokenCall(world, region, clientId, entry.userId)) return limited();
    // A new sign-in starts a new token chain; the previous chain of this app and user ends.
    for (const pair of region.pairs.values()) if (pair.clientId === clientId && pair.userId === entry.userId) pair.revoked = true;
    return answer(res, issue(world, region, clientId, entry.userId, newGuid()));
  }
  if (grant === "refresh_token") {
    const presented = form.get("refresh_token") ?? "";
    const pairId = region.byRefresh.get(presented);
    const pair = pairId ? region.pairs.get(pairId) : undefined;
    if (!pair || pair.clientId !== clientId) return oauthError(res, 400, "invalid_grant", "Invalid refresh token");
    if (!countTokenCall(world, region, clientId, pair.userId)) return limited();
    if (pair.revoked) return oauthError(res, 401, "unauthorized_client", "Old refresh token used.");
    if (now > pair.issuedAt + REFRESH_LIFETIME_MS) {
      const at = new Date(pair.issuedAt + REFRESH_LIFETIME_MS);
      return oauthError(res, 400, "invalid_request", `The refresh token expired at ${at.toUTCString()} and it is now ${new Date(now).toUTCString()}`);
    }
    if (pair.rotatedTo) {
      const successor = region.pairs.get(pair.rotatedTo);
      // The previous refresh token stays valid until the newer pair is first used.
      if (!successor || successor.used || successor.revoked) return oauthError(res, 401, "unauthorized_client", "Old refresh token used.");
    }
    const chain = region.chains.get(pair.chainId);
    if (chain && now - chain.lastIssuedAt < MIN_INTERVAL_MS) {
      const seconds = Math.round((now - chain.lastIssuedAt) / 1000);
      return oauthError(
        res,
        400,
        "invalid_request",
        `Access token requested too early: the previous one was issued ${seconds} seconds ago; wait until 570 seconds have passed`,
      );
    }
    if (pair.rotatedTo) {
      const successor = region.pairs.get(pair.rotatedTo);
      if (successor) successor.revoked = true;
    }
    pair.used = true;
    const next = issue(world, region, clientId, pair.userId, pair.chainId);
    pair.rotatedTo = next.id;
    return answer(res, next);
  }
  return oauthError(res, 400, "unsupported_grant_type", `grant_type ${grant ?? "(none)"} is not supported`);
}

export type Authenticated = { pair: TokenPair; user: User };

/** The caller of an API request, or undefined (401) for a missing, unknown or expired token. */
export function authenticate(world: SandboxWorld, region: RegionData, req: IncomingMessage): Authenticated | undefined {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) return undefined;
  const pairId = region.byAccess.get(match[1].trim());
  const pair = pairId ? region.pairs.get(pairId) : undefined;
  if (!pair || pair.revoked || world.now() >= pair.accessExpiresAt) return undefined;
  const user = region.users.get(pair.userId);
  if (!user) return undefined;
  pair.used = true;
  return { pair, user };
}

/** Fault `expireAuth`: the presented token stops working at once. */
export function expireToken(region: RegionData, req: IncomingMessage, now: number): void {
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  const pairId = match ? region.byAccess.get(match[1].trim()) : undefined;
  const pair = pairId ? region.pairs.get(pairId) : undefined;
  if (pair) pair.accessExpiresAt = Math.min(pair.accessExpiresAt, now);
}
