/**
 * Pages need a signed-in browser: a page request without a session cookie goes to /sign-in (and
 * back afterwards). The cookie is checked for real by every tRPC call (app/server/auth/context.ts);
 * the app sends a browser whose session ended to /sign-in on the first 401.
 * API routes are not covered here: tRPC answers 401 itself; webhooks, OAuth callbacks, health and
 * the auth endpoints are public by design.
 */
import { getSessionCookie } from "better-auth/cookies";
import { NextResponse, type NextRequest } from "next/server";

const PUBLIC_PAGES = [/^\/sign-in\/?$/, /^\/forgot-password\/?$/, /^\/reset-password\/?$/, /^\/invite\/[^/]+\/?$/, /^\/sso\/.*$/];

export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC_PAGES.some((p) => p.test(pathname))) return NextResponse.next();
  if (getSessionCookie(request, { cookiePrefix: "ledgerline" })) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = "/sign-in";
  url.search = pathname === "/" ? "" : `?next=${encodeURIComponent(pathname + search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // Pages only: not the API, Next's own files or static files with an extension.
  matcher: ["/((?!api/|_next/|favicon\\.ico$|.*\\.[a-zA-Z0-9]+$).*)"],
};
