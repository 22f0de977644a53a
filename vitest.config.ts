import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 240_000,
    projects: [
      {
        // Server modules import "server-only", which throws outside React's server build; tests run them on the server.
        resolve: { alias: { "server-only": new URL("./node_modules/server-only/empty.js", import.meta.url).pathname } },
        test: {
          name: "unit",
          include: ["**/*.test.ts"],
          exclude: ["node_modules/**", ".next/**", ".data/**", "e2e/**"],
          globalSetup: ["./db/test/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: keep the pool small so PostgreSQL and the sandboxes have room.
          maxWorkers: 2,
          // Structured logs of in-process runs: errors only, unless asked (worker processes inherit it).
          env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "error" },
        },
      },
      {
        test: {
          name: "browser",
          include: ["e2e/**/*.test.ts"],
          // The database first, then the product on it (sandboxes, worker, web app).
          globalSetup: ["./db/test/global-setup.ts", "./e2e/setup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
