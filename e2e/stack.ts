/**
 * The whole product for browser tests: the test database (Vitest global setup), the sandboxes on
 * free ports, the demo workspace, a worker, the web app (`next start` when a build exists, else
 * `next dev`) and headless Chromium driven by playwright-core.
 *
 * Started once for all browser tests (e2e/setup.ts); tests reach it through `inject("stack")`.
 */
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { chromiumPath } from "./chromium";
import { createDb } from "../db/client";
import { SANDBOX_SYSTEMS } from "../db/env";
import { seedDemoWorkspace } from "../engine/demo/seed";
import { startWorker } from "../engine/worker/start";
import { startSandboxes } from "../scripts/sandboxes";
import { freePort } from "../db/free-port";
import { startWebApp } from "./web-app";


export interface Stack {
  baseUrl: string;
  sandboxUrls: Record<string, string>;
  stop(): Promise<void>;
}

export async function startStack(databaseUrl: string): Promise<Stack> {
  const ports: Record<string, number> = {};
  for (const system of SANDBOX_SYSTEMS) {
    ports[system] = await freePort();
    process.env[`${system.toUpperCase()}_SANDBOX_PORT`] = String(ports[system]);
  }
  const sandboxes = await startSandboxes();
  const sandboxUrls = Object.fromEntries(sandboxes.map((s) => [s.system, s.url]));
  const db = createDb(databaseUrl, { max: 4 });
  await seedDemoWorkspace(db, { sandboxUrls: sandboxUrls as Record<(typeof SANDBOX_SYSTEMS)[number], string> });
  const worker = await startWorker({ databaseUrl, concurrency: 2, pollInterval: 250 });
  // CI builds first and sets LEDGERLINE_E2E_BUILD=1; otherwise a dev server in a folder of its own
  // runs the current code (and does not collide with another dev server).
  const web = await startWebApp({
    databaseUrl,
    port: await freePort(),
    useBuild: process.env.LEDGERLINE_E2E_BUILD === "1",
    env: Object.fromEntries(Object.entries(ports).map(([s, p]) => [`${s.toUpperCase()}_SANDBOX_PORT`, String(p)])),
  });
  const baseUrl = web.baseUrl;
  return {
    baseUrl,
    sandboxUrls,
    async stop() {
      await web.stop();
      await worker.stop();
      await Promise.all(sandboxes.map((s) => s.server.close()));
      await db.close();
    },
  };
}

/** Headless Chromium from Debian's package, with the flags this machine's closed network needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** Where screenshots of the main pages go (CI keeps them as artifacts). */
export const screenshotDir = path.join(process.cwd(), "test-results", "screenshots");
