import { defineConfig } from "vitest/config";
export default defineConfig({ test: { include: ["connectors/intacct/**/*.test.ts"], testTimeout: 60_000, maxWorkers: 2 } });
