/**
 * Sandbox authentication, as strict as the real systems:
 * - PaaS OAuth 1.0a: the header parsed like Magento's Oauth\Helper\Request, required fields,
 *   version, signature method (HMAC-SHA1/HMAC-SHA256), timestamp window, nonce recorded per
 *   consumer *before* the signature check (as Magento does), token, then the signature itself.
 * - PaaS admin tokens: `POST /V1/integration/admin/token`, JWT-shaped, 4 h.
 * - SaaS: Adobe IMS client-credentials tokens (scope must include commerce.accs), 24 h.
 */
import { createHmac, randomBytes } from "node:crypto";
import { rfc3986, strnatcmp } from "../oauth1";

export const DEMO = {
  consumerKey: "k7x2m9q4w8e1r5t3y6u0i2o4p8a1s3d5",
  consumerSecret: "s9d8f7g6h5j4k3l2z1x0c9v8b7n6m5q4",
  accessToken: "t1a2b3c4d5e6f7g8h9i0j1k2l3m4n5o6",
  accessTokenSecret: "v6u5t4s3r2q1p0o9n8m7l6k5j4i3h2g1",
  consumerId: 1,
  adminUsername: "finance.admin",
  adminPassword: "Sandbox-Admin-2026!",
  /** An admin with Google Authenticator enforced: the token route refuses it (Magento_TwoFactorAuth). */
  twoFactorAdminUsername: "ops.admin",
  imsClientId: "sandbox-commerce-client",
  imsClientSecret: "p8e-SANDBOX-ims-secret-4f1c9b",
  imsOrgId: "5AND80X0123456789ABCDEF0@AdobeOrg",
  tenantId: "sbxTenant7Q2",
  /** B2B company user (Northwind Distribution's company admin) for purchase orders over GraphQL; every seeded customer signs in with this password. */
  b2bBuyerEmail: "olivia.grant@northwind.example",
  b2bBuyerPassword: "Sandbox-Buyer-2026!",
} as const;

export const CUSTOMER_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export const ADMIN_TOKEN_LIFETIME_MS = 4 * 60 * 60 * 1000;
export const IMS_TOKEN_LIFETIME_S = 86_399;
/** Nonce\Generator::TIME_DEVIATION */
const TIME_DEVIATION_S = 600;

export type AuthFailure = { status: number; body: Record<string, unknown> };

export const notAuthorized = (resources: string): AuthFailure => ({
  status: 401,
  body: { message: "The consumer isn't authorized to access %resources.", parameters: { resources } },
});

/** PHP rawurldecode (no `+` handling); malformed escapes stay as they are. */
function rawurldecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** PHP urldecode: `+` is a space. */
function urldecode(s: string): string {
  return rawurldecode(s.replace(/\+/g, " "));
}

const isProtocolParameter = (name: string) => /oauth_[a-z_-]+/.test(name);

/** Oauth\Helper\Request::_processHeader. */
function parseOAuthHeader(value: string | undefined): Record<string, string> | undefined {
  if (!value) return undefined;
  const at = value.toLowerCase().indexOf("oauth ");
  if (at < 0) return undefined;
  const params: Record<string, string> = {};
  for (const part of value.slice(at + 6).split(",")) {
    const trimmed = part.trim();
    const eq = trimmed.indexOf("=");
    if (eq < 0) continue;
    const name = trimmed.slice(0, eq);
    if (!isProtocolParameter(name)) continue;
    params[rawurldecode(name)] = rawurldecode(trimmed.slice(eq + 1).replace(/^"+|"+$/g, ""));
  }
  return params;
}

export interface OAuthRequest {
  method: string;
  /** Host header as received (with port). */
  host: string;
  /** Raw request target: path and query exactly as sent. */
  rawUrl: string;
  authorization?: string;
  contentType?: string;
  body?: string;
}

export class OAuthVerifier {
  /** consumerId:nonce -> timestamp */
  readonly nonces = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** null when the request is signed correctly; otherwise the error Magento would answer. */
  verify(req: OAuthRequest): AuthFailure | null {
    const params = parseOAuthHeader(req.authorization);
    if (!params) return notAuthorized("Magento_Sales::sales");
    // Request params: form body (only for urlencoded bodies), then the query string.
    if (req.body && req.contentType?.startsWith("application/x-www-form-urlencoded")) {
      for (const [k, v] of new URLSearchParams(req.body)) if (!isProtocolParameter(k)) params[k] = v;
    }
    const q = req.rawUrl.indexOf("?");
    const query = q >= 0 ? req.rawUrl.slice(q + 1) : "";
    if (query) {
      for (const pair of query.split("&")) {
        const parts = pair.split("=");
        if (parts.length === 2 && !isProtocolParameter(parts[0])) params[urldecode(parts[0])] = urldecode(parts[1]);
      }
    }
    const input = (message: string, parameters?: unknown): AuthFailure => ({ status: 400, body: parameters ? { message, parameters } : { message } });
    const denied = (message: string, parameters?: unknown): AuthFailure => ({ status: 401, body: parameters ? { message, parameters } : { message } });

    if (params.oauth_version !== undefined && params.oauth_version !== "1.0") {
      return input('The "%1" Oauth version isn\'t supported.', [params.oauth_version]);
    }
    const required = ["oauth_consumer_key", "oauth_signature", "oauth_signature_method", "oauth_nonce", "oauth_timestamp", "oauth_token"];
    const missing = required.filter((r) => params[r] === undefined);
    if (missing.length) {
      return {
        status: 400,
        body: {
          message: '"%fieldName" is required. Enter and try again.',
          parameters: { fieldName: missing[0] },
          errors: missing.map((m) => ({ message: '"%fieldName" is required. Enter and try again.', parameters: { fieldName: m } })),
        },
      };
    }
    if (params.oauth_token.length !== 32) return input("The token length is invalid. Check the length and try again.");
    const method = params.oauth_signature_method;
    if (method !== "HMAC-SHA1" && method !== "HMAC-SHA256") return input("Signature method %1 is not supported", [method]);
    if (params.oauth_consumer_key !== DEMO.consumerKey) return denied("A consumer having the specified key does not exist");
    const timestamp = Number(params.oauth_timestamp);
    if (!/^\d+$/.test(params.oauth_timestamp) || timestamp <= 0 || timestamp > Math.floor(this.now() / 1000) + TIME_DEVIATION_S) {
      return denied("Incorrect timestamp value in the oauth_timestamp parameter");
    }
    const nonceKey = `${DEMO.consumerId}:${params.oauth_nonce}`;
    if (this.nonces.has(nonceKey)) return denied("The nonce is already being used by the consumer with ID %1", [String(DEMO.consumerId)]);
    this.nonces.set(nonceKey, timestamp);
    if (params.oauth_token !== DEMO.accessToken) return denied("Specified token does not exist");

    const expected = this.sign(req, params, method);
    const given = params.oauth_signature;
    if (expected !== given) return denied("The signature is invalid. Verify and try again.");
    return null;
  }

