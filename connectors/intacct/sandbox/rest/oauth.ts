/**
 * OAuth 2.0 of the sandbox's REST API (intacct-rest.md 1):
 * - `GET  /ia/api/v1/oauth2/authorize`: the demo user signs in to the demo company at once and is
 *   sent back to `redirect_uri` with `code` and `state` (authorization code grant);
 * - `POST /ia/api/v1/oauth2/token`: `authorization_code`, `refresh_token` and `client_credentials`,
 *   form-urlencoded or JSON, client authentication in the body or as HTTP Basic.
 *
 * Tokens are HS256 JWTs carrying cnyId, userId, entityId, clientId and sessionId; they live
 * `tokenLifetimeSeconds` (43200, the recorded `expires_in`). Every refresh rotates the refresh
 * token, and a new grant for the same client, user and company ends the previous refresh token:
 * it then answers 401 `tokenInvalid` REST-2102 (the field report in 1.3).
 *
 * ASSUMED: the token endpoint's `invalid_client` wording (RFC 6749 5.2) and the GW codes' texts.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { send } from "../../../sdk";
import type { SandboxState } from "../store";
import { REST_DEMO } from "./demo";
import { sendError, type ErrorShape, type RestError } from "./errors";

export interface Grant {
  clientId: string;
  companyId: string;
  userId: string;
  /** Entity the token is scoped to ("" = top level). */
  entityId: string;
  sessionId: string;
}

interface AccessToken extends Grant {
  expiresAt: number;
}

interface RefreshToken extends Grant {
  /** Grants of the same client, user and company share a family; a new grant ends the old one. */
  family: string;
  offline: boolean;
}

export interface OAuthDeps {
  state: () => SandboxState;
  now: () => number;
  tokenLifetimeSeconds: () => number;
  shape: () => ErrorShape;
}

const CLIENTS: Record<string, string> = { [REST_DEMO.clientId]: REST_DEMO.clientSecret };

const b64 = (v: string | Buffer) => Buffer.from(v).toString("base64url");

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const gw = (status: number, code: string, message: string): RestError => ({ status, code, message, errorId: code });

export class OAuthServer {
  private readonly signingKey = randomBytes(32);
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  private readonly codes = new Map<string, Grant & { redirectUri: string; offline: boolean; expiresAt: number }>();
  /** family -> the refresh token currently valid in it. */
  private readonly families = new Map<string, string>();

  constructor(private readonly deps: OAuthDeps) {}

  reset(): void {
    this.access.clear();
    this.refresh.clear();
    this.codes.clear();
    this.families.clear();
  }

  inspect() {
    return {
      accessTokens: [...this.access.values()].map((t) => ({ clientId: t.clientId, companyId: t.companyId, userId: t.userId, entityId: t.entityId, expiresAt: new Date(t.expiresAt).toISOString() })),
      refreshTokens: this.refresh.size,
    };
  }

  /** End every access token (the next API call answers 401). */
  expireAccessTokens(): number {
    const n = this.access.size;
    this.access.clear();
    return n;
  }

  /** The grant behind `Authorization: Bearer <jwt>`, or the 401 to answer. */
  authenticate(header: string | undefined): Grant | RestError {
    if (!header) return gw(401, "GW-0034", "The Authorization header is missing; send Authorization: Bearer <access token>.");
    if (!/^Bearer /.test(header)) return gw(401, "GW-0034", "The Authorization header must start with Bearer.");
    const token = header.slice(7).trim();
    if (!token) return gw(401, "GW-0035", "The bearer token is empty.");
    const t = this.access.get(token);
    if (!t || !this.verify(token)) return gw(401, "GW-0031", "Invalid token: the access token is unknown, expired or revoked.");
    if (t.expiresAt <= this.deps.now()) {
      this.access.delete(token);
      return gw(401, "GW-0031", "Invalid token: the access token has expired.");
    }
    return t;
  }

