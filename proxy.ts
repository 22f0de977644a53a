/**
 * Pages need a signed-in browser: a page request without a session cookie goes to /sign-in (and
 * back afterwards). The cookie is checked for real by every tRPC call (app/server/auth/context.ts);
 * the app sends a browser whose session ended to /sign-in on the first 401.
 * API routes are not covered here: tRPC answers 401 itself; webhooks, OAuth callbacks, health and
 * the auth endpoints are public by design.
 *
 * Every page also gets its Content-Security-Policy here, with a fresh script nonce per request, so
 * only the scripts Next.js renders into this page (it reads the nonce from the request's policy)
 * and what they load may run. Pages are rendered per request (app/layout.tsx) so each carries it.
 */
import { getSessionCookie } from "better-auth/cookies";
import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy } from "./security-headers.mjs";

const PUBLIC_PAGES = [/^\/sign-in\/?$/, /^\/forgot-password\/?$/, /^\/reset-password\/?$/, /^\/invite\/[^/]+\/?$/, /^\/sso\/.*$/];

const DEV = process.env.NODE_ENV !== "production";

/** Let the page through with its own policy: the general one with a fresh script nonce. */
function withPagePolicy(request: NextRequest): NextResponse {
  const policy = contentSecurityPolicy({ dev: DEV, nonce: btoa(crypto.randomUUID()) });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  return response;
}

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC_PAGES.some((p) => p.test(pathname))) return withPagePolicy(request);
  if (getSessionCookie(request, { cookiePrefix: "ledgerline" })) return withPagePolicy(request);
  const url = request.nextUrl.clone();
  url.pathname = "/sign-in";
  url.search = pathname === "/" ? "" : `?next=${encodeURIComponent(pathname + search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Pages only: not the API, Next's own files or static files with an extension.
  matcher: ["/((?!api/|_next/|favicon\\.ico$|.*\\.[a-zA-Z0-9]+$).*)"],
};