  /** Oauth\Helper\HmacSignature::sign with the Laminas-normalised request URL. */
  private sign(req: OAuthRequest, params: Record<string, string>, method: string): string {
    const encoded: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (k !== "oauth_signature") encoded[rfc3986(k)] = rfc3986(v);
    const sorted = Object.keys(encoded).sort(strnatcmp);
    const paramString = sorted.map((k) => `${k}=${encoded[k]}`).join("&");
    const q = req.rawUrl.indexOf("?");
    const path = q >= 0 ? req.rawUrl.slice(0, q) : req.rawUrl;
    const [hostname, port] = req.host.toLowerCase().split(":");
    const url = `http://${hostname}${port && port !== "80" ? `:${port}` : ""}${path}`;
    const base = `${req.method.toUpperCase()}&${rfc3986(url)}&${rfc3986(paramString)}`;
    const key = `${rfc3986(DEMO.consumerSecret)}&${rfc3986(DEMO.accessTokenSecret)}`;
    return createHmac(method === "HMAC-SHA1" ? "sha1" : "sha256", key).update(base).digest("base64");
  }
}

/** Bearer tokens with expiry (admin JWTs on PaaS, IMS access tokens on SaaS). */
export class TokenStore {
  readonly tokens = new Map<string, { kind: "admin" | "ims" | "customer"; expiresAt: number; customerId?: number }>();

  constructor(private readonly now: () => number) {}

  issueAdmin(): string {
    const now = this.now();
    const exp = Math.floor((now + ADMIN_TOKEN_LIFETIME_MS) / 1000);
    const header = Buffer.from(JSON.stringify({ kid: "1", alg: "HS256" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ uid: 1, utypid: 2, iat: Math.floor(now / 1000), exp })).toString("base64url");
    const sig = createHmac("sha256", "sandbox-jwt-key").update(`${header}.${payload}.${randomBytes(6).toString("hex")}`).digest("base64url");
    const token = `${header}.${payload}.${sig}`;
    this.tokens.set(token, { kind: "admin", expiresAt: exp * 1000 });
    return token;
  }

  issueIms(): string {
    const token = `eyJhbGciOiJSUzI1NiJ9.sandbox-ims.${randomBytes(24).toString("base64url")}`;
    this.tokens.set(token, { kind: "ims", expiresAt: this.now() + IMS_TOKEN_LIFETIME_S * 1000 });
    return token;
  }

  /** A customer token (GraphQL generateCustomerToken), JWT-shaped, 1 h. */
  issueCustomer(customerId: number): string {
    const now = this.now();
    const exp = Math.floor((now + CUSTOMER_TOKEN_LIFETIME_MS) / 1000);
    const header = Buffer.from(JSON.stringify({ kid: "1", alg: "HS256" })).toString("base64url");
    const payload = Buffer.from(JSON.stringify({ uid: customerId, utypid: 3, iat: Math.floor(now / 1000), exp })).toString("base64url");
    const sig = createHmac("sha256", "sandbox-jwt-key").update(`${header}.${payload}.${randomBytes(6).toString("hex")}`).digest("base64url");
    const token = `${header}.${payload}.${sig}`;
    this.tokens.set(token, { kind: "customer", expiresAt: exp * 1000, customerId });
    return token;
  }

  /** The customer a valid customer token belongs to. */
  customerOf(token: string): number | undefined {
    const t = this.tokens.get(token);
    return t && t.kind === "customer" && t.expiresAt > this.now() ? t.customerId : undefined;
  }

  valid(token: string, kind: "admin" | "ims"): boolean {
    const t = this.tokens.get(token);
    return !!t && t.kind === kind && t.expiresAt > this.now();
  }

  /** The `expireAuth` fault: every issued token stops working. */
  expireAll(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  stats() {
    const now = this.now();
    let admin = 0;
    let ims = 0;
    let customer = 0;
    for (const t of this.tokens.values()) {
      if (t.expiresAt <= now) continue;
      if (t.kind === "admin") admin++;
      else if (t.kind === "customer") customer++;
      else ims++;
    }
    return { activeAdminTokens: admin, activeImsTokens: ims, activeCustomerTokens: customer };
  }
}