  private sign(grant: Grant, iat: number, exp: number): string {
    const head = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = b64(
      JSON.stringify({
        iss: "https://api.intacct.com",
        sub: `${grant.userId}@${grant.companyId}`,
        aud: grant.clientId,
        cnyId: grant.companyId,
        userId: grant.userId,
        entityId: grant.entityId,
        sessionId: grant.sessionId,
        clientId: grant.clientId,
        iat: Math.floor(iat / 1000),
        exp: Math.floor(exp / 1000),
        jti: randomBytes(8).toString("hex"),
      }),
    );
    const sig = createHmac("sha256", this.signingKey).update(`${head}.${payload}`).digest("base64url");
    return `${head}.${payload}.${sig}`;
  }

  private verify(token: string): boolean {
    const [head, payload, sig] = token.split(".");
    if (!head || !payload || !sig) return false;
    return safeEqual(sig, createHmac("sha256", this.signingKey).update(`${head}.${payload}`).digest("base64url"));
  }

  private issue(grant: Grant, refreshFamily: string | undefined, offline: boolean) {
    const now = this.deps.now();
    const lifetime = this.deps.tokenLifetimeSeconds();
    const accessToken = this.sign(grant, now, now + lifetime * 1000);
    this.access.set(accessToken, { ...grant, expiresAt: now + lifetime * 1000 });
    const body: Record<string, unknown> = { token_type: "Bearer", access_token: accessToken, expires_in: lifetime };
    if (offline) {
      const family = refreshFamily ?? `${grant.clientId}|${grant.companyId}|${grant.userId}`;
      const old = this.families.get(family);
      if (old) this.refresh.delete(old);
      const refreshToken = randomBytes(32).toString("base64url");
      this.refresh.set(refreshToken, { ...grant, family, offline });
      this.families.set(family, refreshToken);
      body.refresh_token = refreshToken;
    }
    return body;
  }

  /** `GET /oauth2/authorize`: the demo user approves at once; back to redirect_uri with a code. */
  authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const clientId = q.get("client_id") ?? "";
    const redirectUri = q.get("redirect_uri") ?? "";
    if (!CLIENTS[clientId]) return sendError(res, gw(400, "GW-0011", "Invalid request: unknown client_id."), this.deps.shape());
    if (q.get("response_type") !== "code") return sendError(res, gw(400, "GW-0011", "Invalid request: response_type must be code."), this.deps.shape());
    let target: URL;
    try {
      target = new URL(redirectUri);
    } catch {
      return sendError(res, gw(400, "GW-0011", "Invalid request: redirect_uri must be an absolute URL."), this.deps.shape());
    }
    const code = randomBytes(18).toString("base64url");
    const [userId, companyId] = REST_DEMO.username.split("@") as [string, string];
    this.codes.set(code, {
      clientId,
      companyId,
      userId,
      entityId: "",
      sessionId: randomBytes(12).toString("hex"),
      redirectUri,
      offline: (q.get("scope") ?? "").split(/\s+/).includes("offline_access"),
      expiresAt: this.deps.now() + 10 * 60_000,
    });
    target.searchParams.set("code", code);
    const state = q.get("state");
    if (state !== null) target.searchParams.set("state", state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  /** `POST /oauth2/token`. */
  token(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const shape = this.deps.shape();
    const type = (req.headers["content-type"] ?? "").toLowerCase();
    let fields: Record<string, string> = {};
    const repeated: string[] = [];
    if (type.includes("application/json")) {
      try {
        const json = JSON.parse(raw || "{}") as Record<string, unknown>;
        fields = Object.fromEntries(Object.entries(json).map(([k, v]) => [k, typeof v === "string" ? v : String(v ?? "")]));
      } catch {
        return sendError(res, gw(400, "GW-0035", "The token request body is not valid JSON."), shape);
      }
    } else {
      const form = new URLSearchParams(raw);
      for (const k of new Set(form.keys())) {
        if (form.getAll(k).length > 1) repeated.push(k);
        fields[k] = form.get(k) ?? "";
      }
    }
    if (repeated.includes("client_id")) return sendError(res, gw(400, "GW-0038", "client_id is given more than once."), shape);
    if (repeated.includes("username")) return sendError(res, gw(400, "GW-0039", "username is given more than once."), shape);
    if (!raw.trim()) return sendError(res, gw(400, "GW-0035", "The token request body is empty."), shape);
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? "");
    if (basic) {
      const [id, secret] = Buffer.from(basic[1]!, "base64").toString("utf8").split(":");
      fields.client_id ??= decodeURIComponent(id ?? "");
      fields.client_secret ??= decodeURIComponent(secret ?? "");
    }
    if (!fields.client_id) return sendError(res, gw(400, "GW-0037", "client_id is missing."), shape);
    const secret = CLIENTS[fields.client_id];
    if (!secret || !safeEqual(fields.client_secret ?? "", secret)) {
      return send(res, 401, { error: "invalid_client", error_description: "Client authentication failed: unknown client_id or wrong client_secret." });
    }
    const grantType = fields.grant_type ?? "";
    if (grantType === "client_credentials") return this.clientCredentials(fields, res);
    if (grantType === "refresh_token") return this.refreshGrant(fields, res);
    if (grantType === "authorization_code") return this.codeGrant(fields, res);
    return sendError(res, gw(400, "GW-0032", `Unsupported grant_type '${grantType}'. Use authorization_code, refresh_token or client_credentials.`), shape);
  }

  private clientCredentials(fields: Record<string, string>, res: ServerResponse): void {
    const shape = this.deps.shape();
    const username = fields.username ?? "";
    if (!username) return sendError(res, gw(400, "GW-0036", "username is missing; send userId@companyId (or userId@companyId|entityId)."), shape);
    const m = /^([^@|]+)@([^@|]+)(?:\|([^@|]+))?$/.exec(username);
    if (!m) return sendError(res, gw(400, "GW-0012", "The company (tenant) is missing from username; send userId@companyId."), shape);
    const [, userId, companyId, entityId = ""] = m as unknown as [string, string, string, string?];
    const company = this.deps.state().companies[companyId];
    // Without the company, its Web Services user or the entity, Intacct answers invalid_grant (1.4).
    const entityKnown = !entityId || (company?.records.LOCATION ?? []).some((l) => l.LOCATIONID === entityId);
    if (!company || !company.users[userId] || !entityKnown) {
      return send(res, 400, { error: "invalid_grant", error_description: "The provided credentials are invalid" });
    }
    const grant: Grant = { clientId: fields.client_id!, companyId, userId, entityId, sessionId: randomBytes(12).toString("hex") };
    send(res, 200, this.issue(grant, undefined, true), { "cache-control": "no-store" });
  }

  private refreshGrant(fields: Record<string, string>, res: ServerResponse): void {
    const t = this.refresh.get(fields.refresh_token ?? "");
    if (!t || t.clientId !== fields.client_id || this.families.get(t.family) !== fields.refresh_token) {
      return sendError(res, { status: 401, code: "tokenInvalid", message: "The refresh token is invalid.", errorId: "REST-2102", messageId: "IA.TOKEN_IS_INVALID" }, this.deps.shape());
    }
    this.refresh.delete(fields.refresh_token!);
    const { family, offline, ...grant } = t;
    send(res, 200, this.issue(grant, family, offline), { "cache-control": "no-store" });
  }

  private codeGrant(fields: Record<string, string>, res: ServerResponse): void {
    const c = this.codes.get(fields.code ?? "");
    this.codes.delete(fields.code ?? "");
    if (!c || c.expiresAt <= this.deps.now() || c.clientId !== fields.client_id || c.redirectUri !== (fields.redirect_uri ?? "")) {
      return send(res, 400, { error: "invalid_grant", error_description: "The authorization code is invalid, expired or was issued to another client or redirect_uri." });
    }
    const { redirectUri: _r, expiresAt: _e, offline, ...grant } = c;
    send(res, 200, this.issue(grant, undefined, offline), { "cache-control": "no-store" });
  }
}
